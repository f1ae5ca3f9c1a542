// Parquet → frame on several cores. The serial path (result-to-frame.ts) spends most of a large load on the
// main thread: ~0.5 ms of N-API calls and copies per 2,048-row chunk, plus the wait for the next chunk's
// fetch (one libuv round trip each). Measured on reg_1m.parquet (1M × 24, snappy, 9 row groups), 2 cores:
// serial 0.49–0.62 s wall / 0.62–0.74 s CPU, of which ~0.26 s on the main thread waiting for fetches.
// Here the file's row groups are split into contiguous ranges, one per worker thread (range-worker.ts),
// each with its own one-thread DuckDB reading `WHERE file_row_number` in its range (DuckDB prunes the other
// row groups from that filter: the last 10% of the rows cost 4 ms instead of 21 ms for the whole file), and
// copying its chunks straight into SharedArrayBuffer columns preallocated from the footer's exact row count.
// The main thread meanwhile reads the columns workers do not handle (VARCHAR that is not an ENUM, lists)
// through the serial path. Row order is that of the file: each range lands at its own offset.
// Measured the same way: 2 workers 0.25–0.31 s wall, ~0.5 s CPU once the workers are up (first call pays
// ~0.1 s to start them); 3–4 workers on 2 cores were slower (0.28–0.37 s).
// Anything unexpected (a worker error, a row count that differs from the footer) returns undefined and the
// caller reads serially, so errors are reported exactly as before.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  BoolColumn,
  Frame,
  Int32Column,
  NumberColumn,
  StringColumn,
  allValid,
  type Column,
} from '@cauce/frame';
import { quoteIdent, quoteLiteral } from './instance.js';
import { projectionSql, queryFrame, type ColumnPlan } from './result-to-frame.js';
import type { CountJob, ReadJob, WorkerKind, WorkerReply } from './range-jobs.js';
import { startFeeder, type Feed } from './pipe-feeder.js';
import { RANGE_WORKER_SOURCE } from './range-worker.js';

/** Below this many rows a serial read is as fast as starting the workers' queries. */
export const PARALLEL_MIN_ROWS = 200_000;

interface Pending {
  worker: Worker;
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

let pool: Worker[] | undefined;
/** Workers whose DuckDB is up (only those may be unreferenced). */
const started = new WeakSet<Worker>();
const pending = new Map<number, Pending>();
let nextId = 0;

/** Workers a parallel read uses: one per core, at most 4; 0 on a single core (no gain). */
export function rangeWorkers(): number {
  const n = Math.min(4, availableParallelism());
  return n >= 2 ? n : 0;
}

function spawn(): Worker {
  const req = createRequire(import.meta.url);
  const w = new Worker(RANGE_WORKER_SOURCE, {
    eval: true,
    workerData: { bindings: req.resolve('@duckdb/node-bindings'), api: req.resolve('@duckdb/node-api') },
  });
  // Unreferenced once its DuckDB is up and it has no job left.
  const idle = (): void => {
    if (started.has(w) && ![...pending.values()].some((p) => p.worker === w)) w.unref();
  };
  w.on('message', (m: WorkerReply & { ready?: boolean }) => {
    if (m.ready === true) {
      started.add(w);
      idle();
      return;
    }
    const p = pending.get(m.id);
    if (p === undefined) return idle();
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m);
    idle();
  });
  // A worker that fails or exits takes the pool with it (the next read starts a new one) and fails its own
  // jobs, so their reads fall back to the serial path instead of waiting forever.
  const fail = (e: Error): void => {
    for (const [id, p] of pending) {
      if (p.worker !== w) continue;
      pending.delete(id);
      p.reject(e);
    }
    if (pool?.includes(w)) pool = undefined;
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`a read worker exited (code ${code})`)));
  // Referenced until its DuckDB is up (see range-worker.ts), then only while it has work: an idle pool
  // never keeps the process alive.
  return w;
}

/**
 * Starts the worker pool (and each worker's DuckDB) ahead of a read, so that starting them overlaps the
 * caller's planning queries instead of adding to the read.
 */
export function warmRangeWorkers(): Worker[] {
  pool ??= Array.from({ length: rangeWorkers() }, spawn);
  return pool;
}

type Job = Omit<CountJob, 'id'> | Omit<ReadJob, 'id'>;

