// LogisticRegression and LogisticRegressionModel (Spark ML's org.apache.spark.ml.classification.LogisticRegression):
// binomial or multinomial (softmax) family, elastic-net regularisation, threshold / thresholds, rawPrediction and
// probability columns, training summaries. The numbers come from logistic-fit.ts.

import { type Frame, float64Column, vectorColumn } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gtEq, inArray } from '../param/validators.js';
import { Estimator, Model, type FitContext } from '../pipeline/stage.js';
import { dense, multiplyRows, type Matrix } from '../linalg/matrix.js';
import { features, instances } from '../regression/instances.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import { fitLogistic } from './logistic-fit.js';
import { BinaryLogisticRegressionSummary, LogisticRegressionSummary } from './logistic-regression-summary.js';

const familySpec: ParamSpec<string> = {
  name: 'family',
  doc: "the label distribution: 'auto' (binomial for at most 2 classes, else multinomial), 'binomial' or 'multinomial'",
  type: 'string',
  validator: inArray(['auto', 'binomial', 'multinomial']),
  default: 'auto',
};
const maxBlockSizeInMB: ParamSpec<number> = {
  name: 'maxBlockSizeInMB',
  doc: 'maximum memory in MB for stacking input data into blocks (accepted for Spark compatibility; unused)',
  type: 'number',
  validator: gtEq(0),
  default: 0,
};

export interface LogisticRegressionParams {
  featuresCol?: string;
  labelCol?: string;
  predictionCol?: string;
  probabilityCol?: string;
  rawPredictionCol?: string;
  weightCol?: string;
  maxIter?: number;
  regParam?: number;
  elasticNetParam?: number;
  tol?: number;
  fitIntercept?: boolean;
  threshold?: number;
  thresholds?: number[];
  standardization?: boolean;
  aggregationDepth?: number;
  family?: 'auto' | 'binomial' | 'multinomial';
  maxBlockSizeInMB?: number;
}

