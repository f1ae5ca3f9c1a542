import { bitIsSet, countNulls } from './bitmap.js';
import { FrameError } from './errors.js';
import type { ColumnType } from './types.js';

/**
 * The base of every column. A column is immutable storage over a typed array of `baseLength` rows plus an
 * optional `index` (view row → storage row). Row subsets (`take`, `filter`, `slice`, CV folds) only build a
 * new index, never copy the values — the arquero idea of filtering by index rather than by copy.
 *
 * Fast path for numeric work: `toFloat64Array()` (or `Frame.float64`), or read `data`/`index`/`validity`
 * directly. Storage arrays are shared between views: treat them as read-only.
 */
export abstract class BaseColumn {
  abstract readonly type: ColumnType;
  /** Number of rows of this (possibly view) column. */
  readonly length: number;
  /** View row → storage row, or undefined when the column is its storage in order. */
  readonly index: Int32Array | undefined;
  /** Validity bitmap over storage rows (bit set = valid), or undefined when nothing is null. */
  readonly validity: Uint8Array | undefined;

  protected constructor(length: number, index: Int32Array | undefined, validity: Uint8Array | undefined) {
    this.length = index === undefined ? length : index.length;
    this.index = index;
    this.validity = validity;
  }

  /** Number of storage rows (the length of the column without its index). */
  abstract get baseLength(): number;

  /** The storage row of view row `i`. */
  base(i: number): number {
    return this.index === undefined ? i : this.index[i]!;
  }

  isNull(i: number): boolean {
    return this.validity !== undefined && !bitIsSet(this.validity, this.base(i));
  }

  /** Number of nulls in this view. */
  nullCount(): number {
    if (this.validity === undefined) return 0;
    if (this.index === undefined) return countNulls(this.validity, this.length);
    let n = 0;
    for (let i = 0; i < this.length; i++) if (!bitIsSet(this.validity, this.index[i]!)) n++;
    return n;
  }

  /** The JS value of row `i` (slow path; null for nulls). */
  abstract get(i: number): unknown;

  /**
   * The same storage seen through another index over storage rows (undefined = the storage in order).
   * @internal The index is adopted unchecked; use `take` unless you built it from this column's rows.
   */
  abstract withStorageIndex(index: Int32Array | undefined): Column;

  /**
   * A view of rows `indices` (positions in this view). Indices are checked and copied once; composing
   * with an existing index keeps views one level deep.
   */
  take(indices: ArrayLike<number>): Column {
    return this.withStorageIndex(composeIndex(this.index, indices, this.length));
  }

  /** Rows [start, end) as a view. */
  slice(start = 0, end = this.length): Column {
    const s = Math.max(0, Math.min(start, this.length));
    const e = Math.max(s, Math.min(end, this.length));
    const idx = new Int32Array(e - s);
    for (let i = 0; i < idx.length; i++) idx[i] = this.base(s + i);
    return this.withStorageIndex(idx);
  }

  /** Values as float64 (NaN for nulls). Throws TYPE_MISMATCH for string and vector columns. */
  toFloat64Array(): Float64Array {
    throw new FrameError(
      'TYPE_MISMATCH',
      `a ${this.type} column cannot be read as float64; index strings first (e.g. StringIndexer) or use vectors()`,
    );
  }

  /** All values as JS values (slow path; small data and tests). */
  toArray(): unknown[] {
    const out = new Array<unknown>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }
}

/** Compose an existing view index with new positions, checking every position. @internal */
export function composeIndex(
  index: Int32Array | undefined,
  indices: ArrayLike<number>,
  length: number,
): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const p = indices[i]!;
    if (!(p >= 0 && p < length) || !Number.isInteger(p)) {
      throw new FrameError(
        'INVALID_ARGUMENT',
        `row index ${p} at position ${i} is out of range: the frame has ${length} rows (valid: 0..${length - 1})`,
      );
    }
    out[i] = index === undefined ? p : index[p]!;
  }
  return out;
}

/** float64, int64 (integers in doubles) and timestamp (ms since epoch) share Float64Array storage. */
export class NumberColumn extends BaseColumn {
  readonly type: 'float64' | 'int64' | 'timestamp';
  readonly data: Float64Array;

  constructor(
    type: 'float64' | 'int64' | 'timestamp',
    data: Float64Array,
    validity?: Uint8Array,
    index?: Int32Array,
  ) {
    super(data.length, index, validity);
    this.type = type;
    this.data = data;
  }

  get baseLength(): number {
    return this.data.length;
  }

