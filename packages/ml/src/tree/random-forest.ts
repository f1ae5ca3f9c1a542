/**
 * RandomForestClassifier / RandomForestRegressor (Spark ML names and defaults; Breiman 2001): numTrees
 * trees on Poisson(subsamplingRate) bootstrap samples, featureSubsetStrategy features tried per node.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { FitContext } from '../pipeline/stage.js';
import * as shared from '../param/shared.js';
import { resolveFeatureSubset, trainForest, type Impurity } from './kernels/forest.js';
import { trainForestParallel, treeThreads, warmForestWorker } from './kernels/parallel.js';
import { warmPredictWorker } from './kernels/predict-parallel.js';
import type { Tree } from './kernels/tree.js';
import { readModelData, TreeClassificationModelBase, TreeRegressionModelBase } from './tree-model.js';
import { TreeEstimatorBase, type TreeClassifierParams, type TreeEstimatorParams } from './tree-estimator.js';
import * as tp from './tree-params.js';

const trainForestAsync = (...a: Parameters<typeof trainForest>): Promise<ReturnType<typeof trainForest>> =>
  Promise.resolve(trainForest(...a));

export interface RandomForestParams {
  numTrees?: number;
  featureSubsetStrategy?: string;
  subsamplingRate?: number;
  bootstrap?: boolean;
}

abstract class ForestEstimator<
  M extends RandomForestClassificationModel | RandomForestRegressionModel,
> extends TreeEstimatorBase<M> {
  readonly numTrees = this.declare(tp.numTrees);
  readonly featureSubsetStrategy = this.declare(tp.featureSubsetStrategy('auto'));
  readonly subsamplingRate = this.declare(tp.subsamplingRate);
  readonly bootstrap = this.declare(tp.bootstrap);

  setNumTrees(v: number): this {
    return this.set(this.numTrees, v);
  }
  getNumTrees(): number {
    return this.getOrDefault(this.numTrees);
  }
  setFeatureSubsetStrategy(v: string): this {
    return this.set(this.featureSubsetStrategy, v);
  }
  getFeatureSubsetStrategy(): string {
    return this.getOrDefault(this.featureSubsetStrategy);
  }
  setSubsamplingRate(v: number): this {
    return this.set(this.subsamplingRate, v);
  }
  getSubsamplingRate(): number {
    return this.getOrDefault(this.subsamplingRate);
  }
  setBootstrap(v: boolean): this {
    return this.set(this.bootstrap, v);
  }
  getBootstrap(): boolean {
    return this.getOrDefault(this.bootstrap);
  }

  protected async fitForest(
    frame: Frame,
    ctx: FitContext,
    impurity: Impurity,
  ): Promise<{ trees: Tree[]; numFeatures: number; numClasses: number }> {
    const numTrees = this.getNumTrees();
    // A worker pays off once there is real work; the trees are the same either way (per-tree seeds).
    const threaded = treeThreads() > 1 && numTrees > 1 && frame.numRows * numTrees >= 200_000;
    // Started before binning, the worker is up by the time the binned data is ready.
    if (threaded) warmForestWorker();
    const { data, binned } = threaded ? await this._prepareParallel(frame) : this._prepare(frame);
    // Started now, the prediction worker is up by the first large prediction (predict-parallel.ts).
    if (threaded) warmPredictWorker();
    const trees = await (threaded ? trainForestParallel : trainForestAsync)(
      binned,
      data.y,
      data.w,
      {
        impurity,
        numClasses: data.numClasses,
        numTrees,
        maxDepth: this.getMaxDepth(),
        minInstancesPerNode: this.getMinInstancesPerNode(),
        minInfoGain: this.getMinInfoGain(),
        subsamplingRate: this.getSubsamplingRate(),
        bootstrap: this.getBootstrap(),
        featuresPerNode: resolveFeatureSubset(
          this.getFeatureSubsetStrategy(),
          data.x.nCols,
          numTrees,
          impurity !== 'variance',
        ),
        seed: this.getSeed(),
        minWeightFraction: this.getMinWeightFractionPerNode(),
      },
      (e) => ctx.progress(e.tree + 1, 0),
    );
    return { trees, numFeatures: data.x.nCols, numClasses: impurity === 'variance' ? 0 : data.numClasses };
  }
}

export class RandomForestClassifier extends ForestEstimator<RandomForestClassificationModel> {
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly impurity = this.declare(tp.classImpurity);
  readonly thresholds = this.declare(shared.thresholds);
  protected readonly isClassifier = true;

  constructor(params: TreeClassifierParams & RandomForestParams = {}) {
    super();
    this.setParams(params);
  }
  setImpurity(v: 'gini' | 'entropy'): this {
    return this.set(this.impurity, v);
  }
  setThresholds(v: readonly number[]): this {
    return this.set(this.thresholds, v);
  }
  getThresholds(): readonly number[] | undefined {
    return this.get(this.thresholds);
  }
  protected async _fit(frame: Frame, ctx: FitContext): Promise<RandomForestClassificationModel> {
    const r = await this.fitForest(frame, ctx, this.getOrDefault(this.impurity) as Impurity);
    return new RandomForestClassificationModel(r.trees, r.numFeatures, r.numClasses);
  }
}

export class RandomForestClassificationModel extends TreeClassificationModelBase {
  constructor(trees: readonly Tree[] = [], numFeatures = 0, numClasses = 2) {
    super(
      trees,
      trees.map(() => 1),
      numFeatures,
      numClasses,
      'classVotes',
    );
  }
}

export class RandomForestRegressor extends ForestEstimator<RandomForestRegressionModel> {
  readonly impurity = this.declare(tp.regImpurity);
  protected readonly isClassifier = false;

  constructor(params: TreeEstimatorParams & RandomForestParams = {}) {
    super();
    this.setParams(params);
  }
  protected async _fit(frame: Frame, ctx: FitContext): Promise<RandomForestRegressionModel> {
    const r = await this.fitForest(frame, ctx, 'variance');
    return new RandomForestRegressionModel(r.trees, r.numFeatures);
  }
}

export class RandomForestRegressionModel extends TreeRegressionModelBase {
  constructor(trees: readonly Tree[] = [], numFeatures = 0) {
    super(
      trees,
      trees.map(() => 1),
      numFeatures,
      0,
      'regMean',
    );
  }
}

registerStage('RandomForestClassifier', RandomForestClassifier);
registerStage('RandomForestRegressor', RandomForestRegressor);
registerStage('RandomForestClassificationModel', RandomForestClassificationModel, (r) => {
  const m = readModelData(r);
  return new RandomForestClassificationModel(m.trees, m.numFeatures, m.numClasses);
});
registerStage('RandomForestRegressionModel', RandomForestRegressionModel, (r) => {
  const m = readModelData(r);
  return new RandomForestRegressionModel(m.trees, m.numFeatures);
});
