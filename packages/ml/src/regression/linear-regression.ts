// LinearRegression and LinearRegressionModel (Spark ML's org.apache.spark.ml.regression.LinearRegression):
// squared-error or Huber loss, elastic-net regularisation, three solvers behind Spark's 'auto' | 'normal' |
// 'l-bfgs'. The numbers come from free functions in least-squares.ts and huber.ts; this file is params, schema
// checks, the model, save/load and the training summary.

import { type Frame, float64Column } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gt, gtEq, inArray } from '../param/validators.js';
import type { FitContext } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, type Schema } from '../util/schema.js';
import { multiplyRows, type Matrix } from '../linalg/matrix.js';
import { fitHuber } from './huber.js';
import { instances } from './instances.js';
import { LinearEstimatorBase, LinearModelBase } from './linear-model-base.js';
import { augmentedGramParallel } from '../linalg/gram-parallel.js';
import { fitLbfgs, fitNormalFromGram, type LinearFit, type LeastSquaresOptions } from './least-squares.js';
import { LinearRegressionSummary } from './linear-regression-summary.js';

/** Spark's limit for the normal solver ('auto' switches to l-bfgs above it): XᵀX is p² doubles. */
export const MAX_FEATURES_FOR_NORMAL_SOLVER = 4096;

const solverSpec: ParamSpec<string> = {
  name: 'solver',
  doc: "the solver algorithm for optimization: 'auto' (normal equations up to 4096 features, else l-bfgs), 'normal' (one pass over the rows, then Cholesky or coordinate descent), 'l-bfgs' (iterative over the rows; OWL-QN with an L1 term)",
  type: 'string',
  validator: inArray(['auto', 'normal', 'l-bfgs']),
  default: 'auto',
};
const lossSpec: ParamSpec<string> = {
  name: 'loss',
  doc: "the loss function to be optimized: 'squaredError' or 'huber' (robust, with a jointly estimated scale)",
  type: 'string',
  validator: inArray(['squaredError', 'huber']),
  default: 'squaredError',
};
const epsilonSpec: ParamSpec<number> = {
  name: 'epsilon',
  doc: "the shape parameter of the huber loss: residuals beyond epsilon·scale count linearly; must be > 1.0 (only with loss='huber')",
  type: 'number',
  validator: gt(1),
  default: 1.35,
};
const maxBlockSizeInMB: ParamSpec<number> = {
  name: 'maxBlockSizeInMB',
  doc: 'maximum memory in MB for stacking input data into blocks (accepted for Spark compatibility; rows are processed in fixed chunks here)',
  type: 'number',
  validator: gtEq(0),
  default: 0,
};

export interface LinearRegressionParams {
  featuresCol?: string;
  labelCol?: string;
  predictionCol?: string;
  weightCol?: string;
  maxIter?: number;
  regParam?: number;
  elasticNetParam?: number;
  tol?: number;
  fitIntercept?: boolean;
  standardization?: boolean;
  solver?: 'auto' | 'normal' | 'l-bfgs';
  aggregationDepth?: number;
  loss?: 'squaredError' | 'huber';
  epsilon?: number;
  maxBlockSizeInMB?: number;
}

export class LinearRegression extends LinearEstimatorBase<LinearRegressionModel> {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly weightCol = this.declare(shared.weightCol);
  readonly maxIter = this.declare(shared.maxIter(100));
  readonly regParam = this.declare(shared.regParam);
  readonly elasticNetParam = this.declare(shared.elasticNetParam);
  readonly tol = this.declare(shared.tol(1e-6));
  readonly fitIntercept = this.declare(shared.fitIntercept);
  readonly standardization = this.declare(shared.standardization);
  readonly solver = this.declare(solverSpec);
  readonly aggregationDepth = this.declare(shared.aggregationDepth);
  readonly loss = this.declare(lossSpec);
  readonly epsilon = this.declare(epsilonSpec);
  readonly maxBlockSizeInMB = this.declare(maxBlockSizeInMB);

  constructor(params: LinearRegressionParams = {}) {
    super();
    this.setParams(params);
  }

  setSolver(v: 'auto' | 'normal' | 'l-bfgs'): this { return this.set(this.solver, v); } // prettier-ignore
  getSolver(): string { return this.getOrDefault(this.solver); } // prettier-ignore
  setLoss(v: 'squaredError' | 'huber'): this { return this.set(this.loss, v); } // prettier-ignore
  getLoss(): string { return this.getOrDefault(this.loss); } // prettier-ignore
  setEpsilon(v: number): this { return this.set(this.epsilon, v); } // prettier-ignore
  getEpsilon(): number { return this.getOrDefault(this.epsilon); } // prettier-ignore

  transformSchema(schema: Schema): Schema {
    const uid = this.uid;
    if (this.getLoss() === 'huber') {
      if (this.getSolver() === 'normal') {
        throw new MLError('INVALID_PARAM', `${uid}: loss 'huber' cannot be fitted by solver 'normal'`, {
          stage: uid,
          param: 'solver',
          hint: "set solver to 'auto' or 'l-bfgs'",
        });
      }
      if (this.getElasticNetParam() > 0) {
        throw new MLError(
          'INVALID_PARAM',
          `${uid}: loss 'huber' supports only L2 regularization, but elasticNetParam is ${this.getElasticNetParam()}`,
          { stage: uid, param: 'elasticNetParam', hint: 'set elasticNetParam to 0 or use loss squaredError' },
        );
      }
    }
    this.requireTrainingColumns(schema);
    return appendColumn(uid, schema, 'predictionCol', { name: this.getPredictionCol(), type: 'float64' });
  }

