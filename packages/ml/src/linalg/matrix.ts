// The two feature-matrix layouts the linear models accept: dense row-major (frame.vectors) and compressed
// sparse rows (a sparse vector column, e.g. one-hot blocks from VectorAssembler, used without densifying).
// Both are read-only views of frame storage.

export interface DenseMatrix {
  readonly kind: 'dense';
  readonly n: number;
  readonly p: number;
  /** Row-major n×p. */
  readonly values: Float64Array;
}

export interface CsrMatrix {
  readonly kind: 'csr';
  readonly n: number;
  readonly p: number;
  /** Row i's entries are indptr[i] … indptr[i+1]−1. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

export type Matrix = DenseMatrix | CsrMatrix;

/** The index arrays a dense matrix carries so that it has the same object shape as a CSR one (below). */
const NO_INDEX = new Int32Array(0);

/**
 * A dense matrix. It is built with the same properties, in the same order, as `csr` builds a sparse one
 * (with empty index arrays), so both layouts share one V8 hidden class: a kernel that takes either
 * (multiplyRows) keeps its optimised code when a dense matrix comes after sparse ones. With two shapes it
 * was deoptimised ("wrong map") by autolog's 5-row signature check (a row view, so dense) right before the
 * training summary's pass over the 1.8 M stored entries of the tuning bench, which then ran ~6 ms of its
 * ~8 ms in baseline code (issue 8; perf, decision 0008 session 8).
 */
export function dense(values: Float64Array, n: number, p: number): DenseMatrix {
  return { kind: 'dense', n, p, indptr: NO_INDEX, indices: NO_INDEX, values } as DenseMatrix;
}

export function csr(
  n: number,
  p: number,
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
): CsrMatrix {
  return { kind: 'csr', n, p, indptr, indices, values };
}

/** out[i] ← b + Σⱼ X[i,j]·beta[bOff + j] for every row. */
export function multiplyRows(x: Matrix, beta: Float64Array, b: number, out: Float64Array, bOff = 0): void {
  const { n, p } = x;
  if (x.kind === 'dense') {
    const v = x.values;
    for (let i = 0; i < n; i++) {
      let s = b;
      const o = i * p;
      for (let j = 0; j < p; j++) s += v[o + j]! * beta[bOff + j]!;
      out[i] = s;
    }
  } else {
    const { indptr, indices, values } = x;
    for (let i = 0; i < n; i++) {
      let s = b;
      const end = indptr[i + 1]!;
      for (let t = indptr[i]!; t < end; t++) s += values[t]! * beta[bOff + indices[t]!]!;
      out[i] = s;
    }
  }
}
