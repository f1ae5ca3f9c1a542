/**
 * XGBoostRegressor / XGBoostClassifier: the histogram booster of kernels/booster.ts behind XGBoost's own
 * parameter names (`objective`, `num_round` / `n_estimators`, `max_depth`, `eta`, `gamma`, `lambda`,
 * `alpha`, `min_child_weight`, `subsample`, `colsample_bytree`, `max_bin`, `eval_metric`,
 * `early_stopping_rounds`, `base_score`, `seed`, `missing`) and Spark's column params, the shape of
 * xgboost4j-spark and Databricks' `XGBoostClassifier`. Models read and write XGBoost's JSON model format.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { Param, ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { custom, gtEq, inArray, inRange } from '../param/validators.js';
import { Estimator, type FitContext } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import type { DenseMatrix } from './kernels/binning.js';
import { trainBooster, type Booster, type EvalSet, type Objective } from './kernels/booster.js';
import { treeThreads } from './kernels/parallel.js';
import { EVAL_METRICS, type EvalMetric } from './kernels/metrics.js';
import { readTrainingData } from './tree-model.js';
import {
  XGBoostClassificationModel,
  XGBoostRegressionModel,
  missingSpec,
  withMissing,
  type XGBoostModelBase,
} from './xgboost-model.js';

const spec = <T>(s: ParamSpec<T>): ParamSpec<T> => s;

/** Params with XGBoost's names and defaults (XGBoost 1.7 `doc/parameter.rst`). */
export interface XGBoostParams {
  featuresCol?: string;
  labelCol?: string;
  predictionCol?: string;
  weightCol?: string;
  validationIndicatorCol?: string;
  objective?: Objective;
  num_round?: number;
  n_estimators?: number;
  max_depth?: number;
  eta?: number;
  learning_rate?: number;
  gamma?: number;
  lambda?: number;
  alpha?: number;
  min_child_weight?: number;
  subsample?: number;
  colsample_bytree?: number;
  max_bin?: number;
  eval_metric?: EvalMetric;
  early_stopping_rounds?: number;
  base_score?: number;
  num_class?: number;
  seed?: number;
  missing?: number;
  nthread?: number;
}

export interface XGBoostClassifierParams extends XGBoostParams {
  rawPredictionCol?: string;
  probabilityCol?: string;
}

abstract class XGBoostEstimator<M extends XGBoostModelBase> extends Estimator<M> {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly weightCol = this.declare(shared.weightCol);
  readonly validationIndicatorCol = this.declare(
    spec<string>({
      name: 'validationIndicatorCol',
      doc: 'boolean column: true rows form the validation set (eval_metric, early_stopping_rounds), false rows train',
      type: 'string',
      validator: custom<string>((v) => v.length > 0, 'a non-empty string'),
    }),
  );
  abstract readonly objective: Param<string>;
  readonly num_round = this.declare(
    spec<number>({
      name: 'num_round',
      doc: 'number of boosting rounds',
      type: 'int',
      validator: gtEq(1),
      default: 100,
    }),
  );
  readonly n_estimators = this.declare(
    spec<number>({
      name: 'n_estimators',
      doc: 'alias of num_round (wins when set)',
      type: 'int',
      validator: gtEq(1),
    }),
  );
  readonly max_depth = this.declare(
    spec<number>({
      name: 'max_depth',
      doc: 'maximum depth of a tree',
      type: 'int',
      validator: inRange(0, 30),
      default: 6,
    }),
  );
  readonly eta = this.declare(
    spec<number>({
      name: 'eta',
      doc: 'step size shrinkage applied to each tree (learning rate)',
      type: 'number',
      validator: inRange(0, 1, false, true),
      default: 0.3,
    }),
  );
  readonly learning_rate = this.declare(
    spec<number>({
      name: 'learning_rate',
      doc: 'alias of eta (wins when set)',
      type: 'number',
      validator: inRange(0, 1, false, true),
    }),
  );
  readonly gamma = this.declare(
    spec<number>({
      name: 'gamma',
      doc: 'minimum loss reduction to keep a split (min_split_loss)',
      type: 'number',
      validator: gtEq(0),
      default: 0,
    }),
  );
  readonly lambda = this.declare(
    spec<number>({
      name: 'lambda',
      doc: 'L2 regularization on leaf weights',
      type: 'number',
      validator: gtEq(0),
      default: 1,
    }),
  );
  readonly alpha = this.declare(
    spec<number>({
      name: 'alpha',
      doc: 'L1 regularization on leaf weights',
      type: 'number',
      validator: gtEq(0),
      default: 0,
    }),
  );
  readonly min_child_weight = this.declare(
    spec<number>({
      name: 'min_child_weight',
      doc: 'minimum hessian sum in a child',
      type: 'number',
      validator: gtEq(0),
      default: 1,
    }),
  );
  readonly subsample = this.declare(
    spec<number>({
      name: 'subsample',
      doc: 'fraction of rows sampled per round',
      type: 'number',
      validator: inRange(0, 1, false, true),
      default: 1,
    }),
  );
  readonly colsample_bytree = this.declare(
    spec<number>({
      name: 'colsample_bytree',
      doc: 'fraction of features sampled per round',
      type: 'number',
      validator: inRange(0, 1, false, true),
      default: 1,
    }),
  );
  readonly max_bin = this.declare(
    spec<number>({
      name: 'max_bin',
      doc: 'maximum number of histogram bins per feature (capped at 255)',
      type: 'int',
      validator: gtEq(2),
      default: 256,
    }),
  );
  readonly eval_metric = this.declare(
    spec<string>({
      name: 'eval_metric',
      doc: 'metric on the validation set (default by objective: rmse, logloss, mlogloss)',
      type: 'string',
      validator: inArray(EVAL_METRICS as readonly string[]),
    }),
  );
  readonly early_stopping_rounds = this.declare(
    spec<number>({
      name: 'early_stopping_rounds',
      doc: 'stop when the validation metric has not improved for this many rounds (0 = off)',
      type: 'int',
      validator: gtEq(0),
      default: 0,
    }),
  );
  readonly base_score = this.declare(
    spec<number>({
      name: 'base_score',
      doc: 'initial prediction (a probability for binary:logistic); unset = estimated from the labels, as XGBoost 2',
      type: 'number',
    }),
  );
  readonly seed = this.declare(
    spec<number>({ name: 'seed', doc: 'random seed (subsample, colsample_bytree)', type: 'int', default: 0 }),
  );
  readonly missing = this.declare(missingSpec);
  readonly nthread = this.declare(
    spec<number>({
      name: 'nthread',
      doc: 'threads for building histograms (main thread included, at most 2 used; default 2, or 1 on one core); the model is the same for any value',
      type: 'int',
      validator: gtEq(1),
    }),
  );

