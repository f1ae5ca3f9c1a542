import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileForest, predictCompiled, warmUpWalk } from './compiled-forest.js';
import { walkChoice, walkHere } from './main-walk.js';
import { Rng } from './rng.js';
import { WasmWalker, wasmMemory } from './wasm-walk.js';
import { leafIndex, type Tree } from './tree.js';

/** A random tree with leaves at uneven depths (up to maxDepth), NaN-direction bits and valueDim values. */
function randomTree(rng: Rng, nCols: number, maxDepth: number, V: number): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const defaultLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const build = (d: number): number => {
    const i = feature.length;
    feature.push(-1);
    threshold.push(0);
    defaultLeft.push(0);
    left.push(-1);
    right.push(-1);
    if (d < maxDepth && (d < 2 || rng.next() < 0.75)) {
      feature[i] = Math.floor(rng.next() * nCols);
      // Some thresholds equal data values exactly (x = t goes right), hence the coarse grid.
      threshold[i] = Math.round(rng.next() * 20) / 20;
      defaultLeft[i] = rng.next() < 0.5 ? 1 : 0;
      left[i] = build(d + 1);
      right[i] = build(d + 1);
    }
    return i;
  };
  build(0);
  const n = feature.length;
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    defaultLeft: Uint8Array.from(defaultLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    gain: new Float64Array(n),
    cover: new Float64Array(n),
    value: Float64Array.from({ length: n * V }, () => rng.next() * 3 - 1),
    valueDim: V,
  };
}

function randomRows(rng: Rng, nRows: number, nCols: number): Float64Array {
  return Float64Array.from({ length: nRows * nCols }, () =>
    rng.next() < 0.1 ? NaN : Math.round(rng.next() * 20) / 20,
  );
}

/** The plain pointer-chasing walk (tree.ts leafIndex), summed in tree order like the compiled one. */
function reference(
  trees: Tree[],
  data: Float64Array,
  nRows: number,
  nCols: number,
  stride: number,
  opts: { scale?: number[]; normalize?: boolean; group?: number[] },
  start: number,
): Float64Array {
  const out = new Float64Array(nRows * stride).fill(start);
  trees.forEach((t, k) => {
    const V = t.valueDim;
    const g = (opts.group?.[k] ?? 0) * V;
    for (let r = 0; r < nRows; r++) {
      const leaf = leafIndex(t, data, r * nCols);
      let norm = 1;
      if (opts.normalize) {
        let s = 0;
        for (let v = 0; v < V; v++) s += t.value[leaf * V + v]!;
        norm = s > 0 ? 1 / s : 0;
      }
      for (let v = 0; v < V; v++) {
        out[r * stride + g + v]! += t.value[leaf * V + v]! * norm * (opts.scale?.[k] ?? 1);
      }
    }
  });
  return out;
}

test('the compiled walk (8 rows abreast, 16-byte node records) reaches the same leaves as the plain walk', () => {
  warmUpWalk();
  const rng = new Rng(11);
  const nCols = 9;
  // 301 rows: full blocks of 128, groups of 8 and a ragged tail.
  const nRows = 301;
  const data = randomRows(rng, nRows, nCols);
  const cases: { V: number; nTrees: number; groups: number; normalize: boolean; scaled: boolean }[] = [
    { V: 1, nTrees: 13, groups: 1, normalize: false, scaled: true },
    { V: 1, nTrees: 12, groups: 3, normalize: false, scaled: true },
    { V: 3, nTrees: 7, groups: 1, normalize: true, scaled: false },
  ];
  for (const c of cases) {
    const trees = Array.from({ length: c.nTrees }, (_, k) => randomTree(rng, nCols, 2 + (k % 9), c.V));
    const opts = {
      normalize: c.normalize,
      ...(c.scaled ? { scale: trees.map(() => rng.next()) } : {}),
      ...(c.groups > 1 ? { group: trees.map((_, k) => k % c.groups) } : {}),
    };
    const stride = c.V * c.groups;
    const want = reference(trees, data, nRows, nCols, stride, opts, 0.5);
    for (const shared of [false, true]) {
      const cf = compileForest(trees, { ...opts, shared });
      assert.equal(cf.shared, shared);
      const got = new Float64Array(nRows * stride).fill(0.5);
      predictCompiled(cf, data, nRows, nCols, got, stride);
      assert.deepEqual(got, want, `V=${c.V} groups=${c.groups} shared=${shared}`);
    }
    // The WebAssembly walk, on rows and sums placed in its memory (rows at 0, sums after, forest above).
    const cf = compileForest(trees, opts);
    const mem = wasmMemory(2)!;
    assert.ok(mem, 'WebAssembly shared memory is available on Node 20');
    const outAt = data.byteLength;
    const walker = new WasmWalker(mem, outAt + nRows * stride * 8 + 64);
    new Float64Array(mem.buffer, 0, data.length).set(data);
    new Float64Array(mem.buffer, outAt, nRows * stride).fill(0.5);
    // In two calls (rows 0..199, then the rest), as the worker walks blocks; the second reuses the placed forest.
    walker.walk(cf, 0, 200, nCols, outAt, stride);
    walker.walk(cf, 200 * nCols * 8, nRows - 200, nCols, outAt + 200 * stride * 8, stride);
    assert.deepEqual(new Float64Array(mem.buffer, outAt, nRows * stride), want, `wasm V=${c.V}`);
  }
});

test('this thread walks deep forests in WebAssembly, block by block, with the same sums', () => {
  const rng = new Rng(12);
  const nCols = 7;
  const nRows = 420;
  const data = randomRows(rng, nRows, nCols);
  for (const V of [1, 2]) {
    const trees = Array.from({ length: 9 }, () => randomTree(rng, nCols, 11, V));
    const cf = compileForest(trees, { normalize: V > 1 });
    assert.equal(walkChoice(cf, nCols, V), true, 'deep trees: the wasm walk');
    const want = reference(trees, data, nRows, nCols, V, { normalize: V > 1 }, 0.25);
    const got = new Float64Array(nRows * V).fill(0.25);
    walkHere(cf, data, nRows, nCols, got, V);
    assert.deepEqual(got, want);
  }
  const shallow = compileForest([randomTree(rng, nCols, 3, 1)]);
  assert.equal(walkChoice(shallow, nCols, 1), false, 'shallow trees: the JavaScript walk');
});

test('a single-leaf tree and an empty row set', () => {
  const stump: Tree = {
    feature: Int32Array.of(-1),
    threshold: Float64Array.of(0),
    defaultLeft: Uint8Array.of(0),
    left: Int32Array.of(-1),
    right: Int32Array.of(-1),
    gain: Float64Array.of(0),
    cover: Float64Array.of(0),
    value: Float64Array.of(2.5),
    valueDim: 1,
  };
  const cf = compileForest([stump, stump], { scale: [1, 0.5] });
  const out = new Float64Array(10);
  predictCompiled(cf, new Float64Array(10 * 2).fill(NaN), 10, 2, out, 1);
  assert.deepEqual(out, new Float64Array(10).fill(3.75));
  predictCompiled(cf, new Float64Array(0), 0, 2, new Float64Array(0), 1);
});
