// DuckDB query results → frame columns, read from the vectors' raw memory (no JS value per cell).
// Every source type is first mapped (in SQL) to one of a few physical shapes we know how to read:
// DOUBLE, INTEGER, BOOLEAN, VARCHAR, ENUM, DOUBLE[]. See STACK.md "DuckDB notes" for the measurements
// that made raw vector reads the choice (5–9 ms vs ~1 s for row objects on 132k rows).
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBEnumType,
  DuckDBTypeId,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBType,
} from '@duckdb/node-api';
import { pipelinedChunks } from './chunks.js';
import {
  BoolColumn,
  Frame,
  Int32Column,
  NumberColumn,
  StringColumn,
  VectorColumn,
  allValid,
  type Column,
  type ColumnType,
} from '@cauce/frame';
import { DataError } from '../errors.js';
import { quoteIdent, quoteLiteral } from './instance.js';
import { StringDictionary } from './string-dictionary.js';

type Kind = 'f64' | 'i32' | 'bool' | 'str' | 'enum' | 'list';

/** How one result column is selected and read. */
export interface ColumnPlan {
  readonly name: string;
  /** SQL expression over the source, producing the physical shape of `kind`. */
  readonly expr: string;
  readonly kind: Kind;
  /** The frame type the column becomes. */
  readonly type: ColumnType;
  readonly sourceType: string;
}

/** Maps a DuckDB type to the expression and frame type we read it as. */
export function planColumn(name: string, t: DuckDBType): ColumnPlan {
  const c = quoteIdent(name);
  const sourceType = t.toString();
  const p = (expr: string, kind: Kind, type: ColumnType): ColumnPlan => ({
    name,
    expr,
    kind,
    type,
    sourceType,
  });
  switch (t.typeId) {
    case DuckDBTypeId.DOUBLE:
      return p(c, 'f64', 'float64');
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DECIMAL:
      return p(`CAST(${c} AS DOUBLE)`, 'f64', 'float64');
    case DuckDBTypeId.INTEGER:
      return p(c, 'i32', 'int32');
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return p(`CAST(${c} AS INTEGER)`, 'i32', 'int32');
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      // int64 lives in float64 storage (docs/decisions/0003-frame-layout.md).
      return p(`CAST(${c} AS DOUBLE)`, 'f64', 'int64');
    case DuckDBTypeId.BOOLEAN:
      return p(c, 'bool', 'bool');
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.DATE:
      // Frame timestamps are milliseconds since the epoch, UTC; µs survive as the fraction.
      return p(`CAST(epoch_us(CAST(${c} AS TIMESTAMP)) AS DOUBLE) / 1000`, 'f64', 'timestamp');
    case DuckDBTypeId.TIMESTAMP_TZ:
      return p(`CAST(epoch_us(${c}) AS DOUBLE) / 1000`, 'f64', 'timestamp');
    case DuckDBTypeId.VARCHAR:
      return p(c, 'str', 'string');
    case DuckDBTypeId.ENUM:
      return p(c, 'enum', 'string');
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return p(`CAST(${c} AS DOUBLE[])`, 'list', 'vector');
    default:
      return p(`CAST(${c} AS VARCHAR)`, 'str', 'string');
  }
}

/** Column plans for the result of `query` (which runs with LIMIT 0 to learn its types). */
export async function planQuery(con: DuckDBConnection, query: string): Promise<ColumnPlan[]> {
  const res = await con.stream(`SELECT * FROM (${query}) LIMIT 0`);
  const names = res.columnNames();
  const types = res.columnTypes();
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) {
      throw new DataError(
        'SQL_ERROR',
        `the result has two columns named ${JSON.stringify(n)}`,
        'give one of them another name with AS',
      );
    }
    seen.add(n);
  }
  return names.map((n, i) => planColumn(n, types[i]!));
}

/**
 * Plans that read the named VARCHAR columns as `CAST(column AS ENUM(values))`: DuckDB then hands over
 * 1- or 2-byte dictionary codes per row (cast in its own threads) instead of 16-byte strings that JS copies
 * and hashes one by one. `values` must hold every non-null value of the column (the cast fails otherwise).
 */
export function asEnums(
  plans: readonly ColumnPlan[],
  enums: ReadonlyMap<string, readonly string[]> | undefined,
): ColumnPlan[] {
  return plans.map((p) => {
    const values = enums?.get(p.name);
    if (values === undefined || values.length === 0 || p.kind !== 'str' || p.sourceType !== 'VARCHAR')
      return p;
    const type = `ENUM(${values.map(quoteLiteral).join(', ')})`;
    return { ...p, expr: `CAST(${quoteIdent(p.name)} AS ${type})`, kind: 'enum' as const };
  });
}

