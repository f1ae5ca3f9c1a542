/**
 * MulticlassClassificationEvaluator (Spark ML): f1 (default; the label-frequency-weighted F1), accuracy,
 * weightedPrecision, weightedRecall, weightedTruePositiveRate, weightedFalsePositiveRate,
 * weightedFMeasure (beta), per-label metrics for metricLabel (truePositiveRateByLabel,
 * falsePositiveRateByLabel, precisionByLabel, recallByLabel, fMeasureByLabel), logLoss (from
 * probabilityCol, probabilities clipped to [eps, 1 − eps]) and hammingLoss.
 */
import type { Frame } from '@cauce/frame';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gt, gtEq, inArray, inRange } from '../param/validators.js';
import { vectorRows } from '../feature/columns.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { Evaluator, readWeights, requireFinite, requireNonEmpty } from './evaluator.js';
import { MulticlassMetrics, confusionMatrixOf, type ConfusionMatrix } from './multiclass-metrics.js';

export type MulticlassMetric =
  | 'f1'
  | 'accuracy'
  | 'weightedPrecision'
  | 'weightedRecall'
  | 'weightedTruePositiveRate'
  | 'weightedFalsePositiveRate'
  | 'weightedFMeasure'
  | 'truePositiveRateByLabel'
  | 'falsePositiveRateByLabel'
  | 'precisionByLabel'
  | 'recallByLabel'
  | 'fMeasureByLabel'
  | 'logLoss'
  | 'hammingLoss';

const METRICS: readonly MulticlassMetric[] = [
  'f1',
  'accuracy',
  'weightedPrecision',
  'weightedRecall',
  'weightedTruePositiveRate',
  'weightedFalsePositiveRate',
  'weightedFMeasure',
  'truePositiveRateByLabel',
  'falsePositiveRateByLabel',
  'precisionByLabel',
  'recallByLabel',
  'fMeasureByLabel',
  'logLoss',
  'hammingLoss',
];
const SMALLER_BETTER = new Set<MulticlassMetric>([
  'logLoss',
  'hammingLoss',
  'weightedFalsePositiveRate',
  'falsePositiveRateByLabel',
]);

const metricNameSpec: ParamSpec<MulticlassMetric> = {
  name: 'metricName',
  doc: `metric name in evaluation: ${METRICS.join(', ')}`,
  type: 'string',
  validator: inArray(METRICS),
  default: 'f1',
};
const metricLabelSpec: ParamSpec<number> = {
  name: 'metricLabel',
  doc: 'the class whose metric is computed by the *ByLabel metrics',
  type: 'number',
  validator: gtEq(0),
  default: 0,
};
const betaSpec: ParamSpec<number> = {
  name: 'beta',
  doc: 'the beta value of weightedFMeasure and fMeasureByLabel',
  type: 'number',
  validator: gt(0),
  default: 1,
};
const epsSpec: ParamSpec<number> = {
  name: 'eps',
  doc: 'log loss is undefined for p = 0 or 1, so probabilities are clipped to [eps, 1 - eps]',
  type: 'number',
  validator: inRange(0, 0.5, false, false),
  default: 1e-15,
};

export interface MulticlassClassificationEvaluatorParams {
  predictionCol?: string;
  labelCol?: string;
  metricName?: MulticlassMetric;
  weightCol?: string;
  metricLabel?: number;
  beta?: number;
  probabilityCol?: string;
  eps?: number;
}

export class MulticlassClassificationEvaluator extends Evaluator {
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly metricName = this.declare(metricNameSpec);
  readonly weightCol = this.declare(shared.weightCol);
  readonly metricLabel = this.declare(metricLabelSpec);
  readonly beta = this.declare(betaSpec);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly eps = this.declare(epsSpec);

  constructor(params: MulticlassClassificationEvaluatorParams = {}) {
    super();
    this.setParams(params);
  }
  setMetricName(v: MulticlassMetric): this {
    return this.set(this.metricName, v);
  }
  getMetricName(): MulticlassMetric {
    return this.getOrDefault(this.metricName);
  }
  setMetricLabel(v: number): this {
    return this.set(this.metricLabel, v);
  }
  setBeta(v: number): this {
    return this.set(this.beta, v);
  }
  setPredictionCol(v: string): this {
    return this.set(this.predictionCol, v);
  }
  setLabelCol(v: string): this {
    return this.set(this.labelCol, v);
  }
  setWeightCol(v: string): this {
    return this.set(this.weightCol, v);
  }
  setProbabilityCol(v: string): this {
    return this.set(this.probabilityCol, v);
  }
  isLargerBetter(): boolean {
    return !SMALLER_BETTER.has(this.getMetricName());
  }

