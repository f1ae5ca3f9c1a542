// Output schema of a SQL statement, synchronously. ML's `transformSchema` is sync (Pipeline.fit checks the
// whole chain before any work), while DuckDB's Node API is async; so a worker thread owns a DuckDB
// connection, and the caller blocks on Atomics.wait until the worker has planned the statement
// (LIMIT 0 over an empty table of the input schema). Only SQLTransformer.transformSchema uses this.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface SyncSchemaResult {
  names: string[];
  typeIds: number[];
  types: string[];
}

// CommonJS source so it runs with `eval: true` under tsx and compiled JS alike (STACK.md, worker threads).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DuckDBInstance } = require(workerData.duckdbPath);
let con;
parentPort.on('message', async ({ sql, sab }) => {
  let out;
  try {
    if (!con) con = await (await DuckDBInstance.create(':memory:')).connect();
    const res = await con.stream(sql);
    const types = res.columnTypes();
    out = { names: res.columnNames(), typeIds: types.map((t) => t.typeId), types: types.map((t) => t.toString()) };
  } catch (e) {
    out = { error: e && e.message ? e.message : String(e) };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(out));
  const room = new Uint8Array(sab, 8);
  const n = Math.min(bytes.length, room.length);
  room.set(bytes.subarray(0, n));
  const head = new Int32Array(sab, 0, 2);
  head[1] = n;
  Atomics.store(head, 0, 1);
  Atomics.notify(head, 0);
});
`;

let worker: Worker | undefined;

function getWorker(): Worker {
  if (worker === undefined) {
    const duckdbPath = createRequire(import.meta.url).resolve('@duckdb/node-api');
    worker = new Worker(WORKER, { eval: true, workerData: { duckdbPath } });
    worker.unref(); // never keeps the process alive
  }
  return worker;
}

/** Plans `sql` in the worker and returns its columns; throws Error(message) when DuckDB refuses it. */
export function schemaOfSync(sql: string, timeoutMs = 30_000): SyncSchemaResult {
  const sab = new SharedArrayBuffer(8 + (1 << 20));
  const head = new Int32Array(sab, 0, 2);
  getWorker().postMessage({ sql, sab });
  const r = Atomics.wait(head, 0, 0, timeoutMs);
  if (r === 'timed-out') throw new Error(`planning the statement took longer than ${timeoutMs} ms`);
  const text = new TextDecoder().decode(new Uint8Array(sab, 8, head[1]!).slice());
  const out = JSON.parse(text) as SyncSchemaResult | { error: string };
  if ('error' in out) throw new Error(out.error);
  return out;
}
