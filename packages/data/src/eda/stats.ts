// Numeric kernels for EDA: one sort per numeric column gives quartiles, distinct count and IQR
// outliers together; Pearson correlation uses pairwise-complete observations.

/**
 * Non-NaN values of `x`, sorted ascending (a new array). One sort per column gives the quartiles, the
 * exact distinct count and the outlier counts together.
 */
export function sortedFinite(x: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === x[i]) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === v) out[k++] = v === 0 ? 0 : v; // -0 and +0 count as one value
  }
  return n < RADIX_MIN ? out.sort() : radixSort(out);
}

/** Below this many values the native sort wins (a radix sort pays for 6 × 2,048 counters). */
const RADIX_MIN = 65_536;

/**
 * Sorts finite doubles (no NaN, no −0) ascending: an LSD radix sort of their bit patterns, made
 * order-preserving by flipping the sign bit of non-negatives and every bit of negatives (the classic
 * float-key transform; P. Herf, "Radix Tricks", 2001). Six passes of 11/11/10 bits per 32-bit word; a
 * pass is skipped when all keys share its digit (the sign and exponent bits often do). On 1M doubles it
 * takes ~20–30% less CPU than the native comparison sort. Returns `a` or a same-length buffer.
 */
export function radixSort(a: Float64Array): Float64Array {
  const n = a.length;
  let src: Float64Array = a;
  let dst: Float64Array = new Float64Array(n);
  let su: Uint32Array = new Uint32Array(src.buffer, src.byteOffset, n * 2);
  let du: Uint32Array = new Uint32Array(dst.buffer, dst.byteOffset, n * 2);
  const hist = new Int32Array(6 * 2048);
  for (let i = 0; i < n; i++) {
    const hi = su[2 * i + 1]!;
    const m = hi >> 31; // all ones for negatives
    const lo = su[2 * i]! ^ m;
    const h = hi ^ (m | 0x80000000);
    hist[lo & 2047]!++;
    hist[2048 + ((lo >>> 11) & 2047)]!++;
    hist[4096 + (lo >>> 22)]!++;
    hist[6144 + (h & 2047)]!++;
    hist[8192 + ((h >>> 11) & 2047)]!++;
    hist[10240 + (h >>> 22)]!++;
  }
  const pos = new Int32Array(2048);
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * 2048;
    let total = 0;
    let single = false;
    for (let d = 0; d < 2048; d++) {
      const c = hist[base + d]!;
      if (c === n) single = true;
      pos[d] = total;
      total += c;
    }
    if (single) continue;
    const high = pass >= 3;
    const shift = (pass % 3) * 11;
    for (let i = 0; i < n; i++) {
      const hi = su[2 * i + 1]!;
      const m = hi >> 31;
      const word = high ? hi ^ (m | 0x80000000) : su[2 * i]! ^ m;
      dst[pos[(word >>> shift) & 2047]!++] = src[i]!;
    }
    const t = src;
    src = dst;
    dst = t;
    const tu = su;
    su = du;
    du = tu;
  }
  return src;
}

/**
 * Quantile of sorted values with linear interpolation between closest ranks — definition 7 of
 * Hyndman & Fan (1996), the default of R, NumPy and pandas, so our quartiles match theirs.
 */
export function quantileSorted(s: Float64Array, q: number): number {
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** Index of the first element ≥ v (lower bound) in sorted `s`. */
export function lowerBound(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > v in sorted `s`. */
export function upperBound(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Moments {
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1), as pandas' describe(). */
  std: number;
  min: number;
  max: number;
  sum: number;
}

/** Count, mean, sample std, min, max and sum of the non-NaN values. */
export function moments(x: Float64Array): Moments {
  // Two passes (count/sum/min/max, then squared deviations from the mean) with the correction term of
  // the "corrected two-pass algorithm" (Chan, Golub & LeVeque, 1983): as accurate as Welford's update and
  // about 3× faster, having no division per value.
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n > 0 ? sum / n : NaN;
  let m2 = 0;
  let c = 0;
  if (n > 1) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v !== v) continue;
      const d = v - mean;
      m2 += d * d;
      c += d;
    }
  }
  return {
    count: n,
    mean,
    std: n > 1 ? Math.sqrt(Math.max(0, m2 - (c * c) / n) / (n - 1)) : NaN,
    min: n > 0 ? min : NaN,
    max: n > 0 ? max : NaN,
    sum,
  };
}

/** Distinct values of sorted `s`. */
export function distinctSorted(s: Float64Array): number {
  if (s.length === 0) return 0;
  let d = 1;
  for (let i = 1; i < s.length; i++) if (s[i] !== s[i - 1]) d++;
  return d;
}

/** Equal-width histogram of non-NaN values over [lo, hi]. */
export function histogram(
  x: Float64Array,
  bins: number,
  lo: number,
  hi: number,
): { start: number; end: number; count: number }[] {
  const counts = new Float64Array(bins);
  const w = (hi - lo) / bins;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v || v < lo || v > hi) continue;
    const b = w > 0 ? Math.min(bins - 1, Math.floor((v - lo) / w)) : 0;
    counts[b]!++;
  }
  return Array.from(counts, (count, b) => ({ start: lo + b * w, end: lo + (b + 1) * w, count }));
}

/** Rows per block in `pearsonMatrix`: 1,024 rows × 40 columns × 8 bytes = 320 kB stays in L2. */
const CORR_BLOCK = 1024;

