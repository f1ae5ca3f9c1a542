import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moments, pearsonMatrix, radixSort, sortedFinite } from './stats.js';

/** Park–Miller minimal standard generator: seeded, so every run sees the same data. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

test('radixSort orders negatives, zeros, infinities, subnormals and duplicates like the native sort', () => {
  const r = rng(11);
  const n = 100_000;
  const special = [0, -Infinity, Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    x[i] =
      u < 0.05
        ? special[Math.floor(r() * special.length)]!
        : u < 0.3
          ? Math.round((r() - 0.5) * 20) // many duplicates
          : (r() - 0.5) * Math.exp((r() - 0.5) * 200);
  }
  const expected = x.slice().sort();
  assert.deepEqual([...radixSort(x.slice())], [...expected]);
  // sortedFinite drops NaN and folds -0 into 0 on the radix path (n ≥ 65,536) as on the native one.
  const withNaN = x.slice();
  for (let i = 0; i < n; i += 10) withNaN[i] = i % 20 === 0 ? NaN : -0;
  const s = sortedFinite(withNaN);
  const ref = [...withNaN].filter((v) => !Number.isNaN(v)).map((v) => (v === 0 ? 0 : v));
  ref.sort((a, b) => a - b);
  assert.deepEqual([...s], ref);
  assert.ok(s.every((v) => !Object.is(v, -0)));
});

test('moments match the textbook formulas, NaN skipped', () => {
  const x = new Float64Array([1e9 + 1, 1e9 + 2, NaN, 1e9 + 3, 1e9 + 4]);
  const m = moments(x);
  assert.equal(m.count, 4);
  assert.equal(m.mean, 1e9 + 2.5);
  assert.ok(Math.abs(m.std - Math.sqrt(5 / 3)) < 1e-9);
  assert.equal(m.min, 1e9 + 1);
  assert.equal(m.max, 1e9 + 4);
  const empty = moments(new Float64Array([NaN]));
  assert.equal(empty.count, 0);
  assert.ok(Number.isNaN(empty.mean) && Number.isNaN(empty.std));
});

test('the blocked Pearson matrix equals pairwise-complete correlations computed directly', () => {
  const r = rng(5);
  const n = 5_000; // several 1,024-row blocks and a partial one
  const a = Float64Array.from({ length: n }, () => r());
  const b = Float64Array.from(a, (v) => 2 * v + 0.1 * r());
  const c = Float64Array.from({ length: n }, () => (r() < 0.1 ? NaN : r()));
  const d = Float64Array.from(c, (v, i) => (i % 7 === 0 ? NaN : v - a[i]!));
  const cols = [a, b, c, d];
  const direct = (x: Float64Array, y: Float64Array): number => {
    const idx = [...x.keys()].filter((i) => !Number.isNaN(x[i]!) && !Number.isNaN(y[i]!));
    const mx = idx.reduce((s, i) => s + x[i]!, 0) / idx.length;
    const my = idx.reduce((s, i) => s + y[i]!, 0) / idx.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (const i of idx) {
      sxy += (x[i]! - mx) * (y[i]! - my);
      sxx += (x[i]! - mx) ** 2;
      syy += (y[i]! - my) ** 2;
    }
    return sxy / Math.sqrt(sxx * syy);
  };
  const m = pearsonMatrix(cols);
  for (let i = 0; i < cols.length; i++) {
    for (let j = 0; j < cols.length; j++) {
      assert.ok(Math.abs(m[i]![j]! - direct(cols[i]!, cols[j]!)) < 1e-12, `r[${i}][${j}]`);
    }
  }
});
