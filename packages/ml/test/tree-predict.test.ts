import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RandomForestClassifier,
  RandomForestClassificationModel,
  XGBoostClassifier,
  XGBoostClassificationModel,
  loadStage,
  setParallelPrediction,
  setTreeThreads,
  treeThreads,
} from '@cauce/ml';
import { makeData, toFrame } from './tree-data.js';

// Models and row counts large enough that prediction is shared with the worker thread (predict-parallel.ts)
// unless the machine is oversubscribed (predict-parallel.test.ts forces the worker in): rows × trees × depth
// well above its threshold, and models above the size that compiles at fit/load time.
const big = (
  x: Float64Array,
  p: number,
  copies: number,
): { data: Float64Array; nRows: number; nCols: number } => {
  const data = new Float64Array(x.length * copies);
  for (let k = 0; k < copies; k++) data.set(x, k * x.length);
  return { data, nRows: data.length / p, nCols: p };
};

/** Predictions with two threads (once the worker is up), then with one; they must be identical. */
async function bothWays(predict: () => Float64Array): Promise<[Float64Array, Float64Array]> {
  setParallelPrediction(true);
  let two = predict();
  // The worker starts in the background at fit time; a few calls make sure it has joined at least once.
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, 100));
    two = predict();
  }
  setParallelPrediction(false);
  const one = predict();
  setParallelPrediction(true);
  return [two, one];
}

test('forest and multiclass booster predictions: two threads = one thread, and save → load → same', async () => {
  const before = treeThreads();
  setTreeThreads(2);
  const dir = mkdtempSync(join(tmpdir(), 'cauce-tree-predict-'));
  try {
    const d = makeData(41, 4_000, 6, 'multi', 0.05);
    const x = big(d.x, d.p, 6);
    const forest = await new RandomForestClassifier({ numTrees: 30, maxDepth: 8, seed: 4 }).fit(toFrame(d));
    const [fTwo, fOne] = await bothWays(() => forest.predictProbability(x));
    assert.deepEqual(fTwo, fOne);
    await forest.save(join(dir, 'rf'));
    const rf = (await loadStage(join(dir, 'rf'))) as RandomForestClassificationModel;
    assert.ok(rf instanceof RandomForestClassificationModel);
    assert.deepEqual(rf.predictProbability(x), fOne);

    // multi:softprob: one tree per class and round, summed into each class's slot.
    const booster = await new XGBoostClassifier({
      objective: 'multi:softprob',
      num_class: 3,
      num_round: 12,
      max_depth: 5,
    }).fit(toFrame(d));
    const [bTwo, bOne] = await bothWays(() => booster.predictMargin(x));
    assert.deepEqual(bTwo, bOne);
    await booster.save(join(dir, 'xgb'));
    const xgb = (await loadStage(join(dir, 'xgb'))) as XGBoostClassificationModel;
    assert.ok(xgb instanceof XGBoostClassificationModel);
    assert.deepEqual(xgb.predictMargin(x), bOne);
  } finally {
    setTreeThreads(before);
    rmSync(dir, { recursive: true, force: true });
  }
});
