/**
 * VectorIndexer / VectorIndexerModel (Spark ML `feature.VectorIndexer`): finds the features of a vector
 * column with at most maxCategories distinct values, treats them as categorical and replaces their
 * values by category indices; other features pass through. Categories are the sorted distinct values,
 * except that 0.0, when present, always gets index 0 so that sparse vectors stay sparse (Spark's rule).
 * Unseen values of a categorical feature at transform: handleInvalid 'error' raises, 'skip' drops the row,
 * 'keep' maps them to index numCategories. NaN is never a category (it is treated as unseen).
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gtEq } from '../param/validators.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { denseVectorColumn, requireRows, vectorRows } from './columns.js';
import { withInputOutputCol } from './in-out-cols.js';
import { denseOf, vectorSchema } from './vector-stage.js';

export type VectorIndexerHandleInvalid = 'error' | 'skip' | 'keep';

const maxCategoriesSpec: ParamSpec<number> = {
  name: 'maxCategories',
  doc: 'features with at most this many distinct values are treated as categorical',
  type: 'int',
  validator: gtEq(2),
  default: 20,
};
const handleInvalidSpec = shared.handleInvalid<VectorIndexerHandleInvalid>(
  ['error', 'skip', 'keep'],
  'error',
  "how to handle unseen values of categorical features: 'error', 'skip' (drop the row) or 'keep' (index numCategories)",
);

export interface VectorIndexerParams {
  inputCol?: string;
  outputCol?: string;
  maxCategories?: number;
  handleInvalid?: VectorIndexerHandleInvalid;
}

export class VectorIndexer extends withInputOutputCol(Estimator<VectorIndexerModel>) {
  readonly maxCategories = this.declare(maxCategoriesSpec);
  readonly handleInvalid = this.declare(handleInvalidSpec);

  constructor(params: VectorIndexerParams = {}) {
    super();
    this.setParams(params);
  }
  setMaxCategories(v: number): this {
    return this.set(this.maxCategories, v);
  }
  getMaxCategories(): number {
    return this.getOrDefault(this.maxCategories);
  }
  setHandleInvalid(v: VectorIndexerHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, undefined, 'same');
  }

  protected _fit(frame: Frame): VectorIndexerModel {
    const r = vectorRows(frame, this.getOrDefault(this.inputCol));
    const X = r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!);
    requireRows(this.uid, r.n);
    const maxCat = this.getMaxCategories();
    const categoryMaps: Record<number, number[]> = {};
    for (let j = 0; j < r.size; j++) {
      const seen = new Set<number>();
      for (let i = 0; i < r.n && seen.size <= maxCat; i++) {
        if (r.isNull?.[i]) continue;
        const v = X[i * r.size + j]!;
        if (v === v) seen.add(v === 0 ? 0 : v); // -0 and 0 are one category
      }
      if (seen.size > maxCat || seen.size === 0) continue;
      const sorted = [...seen].sort((a, b) => a - b);
      categoryMaps[j] = seen.has(0) ? [0, ...sorted.filter((v) => v !== 0)] : sorted;
    }
    return new VectorIndexerModel(r.size, categoryMaps);
  }
}

export class VectorIndexerModel extends withInputOutputCol(Model) {
  readonly maxCategories = this.declare(maxCategoriesSpec);
  readonly handleInvalid = this.declare(handleInvalidSpec);

  /**
   * @param numFeatures the vector size
   * @param categoryMaps feature index → its category values in index order (value k ↦ index k)
   */
  constructor(
    readonly numFeatures: number,
    readonly categoryMaps: Readonly<Record<number, readonly number[]>>,
  ) {
    super();
  }

  setHandleInvalid(v: VectorIndexerHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }

  /** Indices of the features treated as categorical, ascending. */
  get categoricalFeatures(): number[] {
    return Object.keys(this.categoryMaps)
      .map(Number)
      .sort((a, b) => a - b);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, this.numFeatures, this.numFeatures);
  }

  protected _transform(frame: Frame): Frame {
    const col = this.getOrDefault(this.inputCol);
    const r = vectorRows(frame, col);
    const p = r.size;
    const out = (r.dense ?? denseOf(r.n, p, r.indptr!, r.indices!, r.values!)).slice();
    const mode = this.getOrDefault(this.handleInvalid);
    let keepMask: Uint8Array | undefined;
    for (const j of this.categoricalFeatures) {
      const cats = this.categoryMaps[j]!;
      const index = new Map<number, number>(cats.map((v, k) => [v, k]));
      for (let i = 0; i < r.n; i++) {
        if (r.isNull?.[i]) continue;
        const v = out[i * p + j]!;
        const k = index.get(v === 0 ? 0 : v);
        if (k !== undefined) {
          out[i * p + j] = k;
          continue;
        }
        if (mode === 'keep') out[i * p + j] = cats.length;
        else if (mode === 'skip') (keepMask ??= new Uint8Array(r.n).fill(1))[i] = 0;
        else {
          throw new MLError(
            'INVALID_DATA',
            `${this.uid}: feature ${j} of '${col}' has the unseen value ${v} at row ${i} (known: ${cats.join(', ')})`,
            { stage: this.uid, column: col, hint: "set handleInvalid to 'skip' or 'keep'" },
          );
        }
      }
    }
    const result = frame.withColumn(this.getOrDefault(this.outputCol), denseVectorColumn(p, out, r.isNull));
    return keepMask ? result.filter(keepMask) : result;
  }

  override writeData(w: StageWriter): void {
    w.json('numFeatures', this.numFeatures);
    w.json('categoryMaps', this.categoryMaps);
  }
}

registerStage('VectorIndexer', VectorIndexer);
registerStage(
  'VectorIndexerModel',
  VectorIndexerModel,
  (r) =>
    new VectorIndexerModel(r.json<number>('numFeatures'), r.json<Record<number, number[]>>('categoryMaps')),
);
