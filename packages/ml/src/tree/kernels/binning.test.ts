import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix, computeCuts, type BinnedMatrix, type DenseMatrix } from './binning.js';
import { Rng } from './rng.js';

/**
 * The binning rule written plainly, column by column: ≤ 8 distinct values (and ≤ maxBin) get one bin each,
 * others equal-frequency cuts over all values; bin = number of cuts ≤ x; the missing bin after the value
 * bins; the default bin is the most frequent (lowest on ties); the CSR lists every other cell row by row.
 */
function reference(x: DenseMatrix, maxBin: number) {
  const { data, nRows: n, nCols: p } = x;
  const cuts: Float64Array[] = [];
  const codes: number[][] = [];
  const def: number[] = [];
  for (let f = 0; f < p; f++) {
    const col = Array.from({ length: n }, (_, r) => data[r * p + f]!);
    const vals = col.filter((v) => !Number.isNaN(v));
    const distinct = [...new Set(vals)];
    const c =
      distinct.length <= 8 && distinct.length <= maxBin
        ? computeCuts(Float64Array.from(distinct), maxBin)
        : computeCuts(Float64Array.from(vals), maxBin);
    cuts.push(c);
    const code = col.map((v) => (Number.isNaN(v) ? c.length + 1 : c.filter((t) => t <= v).length));
    codes.push(code);
    const counts = new Array<number>(c.length + 2).fill(0);
    for (const b of code) counts[b]!++;
    def.push(counts.indexOf(Math.max(...counts)));
  }
  const rows: number[][] = [];
  for (let r = 0; r < n; r++) {
    const list: number[] = [];
    let off = 0;
    for (let f = 0; f < p; f++) {
      if (codes[f]![r] !== def[f]) list.push(off + codes[f]![r]!);
      off += cuts[f]!.length + 2;
    }
    rows.push(list);
  }
  return { cuts, codes, def, rows };
}

function check(bm: BinnedMatrix, ref: ReturnType<typeof reference>) {
  const { nRows: n, nFeatures: p } = bm;
  for (let f = 0; f < p; f++) {
    assert.deepEqual(Array.from(bm.cuts[f]!), Array.from(ref.cuts[f]!), `cuts of feature ${f}`);
    assert.deepEqual(
      Array.from(bm.colBins.subarray(f * n, (f + 1) * n)),
      ref.codes[f],
      `codes of feature ${f}`,
    );
    assert.equal(bm.defaultBin[f]! - bm.offsets[f]!, ref.def[f], `default bin of feature ${f}`);
  }
  for (let r = 0; r < n; r++) {
    assert.deepEqual(
      Array.from(bm.rowBins.subarray(bm.rowPtr[r]!, bm.rowPtr[r + 1]!)),
      ref.rows[r],
      `row ${r}`,
    );
  }
}

describe('binning paths', () => {
  // Columns that exercise the row-major scan: one-hot (first value seen is not the most frequent), a
  // mostly-missing column, values seen out of order, a column that turns continuous after 200 rows, a
  // constant column, six values with maxBin 4, a continuous column with missing values, and a column whose
  // values appear in sorted order (±0 first) but which has missing values.
  const rng = new Rng(42);
  const n = 600;
  const p = 8;
  const data = new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    const o = r * p;
    data[o] = r === 0 || rng.next() < 0.1 ? 1 : 0;
    data[o + 1] = rng.next() < 0.7 ? NaN : rng.next() < 0.5 ? -2 : 3;
    data[o + 2] = [5, -1, 2, 0.5][rng.int(4)]!;
    data[o + 3] = r < 200 ? rng.int(3) : rng.next() * 100;
    data[o + 4] = 7;
    data[o + 5] = rng.int(6) - 0;
    data[o + 6] = rng.next() < 0.05 ? NaN : rng.next() * 2 - 1;
    data[o + 7] = r % 5 === 3 ? NaN : r === 1 ? 1 : rng.next() < 0.5 ? -0 : 0;
  }
  const x = { data, nRows: n, nCols: p };

  for (const maxBin of [255, 4]) {
    test(`learned cuts match the plain column-by-column rule (maxBin ${maxBin})`, () => {
      check(binMatrix(x, maxBin), reference(x, maxBin));
    });

    test(`given cuts bin the same as learned ones (maxBin ${maxBin})`, () => {
      const learned = binMatrix(x, maxBin);
      check(binMatrix(x, maxBin, learned.cuts), reference(x, maxBin));
    });
  }
});
