/**
 * Quantiles as Spark ML defines them: the q-quantile of n values is the element of 1-based rank
 * ceil(q·n) (an element of the data, never an interpolation), which is what Spark's
 * `approxQuantile` returns when it is exact (Greenwald & Khanna summaries with relativeError 0).
 * We always compute it exactly: any relativeError ≥ 0 is then satisfied. For an even count the median is
 * the lower middle element (scikit-learn averages the two middles; see the Imputer tests).
 */

/** 0-based index of the q-quantile in a sorted array of length n. */
export function quantileRank(q: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
}

/** Non-NaN values of `x` (copy). */
export function finiteValues(x: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!)) m++;
  if (m === x.length) return x.slice();
  const out = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]!)) out[k++] = x[i]!;
  return out;
}

/**
 * The k-th smallest element (0-based) of `a`, reordering `a` in place: Hoare's quickselect with
 * median-of-three pivots, O(n) on average.
 */
export function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three → a[mid]
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Spark's q-quantile of the non-NaN values of `x` (NaN when there are none). */
export function quantile(x: Float64Array, q: number): number {
  const v = finiteValues(x);
  if (v.length === 0) return NaN;
  return selectKth(v, quantileRank(q, v.length));
}

/** Several quantiles at once (one sort). */
export function quantiles(x: Float64Array, qs: readonly number[]): number[] {
  const v = finiteValues(x).sort();
  if (v.length === 0) return qs.map(() => NaN);
  return qs.map((q) => v[quantileRank(q, v.length)]!);
}