/** The SELECT that reads `query` in the shapes of `plans`. */
export function projectionSql(plans: readonly ColumnPlan[], query: string): string {
  const cols = plans.map((p) => `${p.expr} AS ${quoteIdent(p.name)}`).join(', ');
  return `SELECT ${cols} FROM (${query})`;
}

function validityOf(vector: duckdb.Vector, n: number): Uint8Array | null {
  return duckdb.vector_get_validity(vector, Math.ceil(n / 64) * 8);
}

function isValidBit(v: Uint8Array | null, i: number): boolean {
  return v === null || (v[i >>> 3]! & (1 << (i & 7))) !== 0;
}

interface Part {
  rows: number;
  data: Float64Array;
  validity: Uint8Array | null;
}

type Store = Float64Array | Int32Array | Uint8Array;

/**
 * Accumulates the chunks of one column straight into one growing typed array (chunk copies die young), so
 * a load needs about the final size plus DuckDB's buffers. With a good `expectedRows` the array never grows;
 * otherwise it grows by 1.5×, and `finish` trims it with one copy, one column at a time.
 */
class ColumnBuilder {
  readonly plan: ColumnPlan;
  rows = 0;
  store: Store;
  /** Validity bitmap, allocated at the first null. */
  validity: Uint8Array | undefined;
  dictionary: StringDictionary | undefined;
  enumValues: readonly string[] | undefined;
  enumWidth = 1;
  /** Vector columns keep per-chunk parts (their width is only known from the data). */
  parts: Part[] = [];
  vectorSize = -1;
  capacity: number;

  constructor(plan: ColumnPlan, type: DuckDBType, capacity: number) {
    this.plan = plan;
    if (plan.kind === 'str') this.dictionary = new StringDictionary();
    if (plan.kind === 'enum' && type instanceof DuckDBEnumType) {
      this.enumValues = type.values;
      this.enumWidth =
        type.internalTypeId === DuckDBTypeId.UTINYINT
          ? 1
          : type.internalTypeId === DuckDBTypeId.USMALLINT
            ? 2
            : 4;
    }
    // Allocated at the first chunk (a batch reader must not hold an empty next batch's worth of memory).
    this.capacity = capacity;
    this.store = this.#alloc(0);
  }

