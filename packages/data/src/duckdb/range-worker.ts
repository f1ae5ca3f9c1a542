// The worker thread of parallel reads (parallel-read.ts), as CommonJS source run with `eval: true`: it then
// starts the same way under tsx (tests, benchmarks) and from compiled JS, and needs no TypeScript loader in
// the worker (a tsx bootstrap costs ~0.4 s per worker start; this source starts in ~40 ms + DuckDB).
//
// Each worker owns a one-thread in-memory DuckDB. A job is a SQL statement whose result columns have
// the physical shapes of result-to-frame.ts (DOUBLE, INTEGER, BOOLEAN, ENUM) and a row range of the final
// frame; the worker copies every chunk straight into the frame's SharedArrayBuffer columns at that range
// (so nothing is copied again on the main thread) and answers with the row count and, for columns that
// had nulls, a validity bitmap of its own rows (the main thread merges those; bitmap bytes may straddle
// two workers' ranges, so they are never written concurrently).
// Null rows are written as result-to-frame.ts does: NaN (f64), 0 (i32, bool), code -1 (enum).
export const RANGE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const duckdb = require(workerData.bindings);
const { DuckDBInstance, DuckDBTypeId } = require(workerData.api);
// The connection is opened as soon as the worker starts, so a warm-up (warmRangeWorkers) hides it.
const ready = DuckDBInstance.create(':memory:', { threads: '1' })
  .then((db) => db.connect())
  .then(async (c) => {
    await c.run("SET streaming_buffer_size = '4MB'");
    return c;
  });
ready.catch(() => undefined);

function hasNull(v, n) {
  const full = n >>> 3;
  for (let b = 0; b < full; b++) if (v[b] !== 0xff) return true;
  for (let i = full << 3; i < n; i++) if ((v[i >>> 3] & (1 << (i & 7))) === 0) return true;
  return false;
}

async function run(job) {
  const con = await ready;
  const res = await con.stream(job.sql);
  const types = res.columnTypes();
  const rows = job.rows;
  const outs = job.cols.map((c) =>
    c.kind === 'f64'
      ? new Float64Array(c.buffer, job.start * 8, rows)
      : c.kind === 'bool'
        ? new Uint8Array(c.buffer, job.start, rows)
        : new Int32Array(c.buffer, job.start * 4, rows),
  );
  const widths = job.cols.map((c, i) => {
    if (c.kind !== 'enum') return 0;
    const id = types[i].internalTypeId;
    return id === DuckDBTypeId.UTINYINT ? 1 : id === DuckDBTypeId.USMALLINT ? 2 : 4;
  });
  const nulls = job.cols.map(() => undefined);
  let off = 0;
  let next = res.fetchChunk();
  try {
    for (;;) {
      const chunk = await next;
      next = undefined;
      if (chunk === null || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      if (off + n > rows) throw new Error('the source returned more rows than its metadata announced');
      next = res.fetchChunk();
      for (let c = 0; c < outs.length; c++) {
        const v = duckdb.data_chunk_get_vector(chunk.chunk, c);
        const valid = duckdb.vector_get_validity(v, Math.ceil(n / 64) * 8);
        const anyNull = valid !== null && hasNull(valid, n);
        const kind = job.cols[c].kind;
        const out = outs[c];
        if (kind === 'f64') {
          const raw = duckdb.vector_get_data(v, n * 8);
          out.set(new Float64Array(raw.buffer, raw.byteOffset, n), off);
        } else if (kind === 'i32') {
          const raw = duckdb.vector_get_data(v, n * 4);
          out.set(new Int32Array(raw.buffer, raw.byteOffset, n), off);
        } else if (kind === 'bool') {
          out.set(duckdb.vector_get_data(v, n).subarray(0, n), off);
        } else {
          const w = widths[c];
          const raw = duckdb.vector_get_data(v, n * w);
          const src = w === 1 ? raw : w === 2 ? new Uint16Array(raw.buffer, raw.byteOffset, n) : new Uint32Array(raw.buffer, raw.byteOffset, n);
          for (let i = 0; i < n; i++) out[off + i] = src[i];
        }
        if (anyNull) {
          const bits = (nulls[c] ??= new Uint8Array((rows + 7) >>> 3).fill(0xff));
          const fill = kind === 'f64' ? NaN : kind === 'enum' ? -1 : 0;
          for (let i = 0; i < n; i++) {
            if ((valid[i >>> 3] & (1 << (i & 7))) !== 0) continue;
            out[off + i] = fill;
            bits[(off + i) >>> 3] &= ~(1 << ((off + i) & 7));
          }
        }
      }
      off += n;
    }
  } finally {
    // Never leave a fetch running under a result that is being dropped (it crashes the binding).
    if (next !== undefined) await next.catch(() => null);
  }
  if (off !== rows) throw new Error('the source returned ' + off + ' rows where its metadata announced ' + rows);
  return { rows: off, nulls };
}

parentPort.on('message', (job) => {
  run(job).then(
    (r) => parentPort.postMessage({ id: job.id, rows: r.rows, nulls: r.nulls }, r.nulls.filter((b) => b !== undefined).map((b) => b.buffer)),
    (e) => parentPort.postMessage({ id: job.id, error: e && e.message ? e.message : String(e) }),
  );
});
`;
