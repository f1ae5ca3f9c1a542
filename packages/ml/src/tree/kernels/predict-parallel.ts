/**
 * Prediction over many rows on two threads: the main thread and one prediction worker (predict-worker.ts)
 * walk blocks of rows and meet in the middle. Every row is computed by the same loop whichever thread runs
 * it, and each row's sum is formed in tree order, so results do not depend on the thread count.
 *
 * How one call goes (protocol in predict-protocol.ts):
 * - the compiled forest already lives in SharedArrayBuffers, so the worker gets it without a copy;
 * - the rows are cut into blocks of 128; the worker is sent the job, then the main thread walks blocks
 *   from the front, straight from the caller's array, while the worker takes blocks from the back;
 * - rows not already in shared memory must be copied for the worker (a frame's vectors are not shared):
 *   between two of its own blocks the main thread copies the next 8 back blocks into a reused shared
 *   buffer whenever the worker has fewer than 8 copied blocks left, so the copy is shared out like the
 *   walk, and nothing is copied for a worker that does not run;
 * - whoever is faster takes more, so a worker that gets no CPU (a busy machine) costs at most one chunk
 *   of copy: the main thread does the rest, and waits at most PATIENCE_MS for the one block the worker may
 *   be in the middle of before walking that block too.
 *
 * Session 2 left this off by default ("copying the rows costs what it saves on 2 cores"). Re-measured
 * (bench test matrix: 20,000 × 252 doubles = 40 MB, not 3.8 MB): copying the worker's 22 MB into a
 * reused shared buffer costs ~3 ms (TypedArray.set and Buffer.copy alike). The time went elsewhere:
 * - the worker walked in unoptimised code: a fresh thread has a cold JIT, and the structured-cloned
 *   forest has another hidden class than the one the walk was optimised for (predict-worker.ts);
 * - each call's fresh 20 MB SharedArrayBuffer cost ~15 ms of page faults (now one buffer, pre-touched by
 *   the worker when it starts: RESERVED_DOUBLES, 32 MB; larger calls go in windows that fit it);
 * - a fixed half/half split made every call as slow as the slower thread.
 * On by default whenever there are two threads (setTreeThreads).
 *
 * Walks: the worker's rows and sums live in a shared WebAssembly memory (WASM_LAYOUT) and it walks them
 * with the wasm walk; this thread walks the caller's rows with main-walk.ts (wasm for deep trees). The
 * split adapts to whichever is faster. Measured per-thread CPU (bench matrix, 20,000 rows, a busy machine
 * so absolute times are inflated; same minute): booster 24 + 23 ms against 50 ms on one thread, forests
 * 35–45 + 37–40 ms (clf) against 98 ms on one JavaScript thread.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../util/worker.js';
import { treeThreads } from './parallel.js';
import { WALK_BLOCK_ROWS, warmUpWalk, type CompiledForest } from './compiled-forest.js';
import { MAX_BLOCKS, PCTRL, WASM_LAYOUT, type PredictJob } from './predict-protocol.js';
import { placeHere, walkChoice, walkHere, warmUpWasmHere } from './main-walk.js';
import { wasmMemory } from './wasm-walk.js';

/** Node steps (rows × trees × depth) below which a second thread is not worth the hand-over (~2 ms). */
const MIN_PARALLEL_STEPS = 600_000;
/** Longest wait for the block the worker is walking before the main thread walks it too. */
const PATIENCE_MS = 5;
/** Share of the rows the worker may get (the main thread also pays the copy, so it keeps a bit less). */
const WORKER_SHARE = 0.55;
/** The main thread copies more rows for the worker when fewer than this many copied blocks are left to it. */
const LEAD_BLOCKS = 8;
/** Blocks per copied chunk. */
const CHUNK_BLOCKS = 8;
/** Doubles of shared row buffer the worker pre-touches when it starts (32 MB; see reserveRows). */
const RESERVED_DOUBLES = 4 << 20;

let enabled = true;

/** Whether two-thread prediction is on (it also needs treeThreads() ≥ 2). */
export function parallelPredictionEnabled(): boolean {
  return enabled && treeThreads() >= 2;
}

/** Turns two-thread prediction on or off (on by default, see above); results are the same either way. */
export function setParallelPrediction(on: boolean): void {
  enabled = on;
}

let worker: Worker | null = null;
/** Set to 1 by the worker once it has warmed up and handles jobs (a cold worker is never waited for). */
let ready: Int32Array | null = null;
/** Shared copies of the worker's rows and sums, reused by the next call when the worker has let go. */
let rowsBuf: Float64Array | null = null;
let partBuf: Float64Array | null = null;
/** Sums buffer for calls whose sums do not fit partBuf. */
let spare: Float64Array | null = null;
/** Set to 1 by the worker once it has touched every page of rowsBuf (until then rowsBuf is not used). */
let rowsTouched: Int32Array | null = null;

