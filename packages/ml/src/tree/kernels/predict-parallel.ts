/**
 * Prediction over many rows on two threads: the main thread walks the first half of the rows while a
 * worker walks the second half (Node's worker_threads, the same worker code as training). Every row is
 * computed by the same loop whichever thread runs it, so results do not depend on the thread count.
 *
 * The compiled forest lives in SharedArrayBuffers (compileForest's `shared` option), so handing it to the
 * worker costs nothing; the worker's rows are copied once into shared memory (a frame's vectors are not
 * shared) and its sums come back through a shared output buffer. The call stays synchronous: the main
 * thread waits on an Atomics word. A worker that has not started yet, is busy, or never answers is not
 * waited for — the main thread then walks all rows itself.
 *
 * Off by default: on the shared 2-core build machine (load 5–15) it measured no faster than one thread for
 * 20,000 rows (booster 66–130 ms vs 69–85 ms, forest 178–245 ms vs 124–225 ms): copying the worker's half of
 * a frame's (non-shared) rows costs 15–25 ms, and the call lasts as long as the slower of two threads that
 * both have to be scheduled. `setParallelPrediction(true)` turns it on (e.g. on a quiet multi-core machine).
 */
import type { Worker } from 'node:worker_threads';
import { spawn, treeThreads } from './parallel.js';
import { predictCompiled, type CompiledForest } from './tree.js';

/** Node steps (rows × trees × depth) below which a second thread is not worth the hand-over. */
const MIN_PARALLEL_STEPS = 2_000_000;
/** How long the main thread waits for the worker's half after finishing its own before taking it over. */
const PATIENCE_MS = 2_000;
/** Pieces the worker's rows are handed over in. */
const CHUNKS = 4;

let enabled = false;

/** Whether two-thread prediction is on (models then compile their trees into shared memory). */
export function parallelPredictionEnabled(): boolean {
  return enabled;
}

/** Turns two-thread prediction on or off (off by default, see above); results are the same either way. */
export function setParallelPrediction(on: boolean): void {
  enabled = on;
}

let worker: Worker | null = null;
/** Set to 1 by the worker once it handles messages (so a cold worker is never waited for). */
let ready: Int32Array | null = null;
/** Shared copies of the worker's rows and outputs, kept for the next prediction. */
let rowsBuf: Float64Array | null = null;
let partBuf: Float64Array | null = null;

/** Starts the prediction worker in the background (fits call this, so that the first prediction can use it). */
export function warmPredictWorker(): void {
  if (!enabled || worker || treeThreads() < 2) return;
  const w = spawn();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  w.on('error', () => drop(w));
  w.on('exit', () => drop(w));
  w.postMessage({ type: 'hello', flag: flag.buffer });
  worker = w;
  ready = flag;
}

function drop(w: Worker): void {
  if (worker !== w) return;
  worker = null;
  ready = null;
  rowsBuf = null;
  partBuf = null;
  void w.terminate();
}

/** Steps a row takes through every tree (the compiled walk always takes `depth` steps). */
function stepsPerRow(cf: CompiledForest): number {
  let s = 0;
  for (let k = 0; k < cf.nTrees; k++) s += cf.depths[k]!;
  return s;
}

/** @internal for tests: whether the prediction worker is up. */
export function predictWorkerReady(): boolean {
  return ready !== null && Atomics.load(ready, 0) === 1;
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
  const big = enabled && nRows >= 256 && nRows * stepsPerRow(cf) >= MIN_PARALLEL_STEPS;
  if (big) warmPredictWorker();
  const w = worker;
  if (!big || !w || !ready || Atomics.load(ready, 0) !== 1 || !cf.shared) {
    predictCompiled(cf, data, nRows, nCols, out, stride);
    return false;
  }
  const half = nRows >> 1;
  const m = nRows - half;
  const o = half * stride;
  // Reused shared buffers: a fresh 20 MB SharedArrayBuffer per call cost more in page faults than the walk.
  const rows = (rowsBuf = grow(rowsBuf, m * nCols));
  const part = (partBuf = grow(partBuf, m * stride));
  const done = new Int32Array(new SharedArrayBuffer(4));
  // The worker's rows go in chunks, so it starts on the first while the next ones are being copied.
  const chunk = Math.ceil(m / CHUNKS);
  let nChunks = 0;
  for (let c0 = 0; c0 < m; c0 += chunk) {
    const c1 = Math.min(m, c0 + chunk);
    rows.set(data.subarray((half + c0) * nCols, (half + c1) * nCols), c0 * nCols);
    // The worker adds onto the current values (e.g. a booster's base margin), so each row's sum is formed
    // in the same order as on one thread.
    part.set(out.subarray(o + c0 * stride, o + c1 * stride), c0 * stride);
    w.postMessage({
      type: 'predict',
      cf,
      data: rows.buffer,
      dataOffset: c0 * nCols,
      nRows: c1 - c0,
      nCols,
      out: part.buffer,
      outOffset: c0 * stride,
      stride,
      done: done.buffer,
    });
    nChunks++;
  }
  predictCompiled(cf, data, half, nCols, out, stride);
  const t0 = Date.now();
  for (let d = Atomics.load(done, 0); d < nChunks; d = Atomics.load(done, 0)) {
    const left = PATIENCE_MS - (Date.now() - t0);
    if (left <= 0 || Atomics.wait(done, 0, d, left) === 'timed-out') {
      // The worker is stuck or gone: do its rows here and stop using it.
      drop(w);
      predictCompiled(cf, data.subarray(half * nCols), m, nCols, out.subarray(o), stride);
      return false;
    }
  }
  out.set(part.subarray(0, m * stride), o);
  return true;
}

/** `buf` if it holds `n` doubles, else a larger shared buffer. */
function grow(buf: Float64Array | null, n: number): Float64Array {
  if (buf && buf.length >= n) return buf;
  return new Float64Array(new SharedArrayBuffer(Math.max(n, (buf?.length ?? 0) * 2) * 8));
}
