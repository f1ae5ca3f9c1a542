/**
 * DecisionTreeClassifier / DecisionTreeRegressor (Spark ML names and defaults): one tree, all features,
 * no sampling — a random forest of one tree (Spark builds them the same way).
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { FitContext } from '../pipeline/stage.js';
import * as shared from '../param/shared.js';
import { trainForest, type Impurity } from './kernels/forest.js';
import { readModelData, TreeClassificationModelBase, TreeRegressionModelBase } from './tree-model.js';
import { TreeEstimatorBase, type TreeClassifierParams, type TreeEstimatorParams } from './tree-estimator.js';
import * as tp from './tree-params.js';
import type { Tree } from './kernels/tree.js';

function fitOne(
  est: TreeEstimatorBase<DecisionTreeClassificationModel | DecisionTreeRegressionModel>,
  frame: Frame,
  impurity: Impurity,
): { trees: Tree[]; numFeatures: number; numClasses: number } {
  const { data, binned } = est._prepare(frame);
  const trees = trainForest(binned, data.y, data.w, {
    impurity,
    numClasses: data.numClasses,
    numTrees: 1,
    maxDepth: est.getMaxDepth(),
    minInstancesPerNode: est.getMinInstancesPerNode(),
    minInfoGain: est.getMinInfoGain(),
    subsamplingRate: 1,
    bootstrap: false,
    featuresPerNode: data.x.nCols,
    seed: est.getSeed(),
    minWeightFraction: est.getMinWeightFractionPerNode(),
  });
  return { trees, numFeatures: data.x.nCols, numClasses: impurity === 'variance' ? 0 : data.numClasses };
}

export class DecisionTreeClassifier extends TreeEstimatorBase<DecisionTreeClassificationModel> {
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly impurity = this.declare(tp.classImpurity);
  readonly thresholds = this.declare(shared.thresholds);
  protected readonly isClassifier = true;

  constructor(params: TreeClassifierParams = {}) {
    super();
    this.setParams(params);
  }
  setImpurity(v: 'gini' | 'entropy'): this {
    return this.set(this.impurity, v);
  }
  getImpurity(): string {
    return this.getOrDefault(this.impurity);
  }
  setThresholds(v: readonly number[]): this {
    return this.set(this.thresholds, v);
  }
  getThresholds(): readonly number[] | undefined {
    return this.get(this.thresholds);
  }
  protected _fit(frame: Frame, ctx: FitContext): DecisionTreeClassificationModel {
    const r = fitOne(this, frame, this.getImpurity() as Impurity);
    ctx.progress(1, 0);
    return new DecisionTreeClassificationModel(r.trees, r.numFeatures, r.numClasses);
  }
}

export class DecisionTreeClassificationModel extends TreeClassificationModelBase {
  constructor(trees: readonly Tree[] = [], numFeatures = 0, numClasses = 2) {
    super(trees, [1], numFeatures, numClasses, 'classVotes');
  }
  get depth(): number {
    return depthOf(this.trees[0]);
  }
  get numNodes(): number {
    return this.totalNumNodes;
  }
}

export class DecisionTreeRegressor extends TreeEstimatorBase<DecisionTreeRegressionModel> {
  readonly impurity = this.declare(tp.regImpurity);
  protected readonly isClassifier = false;

  constructor(params: TreeEstimatorParams = {}) {
    super();
    this.setParams(params);
  }
  protected _fit(frame: Frame, ctx: FitContext): DecisionTreeRegressionModel {
    const r = fitOne(this, frame, 'variance');
    ctx.progress(1, 0);
    return new DecisionTreeRegressionModel(r.trees, r.numFeatures);
  }
}

export class DecisionTreeRegressionModel extends TreeRegressionModelBase {
  constructor(trees: readonly Tree[] = [], numFeatures = 0) {
    super(trees, [1], numFeatures, 0, 'regSum');
  }
  get depth(): number {
    return depthOf(this.trees[0]);
  }
  get numNodes(): number {
    return this.totalNumNodes;
  }
}

function depthOf(t: Tree | undefined): number {
  if (!t) return 0;
  const walk = (i: number): number =>
    t.feature[i]! < 0 ? 0 : 1 + Math.max(walk(t.left[i]!), walk(t.right[i]!));
  return walk(0);
}

registerStage('DecisionTreeClassifier', DecisionTreeClassifier);
registerStage('DecisionTreeRegressor', DecisionTreeRegressor);
registerStage('DecisionTreeClassificationModel', DecisionTreeClassificationModel, (r) => {
  const m = readModelData(r);
  return new DecisionTreeClassificationModel(m.trees, m.numFeatures, m.numClasses);
});
registerStage('DecisionTreeRegressionModel', DecisionTreeRegressionModel, (r) => {
  const m = readModelData(r);
  return new DecisionTreeRegressionModel(m.trees, m.numFeatures);
});