  protected checkSchema(schema: Schema): void {
    this.need(schema, 'labelCol', this.getOrDefault(this.labelCol), 'numeric');
    if (this.getMetricName() === 'logLoss') {
      this.need(schema, 'probabilityCol', this.getOrDefault(this.probabilityCol), 'vector');
    } else {
      this.need(schema, 'predictionCol', this.getOrDefault(this.predictionCol), 'numeric');
    }
    const wc = this.get(this.weightCol);
    if (wc !== undefined) this.need(schema, 'weightCol', wc, 'numeric');
  }

  private columns(frame: Frame): { y: Float64Array; w: Float64Array | undefined } {
    requireNonEmpty(this.uid, frame.numRows);
    const lc = this.getOrDefault(this.labelCol);
    const y = frame.float64(lc);
    requireFinite(this.uid, y, lc);
    return { y, w: readWeights(this.uid, frame, this.get(this.weightCol)) };
  }

  /** The weighted confusion matrix (rows: true label, columns: prediction). */
  confusionMatrix(frame: Frame): ConfusionMatrix {
    this.need(frame.schema, 'predictionCol', this.getOrDefault(this.predictionCol), 'numeric');
    this.need(frame.schema, 'labelCol', this.getOrDefault(this.labelCol), 'numeric');
    const { y, w } = this.columns(frame);
    const pc = this.getOrDefault(this.predictionCol);
    const p = frame.float64(pc);
    requireFinite(this.uid, p, pc);
    return confusionMatrixOf(y, p, w);
  }

  /** All label-based metrics at once. */
  metrics(frame: Frame): MulticlassMetrics {
    return new MulticlassMetrics(this.confusionMatrix(frame));
  }

  protected _evaluate(frame: Frame): number {
    const name = this.getMetricName();
    if (name === 'logLoss') return this.logLoss(frame);
    const m = this.metrics(frame);
    const label = this.getOrDefault(this.metricLabel);
    const beta = this.getOrDefault(this.beta);
    switch (name) {
      case 'f1':
        return m.weightedFMeasure(1);
      case 'accuracy':
        return m.accuracy;
      case 'weightedPrecision':
        return m.weightedPrecision;
      case 'weightedRecall':
        return m.weightedRecall;
      case 'weightedTruePositiveRate':
        return m.weightedTruePositiveRate;
      case 'weightedFalsePositiveRate':
        return m.weightedFalsePositiveRate;
      case 'weightedFMeasure':
        return m.weightedFMeasure(beta);
      case 'truePositiveRateByLabel':
        return m.truePositiveRate(label);
      case 'falsePositiveRateByLabel':
        return m.falsePositiveRate(label);
      case 'precisionByLabel':
        return m.precision(label);
      case 'recallByLabel':
        return m.recall(label);
      case 'fMeasureByLabel':
        return m.fMeasure(label, beta);
      case 'hammingLoss':
        return m.hammingLoss;
    }
  }

  private logLoss(frame: Frame): number {
    const { y, w } = this.columns(frame);
    const pc = this.getOrDefault(this.probabilityCol);
    const r = vectorRows(frame, pc);
    const eps = this.getOrDefault(this.eps);
    let sum = 0;
    let sw = 0;
    for (let i = 0; i < r.n; i++) {
      const label = y[i]!;
      if (!Number.isInteger(label) || label < 0 || label >= r.size) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: label ${label} at row ${i} is not a class index of the ${r.size}-class probability vectors in '${pc}'`,
          { stage: this.uid, column: this.getOrDefault(this.labelCol) },
        );
      }
      let p: number;
      if (r.dense) p = r.dense[i * r.size + label]!;
      else {
        p = 0;
        for (let k = r.indptr![i]!; k < r.indptr![i + 1]!; k++)
          if (r.indices![k] === label) p = r.values![k]!;
      }
      if (r.isNull?.[i] || Number.isNaN(p)) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: probability column '${pc}' has a null or NaN at row ${i}`,
          {
            stage: this.uid,
            column: pc,
          },
        );
      }
      const wi = w ? w[i]! : 1;
      sum -= wi * Math.log(Math.max(eps, Math.min(1 - eps, p)));
      sw += wi;
    }
    return sum / sw;
  }
}
