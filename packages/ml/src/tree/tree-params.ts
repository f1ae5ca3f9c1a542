/**
 * Param declarations of the tree stages, with Spark ML's names, defaults and ranges
 * (pyspark.ml.tree / pyspark.ml.classification; /work reference: spark-ml-params.md).
 */
import type { ParamSpec } from '../param/param.js';
import { custom, gt, gtEq, inArray, inRange } from '../param/validators.js';
import { isFeatureSubsetStrategy } from './kernels/forest.js';

export const maxDepth = (def = 5): ParamSpec<number> => ({
  name: 'maxDepth',
  doc: 'maximum depth of the tree (0 = a single leaf; 1 = one split)',
  type: 'int',
  validator: inRange(0, 30),
  default: def,
});
export const maxBins: ParamSpec<number> = {
  name: 'maxBins',
  doc: 'maximum number of bins for discretizing continuous features (values above 255 use 255 bins)',
  type: 'int',
  validator: gtEq(2),
  default: 32,
};
export const minInstancesPerNode: ParamSpec<number> = {
  name: 'minInstancesPerNode',
  doc: 'minimum number of instances each child must have after a split',
  type: 'int',
  validator: gtEq(1),
  default: 1,
};
export const minInfoGain: ParamSpec<number> = {
  name: 'minInfoGain',
  doc: 'minimum information gain for a split to be considered at a tree node',
  type: 'number',
  validator: gtEq(0),
  default: 0,
};
export const classImpurity: ParamSpec<string> = {
  name: 'impurity',
  doc: 'criterion used for information gain calculation',
  type: 'string',
  validator: inArray(['gini', 'entropy']),
  default: 'gini',
};
export const regImpurity: ParamSpec<string> = {
  name: 'impurity',
  doc: 'criterion used for information gain calculation',
  type: 'string',
  validator: inArray(['variance']),
  default: 'variance',
};
export const numTrees: ParamSpec<number> = {
  name: 'numTrees',
  doc: 'number of trees to train',
  type: 'int',
  validator: gtEq(1),
  default: 20,
};
export const featureSubsetStrategy = (def = 'auto'): ParamSpec<string> => ({
  name: 'featureSubsetStrategy',
  doc: 'number of features to consider for splits at each tree node',
  type: 'string',
  validator: custom<string>(
    isFeatureSubsetStrategy,
    "one of 'auto', 'all', 'onethird', 'sqrt', 'log2', a fraction in (0, 1] or an integer >= 1",
  ),
  default: def,
});
export const subsamplingRate: ParamSpec<number> = {
  name: 'subsamplingRate',
  doc: 'fraction of the training data used for learning each tree',
  type: 'number',
  validator: inRange(0, 1, false, true),
  default: 1,
};
export const bootstrap: ParamSpec<boolean> = {
  name: 'bootstrap',
  doc: 'whether bootstrap samples are used when building trees',
  type: 'boolean',
  default: true,
};
export const stepSize: ParamSpec<number> = {
  name: 'stepSize',
  doc: 'step size (learning rate) to shrink the contribution of each estimator',
  type: 'number',
  validator: inRange(0, 1, false, true),
  default: 0.1,
};
export const gbtRegLossType: ParamSpec<string> = {
  name: 'lossType',
  doc: 'loss function which GBT tries to minimize',
  type: 'string',
  validator: inArray(['squared', 'absolute']),
  default: 'squared',
};
export const gbtClassLossType: ParamSpec<string> = {
  name: 'lossType',
  doc: 'loss function which GBT tries to minimize',
  type: 'string',
  validator: inArray(['logistic']),
  default: 'logistic',
};
export const validationIndicatorCol: ParamSpec<string> = {
  name: 'validationIndicatorCol',
  doc: 'name of a boolean column: true rows are the validation set for early stopping, false rows train',
  type: 'string',
  validator: custom<string>((v) => v.length > 0, 'a non-empty string'),
};
export const validationTol = (def: number): ParamSpec<number> => ({
  name: 'validationTol',
  doc: 'threshold of the relative validation-loss improvement below which boosting stops',
  type: 'number',
  validator: gtEq(0),
  default: def,
});
export const maxMemoryInMB: ParamSpec<number> = {
  name: 'maxMemoryInMB',
  doc: 'accepted for Spark compatibility; histograms here are bounded by depth, not by this setting',
  type: 'int',
  validator: gt(0),
  default: 256,
};
export const cacheNodeIds: ParamSpec<boolean> = {
  name: 'cacheNodeIds',
  doc: 'accepted for Spark compatibility (single machine: node ids are always kept in memory)',
  type: 'boolean',
  default: false,
};
export const checkpointInterval: ParamSpec<number> = {
  name: 'checkpointInterval',
  doc: 'accepted for Spark compatibility (no RDD lineage to checkpoint)',
  type: 'int',
  validator: custom<number>((v) => v === -1 || v >= 1, '-1 or >= 1'),
  default: 10,
};
export const treeSeed: ParamSpec<number> = {
  name: 'seed',
  doc: 'random seed (bootstrap, feature subsets, subsampling)',
  type: 'int',
  default: 42,
};
export const minWeightFractionPerNode: ParamSpec<number> = {
  name: 'minWeightFractionPerNode',
  doc: 'minimum fraction of the weighted sample count that each child must have after a split (in [0, 0.5))',
  type: 'number',
  validator: inRange(0, 0.5, true, false),
  default: 0,
};
export const leafCol: ParamSpec<string> = {
  name: 'leafCol',
  doc: "leaf indices column name: each tree's leaf (pre-order node index) per row, as a vector; '' = none",
  type: 'string',
  default: '',
};
