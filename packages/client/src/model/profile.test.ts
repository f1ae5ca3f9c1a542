// The training profile of a sparse vector column (CSR, read without densifying) agrees with the dense
// path on the same values — through a row view too, as profileFrame samples large frames. The sample
// autolog cuts on the fit's thread and profiles on its logging thread gives the same profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, float64Column, int32Column, sparseVectorColumn, vectorColumn } from '@cauce/frame';
import { profileFrame, type NumericProfile, type VectorProfile } from '@cauce/client';
import { rng } from '../../test/support/rng.js';
import { VECTOR_CELLS, profileBuffers, profileInput, profileOfInput } from './profile.js';

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

test('a prepared sample moved to another thread profiles like profileFrame, and the frame keeps its data', () => {
  const r = rng(9);
  for (const rows of [300, 12_000]) {
    const size = 5;
    const dense = new Float64Array(rows * size).map(() => r());
    const indptr = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < size; j++)
        if (r() < 0.4) {
          indices.push(j);
          values.push(r() * 4 - 2);
        }
      indptr.push(indices.length);
    }
    const frame = Frame.fromColumns({
      x: Float64Array.from({ length: rows }, () => (r() < 0.05 ? Number.NaN : r() * 100)),
      k: int32Column(Int32Array.from({ length: rows }, () => Math.floor(r() * 7))),
      g: Array.from({ length: rows }, () => (r() < 0.3 ? 'a' : r() < 0.5 ? 'b' : 'c')),
      s: sparseVectorColumn(
        size,
        Int32Array.from(indptr),
        Int32Array.from(indices),
        Float64Array.from(values),
      ),
      d: vectorColumn(size, dense),
    });
    const before = JSON.stringify(profileFrame(frame).columns);
    const input = profileInput(frame);
    // what autolog does: the sample's buffers are transferred (detached here), not copied
    const moved = structuredClone(input, { transfer: profileBuffers(input) });
    const profile = profileOfInput(moved);
    assert.equal(JSON.stringify(profile.columns), before, `${rows} rows: same profile`);
    assert.equal(profile.sampledRows, Math.min(rows, 10_000));
    // the frame's own storage was not part of the transfer
    assert.equal(JSON.stringify(profileFrame(frame).columns), before, `${rows} rows: frame intact`);
  }
});

test('a wide dense vector is profiled from at most VECTOR_CELLS values, evenly spaced rows, without touching the frame', () => {
  const r = rng(17);
  const size = 250;
  for (const rows of [3_000, 12_000]) {
    const dense = new Float64Array(rows * size).map((_, k) => (k % size) + r());
    const frame = Frame.fromColumns({ d: vectorColumn(size, dense) });
    const input = profileInput(frame);
    const col = input.columns[0]!;
    assert.equal(col.kind, 'dense');
    const cap = VECTOR_CELLS / size; // 4,000 rows
    const used = Math.min(rows, cap);
    if (col.kind !== 'dense') return;
    assert.equal(col.rows, used);
    assert.notEqual(col.values.buffer, dense.buffer, 'the sample never is the frame storage');
    // row k of the sample is frame row floor(k·n'/used) of the (≤ 10,000-row) sample: check a few values
    const sampled = Math.min(rows, 10_000);
    for (const k of [0, 1, used - 1]) {
      const row = Math.floor((Math.floor((k * sampled) / used) * rows) / sampled);
      assert.equal(col.values[k * size + 3], dense[row * size + 3]);
    }
    const moved = structuredClone(input, { transfer: profileBuffers(input) });
    const p = profileOfInput(moved).columns.d as VectorProfile;
    assert.equal(p.count, rows, "count: the whole frame's rows");
    // element j's values are j + U(0, 1): mean j + ½ within sampling error, std √(1/12)
    for (const j of [0, 100, 249]) {
      assert.ok(Math.abs(p.mean[j]! - (j + 0.5)) < 0.03, `mean ${j}: ${p.mean[j]}`);
      assert.ok(Math.abs(p.std[j]! - Math.sqrt(1 / 12)) < 0.02, `std ${j}: ${p.std[j]}`);
    }
    assert.equal(dense[size + 3]! >= 3 && dense[size + 3]! < 4, true, 'the frame keeps its values');
  }
});

test('a numeric column: non-finite values left out of its statistics, statistics as computed by hand, a seeded sample of its values', () => {
  const r = rng(11);
  const n = 3000;
  const values = Float64Array.from({ length: n }, (_, i) =>
    i % 97 === 0 ? NaN : i % 101 === 0 ? Infinity : Math.round(r() * 2000) / 10 - 50,
  );
  const frame = Frame.fromColumns({ x: float64Column(values) });
  const p = profileFrame(frame).columns.x as NumericProfile;
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  const m = finite.length;
  assert.equal(p.count, n);
  assert.equal(
    p.nulls,
    0,
    "nulls are the frame's (none here); NaN and ±Infinity are only left out of the statistics",
  );
  const mean = finite.reduce((a, b) => a + b, 0) / m;
  const std = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1));
  assert.ok(Math.abs(p.mean! - mean) < 1e-9 * Math.max(1, Math.abs(mean)));
  assert.ok(Math.abs(p.std! - std) < 1e-9 * std);
  const sorted = [...finite].sort((a, b) => a - b);
  assert.equal(p.min, sorted[0]);
  assert.equal(p.max, sorted[m - 1]);
  assert.equal(p.distinct, new Set(finite).size);
  // numpy's default ('linear') quantile
  for (const q of [0.01, 0.25, 0.5, 0.99]) {
    const pos = q * (m - 1);
    const lo = Math.floor(pos);
    const want = sorted[lo]! + (sorted[Math.min(lo + 1, m - 1)]! - sorted[lo]!) * (pos - lo);
    assert.ok(Math.abs(p.quantiles[String(q)]! - want) < 1e-9, `quantile ${q}`);
  }
  assert.equal(
    p.histogram.counts.reduce((a, b) => a + b, 0),
    m,
  );
  assert.equal(p.sample.length, 1000);
  const pool = new Map<number, number>();
  for (const v of finite) pool.set(v, (pool.get(v) ?? 0) + 1);
  for (const v of p.sample) {
    assert.ok((pool.get(v) ?? 0) > 0, 'the sample draws finite values, without replacement');
    pool.set(v, pool.get(v)! - 1);
  }
  assert.deepEqual((profileFrame(frame).columns.x as NumericProfile).sample, p.sample, 'seeded');
});
