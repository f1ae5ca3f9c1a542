import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix, computeCuts } from './binning.js';
import { buildHistogram, subtractInPlace } from './histogram.js';
import { growTree } from './grow.js';
import { Rng } from './rng.js';
import { thresholdFromFloat32, thresholdToFloat32 } from './xgboost-json.js';
import { auc } from './metrics.js';

function matrix(rows: number[][]) {
  const p = rows[0]!.length;
  return { data: Float64Array.from(rows.flat()), nRows: rows.length, nCols: p };
}

describe('binning', () => {
  test('few distinct values get one bin each with half-way cuts', () => {
    assert.deepEqual(Array.from(computeCuts(Float64Array.of(3, 1, 2, 1, 3), 255)), [1.5, 2.5]);
  });

  test('many values get equal-frequency bins whose cuts sit between data values', () => {
    const v = Float64Array.from({ length: 1000 }, (_, i) => i);
    const cuts = computeCuts(v.slice(), 4);
    assert.deepEqual(Array.from(cuts), [249.5, 499.5, 749.5]);
  });

  test('bin codes, missing bin and the CSR of non-default bins', () => {
    const x = matrix([
      [0, 5],
      [0, NaN],
      [1, 7],
      [0, 5],
    ]);
    const bm = binMatrix(x, 255);
    assert.deepEqual(Array.from(bm.nBins), [2, 2]);
    // feature 0 codes; feature 1 codes with the missing bin = nBins = 2
    assert.deepEqual(Array.from(bm.colBins), [0, 0, 1, 0, 0, 2, 1, 0]);
    // most frequent bins (0 of each feature) are left out of the row lists
    assert.deepEqual(Array.from(bm.rowPtr), [0, 0, 1, 3, 3]);
    assert.deepEqual(Array.from(bm.rowBins), [bm.offsets[1]! + 2, bm.offsets[0]! + 1, bm.offsets[1]! + 1]);
  });
});

describe('histograms', () => {
  test('subtraction gives the sibling histogram that direct building gives', () => {
    const rng = new Rng(1);
    const n = 500;
    const rows = Array.from({ length: n }, () => [
      rng.next(),
      rng.int(3),
      rng.next() < 0.1 ? NaN : rng.next(),
    ]);
    const bm = binMatrix(matrix(rows), 16);
    const stats = Float64Array.from({ length: 2 * n }, () => rng.next() - 0.5);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    const len = bm.totalBins * 2;
    const scratch = () => new Float64Array(len);
    const all = new Float64Array(len);
    const tAll = new Float64Array(2);
    buildHistogram(bm, stats, 2, idx, 0, n, all, tAll, scratch);
    const left = new Float64Array(len);
    const tL = new Float64Array(2);
    buildHistogram(bm, stats, 2, idx, 0, 200, left, tL, scratch);
    const right = new Float64Array(len);
    const tR = new Float64Array(2);
    buildHistogram(bm, stats, 2, idx, 200, n, right, tR, scratch);
    subtractInPlace(all, left);
    for (let i = 0; i < len; i++) assert.ok(Math.abs(all[i]! - right[i]!) < 1e-9);
    // each feature's bins add up to the node total
    for (let f = 0; f < 3; f++) {
      let s = 0;
      for (let b = 0; b <= bm.nBins[f]!; b++) s += right[(bm.offsets[f]! + b) * 2]!;
      assert.ok(Math.abs(s - tR[0]!) < 1e-9);
    }
  });
});

