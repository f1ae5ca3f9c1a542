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
import { quoteIdent } from './instance.js';
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
  data: Float64Array | Int32Array | Uint8Array;
  validity: Uint8Array | null;
  size?: number;
}

/** Accumulates chunks of one column; `finish` concatenates them once. */
class ColumnBuilder {
  readonly plan: ColumnPlan;
  parts: Part[] = [];
  rows = 0;
  dictionary: StringDictionary | undefined;
  enumValues: readonly string[] | undefined;
  enumWidth = 1;
  vectorSize = -1;

  constructor(plan: ColumnPlan, type: DuckDBType) {
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
  }

  add(vector: duckdb.Vector, n: number): void {
    // vector_get_data / vector_get_validity return fresh copies (checked on @duckdb/node-bindings 1.5.6),
    // so their buffers can be kept as they are.
    const valid = validityOf(vector, n);
    switch (this.plan.kind) {
      case 'f64': {
        const raw = duckdb.vector_get_data(vector, n * 8);
        const data =
          raw.byteOffset % 8 === 0
            ? new Float64Array(raw.buffer, raw.byteOffset, n)
            : new Float64Array(raw.slice().buffer);
        // Raw memory under a NULL is garbage: make it NaN so null-unaware kernels see a missing value.
        if (valid !== null) for (let i = 0; i < n; i++) if (!isValidBit(valid, i)) data[i] = NaN;
        this.parts.push({ rows: n, data, validity: valid });
        break;
      }
      case 'i32': {
        const raw = duckdb.vector_get_data(vector, n * 4);
        const data =
          raw.byteOffset % 4 === 0
            ? new Int32Array(raw.buffer, raw.byteOffset, n)
            : new Int32Array(raw.slice().buffer);
        this.parts.push({ rows: n, data, validity: valid });
        break;
      }
      case 'bool': {
        const raw = duckdb.vector_get_data(vector, n);
        this.parts.push({ rows: n, data: raw.subarray(0, n), validity: valid });
        break;
      }
      case 'str': {
        const raw = duckdb.vector_get_data(vector, n * 16);
        const codes = new Int32Array(n);
        this.dictionary!.encode(raw, n, (i) => isValidBit(valid, i), codes, 0);
        this.parts.push({ rows: n, data: codes, validity: null });
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
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) codes[i] = isValidBit(valid, i) ? src[i]! : -1;
        this.parts.push({ rows: n, data: codes, validity: null });
        break;
      }
      case 'list':
        this.#addList(vector, n, valid);
        break;
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
    this.parts.push({ rows: n, data, validity: valid, size: width });
  }

  finish(): Column {
    const col = this.#build();
    this.parts = []; // let the chunk copies go before the next column is concatenated (peak memory)
    return col;
  }

  #build(): Column {
    const n = this.rows;
    const validity = mergeValidity(this.parts, n);
    const kind = this.plan.kind;
    if (kind === 'str' || kind === 'enum') {
      const codes = concatParts(this.parts, new Int32Array(n), 1);
      const dict = kind === 'str' ? this.dictionary!.values.slice() : this.enumValues!;
      return new StringColumn(codes, dict);
    }
    if (kind === 'f64') {
      const t = this.plan.type as 'float64' | 'int64' | 'timestamp';
      return new NumberColumn(t, concatParts(this.parts, new Float64Array(n), 1), validity);
    }
    if (kind === 'i32') return new Int32Column(concatParts(this.parts, new Int32Array(n), 1), validity);
    if (kind === 'bool') return new BoolColumn(concatParts(this.parts, new Uint8Array(n), 1), validity);
    const size = Math.max(this.vectorSize, 0);
    if (size === 0 && n > 0) {
      throw new DataError(
        'MALFORMED_INPUT',
        `column ${JSON.stringify(this.plan.name)} holds only empty or null lists; it cannot become a vector column`,
      );
    }
    return new VectorColumn(size, concatParts(this.parts, new Float64Array(n * size), size), validity);
  }

  /** Starts a new batch (streaming): parts are dropped, the string dictionary keeps growing. */
  reset(): void {
    this.parts = [];
    this.rows = 0;
  }
}

function concatParts<T extends Float64Array | Int32Array | Uint8Array>(
  parts: Part[],
  out: T,
  width: number,
): T {
  let off = 0;
  for (const p of parts) {
    out.set(p.data as never, off * width);
    off += p.rows;
  }
  return out;
}

function mergeValidity(parts: Part[], n: number): Uint8Array | undefined {
  if (!parts.some((p) => p.validity !== null && hasNull(p.validity, p.rows))) return undefined;
  const bits = allValid(n);
  let off = 0;
  for (const p of parts) {
    if (p.validity !== null) {
      if ((off & 7) === 0) {
        const bytes = p.rows >>> 3;
        bits.set(p.validity.subarray(0, bytes), off >>> 3);
        for (let i = bytes << 3; i < p.rows; i++) if (!isValidBit(p.validity, i)) clear(bits, off + i);
      } else {
        for (let i = 0; i < p.rows; i++) if (!isValidBit(p.validity, i)) clear(bits, off + i);
      }
    }
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
  constructor(plans: readonly ColumnPlan[], types: readonly DuckDBType[]) {
    this.#builders = plans.map((p, i) => new ColumnBuilder(p, types[i]!));
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
    for (const b of this.#builders) b.reset();
    return f;
  }
}

/** Runs `query` and returns its whole result as a frame. */
export async function queryFrame(con: DuckDBConnection, query: string): Promise<Frame> {
  const plans = await planQuery(con, query);
  const res = await con.stream(projectionSql(plans, query));
  const reader = new ResultReader(plans, res.columnTypes());
  for (let c = await res.fetchChunk(); c !== null && c.rowCount > 0; c = await res.fetchChunk())
    reader.add(c);
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
  const reader = new ResultReader(plans, res.columnTypes());
  for (let c = await res.fetchChunk(); c !== null && c.rowCount > 0; c = await res.fetchChunk()) {
    reader.add(c);
    if (reader.rows >= batchRows) yield reader.frame();
  }
  if (reader.rows > 0) yield reader.frame();
}
