/**
 * Gradient / statistic histograms over binned rows. A histogram holds C channels per global bin
 * (XGBoost: gradient, hessian; variance trees: −Σwy, Σw, count; classification: class weights, count),
 * laid out hist[bin * C + c].
 */
import type { BinnedMatrix } from './binning.js';

/**
 * Rows per histogram block. Nodes with more rows are summed block by block in a fixed order, so the
 * floating-point result depends on the row count alone — never on how many threads built the blocks.
 */
export const HIST_BLOCK_ROWS = 16384;

/**
 * Adds the statistics of rows idx[start..end) into `hist` (which must be zeroed) for every non-default bin,
 * and their totals into `totals`. Call `fixDefaultBins` afterwards.
 */
export function accumulate(
  bm: BinnedMatrix,
  stats: Float64Array,
  C: number,
  idx: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
  totals: Float64Array,
): void {
  const { rowPtr, rowBins } = bm;
  if (C === 2) {
    let t0 = 0;
    let t1 = 0;
    for (let i = start; i < end; i++) {
      const r = idx[i]!;
      const a = stats[2 * r]!;
      const b = stats[2 * r + 1]!;
      t0 += a;
      t1 += b;
      const ke = rowPtr[r + 1]!;
      for (let k = rowPtr[r]!; k < ke; k++) {
        const o = rowBins[k]! * 2;
        hist[o]! += a;
        hist[o + 1]! += b;
      }
    }
    totals[0]! += t0;
    totals[1]! += t1;
  } else if (C === 3) {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    for (let i = start; i < end; i++) {
      const r = idx[i]!;
      const a = stats[3 * r]!;
      const b = stats[3 * r + 1]!;
      const c = stats[3 * r + 2]!;
      t0 += a;
      t1 += b;
      t2 += c;
      const ke = rowPtr[r + 1]!;
      for (let k = rowPtr[r]!; k < ke; k++) {
        const o = rowBins[k]! * 3;
        hist[o]! += a;
        hist[o + 1]! += b;
        hist[o + 2]! += c;
      }
    }
    totals[0]! += t0;
    totals[1]! += t1;
    totals[2]! += t2;
  } else {
    for (let i = start; i < end; i++) {
      const r = idx[i]!;
      const so = r * C;
      for (let c = 0; c < C; c++) totals[c]! += stats[so + c]!;
      const ke = rowPtr[r + 1]!;
      for (let k = rowPtr[r]!; k < ke; k++) {
        const o = rowBins[k]! * C;
        for (let c = 0; c < C; c++) hist[o + c]! += stats[so + c]!;
      }
    }
  }
}

/** Sets each feature's most frequent bin to (node totals − the feature's other bins). */
export function fixDefaultBins(bm: BinnedMatrix, C: number, hist: Float64Array, totals: Float64Array): void {
  fixDefaultBinsOf(bm, C, hist, totals, null, bm.nFeatures);
}

/**
 * fixDefaultBins for features feats[0..nf) only (all features when `feats` is null). Random forests search a
 * few sampled features per node; their histograms are built without the default bins (which subtraction
 * leaves stale), and only the searched features' default bins are recovered, just before the search.
 */
export function fixDefaultBinsOf(
  bm: BinnedMatrix,
  C: number,
  hist: Float64Array,
  totals: Float64Array,
  feats: Int32Array | null,
  nf: number,
): void {
  const { offsets, nBins, defaultBin } = bm;
  for (let j = 0; j < nf; j++) {
    const f = feats ? feats[j]! : j;
    const lo = offsets[f]! * C;
    const hi = (offsets[f]! + nBins[f]! + 1) * C;
    const d = defaultBin[f]! * C;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let o = lo + c; o < hi; o += C) if (o !== d + c) s += hist[o]!;
      hist[d + c] = totals[c]! - s;
    }
  }
}

/**
 * Full histogram of rows idx[start..end): block by block (fixed block size) when the node is large, so the
 * summation order is a function of the rows only.
 */
export function buildHistogram(
  bm: BinnedMatrix,
  stats: Float64Array,
  C: number,
  idx: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
  totals: Float64Array,
  scratch: () => Float64Array,
  fixDefaults = true,
): void {
  hist.fill(0);
  totals.fill(0);
  if (end - start <= HIST_BLOCK_ROWS) {
    accumulate(bm, stats, C, idx, start, end, hist, totals);
  } else {
    const part = scratch();
    const pt = new Float64Array(C);
    for (let s = start; s < end; s += HIST_BLOCK_ROWS) {
      part.fill(0);
      pt.fill(0);
      accumulate(bm, stats, C, idx, s, Math.min(end, s + HIST_BLOCK_ROWS), part, pt);
      for (let i = 0; i < part.length; i++) hist[i]! += part[i]!;
      for (let c = 0; c < C; c++) totals[c]! += pt[c]!;
    }
  }
  if (fixDefaults) fixDefaultBins(bm, C, hist, totals);
}

/** parent ← parent − child: the sibling's histogram without touching its rows (histogram subtraction). */
export function subtractInPlace(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i]! -= child[i]!;
}
