// Kernels against naive reference loops on seeded random data: the Gram matrix through its dense (tiled) and
// sparse paths and from CSR storage, Cholesky solves and inverse diagonals, the CSR design matrix products.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { augmentedGram } from './gram.js';
import { choleskyInPlace, choleskySolveInPlace, inverseDiagonal } from './cholesky.js';
import { designMatrix } from './design-matrix.js';
import { columnStats } from './column-stats.js';
import { csr, dense, multiplyRows } from './matrix.js';

/** Mulberry32: a tiny seeded generator, good enough for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n×p matrix whose first `denseCols` columns are dense and the rest one-hot-like (mostly zero). */
function data(n: number, p: number, denseCols: number, seed: number) {
  const r = rng(seed);
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < denseCols; j++) x[i * p + j] = r() * 4 - 2;
    if (p > denseCols) x[i * p + denseCols + Math.floor(r() * (p - denseCols))] = 1;
  }
  const y = Float64Array.from({ length: n }, () => r() * 10);
  const w = Float64Array.from({ length: n }, () => 0.5 + r());
  return { x, y, w };
}

function toCsr(x: Float64Array, n: number, p: number) {
  const indptr = new Int32Array(n + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      if (x[i * p + j] !== 0) {
        idx.push(j);
        val.push(x[i * p + j]!);
      }
    }
    indptr[i + 1] = idx.length;
  }
  return csr(n, p, indptr, Int32Array.from(idx), Float64Array.from(val));
}

function naiveGram(x: Float64Array, n: number, p: number, y: Float64Array, w: Float64Array | null) {
  const q = p + 2;
  const m = new Float64Array(q * q);
  const row = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = x[i * p + j]!;
    row[p] = 1;
    row[p + 1] = y[i]!;
    const wi = w ? w[i]! : 1;
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) m[a * q + b] = m[a * q + b]! + wi * row[a]! * row[b]!;
  }
  return m;
}

function assertAllClose(a: Float64Array, b: Float64Array, rel: number, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i]! - b[i]!) <= rel * Math.max(1, Math.abs(b[i]!)),
      `${what}[${i}]: ${a[i]} vs ${b[i]}`,
    );
  }
}

for (const [label, denseCols, p] of [
  ['dense path', 13, 13],
  ['sparse path', 3, 40],
  ['mixed', 9, 20],
] as const) {
  test(`Gram matrix (${label}) equals the naive sum, weighted and not, dense and CSR storage`, () => {
    const n = 2500; // more than two chunks of rows, with a short last chunk
    const { x, y, w } = data(n, p, denseCols, 7 + p);
    for (const wt of [null, w]) {
      const ref = naiveGram(x, n, p, y, wt);
      assertAllClose(augmentedGram(dense(x, n, p), y, wt).m, ref, 1e-12, 'dense storage');
      const c = toCsr(x, n, p);
      assertAllClose(augmentedGram(c, y, wt).m, ref, 1e-12, 'csr storage');
      // The same rows with their entries in reverse order (CSR does not promise sorted indices).
      const rev = csr(n, p, c.indptr, Int32Array.from(c.indices), Float64Array.from(c.values));
      for (let i = 0; i < n; i++) {
        rev.indices.subarray(c.indptr[i]!, c.indptr[i + 1]!).reverse();
        rev.values.subarray(c.indptr[i]!, c.indptr[i + 1]!).reverse();
      }
      assertAllClose(augmentedGram(rev, y, wt).m, ref, 1e-12, 'unsorted csr storage');
    }
  });
}

