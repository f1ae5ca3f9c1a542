import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix } from './binning.js';
import { trainForest } from './forest.js';
import { setTreeThreads } from './parallel.js';
import {
  lastParallelPredictStats,
  predictCompiledParallel,
  predictWorkerReady,
  setParallelPrediction,
  setPredictLoadLimit,
  setPredictWindowDoubles,
  warmPredictWorker,
} from './predict-parallel.js';
import { Rng } from './rng.js';
import { compileForest, predictCompiled, type CompiledForest } from './tree.js';

const p = 6;

function forest(): { cf: CompiledForest; data: Float64Array; n: number } {
  const rng = new Rng(7);
  const n = 3000;
  const data = Float64Array.from({ length: n * p }, () => (rng.next() < 0.05 ? NaN : rng.next()));
  const y = Float64Array.from(
    { length: n },
    (_, i) => (data[i * p]! > 0.5 ? 1 : 0) + (rng.next() < 0.2 ? 1 : 0),
  );
  const trees = trainForest(binMatrix({ data, nRows: n, nCols: p }, 64), y, null, {
    impurity: 'gini',
    numClasses: 3,
    numTrees: 40,
    maxDepth: 8,
    minInstancesPerNode: 1,
    minInfoGain: 0,
    subsamplingRate: 1,
    bootstrap: true,
    featuresPerNode: 3,
    seed: 3,
  });
  return { cf: compileForest(trees, { normalize: true, shared: true }), data, n };
}

/** `reps` copies of the rows, each copy shifted a little so that calls differ; optionally in shared memory. */
function rowsOf(data: Float64Array, reps: number, shift: number, shared: boolean): Float64Array {
  const len = reps * data.length;
  const out = new Float64Array(shared ? new SharedArrayBuffer(len * 8) : new ArrayBuffer(len * 8));
  for (let k = 0; k < reps; k++) out.set(data, k * data.length);
  for (let i = 0; i < len; i += 7) out[i] = out[i]! + shift;
  return out;
}

/**
 * Runs the two-thread prediction until the worker takes part (a busy machine may not let it) — with its
 * WebAssembly walk when `wasm`, once its memory is ready — checking the numbers every time.
 */
async function checkAgainstSerial(
  cf: CompiledForest,
  rows: Float64Array,
  nRows: number,
  wasm = false,
): Promise<number> {
  const want = new Float64Array(nRows * 3).fill(0.25);
  predictCompiled(cf, rows, nRows, p, want, 3);
  for (let attempt = 0; attempt < 40; attempt++) {
    const got = new Float64Array(nRows * 3).fill(0.25);
    const used = predictCompiledParallel(cf, rows, nRows, p, got, 3);
    assert.deepEqual(got, want);
    const s = lastParallelPredictStats();
    assert.equal(Math.ceil(nRows / 128), s.mainBlocks + s.workerBlocks, 'every block walked once');
    if (used && (!wasm || s.wasm)) return s.workerBlocks;
    await new Promise((r) => setTimeout(r, 25));
  }
  return 0;
}

test('prediction shared with the worker gives the one-thread numbers bit for bit', async () => {
  setTreeThreads(2);
  setParallelPrediction(true);
  // A busy test machine would otherwise keep predictions on one thread (see oversubscribed()).
  setPredictLoadLimit(Infinity);
  const { cf, data, n } = forest();
  warmPredictWorker();
  for (let i = 0; i < 300 && !predictWorkerReady(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(predictWorkerReady(), 'the worker starts');
  // 3,000 rows × 40 trees × depth ≤ 8 is under the hand-over threshold: 8 copies are not. Rows copied into
  // the worker's buffer (three calls, so the buffer is reused), then rows already in shared memory.
  for (const [shift, shared] of [
    [0, false],
    [0.01, false],
    [0.02, false],
    [0.03, true],
  ] as const) {
    const rows = rowsOf(data, 8, shift, shared);
    const blocks = await checkAgainstSerial(cf, rows, 8 * n, !shared);
    assert.ok(blocks > 0, `the worker took blocks (shared input: ${shared}, WebAssembly walk: ${!shared})`);
  }
  // A ragged last block (not a multiple of 128 rows).
  assert.ok((await checkAgainstSerial(cf, rowsOf(data, 8, 0.04, false), 8 * n - 77, true)) > 0);
  // Large calls go in windows whose worker share fits the reserved buffer: here ~5,900-row windows.
  setPredictWindowDoubles(20_000);
  try {
    assert.ok((await checkAgainstSerial(cf, rowsOf(data, 8, 0.05, false), 8 * n - 5, true)) > 0);
  } finally {
    setPredictWindowDoubles(4 << 20);
  }
});

test('small inputs, or parallel prediction turned off, stay on this thread with the same numbers', () => {
  const { cf, data, n } = forest();
  const small = new Float64Array(10 * 3);
  assert.equal(predictCompiledParallel(cf, data, 10, p, small, 3), false);
  const ref = new Float64Array(10 * 3);
  predictCompiled(cf, data, 10, p, ref, 3);
  assert.deepEqual(small, ref);
  setParallelPrediction(false);
  try {
    const rows = rowsOf(data, 8, 0, false);
    const got = new Float64Array(8 * n * 3);
    assert.equal(predictCompiledParallel(cf, rows, 8 * n, p, got, 3), false);
    assert.deepEqual(lastParallelPredictStats(), {
      workerBlocks: 0,
      mainBlocks: Math.ceil((8 * n) / 128),
      wasm: false,
    });
    const want = new Float64Array(8 * n * 3);
    predictCompiled(cf, rows, 8 * n, p, want, 3);
    assert.deepEqual(got, want);
  } finally {
    setParallelPrediction(true);
  }
});