  #alloc(n: number): Store {
    const k = this.plan.kind;
    return k === 'f64' ? new Float64Array(n) : k === 'bool' ? new Uint8Array(n) : new Int32Array(n);
  }

  #reserve(extra: number): void {
    const need = this.rows + extra;
    if (need <= this.store.length) return;
    const first = this.store.length === 0 ? this.capacity : 0;
    const grown = this.#alloc(Math.max(need, first, Math.ceil(this.store.length * 1.5), 2048));
    grown.set(this.store.subarray(0, this.rows) as never);
    this.store = grown;
    if (this.validity !== undefined) {
      const v = new Uint8Array((grown.length + 7) >>> 3).fill(0xff);
      v.set(this.validity.subarray(0, (this.rows + 7) >>> 3));
      this.validity = v;
    }
  }

  /** Copies the chunk's validity into ours at row offset `off`; true when the chunk has nulls. */
  #mergeValidity(valid: Uint8Array | null, n: number): boolean {
    if (valid === null || !hasNull(valid, n)) return false;
    const off = this.rows;
    this.validity ??= new Uint8Array((this.store.length + 7) >>> 3).fill(0xff);
    const bits = this.validity;
    if ((off & 7) === 0) {
      const bytes = n >>> 3;
      bits.set(valid.subarray(0, bytes), off >>> 3);
      for (let i = bytes << 3; i < n; i++) if (!isValidBit(valid, i)) clear(bits, off + i);
    } else {
      for (let i = 0; i < n; i++) if (!isValidBit(valid, i)) clear(bits, off + i);
    }
    return true;
  }

  add(vector: duckdb.Vector, n: number): void {
    // vector_get_data / vector_get_validity return fresh copies (checked on @duckdb/node-bindings 1.5.6).
    const valid = validityOf(vector, n);
    const kind = this.plan.kind;
    if (kind === 'list') {
      this.#addList(vector, n, valid);
      this.rows += n;
      return;
    }
    this.#reserve(n);
    const off = this.rows;
    switch (kind) {
      case 'f64': {
        const raw = duckdb.vector_get_data(vector, n * 8);
        const out = this.store as Float64Array;
        out.set(new Float64Array(raw.buffer, raw.byteOffset, n), off);
        // Raw memory under a NULL is garbage: make it NaN so null-unaware kernels see a missing value.
        if (this.#mergeValidity(valid, n))
          for (let i = 0; i < n; i++) if (!isValidBit(valid, i)) out[off + i] = NaN;
        break;
      }
      case 'i32': {
        const raw = duckdb.vector_get_data(vector, n * 4);
        const out = this.store as Int32Array;
        out.set(new Int32Array(raw.buffer, raw.byteOffset, n), off);
        if (this.#mergeValidity(valid, n))
          for (let i = 0; i < n; i++) if (!isValidBit(valid, i)) out[off + i] = 0;
        break;
      }
      case 'bool': {
        const raw = duckdb.vector_get_data(vector, n);
        (this.store as Uint8Array).set(raw.subarray(0, n), off);
        this.#mergeValidity(valid, n);
        break;
      }
      case 'str': {
        const raw = duckdb.vector_get_data(vector, n * 16);
        this.dictionary!.encode(raw, n, (i) => isValidBit(valid, i), this.store as Int32Array, off);
        break;
      }
      case 'enum': {
        const raw = duckdb.vector_get_data(vector, n * this.enumWidth);
        const src =
          this.enumWidth === 1
            ? raw
            : this.enumWidth === 2
              ? new Uint16Array(raw.buffer, raw.byteOffset, n)
              : new Uint32Array(raw.buffer, raw.byteOffset, n);
        const codes = this.store as Int32Array;
        for (let i = 0; i < n; i++) codes[off + i] = isValidBit(valid, i) ? src[i]! : -1;
        break;
      }
    }
    this.rows += n;
  }

  #addList(vector: duckdb.Vector, n: number, valid: Uint8Array | null): void {
    const entries = duckdb.vector_get_data(vector, n * 16);
    const e = new BigUint64Array(entries.buffer, entries.byteOffset, n * 2);
    const child = duckdb.list_vector_get_child(vector);
    const childSize = duckdb.list_vector_get_size(vector);
    const childRaw = duckdb.vector_get_data(child, childSize * 8);
    const values = new Float64Array(childRaw.buffer, childRaw.byteOffset, childSize);
    const childValid = validityOf(child, childSize);
    let size = this.vectorSize;
    for (let i = 0; i < n; i++) {
      if (!isValidBit(valid, i)) continue;
      const len = Number(e[i * 2 + 1]!);
      if (size < 0) size = len;
      else if (len !== size) {
        throw new DataError(
          'MALFORMED_INPUT',
          `column ${JSON.stringify(this.plan.name)}: row ${this.rows + i} has a list of ${len} numbers but earlier rows have ${size}`,
          'vector columns need lists of one length; pad or truncate them in SQL first',
        );
      }
    }
    this.vectorSize = size;
    const width = Math.max(size, 0);
    const data = new Float64Array(n * width);
    for (let i = 0; i < n; i++) {
      if (!isValidBit(valid, i)) {
        data.fill(NaN, i * width, (i + 1) * width);
        continue;
      }
      const off = Number(e[i * 2]!);
      for (let j = 0; j < width; j++) {
        data[i * width + j] = isValidBit(childValid, off + j) ? values[off + j]! : NaN;
      }
    }
    this.parts.push({ rows: n, data, validity: valid });
  }

  finish(): Column {
    const col = this.#build();
    // Let this column's buffers go before the next one is trimmed (peak memory).
    this.store = this.#alloc(0);
    this.validity = undefined;
    this.parts = [];
    return col;
  }

  /**
   * The first `rows` values. A close over-estimate (≤ 10% spare) is kept as a view over the same buffer:
   * a copy would cost more time than the spare capacity costs memory.
   */
  #trimmed<T extends Store>(a: T): T {
    if (a.length === this.rows) return a;
    return (a.length <= this.rows * 1.1 ? a.subarray(0, this.rows) : a.slice(0, this.rows)) as T;
  }

  #build(): Column {
    const n = this.rows;
    const kind = this.plan.kind;
    const validity = this.validity === undefined ? undefined : this.validity.slice(0, (n + 7) >>> 3);
    if (kind === 'str' || kind === 'enum') {
      const dict = kind === 'str' ? this.dictionary!.values.slice() : this.enumValues!;
      return new StringColumn(this.#trimmed(this.store as Int32Array), dict);
    }
    if (kind === 'f64') {
      const t = this.plan.type as 'float64' | 'int64' | 'timestamp';
      return new NumberColumn(t, this.#trimmed(this.store as Float64Array), validity);
    }
    if (kind === 'i32') return new Int32Column(this.#trimmed(this.store as Int32Array), validity);
    if (kind === 'bool') return new BoolColumn(this.#trimmed(this.store as Uint8Array), validity);
    const size = Math.max(this.vectorSize, 0);
    if (size === 0 && n > 0) {
      throw new DataError(
        'MALFORMED_INPUT',
        `column ${JSON.stringify(this.plan.name)} holds only empty or null lists; it cannot become a vector column`,
      );
    }
    const out = new Float64Array(n * size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p.data, off * size);
      off += p.rows;
    }
    return new VectorColumn(size, out, mergeValidity(this.parts, n));
  }

  /** Starts a new batch (streaming): storage is dropped, the string dictionary keeps growing. */
  reset(capacity: number): void {
    this.rows = 0;
    this.capacity = capacity;
    this.store = this.#alloc(0);
    this.validity = undefined;
    this.parts = [];
  }
}

function mergeValidity(parts: Part[], n: number): Uint8Array | undefined {
  if (!parts.some((p) => p.validity !== null && hasNull(p.validity, p.rows))) return undefined;
  const bits = allValid(n);
  let off = 0;
  for (const p of parts) {
    if (p.validity !== null)
      for (let i = 0; i < p.rows; i++) if (!isValidBit(p.validity, i)) clear(bits, off + i);
    off += p.rows;
  }
  return bits;
}

function clear(bits: Uint8Array, i: number): void {
  bits[i >>> 3]! &= ~(1 << (i & 7));
}

function hasNull(v: Uint8Array, n: number): boolean {
  const full = n >>> 3;
  for (let b = 0; b < full; b++) if (v[b] !== 0xff) return true;
  for (let i = full << 3; i < n; i++) if (!isValidBit(v, i)) return true;
  return false;
}

/** Reads a planned query into frames: the whole result, or batches of about `batchRows` rows. */
export class ResultReader {
  readonly #builders: ColumnBuilder[];
  readonly #capacity: number;
  constructor(plans: readonly ColumnPlan[], types: readonly DuckDBType[], capacity = 65_536) {
    this.#capacity = capacity;
    this.#builders = plans.map((p, i) => new ColumnBuilder(p, types[i]!, capacity));
  }

  get rows(): number {
    return this.#builders[0]?.rows ?? 0;
  }

  add(chunk: DuckDBDataChunk): void {
    const n = chunk.rowCount;
    this.#builders.forEach((b, c) => b.add(duckdb.data_chunk_get_vector(chunk.chunk, c), n));
  }

  frame(): Frame {
    const cols: Record<string, Column> = {};
    for (const b of this.#builders) cols[b.plan.name] = b.finish();
    const f = Frame.fromColumns(cols);
    for (const b of this.#builders) b.reset(this.#capacity);
    return f;
  }
}

/**
 * Runs `query` and returns its whole result as a frame. `expectedRows` (exact or a close over-estimate)
 * lets the columns be allocated once.
 */
export async function queryFrame(
  con: DuckDBConnection,
  query: string,
  expectedRows?: number,
  /** VARCHAR columns to read as ENUMs of these values (see `asEnums`). */
  enums?: ReadonlyMap<string, readonly string[]>,
): Promise<Frame> {
  const plans = asEnums(await planQuery(con, query), enums);
  const res = await con.stream(projectionSql(plans, query));
  const reader = new ResultReader(plans, res.columnTypes(), expectedRows);
  for await (const c of pipelinedChunks(res)) reader.add(c);
  return reader.frame();
}

/** Runs `query` and yields frames of about `batchRows` rows (string codes stay stable across batches). */
export async function* queryBatches(
  con: DuckDBConnection,
  query: string,
  batchRows: number,
): AsyncGenerator<Frame> {
  const plans = await planQuery(con, query);
  const res = await con.stream(projectionSql(plans, query));
  const reader = new ResultReader(plans, res.columnTypes(), batchRows + 2048);
  for await (const c of pipelinedChunks(res)) {
    reader.add(c);
    if (reader.rows >= batchRows) yield reader.frame();
  }
  if (reader.rows > 0) yield reader.frame();
}

/** The frame type a DuckDB type id is read as (the same mapping as planColumn). */
export function frameTypeOfId(typeId: number): ColumnType {
  switch (typeId) {
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DECIMAL:
      return 'float64';
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return 'int32';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'int64';
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.DATE:
      return 'timestamp';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return 'vector';
    default:
      return 'string';
  }
}