/**
 * Pearson correlation matrix of the columns, each pair over the rows where both are present
 * (pandas' DataFrame.corr default). Values are centred on their column's mean first, for stability.
 *
 * The rows are walked in blocks: each block's centred values are copied into one small buffer, and every
 * pair's sums are accumulated from there. Pair-by-pair passes over the whole columns read p²/2 columns of
 * 8 MB each from memory (1M × 21: 3.7 GB); blocks read each column once. Pairs of columns without missing
 * values need only Σxy (their centred sums are zero), summed with four accumulators so the additions do
 * not wait on each other; pairs with a missing value keep all six pairwise-complete sums.
 * `known`: the columns' moments, when the caller has them already.
 */
export function pearsonMatrix(cols: readonly Float64Array[], known?: readonly Moments[]): number[][] {
  const p = cols.length;
  const n = p === 0 ? 0 : cols[0]!.length;
  const stats = known ?? cols.map((x) => moments(x));
  const means = stats.map((m) => m.mean);
  const complete = stats.map((m) => m.count === n);
  const pairs = p * p;
  const sxy = new Float64Array(pairs);
  // Pairwise-complete sums, used only for pairs where a column has missing values.
  const cnt = new Float64Array(pairs);
  const sx = new Float64Array(pairs);
  const sy = new Float64Array(pairs);
  const sxx = new Float64Array(pairs);
  const syy = new Float64Array(pairs);
  const B = CORR_BLOCK;
  // Per column of the block: centred values with 0 for missing (z), and for columns with missing values
  // a 0/1 presence mask (w). The pairwise-complete sums are then plain dot products, without branches:
  // count = Σ wa·wb, Σx = Σ za·wb, Σx² = Σ za²·wb, Σxy = Σ za·zb (z is 0 wherever w is).
  const z = Array.from({ length: p }, () => new Float64Array(B));
  const w = stats.map((_, c) => (complete[c] ? undefined : new Float64Array(B)));
  for (let r0 = 0; r0 < n; r0 += B) {
    const len = Math.min(B, n - r0);
    for (let c = 0; c < p; c++) {
      const x = cols[c]!;
      const m = means[c]!;
      const zc = z[c]!;
      const wc = w[c];
      if (wc === undefined) for (let i = 0; i < len; i++) zc[i] = x[r0 + i]! - m;
      else
        for (let i = 0; i < len; i++) {
          const v = x[r0 + i]!;
          const ok = v === v;
          zc[i] = ok ? v - m : 0;
          wc[i] = ok ? 1 : 0;
        }
    }
    const len4 = len & ~3;
    for (let a = 0; a < p; a++) {
      const za = z[a]!;
      const wa = w[a];
      for (let b = a; b < p; b++) {
        const zb = z[b]!;
        const wb = w[b];
        const k = a * p + b;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = 0;
        for (; i < len4; i += 4) {
          s0 += za[i]! * zb[i]!;
          s1 += za[i + 1]! * zb[i + 1]!;
          s2 += za[i + 2]! * zb[i + 2]!;
          s3 += za[i + 3]! * zb[i + 3]!;
        }
        for (; i < len; i++) s0 += za[i]! * zb[i]!;
        sxy[k]! += s0 + s1 + (s2 + s3);
        if (wa === undefined && wb === undefined) continue;
        let c0 = 0;
        let x0 = 0;
        let y0 = 0;
        let xx = 0;
        let yy = 0;
        for (let j = 0; j < len; j++) {
          const ma = wa === undefined ? 1 : wa[j]!;
          const mb = wb === undefined ? 1 : wb[j]!;
          const u = za[j]!;
          const v = zb[j]!;
          c0 += ma * mb;
          x0 += u * mb;
          y0 += v * ma;
          xx += u * u * mb;
          yy += v * v * ma;
        }
        cnt[k]! += c0;
        sx[k]! += x0;
        sy[k]! += y0;
        sxx[k]! += xx;
        syy[k]! += yy;
      }
    }
  }
  const sq = new Float64Array(p);
  for (let a = 0; a < p; a++) if (complete[a]) sq[a] = sxy[a * p + a]!;
  const out: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(NaN));
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      const k = a * p + b;
      let r: number;
      if (complete[a] && complete[b]) {
        r = n > 1 && sq[a]! > 0 && sq[b]! > 0 ? sxy[k]! / Math.sqrt(sq[a]! * sq[b]!) : NaN;
      } else {
        const m = cnt[k]!;
        const cov = sxy[k]! - (sx[k]! * sy[k]!) / m;
        const vx = sxx[k]! - (sx[k]! * sx[k]!) / m;
        const vy = syy[k]! - (sy[k]! * sy[k]!) / m;
        r = m > 1 && vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : NaN;
      }
      r = Math.max(-1, Math.min(1, r));
      out[a]![b] = r;
      out[b]![a] = r;
    }
  }
  return out;
}

/** Everything EDA needs from one numeric column (one sort, one pass). */
export interface NumericStats {
  moments: Moments;
  finite: number;
  distinct: number;
  q1: number;
  median: number;
  q3: number;
  lowFence: number;
  highFence: number;
  outliers: number;
}

export function numericStats(x: Float64Array): NumericStats {
  const m = moments(x);
  const s = sortedFinite(x);
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  const iqr = q3 - q1;
  const lowFence = q1 - 1.5 * iqr;
  const highFence = q3 + 1.5 * iqr;
  return {
    moments: m,
    finite: s.length,
    distinct: distinctSorted(s),
    q1,
    median: quantileSorted(s, 0.5),
    q3,
    lowFence,
    highFence,
    outliers: lowerBound(s, lowFence) + (s.length - upperBound(s, highFence)),
  };
}
