import { availableParallelism } from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '../errors.js';

// One in-memory DuckDB per process, created on first use. Each operation takes its own connection, so
// TEMP tables registered for one `sql()` call are invisible to another running at the same time.
let instance: Promise<DuckDBInstance> | undefined;

function getInstance(): Promise<DuckDBInstance> {
  instance ??= DuckDBInstance.create(':memory:', { threads: String(Math.max(1, cpuCount())) });
  return instance;
}

function cpuCount(): number {
  return availableParallelism();
}

/** Runs `fn` with a fresh connection that is closed afterwards. */
export async function withConnection<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const con = await openConnection();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
  }
}

/** A fresh connection the caller must close (used by streaming readers). */
export async function openConnection(): Promise<DuckDBConnection> {
  const con = await (await getInstance()).connect();
  // The default streaming buffer (~1 MB) makes DuckDB's parallel scan wait for JS to take each chunk;
  // 16 MB lets the producer run ahead at a bounded memory cost (CSV reads set a smaller one: io/source.ts).
  await con.run("SET streaming_buffer_size = '16MB'");
  return con;
}

/** A SQL identifier, always quoted (column names like `nulls` or `valor del contrato` are fine). */
export function quoteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

/** A SQL string literal. */
export function quoteLiteral(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

let counter = 0;
/** A name no user table will have. */
export function uniqueName(prefix: string): string {
  counter++;
  return `__cauce_${prefix}_${process.pid}_${counter}`;
}

/** DuckDB's message without its `Error: ` boilerplate, wrapped as a DataError. */
export function sqlError(e: unknown, context: string): DataError {
  const msg = e instanceof Error ? e.message : String(e);
  return new DataError('SQL_ERROR', `${context}: ${msg}`);
}
