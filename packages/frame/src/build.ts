// Building columns from JS values. Typed arrays are adopted without a copy; plain arrays may hold
// null/undefined, which become nulls in the validity bitmap.
import { allValid, clearBit } from './bitmap.js';
import {
  BoolColumn,
  Int32Column,
  NumberColumn,
  SparseVectorColumn,
  StringColumn,
  VectorColumn,
  type Column,
} from './column.js';
import { FrameError } from './errors.js';
import { COLUMN_TYPES, type ColumnType } from './types.js';

type Maybe<T> = T | null | undefined;

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return `Date(${v.toISOString()})`;
  if (Array.isArray(v)) return `array[${v.length}]`;
  return String(v);
}

function bad(type: ColumnType, i: number, v: unknown, hint: string): FrameError {
  return new FrameError('TYPE_MISMATCH', `row ${i}: ${describe(v)} is not a valid ${type} value (${hint})`);
}

/** Fills a numeric typed array from JS values, recording nulls; returns the validity or undefined. */
function fillNumbers(
  type: ColumnType,
  values: ArrayLike<unknown>,
  out: Float64Array | Int32Array | Uint8Array,
  convert: (v: unknown, i: number) => number,
): Uint8Array | undefined {
  let validity: Uint8Array | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      validity ??= allValid(values.length);
      clearBit(validity, i);
      out[i] = type === 'float64' || type === 'int64' || type === 'timestamp' ? NaN : 0;
    } else {
      out[i] = convert(v, i);
    }
  }
  return validity;
}

/** float64 from a Float64Array (adopted) or numbers with nulls. */
export function float64Column(values: Float64Array | ArrayLike<Maybe<number>>): NumberColumn {
  if (values instanceof Float64Array) return new NumberColumn('float64', values);
  const out = new Float64Array(values.length);
  const validity = fillNumbers('float64', values, out, (v, i) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw bad('float64', i, v, 'expected a number or null');
  });
  return new NumberColumn('float64', out, validity);
}

/** int32 from an Int32Array (adopted) or integers with nulls. */
export function int32Column(values: Int32Array | ArrayLike<Maybe<number>>): Int32Column {
  if (values instanceof Int32Array) return new Int32Column(values);
  const out = new Int32Array(values.length);
  const validity = fillNumbers('int32', values, out, (v, i) => {
    if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
    throw bad('int32', i, v, 'expected an integer in [-2^31, 2^31-1] or null');
  });
  return new Int32Column(out, validity);
}

/**
 * int64, stored as integers in a Float64Array (exact up to ±2^53). BigInts and BigInt64Arrays are
 * accepted; values beyond 2^53 are refused rather than silently rounded.
 */
export function int64Column(
  values: Float64Array | BigInt64Array | ArrayLike<Maybe<number | bigint>>,
): NumberColumn {
  if (values instanceof Float64Array) return new NumberColumn('int64', values);
  const out = new Float64Array(values.length);
  const validity = fillNumbers('int64', values, out, (v, i) => {
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
    throw bad('int64', i, v, 'expected an integer within ±2^53 (store larger ids as string) or null');
  });
  return new NumberColumn('int64', out, validity);
}

/** bool from a Uint8Array of 0/1 (adopted) or booleans with nulls. */
export function boolColumn(values: Uint8Array | ArrayLike<Maybe<boolean>>): BoolColumn {
  if (values instanceof Uint8Array) return new BoolColumn(values);
  const out = new Uint8Array(values.length);
  const validity = fillNumbers('bool', values, out, (v, i) => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === 0 || v === 1) return v;
    throw bad('bool', i, v, 'expected true/false or null');
  });
  return new BoolColumn(out, validity);
}

/** timestamp (ms since epoch) from a Float64Array (adopted), Dates, ms numbers or ISO-8601 strings. */
export function timestampColumn(
  values: Float64Array | ArrayLike<Maybe<Date | number | string>>,
): NumberColumn {
  if (values instanceof Float64Array) return new NumberColumn('timestamp', values);
  const out = new Float64Array(values.length);
  const validity = fillNumbers('timestamp', values, out, (v, i) => {
    const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : v;
    if (typeof ms === 'number' && Number.isFinite(ms)) return ms;
    throw bad('timestamp', i, v, 'expected a Date, milliseconds since epoch or an ISO-8601 string');
  });
  return new NumberColumn('timestamp', out, validity);
}

/** Dictionary-encodes strings (null/undefined → code -1). Codes follow first appearance. */
export function stringColumn(values: ArrayLike<Maybe<string>>): StringColumn {
  const codes = new Int32Array(values.length);
  const dictionary: string[] = [];
  const lookup = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    if (typeof v !== 'string') throw bad('string', i, v, 'expected a string or null');
    let c = lookup.get(v);
    if (c === undefined) {
      c = dictionary.length;
      dictionary.push(v);
      lookup.set(v, c);
    }
    codes[i] = c;
  }
  return new StringColumn(codes, dictionary);
}

