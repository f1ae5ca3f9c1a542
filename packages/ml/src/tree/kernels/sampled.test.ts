import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix } from './binning.js';
import { buildForestTree, forestScratch, forestSeeds, type ForestParams } from './forest.js';
import { sampledLayout } from './histogram.js';
import { Rng } from './rng.js';

/** Continuous columns, one-hot blocks (sparse) and a frequent binary column (dense), some values missing. */
function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const nCont = 4;
  const levels = 12;
  const p = nCont + levels + 1;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * p;
    const v = Array.from({ length: nCont }, () => rng.next() * 10 - 5);
    for (let j = 0; j < nCont; j++) x[o + j] = rng.next() < 0.03 ? NaN : v[j]!;
    const lvl = rng.int(levels);
    x[o + nCont + lvl] = 1;
    x[o + p - 1] = rng.next() < 0.5 ? 1 : 0;
    y[r] = v[0]! - 0.5 * v[1]! + (lvl % 3 === 0 ? 2 : 0) + x[o + p - 1]! + rng.next() * 2;
  }
  return { x: { data: x, nRows: n, nCols: p }, y, p };
}

function sameTree(a: ReturnType<typeof buildForestTree>, b: ReturnType<typeof buildForestTree>, tol: number) {
  assert.deepEqual(Array.from(a.feature), Array.from(b.feature));
  assert.deepEqual(Array.from(a.threshold), Array.from(b.threshold));
  assert.deepEqual(Array.from(a.defaultLeft), Array.from(b.defaultLeft));
  assert.equal(a.value.length, b.value.length);
  assert.ok(a.feature.length > 7, 'the trees have splits');
  let worst = 0;
  for (let i = 0; i < a.value.length; i++) worst = Math.max(worst, Math.abs(a.value[i]! - b.value[i]!));
  assert.ok(worst <= tol, `leaf values differ by ${worst}`);
}

describe('sampled-feature histograms (sparse CSR + dense columns)', () => {
  const { x, y, p } = data(3000, 11);
  const bm = binMatrix(x, 32);

  test('continuous and frequent columns are dense, one-hot columns sparse', () => {
    const layout = sampledLayout(bm, 3)!;
    assert.ok(layout);
    assert.deepEqual(Array.from(layout.dense), [1, 1, 1, 1, ...new Array<number>(12).fill(0), 1]);
    // the sparse CSR holds exactly the one-hot features' non-default bins, row by row
    for (let r = 0; r < bm.nRows; r++) {
      const all = Array.from(bm.rowBins.subarray(bm.rowPtr[r]!, bm.rowPtr[r + 1]!));
      const sparse = all.filter((b) => layout.dense[bm.binFeature[b]!] === 0);
      assert.deepEqual(Array.from(layout.rowBins.subarray(layout.rowPtr[r]!, layout.rowPtr[r + 1]!)), sparse);
    }
    // all features tried at every node, or no dense feature: the plain scheme
    assert.equal(sampledLayout(bm, p), null);
    assert.equal(sampledLayout(bm, 0), null);
  });

  test('classification trees are identical to the plain CSR scheme (integer sums)', () => {
    const yc = Float64Array.from(y, (v) => (v > 1 ? 1 : 0));
    for (const impurity of ['gini', 'entropy'] as const) {
      const params: ForestParams = {
        impurity,
        numClasses: 2,
        numTrees: 4,
        maxDepth: 6,
        minInstancesPerNode: 1,
        minInfoGain: 0,
        subsamplingRate: 1,
        bootstrap: true,
        featuresPerNode: 4,
        seed: 3,
      };
      const withLayout = forestScratch(bm, params);
      const plain = forestScratch(bm, params, false);
      assert.ok(withLayout.layout && !plain.layout);
      for (const seed of forestSeeds(params)) {
        sameTree(
          buildForestTree(bm, yc, null, params, seed, withLayout),
          buildForestTree(bm, yc, null, params, seed, plain),
          0,
        );
      }
    }
  });

  test('binary gini counts packed in one channel give the trees of two channels', () => {
    const yc = Float64Array.from(y, (v) => (v > 1 ? 1 : 0));
    for (const featuresPerNode of [4, p]) {
      const params: ForestParams = {
        impurity: 'gini',
        numClasses: 2,
        numTrees: 3,
        maxDepth: 7,
        minInstancesPerNode: 2,
        minInfoGain: 0,
        subsamplingRate: 1,
        bootstrap: true,
        featuresPerNode,
        seed: 5,
      };
      const packed = forestScratch(bm, params);
      const twoChannels = { ...forestScratch(bm, params), pack: false };
      for (const seed of forestSeeds(params)) {
        sameTree(
          buildForestTree(bm, yc, null, params, seed, packed),
          buildForestTree(bm, yc, null, params, seed, twoChannels),
          0,
        );
      }
    }
  });

  test('variance trees split the same way as the plain scheme', () => {
    const params: ForestParams = {
      impurity: 'variance',
      numClasses: 0,
      numTrees: 3,
      maxDepth: 5,
      minInstancesPerNode: 1,
      minInfoGain: 0,
      subsamplingRate: 1,
      bootstrap: true,
      featuresPerNode: 5,
      seed: 9,
    };
    const withLayout = forestScratch(bm, params);
    assert.ok(withLayout.layout);
    const plain = forestScratch(bm, params, false);
    for (const seed of forestSeeds(params)) {
      sameTree(
        buildForestTree(bm, y, null, params, seed, withLayout),
        buildForestTree(bm, y, null, params, seed, plain),
        1e-9,
      );
    }
  });
});
