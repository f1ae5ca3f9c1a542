/**
 * Quantile binning of a dense feature matrix, the first step of histogram-based tree learning
 * (Ke et al. 2017, "LightGBM", §2; Chen & Guestrin 2016, "XGBoost", §3.3 approximate split finding).
 *
 * Every feature gets at most `maxBin` value bins (capped at 255 so a bin code fits a byte) plus one
 * missing bin. Value bin b holds the values x with cuts[b-1] <= x < cuts[b], so "bin <= t goes left" is the
 * same test as XGBoost's `x < split_condition` with split_condition = cuts[t]: a tree learned on bins
 * predicts on raw values with the same result.
 *
 * Two layouts are kept (see docs/decisions/0006-histogram-trees.md):
 * - `colBins`: column-major bin codes, one byte per cell, for partitioning rows on the chosen feature;
 * - a CSR list per row of the global bin ids that are NOT the feature's most frequent bin. Histograms are built
 *   from this list and the most frequent bin of each feature is recovered as (node total − other bins), the
 *   trick LightGBM uses for sparse features. One-hot columns are almost always at their most frequent bin,
 *   so on the benchmark data a row touches ~23 bins instead of 252.
 */

/** A dense row-major matrix of doubles: cell (r, c) is data[r * nCols + c]; NaN means missing. */
export interface DenseMatrix {
  readonly data: Float64Array;
  readonly nRows: number;
  readonly nCols: number;
}

export interface BinnedMatrix {
  readonly nRows: number;
  readonly nFeatures: number;
  /** Boundaries between value bins, per feature (length nBins[f] - 1). */
  readonly cuts: Float64Array[];
  /** Value bins per feature; the feature's missing bin has local code nBins[f]. */
  readonly nBins: Int32Array;
  /** Global id of the feature's local bin 0; feature f owns ids offsets[f] .. offsets[f] + nBins[f]. */
  readonly offsets: Int32Array;
  /** Number of global bins, missing bins included. */
  readonly totalBins: number;
  /** Owning feature of each global bin. */
  readonly binFeature: Int32Array;
  /** Global id of each feature's most frequent bin (left out of the CSR lists). */
  readonly defaultBin: Int32Array;
  /** Column-major local codes: colBins[f * nRows + r]. */
  readonly colBins: Uint8Array;
  readonly rowPtr: Uint32Array;
  readonly rowBins: Uint16Array | Uint32Array;
}

export const MAX_BINS = 255;
const SKETCH_ROWS = 200_000;

/** Cut points for one feature from its non-missing values (sorted in place). */
export function computeCuts(values: Float64Array, maxBin: number): Float64Array {
  const m = values.length;
  if (m === 0) return new Float64Array(0);
  values.sort();
  const distinct: number[] = [];
  for (let i = 0; i < m && distinct.length <= maxBin; i++) {
    const v = values[i]!;
    if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
  }
  if (distinct.length <= maxBin) {
    // Few values: one bin each, boundaries half-way so unseen values in between fall to the nearer side.
    const cuts = new Float64Array(distinct.length - 1);
    for (let i = 1; i < distinct.length; i++) cuts[i - 1] = (distinct[i - 1]! + distinct[i]!) / 2;
    return cuts;
  }
  // Many values: equal-frequency boundaries. Bin k starts at the data value v at rank k·m/maxBin; the cut is
  // placed half-way between v and the largest smaller value, so no training value sits on a threshold (a
  // value on it would flip sides when XGBoost compares in float32 after export).
  const out: number[] = [];
  for (let k = 1; k < maxBin; k++) {
    const v = values[Math.floor((k * m) / maxBin)]!;
    if (!(v > values[0]!)) continue;
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const pred = values[lo - 1]!;
    const half = (pred + v) / 2;
    const cut = half > pred ? half : v;
    if (out.length === 0 || cut > out[out.length - 1]!) out.push(cut);
  }
  return Float64Array.from(out);
}

/**
 * Index of the first cut greater than x (upper bound), i.e. the value bin of x; cuts.length >= 1. The search
 * halves a window with a select instead of a branch (Khuong & Morin 2017, "Array layouts for comparison-based
 * searching"): continuous values land at random, so a branching search mispredicts at every step.
 */
function binOf(cuts: Float64Array, x: number): number {
  let b = 0;
  let m = cuts.length;
  while (m > 1) {
    const h = m >>> 1;
    b = cuts[b + h]! <= x ? b + h : b;
    m -= h;
  }
  return b + (cuts[b]! <= x ? 1 : 0);
}

/** Columns f0 .. f0+k−1 of a row-major matrix, transposed into `out` (k × n), one pass over the rows. */
function transposeChunk(x: DenseMatrix, f0: number, k: number, out: Float64Array): void {
  const { data, nRows: n, nCols: p } = x;
  for (let r = 0; r < n; r++) {
    const base = r * p + f0;
    for (let j = 0; j < k; j++) out[j * n + r] = data[base + j]!;
  }
}

/** ≤ 8 distinct non-NaN values of a column, or null when it has more. */
function fewValues(col: Float64Array, small: Float64Array): Float64Array | null {
  let k = 0;
  for (let r = 0; r < col.length; r++) {
    const v = col[r]!;
    if (v !== v) continue;
    let seen = false;
    for (let j = 0; j < k; j++) {
      if (small[j] === v) {
        seen = true;
        break;
      }
    }
    if (!seen) {
      if (k === 8) return null;
      small[k++] = v;
    }
  }
  return small.slice(0, k);
}