test('Cholesky solve and inverse diagonal match a direct check', () => {
  const r = rng(3);
  const k = 7;
  const b = Float64Array.from({ length: k * k }, () => r() - 0.5);
  const a = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = i === j ? 1 : 0;
      for (let t = 0; t < k; t++) s += b[i * k + t]! * b[j * k + t]!;
      a[i * k + j] = s;
    }
  const rhs = Float64Array.from({ length: k }, () => r());
  const l = Float64Array.from(a);
  assert.ok(choleskyInPlace(l, k));
  const sol = Float64Array.from(rhs);
  choleskySolveInPlace(l, k, sol);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += a[i * k + j]! * sol[j]!;
    assert.ok(Math.abs(s - rhs[i]!) < 1e-12);
  }
  const diag = inverseDiagonal(l, k);
  for (let i = 0; i < k; i++) {
    const e = new Float64Array(k);
    e[i] = 1;
    choleskySolveInPlace(l, k, e);
    assert.ok(Math.abs(diag[i]! - e[i]!) < 1e-12);
  }
  const singular = new Float64Array([1, 1, 1, 1]);
  assert.equal(choleskyInPlace(singular, 2), false);
});

test('design matrix products agree between dense and CSR layouts', () => {
  const n = 300;
  const p = 30;
  const { x } = data(n, p, 2, 11);
  const D = designMatrix(dense(x, n, p));
  assert.equal(D.layout, 'csr'); // sparse enough to be compressed
  const v = Float64Array.from({ length: p }, (_, j) => j - 10);
  const r = Float64Array.from({ length: n }, (_, i) => (i % 7) - 3);
  const out1 = new Float64Array(n);
  const out2 = new Float64Array(p);
  D.multiply(v, out1);
  D.multiplyTranspose(r, out2);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += x[i * p + j]! * v[j]!;
    assert.ok(Math.abs(s - out1[i]!) < 1e-12);
  }
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * p + j]! * r[i]!;
    assert.ok(Math.abs(s - out2[j]!) < 1e-9);
  }
  // The fused pass equals multiply, then a per-row link, then multiplyTranspose.
  for (const X of [D, designMatrix(toCsr(x, n, p)), designMatrix(dense(data(n, 8, 8, 3).x, n, 8))]) {
    const m = new Float64Array(X.n);
    const vv = Float64Array.from({ length: X.p }, (_, j) => Math.cos(j));
    X.multiply(vv, m);
    const e = Float64Array.from(m, (mi, i) => Math.tanh(mi + 0.5) * (i % 3));
    const ref = new Float64Array(X.p);
    X.multiplyTranspose(e, ref);
    const fused = new Float64Array(X.p);
    X.multiplyLinkTranspose(vv, 0.5, (i, mi) => Math.tanh(mi) * (i % 3), fused);
    for (let j = 0; j < X.p; j++) assert.ok(Math.abs(fused[j]! - ref[j]!) < 1e-9, `fused ${X.layout} ${j}`);
  }
  const dd = designMatrix(dense(data(50, 4, 4, 1).x, 50, 4));
  assert.equal(dd.layout, 'dense');
});

test('column statistics: weighted means and unbiased stds, same from CSR', () => {
  const n = 400;
  const p = 6;
  const { x, w } = data(n, p, 3, 5);
  const s1 = columnStats(dense(x, n, p), w);
  const s2 = columnStats(toCsr(x, n, p), w);
  const W = w.reduce((a, b) => a + b, 0);
  const W2 = w.reduce((a, b) => a + b * b, 0);
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += w[i]! * x[i * p + j]!;
    m /= W;
    let v = 0;
    for (let i = 0; i < n; i++) v += w[i]! * (x[i * p + j]! - m) ** 2;
    const sd = Math.sqrt(v / (W - W2 / W));
    for (const s of [s1, s2]) {
      assert.ok(Math.abs(s.mean[j]! - m) < 1e-12);
      assert.ok(Math.abs(s.std[j]! - sd) < 1e-12);
    }
  }
});

test('multi-threaded Gram pass equals the one-thread pass and is deterministic', async () => {
  const { augmentedGramParallel, terminateGramWorkers } = await import('./gram-parallel.js');
  const n = 16_400; // n·p above the parallel threshold, with a short last block
  const p = 250;
  const { x, y, w } = data(n, p, p, 21);
  try {
    for (const wt of [null, w]) {
      const one = augmentedGram(dense(x, n, p), y, wt).m;
      const a = (await augmentedGramParallel(dense(x, n, p), y, wt, 2)).m;
      const b = (await augmentedGramParallel(dense(x, n, p), y, wt, 2)).m;
      assertAllClose(a, one, 1e-12, 'parallel vs one thread');
      assert.deepEqual(a, b, 'two parallel runs give identical bits');
    }
  } finally {
    await terminateGramWorkers();
  }
});

