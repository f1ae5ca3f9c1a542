import { columnOf, inferType, toColumn } from './build.js';
import { composeIndex, type Column } from './column.js';
import { FrameError } from './errors.js';
import { formatFrame } from './format.js';
import { concatColumns } from './concat.js';
import type { ColumnType, Field } from './types.js';

/** What `Frame.fromColumns` accepts per column: a column, a typed array (adopted) or JS values. */
export type ColumnInput = Column | ArrayLike<unknown>;

/** A dense matrix: row-major `values` of `rows × size`. */
export interface DenseMatrix {
  readonly rows: number;
  readonly size: number;
  readonly values: Float64Array;
}

/**
 * An immutable table of equally long, named columns. Every operation returns a new Frame that shares
 * column storage with the old one: `select`, `drop`, `rename`, `withColumn` copy no values, and
 * `take`, `filter`, `slice`, `head` build index views (one Int32Array shared by every column).
 */
export class Frame {
  readonly numRows: number;
  readonly #columns: ReadonlyMap<string, Column>;

  private constructor(columns: ReadonlyMap<string, Column>, numRows: number) {
    this.#columns = columns;
    this.numRows = numRows;
  }

  /** A frame from named columns; every column must have the same length. */
  static fromColumns(columns: Record<string, ColumnInput> | ReadonlyMap<string, ColumnInput>): Frame {
    const entries = columns instanceof Map ? [...columns.entries()] : Object.entries(columns);
    const map = new Map<string, Column>();
    let n = -1;
    let first = '';
    for (const [name, input] of entries) {
      const col = toColumn(input as ColumnInput, undefined, name);
      if (n < 0) {
        n = col.length;
        first = name;
      } else if (col.length !== n) {
        throw new FrameError(
          'SCHEMA_MISMATCH',
          `column ${JSON.stringify(name)} has ${col.length} rows but ${JSON.stringify(first)} has ${n}; all columns of a frame have the same length`,
        );
      }
      map.set(name, col);
    }
    return new Frame(map, Math.max(n, 0));
  }

  /** An empty frame (no columns, no rows). */
  static empty(): Frame {
    return new Frame(new Map(), 0);
  }

  /**
   * A frame from row objects (small data and tests). Without a schema the columns are the keys of all
   * rows in first-seen order and types are inferred from values; missing keys become nulls.
   */
  static fromRows(
    rows: readonly Record<string, unknown>[],
    schema?: readonly Pick<Field, 'name' | 'type'>[],
  ): Frame {
    const names: string[] = [];
    if (schema !== undefined) for (const f of schema) names.push(f.name);
    else {
      const seen = new Set<string>();
      for (const r of rows) {
        for (const k of Object.keys(r)) {
          if (!seen.has(k)) {
            seen.add(k);
            names.push(k);
          }
        }
      }
    }
    const map = new Map<string, Column>();
    names.forEach((name, c) => {
      const values = rows.map((r) => r[name]);
      const type: ColumnType = schema?.[c]?.type ?? inferType(values, name);
      try {
        map.set(name, columnOf(type, values));
      } catch (e) {
        if (e instanceof FrameError)
          throw new FrameError(e.code, `column ${JSON.stringify(name)}: ${e.message}`);
        throw e;
      }
    });
    return new Frame(map, rows.length);
  }