/** The prediction worker, started through tsx when running from TypeScript sources (STACK.md). */
function spawnWorker(): Worker {
  const w = startModuleWorker(import.meta.url, 'predict-worker');
  w.unref();
  return w;
}

/** Starts the prediction worker in the background (fits call this, so that the first prediction can use it). */
export function warmPredictWorker(): void {
  if (!parallelPredictionEnabled() || worker) return;
  const w = spawnWorker();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  w.on('error', () => drop(w));
  w.on('exit', () => drop(w));
  w.postMessage({ type: 'hello', flag: flag.buffer });
  worker = w;
  ready = flag;
  reserveRows(w);
}

/**
 * A fresh 20 MB SharedArrayBuffer costs ~15 ms of page faults the first time it is written (measured: 22 MB
 * fresh + set 20–40 ms, reused 3–5 ms), which a first prediction would pay on the main thread. So the
 * worker writes the reserved buffer's pages once, in the background, when it starts; the main thread uses
 * the buffer only once the worker says it is done. Larger calls grow it (and pay the faults once).
 */
function reserveRows(w: Worker): void {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  // In a WebAssembly memory when there is one, so that the worker can walk its rows with the wasm walk.
  const mem = wasmMemory(WASM_LAYOUT.FOREST_AT / 65536);
  const buf = mem ? mem.buffer : new SharedArrayBuffer(RESERVED_DOUBLES * 8);
  w.postMessage({ type: 'touch', mem, buf, flag: flag.buffer });
  rowsBuf = new Float64Array(buf, WASM_LAYOUT.ROWS_AT, RESERVED_DOUBLES);
  partBuf = mem ? new Float64Array(buf, WASM_LAYOUT.PART_AT, WASM_LAYOUT.PART_DOUBLES) : null;
  rowsTouched = flag;
}

function drop(w: Worker): void {
  if (worker !== w) return;
  worker = null;
  ready = null;
  rowsBuf = null;
  partBuf = null;
  spare = null;
  rowsTouched = null;
  void w.terminate();
}

/** Models with at least this many nodes get ready for prediction when they are made (fit or load). */
const EAGER_NODES = 2_000;
let mainWarm = false;

/**
 * Called when a tree model is made: for a large model, starts the prediction worker and warms the walk up
 * on this thread (once per process, a few ms), and returns true when the model should compile its trees now,
 * so that its first prediction costs what the next ones do. Small models compile on first use.
 */
export function prepareForPrediction(nodes: number): boolean {
  if (nodes < EAGER_NODES) return false;
  warmPredictWorker();
  if (!mainWarm) {
    mainWarm = true;
    warmUpWalk();
    warmUpWasmHere();
  }
  return true;
}

let windowDoubles = RESERVED_DOUBLES;

/** @internal for tests: the worker's share of one window, in doubles (default: the reserved buffer). */
export function setPredictWindowDoubles(n: number): void {
  windowDoubles = n;
}

/**
 * A model's compiled forest, copied now into the wasm memories that will walk it (this thread's for deep
 * trees, the worker's in the background), so that the first prediction does not pay the copy and the page
 * faults of a fresh region (~3 ms per thread for a 4.5 MB forest).
 */
export function readyForest(cf: CompiledForest): CompiledForest {
  placeHere(cf);
  if (cf.shared && worker) worker.postMessage({ type: 'place', cf });
  return cf;
}

/** @internal for tests: whether the prediction worker is up. */
export function predictWorkerReady(): boolean {
  return ready !== null && Atomics.load(ready, 0) === 1;
}

/** Steps a row takes through every tree (the compiled walk always takes `depth` steps). */
function stepsPerRow(cf: CompiledForest): number {
  let s = 0;
  for (let k = 0; k < cf.nTrees; k++) s += cf.depths[k]!;
  return s;
}

/**
 * Whether the machine has far more runnable work than cores (1-minute load average above 2 per core). Then
 * the second thread rarely gets a core of its own: measured on the 2-core build machine at load 4–6, the
 * 20,000-row calls took 61–103 ms on two threads against 47–92 ms on one (same minutes, same models), so
 * the call stays on this thread. A prediction right after a two-thread fit counts that fit (and e.g. the
 * peers of bench:trees) in the average, about 2–3 here, hence the margin.
 */
function oversubscribed(): boolean {
  return loadavg()[0]! > loadLimit * availableParallelism();
}
let loadLimit = 2;

/** @internal for tests: the load average per core above which prediction stays on one thread. */
export function setPredictLoadLimit(perCore: number): void {
  loadLimit = perCore;
}

