// Spark's LogisticRegressionSummary (multiclass metrics of the predictions) and
// BinaryLogisticRegressionSummary (threshold curves of P(label = 1)). Curves are returned as frames with
// Spark's column names (roc: FPR, TPR; pr: recall, precision; *ByThreshold: threshold + metric), so
// `summary.roc.toRows()` looks like Spark's `summary.roc.collect()`.

import { Frame, float64Column } from '@cauce/frame';
import { binaryCurves, type BinaryCurves } from './binary-metrics.js';
import { multiclassStats, type MulticlassStats } from './multiclass-metrics.js';

export interface LogisticSummaryInput {
  predictions: Frame;
  predictionCol: string;
  probabilityCol: string;
  labelCol: string;
  featuresCol: string;
  weightCol: string | undefined;
  label: Float64Array;
  prediction: Float64Array;
  /** P(label = 1) for binary models; null for multinomial ones. */
  positiveProbability: Float64Array | null;
  weight: Float64Array | null;
  numClasses: number;
  objectiveHistory: number[];
  totalIterations: number;
}

export class LogisticRegressionSummary {
  readonly predictions: Frame;
  readonly predictionCol: string;
  readonly probabilityCol: string;
  readonly labelCol: string;
  readonly featuresCol: string;
  readonly weightCol: string | undefined;
  readonly objectiveHistory: number[];
  readonly totalIterations: number;
  protected readonly input: LogisticSummaryInput;
  #stats: MulticlassStats | undefined;

  constructor(input: LogisticSummaryInput) {
    this.input = input;
    this.predictions = input.predictions;
    this.predictionCol = input.predictionCol;
    this.probabilityCol = input.probabilityCol;
    this.labelCol = input.labelCol;
    this.featuresCol = input.featuresCol;
    this.weightCol = input.weightCol;
    this.objectiveHistory = input.objectiveHistory;
    this.totalIterations = input.totalIterations;
  }

  protected get stats(): MulticlassStats {
    this.#stats ??= multiclassStats(
      this.input.prediction,
      this.input.label,
      this.input.weight,
      this.input.numClasses,
    );
    return this.#stats;
  }

  get labels(): number[] { return this.stats.labels; } // prettier-ignore
  get accuracy(): number { return this.stats.accuracy; } // prettier-ignore
  /** Weighted confusion matrix, confusionMatrix[actual][predicted]. */
  get confusionMatrix(): number[][] { return this.stats.confusion; } // prettier-ignore
  get truePositiveRateByLabel(): number[] { return this.stats.truePositiveRateByLabel; } // prettier-ignore
  get falsePositiveRateByLabel(): number[] { return this.stats.falsePositiveRateByLabel; } // prettier-ignore
  get precisionByLabel(): number[] { return this.stats.precisionByLabel; } // prettier-ignore
  get recallByLabel(): number[] { return this.stats.recallByLabel; } // prettier-ignore
  /** F-measure by label; beta = 1 by default (Spark's fMeasureByLabel(beta)). */
  fMeasureByLabel(beta = 1): number[] {
    return beta === 1
      ? this.stats.fMeasureByLabel
      : multiclassStats(
          this.input.prediction,
          this.input.label,
          this.input.weight,
          this.input.numClasses,
          beta,
        ).fMeasureByLabel;
  }
  get weightedTruePositiveRate(): number { return this.stats.weightedTruePositiveRate; } // prettier-ignore
  get weightedFalsePositiveRate(): number { return this.stats.weightedFalsePositiveRate; } // prettier-ignore
  get weightedPrecision(): number { return this.stats.weightedPrecision; } // prettier-ignore
  get weightedRecall(): number { return this.stats.weightedRecall; } // prettier-ignore
  weightedFMeasure(beta = 1): number {
    return beta === 1
      ? this.stats.weightedFMeasure
      : multiclassStats(
          this.input.prediction,
          this.input.label,
          this.input.weight,
          this.input.numClasses,
          beta,
        ).weightedFMeasure;
  }
}

export class BinaryLogisticRegressionSummary extends LogisticRegressionSummary {
  #curves: BinaryCurves | undefined;

  /** @internal the raw curves (typed arrays) behind the frames. */
  get curves(): BinaryCurves {
    this.#curves ??= binaryCurves(this.input.positiveProbability!, this.input.label, this.input.weight);
    return this.#curves;
  }
  /** ROC curve: columns FPR, TPR, from (0,0) to (1,1). */
  get roc(): Frame {
    const c = this.curves;
    return Frame.fromColumns({ FPR: float64Column(c.rocFpr), TPR: float64Column(c.rocTpr) });
  }
  get areaUnderROC(): number {
    return this.curves.areaUnderROC;
  }
  /** Precision–recall curve: columns recall, precision. */
  get pr(): Frame {
    const c = this.curves;
    return Frame.fromColumns({ recall: float64Column(c.prRecall), precision: float64Column(c.prPrecision) });
  }
  get areaUnderPR(): number {
    return this.curves.areaUnderPR;
  }
  get precisionByThreshold(): Frame {
    const c = this.curves;
    return Frame.fromColumns({
      threshold: float64Column(c.thresholds),
      precision: float64Column(c.precision),
    });
  }
  get recallByThreshold(): Frame {
    const c = this.curves;
    return Frame.fromColumns({ threshold: float64Column(c.thresholds), recall: float64Column(c.tpr) });
  }
  /** F1 at each threshold: columns threshold, F-Measure. */
  get fMeasureByThreshold(): Frame {
    const c = this.curves;
    const b2 = 1;
    const f = new Float64Array(c.thresholds.length);
    for (let k = 0; k < f.length; k++) {
      const p = c.precision[k]!;
      const r = c.tpr[k]!;
      f[k] = p + r > 0 ? ((1 + b2) * p * r) / (b2 * p + r) : 0;
    }
    return Frame.fromColumns({ threshold: float64Column(c.thresholds), 'F-Measure': float64Column(f) });
  }
}
