import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomForestClassifier, XGBoostRegressor, setTreeThreads, treeThreads } from '@cauce/ml';
import { makeData, toFrame } from './tree-data.js';

// Large enough that the worker thread really runs: histogram nodes above 16,384 rows, forests with
// rows × trees >= 200,000.
test('the booster gives bit-identical models with 1 and 2 threads', async () => {
  const d = makeData(31, 40_000, 5, 'regression', 0.05);
  const fit = (nthread: number) =>
    new XGBoostRegressor({ num_round: 4, max_depth: 4, subsample: 0.9, nthread }).fit(toFrame(d));
  const one = await fit(1);
  const two = await fit(2);
  const x = { data: d.x, nRows: d.n, nCols: d.p };
  assert.deepEqual(two.predictMatrix(x), one.predictMatrix(x));
  assert.equal(two.toXGBoostJson(), one.toXGBoostJson());
});

test('a random forest gives the same trees with 1 and 2 threads', async () => {
  const d = makeData(32, 5_000, 5, 'binary');
  const before = treeThreads();
  try {
    setTreeThreads(1);
    const one = await new RandomForestClassifier({ numTrees: 48, maxDepth: 5, seed: 9 }).fit(toFrame(d));
    setTreeThreads(2);
    const two = await new RandomForestClassifier({ numTrees: 48, maxDepth: 5, seed: 9 }).fit(toFrame(d));
    assert.equal(two.trees.length, 48);
    for (let t = 0; t < 48; t++) assert.deepEqual(two.trees[t], one.trees[t], `tree ${t}`);
  } finally {
    setTreeThreads(before);
  }
});

test('thread counts are checked', () => {
  assert.throws(() => setTreeThreads(0), /integer >= 1/);
  assert.throws(() => new XGBoostRegressor({ nthread: 0 }), /nthread/);
});