  protected abstract readonly isClassifier: boolean;

  protected numClassSetting(): number | undefined {
    return undefined;
  }

  protected columns(): { featuresCol: string; labelCol: string; weightCol?: string | undefined } {
    return {
      featuresCol: this.getOrDefault(this.featuresCol),
      labelCol: this.getOrDefault(this.labelCol),
      weightCol: this.get(this.weightCol),
    };
  }

  transformSchema(schema: Schema): Schema {
    const c = this.columns();
    requireColumn(this.uid, schema, 'featuresCol', c.featuresCol, 'vector');
    requireColumn(this.uid, schema, 'labelCol', c.labelCol, 'numeric');
    if (c.weightCol) requireColumn(this.uid, schema, 'weightCol', c.weightCol, 'numeric');
    const v = this.get(this.validationIndicatorCol);
    if (v) requireColumn(this.uid, schema, 'validationIndicatorCol', v, 'numeric');
    if (this.getOrDefault(this.early_stopping_rounds) > 0 && !v) {
      throw new MLError('INVALID_PARAM', `${this.uid}: early_stopping_rounds needs a validation set`, {
        stage: this.uid,
        param: 'early_stopping_rounds',
        hint: 'set validationIndicatorCol to a boolean column marking the validation rows',
      });
    }
    let out: Schema = schema;
    if (this.isClassifier) {
      for (const name of ['rawPredictionCol', 'probabilityCol']) {
        out = appendColumn(this.uid, out, name, {
          name: this.getOrDefault(this.getParam(name)) as string,
          type: 'vector',
        });
      }
    }
    return appendColumn(this.uid, out, 'predictionCol', {
      name: this.getOrDefault(this.predictionCol),
      type: 'float64',
    });
  }