/**
 * Learns cuts from `x` (or reuses `cuts` from an earlier call, e.g. for a validation set) and bins it.
 * Cuts come from all rows up to 200,000 and from an evenly strided sample beyond that. Columns are handled
 * eight at a time through a transposed buffer: reading a row-major matrix column by column would miss the
 * cache on every cell.
 */
export function binMatrix(x: DenseMatrix, maxBin: number, cutsIn?: Float64Array[]): BinnedMatrix {
  const { nRows: n, nCols: p } = x;
  const mb = Math.min(maxBin, MAX_BINS);
  const cuts: Float64Array[] = cutsIn ? cutsIn.slice() : new Array<Float64Array>(p);
  const colBins = new Uint8Array(n * p);
  const rowPtr = new Uint32Array(n + 1);
  const localDefault = new Int32Array(p);
  const counts = new Int32Array(MAX_BINS + 2);
  // Columns per transposed chunk: a chunk pass reads CH × 8 bytes of every row, and a row-major matrix is read
  // from memory a row apart (2 KB for 252 features) — latency-bound, so the more of each row a pass uses the
  // better. 32 columns (4 cache lines) when the buffer stays under 32 MB; 8 at least (one cache line).
  const CH = Math.max(8, Math.min(32, Math.floor(2 ** 22 / Math.max(1, n) / 8) * 8));
  const buf = new Float64Array(CH * n);
  const small = new Float64Array(8);
  const stride = Math.max(1, Math.ceil(n / SKETCH_ROWS));
  const sample = new Float64Array(Math.ceil(n / stride));
  for (let f0 = 0; f0 < p; f0 += CH) {
    const k = Math.min(CH, p - f0);
    transposeChunk(x, f0, k, buf);
    for (let j = 0; j < k; j++) {
      const f = f0 + j;
      const colv = buf.subarray(j * n, (j + 1) * n);
      if (!cutsIn) {
        const few = fewValues(colv, small);
        if (few && few.length <= mb) cuts[f] = computeCuts(few, mb);
        else {
          let m = 0;
          for (let r = 0; r < n; r += stride) {
            const v = colv[r]!;
            if (v === v) sample[m++] = v;
          }
          cuts[f] = computeCuts(sample.slice(0, m), mb);
        }
      }
      const c = cuts[f]!;
      const miss = c.length + 1;
      const col = colBins.subarray(f * n, (f + 1) * n);
      counts.fill(0);
      if (c.length === 0) {
        for (let r = 0; r < n; r++) {
          const b = colv[r]! === colv[r]! ? 0 : miss;
          col[r] = b;
          counts[b]!++;
        }
      } else if (c.length === 1) {
        const c0 = c[0]!;
        for (let r = 0; r < n; r++) {
          const v = colv[r]!;
          const b = v < c0 ? 0 : v >= c0 ? 1 : miss;
          col[r] = b;
          counts[b]!++;
        }
      } else {
        for (let r = 0; r < n; r++) {
          const v = colv[r]!;
          const b = v === v ? binOf(c, v) : miss;
          col[r] = b;
          counts[b]!++;
        }
      }
      let best = 0;
      for (let b = 1; b <= miss; b++) if (counts[b]! > counts[best]!) best = b;
      localDefault[f] = best;
      // Count each row's non-default bins now, while the column is in cache (CSR pass 1).
      for (let r = 0; r < n; r++) rowPtr[r + 1]! += col[r] !== best ? 1 : 0;
    }
  }
  const nBins = new Int32Array(p);
  const offsets = new Int32Array(p);
  let total = 0;
  for (let f = 0; f < p; f++) {
    nBins[f] = cuts[f]!.length + 1;
    offsets[f] = total;
    total += nBins[f]! + 1;
  }
  const binFeature = new Int32Array(total);
  for (let f = 0; f < p; f++) binFeature.fill(f, offsets[f]!, offsets[f]! + nBins[f]! + 1);
  const defaultBin = new Int32Array(p);
  for (let f = 0; f < p; f++) defaultBin[f] = offsets[f]! + localDefault[f]!;

  // CSR of the non-default bins: counts were taken above, now prefix sums and the fill pass.
  for (let r = 0; r < n; r++) rowPtr[r + 1]! += rowPtr[r]!;
  const nnz = rowPtr[n]!;
  const rowBins = total <= 65536 ? new Uint16Array(nnz) : new Uint32Array(nnz);
  const fill = rowPtr.slice(0, n);
  for (let f = 0; f < p; f++) {
    const col = colBins.subarray(f * n, (f + 1) * n);
    const off = offsets[f]!;
    const d = defaultBin[f]! - off;
    for (let r = 0; r < n; r++) {
      const b = col[r]!;
      if (b !== d) rowBins[fill[r]!++] = off + b;
    }
  }
  return {
    nRows: n,
    nFeatures: p,
    cuts,
    nBins,
    offsets,
    totalBins: total,
    binFeature,
    defaultBin,
    colBins,
    rowPtr,
    rowBins,
  };
}
