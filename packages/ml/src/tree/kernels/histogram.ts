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
  bm: Pick<BinnedMatrix, 'rowPtr' | 'rowBins'>,
  stats: Float64Array,
  C: number,
  idx: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
  totals: Float64Array,
): void {
  const { rowPtr, rowBins } = bm;
  if (C === 1) {
    // Rows four at a time with their loads first (scattered reads overlap); additions in the same order.
    let t0 = 0;
    let i = start;
    for (; i + 3 < end; i += 4) {
      const r0 = idx[i]!;
      const r1 = idx[i + 1]!;
      const r2 = idx[i + 2]!;
      const r3 = idx[i + 3]!;
      const a0 = stats[r0]!;
      const a1 = stats[r1]!;
      const a2 = stats[r2]!;
      const a3 = stats[r3]!;
      const k0 = rowPtr[r0]!;
      const k1 = rowPtr[r1]!;
      const k2 = rowPtr[r2]!;
      const k3 = rowPtr[r3]!;
      const e0 = rowPtr[r0 + 1]!;
      const e1 = rowPtr[r1 + 1]!;
      const e2 = rowPtr[r2 + 1]!;
      const e3 = rowPtr[r3 + 1]!;
      t0 += a0;
      t0 += a1;
      t0 += a2;
      t0 += a3;
      for (let k = k0; k < e0; k++) hist[rowBins[k]!]! += a0;
      for (let k = k1; k < e1; k++) hist[rowBins[k]!]! += a1;
      for (let k = k2; k < e2; k++) hist[rowBins[k]!]! += a2;
      for (let k = k3; k < e3; k++) hist[rowBins[k]!]! += a3;
    }
    for (; i < end; i++) {
      const r = idx[i]!;
      const a = stats[r]!;
      t0 += a;
      const ke = rowPtr[r + 1]!;
      for (let k = rowPtr[r]!; k < ke; k++) hist[rowBins[k]!]! += a;
    }
    totals[0]! += t0;
  } else if (C === 2) {
    let t0 = 0;
    let t1 = 0;
    for (let i = start; i < end; i++) {
      const r = idx[i]!;
      const a = stats[2 * r]!;
      const b = stats[2 * r + 1]!;
      t0 += a;
      t1 += b;
      const ke = rowPtr[r + 1]!;
      // Two bins at a time, loads first (a row's bins belong to different features: no order to keep).
      let k = rowPtr[r]!;
      for (; k + 1 < ke; k += 2) {
        const o0 = rowBins[k]! * 2;
        const o1 = rowBins[k + 1]! * 2;
        const h0 = hist[o0]!;
        const h1 = hist[o0 + 1]!;
        const h2 = hist[o1]!;
        const h3 = hist[o1 + 1]!;
        hist[o0] = h0 + a;
        hist[o0 + 1] = h1 + b;
        hist[o1] = h2 + a;
        hist[o1 + 1] = h3 + b;
      }
      if (k < ke) {
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
      let k = rowPtr[r]!;
      for (; k + 1 < ke; k += 2) {
        const o0 = rowBins[k]! * 3;
        const o1 = rowBins[k + 1]! * 3;
        const h0 = hist[o0]!;
        const h1 = hist[o0 + 1]!;
        const h2 = hist[o0 + 2]!;
        const h3 = hist[o1]!;
        const h4 = hist[o1 + 1]!;
        const h5 = hist[o1 + 2]!;
        hist[o0] = h0 + a;
        hist[o0 + 1] = h1 + b;
        hist[o0 + 2] = h2 + c;
        hist[o1] = h3 + a;
        hist[o1 + 1] = h4 + b;
        hist[o1 + 2] = h5 + c;
      }
      if (k < ke) {
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
  for (let j = 0; j < nf; j++) fixDefaultBin(bm, C, hist, totals, feats ? feats[j]! : j);
}

/** Sets feature f's most frequent bin to (node totals − the feature's other bins). */
export function fixDefaultBin(
  bm: BinnedMatrix,
  C: number,
  hist: Float64Array,
  totals: Float64Array,
  f: number,
): void {
  const { offsets, nBins, defaultBin } = bm;
  const lo = offsets[f]! * C;
  const hi = (offsets[f]! + nBins[f]! + 1) * C;
  const d = defaultBin[f]! * C;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let o = lo + c; o < hi; o += C) if (o !== d + c) s += hist[o]!;
    hist[d + c] = totals[c]! - s;
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

/**
 * How a random forest that tries a few sampled features per node builds its histograms (see grow.ts). The
 * features are split by how often they leave their most frequent bin:
 * - sparse ones (one-hot columns: a row leaves the default bin of ~1.7 of the 232 on the benchmark data) keep the
 *   CSR + subtraction scheme, for all of them at every node — cheap, since few rows touch them;
 * - dense ones (continuous columns: nearly every row leaves the default bin) are summed per node from their column
 *   codes, and only when the node samples them. A node tries featuresPerNode of p features, so a dense feature
 *   is needed at a fraction k/p of the nodes; through the CSR it would be summed at every node (for the smaller
 *   child). Per level of the tree, the CSR costs about nnz_f / 2 additions per row for feature f (half the rows
 *   are in smaller children) and the column costs k / p; so a feature is dense when nnz_f / n > 2k / p.
 * On clf_100k (252 features, 15 per node) this cuts the additions per row and level from ~11 to ~2.
 */
export interface SampledLayout {
  /** 1 for the features summed from their column codes when a node samples them. */
  readonly dense: Uint8Array;
  /** CSR of the non-default bins of the sparse features only. */
  readonly rowPtr: Uint32Array;
  readonly rowBins: Uint16Array | Uint32Array;
  /** Merged global-bin ranges [lo, hi) (in bins) of the sparse features: all that zeroing and subtraction touch. */
  readonly ranges: Int32Array;
}

/** The sparse / dense layout for `featuresPerNode` features per node, or null when it would not help. */
export function sampledLayout(bm: BinnedMatrix, featuresPerNode: number): SampledLayout | null {
  const { nRows: n, nFeatures: p, rowPtr, rowBins, binFeature, offsets, nBins } = bm;
  if (!(featuresPerNode > 0 && 2 * featuresPerNode <= p)) return null;
  const nnz = new Float64Array(p);
  for (let k = 0; k < rowBins.length; k++) nnz[binFeature[rowBins[k]!]!]!++;
  const limit = ((2 * featuresPerNode) / p) * n;
  const dense = new Uint8Array(p);
  let nDense = 0;
  let kept = 0;
  for (let f = 0; f < p; f++) {
    if (nnz[f]! > limit) {
      dense[f] = 1;
      nDense++;
    } else kept += nnz[f]!;
  }
  if (nDense === 0) return null;
  // Shared memory, like the binned matrix: a forest worker gets the layout without a copy.
  const sPtr = new Uint32Array(new SharedArrayBuffer(4 * (n + 1)));
  const sBins =
    rowBins instanceof Uint16Array
      ? new Uint16Array(new SharedArrayBuffer(2 * kept))
      : new Uint32Array(new SharedArrayBuffer(4 * kept));
  let o = 0;
  for (let r = 0; r < n; r++) {
    const ke = rowPtr[r + 1]!;
    for (let k = rowPtr[r]!; k < ke; k++) {
      const b = rowBins[k]!;
      if (dense[binFeature[b]!] === 0) sBins[o++] = b;
    }
    sPtr[r + 1] = o;
  }
  const ranges: number[] = [];
  for (let f = 0; f < p; f++) {
    if (dense[f] === 1) continue;
    const lo = offsets[f]!;
    const hi = lo + nBins[f]! + 1;
    if (ranges.length > 0 && ranges[ranges.length - 1] === lo) ranges[ranges.length - 1] = hi;
    else ranges.push(lo, hi);
  }
  return { dense, rowPtr: sPtr, rowBins: sBins, ranges: Int32Array.from(ranges) };
}

/**
 * The sparse features' histogram of rows idx[start..end) (bins outside `layout.ranges` are left as they are)
 * and the rows' totals. Default bins are recovered later, per searched feature (fixDefaultBin).
 */
export function buildSparseHistogram(
  layout: SampledLayout,
  stats: Float64Array,
  C: number,
  idx: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
  totals: Float64Array,
): void {
  const { ranges } = layout;
  for (let i = 0; i < ranges.length; i += 2) hist.fill(0, ranges[i]! * C, ranges[i + 1]! * C);
  totals.fill(0);
  accumulate(layout, stats, C, idx, start, end, hist, totals);
}

/** parent ← parent − child over the sparse features' bins only (histogram subtraction). */
export function subtractRanges(
  parent: Float64Array,
  child: Float64Array,
  C: number,
  ranges: Int32Array,
): void {
  for (let j = 0; j < ranges.length; j += 2) {
    const hi = ranges[j + 1]! * C;
    for (let i = ranges[j]! * C; i < hi; i++) parent[i]! -= child[i]!;
  }
}

/** Feature f's complete histogram (every bin, default and missing included) of rows idx[start..end). */
export function columnHistogram(
  bm: BinnedMatrix,
  f: number,
  stats: Float64Array,
  C: number,
  idx: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
): void {
  const { colBins, nRows } = bm;
  const base = f * nRows;
  const off = bm.offsets[f]!;
  const nb = bm.nBins[f]! + 1;
  hist.fill(0, off * C, (off + nb) * C);
  if (C === 1) {
    // Four rows at a time, their loads first: the scattered reads of four rows overlap (measured 2× faster
    // than one row at a time). The additions keep their order, so the sums are the same bit for bit.
    let i = start;
    for (; i + 3 < end; i += 4) {
      const r0 = idx[i]!;
      const r1 = idx[i + 1]!;
      const r2 = idx[i + 2]!;
      const r3 = idx[i + 3]!;
      const b0 = colBins[base + r0]!;
      const b1 = colBins[base + r1]!;
      const b2 = colBins[base + r2]!;
      const b3 = colBins[base + r3]!;
      const s0 = stats[r0]!;
      const s1 = stats[r1]!;
      const s2 = stats[r2]!;
      const s3 = stats[r3]!;
      hist[off + b0]! += s0;
      hist[off + b1]! += s1;
      hist[off + b2]! += s2;
      hist[off + b3]! += s3;
    }
    for (; i < end; i++) {
      const r = idx[i]!;
      hist[off + colBins[base + r]!]! += stats[r]!;
    }
  } else if (C === 2) {
    let i = start;
    for (; i + 1 < end; i += 2) {
      const r0 = idx[i]!;
      const r1 = idx[i + 1]!;
      const o0 = (off + colBins[base + r0]!) * 2;
      const o1 = (off + colBins[base + r1]!) * 2;
      const a0 = stats[2 * r0]!;
      const c0 = stats[2 * r0 + 1]!;
      const a1 = stats[2 * r1]!;
      const c1 = stats[2 * r1 + 1]!;
      hist[o0]! += a0;
      hist[o0 + 1]! += c0;
      hist[o1]! += a1;
      hist[o1 + 1]! += c1;
    }
    for (; i < end; i++) {
      const r = idx[i]!;
      const o = (off + colBins[base + r]!) * 2;
      hist[o]! += stats[2 * r]!;
      hist[o + 1]! += stats[2 * r + 1]!;
    }
  } else if (C === 3) {
    let i = start;
    for (; i + 1 < end; i += 2) {
      const r0 = idx[i]!;
      const r1 = idx[i + 1]!;
      const o0 = (off + colBins[base + r0]!) * 3;
      const o1 = (off + colBins[base + r1]!) * 3;
      const a0 = stats[3 * r0]!;
      const b0 = stats[3 * r0 + 1]!;
      const c0 = stats[3 * r0 + 2]!;
      const a1 = stats[3 * r1]!;
      const b1 = stats[3 * r1 + 1]!;
      const c1 = stats[3 * r1 + 2]!;
      hist[o0]! += a0;
      hist[o0 + 1]! += b0;
      hist[o0 + 2]! += c0;
      hist[o1]! += a1;
      hist[o1 + 1]! += b1;
      hist[o1 + 2]! += c1;
    }
    for (; i < end; i++) {
      const r = idx[i]!;
      const o = (off + colBins[base + r]!) * 3;
      hist[o]! += stats[3 * r]!;
      hist[o + 1]! += stats[3 * r + 1]!;
      hist[o + 2]! += stats[3 * r + 2]!;
    }
  } else {
    for (let i = start; i < end; i++) {
      const r = idx[i]!;
      const o = (off + colBins[base + r]!) * C;
      const so = r * C;
      for (let c = 0; c < C; c++) hist[o + c]! += stats[so + c]!;
    }
  }
}
