// LogisticRegressionModel (Spark ML's org.apache.spark.ml.classification.LogisticRegressionModel): scoring
// (rawPrediction, probability, prediction with threshold / thresholds), summaries, save/load. Fitted by
// LogisticRegression (logistic-regression.ts).

import { type Frame, float64Column, vectorColumn } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import * as shared from '../param/shared.js';
import { dense, multiplyRows, type Matrix } from '../linalg/matrix.js';
import { LinearModelBase } from '../regression/linear-model-base.js';
import { MLError } from '../util/errors.js';
import { appendColumn, type Schema } from '../util/schema.js';
import { BinaryLogisticRegressionSummary, LogisticRegressionSummary } from './logistic-regression-summary.js';

/** Params shared by the estimator and the model (Spark's LogisticRegressionParams, the prediction part). */
/** @internal */
export function checkThresholds(
  uid: string,
  threshold: number | undefined,
  thresholds: readonly number[] | undefined,
): void {
  if (threshold === undefined || thresholds === undefined) return;
  if (thresholds.length !== 2) return;
  const implied = 1 / (1 + thresholds[0]! / thresholds[1]!);
  if (Math.abs(implied - threshold) > 1e-5) {
    throw new MLError(
      'INVALID_PARAM',
      `${uid}: threshold ${threshold} and thresholds [${thresholds.join(', ')}] disagree (thresholds imply threshold ${implied})`,
      { stage: uid, param: 'thresholds', hint: 'set only one of threshold and thresholds' },
    );
  }
}

/** @internal column k of a row-major matrix with `stride` columns. */
export function column(m: Float64Array, stride: number, k: number): Float64Array {
  const n = m.length / stride;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i * stride + k]!;
  return out;
}

/** @internal */
export function outputSchema(uid: string, schema: Schema, raw: string, prob: string, pred: string): Schema {
  let s = appendColumn(uid, schema, 'rawPredictionCol', { name: raw, type: 'vector' });
  s = appendColumn(uid, s, 'probabilityCol', { name: prob, type: 'vector' });
  return appendColumn(uid, s, 'predictionCol', { name: pred, type: 'float64' });
}

interface Scored {
  raw: Float64Array;
  probability: Float64Array;
  prediction: Float64Array;
}

export class LogisticRegressionModel extends LinearModelBase<LogisticRegressionSummary> {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly weightCol = this.declare(shared.weightCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly threshold = this.declare(shared.threshold);
  readonly thresholds = this.declare(shared.thresholds);

  constructor(
    /** Row-major K×p: one row for binomial models, one per class for multinomial ones (Spark's layout). */
    readonly coefficientMatrix: Float64Array,
    readonly interceptVector: Float64Array,
    readonly numClasses: number,
    readonly isMultinomial: boolean,
  ) {
    super();
  }

  get numFeatures(): number {
    return this.coefficientMatrix.length / this.interceptVector.length;
  }
  /** Binomial models only: the coefficient vector. */
  get coefficients(): Float64Array {
    this.#requireBinomial('coefficients');
    return this.coefficientMatrix;
  }
  /** Binomial models only: the intercept. */
  get intercept(): number {
    this.#requireBinomial('intercept');
    return this.interceptVector[0]!;
  }
  #requireBinomial(what: string): void {
    if (this.isMultinomial) {
      throw new MLError('INVALID_PARAM', `${this.uid}: '${what}' exists only for binomial models`, {
        stage: this.uid,
        hint: 'use coefficientMatrix and interceptVector for multinomial models',
      });
    }
  }

  setProbabilityCol(v: string): this { return this.set(this.probabilityCol, v); } // prettier-ignore
  getProbabilityCol(): string { return this.getOrDefault(this.probabilityCol); } // prettier-ignore
  setRawPredictionCol(v: string): this { return this.set(this.rawPredictionCol, v); } // prettier-ignore
  getRawPredictionCol(): string { return this.getOrDefault(this.rawPredictionCol); } // prettier-ignore
  setThreshold(v: number): this { return this.set(this.threshold, v); } // prettier-ignore
  getThreshold(): number { return this.getOrDefault(this.threshold); } // prettier-ignore
  setThresholds(v: number[]): this { return this.set(this.thresholds, v); } // prettier-ignore
  getThresholds(): readonly number[] | undefined { return this.get(this.thresholds); } // prettier-ignore

  /** Binomial models: the training summary with ROC/PR curves. */
  get binarySummary(): BinaryLogisticRegressionSummary {
    this.#requireBinomial('binarySummary');
    return this.summary as BinaryLogisticRegressionSummary;
  }

  /** Metrics on another frame, which needs the labelCol (and weightCol, if set) columns. */
  async evaluate(frame: Frame): Promise<LogisticRegressionSummary> {
    const labelCol = this.evaluationLabelCol(frame);
    const out = await this.transform(frame);
    const wc = this.get(this.weightCol);
    const probability = out.vectors(this.getProbabilityCol()).values;
    const input = {
      predictions: out,
      predictionCol: this.getPredictionCol(),
      probabilityCol: this.getProbabilityCol(),
      labelCol,
      featuresCol: this.getFeaturesCol(),
      weightCol: wc,
      label: frame.float64(labelCol),
      prediction: out.float64(this.getPredictionCol()),
      positiveProbability: this.isMultinomial ? null : column(probability, this.numClasses, 1),
      weight: this.evaluationWeights(frame),
      numClasses: this.numClasses,
      objectiveHistory: [],
      totalIterations: 0,
    };
    return this.isMultinomial
      ? new LogisticRegressionSummary(input)
      : new BinaryLogisticRegressionSummary(input);
  }

