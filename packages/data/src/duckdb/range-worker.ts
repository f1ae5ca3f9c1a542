// The worker thread of parallel reads (parallel-read.ts), as CommonJS source run with `eval: true`.
// Plain JS on purpose: under tsx (tests, benchmarks) a TypeScript worker needs the loader registered in
// every worker, which took ~0.4 s per start and ~40 MB more memory per worker (its own loader thread),
// enough to break the CSV memory target by itself; this source starts in ~40 ms from TS and JS alike.
// Messages are typed in range-jobs.ts.
//
// Each worker owns a one-thread in-memory DuckDB. A `read` job is a SQL statement whose result columns
// have the physical shapes of result-to-frame.ts (DOUBLE, INTEGER, BOOLEAN, ENUM, VARCHAR) and a row range
// of the final frame: the worker copies every chunk straight into the frame's SharedArrayBuffer columns at
// that range (nothing is copied again on the main thread) and answers with its row count, a validity
// bitmap of its own rows for columns that had nulls (bitmap bytes can straddle two workers' ranges, so
// the main thread merges them), and the local dictionary of each VARCHAR column (the main thread maps the
// codes onto one dictionary). Null rows are written as result-to-frame.ts writes them: NaN (f64),
// 0 (i32, bool), code -1 (strings).
// A `count` job counts the lines of a byte range of a file (CSV splitting, io/parallel-csv.ts).
//
// Memory: @duckdb/node-bindings copies every vector it hands out (vector_get_data), ~400 kB of garbage
// per chunk that V8 only counts as external memory, so each isolate let ~64 MB or more pile up before a
// full GC; with two workers a 1M × 24 CSV load peaked at 2.3–2.5× its typed arrays. A young-generation
// collection every GC_EVERY chunks frees those copies early: 1.74–1.81× (measured with bench/data.ts's
// method). `gc` is taken from a fresh context after setting --expose-gc.
export const RANGE_WORKER_SOURCE: string = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');
const duckdb = require(workerData.bindings);
const { DuckDBInstance, DuckDBTypeId } = require(workerData.api);

// The flag is process-wide and left on: turning it off again raced with the other workers starting at
// the same time (one of them found no gc). Without gc the reads still work, with more garbage.
v8.setFlagsFromString('--expose-gc');
let gc = () => undefined;
try {
  gc = vm.runInNewContext('gc');
} catch {
  // not exposed: no early collections
}
const GC_EVERY = 16;
let chunksSeen = 0;

// The connection is opened as soon as the worker starts, so a warm-up hides it.
const ready = DuckDBInstance.create(':memory:', { threads: '1' })
  .then((db) => db.connect())
  .then(async (c) => {
    await c.run("SET streaming_buffer_size = '4MB'");
    return c;
  });
// Tell the pool when DuckDB is up: until then it keeps the worker referenced, because a process that
// exits while the instance is being created aborts in the binding ("terminate called after throwing an
// instance of 'Napi::Error'", seen when a read fell back to the serial path right after the warm-up).
ready.then(
  () => parentPort.postMessage({ ready: true }),
  () => parentPort.postMessage({ ready: true }),
);

function hasNull(v, n) {
  const full = n >>> 3;
  for (let b = 0; b < full; b++) if (v[b] !== 0xff) return true;
  for (let i = full << 3; i < n; i++) if ((v[i >>> 3] & (1 << (i & 7))) === 0) return true;
  return false;
}

