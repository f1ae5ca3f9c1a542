/**
 * GBTClassifier / GBTRegressor (Spark ML names and defaults, Spark's GradientBoostedTrees algorithm;
 * see kernels/gbt.ts). Binary classification only, like Spark.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { FitContext } from '../pipeline/stage.js';
import * as shared from '../param/shared.js';
import { MLError } from '../util/errors.js';
import { requireColumn, type Schema } from '../util/schema.js';
import { binMatrix, type DenseMatrix } from './kernels/binning.js';
import { resolveFeatureSubset } from './kernels/forest.js';
import { trainGbt, type GbtLoss } from './kernels/gbt.js';
import type { Tree } from './kernels/tree.js';
import {
  readModelData,
  readTrainingData,
  TreeClassificationModelBase,
  TreeRegressionModelBase,
} from './tree-model.js';
import { TreeEstimatorBase, type TreeClassifierParams, type TreeEstimatorParams } from './tree-estimator.js';
import * as tp from './tree-params.js';

export interface GBTParams {
  maxIter?: number;
  stepSize?: number;
  lossType?: string;
  subsamplingRate?: number;
  featureSubsetStrategy?: string;
  validationIndicatorCol?: string;
  validationTol?: number;
}

function take(x: DenseMatrix, y: Float64Array, w: Float64Array | null, rows: number[]) {
  const p = x.nCols;
  const data = new Float64Array(rows.length * p);
  rows.forEach((r, i) => data.set(x.data.subarray(r * p, (r + 1) * p), i * p));
  return {
    x: { data, nRows: rows.length, nCols: p },
    y: Float64Array.from(rows, (r) => y[r]!),
    w: w ? Float64Array.from(rows, (r) => w[r]!) : null,
  };
}

abstract class GBTEstimator<
  M extends GBTClassificationModel | GBTRegressionModel,
> extends TreeEstimatorBase<M> {
  readonly maxIter = this.declare(shared.maxIter(20));
  readonly stepSize = this.declare(tp.stepSize);
  readonly subsamplingRate = this.declare(tp.subsamplingRate);
  readonly featureSubsetStrategy = this.declare(tp.featureSubsetStrategy('all'));
  readonly validationIndicatorCol = this.declare(tp.validationIndicatorCol);
  protected abstract lossName(): GbtLoss;

  setMaxIter(v: number): this {
    return this.set(this.maxIter, v);
  }
  getMaxIter(): number {
    return this.getOrDefault(this.maxIter);
  }
  setStepSize(v: number): this {
    return this.set(this.stepSize, v);
  }
  getStepSize(): number {
    return this.getOrDefault(this.stepSize);
  }
  setValidationIndicatorCol(v: string): this {
    return this.set(this.validationIndicatorCol, v);
  }

  override transformSchema(schema: Schema): Schema {
    const v = this.get(this.validationIndicatorCol);
    if (v)
      requireColumn(this.uid, schema, 'validationIndicatorCol', v, ['bool', 'int32', 'float64', 'int64']);
    return super.transformSchema(schema);
  }

  protected fitGbt(
    frame: Frame,
    ctx: FitContext,
    validationTol: number,
  ): { trees: Tree[]; weights: number[]; p: number } {
    const all = readTrainingData(this.uid, frame, this.columns(), this.lossName() === 'logistic');
    if (this.lossName() === 'logistic' && all.numClasses > 2) {
      throw new MLError(
        'INVALID_DATA',
        `${this.uid}: GBTClassifier supports binary labels (0, 1) only, found ${all.numClasses} classes`,
        {
          stage: this.uid,
          column: this.getOrDefault(this.labelCol),
          hint: 'use RandomForestClassifier or XGBoostClassifier (multi:softprob) for more classes',
        },
      );
    }
    let train: { x: DenseMatrix; y: Float64Array; w: Float64Array | null } = all;
    let valid: typeof train | undefined;
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
      train = take(all.x, all.y, all.w, tr);
      valid = take(all.x, all.y, all.w, va);
    }
    const bm = binMatrix(train.x, this.getOrDefault(this.maxBins));
    const r = trainGbt(
      bm,
      train.x,
      train.y,
      train.w,
      {
        loss: this.lossName(),
        maxIter: this.getMaxIter(),
        stepSize: this.getStepSize(),
        maxDepth: this.getMaxDepth(),
        minInstancesPerNode: this.getMinInstancesPerNode(),
        minInfoGain: this.getMinInfoGain(),
        subsamplingRate: this.getOrDefault(this.subsamplingRate),
        featuresPerNode: resolveFeatureSubset(
          this.getOrDefault(this.featureSubsetStrategy),
          train.x.nCols,
          1,
          false,
        ),
        seed: this.getSeed(),
        validationTol,
        minWeightFraction: this.getMinWeightFractionPerNode(),
      },
      valid,
      (m, loss, vloss) =>
        ctx.progress(m + 1, loss, vloss === undefined ? undefined : { validationLoss: vloss }),
    );
    return { trees: r.trees, weights: r.weights, p: all.x.nCols };
  }
}

export class GBTClassifier extends GBTEstimator<GBTClassificationModel> {
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly lossType = this.declare(tp.gbtClassLossType);
  readonly impurity = this.declare(tp.regImpurity);
  readonly validationTol = this.declare(tp.validationTol(0.01));
  readonly thresholds = this.declare(shared.thresholds);
  protected readonly isClassifier = true;

  constructor(params: TreeClassifierParams & GBTParams = {}) {
    super();
    this.setParams(params);
  }
  protected lossName(): GbtLoss {
    return 'logistic';
  }
  setThresholds(v: readonly number[]): this {
    return this.set(this.thresholds, v);
  }
  getThresholds(): readonly number[] | undefined {
    return this.get(this.thresholds);
  }
  protected _fit(frame: Frame, ctx: FitContext): GBTClassificationModel {
    const r = this.fitGbt(frame, ctx, this.getOrDefault(this.validationTol));
    return new GBTClassificationModel(r.trees, r.weights, r.p);
  }
}

export class GBTClassificationModel extends TreeClassificationModelBase {
  constructor(trees: readonly Tree[] = [], weights: readonly number[] = [], numFeatures = 0) {
    super(trees, weights, numFeatures, 2, 'gbtLogistic');
  }
}

export class GBTRegressor extends GBTEstimator<GBTRegressionModel> {
  readonly lossType = this.declare(tp.gbtRegLossType);
  readonly impurity = this.declare(tp.regImpurity);
  readonly validationTol = this.declare(tp.validationTol(0.1));
  protected readonly isClassifier = false;

  constructor(params: TreeEstimatorParams & GBTParams = {}) {
    super();
    this.setParams(params);
  }
  setLossType(v: 'squared' | 'absolute'): this {
    return this.set(this.lossType, v);
  }
  protected lossName(): GbtLoss {
    return this.getOrDefault(this.lossType) as GbtLoss;
  }
  protected _fit(frame: Frame, ctx: FitContext): GBTRegressionModel {
    const r = this.fitGbt(frame, ctx, this.getOrDefault(this.validationTol));
    return new GBTRegressionModel(r.trees, r.weights, r.p);
  }
}

export class GBTRegressionModel extends TreeRegressionModelBase {
  constructor(trees: readonly Tree[] = [], weights: readonly number[] = [], numFeatures = 0) {
    super(trees, weights, numFeatures, 0, 'regSum');
  }
}

registerStage('GBTClassifier', GBTClassifier);
registerStage('GBTRegressor', GBTRegressor);
registerStage('GBTClassificationModel', GBTClassificationModel, (r) => {
  const m = readModelData(r);
  return new GBTClassificationModel(m.trees, m.treeWeights, m.numFeatures);
});
registerStage('GBTRegressionModel', GBTRegressionModel, (r) => {
  const m = readModelData(r);
  return new GBTRegressionModel(m.trees, m.treeWeights, m.numFeatures);
});