/** Runs `job` on worker `k` of the pool; rejects with the worker's error. */
export function runJob(k: number, job: Job): Promise<WorkerReply> {
  const workers = warmRangeWorkers();
  const w = workers[k % workers.length]!;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { worker: w, resolve, reject });
    w.ref();
    w.postMessage({ ...job, id });
  });
}
/** Contiguous row ranges over row groups of `sizes` rows, about equal in rows, at most `parts` of them. */
export function splitRowGroups(sizes: readonly number[], parts: number): { start: number; rows: number }[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out: { start: number; rows: number }[] = [];
  let start = 0;
  let acc = 0;
  let k = 1;
  for (let g = 0; g < sizes.length; g++) {
    acc += sizes[g]!;
    const last = g === sizes.length - 1;
    // Cut after this group when it brings the range closest to k/parts of the rows.
    const target = (total * k) / parts;
    const nextAcc = last ? acc : acc + sizes[g + 1]!;
    if (last || (k < parts && Math.abs(acc - target) <= Math.abs(nextAcc - target))) {
      if (acc > start) out.push({ start, rows: acc - start });
      start = acc;
      k++;
    }
  }
  return out;
}

/** The kind a worker writes for `p`, or undefined for the main thread (lists). */
export function workerKind(p: ColumnPlan): WorkerKind | undefined {
  return p.kind === 'list' ? undefined : p.kind;
}

/** ORs a worker's validity bitmap (of `rows` rows) into `bits` at row `start`. */
export function mergeNulls(bits: Uint8Array, local: Uint8Array, start: number, rows: number): void {
  let i = 0;
  if ((start & 7) === 0) {
    const bytes = rows >>> 3;
    bits.set(local.subarray(0, bytes), start >>> 3);
    i = bytes << 3;
  }
  for (; i < rows; i++) {
    if ((local[i >>> 3]! & (1 << (i & 7))) === 0) bits[(start + i) >>> 3]! &= ~(1 << ((start + i) & 7));
  }
}

/**
 * One dictionary for a string column read in ranges: range 0's codes stand, later ranges' codes are mapped
 * (values new to the column are appended in order of first appearance, so the result equals a serial read).
 */
function mergeDictionaries(
  codes: Int32Array,
  dicts: readonly (readonly string[])[],
  ranges: readonly { start: number; rows: number }[],
): string[] {
  const values = [...(dicts[0] ?? [])];
  const index = new Map(values.map((v, i) => [v, i]));
  for (let k = 1; k < ranges.length; k++) {
    const local = dicts[k] ?? [];
    const map = new Int32Array(local.length);
    let identity = true;
    local.forEach((v, i) => {
      let g = index.get(v);
      if (g === undefined) {
        g = values.length;
        values.push(v);
        index.set(v, g);
      }
      map[i] = g;
      identity &&= g === i;
    });
    if (identity) continue;
    const { start, rows } = ranges[k]!;
    for (let i = start; i < start + rows; i++) {
      const c = codes[i]!;
      if (c >= 0) codes[i] = map[c]!;
    }
  }
  return values;
}

/** A read of one row range: its SQL and, for CSV, the byte range fed to it. */
export interface RangeRead {
  start: number;
  rows: number;
  sql: string;
  /** For CSV: the byte range a feeder thread writes into the named pipe `sql` reads. */
  feed?: Feed;
}

/**
 * Reads `ranges` (together `total` rows, in order) in the workers into one frame with the columns of
 * `workerPlans` (+ `rest`, a frame of the other columns read meanwhile on the main thread), in the order of
 * `order`. Rejects when a worker fails.
 */