  /** The number at row `i` (NaN is returned as is; check `isNull` to tell nulls apart). */
  value(i: number): number {
    return this.data[this.base(i)]!;
  }

  get(i: number): number | Date | null {
    if (this.isNull(i)) return null;
    const v = this.data[this.base(i)]!;
    return this.type === 'timestamp' ? new Date(v) : v;
  }

  withStorageIndex(index: Int32Array | undefined): NumberColumn {
    return new NumberColumn(this.type, this.data, this.validity, index);
  }

  override toFloat64Array(): Float64Array {
    if (this.index === undefined && this.validity === undefined) return this.data;
    const out = new Float64Array(this.length);
    const { data, index, validity } = this;
    for (let i = 0; i < out.length; i++) {
      const b = index === undefined ? i : index[i]!;
      out[i] = validity !== undefined && !bitIsSet(validity, b) ? NaN : data[b]!;
    }
    return out;
  }
}

/** int32 on Int32Array. */
export class Int32Column extends BaseColumn {
  readonly type = 'int32' as const;
  readonly data: Int32Array;

  constructor(data: Int32Array, validity?: Uint8Array, index?: Int32Array) {
    super(data.length, index, validity);
    this.data = data;
  }

  get baseLength(): number {
    return this.data.length;
  }

  value(i: number): number {
    return this.data[this.base(i)]!;
  }

  get(i: number): number | null {
    return this.isNull(i) ? null : this.data[this.base(i)]!;
  }

  withStorageIndex(index: Int32Array | undefined): Int32Column {
    return new Int32Column(this.data, this.validity, index);
  }

  override toFloat64Array(): Float64Array {
    return numericToFloat64(this.data, this.index, this.validity, this.length);
  }
}

/** bool on Uint8Array (0 = false, 1 = true). */
export class BoolColumn extends BaseColumn {
  readonly type = 'bool' as const;
  readonly data: Uint8Array;

  constructor(data: Uint8Array, validity?: Uint8Array, index?: Int32Array) {
    super(data.length, index, validity);
    this.data = data;
  }

  get baseLength(): number {
    return this.data.length;
  }

  value(i: number): boolean {
    return this.data[this.base(i)] !== 0;
  }

  get(i: number): boolean | null {
    return this.isNull(i) ? null : this.data[this.base(i)] !== 0;
  }

  withStorageIndex(index: Int32Array | undefined): BoolColumn {
    return new BoolColumn(this.data, this.validity, index);
  }

  override toFloat64Array(): Float64Array {
    return numericToFloat64(this.data, this.index, this.validity, this.length);
  }
}

function numericToFloat64(
  data: Int32Array | Uint8Array,
  index: Int32Array | undefined,
  validity: Uint8Array | undefined,
  length: number,
): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const b = index === undefined ? i : index[i]!;
    out[i] = validity !== undefined && !bitIsSet(validity, b) ? NaN : data[b]!;
  }
  return out;
}

/**
 * Dictionary-encoded strings: `codes[i]` indexes `dictionary`, -1 is null (no validity bitmap is used).
 * The dictionary may hold values no row uses (after a filter); it has no duplicates when built here.
 */
export class StringColumn extends BaseColumn {
  readonly type = 'string' as const;
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];

  constructor(codes: Int32Array, dictionary: readonly string[], index?: Int32Array) {
    super(codes.length, index, undefined);
    this.codes = codes;
    this.dictionary = dictionary;
  }

  get baseLength(): number {
    return this.codes.length;
  }

  /** Dictionary code of row `i` (-1 for null). */
  code(i: number): number {
    return this.codes[this.base(i)]!;
  }

  override isNull(i: number): boolean {
    return this.codes[this.base(i)]! < 0;
  }

  override nullCount(): number {
    let n = 0;
    for (let i = 0; i < this.length; i++) if (this.codes[this.base(i)]! < 0) n++;
    return n;
  }

  get(i: number): string | null {
    const c = this.codes[this.base(i)]!;
    return c < 0 ? null : this.dictionary[c]!;
  }

  withStorageIndex(index: Int32Array | undefined): StringColumn {
    return new StringColumn(this.codes, this.dictionary, index);
  }

  /** Codes of this view in order (a copy when the column is a view). */
  codesArray(): Int32Array {
    if (this.index === undefined) return this.codes;
    const out = new Int32Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.codes[this.index[i]!]!;
    return out;
  }
}

/** Dense vectors of a fixed `size`: row-major Float64Array of baseLength × size. */
export class VectorColumn extends BaseColumn {
  readonly type = 'vector' as const;
  readonly sparse = false as const;
  readonly size: number;
  readonly data: Float64Array;

