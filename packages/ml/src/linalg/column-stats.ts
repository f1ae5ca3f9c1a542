// Weighted column means and standard deviations in one pass over a row-major matrix. Sums are shifted by the
// first row's values (Chan, Golub & LeVeque, "Algorithms for computing the sample variance", 1983) so that
// columns with a large offset relative to their spread keep their precision.
//
// The variance is the unbiased weighted estimate with denominator Σw − Σw²/Σw (reliability weights), which is
// what Spark's summarizer uses; with unit weights it is the familiar n − 1.

import { dense, type Matrix } from './matrix.js';

export interface ColumnStats {
  readonly weightSum: number;
  readonly weightSquareSum: number;
  readonly mean: Float64Array;
  /** Unbiased standard deviation (0 for constant columns). */
  readonly std: Float64Array;
}

export function columnStats(X: Matrix, w: Float64Array | null): ColumnStats {
  const { n, p } = X;
  const shift = new Float64Array(p);
  const s1 = new Float64Array(p);
  const s2 = new Float64Array(p);
  let ws = 0;
  let ws2 = 0;
  if (X.kind === 'csr') {
    // Implicit zeros forbid a shift here; sparse features are indicator-like and well scaled.
    const { indptr, indices, values } = X;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      ws += wi;
      ws2 += wi * wi;
      const end = indptr[i + 1]!;
      for (let t = indptr[i]!; t < end; t++) {
        const j = indices[t]!;
        const v = values[t]!;
        s1[j] = s1[j]! + wi * v;
        s2[j] = s2[j]! + wi * v * v;
      }
    }
    return finish(p, shift, s1, s2, ws, ws2);
  }
  const x = X.values;
  if (n > 0) for (let j = 0; j < p; j++) shift[j] = x[j]!;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    ws += wi;
    ws2 += wi * wi;
    const base = i * p;
    for (let j = 0; j < p; j++) {
      const d = x[base + j]! - shift[j]!;
      s1[j] = s1[j]! + wi * d;
      s2[j] = s2[j]! + wi * d * d;
    }
  }
  return finish(p, shift, s1, s2, ws, ws2);
}

function finish(
  p: number,
  shift: Float64Array,
  s1: Float64Array,
  s2: Float64Array,
  ws: number,
  ws2: number,
): ColumnStats {
  const mean = new Float64Array(p);
  const std = new Float64Array(p);
  const denom = ws - ws2 / ws;
  for (let j = 0; j < p; j++) {
    const md = s1[j]! / ws;
    mean[j] = shift[j]! + md;
    const m2 = s2[j]! - ws * md * md;
    std[j] = denom > 0 && m2 > 0 ? Math.sqrt(m2 / denom) : 0;
  }
  return { weightSum: ws, weightSquareSum: ws2, mean, std };
}

/** The same statistics for a single vector (a label). */
export function vectorStats(y: Float64Array, w: Float64Array | null): { mean: number; std: number } {
  const s = columnStats(dense(y, y.length, 1), w);
  return { mean: s.mean[0]!, std: s.std[0]! };
}
