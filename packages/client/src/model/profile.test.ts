// The training profile of a sparse vector column (CSR, read without densifying) agrees with the dense
// path on the same values — through a row view too, as profileFrame samples large frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, sparseVectorColumn, vectorColumn } from '@cauce/frame';
import { profileFrame, type VectorProfile } from '@cauce/client';

/** mulberry32: a seeded generator for the test data. */
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

test('a sparse vector column profiles like the same values stored densely', () => {
  const r = rng(3);
  const rows = 300;
  const size = 7;
  const dense = new Float64Array(rows * size);
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < size; j++) {
      // column 0 always stored (never an implicit zero), column 6 never, negatives and positives elsewhere
      if (j === 6 || (j > 0 && r() < 0.6)) continue;
      const v = j === 1 ? -1 - r() : (r() - 0.3) * 10;
      dense[i * size + j] = v;
      indices.push(j);
      values.push(v);
    }
    indptr.push(indices.length);
  }
  const sparse = sparseVectorColumn(
    size,
    Int32Array.from(indptr),
    Int32Array.from(indices),
    Float64Array.from(values),
  );
  const frame = Frame.fromColumns({ s: sparse, d: vectorColumn(size, dense) });
  for (const f of [frame, frame.take(Int32Array.from({ length: 120 }, (_, i) => (i * 7) % rows))]) {
    const p = profileFrame(f).columns;
    const s = p.s as VectorProfile;
    const d = p.d as VectorProfile;
    assert.equal(s.kind, 'vector');
    assert.equal(s.count, d.count);
    assert.equal(s.size, size);
    assert.deepEqual(s.min, d.min);
    assert.deepEqual(s.max, d.max);
    for (let j = 0; j < size; j++) {
      // two-pass vs Welford: equal to rounding
      assert.ok(Math.abs(s.mean[j]! - d.mean[j]!) <= 1e-12 * (1 + Math.abs(d.mean[j]!)), `mean ${j}`);
      assert.ok(Math.abs(s.std[j]! - d.std[j]!) <= 1e-12 * (1 + Math.abs(d.std[j]!)), `std ${j}`);
    }
    assert.equal(s.max[6], 0);
    assert.equal(s.std[6], 0);
    assert.ok(s.max[1]! === 0 && s.min[1]! < -1, 'implicit zeros count in min / max');
  }
});