  /** Row objects (slow path: small data and tests). Timestamps become Dates, vectors Float64Arrays. */
  toRows(): Record<string, unknown>[] {
    const cols = [...this.#columns.entries()];
    const out: Record<string, unknown>[] = new Array(this.numRows);
    for (let i = 0; i < this.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (const [name, col] of cols) row[name] = col.get(i);
      out[i] = row;
    }
    return out;
  }

  get columnNames(): string[] {
    return [...this.#columns.keys()];
  }

  get numColumns(): number {
    return this.#columns.size;
  }

  get schema(): Field[] {
    return [...this.#columns.entries()].map(([name, c]) => fieldOf(name, c));
  }

  /** The field of one column (clear error when missing). */
  field(name: string): Field {
    return fieldOf(name, this.column(name));
  }

  has(name: string): boolean {
    return this.#columns.has(name);
  }

  /** The named column; a missing name is a COLUMN_NOT_FOUND error that lists the available columns. */
  column(name: string): Column {
    const col = this.#columns.get(name);
    if (col === undefined) throw missing(name, this.columnNames);
    return col;
  }

  /** Adds or replaces a column (replacing keeps its position). Length must match `numRows`. */
  withColumn(name: string, column: ColumnInput): Frame {
    return this.withColumns({ [name]: column });
  }

  withColumns(columns: Record<string, ColumnInput>): Frame {
    const map = new Map(this.#columns);
    // A frame without columns takes its row count from the first column added.
    let rows: number | undefined = this.#columns.size > 0 ? this.numRows : undefined;
    for (const [name, input] of Object.entries(columns)) {
      const col = toColumn(input, undefined, name);
      if (rows === undefined) rows = col.length;
      else if (col.length !== rows) {
        throw new FrameError(
          'SCHEMA_MISMATCH',
          `column ${JSON.stringify(name)} has ${col.length} rows but the frame has ${rows}`,
        );
      }
      map.set(name, col);
    }
    return new Frame(map, rows ?? 0);
  }

  /** Only the named columns, in the order given. */
  select(...names: string[]): Frame {
    const map = new Map<string, Column>();
    for (const name of names.flat()) map.set(name, this.column(name));
    return new Frame(map, this.numRows);
  }

  /** Without the named columns (each must exist). */
  drop(...names: string[]): Frame {
    const gone = new Set(names.flat());
    for (const name of gone) this.column(name);
    const map = new Map([...this.#columns].filter(([n]) => !gone.has(n)));
    return new Frame(map, this.numRows);
  }

  /** Renames columns (`{ old: 'new' }`), keeping positions. */
  rename(mapping: Record<string, string>): Frame {
    for (const old of Object.keys(mapping)) this.column(old);
    const map = new Map<string, Column>();
    for (const [name, col] of this.#columns) {
      const to = mapping[name] ?? name;
      if (map.has(to)) {
        throw new FrameError(
          'SCHEMA_MISMATCH',
          `rename would create two columns named ${JSON.stringify(to)}`,
        );
      }
      map.set(to, col);
    }
    return new Frame(map, this.numRows);
  }

  /**
   * A view of the rows at `indices` (in that order; repeats allowed, as bootstrap samples need).
   * Columns that share an index share the composed one, so a take costs one Int32Array per distinct index.
   */
  take(indices: ArrayLike<number>): Frame {
    const composed = new Map<Int32Array | undefined, Int32Array>();
    const map = new Map<string, Column>();
    for (const [name, col] of this.#columns) {
      let idx = composed.get(col.index);
      if (idx === undefined) {
        idx = composeIndex(col.index, indices, this.numRows);
        composed.set(col.index, idx);
      }
      map.set(name, col.withStorageIndex(idx));
    }
    if (map.size === 0) composeIndex(undefined, indices, this.numRows);
    return new Frame(map, indices.length);
  }

  /** A view of the rows where `mask` is true/non-zero (mask length must equal `numRows`). */
  filter(mask: ArrayLike<boolean | number> | ((row: number) => boolean)): Frame {
    const keep: number[] = [];
    if (typeof mask === 'function') {
      for (let i = 0; i < this.numRows; i++) if (mask(i)) keep.push(i);
    } else {
      if (mask.length !== this.numRows) {
        throw new FrameError(
          'INVALID_ARGUMENT',
          `filter mask has ${mask.length} entries but the frame has ${this.numRows} rows`,
        );
      }
      for (let i = 0; i < mask.length; i++) if (mask[i]) keep.push(i);
    }
    return this.take(keep);
  }

  /** Rows [start, end) as a view (negative values count from the end, as Array.prototype.slice). */
  slice(start = 0, end = this.numRows): Frame {
    const n = this.numRows;
    const s = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
    const e = end < 0 ? Math.max(0, n + end) : Math.min(end, n);
    const idx = new Int32Array(Math.max(0, e - s));
    for (let i = 0; i < idx.length; i++) idx[i] = s + i;
    return this.take(idx);
  }

  head(n = 5): Frame {
    return this.slice(0, n);
  }

  /**
   * The column as float64 values, NaN for nulls; int32, int64, bool and timestamp are converted. When the
   * column is float64 (or int64/timestamp) without nulls and not a view, its storage is returned without a
   * copy: do not write to it.
   */
  float64(name: string): Float64Array {
    const col = this.column(name);
    if (col.type === 'string' || col.type === 'vector') {
      throw new FrameError(
        'TYPE_MISMATCH',
        `column ${JSON.stringify(name)} is ${col.type}, not numeric; ` +
          (col.type === 'string'
            ? 'index it first (StringIndexer)'
            : 'use frame.vectors() for vector columns'),
      );
    }
    return col.toFloat64Array();
  }

  /** A vector column (dense or sparse) as a dense row-major matrix; NaN rows for null vectors. */
  vectors(name: string): DenseMatrix {
    const col = this.column(name);
    if (col.type !== 'vector') {
      throw new FrameError(
        'TYPE_MISMATCH',
        `column ${JSON.stringify(name)} is ${col.type}, not vector; assemble it first (VectorAssembler)`,
      );
    }
    return { rows: col.length, size: col.size, values: col.toMatrix() };
  }

  /** Several numeric columns as one dense row-major matrix (rows × names.length), NaN for nulls. */
  matrix(names: readonly string[]): DenseMatrix {
    const size = names.length;
    const out = new Float64Array(this.numRows * size);
    names.forEach((name, j) => {
      const x = this.float64(name);
      for (let i = 0; i < x.length; i++) out[i * size + j] = x[i]!;
    });
    return { rows: this.numRows, size, values: out };
  }

  /** A string column's codes (-1 = null; a copy when the column is a view) and its dictionary. */
  strings(name: string): { codes: Int32Array; dictionary: readonly string[] } {
    const col = this.column(name);
    if (col.type !== 'string') {
      throw new FrameError('TYPE_MISMATCH', `column ${JSON.stringify(name)} is ${col.type}, not string`);
    }
    return { codes: col.codesArray(), dictionary: col.dictionary };
  }

  /** Frames with the same schema stacked vertically (storage copied once). */
  static concat(frames: readonly Frame[]): Frame {
    const first = frames[0];
    if (first === undefined) return Frame.empty();
    const names = first.columnNames;
    for (const f of frames) {
      const other = f.columnNames;
      if (other.length !== names.length || other.some((n, i) => n !== names[i])) {
        throw new FrameError(
          'SCHEMA_MISMATCH',
          `cannot concatenate frames with different columns: [${names.join(', ')}] vs [${other.join(', ')}]`,
        );
      }
    }
    const map = new Map<string, Column>();
    for (const name of names)
      map.set(
        name,
        concatColumns(
          name,
          frames.map((f) => f.column(name)),
        ),
      );
    return new Frame(
      map,
      frames.reduce((s, f) => s + f.numRows, 0),
    );
  }

  /** A plain-text table of the first `maxRows` rows, with types under the names. */
  toString(maxRows = 10): string {
    return formatFrame(this, maxRows);
  }
}

function fieldOf(name: string, c: Column): Field {
  if (c.type === 'vector')
    return c.sparse
      ? { name, type: c.type, size: c.size, sparse: true }
      : { name, type: c.type, size: c.size };
  return { name, type: c.type };
}

function missing(name: string, available: string[]): FrameError {
  const list = available.length === 0 ? 'the frame has no columns' : `available: ${available.join(', ')}`;
  return new FrameError('COLUMN_NOT_FOUND', `no column named ${JSON.stringify(name)} (${list})`);
}