  /** Class probabilities for one feature vector. */
  predictProbability(features: ArrayLike<number>): Float64Array {
    return this.scoreAll(dense(Float64Array.from(features), 1, this.numFeatures)).probability;
  }
  /** Raw scores (margins) for one feature vector: [−m, m] for binomial models, one per class otherwise. */
  predictRaw(features: ArrayLike<number>): Float64Array {
    return this.scoreAll(dense(Float64Array.from(features), 1, this.numFeatures)).raw;
  }
  /** The predicted class index for one feature vector. */
  predict(features: ArrayLike<number>): number {
    return this.scoreAll(dense(Float64Array.from(features), 1, this.numFeatures)).prediction[0]!;
  }

  /** @internal raw scores, probabilities and predictions for every row of a feature matrix. */
  scoreAll(x: Matrix): Scored {
    const K = this.numClasses;
    const n = x.n;
    const p = this.numFeatures;
    const rows = this.interceptVector.length;
    // Margins class by class (one pass over the rows each), then the per-row link function.
    const margins = new Float64Array(rows * n);
    for (let k = 0; k < rows; k++) {
      multiplyRows(
        x,
        this.coefficientMatrix,
        this.interceptVector[k]!,
        margins.subarray(k * n, (k + 1) * n),
        k * p,
      );
    }
    const raw = new Float64Array(n * K);
    const probability = new Float64Array(n * K);
    const prediction = new Float64Array(n);
    const thresholds = this.getThresholds();
    const threshold = this.getThreshold();
    const m = new Float64Array(rows);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < rows; k++) m[k] = margins[k * n + i]!;
      if (!this.isMultinomial) {
        // Spark: rawPrediction = [−margin, margin], probability = [1 − σ(margin), σ(margin)].
        const mg = m[0]!;
        const p1 = 1 / (1 + Math.exp(-mg));
        raw[i * 2] = -mg;
        raw[i * 2 + 1] = mg;
        probability[i * 2] = 1 - p1;
        probability[i * 2 + 1] = p1;
      } else {
        let mx = -Infinity;
        for (let k = 0; k < K; k++) mx = Math.max(mx, m[k]!);
        let sum = 0;
        for (let k = 0; k < K; k++) {
          raw[i * K + k] = m[k]!;
          const e = Math.exp(m[k]! - mx);
          probability[i * K + k] = e;
          sum += e;
        }
        for (let k = 0; k < K; k++) probability[i * K + k] = probability[i * K + k]! / sum;
      }
      prediction[i] = decide(probability, i * K, K, threshold, thresholds, this.isMultinomial);
    }
    return { raw, probability, prediction };
  }

  /** @internal the frame with the three output columns appended. */
  withOutputs(frame: Frame, s: Scored): Frame {
    const K = this.numClasses;
    return frame.withColumns({
      [this.getRawPredictionCol()]: vectorColumn(K, s.raw),
      [this.getProbabilityCol()]: vectorColumn(K, s.probability),
      [this.getPredictionCol()]: float64Column(s.prediction),
    });
  }

  transformSchema(schema: Schema): Schema {
    checkThresholds(
      this.uid,
      this.isSet(this.threshold) ? this.getThreshold() : undefined,
      this.getThresholds(),
    );
    this.requireFeaturesField(schema);
    const t = this.getThresholds();
    if (t !== undefined && t.length !== this.numClasses) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: thresholds has ${t.length} entries but the model has ${this.numClasses} classes`,
        {
          stage: this.uid,
          param: 'thresholds',
        },
      );
    }
    return outputSchema(
      this.uid,
      schema,
      this.getRawPredictionCol(),
      this.getProbabilityCol(),
      this.getPredictionCol(),
    );
  }

  protected _transform(frame: Frame): Frame {
    return this.withOutputs(frame, this.scoreAll(this.featureMatrix(frame)));
  }

  override writeData(w: StageWriter): void {
    w.f64('coefficientMatrix', this.coefficientMatrix);
    w.f64('interceptVector', this.interceptVector);
    w.json('numClasses', this.numClasses);
    w.json('isMultinomial', this.isMultinomial);
  }
}

/** Spark's rule: with thresholds, the class maximising p/t (t = 0 wins outright); else p1 > threshold. */
function decide(
  prob: Float64Array,
  off: number,
  K: number,
  threshold: number,
  thresholds: readonly number[] | undefined,
  multinomial: boolean,
): number {
  if (thresholds === undefined) {
    if (!multinomial && K === 2) return prob[off + 1]! > threshold ? 1 : 0;
    let best = 0;
    for (let k = 1; k < K; k++) if (prob[off + k]! > prob[off + best]!) best = k;
    return best;
  }
  let best = 0;
  let bestV = -Infinity;
  for (let k = 0; k < K; k++) {
    const t = thresholds[k]!;
    const v = t === 0 ? Infinity : prob[off + k]! / t;
    if (v > bestV) {
      bestV = v;
      best = k;
    }
  }
  return best;
}

registerStage(
  'LogisticRegressionModel',
  LogisticRegressionModel,
  (r) =>
    new LogisticRegressionModel(
      r.f64('coefficientMatrix'),
      r.f64('interceptVector'),
      r.json<number>('numClasses'),
      r.json<boolean>('isMultinomial'),
    ),
);
