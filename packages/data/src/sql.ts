import { Frame } from '@cauce/frame';
import { DataError } from './errors.js';
import { registerFrame } from './duckdb/frame-to-table.js';
import { quoteIdent, sqlError, withConnection } from './duckdb/instance.js';
import { queryFrame } from './duckdb/result-to-frame.js';
import { preparedReaderCall } from './io/source.js';

/** What a name in `sql()` can stand for: a frame, or a file path / glob (CSV, Parquet, JSON, JSONL). */
export type SqlTable = Frame | string;

/**
 * Runs DuckDB SQL over frames and files and returns the result as a frame:
 * `sql('SELECT entidad, sum(valor) FROM contratos GROUP BY 1', { contratos })`.
 * Each call uses its own connection, so names never leak between calls.
 */
export async function sql(query: string, tables: Record<string, SqlTable> = {}): Promise<Frame> {
  if (typeof query !== 'string' || query.trim() === '') {
    throw new DataError(
      'INVALID_ARGUMENT',
      'sql() needs a query string',
      "e.g. sql('SELECT * FROM t', { t: frame })",
    );
  }
  return withConnection(async (con) => {
    const cleanups: (() => Promise<void>)[] = [];
    try {
      for (const [name, t] of Object.entries(tables)) {
        if (t instanceof Frame) cleanups.push(await registerFrame(con, name, t));
        else if (typeof t === 'string') {
          await con.run(
            `CREATE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM ${await preparedReaderCall(con, t)}`,
          );
          cleanups.push(async () => void (await con.run(`DROP VIEW IF EXISTS ${quoteIdent(name)}`)));
        } else {
          throw new DataError(
            'INVALID_ARGUMENT',
            `table ${JSON.stringify(name)} must be a Frame or a file path`,
          );
        }
      }
      const q = query.trim().replace(/;\s*$/, '');
      try {
        return await queryFrame(con, q);
      } catch (e) {
        if (e instanceof DataError) throw e;
        throw sqlError(e, 'the SQL query failed');
      }
    } finally {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    }
  });
}
