import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix } from './binning.js';
import { trainForest } from './forest.js';
import {
  predictCompiledParallel,
  predictWorkerReady,
  setParallelPrediction,
  warmPredictWorker,
} from './predict-parallel.js';
import { Rng } from './rng.js';
import { compileForest, predictCompiled } from './tree.js';

test('prediction split over the worker gives the one-thread numbers bit for bit', async () => {
  const rng = new Rng(7);
  const n = 3000;
  const p = 6;
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
  const cf = compileForest(trees, { normalize: true, shared: true });
  setParallelPrediction(true);
  warmPredictWorker();
  for (let i = 0; i < 300 && !predictWorkerReady(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(predictWorkerReady(), 'the worker starts');
  // 3,000 rows × 40 trees × depth ≤ 8 is under the hand-over threshold: repeat the rows to 24,000.
  const big = new Float64Array(8 * n * p);
  for (let k = 0; k < 8; k++) big.set(data, k * n * p);
  const one = new Float64Array(8 * n * 3).fill(0.25);
  const two = new Float64Array(8 * n * 3).fill(0.25);
  predictCompiled(cf, big, 8 * n, p, one, 3);
  assert.equal(predictCompiledParallel(cf, big, 8 * n, p, two, 3), true, 'the worker took half the rows');
  assert.deepEqual(two, one);
  const small = new Float64Array(10 * 3);
  assert.equal(predictCompiledParallel(cf, data, 10, p, small, 3), false, 'small inputs stay on this thread');
  const ref = new Float64Array(10 * 3);
  predictCompiled(cf, data, 10, p, ref, 3);
  assert.deepEqual(small, ref);
});
