/**
 * OneHotEncoder / OneHotEncoderModel (Spark ML 3.x `feature.OneHotEncoder`): category indices (as
 * produced by StringIndexer) → sparse 0/1 vectors. With dropLast (default) the last category maps to
 * the all-zeros vector, so k categories give k−1 columns. handleInvalid='keep' adds one extra category
 * for invalid values (unseen indices, NaN, nulls), which dropLast then drops (all zeros).
 * Output is CSR with at most one entry per row: O(rows) to build, no dense matrix.
 */
import { type Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import * as shared from '../param/shared.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { requireRows, sparseColumn } from './columns.js';
import { inOutPairs, inOutSchema, requireFittedColumns, withInOutCols } from './in-out-cols.js';

export type OneHotHandleInvalid = 'error' | 'keep';

const handleInvalidSpec = shared.handleInvalid<OneHotHandleInvalid>(
  ['error', 'keep'],
  'error',
  "how to handle invalid indices (unseen, negative, non-integer, NaN, null): 'error' raises, 'keep' puts them in an extra category",
);
const dropLastSpec = {
  name: 'dropLast',
  doc: 'whether to drop the last category',
  type: 'boolean' as const,
  default: true,
};

export interface OneHotEncoderParams {
  inputCol?: string;
  outputCol?: string;
  inputCols?: readonly string[];
  outputCols?: readonly string[];
  handleInvalid?: OneHotHandleInvalid;
  dropLast?: boolean;
}

function vectorSize(categories: number, keep: boolean, dropLast: boolean): number {
  return categories + (keep ? 1 : 0) - (dropLast ? 1 : 0);
}

function oheSchema(
  stage: OneHotEncoder | OneHotEncoderModel,
  schema: Schema,
  sizes?: readonly number[],
): Schema {
  const keep = stage.getOrDefault(stage.handleInvalid) === 'keep';
  const dropLast = stage.getOrDefault(stage.dropLast);
  return inOutSchema(stage, schema, 'numeric', (_, j) => {
    const size = sizes?.[j];
    return {
      type: 'vector',
      sparse: true,
      ...(size !== undefined ? { size: vectorSize(size, keep, dropLast) } : {}),
    };
  });
}

export class OneHotEncoder extends withInOutCols(Estimator<OneHotEncoderModel>) {
  readonly handleInvalid = this.declare(handleInvalidSpec);
  readonly dropLast = this.declare(dropLastSpec);

  constructor(params: OneHotEncoderParams = {}) {
    super();
    this.setParams(params);
  }
  setHandleInvalid(v: OneHotHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }
  setDropLast(v: boolean): this {
    return this.set(this.dropLast, v);
  }
  getDropLast(): boolean {
    return this.getOrDefault(this.dropLast);
  }

  transformSchema(schema: Schema): Schema {
    return oheSchema(this, schema);
  }

  /** Number of categories of each column = max index + 1 (Spark does the same without attribute metadata). */
  protected _fit(frame: Frame): OneHotEncoderModel {
    const keep = this.getOrDefault(this.handleInvalid) === 'keep';
    const sizes = inOutPairs(this).map(([col]) => {
      const x = frame.float64(col);
      requireRows(this.uid, x.length);
      let max = -1;
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        if (v >= 0 && Number.isInteger(v)) {
          if (v > max) max = v;
        } else if (!keep) {
          throw new MLError(
            'INVALID_DATA',
            `${this.uid}: column '${col}' has ${Number.isNaN(v) ? 'a null/NaN' : `the value ${v}`} at row ${i}; ` +
              'category indices must be integers >= 0',
            {
              stage: this.uid,
              column: col,
              hint: "index the column with StringIndexer, or set handleInvalid='keep'",
            },
          );
        }
      }
      return max + 1;
    });
    return new OneHotEncoderModel(sizes);
  }
}

export class OneHotEncoderModel extends withInOutCols(Model) {
  readonly handleInvalid = this.declare(handleInvalidSpec);
  readonly dropLast = this.declare(dropLastSpec);
  /** Number of categories of each input column (without the extra 'keep' category). */
  readonly categorySizes: readonly number[];

  constructor(categorySizes: readonly number[], params: OneHotEncoderParams = {}) {
    super();
    this.categorySizes = Object.freeze([...categorySizes]);
    this.setParams(params);
  }

  setHandleInvalid(v: OneHotHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }
  setDropLast(v: boolean): this {
    return this.set(this.dropLast, v);
  }

  transformSchema(schema: Schema): Schema {
    requireFittedColumns(this, this.categorySizes.length);
    return oheSchema(this, schema, this.categorySizes);
  }

  protected _transform(frame: Frame): Frame {
    const keep = this.getOrDefault(this.handleInvalid) === 'keep';
    const dropLast = this.getOrDefault(this.dropLast);
    const n = frame.numRows;
    const cols: Record<string, ReturnType<typeof sparseColumn>> = {};
    inOutPairs(this).forEach(([col, outName], j) => {
      const cats = this.categorySizes[j]!;
      const size = vectorSize(cats, keep, dropLast);
      const x = frame.float64(col);
      const indptr = new Int32Array(n + 1);
      // First pass: the index of the one entry of each row (-1 = empty row).
      const idx = new Int32Array(n);
      let nnz = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        let k: number;
        if (v >= 0 && v < cats && Number.isInteger(v)) k = v;
        else if (keep) k = cats;
        else {
          throw new MLError(
            'INVALID_DATA',
            `${this.uid}: column '${col}' has ${Number.isNaN(v) ? 'a null/NaN' : `the invalid index ${v}`} at row ${i}; ` +
              `the model knows ${cats} categories (0..${cats - 1})`,
            {
              stage: this.uid,
              column: col,
              hint: "set handleInvalid='keep' to map invalid values to an extra category",
            },
          );
        }
        if (k >= size) k = -1; // the dropped last category
        idx[i] = k;
        if (k >= 0) nnz++;
        indptr[i + 1] = nnz;
      }
      const indices = new Int32Array(nnz);
      const values = new Float64Array(nnz).fill(1);
      let p = 0;
      for (let i = 0; i < n; i++) if (idx[i]! >= 0) indices[p++] = idx[i]!;
      cols[outName] = sparseColumn(size, indptr, indices, values);
    });
    return frame.withColumns(cols);
  }

  override writeData(w: StageWriter): void {
    w.json('categorySizes', this.categorySizes);
  }
}

registerStage('OneHotEncoder', OneHotEncoder);
registerStage(
  'OneHotEncoderModel',
  OneHotEncoderModel,
  (r) => new OneHotEncoderModel(r.json<number[]>('categorySizes')),
);