  protected async _fit(frame: Frame, ctx: FitContext): Promise<LinearRegressionModel> {
    const cols = this.trainingCols();
    const { x, y, w } = instances(this.uid, frame, cols);
    const p = x.p;
    const onIteration = (it: number, loss: number): void => ctx.progress(it, loss);
    const base: LeastSquaresOptions = {
      regParam: this.getRegParam(),
      elasticNetParam: this.getElasticNetParam(),
      fitIntercept: this.getFitIntercept(),
      standardization: this.getStandardization(),
      maxIter: this.getMaxIter(),
      tol: this.getTol(),
      onIteration,
    };
    let fit: LinearFit;
    let scale = 1;
    try {
      if (this.getLoss() === 'huber') {
        const h = fitHuber(x, y, w, { ...base, epsilon: this.getEpsilon() });
        fit = h;
        scale = h.scale;
      } else {
        const solver = this.getSolver();
        if (solver === 'normal' && p > MAX_FEATURES_FOR_NORMAL_SOLVER) {
          throw new MLError(
            'INVALID_DATA',
            `${this.uid}: solver 'normal' supports at most ${MAX_FEATURES_FOR_NORMAL_SOLVER} features (XᵀX would hold ${p}² numbers), but featuresCol '${cols.featuresCol}' has ${p}`,
            { stage: this.uid, param: 'solver', hint: "use solver 'l-bfgs' or 'auto'" },
          );
        }
        const normal = solver === 'normal' || (solver === 'auto' && p <= MAX_FEATURES_FOR_NORMAL_SOLVER);
        // The Gram pass is the whole cost of the normal solver on dense data: spread it over the cores.
        fit = normal
          ? fitNormalFromGram(await augmentedGramParallel(x, y, w), x.n, w, base)
          : fitLbfgs(x, y, w, base);
      }
    } catch (e) {
      if (e instanceof RangeError) {
        throw new MLError('INVALID_DATA', `${this.uid}: ${e.message}`, {
          stage: this.uid,
          param: 'regParam',
        });
      }
      throw e;
    }
    const model = new LinearRegressionModel(fit.coefficients, fit.intercept, scale);
    model.setFeaturesCol(cols.featuresCol).setPredictionCol(this.getPredictionCol());
    const fitIntercept = this.getFitIntercept();
    model._setSummaryFactory(() => {
      // the matrix the fit used (a sparse view's rows were gathered once for it: instances.ts)
      const prediction = model.predictAll(x);
      return new LinearRegressionSummary({
        stage: model.uid,
        predictions: frame.withColumn(model.getPredictionCol(), float64Column(prediction)),
        predictionCol: model.getPredictionCol(),
        labelCol: cols.labelCol,
        featuresCol: cols.featuresCol,
        label: y,
        prediction,
        weight: w,
        numFeatures: p,
        fitIntercept,
        coefficients: fit.coefficients,
        intercept: fit.intercept,
        diagInvAtWA: fit.diagInvAtWA,
        objectiveHistory: fit.objectiveHistory,
        totalIterations: fit.totalIterations,
      });
    });
    return model;
  }
}

export class LinearRegressionModel extends LinearModelBase<LinearRegressionSummary> {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly weightCol = this.declare(shared.weightCol);
  readonly fitIntercept = this.declare(shared.fitIntercept);

  constructor(
    readonly coefficients: Float64Array,
    readonly intercept: number,
    /** The Huber scale σ (1.0 for squared error), as Spark's `scale`. */
    readonly scale = 1,
  ) {
    super();
  }

  get numFeatures(): number {
    return this.coefficients.length;
  }

  /** Metrics of this model on another frame, which needs the labelCol (and weightCol, if set) columns. */
  async evaluate(frame: Frame): Promise<LinearRegressionSummary> {
    const labelCol = this.evaluationLabelCol(frame);
    const out = await this.transform(frame);
    const prediction = out.float64(this.getPredictionCol());
    const label = frame.float64(labelCol);
    return new LinearRegressionSummary({
      stage: this.uid,
      predictions: out,
      predictionCol: this.getPredictionCol(),
      labelCol,
      featuresCol: this.getFeaturesCol(),
      label,
      prediction,
      weight: this.evaluationWeights(frame),
      numFeatures: this.numFeatures,
      fitIntercept: this.getOrDefault(this.fitIntercept),
      coefficients: this.coefficients,
      intercept: this.intercept,
      diagInvAtWA: null,
      objectiveHistory: [],
      totalIterations: 0,
    });
  }

  /** The prediction for one feature vector. */
  predict(features: ArrayLike<number>): number {
    let s = this.intercept;
    for (let j = 0; j < this.coefficients.length; j++) s += features[j]! * this.coefficients[j]!;
    return s;
  }

  /** @internal predictions for every row of a feature matrix. */
  predictAll(x: Matrix): Float64Array {
    const out = new Float64Array(x.n);
    multiplyRows(x, this.coefficients, this.intercept, out);
    return out;
  }

  transformSchema(schema: Schema): Schema {
    this.requireFeaturesField(schema);
    return appendColumn(this.uid, schema, 'predictionCol', {
      name: this.getPredictionCol(),
      type: 'float64',
    });
  }

  protected _transform(frame: Frame): Frame {
    const x = this.featureMatrix(frame);
    return frame.withColumn(this.getPredictionCol(), float64Column(this.predictAll(x)));
  }

  override writeData(w: StageWriter): void {
    w.f64('coefficients', this.coefficients);
    w.json('intercept', this.intercept);
    w.json('scale', this.scale);
  }
}

registerStage('LinearRegression', LinearRegression);
registerStage(
  'LinearRegressionModel',
  LinearRegressionModel,
  (r) =>
    new LinearRegressionModel(r.f64('coefficients'), r.json<number>('intercept'), r.json<number>('scale')),
);