export async function readRanges(
  order: readonly ColumnPlan[],
  workerPlans: readonly ColumnPlan[],
  ranges: readonly RangeRead[],
  total: number,
  enums: ReadonlyMap<string, readonly string[]>,
  rest?: Promise<Frame>,
): Promise<Frame> {
  const buffers = workerPlans.map((p) => {
    const k = workerKind(p)!;
    return new SharedArrayBuffer(total * (k === 'f64' ? 8 : k === 'bool' ? 1 : 4));
  });
  const cols = workerPlans.map((p, i) => ({ kind: workerKind(p)!, buffer: buffers[i]! }));
  const feeders = ranges.map((r) => (r.feed === undefined ? undefined : startFeeder(r.feed)));
  const jobs = ranges.map((r, k) =>
    runJob(k, { type: 'read', sql: r.sql, cols, start: r.start, rows: r.rows }).then(
      async (reply) => {
        await feeders[k]?.done;
        return reply;
      },
      async (e: unknown) => {
        await feeders[k]?.abort();
        throw e;
      },
    ),
  );
  // Settle every job before failing, not only until the first one fails: no job may still be writing into
  // buffers we drop, and none may still be waiting to open its named pipe when the caller removes it —
  // a range whose feeder started after another range had failed then found no pipe, and its DuckDB waited
  // in open() forever, holding the range worker (seen under load in the test suite).
  const jobResults = await Promise.allSettled(jobs);
  const [restResult] = await Promise.allSettled([rest ?? Promise.resolve(undefined)]);
  for (const s of [...jobResults, restResult]) if (s.status === 'rejected') throw s.reason;
  const replies = jobResults.map((r) => (r as PromiseFulfilledResult<WorkerReply>).value);
  const other = (restResult as PromiseFulfilledResult<Frame | undefined>).value;
  if (other !== undefined && other.numRows !== total)
    throw new Error('the main-thread columns differ in rows');

  const out: Record<string, Column> = {};
  const byName = new Map(workerPlans.map((p, i) => [p.name, i]));
  for (const p of order) {
    const i = byName.get(p.name);
    if (i === undefined) {
      out[p.name] = other!.column(p.name);
      continue;
    }
    let validity: Uint8Array | undefined;
    replies.forEach((r, k) => {
      const local = r.nulls?.[i];
      if (local === undefined) return;
      validity ??= allValid(total);
      mergeNulls(validity, local, ranges[k]!.start, ranges[k]!.rows);
    });
    const buf = buffers[i]!;
    switch (p.kind) {
      case 'f64':
        out[p.name] = new NumberColumn(p.type as 'float64', new Float64Array(buf), validity);
        break;
      case 'i32':
        out[p.name] = new Int32Column(new Int32Array(buf), validity);
        break;
      case 'bool':
        out[p.name] = new BoolColumn(new Uint8Array(buf), validity);
        break;
      case 'enum':
        out[p.name] = new StringColumn(new Int32Array(buf), enums.get(p.name)!);
        break;
      default: {
        const codes = new Int32Array(buf);
        const dicts = replies.map((r) => r.dicts?.[i] ?? []);
        out[p.name] = new StringColumn(codes, mergeDictionaries(codes, dicts, ranges));
      }
    }
  }
  return Frame.fromColumns(out);
}

/**
 * Reads one Parquet file in parallel into a frame with the columns of `plans` (planned over `query`, which
 * must contain `readerCall` exactly once). Returns undefined when the parallel path does not apply or
 * fails; the caller then reads serially.
 */
export async function parallelParquetFrame(
  con: DuckDBConnection,
  file: string,
  readerCall: string,
  query: string,
  plans: readonly ColumnPlan[],
  enums: ReadonlyMap<string, readonly string[]>,
  minRows = PARALLEL_MIN_ROWS,
): Promise<Frame | undefined> {
  const parts = rangeWorkers();
  if (parts === 0 || query.split(readerCall).length !== 2) return undefined;
  const inWorkers = plans.filter((p) => workerKind(p) !== undefined);
  if (inWorkers.length === 0) return undefined;
  const meta = await con.runAndReadAll(
    `SELECT row_group_id::BIGINT::DOUBLE AS g, any_value(row_group_num_rows)::DOUBLE AS n
     FROM parquet_metadata(${quoteLiteral(file)}) GROUP BY row_group_id ORDER BY row_group_id`,
  );
  const sizes = meta.getRowObjectsJS().map((r) => Number(r.n));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < minRows || sizes.length < 2) return undefined;
  const ranges = splitRowGroups(sizes, parts);
  if (ranges.length < 2) return undefined;
  const rowNumber = '"file_row_number"';
  const ranged = (start: number, rows: number): string =>
    `(SELECT * EXCLUDE (${rowNumber}) FROM ${readerCall.replace(/\)$/, ', file_row_number = true)')} ` +
    `WHERE ${rowNumber} >= ${start} AND ${rowNumber} < ${start + rows})`;
  const reads = ranges.map((r) => ({
    ...r,
    sql: projectionSql(
      inWorkers,
      query.replace(readerCall, () => ranged(r.start, r.rows)),
    ),
  }));
  // The main thread reads the columns workers do not (lists) meanwhile, in the same row order.
  const restPlans = plans.filter((p) => workerKind(p) === undefined);
  const rest =
    restPlans.length === 0
      ? undefined
      : queryFrame(
          con,
          `SELECT ${restPlans.map((p) => quoteIdent(p.name)).join(', ')} FROM (${query})`,
          total,
        );
  try {
    return await readRanges(plans, inWorkers, reads, total, enums, rest);
  } catch {
    return undefined;
  }
}