test('WebAssembly SIMD tile kernel equals the JS tile kernel (odd chunk, weights, padding columns)', async () => {
  const { denseBlock } = await import('./gram.js');
  const { tilesKernel } = await import('./wasm-tiles.js');
  const kernel = tilesKernel();
  assert.ok(kernel, 'Node 20 supports WebAssembly SIMD');
  for (const [n, p] of [
    [1500, 11],
    [2049, 30],
  ] as const) {
    const { x, y, w } = data(n, p, p, n);
    const qPad = (p + 2 + 3) & ~3;
    for (const wt of [null, w]) {
      const a = new Float64Array(qPad * qPad);
      const b = new Float64Array(qPad * qPad);
      denseBlock(x, p, y, wt, 0, n, a, qPad, null);
      denseBlock(x, p, y, wt, 0, n, b, qPad, kernel);
      for (let j = 0; j < p + 2; j++) {
        for (let k = j; k < p + 2; k++) {
          const i = j * qPad + k;
          assert.ok(
            Math.abs(a[i]! - b[i]!) <= 1e-12 * Math.max(1, Math.abs(a[i]!)),
            `(${j},${k}) ${a[i]} vs ${b[i]}`,
          );
        }
      }
    }
  }
});

test('level-1/2 kernels: dot, axpy, scal, nrm2, gemv, gemvT', async () => {
  const { dot, axpy, scal, nrm2, gemv, gemvT } = await import('./blas.js');
  const x = Float64Array.from([1, 2, 3, 4, 5]);
  const y = Float64Array.from([5, 4, 3, 2, 1]);
  assert.equal(dot(5, x, y), 35);
  assert.equal(dot(2, x, y, 3, 0), 4 * 5 + 5 * 4);
  const z = Float64Array.from(y);
  axpy(5, 2, x, z);
  assert.deepEqual(Array.from(z), [7, 8, 9, 10, 11]);
  scal(5, 0.5, z);
  assert.deepEqual(Array.from(z), [3.5, 4, 4.5, 5, 5.5]);
  assert.equal(nrm2(2, Float64Array.from([3, 4])), 5);
  const a = Float64Array.from([1, 2, 3, 4, 5, 6]); // 2×3 row-major
  const out2 = new Float64Array(2);
  gemv(2, 3, a, Float64Array.from([1, 0, -1]), out2);
  assert.deepEqual(Array.from(out2), [-2, -2]);
  const out3 = new Float64Array(3);
  gemvT(2, 3, a, Float64Array.from([1, 1]), out3);
  assert.deepEqual(Array.from(out3), [5, 7, 9]);
});

test('dense and CSR matrices share one V8 hidden class, so multiplyRows is not deoptimised by a switch of layout', () => {
  // %HaveSameMap needs --allow-natives-syntax: checked in a child process. With two shapes, a dense call
  // after CSR ones deoptimised multiplyRows ("wrong map") and the next large CSR call ran unoptimised.
  const root = new URL('../../../../', import.meta.url).pathname;
  const script = `
    const { csr, dense } = await import(${JSON.stringify(new URL('./matrix.ts', import.meta.url).href)});
    const a = dense(new Float64Array(4), 2, 2);
    const b = csr(2, 2, new Int32Array([0, 1, 2]), new Int32Array([0, 1]), new Float64Array([1, 2]));
    console.log(JSON.stringify({ same: %HaveSameMap(a, b) }));
  `;
  const res = spawnSync(
    process.execPath,
    ['--allow-natives-syntax', '--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout.trim().split('\n').at(-1)!), { same: true });
  // and the dense one still reads as dense
  const x = dense(Float64Array.from([1, 2, 3, 4]), 2, 2);
  const out = new Float64Array(2);
  multiplyRows(x, Float64Array.from([1, -1]), 0.5, out);
  assert.deepEqual([...out], [-0.5, -0.5]);
});