/** A string column from existing codes and dictionary (adopted; codes are checked). */
export function dictionaryColumn(codes: Int32Array, dictionary: readonly string[]): StringColumn {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < -1 || c >= dictionary.length) {
      throw new FrameError(
        'INVALID_ARGUMENT',
        `row ${i}: code ${c} is outside the dictionary of ${dictionary.length} strings (use -1 for null)`,
      );
    }
  }
  return new StringColumn(codes, dictionary);
}

/**
 * Dense vectors: either `(size, rowMajorData)` (adopted) or a list of equal-length arrays (null rows allowed).
 */
export function vectorColumn(
  sizeOrRows: number | ArrayLike<Maybe<ArrayLike<number>>>,
  data?: Float64Array,
): VectorColumn {
  if (typeof sizeOrRows === 'number') {
    if (data === undefined) throw new FrameError('INVALID_ARGUMENT', 'vectorColumn(size, data) needs data');
    return new VectorColumn(sizeOrRows, data);
  }
  const rows = sizeOrRows;
  let size = -1;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || r === undefined) continue;
    if (size < 0) size = r.length;
    else if (r.length !== size) {
      throw new FrameError(
        'TYPE_MISMATCH',
        `row ${i}: vector of length ${r.length}, but earlier rows have length ${size}; vectors in a column share one size`,
      );
    }
  }
  if (size < 0) size = 0;
  const out = new Float64Array(rows.length * size);
  let validity: Uint8Array | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || r === undefined) {
      validity ??= allValid(rows.length);
      clearBit(validity, i);
      out.fill(NaN, i * size, (i + 1) * size);
    } else {
      for (let j = 0; j < size; j++) {
        const x = r[j];
        if (typeof x !== 'number') throw bad('vector', i, x, `element ${j} must be a number`);
        out[i * size + j] = x;
      }
    }
  }
  if (size === 0 && rows.length > 0) {
    // A zero-size vector column cannot infer its row count from the data; keep it empty but honest.
    throw new FrameError('INVALID_ARGUMENT', 'vector columns need at least one non-null row of size ≥ 1');
  }
  return new VectorColumn(size, out, validity);
}

/** Sparse CSR vectors (adopted; shapes are checked, and every index must be in [0, size)). */
export function sparseVectorColumn(
  size: number,
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
): SparseVectorColumn {
  for (let k = 0; k < indices.length; k++) {
    const j = indices[k]!;
    if (j < 0 || j >= size) {
      throw new FrameError('INVALID_ARGUMENT', `sparse index ${j} at entry ${k} is outside [0, ${size})`);
    }
  }
  return new SparseVectorColumn(size, indptr, indices, values);
}

/** Builds a column of `type` from JS values. */
export function columnOf(type: ColumnType, values: ArrayLike<unknown>): Column {
  switch (type) {
    case 'float64':
      return float64Column(values as ArrayLike<Maybe<number>>);
    case 'int32':
      return int32Column(values as ArrayLike<Maybe<number>>);
    case 'int64':
      return int64Column(values as ArrayLike<Maybe<number>>);
    case 'bool':
      return boolColumn(values as ArrayLike<Maybe<boolean>>);
    case 'timestamp':
      return timestampColumn(values as ArrayLike<Maybe<Date>>);
    case 'string':
      return stringColumn(values as ArrayLike<Maybe<string>>);
    case 'vector':
      return vectorColumn(values as ArrayLike<Maybe<ArrayLike<number>>>);
    default:
      throw new FrameError(
        'INVALID_ARGUMENT',
        `unknown column type ${JSON.stringify(type)}; expected one of ${COLUMN_TYPES.join(', ')}`,
      );
  }
}

/**
 * Infers a type from the first non-null values: number → float64, bigint → int64, boolean → bool,
 * Date → timestamp, string → string, array/typed array → vector. All-null columns become float64.
 */
export function inferType(values: ArrayLike<unknown>, name = 'column'): ColumnType {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') return 'float64';
    if (typeof v === 'bigint') return 'int64';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'string') return 'string';
    if (v instanceof Date) return 'timestamp';
    if (Array.isArray(v) || ArrayBuffer.isView(v)) return 'vector';
    throw new FrameError(
      'TYPE_MISMATCH',
      `${name}: row ${i} holds ${describe(v)}, which has no column type; use numbers, strings, booleans, Dates or arrays`,
    );
  }
  return 'float64';
}

/** A column from a typed array (adopted) or from JS values (type inferred unless given). */
export function toColumn(values: Column | ArrayLike<unknown>, type?: ColumnType, name?: string): Column {
  if (isColumn(values)) return values;
  if (type === undefined) {
    if (values instanceof Float64Array) return float64Column(values);
    if (values instanceof Int32Array) return int32Column(values);
    if (values instanceof BigInt64Array) return int64Column(values);
    if (values instanceof Uint8Array) return boolColumn(values);
  }
  return columnOf(type ?? inferType(values, name), values);
}

function isColumn(v: unknown): v is Column {
  return (
    v instanceof NumberColumn ||
    v instanceof Int32Column ||
    v instanceof BoolColumn ||
    v instanceof StringColumn ||
    v instanceof VectorColumn ||
    v instanceof SparseVectorColumn
  );
}

export { isColumn };