describe('tree growth', () => {
  test('the XGBoost criterion finds the split and leaf weights −G/(H+λ)·eta', () => {
    const x = matrix([[0], [0], [1], [1]]);
    const bm = binMatrix(x, 255);
    // squared error at margin 0 for labels 1, 1, 3, 3: g = −y, h = 1
    const stats = Float64Array.of(-1, 1, -1, 1, -3, 1, -3, 1);
    const g = growTree(
      bm,
      stats,
      { kind: 'xgb', lambda: 1, alpha: 0, gamma: 0, minChildWeight: 1, eta: 0.5 },
      {
        maxDepth: 3,
        minInstances: 0,
        minInfoGain: 0,
        features: Int32Array.of(0),
        featuresPerNode: 0,
        rng: new Rng(0),
      },
      Int32Array.of(0, 1, 2, 3),
      4,
    );
    const t = g.tree;
    assert.equal(t.feature[0], 0);
    assert.equal(t.threshold[0], 0.5);
    assert.ok(Math.abs(t.value[t.left[0]!]! - (2 / 3) * 0.5) < 1e-12);
    assert.ok(Math.abs(t.value[t.right[0]!]! - (6 / 3) * 0.5) < 1e-12);
    // gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)
    assert.ok(Math.abs(t.gain[0]! - (4 / 3 + 36 / 3 - 64 / 5)) < 1e-12);
  });

  test('gamma prunes splits whose loss change is below it', () => {
    const x = matrix([[0], [0], [1], [1]]);
    const bm = binMatrix(x, 255);
    const stats = Float64Array.of(-1, 1, -1, 1, -3, 1, -3, 1);
    const grow = (gamma: number) =>
      growTree(
        bm,
        stats,
        { kind: 'xgb', lambda: 1, alpha: 0, gamma, minChildWeight: 1, eta: 1 },
        {
          maxDepth: 3,
          minInstances: 0,
          minInfoGain: 0,
          features: Int32Array.of(0),
          featuresPerNode: 0,
          rng: new Rng(0),
        },
        Int32Array.of(0, 1, 2, 3),
        4,
      ).tree.feature.length;
    assert.equal(grow(0.1), 3);
    assert.equal(grow(1), 1);
  });

  test('missing values learn a default direction', () => {
    const x = matrix([[0], [0], [NaN], [NaN], [1], [1]]);
    const bm = binMatrix(x, 255);
    // rows with NaN behave like the x = 1 rows
    const stats = Float64Array.of(1, 1, 1, 1, -1, 1, -1, 1, -1, 1, -1, 1);
    const t = growTree(
      bm,
      stats,
      { kind: 'xgb', lambda: 0, alpha: 0, gamma: 0, minChildWeight: 0, eta: 1 },
      {
        maxDepth: 1,
        minInstances: 0,
        minInfoGain: 0,
        features: Int32Array.of(0),
        featuresPerNode: 0,
        rng: new Rng(0),
      },
      Int32Array.from({ length: 6 }, (_, i) => i),
      6,
    ).tree;
    assert.equal(t.defaultLeft[0], 0);
    assert.equal(t.value[t.right[0]!], 1);
  });
});

describe('helpers', () => {
  test('seeded generator is reproducible and sample() draws distinct indices', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    assert.deepEqual([a.next(), a.next()], [b.next(), b.next()]);
    const s = new Rng(3).sample(10, 4);
    assert.equal(new Set(s).size, 4);
    assert.ok(s.every((v) => v >= 0 && v < 10));
  });

  test('sampleInto draws what sample draws and leaves its permutation in order', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const perm = Int32Array.from({ length: 40 }, (_, i) => i);
    const swaps = new Int32Array(40);
    const out = new Int32Array(40);
    for (let t = 0; t < 50; t++) {
      const k = 1 + (t % 9);
      assert.deepEqual(Array.from(b.sampleInto(40, k, perm, swaps, out)), Array.from(a.sample(40, k)));
      assert.deepEqual(
        Array.from(perm),
        Array.from({ length: 40 }, (_, i) => i),
      );
    }
  });

  test('float32 thresholds: fround(x) < t exactly when x < the converted threshold', () => {
    const rng = new Rng(5);
    for (let k = 0; k < 2000; k++) {
      const t = Math.fround((rng.next() - 0.5) * 10 ** rng.int(6));
      const d = thresholdFromFloat32(t);
      for (const x of [d, d - 1e-12 * Math.abs(d), d + 1e-12 * Math.abs(d), t, Math.fround(d)]) {
        if (x === d) continue; // exact midpoint: XGBoost rounds half to even
        assert.equal(Math.fround(x) < t, x < d, `t=${t} x=${x}`);
      }
      assert.equal(thresholdToFloat32(d), t);
    }
  });

  test('AUC counts ties as one half', () => {
    assert.equal(auc(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1), null), 0.75);
    assert.equal(auc(Float64Array.of(0.5, 0.5), Float64Array.of(0, 1), null), 0.5);
  });
});
