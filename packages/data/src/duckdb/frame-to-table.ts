// Frame → DuckDB table, by copying typed-array memory into data chunks (no JS value per cell).
// Strings with a modest dictionary become ENUM columns filled with their codes; the rest are assigned
// one string at a time. A TEMP VIEW on top restores the logical types (BIGINT, TIMESTAMP, VARCHAR).
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBEnumType, DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import { bitIsSet, type Column, type Frame } from '@cauce/frame';
import { quoteIdent, quoteLiteral, uniqueName } from './instance.js';

const CHUNK = 2048;
/** Dictionaries up to this size are written as ENUM codes (a SQL type literal must list every value). */
const MAX_ENUM = 20000;

interface Plan {
  name: string;
  col: Column;
  physical: string;
  view: string;
  enumValues?: readonly string[];
}

function hasDuplicates(values: readonly string[]): boolean {
  return new Set(values).size !== values.length;
}

function planFor(name: string, col: Column): Plan {
  const q = quoteIdent(name);
  switch (col.type) {
    case 'float64':
      return { name, col, physical: 'DOUBLE', view: q };
    case 'int64':
      return { name, col, physical: 'DOUBLE', view: `CAST(${q} AS BIGINT) AS ${q}` };
    case 'timestamp':
      return {
        name,
        col,
        physical: 'DOUBLE',
        view: `make_timestamp(CAST(round(${q} * 1000) AS BIGINT)) AS ${q}`,
      };
    case 'int32':
      return { name, col, physical: 'INTEGER', view: q };
    case 'bool':
      return { name, col, physical: 'BOOLEAN', view: q };
    case 'string': {
      const dict = col.dictionary;
      if (dict.length > 0 && dict.length <= MAX_ENUM && !hasDuplicates(dict)) {
        const physical = `ENUM(${dict.map(quoteLiteral).join(', ')})`;
        return { name, col, physical, view: `CAST(${q} AS VARCHAR) AS ${q}`, enumValues: dict };
      }
      return { name, col, physical: 'VARCHAR', view: q };
    }
    case 'vector':
      return { name, col, physical: `DOUBLE[${col.size}]`, view: q };
  }
}

/**
 * Creates TEMP table `name` on `con` holding the frame (through a view that restores logical types).
 * Returns a function that drops what was created.
 */
export async function registerFrame(
  con: DuckDBConnection,
  name: string,
  frame: Frame,
): Promise<() => Promise<void>> {
  const table = uniqueName('frame');
  const plans = frame.columnNames.map((n) => planFor(n, frame.column(n)));
  if (plans.length === 0) {
    await con.run(`CREATE TEMP VIEW ${quoteIdent(name)} AS SELECT 1 AS one WHERE false`);
    return async () => void (await con.run(`DROP VIEW IF EXISTS ${quoteIdent(name)}`));
  }
  await con.run(
    `CREATE TEMP TABLE ${quoteIdent(table)} (${plans.map((p) => `${quoteIdent(p.name)} ${p.physical}`).join(', ')})`,
  );
  const probe = await con.stream(`SELECT * FROM ${quoteIdent(table)} LIMIT 0`);
  const types = probe.columnTypes();
  const appender = await con.createAppender(table, 'main', 'temp');
  const chunk = DuckDBDataChunk.create(types, CHUNK);
  try {
    for (let start = 0; start < frame.numRows; start += CHUNK) {
      const m = Math.min(CHUNK, frame.numRows - start);
      chunk.reset();
      plans.forEach((p, c) => {
        const t = types[c]!;
        const width =
          t instanceof DuckDBEnumType
            ? t.internalTypeId === DuckDBTypeId.UTINYINT
              ? 1
              : t.internalTypeId === DuckDBTypeId.USMALLINT
                ? 2
                : 4
            : 0;
        fillVector(duckdb.data_chunk_get_vector(chunk.chunk, c), p, start, m, width);
      });
      chunk.rowCount = m;
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await con.run(
    `CREATE TEMP VIEW ${quoteIdent(name)} AS SELECT ${plans.map((p) => p.view).join(', ')} FROM ${quoteIdent(table)}`,
  );
  return async () => {
    await con.run(`DROP VIEW IF EXISTS ${quoteIdent(name)}`);
    await con.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  };
}

function copyInto(
  vector: duckdb.Vector,
  arr: Float64Array | Int32Array | Uint8Array | Uint16Array | Uint32Array,
): void {
  duckdb.copy_data_to_vector(vector, 0, arr.buffer as ArrayBuffer, arr.byteOffset, arr.byteLength);
}

function setNulls(vector: duckdb.Vector, col: Column, start: number, m: number): void {
  let any = false;
  for (let i = 0; i < m && !any; i++) any = col.isNull(start + i);
  if (!any) return;
  const bits = new Uint8Array(Math.ceil(m / 64) * 8).fill(0xff);
  for (let i = 0; i < m; i++) if (col.isNull(start + i)) bits[i >>> 3]! &= ~(1 << (i & 7));
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, bits.buffer, 0, bits.byteLength);
}

function fillVector(vector: duckdb.Vector, p: Plan, start: number, m: number, enumWidth: number): void {
  const col = p.col;
  switch (col.type) {
    case 'float64':
    case 'int64':
    case 'timestamp':
    case 'int32':
    case 'bool': {
      const out =
        col.type === 'int32'
          ? new Int32Array(m)
          : col.type === 'bool'
            ? new Uint8Array(m)
            : new Float64Array(m);
      const data = col.data;
      if (col.index === undefined) out.set(data.subarray(start, start + m) as never);
      else for (let i = 0; i < m; i++) out[i] = data[col.index[start + i]!]!;
      // Null rows hold arbitrary bytes; zero them so DuckDB never sees NaN → BIGINT casts fail.
      if (col.validity !== undefined)
        for (let i = 0; i < m; i++) if (!bitIsSet(col.validity, col.base(start + i))) out[i] = 0;
      copyInto(vector, out);
      setNulls(vector, col, start, m);
      return;
    }
    case 'string': {
      if (p.enumValues !== undefined) {
        const out =
          enumWidth === 1 ? new Uint8Array(m) : enumWidth === 2 ? new Uint16Array(m) : new Uint32Array(m);
        for (let i = 0; i < m; i++) out[i] = Math.max(0, col.code(start + i));
        copyInto(vector, out);
      } else {
        for (let i = 0; i < m; i++) {
          const s = col.get(start + i);
          if (s !== null) duckdb.vector_assign_string_element(vector, i, s);
        }
      }
      setNulls(vector, col, start, m);
      return;
    }
    case 'vector': {
      const size = col.size;
      const out = new Float64Array(m * size);
      for (let i = 0; i < m; i++) {
        const row = col.get(start + i);
        if (row !== null) out.set(row, i * size);
      }
      copyInto(duckdb.array_vector_get_child(vector), out);
      setNulls(vector, col, start, m);
      return;
    }
  }
}
