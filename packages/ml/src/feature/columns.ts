/**
 * Helpers the feature stages share: reading a vector column as rows without per-row objects, and
 * building output columns. (The inputCol(s)/outputCol(s) params live in in-out-cols.ts.)
 */
import { SparseVectorColumn, VectorColumn, bitIsSet, type Column, type Frame } from '@cauce/frame';
import { MLError } from '../util/errors.js';

/** A vector column seen as rows, dense or CSR, with the view index resolved (no per-row objects). */
export interface VectorRows {
  n: number;
  size: number;
  /** Dense: row-major values (n × size), NaN rows for nulls. Undefined when sparse. */
  dense: Float64Array | undefined;
  /** Sparse: CSR over the view rows. */
  indptr: Int32Array | undefined;
  indices: Int32Array | undefined;
  values: Float64Array | undefined;
  /** Row is null (a null vector). */
  isNull: Uint8Array | undefined;
}

export function vectorRows(frame: Frame, name: string): VectorRows {
  const col = frame.column(name) as Column;
  if (col instanceof VectorColumn) {
    return {
      n: col.length,
      size: col.size,
      dense: col.toMatrix(),
      indptr: undefined,
      indices: undefined,
      values: undefined,
      isNull: nullMask(col),
    };
  }
  if (col instanceof SparseVectorColumn) {
    const isNull = nullMask(col);
    if (col.index === undefined) {
      return {
        n: col.length,
        size: col.size,
        dense: undefined,
        indptr: col.indptr,
        indices: col.indices,
        values: col.values,
        isNull,
      };
    }
    // Compact a view into its own CSR once, so kernels need not know about views.
    const n = col.length;
    const indptr = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const b = col.index[i]!;
      indptr[i + 1] = indptr[i]! + (col.indptr[b + 1]! - col.indptr[b]!);
    }
    const indices = new Int32Array(indptr[n]!);
    const values = new Float64Array(indptr[n]!);
    for (let i = 0; i < n; i++) {
      const b = col.index[i]!;
      const s = col.indptr[b]!;
      const len = col.indptr[b + 1]! - s;
      indices.set(col.indices.subarray(s, s + len), indptr[i]!);
      values.set(col.values.subarray(s, s + len), indptr[i]!);
    }
    return { n, size: col.size, dense: undefined, indptr, indices, values, isNull };
  }
  throw new MLError('SCHEMA_MISMATCH', `column '${name}' is ${col.type}, not vector`, { column: name });
}

function nullMask(col: Column): Uint8Array | undefined {
  if (col.validity === undefined) return undefined;
  const out = new Uint8Array(col.length);
  for (let i = 0; i < col.length; i++) out[i] = bitIsSet(col.validity, col.base(i)) ? 0 : 1;
  return out;
}

/** A null mask → validity bitmap for a new column (undefined when nothing is null). */
export function validityFrom(isNull: Uint8Array | undefined): Uint8Array | undefined {
  if (!isNull || !isNull.includes(1)) return undefined;
  const v = new Uint8Array((isNull.length + 7) >> 3);
  for (let i = 0; i < isNull.length; i++) if (!isNull[i]) v[i >> 3]! |= 1 << (i & 7);
  return v;
}

/** Output vector column: dense, or CSR when given sparse arrays. */
export function denseVectorColumn(size: number, data: Float64Array, isNull?: Uint8Array): VectorColumn {
  return new VectorColumn(size, data, validityFrom(isNull));
}

export function sparseColumn(
  size: number,
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
  isNull?: Uint8Array,
): SparseVectorColumn {
  return new SparseVectorColumn(size, indptr, indices, values, validityFrom(isNull));
}

/** INVALID_DATA when a frame to fit on has no rows (or no usable values). */
export function requireRows(stage: string, n: number, what = 'the input frame'): void {
  if (n === 0) {
    throw new MLError('INVALID_DATA', `${stage}: ${what} has no rows to fit on`, { stage });
  }
}