  protected fitBooster(frame: Frame, ctx: FitContext): Booster {
    const objective = this.getOrDefault(this.objective) as Objective;
    const data = readTrainingData(this.uid, frame, this.columns(), this.isClassifier);
    if (objective === 'binary:logistic' && data.numClasses > 2) {
      throw new MLError(
        'INVALID_DATA',
        `${this.uid}: objective 'binary:logistic' needs labels 0 and 1, found ${data.numClasses} classes`,
        { stage: this.uid, param: 'objective', hint: "use objective 'multi:softprob' for more classes" },
      );
    }
    let numClass = this.numClassSetting() ?? data.numClasses;
    if (objective === 'multi:softprob' && numClass < data.numClasses) {
      throw new MLError(
        'INVALID_DATA',
        `${this.uid}: num_class is ${numClass} but labels go up to ${data.numClasses - 1}`,
        {
          stage: this.uid,
          param: 'num_class',
        },
      );
    }
    if (objective !== 'multi:softprob') numClass = 0;
    const x = withMissing(data.x, this.getOrDefault(this.missing));
    let train = { x, y: data.y, w: data.w };
    let valid: EvalSet | undefined;
    const vcol = this.get(this.validationIndicatorCol);
    if (vcol) {
      const flag = frame.float64(vcol);
      const tr: number[] = [];
      const va: number[] = [];
      flag.forEach((f, i) => (f ? va : tr).push(i));
      if (tr.length === 0 || va.length === 0) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: validationIndicatorCol '${vcol}' must mark some rows true and some false`,
          {
            stage: this.uid,
            column: vcol,
          },
        );
      }
      train = takeRows(x, data.y, data.w, tr);
      valid = takeRows(x, data.y, data.w, va);
    }
    const metric = this.get(this.eval_metric) as EvalMetric | undefined;
    return trainBooster(
      train.x,
      train.y,
      train.w,
      {
        objective,
        numRound: this.get(this.n_estimators) ?? this.getOrDefault(this.num_round),
        maxDepth: this.getOrDefault(this.max_depth),
        eta: this.get(this.learning_rate) ?? this.getOrDefault(this.eta),
        gamma: this.getOrDefault(this.gamma),
        lambda: this.getOrDefault(this.lambda),
        alpha: this.getOrDefault(this.alpha),
        minChildWeight: this.getOrDefault(this.min_child_weight),
        subsample: this.getOrDefault(this.subsample),
        colsampleBytree: this.getOrDefault(this.colsample_bytree),
        maxBin: this.getOrDefault(this.max_bin),
        baseScore: this.get(this.base_score) ?? null,
        numClass,
        seed: this.getOrDefault(this.seed),
        evalMetric: metric ?? null,
        earlyStoppingRounds: this.getOrDefault(this.early_stopping_rounds),
        threads: this.get(this.nthread) ?? treeThreads(),
      },
      valid,
      (e) =>
        ctx.progress(
          e.round + 1,
          e.evalValue ?? NaN,
          e.evalValue === undefined ? undefined : { [metric ?? 'eval']: e.evalValue },
        ),
    );
  }
}

function takeRows(x: DenseMatrix, y: Float64Array, w: Float64Array | null, rows: number[]) {
  const p = x.nCols;
  const data = new Float64Array(rows.length * p);
  rows.forEach((r, i) => data.set(x.data.subarray(r * p, (r + 1) * p), i * p));
  return {
    x: { data, nRows: rows.length, nCols: p },
    y: Float64Array.from(rows, (r) => y[r]!),
    w: w ? Float64Array.from(rows, (r) => w[r]!) : null,
  };
}

const regObjective = spec<string>({
  name: 'objective',
  doc: 'learning objective',
  type: 'string',
  validator: inArray(['reg:squarederror']),
  default: 'reg:squarederror',
});
const clfObjective = spec<string>({
  name: 'objective',
  doc: 'learning objective',
  type: 'string',
  validator: inArray(['binary:logistic', 'multi:softprob']),
  default: 'binary:logistic',
});
const numClassSpec = spec<number>({
  name: 'num_class',
  doc: 'number of classes for multi:softprob (default: max label + 1)',
  type: 'int',
  validator: gtEq(2),
});

export class XGBoostRegressor extends XGBoostEstimator<XGBoostRegressionModel> {
  readonly objective = this.declare(regObjective);
  protected readonly isClassifier = false;
  constructor(params: XGBoostParams = {}) {
    super();
    this.setParams(params);
  }
  protected _fit(frame: Frame, ctx: FitContext): XGBoostRegressionModel {
    return new XGBoostRegressionModel(this.fitBooster(frame, ctx));
  }
}

export class XGBoostClassifier extends XGBoostEstimator<XGBoostClassificationModel> {
  readonly objective = this.declare(clfObjective);
  readonly num_class = this.declare(numClassSpec);
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  protected readonly isClassifier = true;
  constructor(params: XGBoostClassifierParams = {}) {
    super();
    this.setParams(params);
  }
  protected override numClassSetting(): number | undefined {
    return this.get(this.num_class);
  }
  protected _fit(frame: Frame, ctx: FitContext): XGBoostClassificationModel {
    return new XGBoostClassificationModel(this.fitBooster(frame, ctx));
  }
}

registerStage('XGBoostRegressor', XGBoostRegressor);
registerStage('XGBoostClassifier', XGBoostClassifier);
