// The feature matrix as iterative solvers see it: X·v and Xᵀ·r, nothing else. Dense row-major input is used in
// place; when most entries are zero (one-hot blocks) a compressed-row copy (CSR: Saad, Iterative Methods for
// Sparse Linear Systems, §3.4) is built once, because each L-BFGS iteration then touches nnz entries instead of
// n·p. The CSR copy is only built when it is at most a quarter of the dense matrix's size, so a fit still holds
// at most the dense matrix plus a fraction of it.

import { dot } from './blas.js';
import type { Matrix } from './matrix.js';

export interface DesignMatrix {
  readonly n: number;
  readonly p: number;
  /** out[i] ← Σⱼ X[i,j]·v[j] (length n). */
  multiply(v: Float64Array, out: Float64Array): void;
  /** out[j] ← Σᵢ X[i,j]·r[i] (length p, overwritten). */
  multiplyTranspose(r: Float64Array, out: Float64Array): void;
  /**
   * One pass doing both products of a generalised linear model's gradient: for each row, m = offset + xᵢ·v,
   * e = link(i, m), out += e·xᵢ (out has length p, overwritten). Each row is read once instead of twice.
   */
  multiplyLinkTranspose(
    v: Float64Array,
    offset: number,
    link: (i: number, margin: number) => number,
    out: Float64Array,
  ): void;
  /** Storage chosen: 'dense' or 'csr'. */
  readonly layout: 'dense' | 'csr';
}

class DenseDesign implements DesignMatrix {
  readonly layout = 'dense' as const;
  constructor(
    readonly x: Float64Array,
    readonly n: number,
    readonly p: number,
  ) {}
  multiply(v: Float64Array, out: Float64Array): void {
    const { x, n, p } = this;
    for (let i = 0; i < n; i++) out[i] = dot(p, x, v, i * p, 0);
  }
  multiplyLinkTranspose(
    v: Float64Array,
    offset: number,
    link: (i: number, margin: number) => number,
    out: Float64Array,
  ): void {
    const { x, n, p } = this;
    out.fill(0, 0, p);
    for (let i = 0; i < n; i++) {
      const o = i * p;
      const e = link(i, offset + dot(p, x, v, o, 0));
      if (e !== 0) for (let j = 0; j < p; j++) out[j] = out[j]! + e * x[o + j]!;
    }
  }
  multiplyTranspose(r: Float64Array, out: Float64Array): void {
    const { x, n, p } = this;
    out.fill(0, 0, p);
    // Four rows at a time: one pass over out per four rows halves the read/write traffic on `out`.
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const r0 = r[i]!;
      const r1 = r[i + 1]!;
      const r2 = r[i + 2]!;
      const r3 = r[i + 3]!;
      const o0 = i * p;
      const o1 = o0 + p;
      const o2 = o1 + p;
      const o3 = o2 + p;
      for (let j = 0; j < p; j++) {
        out[j] = out[j]! + r0 * x[o0 + j]! + r1 * x[o1 + j]! + r2 * x[o2 + j]! + r3 * x[o3 + j]!;
      }
    }
    for (; i < n; i++) {
      const ri = r[i]!;
      const o = i * p;
      for (let j = 0; j < p; j++) out[j] = out[j]! + ri * x[o + j]!;
    }
  }
}

class CsrDesign implements DesignMatrix {
  readonly layout = 'csr' as const;
  constructor(
    readonly n: number,
    readonly p: number,
    readonly rowPtr: Int32Array,
    readonly colIdx: Int32Array,
    readonly values: Float64Array,
  ) {}
  multiply(v: Float64Array, out: Float64Array): void {
    const { rowPtr, colIdx, values, n } = this;
    for (let i = 0; i < n; i++) {
      let s = 0;
      const end = rowPtr[i + 1]!;
      for (let t = rowPtr[i]!; t < end; t++) s += values[t]! * v[colIdx[t]!]!;
      out[i] = s;
    }
  }
  multiplyLinkTranspose(
    v: Float64Array,
    offset: number,
    link: (i: number, margin: number) => number,
    out: Float64Array,
  ): void {
    const { rowPtr, colIdx, values, n, p } = this;
    out.fill(0, 0, p);
    for (let i = 0; i < n; i++) {
      const start = rowPtr[i]!;
      const end = rowPtr[i + 1]!;
      let m = offset;
      for (let t = start; t < end; t++) m += values[t]! * v[colIdx[t]!]!;
      const e = link(i, m);
      if (e === 0) continue;
      for (let t = start; t < end; t++) {
        const j = colIdx[t]!;
        out[j] = out[j]! + e * values[t]!;
      }
    }
  }
  multiplyTranspose(r: Float64Array, out: Float64Array): void {
    const { rowPtr, colIdx, values, n, p } = this;
    out.fill(0, 0, p);
    for (let i = 0; i < n; i++) {
      const ri = r[i]!;
      if (ri === 0) continue;
      const end = rowPtr[i + 1]!;
      for (let t = rowPtr[i]!; t < end; t++) {
        const j = colIdx[t]!;
        out[j] = out[j]! + ri * values[t]!;
      }
    }
  }
}

/**
 * Wraps a matrix for iterative solvers: CSR input is used as is; dense input is switched to a CSR copy when that
 * takes at most a quarter of the dense bytes.
 */
export function designMatrix(X: Matrix): DesignMatrix {
  if (X.kind === 'csr') return new CsrDesign(X.n, X.p, X.indptr, X.indices, X.values);
  const { n, p } = X;
  const x = X.values;
  let nnz = 0;
  const total = n * p;
  for (let t = 0; t < total; t++) if (x[t] !== 0) nnz++;
  // CSR costs 12 bytes per non-zero (+4 per row) against 8 per dense entry.
  if (nnz * 12 + (n + 1) * 4 > total * 8 * 0.25) return new DenseDesign(x, n, p);
  const rowPtr = new Int32Array(n + 1);
  const colIdx = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const base = i * p;
    for (let j = 0; j < p; j++) {
      const v = x[base + j]!;
      if (v !== 0) {
        colIdx[t] = j;
        values[t] = v;
        t++;
      }
    }
    rowPtr[i + 1] = t;
  }
  return new CsrDesign(n, p, rowPtr, colIdx, values);
}