// Dictionary codes from raw duckdb_string_t (16 bytes: uint32 length, then the string itself when it has
// at most 12 bytes, else a prefix and a pointer); the same scheme as string-dictionary.ts: short strings
// are hashed by their raw words and decoded once, long ones are read through the pointer into a Map.
const decoder = new TextDecoder();
const MASKS = [0, 0xff, 0xffff, 0xffffff];
class Dictionary {
  constructor() {
    this.values = [];
    this.long = new Map();
    this.keys = new Uint32Array(4 * 1024);
    this.codes = new Int32Array(1024).fill(-1);
    this.mask = 1023;
    this.size = 0;
  }
  static hash(len, w1, w2, w3) {
    let h = Math.imul(len ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ w1, 0xc2b2ae35);
    h = Math.imul(h ^ w2, 0x85ebca6b);
    h = Math.imul(h ^ w3, 0xc2b2ae35);
    return h ^ (h >>> 15);
  }
  encode(raw, n, valid, out, off) {
    const words = new Uint32Array(raw.buffer, raw.byteOffset, n * 4);
    for (let i = 0; i < n; i++) {
      if (valid !== null && (valid[i >>> 3] & (1 << (i & 7))) === 0) {
        out[off + i] = -1;
        continue;
      }
      const len = words[i * 4];
      if (len > 12) {
        const s = decoder.decode(duckdb.get_data_from_pointer(raw.buffer, raw.byteOffset + i * 16 + 8, len));
        let c = this.long.get(s);
        if (c === undefined) {
          c = this.values.length;
          this.values.push(s);
          this.long.set(s, c);
        }
        out[off + i] = c;
        continue;
      }
      let w1 = words[i * 4 + 1];
      let w2 = words[i * 4 + 2];
      let w3 = words[i * 4 + 3];
      if (len < 4) {
        w1 = (w1 & MASKS[len]) >>> 0;
        w2 = 0;
        w3 = 0;
      } else if (len < 8) {
        w2 = len === 4 ? 0 : (w2 & MASKS[len - 4]) >>> 0;
        w3 = 0;
      } else if (len < 12) {
        w3 = len === 8 ? 0 : (w3 & MASKS[len - 8]) >>> 0;
      }
      out[off + i] = this.lookup(len, w1, w2, w3, raw, i);
    }
  }
  lookup(len, w1, w2, w3, raw, i) {
    let slot = Dictionary.hash(len, w1, w2, w3) & this.mask;
    for (;;) {
      const c = this.codes[slot];
      if (c < 0) break;
      const k = slot * 4;
      if (this.keys[k] === len && this.keys[k + 1] === w1 && this.keys[k + 2] === w2 && this.keys[k + 3] === w3) return c;
      slot = (slot + 1) & this.mask;
    }
    const code = this.values.length;
    this.values.push(decoder.decode(raw.subarray(i * 16 + 4, i * 16 + 4 + len)));
    this.keys.set([len, w1, w2, w3], slot * 4);
    this.codes[slot] = code;
    if (++this.size * 2 > this.mask) this.grow();
    return code;
  }
  grow() {
    const keys = this.keys;
    const codes = this.codes;
    const cap = (this.mask + 1) * 2;
    this.keys = new Uint32Array(cap * 4);
    this.codes = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let s = 0; s < codes.length; s++) {
      if (codes[s] < 0) continue;
      let slot = Dictionary.hash(keys[s * 4], keys[s * 4 + 1], keys[s * 4 + 2], keys[s * 4 + 3]) & this.mask;
      while (this.codes[slot] >= 0) slot = (slot + 1) & this.mask;
      this.keys.set(keys.subarray(s * 4, s * 4 + 4), slot * 4);
      this.codes[slot] = codes[s];
    }
  }
}

function countLines(job) {
  const fd = fs.openSync(job.file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    let quoted = false;
    let last = -1;
    for (let pos = job.from; pos < job.to; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, job.to - pos), pos);
      if (n <= 0) break;
      const b = n === buf.length ? buf : buf.subarray(0, n);
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
      // A quote anywhere means the caller reads serially: stop here.
      if (job.quote >= 0 && b.includes(job.quote)) {
        quoted = true;
        break;
      }
      last = b[n - 1];
      pos += n;
    }
    if (job.atEnd && last !== 10 && last !== -1) lines++;
    return { lines, quoted };
  } finally {
    fs.closeSync(fd);
  }
}

function view(kind, buffer, start, rows) {
  if (kind === 'f64') return new Float64Array(buffer, start * 8, rows);
  if (kind === 'bool') return new Uint8Array(buffer, start, rows);
  return new Int32Array(buffer, start * 4, rows);
}

