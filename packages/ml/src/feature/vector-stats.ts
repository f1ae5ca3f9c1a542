/**
 * Per-feature statistics of a vector column in one or two passes over typed arrays (Spark's
 * `Summarizer`): count, mean, unbiased variance, min, max, max |x|, nonzeros. Null vectors are skipped;
 * NaN values propagate into the statistics of their feature, as in Spark.
 * Variance uses two passes (mean first, then squared deviations) rather than Σx² − n·mean², which
 * loses digits when the mean is large relative to the spread.
 */
import type { VectorRows } from './columns.js';

export interface VectorStats {
  count: number;
  mean: Float64Array;
  /** Unbiased (n − 1) variance; 0 when count ≤ 1. */
  variance: Float64Array;
  min: Float64Array;
  max: Float64Array;
  maxAbs: Float64Array;
  numNonzeros: Float64Array;
}

export function vectorStats(r: VectorRows): VectorStats {
  const { n, size } = r;
  const sum = new Float64Array(size);
  const min = new Float64Array(size).fill(Infinity);
  const max = new Float64Array(size).fill(-Infinity);
  const nnz = new Float64Array(size);
  let count = 0;
  for (let i = 0; i < n; i++) if (!r.isNull?.[i]) count++;
  const mean = new Float64Array(size);
  const m2 = new Float64Array(size);
  if (r.dense) {
    const d = r.dense;
    for (let i = 0; i < n; i++) {
      if (r.isNull?.[i]) continue;
      const o = i * size;
      for (let j = 0; j < size; j++) {
        const v = d[o + j]!;
        sum[j]! += v;
        if (v < min[j]! || v !== v) min[j] = v;
        if (v > max[j]! || v !== v) max[j] = v;
        if (v !== 0) nnz[j]!++;
      }
    }
    for (let j = 0; j < size; j++) mean[j] = count ? sum[j]! / count : 0;
    for (let i = 0; i < n; i++) {
      if (r.isNull?.[i]) continue;
      const o = i * size;
      for (let j = 0; j < size; j++) {
        const dv = d[o + j]! - mean[j]!;
        m2[j]! += dv * dv;
      }
    }
  } else {
    const ip = r.indptr!;
    const ix = r.indices!;
    const vx = r.values!;
    for (let i = 0; i < n; i++) {
      if (r.isNull?.[i]) continue;
      for (let k = ip[i]!; k < ip[i + 1]!; k++) {
        const j = ix[k]!;
        const v = vx[k]!;
        sum[j]! += v;
        if (v < min[j]! || v !== v) min[j] = v;
        if (v > max[j]! || v !== v) max[j] = v;
        if (v !== 0) nnz[j]!++;
      }
    }
    for (let j = 0; j < size; j++) mean[j] = count ? sum[j]! / count : 0;
    const seen = new Float64Array(size); // stored entries per feature (zeros included)
    for (let i = 0; i < n; i++) {
      if (r.isNull?.[i]) continue;
      for (let k = ip[i]!; k < ip[i + 1]!; k++) {
        const j = ix[k]!;
        const dv = vx[k]! - mean[j]!;
        m2[j]! += dv * dv;
        seen[j]!++;
      }
    }
    for (let j = 0; j < size; j++) {
      const implicitZeros = count - seen[j]!;
      m2[j]! += implicitZeros * mean[j]! * mean[j]!;
      if (implicitZeros > 0) {
        if (0 < min[j]!) min[j] = 0;
        if (0 > max[j]!) max[j] = 0;
      }
    }
  }
  const variance = new Float64Array(size);
  const maxAbs = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    variance[j] = count > 1 ? m2[j]! / (count - 1) : 0;
    maxAbs[j] = Math.max(Math.abs(min[j]!), Math.abs(max[j]!));
    if (count === 0) {
      min[j] = NaN;
      max[j] = NaN;
      maxAbs[j] = NaN;
    }
  }
  return { count, mean, variance, min, max, maxAbs, numNonzeros: nnz };
}