/** What the last call left behind: whether the worker took part and how many blocks it walked. */
export interface ParallelPredictStats {
  workerBlocks: number;
  mainBlocks: number;
  /** Whether the worker walked with the WebAssembly walk (in at least one window). */
  wasm: boolean;
}
let lastStats: ParallelPredictStats = { workerBlocks: 0, mainBlocks: 0, wasm: false };

/** @internal for tests and measurements: the split of the last predictCompiledParallel call. */
export function lastParallelPredictStats(): ParallelPredictStats {
  return lastStats;
}

/**
 * predictCompiled on two threads when the work is large enough and the worker is up; the same numbers.
 * Returns whether the worker took part.
 */
export function predictCompiledParallel(
  cf: CompiledForest,
  data: Float64Array,
  nRows: number,
  nCols: number,
  out: Float64Array,
  stride: number,
): boolean {
  const big =
    parallelPredictionEnabled() &&
    nRows >= 4 * WALK_BLOCK_ROWS &&
    nRows * stepsPerRow(cf) >= MIN_PARALLEL_STEPS;
  if (big) warmPredictWorker();
  const w = worker;
  if (!big || !w || !predictWorkerReady() || !cf.shared || oversubscribed()) {
    walkHere(cf, data, nRows, nCols, out, stride);
    lastStats = { workerBlocks: 0, mainBlocks: Math.ceil(nRows / WALK_BLOCK_ROWS), wasm: false };
    return false;
  }
  // Rows not in shared memory go in windows whose worker share fits the reserved buffer, so that a large
  // call (200,000 rows × 252 columns would want 220 MB) does not keep a large buffer for the process' life.
  const inShared = data.buffer instanceof SharedArrayBuffer;
  const perRow = WORKER_SHARE * Math.max(nCols, (stride * windowDoubles) / WASM_LAYOUT.PART_DOUBLES);
  const fit = Math.floor(windowDoubles / perRow / WALK_BLOCK_ROWS) * WALK_BLOCK_ROWS;
  const windowRows = inShared || fit < 8 * WALK_BLOCK_ROWS ? nRows : fit;
  const nWin = Math.ceil(nRows / windowRows);
  const size = Math.ceil(nRows / nWin / WALK_BLOCK_ROWS) * WALK_BLOCK_ROWS;
  const stats: ParallelPredictStats = { workerBlocks: 0, mainBlocks: 0, wasm: false };
  for (let r0 = 0; r0 < nRows; r0 += size) {
    const r1 = Math.min(nRows, r0 + size);
    const s = shareRows(
      cf,
      data.subarray(r0 * nCols, r1 * nCols),
      r1 - r0,
      nCols,
      out.subarray(r0 * stride, r1 * stride),
      stride,
      w,
    );
    stats.workerBlocks += s.workerBlocks;
    stats.mainBlocks += s.mainBlocks;
    stats.wasm ||= s.wasm;
  }
  lastStats = stats;
  return stats.workerBlocks > 0;
}

