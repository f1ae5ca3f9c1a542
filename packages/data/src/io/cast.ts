import type { DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '../errors.js';
import { quoteIdent } from '../duckdb/instance.js';

/** Cast targets users may name in `--cast col=type`, and the DuckDB type each one means. */
export const CAST_TYPES: Readonly<Record<string, string>> = {
  double: 'DOUBLE',
  float64: 'DOUBLE',
  float: 'DOUBLE',
  int: 'INTEGER',
  int32: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  int64: 'BIGINT',
  long: 'BIGINT',
  bool: 'BOOLEAN',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  string: 'VARCHAR',
  varchar: 'VARCHAR',
};

/** Parses `col=type` specs into a map (clear errors for bad specs and unknown types). */
export function parseCasts(specs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const col = spec.slice(0, eq).trim();
    const type = spec
      .slice(eq + 1)
      .trim()
      .toLowerCase();
    if (eq <= 0 || col === '' || type === '') {
      throw new DataError(
        'INVALID_ARGUMENT',
        `bad cast ${JSON.stringify(spec)}`,
        'write it as column=type, e.g. valor_del_contrato=double',
      );
    }
    if (CAST_TYPES[type] === undefined) {
      throw new DataError(
        'INVALID_ARGUMENT',
        `unknown cast type ${JSON.stringify(type)} for column ${JSON.stringify(col)}`,
        `use one of ${Object.keys(CAST_TYPES).join(', ')}`,
      );
    }
    out[col] = type;
  }
  return out;
}

/** Column names of a query's result. */
export async function columnsOf(con: DuckDBConnection, query: string): Promise<string[]> {
  const res = await con.stream(`SELECT * FROM (${query}) LIMIT 0`);
  return res.columnNames();
}

/**
 * Wraps `query` so the cast columns have their new types. Every cast is checked first: the first value
 * that does not convert is named in the error (a silent NULL would hide bad data).
 */
export async function applyCasts(
  con: DuckDBConnection,
  query: string,
  casts: Record<string, string>,
  where = 'the data',
): Promise<string> {
  const names = Object.keys(casts);
  if (names.length === 0) return query;
  const columns = await columnsOf(con, query);
  for (const n of names) {
    if (!columns.includes(n)) {
      throw new DataError(
        'INVALID_ARGUMENT',
        `--cast names column ${JSON.stringify(n)}, which ${where} does not have`,
        `available columns: ${columns.join(', ')}`,
      );
    }
  }
  const src = `(${query})`;
  for (const n of names) {
    const t = CAST_TYPES[casts[n]!]!;
    const c = quoteIdent(n);
    const res = await con.runAndReadAll(
      `SELECT CAST(${c} AS VARCHAR) AS v, count(*) OVER () AS k FROM ${src} WHERE ${c} IS NOT NULL AND TRY_CAST(${c} AS ${t}) IS NULL LIMIT 1`,
    );
    const rows = res.getRowObjectsJS();
    if (rows.length > 0) {
      const v = String(rows[0]!.v);
      throw new DataError(
        'CAST_FAILED',
        `cannot cast column ${JSON.stringify(n)} to ${casts[n]}: value ${JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v)} does not convert`,
        `clean the column first or leave it as text (drop --cast ${n}=${casts[n]})`,
      );
    }
  }
  const select = columns
    .map((n) =>
      casts[n] !== undefined
        ? `CAST(${quoteIdent(n)} AS ${CAST_TYPES[casts[n]!]}) AS ${quoteIdent(n)}`
        : quoteIdent(n),
    )
    .join(', ');
  return `SELECT ${select} FROM ${src}`;
}