  constructor(size: number, data: Float64Array, validity?: Uint8Array, index?: Int32Array) {
    if (!Number.isInteger(size) || size < 0 || (size === 0 ? data.length !== 0 : data.length % size !== 0)) {
      throw new FrameError(
        'INVALID_ARGUMENT',
        `vector data of length ${data.length} is not a whole number of rows of size ${size}`,
      );
    }
    super(size === 0 ? 0 : data.length / size, index, validity);
    this.size = size;
    this.data = data;
  }

  get baseLength(): number {
    return this.size === 0 ? 0 : this.data.length / this.size;
  }

  /** A zero-copy view of row `i`'s values (read-only by contract). */
  row(i: number): Float64Array {
    const b = this.base(i) * this.size;
    return this.data.subarray(b, b + this.size);
  }

  get(i: number): Float64Array | null {
    return this.isNull(i) ? null : this.row(i).slice();
  }

  withStorageIndex(index: Int32Array | undefined): VectorColumn {
    return new VectorColumn(this.size, this.data, this.validity, index);
  }

  /** Row-major matrix of this view (NaN rows for nulls); no copy when the column is not a view. */
  toMatrix(): Float64Array {
    if (this.index === undefined && this.validity === undefined) return this.data;
    const out = new Float64Array(this.length * this.size);
    for (let i = 0; i < this.length; i++) {
      if (this.isNull(i)) out.fill(NaN, i * this.size, (i + 1) * this.size);
      else out.set(this.row(i), i * this.size);
    }
    return out;
  }
}

/** Sparse vectors in CSR form: row r's entries are `indices/values[indptr[r] .. indptr[r+1])`. */
export class SparseVectorColumn extends BaseColumn {
  readonly type = 'vector' as const;
  readonly sparse = true as const;
  readonly size: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;

  constructor(
    size: number,
    indptr: Int32Array,
    indices: Int32Array,
    values: Float64Array,
    validity?: Uint8Array,
    index?: Int32Array,
  ) {
    if (
      indptr.length < 1 ||
      indices.length !== values.length ||
      indptr[indptr.length - 1] !== values.length
    ) {
      throw new FrameError(
        'INVALID_ARGUMENT',
        `sparse vector CSR arrays disagree: indptr must have rows+1 entries ending at values.length ` +
          `(${values.length}) and indices/values must have the same length (${indices.length} vs ${values.length})`,
      );
    }
    super(indptr.length - 1, index, validity);
    this.size = size;
    this.indptr = indptr;
    this.indices = indices;
    this.values = values;
  }

  get baseLength(): number {
    return this.indptr.length - 1;
  }

  /** Row `i` as a dense Float64Array (a copy). */
  get(i: number): Float64Array | null {
    if (this.isNull(i)) return null;
    const out = new Float64Array(this.size);
    const b = this.base(i);
    for (let k = this.indptr[b]!; k < this.indptr[b + 1]!; k++) out[this.indices[k]!] = this.values[k]!;
    return out;
  }

  withStorageIndex(index: Int32Array | undefined): SparseVectorColumn {
    return new SparseVectorColumn(this.size, this.indptr, this.indices, this.values, this.validity, index);
  }

  /** Dense row-major matrix of this view (NaN rows for nulls). */
  toMatrix(): Float64Array {
    const size = this.size;
    const out = new Float64Array(this.length * size);
    const { indptr, indices, values, index, validity } = this;
    if (validity === undefined) {
      // Hot path (VectorAssembler output): locals only, no per-row method calls.
      for (let i = 0; i < this.length; i++) {
        const b = index === undefined ? i : index[i]!;
        const row = i * size;
        for (let k = indptr[b]!, end = indptr[b + 1]!; k < end; k++) out[row + indices[k]!] = values[k]!;
      }
      return out;
    }
    for (let i = 0; i < this.length; i++) {
      if (this.isNull(i)) {
        out.fill(NaN, i * this.size, (i + 1) * this.size);
        continue;
      }
      const b = this.base(i);
      for (let k = this.indptr[b]!; k < this.indptr[b + 1]!; k++) {
        out[i * this.size + this.indices[k]!] = this.values[k]!;
      }
    }
    return out;
  }
}

/** Any column. Narrow with `col.type` (and `col.sparse` for vectors). */
export type Column =
  NumberColumn | Int32Column | BoolColumn | StringColumn | VectorColumn | SparseVectorColumn;