/** Params shared by the estimator and the model (Spark's LogisticRegressionParams, the prediction part). */
function checkThresholds(
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

export class LogisticRegression extends Estimator<LogisticRegressionModel> {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly weightCol = this.declare(shared.weightCol);
  readonly maxIter = this.declare(shared.maxIter(100));
  readonly regParam = this.declare(shared.regParam);
  readonly elasticNetParam = this.declare(shared.elasticNetParam);
  readonly tol = this.declare(shared.tol(1e-6));
  readonly fitIntercept = this.declare(shared.fitIntercept);
  readonly threshold = this.declare(shared.threshold);
  readonly thresholds = this.declare(shared.thresholds);
  readonly standardization = this.declare(shared.standardization);
  readonly aggregationDepth = this.declare(shared.aggregationDepth);
  readonly family = this.declare(familySpec);
  readonly maxBlockSizeInMB = this.declare(maxBlockSizeInMB);

  constructor(params: LogisticRegressionParams = {}) {
    super();
    this.setParams(params);
  }

  setFeaturesCol(v: string): this { return this.set(this.featuresCol, v); } // prettier-ignore
  getFeaturesCol(): string { return this.getOrDefault(this.featuresCol); } // prettier-ignore
  setLabelCol(v: string): this { return this.set(this.labelCol, v); } // prettier-ignore
  getLabelCol(): string { return this.getOrDefault(this.labelCol); } // prettier-ignore
  setPredictionCol(v: string): this { return this.set(this.predictionCol, v); } // prettier-ignore
  getPredictionCol(): string { return this.getOrDefault(this.predictionCol); } // prettier-ignore
  setProbabilityCol(v: string): this { return this.set(this.probabilityCol, v); } // prettier-ignore
  getProbabilityCol(): string { return this.getOrDefault(this.probabilityCol); } // prettier-ignore
  setRawPredictionCol(v: string): this { return this.set(this.rawPredictionCol, v); } // prettier-ignore
  getRawPredictionCol(): string { return this.getOrDefault(this.rawPredictionCol); } // prettier-ignore
  setWeightCol(v: string): this { return this.set(this.weightCol, v); } // prettier-ignore
  getWeightCol(): string | undefined { return this.get(this.weightCol); } // prettier-ignore
  setMaxIter(v: number): this { return this.set(this.maxIter, v); } // prettier-ignore
  getMaxIter(): number { return this.getOrDefault(this.maxIter); } // prettier-ignore
  setRegParam(v: number): this { return this.set(this.regParam, v); } // prettier-ignore
  getRegParam(): number { return this.getOrDefault(this.regParam); } // prettier-ignore
  setElasticNetParam(v: number): this { return this.set(this.elasticNetParam, v); } // prettier-ignore
  getElasticNetParam(): number { return this.getOrDefault(this.elasticNetParam); } // prettier-ignore
  setTol(v: number): this { return this.set(this.tol, v); } // prettier-ignore
  getTol(): number { return this.getOrDefault(this.tol); } // prettier-ignore
  setFitIntercept(v: boolean): this { return this.set(this.fitIntercept, v); } // prettier-ignore
  getFitIntercept(): boolean { return this.getOrDefault(this.fitIntercept); } // prettier-ignore
  setThreshold(v: number): this { return this.set(this.threshold, v); } // prettier-ignore
  getThreshold(): number { return this.getOrDefault(this.threshold); } // prettier-ignore
  setThresholds(v: number[]): this { return this.set(this.thresholds, v); } // prettier-ignore
  getThresholds(): readonly number[] | undefined { return this.get(this.thresholds); } // prettier-ignore
  setStandardization(v: boolean): this { return this.set(this.standardization, v); } // prettier-ignore
  getStandardization(): boolean { return this.getOrDefault(this.standardization); } // prettier-ignore
  setAggregationDepth(v: number): this { return this.set(this.aggregationDepth, v); } // prettier-ignore
  getAggregationDepth(): number { return this.getOrDefault(this.aggregationDepth); } // prettier-ignore
  setFamily(v: 'auto' | 'binomial' | 'multinomial'): this { return this.set(this.family, v); } // prettier-ignore
  getFamily(): string { return this.getOrDefault(this.family); } // prettier-ignore
  setMaxBlockSizeInMB(v: number): this { return this.set(this.maxBlockSizeInMB, v); } // prettier-ignore
  getMaxBlockSizeInMB(): number { return this.getOrDefault(this.maxBlockSizeInMB); } // prettier-ignore

  transformSchema(schema: Schema): Schema {
    const uid = this.uid;
    checkThresholds(uid, this.isSet(this.threshold) ? this.getThreshold() : undefined, this.getThresholds());
    requireColumn(uid, schema, 'featuresCol', this.getFeaturesCol(), 'vector');
    requireColumn(uid, schema, 'labelCol', this.getLabelCol(), 'numeric');
    const wc = this.getWeightCol();
    if (wc !== undefined) requireColumn(uid, schema, 'weightCol', wc, 'numeric');
    return outputSchema(
      uid,
      schema,
      this.getRawPredictionCol(),
      this.getProbabilityCol(),
      this.getPredictionCol(),
    );
  }

  protected _fit(frame: Frame, ctx: FitContext): LogisticRegressionModel {
    const uid = this.uid;
    const cols = {
      featuresCol: this.getFeaturesCol(),
      labelCol: this.getLabelCol(),
      weightCol: this.getWeightCol(),
    };
    const { x, y, w } = instances(uid, frame, cols);
    const n = x.n;
    let maxLabel = 0;
    for (let i = 0; i < n; i++) {
      const v = y[i]!;
      if (v < 0 || v !== Math.floor(v) || v > 1e6) {
        throw new MLError(
          'INVALID_DATA',
          `${uid}: labelCol '${cols.labelCol}' must hold class indices 0, 1, 2, …, but row ${i} has ${v}`,
          {
            stage: uid,
            param: 'labelCol',
            column: cols.labelCol,
            hint: 'index string or arbitrary labels with StringIndexer first',
          },
        );
      }
      if (v > maxLabel) maxLabel = v;
    }
    const numClasses = Math.max(2, maxLabel + 1);
    const family = this.getFamily();
    if (family === 'binomial' && numClasses > 2) {
      throw new MLError(
        'INVALID_DATA',
        `${uid}: family 'binomial' needs labels 0 and 1, but labelCol '${cols.labelCol}' has ${numClasses} classes`,
        { stage: uid, param: 'family', hint: "use family 'multinomial' or 'auto'" },
      );
    }
    const thresholds = this.getThresholds();
    if (thresholds !== undefined && thresholds.length !== numClasses) {
      throw new MLError(
        'INVALID_PARAM',
        `${uid}: thresholds has ${thresholds.length} entries but the label has ${numClasses} classes`,
        { stage: uid, param: 'thresholds', hint: 'give one threshold per class' },
      );
    }
    const multinomial = family === 'multinomial' || (family === 'auto' && numClasses > 2);
    let first = -1;
    let single = true;
    for (let i = 0; i < n && single; i++) {
      if (w && w[i] === 0) continue;
      if (first < 0) first = y[i]!;
      else if (y[i] !== first) single = false;
    }
    if (single && this.getFitIntercept()) {
      // One class only: the likelihood has no finite maximiser. Spark's answer for binomial models is zero
      // coefficients and an infinite intercept; a softmax over one observed class has no such limit.
      if (multinomial) {
        throw new MLError(
          'INVALID_DATA',
          `${uid}: labelCol '${cols.labelCol}' holds only class ${first}; a multinomial model needs at least two observed classes`,
          {
            stage: uid,
            param: 'labelCol',
            column: cols.labelCol,
            hint: 'check the filter or split that produced the training data',
          },
        );
      }
      const model = new LogisticRegressionModel(
        new Float64Array(x.p),
        Float64Array.of(first === 1 ? Infinity : -Infinity),
        2,
        false,
      );
      model.setParams({ featuresCol: cols.featuresCol, predictionCol: this.getPredictionCol() });
      return model;
    }
    const fit = fitLogistic(x, y, w, {
      regParam: this.getRegParam(),
      elasticNetParam: this.getElasticNetParam(),
      fitIntercept: this.getFitIntercept(),
      standardization: this.getStandardization(),
      maxIter: this.getMaxIter(),
      tol: this.getTol(),
      multinomial,
      numClasses,
      onIteration: (it, loss) => ctx.progress(it, loss),
    });
    const model = new LogisticRegressionModel(
      fit.coefficientMatrix,
      fit.interceptVector,
      numClasses,
      multinomial,
    );
    // The summary needs the prediction params now (fit copies them again afterwards).
    model.setParams({
      featuresCol: cols.featuresCol,
      predictionCol: this.getPredictionCol(),
      probabilityCol: this.getProbabilityCol(),
      rawPredictionCol: this.getRawPredictionCol(),
      ...(this.isSet(this.threshold) ? { threshold: this.getThreshold() } : {}),
      ...(thresholds !== undefined ? { thresholds: [...thresholds] } : {}),
    });
    model._setSummaryFactory(() => {
      const scored = model.scoreAll(x);
      const input = {
        predictions: model.withOutputs(frame, scored),
        predictionCol: model.getPredictionCol(),
        probabilityCol: model.getProbabilityCol(),
        labelCol: cols.labelCol,
        featuresCol: cols.featuresCol,
        weightCol: cols.weightCol,
        label: y,
        prediction: scored.prediction,
        positiveProbability: multinomial ? null : column(scored.probability, numClasses, 1),
        weight: w,
        numClasses,
        objectiveHistory: fit.objectiveHistory,
        totalIterations: fit.totalIterations,
      };
      return multinomial ? new LogisticRegressionSummary(input) : new BinaryLogisticRegressionSummary(input);
    });
    return model;
  }
}

function column(m: Float64Array, stride: number, k: number): Float64Array {
  const n = m.length / stride;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = m[i * stride + k]!;
  return out;
}

function outputSchema(uid: string, schema: Schema, raw: string, prob: string, pred: string): Schema {
  let s = appendColumn(uid, schema, 'rawPredictionCol', { name: raw, type: 'vector' });
  s = appendColumn(uid, s, 'probabilityCol', { name: prob, type: 'vector' });
  return appendColumn(uid, s, 'predictionCol', { name: pred, type: 'float64' });
}

interface Scored {
  raw: Float64Array;
  probability: Float64Array;
  prediction: Float64Array;
}

export class LogisticRegressionModel extends Model {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly weightCol = this.declare(shared.weightCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly threshold = this.declare(shared.threshold);
  readonly thresholds = this.declare(shared.thresholds);
  #summaryFactory: (() => LogisticRegressionSummary) | undefined;
  #summary: LogisticRegressionSummary | undefined;

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

  setFeaturesCol(v: string): this { return this.set(this.featuresCol, v); } // prettier-ignore
  getFeaturesCol(): string { return this.getOrDefault(this.featuresCol); } // prettier-ignore
  setPredictionCol(v: string): this { return this.set(this.predictionCol, v); } // prettier-ignore
  getPredictionCol(): string { return this.getOrDefault(this.predictionCol); } // prettier-ignore
  setProbabilityCol(v: string): this { return this.set(this.probabilityCol, v); } // prettier-ignore
  getProbabilityCol(): string { return this.getOrDefault(this.probabilityCol); } // prettier-ignore
  setRawPredictionCol(v: string): this { return this.set(this.rawPredictionCol, v); } // prettier-ignore
  getRawPredictionCol(): string { return this.getOrDefault(this.rawPredictionCol); } // prettier-ignore
  setThreshold(v: number): this { return this.set(this.threshold, v); } // prettier-ignore
  getThreshold(): number { return this.getOrDefault(this.threshold); } // prettier-ignore
  setThresholds(v: number[]): this { return this.set(this.thresholds, v); } // prettier-ignore
  getThresholds(): readonly number[] | undefined { return this.get(this.thresholds); } // prettier-ignore

  /** @internal set by LogisticRegression.fit: the training summary is computed on first access. */
  _setSummaryFactory(f: () => LogisticRegressionSummary): void {
    this.#summaryFactory = f;
  }
  get hasSummary(): boolean {
    return this.#summaryFactory !== undefined;
  }
  /** The training summary; a BinaryLogisticRegressionSummary for binomial models. */
  get summary(): LogisticRegressionSummary {
    if (!this.#summaryFactory) {
      throw new MLError('NOT_FITTED', `${this.uid}: no training summary is available for this model`, {
        stage: this.uid,
        hint: 'summaries exist only on models returned by fit (not on loaded ones); use evaluate(frame)',
      });
    }
    this.#summary ??= this.#summaryFactory();
    return this.#summary;
  }
  /** Binomial models: the training summary with ROC/PR curves. */
  get binarySummary(): BinaryLogisticRegressionSummary {
    this.#requireBinomial('binarySummary');
    return this.summary as BinaryLogisticRegressionSummary;
  }

  /** Metrics on another frame, which needs the labelCol (and weightCol, if set) columns. */
  async evaluate(frame: Frame): Promise<LogisticRegressionSummary> {
    const labelCol = this.getOrDefault(this.labelCol);
    requireColumn(this.uid, frame.schema, 'labelCol', labelCol, 'numeric');
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
      weight: wc !== undefined && frame.has(wc) ? frame.float64(wc) : null,
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
    const f = requireColumn(this.uid, schema, 'featuresCol', this.getFeaturesCol(), 'vector');
    if (f.size !== undefined && f.size !== this.numFeatures) {
      throw new MLError(
        'SCHEMA_MISMATCH',
        `${this.uid}: featuresCol '${f.name}' holds vectors of size ${f.size}, but the model was fitted on ${this.numFeatures} features`,
        {
          stage: this.uid,
          param: 'featuresCol',
          column: f.name,
          hint: 'transform with the same feature pipeline the model was trained with',
        },
      );
    }
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
    const x = features(this.uid, frame, this.getFeaturesCol());
    const p = x.p;
    if (p !== this.numFeatures) {
      throw new MLError(
        'SCHEMA_MISMATCH',
        `${this.uid}: features have size ${p}, the model expects ${this.numFeatures}`,
        {
          stage: this.uid,
          column: this.getFeaturesCol(),
        },
      );
    }
    return this.withOutputs(frame, this.scoreAll(x));
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

registerStage('LogisticRegression', LogisticRegression);
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
