// LogisticRegression (Spark ML's org.apache.spark.ml.classification.LogisticRegression): binomial or multinomial
// (softmax) family, elastic-net regularisation, threshold / thresholds, training summaries. The numbers come from
// logistic-fit.ts; the fitted model lives in logistic-regression-model.ts.

import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gtEq, inArray } from '../param/validators.js';
import type { FitContext } from '../pipeline/stage.js';
import { instances } from '../regression/instances.js';
import { LinearEstimatorBase } from '../regression/linear-model-base.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { fitLogistic } from './logistic-fit.js';
import { BinaryLogisticRegressionSummary, LogisticRegressionSummary } from './logistic-regression-summary.js';
import {
  LogisticRegressionModel,
  checkThresholds,
  column,
  outputSchema,
} from './logistic-regression-model.js';

export { LogisticRegressionModel };

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

export class LogisticRegression extends LinearEstimatorBase<LogisticRegressionModel> {
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

  setProbabilityCol(v: string): this { return this.set(this.probabilityCol, v); } // prettier-ignore
  getProbabilityCol(): string { return this.getOrDefault(this.probabilityCol); } // prettier-ignore
  setRawPredictionCol(v: string): this { return this.set(this.rawPredictionCol, v); } // prettier-ignore
  getRawPredictionCol(): string { return this.getOrDefault(this.rawPredictionCol); } // prettier-ignore
  setThreshold(v: number): this { return this.set(this.threshold, v); } // prettier-ignore
  getThreshold(): number { return this.getOrDefault(this.threshold); } // prettier-ignore
  setThresholds(v: number[]): this { return this.set(this.thresholds, v); } // prettier-ignore
  getThresholds(): readonly number[] | undefined { return this.get(this.thresholds); } // prettier-ignore
  setFamily(v: 'auto' | 'binomial' | 'multinomial'): this { return this.set(this.family, v); } // prettier-ignore
  getFamily(): string { return this.getOrDefault(this.family); } // prettier-ignore

  transformSchema(schema: Schema): Schema {
    const uid = this.uid;
    checkThresholds(uid, this.isSet(this.threshold) ? this.getThreshold() : undefined, this.getThresholds());
    this.requireTrainingColumns(schema);
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
    const cols = this.trainingCols();
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
    }
    const onIteration = (it: number, loss: number): void => ctx.progress(it, loss);
    const fit =
      single && this.getFitIntercept()
        ? {
            coefficientMatrix: new Float64Array(x.p),
            interceptVector: Float64Array.of(first === 1 ? Infinity : -Infinity),
            numClasses: 2,
            objectiveHistory: [0],
            totalIterations: 0,
          }
        : fitLogistic(x, y, w, {
            regParam: this.getRegParam(),
            elasticNetParam: this.getElasticNetParam(),
            fitIntercept: this.getFitIntercept(),
            standardization: this.getStandardization(),
            maxIter: this.getMaxIter(),
            tol: this.getTol(),
            multinomial,
            numClasses,
            onIteration,
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

registerStage('LogisticRegression', LogisticRegression);
