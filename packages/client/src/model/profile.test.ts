// The training profile of a sparse vector column (CSR, read without densifying) agrees with the dense
// path on the same values — through a row view too, as profileFrame samples large frames. The sample
// autolog cuts on the fit's thread and profiles on its logging thread gives the same profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, int32Column, sparseVectorColumn, vectorColumn } from '@cauce/frame';
import { profileFrame, type VectorProfile } from '@cauce/client';
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
