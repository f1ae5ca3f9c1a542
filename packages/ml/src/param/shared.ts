/**
 * Params shared by many stages, written once (Spark's `ml/param/shared/sharedParams.scala`). Names, docs
 * and defaults are Spark ML's. Specs whose allowed values or default differ between stages are factories.
 */
import type { ParamSpec } from './param.js';
import { gtEq, inArray, inRange, arrayLengthGt, every, custom } from './validators.js';

const nonEmpty = custom<string>((v) => v.length > 0, 'a non-empty column name');
const distinctNames = custom<readonly string[]>(
  (v) => v.length > 0 && new Set(v).size === v.length && v.every((x) => x.length > 0),
  'a non-empty list of distinct, non-empty column names',
);

export const inputCol: ParamSpec<string> = {
  name: 'inputCol',
  doc: 'input column name',
  type: 'string',
  validator: nonEmpty,
};
export const outputCol: ParamSpec<string> = {
  name: 'outputCol',
  doc: 'output column name',
  type: 'string',
  validator: nonEmpty,
};
export const inputCols: ParamSpec<readonly string[]> = {
  name: 'inputCols',
  doc: 'input column names',
  type: 'string[]',
  validator: distinctNames,
};
export const outputCols: ParamSpec<readonly string[]> = {
  name: 'outputCols',
  doc: 'output column names',
  type: 'string[]',
  validator: distinctNames,
};

export const featuresCol: ParamSpec<string> = {
  name: 'featuresCol',
  doc: 'features column name (a vector column)',
  type: 'string',
  validator: nonEmpty,
  default: 'features',
};
export const labelCol: ParamSpec<string> = {
  name: 'labelCol',
  doc: 'label column name',
  type: 'string',
  validator: nonEmpty,
  default: 'label',
};
export const predictionCol: ParamSpec<string> = {
  name: 'predictionCol',
  doc: 'prediction column name',
  type: 'string',
  validator: nonEmpty,
  default: 'prediction',
};
export const probabilityCol: ParamSpec<string> = {
  name: 'probabilityCol',
  doc: 'column name for predicted class conditional probabilities',
  type: 'string',
  validator: nonEmpty,
  default: 'probability',
};
export const rawPredictionCol: ParamSpec<string> = {
  name: 'rawPredictionCol',
  doc: 'raw prediction (a.k.a. confidence) column name',
  type: 'string',
  validator: nonEmpty,
  default: 'rawPrediction',
};
export const weightCol: ParamSpec<string> = {
  name: 'weightCol',
  doc: 'weight column name; if unset, all instances have weight 1.0',
  type: 'string',
  validator: nonEmpty,
};

export function maxIter(def = 100): ParamSpec<number> {
  return {
    name: 'maxIter',
    doc: 'maximum number of iterations',
    type: 'int',
    validator: gtEq(0),
    default: def,
  };
}
export function tol(def = 1e-6): ParamSpec<number> {
  return {
    name: 'tol',
    doc: 'convergence tolerance for iterative algorithms',
    type: 'number',
    validator: gtEq(0),
    default: def,
  };
}
export const regParam: ParamSpec<number> = {
  name: 'regParam',
  doc: 'regularization parameter',
  type: 'number',
  validator: gtEq(0),
  default: 0.0,
};
export const elasticNetParam: ParamSpec<number> = {
  name: 'elasticNetParam',
  doc: 'the ElasticNet mixing parameter: 0 is an L2 penalty, 1 an L1 penalty',
  type: 'number',
  validator: inRange(0, 1),
  default: 0.0,
};
export const fitIntercept: ParamSpec<boolean> = {
  name: 'fitIntercept',
  doc: 'whether to fit an intercept term',
  type: 'boolean',
  default: true,
};
export const standardization: ParamSpec<boolean> = {
  name: 'standardization',
  doc: 'whether to standardize the training features before fitting the model',
  type: 'boolean',
  default: true,
};
export const seed: ParamSpec<number> = {
  name: 'seed',
  doc: 'random seed',
  type: 'int',
  default: 42,
};
export const aggregationDepth: ParamSpec<number> = {
  name: 'aggregationDepth',
  doc: 'suggested depth for treeAggregate (accepted for Spark compatibility; unused on one machine)',
  type: 'int',
  validator: gtEq(2),
  default: 2,
};
export const relativeError: ParamSpec<number> = {
  name: 'relativeError',
  doc: 'the relative target precision for the approximate quantile algorithm (0 = exact)',
  type: 'number',
  validator: inRange(0, 1),
  default: 0.001,
};

/** `handleInvalid` with the values a given stage supports. */
export function handleInvalid<T extends string>(allowed: readonly T[], def: T, doc: string): ParamSpec<T> {
  return { name: 'handleInvalid', doc, type: 'string', validator: inArray(allowed), default: def };
}

export const threshold: ParamSpec<number> = {
  name: 'threshold',
  doc: 'threshold in binary classification prediction',
  type: 'number',
  validator: inRange(0, 1),
  default: 0.5,
};
export const thresholds: ParamSpec<readonly number[]> = {
  name: 'thresholds',
  doc:
    'thresholds in multi-class classification to adjust the probability of predicting each class; ' +
    'the class with the largest p/t is predicted',
  type: 'number[]',
  validator: custom<readonly number[]>(
    (v) => arrayLengthGt(0).test(v) && every(gtEq(0)).test(v) && v.filter((t) => t === 0).length <= 1,
    'a non-empty array of values >= 0 with at most one 0',
  ),
};
export const varianceCol: ParamSpec<string> = {
  name: 'varianceCol',
  doc: 'column name for the biased sample variance of prediction',
  type: 'string',
  validator: nonEmpty,
};
