import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix } from './binning.js';
import { buildHistogram } from './histogram.js';
import {
  binMatrixParallel,
  forestWorkerReady,
  ParallelHistograms,
  setWorkerPatience,
  warmForestWorker,
} from './parallel.js';
import { Rng } from './rng.js';

function setup() {
  const rng = new Rng(4);
  const n = 40_000;
  const p = 6;
  const data = Float64Array.from({ length: n * p }, (_, i) => (i % p === 5 ? rng.int(3) : rng.next()));
  const bm = binMatrix({ data, nRows: n, nCols: p }, 64);
  const stats = Float64Array.from({ length: 2 * n }, () => rng.next() - 0.3);
  const idx = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n);
  const len = bm.totalBins * 2;
  const ref = new Float64Array(len);
  const refTot = new Float64Array(2);
  buildHistogram(bm, stats, 2, idx, 0, n, ref, refTot, () => new Float64Array(len));
  return { n, bm, stats, idx, len, ref, refTot };
}

test('histogram blocks built with the worker equal the one-thread histogram bit for bit', () => {
  const { n, bm, stats, idx, len, ref, refTot } = setup();
  const ph = new ParallelHistograms(bm, 2 * n, 2);
  try {
    ph.stats.set(stats);
    ph.idx.set(idx);
    const h = new Float64Array(len);
    const t = new Float64Array(2);
    assert.equal(ph.build(0, n, h, t), true);
    assert.deepEqual(h, ref);
    assert.deepEqual(t, refTot);
    assert.equal(ph.build(0, 100, h, t), false, 'small nodes stay on the calling thread');
  } finally {
    ph.close();
  }
});

test('a worker that stops answering is replaced by the main thread, with the same result', async () => {
  const { n, bm, stats, idx, len, ref } = setup();
  const ph = new ParallelHistograms(bm, 2 * n, 2);
  await ph.worker.terminate();
  setWorkerPatience(100);
  try {
    ph.stats.set(stats);
    ph.idx.set(idx);
    const h = new Float64Array(len);
    assert.equal(ph.build(0, n, h, new Float64Array(2)), true);
    assert.deepEqual(h, ref);
    assert.equal(ph.build(0, n, h, new Float64Array(2)), false, 'later nodes run on the main thread');
  } finally {
    setWorkerPatience(10_000);
    ph.close();
  }
});

test('binning with the forest worker gives the one-thread binned matrix', async () => {
  const rng = new Rng(8);
  const n = 5000;
  const p = 9;
  // Continuous columns (some missing), one-hot and constant ones.
  const data = Float64Array.from({ length: n * p }, (_, i) => {
    const f = i % p;
    if (f < 5) return rng.next() < 0.02 ? NaN : rng.next() * (f + 1);
    return f === 8 ? 3 : rng.next() < 0.2 ? 1 : 0;
  });
  // Column 4 has only 3 values in its first 64 rows and many after: found continuous by the full scan only.
  for (let r = 0; r < 64; r++) data[r * p + 4] = r % 3;
  const x = { data, nRows: n, nCols: p };
  const one = binMatrix(x, 64);
  const same = (two: typeof one) => {
    assert.deepEqual(two.cuts, one.cuts);
    assert.deepEqual(two.colBins, one.colBins);
    assert.deepEqual(two.defaultBin, one.defaultBin);
    assert.deepEqual(two.rowPtr, one.rowPtr);
    assert.deepEqual(two.rowBins, one.rowBins);
  };
  // A worker still starting: half of the continuous columns after the scan.
  warmForestWorker();
  assert.equal(forestWorkerReady(), false);
  same(await binMatrixParallel(x, 64));
  // A worker that is up: most continuous columns handed over before the scan.
  while (!forestWorkerReady()) await new Promise((r) => setTimeout(r, 10));
  same(await binMatrixParallel(x, 64));
});
