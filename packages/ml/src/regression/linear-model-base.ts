// What LinearRegression and LogisticRegression share, estimator and model (Spark's shared param traits
// HasRegParam, HasMaxIter, HasElasticNetParam … and HasTrainingSummary): the accessors of the params both
// have, the input-column checks of their fit, and on the model the features checks, the lazily computed
// training summary and the columns `evaluate` reads.
//
// Each concrete class still declares its params itself, so that their order (which `explainParams` and the
// saved metadata follow) stays what it was; the bases only name them, as abstract fields.

import type { Frame } from '@cauce/frame';
import type { Param } from '../param/param.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { requireColumn, type Schema } from '../util/schema.js';
import { features } from './instances.js';

/** The columns a linear model is fitted on. */
export interface TrainingCols {
  featuresCol: string;
  labelCol: string;
  weightCol: string | undefined;
}

/** Params and checks shared by the linear estimators. */
export abstract class LinearEstimatorBase<M extends Model> extends Estimator<M> {
  abstract readonly featuresCol: Param<string>;
  abstract readonly labelCol: Param<string>;
  abstract readonly predictionCol: Param<string>;
  abstract readonly weightCol: Param<string>;
  abstract readonly maxIter: Param<number>;
  abstract readonly regParam: Param<number>;
  abstract readonly elasticNetParam: Param<number>;
  abstract readonly tol: Param<number>;
  abstract readonly fitIntercept: Param<boolean>;
  abstract readonly standardization: Param<boolean>;
  abstract readonly aggregationDepth: Param<number>;
  abstract readonly maxBlockSizeInMB: Param<number>;

  setFeaturesCol(v: string): this { return this.set(this.featuresCol, v); } // prettier-ignore
  getFeaturesCol(): string { return this.getOrDefault(this.featuresCol); } // prettier-ignore
  setLabelCol(v: string): this { return this.set(this.labelCol, v); } // prettier-ignore
  getLabelCol(): string { return this.getOrDefault(this.labelCol); } // prettier-ignore
  setPredictionCol(v: string): this { return this.set(this.predictionCol, v); } // prettier-ignore
  getPredictionCol(): string { return this.getOrDefault(this.predictionCol); } // prettier-ignore
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
  setStandardization(v: boolean): this { return this.set(this.standardization, v); } // prettier-ignore
  getStandardization(): boolean { return this.getOrDefault(this.standardization); } // prettier-ignore
  setAggregationDepth(v: number): this { return this.set(this.aggregationDepth, v); } // prettier-ignore
  getAggregationDepth(): number { return this.getOrDefault(this.aggregationDepth); } // prettier-ignore
  setMaxBlockSizeInMB(v: number): this { return this.set(this.maxBlockSizeInMB, v); } // prettier-ignore
  getMaxBlockSizeInMB(): number { return this.getOrDefault(this.maxBlockSizeInMB); } // prettier-ignore

  /** The columns to fit on, read once so that the summary names the same ones. */
  protected trainingCols(): TrainingCols {
    return {
      featuresCol: this.getFeaturesCol(),
      labelCol: this.getLabelCol(),
      weightCol: this.getWeightCol(),
    };
  }

  /** featuresCol is a vector, labelCol (and weightCol, when set) numeric: checked before any numeric work. */
  protected requireTrainingColumns(schema: Schema): void {
    requireColumn(this.uid, schema, 'featuresCol', this.getFeaturesCol(), 'vector');
    requireColumn(this.uid, schema, 'labelCol', this.getLabelCol(), 'numeric');
    const wc = this.getWeightCol();
    if (wc !== undefined) requireColumn(this.uid, schema, 'weightCol', wc, 'numeric');
  }
}

/** A fitted linear model of `numFeatures` features, with a training summary of type S when it came from fit. */
export abstract class LinearModelBase<S> extends Model {
  abstract readonly featuresCol: Param<string>;
  abstract readonly labelCol: Param<string>;
  abstract readonly weightCol: Param<string>;
  abstract readonly predictionCol: Param<string>;
  abstract get numFeatures(): number;
  #summaryFactory: (() => S) | undefined;
  #summary: S | undefined;

  setFeaturesCol(v: string): this { return this.set(this.featuresCol, v); } // prettier-ignore
  getFeaturesCol(): string { return this.getOrDefault(this.featuresCol); } // prettier-ignore
  setPredictionCol(v: string): this { return this.set(this.predictionCol, v); } // prettier-ignore
  getPredictionCol(): string { return this.getOrDefault(this.predictionCol); } // prettier-ignore

  /** @internal set by the estimator's fit: the training summary is computed on first access. */
  _setSummaryFactory(f: () => S): void {
    this.#summaryFactory = f;
  }

  get hasSummary(): boolean {
    return this.#summaryFactory !== undefined;
  }

  /** The training summary of a model that came from fit (not of a loaded one). */
  get summary(): S {
    if (!this.#summaryFactory) {
      throw new MLError('NOT_FITTED', `${this.uid}: no training summary is available for this model`, {
        stage: this.uid,
        hint: 'summaries exist only on models returned by fit (not on loaded ones); use evaluate(frame)',
      });
    }
    this.#summary ??= this.#summaryFactory();
    return this.#summary;
  }

  /** featuresCol must be a vector column, of numFeatures when its size is known. */
  protected requireFeaturesField(schema: Schema): void {
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
  }

  /** The features of `frame` as a matrix, which must have numFeatures columns. */
  protected featureMatrix(frame: Frame): Matrix {
    const x = features(this.uid, frame, this.getFeaturesCol());
    if (x.p !== this.numFeatures) {
      throw new MLError(
        'SCHEMA_MISMATCH',
        `${this.uid}: features have size ${x.p}, the model expects ${this.numFeatures}`,
        {
          stage: this.uid,
          column: this.getFeaturesCol(),
        },
      );
    }
    return x;
  }

  /** For `evaluate`: labelCol, which `frame` must have as a numeric column. */
  protected evaluationLabelCol(frame: Frame): string {
    const labelCol = this.getOrDefault(this.labelCol);
    requireColumn(this.uid, frame.schema, 'labelCol', labelCol, 'numeric');
    return labelCol;
  }

  /** For `evaluate`: the weights, when weightCol is set and `frame` has it (else unweighted). */
  protected evaluationWeights(frame: Frame): Float64Array | null {
    const wc = this.get(this.weightCol);
    return wc !== undefined && frame.has(wc) ? frame.float64(wc) : null;
  }
}