async function read(job) {
  const con = await ready;
  const res = await con.stream(job.sql);
  const types = res.columnTypes();
  const rows = job.rows;
  const kinds = job.cols.map((c) => c.kind);
  const outs = job.cols.map((c) => view(c.kind, c.buffer, job.start, rows));
  const widths = kinds.map((k, i) => {
    if (k !== 'enum') return 0;
    const id = types[i].internalTypeId;
    return id === DuckDBTypeId.UTINYINT ? 1 : id === DuckDBTypeId.USMALLINT ? 2 : 4;
  });
  const dicts = kinds.map((k) => (k === 'str' ? new Dictionary() : undefined));
  const nulls = kinds.map(() => undefined);
  let off = 0;
  let next = res.fetchChunk();
  try {
    for (;;) {
      const chunk = await next;
      next = undefined;
      if (chunk === null || chunk.rowCount === 0) break;
      const n = chunk.rowCount;
      if (off + n > rows) throw new Error('the source returned more than the ' + rows + ' rows announced');
      next = res.fetchChunk();
      for (let c = 0; c < outs.length; c++) {
        const v = duckdb.data_chunk_get_vector(chunk.chunk, c);
        const valid = duckdb.vector_get_validity(v, Math.ceil(n / 64) * 8);
        const anyNull = valid !== null && hasNull(valid, n);
        const kind = kinds[c];
        const out = outs[c];
        if (kind === 'f64') {
          const raw = duckdb.vector_get_data(v, n * 8);
          out.set(new Float64Array(raw.buffer, raw.byteOffset, n), off);
        } else if (kind === 'i32') {
          const raw = duckdb.vector_get_data(v, n * 4);
          out.set(new Int32Array(raw.buffer, raw.byteOffset, n), off);
        } else if (kind === 'bool') {
          out.set(duckdb.vector_get_data(v, n).subarray(0, n), off);
        } else if (kind === 'str') {
          dicts[c].encode(duckdb.vector_get_data(v, n * 16), n, anyNull ? valid : null, out, off);
        } else {
          const w = widths[c];
          const raw = duckdb.vector_get_data(v, n * w);
          const src =
            w === 1 ? raw : w === 2 ? new Uint16Array(raw.buffer, raw.byteOffset, n) : new Uint32Array(raw.buffer, raw.byteOffset, n);
          for (let i = 0; i < n; i++) out[off + i] = src[i];
        }
        if (anyNull) {
          const bits = (nulls[c] ??= new Uint8Array((rows + 7) >>> 3).fill(0xff));
          const fill = kind === 'f64' ? NaN : kind === 'enum' || kind === 'str' ? -1 : 0;
          for (let i = 0; i < n; i++) {
            if ((valid[i >>> 3] & (1 << (i & 7))) !== 0) continue;
            out[off + i] = fill;
            bits[(off + i) >>> 3] &= ~(1 << ((off + i) & 7));
          }
        }
      }
      off += n;
      if (++chunksSeen % GC_EVERY === 0) gc({ type: 'minor' });
    }
  } finally {
    // Never drop a result under a running fetch (it crashes the binding).
    if (next !== undefined) await next.catch(() => null);
  }
  if (off !== rows) throw new Error('the source returned ' + off + ' rows where ' + rows + ' were announced');
  return { rows: off, nulls, dicts: dicts.map((d) => (d === undefined ? undefined : d.values)) };
}

// One job at a time: two reads in the same process (readFrame calls run concurrently) must not stream two
// results on this worker's one connection at once.
let queue = Promise.resolve();
const fail = (job, e) => parentPort.postMessage({ id: job.id, error: e && e.message ? e.message : String(e) });
parentPort.on('message', (job) => {
  const run = async () => (job.type === 'count' ? countLines(job) : read(job));
  queue = queue.then(run).then(
    (r) => {
      try {
        const transfer = (r.nulls || []).filter((b) => b !== undefined).map((b) => b.buffer);
        parentPort.postMessage({ ...r, id: job.id }, transfer);
      } catch (e) {
        fail(job, e);
      }
    },
    (e) => fail(job, e),
  );
});
`;
