/**
 * Params and fit plumbing shared by the Spark-style tree estimators (decision tree, random forest, GBT).
 */
import type { Frame } from '@cauce/frame';
import { Estimator, type Model } from '../pipeline/stage.js';
import * as shared from '../param/shared.js';
import { appendColumn, type Schema } from '../util/schema.js';
import { binMatrix, type BinnedMatrix } from './kernels/binning.js';
import { binMatrixParallel } from './kernels/parallel.js';
import { checkFitSchema, readTrainingData, type TrainingData } from './tree-model.js';
import * as tp from './tree-params.js';

/** Params every Spark tree estimator has (DecisionTreeParams + HasWeightCol + HasSeed). */
export interface TreeEstimatorParams {
  featuresCol?: string;
  labelCol?: string;
  predictionCol?: string;
  weightCol?: string;
  maxDepth?: number;
  maxBins?: number;
  minInstancesPerNode?: number;
  minInfoGain?: number;
  maxMemoryInMB?: number;
  cacheNodeIds?: boolean;
  checkpointInterval?: number;
  seed?: number;
  impurity?: string;
  minWeightFractionPerNode?: number;
  leafCol?: string;
}

export interface TreeClassifierParams extends TreeEstimatorParams {
  rawPredictionCol?: string;
  probabilityCol?: string;
  /** Spark's thresholds: the predicted class is the one with the largest probability / threshold. */
  thresholds?: readonly number[];
}

export abstract class TreeEstimatorBase<M extends Model> extends Estimator<M> {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly weightCol = this.declare(shared.weightCol);
  readonly maxDepth = this.declare(tp.maxDepth(5));
  readonly maxBins = this.declare(tp.maxBins);
  readonly minInstancesPerNode = this.declare(tp.minInstancesPerNode);
  readonly minInfoGain = this.declare(tp.minInfoGain);
  readonly maxMemoryInMB = this.declare(tp.maxMemoryInMB);
  readonly cacheNodeIds = this.declare(tp.cacheNodeIds);
  readonly checkpointInterval = this.declare(tp.checkpointInterval);
  readonly seed = this.declare(tp.treeSeed);
  readonly minWeightFractionPerNode = this.declare(tp.minWeightFractionPerNode);
  readonly leafCol = this.declare(tp.leafCol);

  protected abstract readonly isClassifier: boolean;

  setFeaturesCol(v: string): this {
    return this.set(this.featuresCol, v);
  }
  setLabelCol(v: string): this {
    return this.set(this.labelCol, v);
  }
  setPredictionCol(v: string): this {
    return this.set(this.predictionCol, v);
  }
  setWeightCol(v: string): this {
    return this.set(this.weightCol, v);
  }
  setMaxDepth(v: number): this {
    return this.set(this.maxDepth, v);
  }
  getMaxDepth(): number {
    return this.getOrDefault(this.maxDepth);
  }
  setMaxBins(v: number): this {
    return this.set(this.maxBins, v);
  }
  getMaxBins(): number {
    return this.getOrDefault(this.maxBins);
  }
  setMinInstancesPerNode(v: number): this {
    return this.set(this.minInstancesPerNode, v);
  }
  getMinInstancesPerNode(): number {
    return this.getOrDefault(this.minInstancesPerNode);
  }
  setMinInfoGain(v: number): this {
    return this.set(this.minInfoGain, v);
  }
  getMinInfoGain(): number {
    return this.getOrDefault(this.minInfoGain);
  }
  setMinWeightFractionPerNode(v: number): this {
    return this.set(this.minWeightFractionPerNode, v);
  }
  getMinWeightFractionPerNode(): number {
    return this.getOrDefault(this.minWeightFractionPerNode);
  }
  setLeafCol(v: string): this {
    return this.set(this.leafCol, v);
  }
  getLeafCol(): string {
    return this.getOrDefault(this.leafCol);
  }
  setSeed(v: number): this {
    return this.set(this.seed, v);
  }
  getSeed(): number {
    return this.getOrDefault(this.seed);
  }

  protected columns(): { featuresCol: string; labelCol: string; weightCol?: string | undefined } {
    return {
      featuresCol: this.getOrDefault(this.featuresCol),
      labelCol: this.getOrDefault(this.labelCol),
      weightCol: this.get(this.weightCol),
    };
  }

  transformSchema(schema: Schema): Schema {
    checkFitSchema(this.uid, schema, this.columns());
    let out: Schema = schema;
    if (this.isClassifier) {
      for (const name of ['rawPredictionCol', 'probabilityCol']) {
        out = appendColumn(this.uid, out, name, {
          name: this.getOrDefault(this.getParam(name)) as string,
          type: 'vector',
        });
      }
    }
    out = appendColumn(this.uid, out, 'predictionCol', {
      name: this.getOrDefault(this.predictionCol),
      type: 'float64',
    });
    const leaf = this.getLeafCol();
    return leaf ? appendColumn(this.uid, out, 'leafCol', { name: leaf, type: 'vector' }) : out;
  }

  /** Training data of `frame`, checked and binned. @internal used by the tree stages' fit. */
  _prepare(frame: Frame): { data: TrainingData; binned: BinnedMatrix } {
    const data = readTrainingData(this.uid, frame, this.columns(), this.isClassifier);
    return { data, binned: binMatrix(data.x, this.getOrDefault(this.maxBins)) };
  }

  /** _prepare with half of the continuous columns binned by the forest worker (same result). @internal */
  async _prepareParallel(frame: Frame): Promise<{ data: TrainingData; binned: BinnedMatrix }> {
    const data = readTrainingData(this.uid, frame, this.columns(), this.isClassifier);
    return { data, binned: await binMatrixParallel(data.x, this.getOrDefault(this.maxBins)) };
  }
}
