/**
 * What the feature selectors share (Spark's `Selector` / `SelectorModel`): reading the features matrix and
 * label a selector fits on, and the fitted model, which keeps the selected features of featuresCol (indices
 * ascending) as a dense vector in outputCol and saves them as `selectedFeatures` + `numFeatures`.
 * ChiSqSelector, UnivariateFeatureSelector and VarianceThresholdSelector build on it.
 */
import type { Frame } from '@cauce/frame';
import type { StageReader, StageWriter } from '../io/format.js';
import type { Param, Params } from '../param/param.js';
import * as shared from '../param/shared.js';
import { Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { requireRows, vectorRows } from './columns.js';
import type { StageClass } from './in-out-cols.js';
import { denseOf, sliceFeatures, vectorSchema } from './vector-stage.js';

/** The params a supervised selector reads its data through. */
export interface LabelledFeaturesParams {
  readonly featuresCol: Param<string>;
  readonly labelCol: Param<string>;
}

/** The column params of a supervised selector: featuresCol, labelCol, outputCol and their setters. */
export interface HasSelectorCols extends LabelledFeaturesParams {
  readonly outputCol: Param<string>;
  setFeaturesCol(v: string): this;
  setLabelCol(v: string): this;
  setOutputCol(v: string): this;
}

/** `Base` with featuresCol, labelCol and outputCol, declared in that order before the stage's own params. */
export function withSelectorCols<B extends StageClass>(Base: B): B & StageClass<HasSelectorCols> {
  abstract class WithSelectorCols extends Base implements HasSelectorCols {
    readonly featuresCol = this.declare(shared.featuresCol);
    readonly labelCol = this.declare(shared.labelCol);
    readonly outputCol = this.declare(shared.outputCol);

    setFeaturesCol(v: string): this {
      return this.set(this.featuresCol, v);
    }
    setLabelCol(v: string): this {
      return this.set(this.labelCol, v);
    }
    setOutputCol(v: string): this {
      return this.set(this.outputCol, v);
    }
  }
  return WithSelectorCols;
}

/** The data a supervised selector fits on: X (n × size, row-major, dense) and the label y. */
export interface LabelledFeatures {
  X: Float64Array;
  n: number;
  size: number;
  y: Float64Array;
}

/**
 * Reads featuresCol as a dense matrix and labelCol as numbers; INVALID_DATA when there are fewer than
 * `minRows` rows, or a row has a null/NaN label or a null feature vector (the tests have no rule for them).
 */
export function labelledFeatures(
  stage: Params & LabelledFeaturesParams,
  frame: Frame,
  minRows = 1,
): LabelledFeatures {
  const featuresCol = stage.getOrDefault(stage.featuresCol);
  const r = vectorRows(frame, featuresCol);
  const X = r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!);
  const lc = stage.getOrDefault(stage.labelCol);
  const y = frame.float64(lc);
  if (minRows > 1)
    requireRows(stage.uid, r.n >= minRows ? r.n : 0, `the input frame (needs at least ${minRows} rows)`);
  else requireRows(stage.uid, r.n);
  for (let i = 0; i < r.n; i++) {
    if (Number.isNaN(y[i]!) || r.isNull?.[i]) {
      throw new MLError(
        'INVALID_DATA',
        `${stage.uid}: row ${i} has a null/NaN label or a null feature vector`,
        {
          stage: stage.uid,
          column: Number.isNaN(y[i]!) ? lc : featuresCol,
        },
      );
    }
  }
  return { X, n: r.n, size: r.size, y };
}

/** A fitted selector: keeps `selectedFeatures` (ascending indices into vectors of `numFeatures`). */
export abstract class SelectorModel extends Model {
  abstract readonly featuresCol: Param<string>;
  abstract readonly outputCol: Param<string>;

  constructor(
    readonly selectedFeatures: readonly number[],
    readonly numFeatures: number,
  ) {
    super();
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, this.numFeatures, this.selectedFeatures.length, this.featuresCol);
  }

  protected _transform(frame: Frame): Frame {
    return sliceFeatures(
      frame,
      this.getOrDefault(this.featuresCol),
      this.getOrDefault(this.outputCol),
      this.selectedFeatures,
    );
  }

  override writeData(w: StageWriter): void {
    w.i32('selectedFeatures', Int32Array.from(this.selectedFeatures));
    w.json('numFeatures', this.numFeatures);
  }
}

/** The loader of a SelectorModel subclass: reads back what `writeData` wrote. */
export function selectorModelLoader<M extends SelectorModel>(
  make: (selectedFeatures: number[], numFeatures: number) => M,
): (r: StageReader) => M {
  return (r) => make([...r.i32('selectedFeatures')], r.json<number>('numFeatures'));
}