/** One two-thread pass over `nRows` rows (see the top of this file). */
function shareRows(
  cf: CompiledForest,
  data: Float64Array,
  nRows: number,
  nCols: number,
  out: Float64Array,
  stride: number,
  w: Worker,
): ParallelPredictStats {
  const B = Math.max(WALK_BLOCK_ROWS, Math.ceil(nRows / MAX_BLOCKS));
  const nBlocks = Math.ceil(nRows / B);
  const here = walkChoice(cf, nCols, stride);
  const inShared = data.buffer instanceof SharedArrayBuffer;
  // The back blocks [first, nBlocks) may be handed to the worker: as many as the row buffer holds, at least
  // 55% of the rows (the main thread also pays the copy, so the worker ends up with a bit more than half).
  let rows: Float64Array | null = null;
  let part: Float64Array | null = null;
  let first = 1;
  if (!inShared) {
    const want = Math.max(1, Math.round(nBlocks * WORKER_SHARE));
    const touched = rowsBuf !== null && rowsTouched !== null && Atomics.load(rowsTouched, 0) === 1;
    const cap = touched ? Math.floor(rowsBuf!.length / (B * nCols)) : 0;
    if (cap >= want) {
      rows = rowsBuf!;
      first = Math.max(1, nBlocks - cap);
      // The worker's sums go in the same WebAssembly memory when they fit (then it walks in wasm).
      if (partBuf && partBuf.length >= (nRows - first * B) * stride) part = partBuf;
    } else {
      // Not ready yet (first call while the worker touches the buffer) or too small: a buffer for this call.
      rows = new Float64Array(new SharedArrayBuffer(want * B * nCols * 8));
      first = nBlocks - want;
    }
  }
  const row0 = first * B;
  part ??= spare = grow(spare, (nRows - row0) * stride);
  const wasm = rows !== null && rows === rowsBuf && part === partBuf;
  const ctrl = new Int32Array(new SharedArrayBuffer((PCTRL.FLAGS + nBlocks) * 4));
  ctrl[PCTRL.CLAIM] = nBlocks << 16;
  let floor = inShared ? first : nBlocks;
  ctrl[PCTRL.FLOOR] = floor;
  const job: PredictJob = {
    type: 'predict',
    cf,
    ctrl: ctrl.buffer as SharedArrayBuffer,
    // Rows already in shared memory are read where they are.
    rows: (rows ?? data).buffer as SharedArrayBuffer,
    rowsOffset: rows ? rows.byteOffset : data.byteOffset + row0 * nCols * 8,
    rowsRow0: row0,
    part: part.buffer as SharedArrayBuffer,
    partOffset: part.byteOffset,
    wasm,
    nRows,
    nCols,
    stride,
    blockRows: B,
    nBlocks,
  };
  // The worker adds onto the current values (e.g. a booster's base margin), so each row's sum is formed
  // in the same order as on one thread: its sums start as copies of `out`.
  part.set(out.subarray(row0 * stride, nRows * stride));
  w.postMessage(job);
  // Blocks from the front, straight from the caller's arrays, until the two threads meet; between blocks,
  // more rows are copied for the worker when it is about to run out, so the copy is shared out too.
  let mainBlocks = 0;
  let hi = nBlocks;
  for (;;) {
    const word = Atomics.load(ctrl, PCTRL.CLAIM);
    const lo = word & 0xffff;
    hi = word >>> 16;
    if (lo >= hi) break;
    if (rows && floor > Math.max(first, lo + 1) && hi - floor < LEAD_BLOCKS) {
      const loB = Math.max(first, lo + 1, floor - CHUNK_BLOCKS);
      const r1 = Math.min(nRows, floor * B);
      rows.set(data.subarray(loB * B * nCols, r1 * nCols), (loB * B - row0) * nCols);
      floor = loB;
      Atomics.store(ctrl, PCTRL.FLOOR, floor);
      Atomics.notify(ctrl, PCTRL.FLOOR);
      continue;
    }
    if (Atomics.compareExchange(ctrl, PCTRL.CLAIM, word, (lo + 1) | (hi << 16)) !== word) continue;
    walkRows(cf, data, lo * B, Math.min(nRows, (lo + 1) * B), nCols, out, stride, here);
    mainBlocks++;
  }
  Atomics.store(ctrl, PCTRL.COPY_DONE, 1);
  Atomics.notify(ctrl, PCTRL.FLOOR);
  // The worker owns blocks [hi, nBlocks); it walks one at a time, so at most one is still under way.
  const claimed = nBlocks - hi;
  let gaveUp = false;
  for (let d = Atomics.load(ctrl, PCTRL.DONE); d < claimed; d = Atomics.load(ctrl, PCTRL.DONE)) {
    if (
      Atomics.wait(ctrl, PCTRL.DONE, d, PATIENCE_MS) === 'timed-out' &&
      Atomics.load(ctrl, PCTRL.DONE) === d
    ) {
      gaveUp = true;
      break;
    }
  }
  let workerBlocks = 0;
  for (let b = hi; b < nBlocks; b++) {
    const r0 = b * B;
    const r1 = Math.min(nRows, r0 + B);
    if (Atomics.load(ctrl, PCTRL.FLAGS + b) === 1) {
      out.set(part.subarray((r0 - row0) * stride, (r1 - row0) * stride), r0 * stride);
      workerBlocks++;
    } else {
      // The worker is stalled (a busy machine): walk its unfinished block here.
      walkRows(cf, data, r0, r1, nCols, out, stride, here);
      mainBlocks++;
    }
  }
  // A stalled worker may still read or write these buffers later: the next call gets fresh ones.
  if (gaveUp) {
    spare = null;
    reserveRows(w);
  }
  return { workerBlocks, mainBlocks, wasm: wasm && workerBlocks > 0 };
}

/** The walk on this thread (main-walk.ts) over rows [r0, r1) of `data` into the same rows of `out`. */
function walkRows(
  cf: CompiledForest,
  data: Float64Array,
  r0: number,
  r1: number,
  nCols: number,
  out: Float64Array,
  stride: number,
  wasm: boolean,
): void {
  const d = data.subarray(r0 * nCols, r1 * nCols);
  walkHere(cf, d, r1 - r0, nCols, out.subarray(r0 * stride, r1 * stride), stride, wasm);
}

/** `buf` if it holds `n` doubles, else a larger shared buffer. */
function grow(buf: Float64Array | null, n: number): Float64Array {
  if (buf && buf.length >= n) return buf;
  return new Float64Array(new SharedArrayBuffer(Math.max(n, (buf?.length ?? 0) * 2) * 8));
}
