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
 */
import type { Worker } from 'node:worker_threads';
import { spawn, treeThreads } from './parallel.js';
import { predictCompiled, type CompiledForest } from './tree.js';

/** Node steps (rows × trees × depth) below which a second thread is not worth the hand-over. */
const MIN_PARALLEL_STEPS = 2_000_000;
/** How long the main thread waits for the worker's half after finishing its own before taking it over. */
const PATIENCE_MS = 2_000;

let worker: Worker | null = null;
/** Set to 1 by the worker once it handles messages (so a cold worker is never waited for). */
let ready: Int32Array | null = null;

/** Starts the prediction worker in the background (fits call this, so that the first prediction can use it). */
export function warmPredictWorker(): void {
  if (worker || treeThreads() < 2) return;
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
  const big = nRows >= 256 && nRows * stepsPerRow(cf) >= MIN_PARALLEL_STEPS;
  if (big) warmPredictWorker();
  const w = worker;
  if (!big || !w || !ready || Atomics.load(ready, 0) !== 1 || !cf.shared) {
    predictCompiled(cf, data, nRows, nCols, out, stride);
    return false;
  }
  const half = nRows >> 1;
  const m = nRows - half;
  const rows = new Float64Array(new SharedArrayBuffer(m * nCols * 8));
  rows.set(data.subarray(half * nCols, nRows * nCols));
  // The worker adds onto the current values (e.g. a booster's base margin), so each row's sum is formed in
  // the same order as on one thread.
  const o = half * stride;
  const part = new Float64Array(new SharedArrayBuffer(m * stride * 8));
  part.set(out.subarray(o, o + m * stride));
  const done = new Int32Array(new SharedArrayBuffer(4));
  w.postMessage({
    type: 'predict',
    cf,
    data: rows.buffer,
    nRows: m,
    nCols,
    out: part.buffer,
    stride,
    done: done.buffer,
  });
  predictCompiled(cf, data, half, nCols, out, stride);
  if (Atomics.wait(done, 0, 0, PATIENCE_MS) === 'timed-out' && Atomics.load(done, 0) !== 1) {
    // The worker is stuck or gone: do its rows here and stop using it.
    drop(w);
    predictCompiled(cf, rows, m, nCols, out.subarray(o), stride);
    return false;
  }
  out.set(part, o);
  return true;
}
