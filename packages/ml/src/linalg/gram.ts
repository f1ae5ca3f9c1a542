// The weighted Gram matrix of the augmented design [X, 1, y]: one pass over the rows gives XᵀWX, XᵀW1 (weighted
// column sums), XᵀWy, Σw, Σwy and Σwy², which is everything the normal equations, the feature/label means and
// standard deviations and the summary's residual sum of squares need (Spark's WeightedLeastSquares collects the
// same sufficient statistics).
//
// Two kernels, chosen per chunk of rows by its count of non-zeros:
// - dense: the chunk is transposed into a column-major buffer and the upper triangle is accumulated in 4×4
//   register tiles (16 accumulators, 8 loads per 16 multiply-adds). On this machine this is 4× faster than the
//   row-major outer-product loop (see docs/decisions/0005-linear-solvers.md);
// - sparse: for rows with few non-zeros (one-hot blocks), the outer product of the non-zero entries only, which
//   costs nnz²/2 per row instead of q²/2.
// Memory: the chunk buffers (CHUNK_ROWS × q) and the q×q result; the matrix itself is never copied.

import type { CsrMatrix, Matrix } from './matrix.js';
import { buildTilesModule, tilesKernel, type TilesKernel } from './wasm-tiles.js';

const CHUNK_ROWS = 1024;
/** Below this share of non-zeros a chunk takes the sparse kernel (measured crossover is near 0.3). */
const SPARSE_DENSITY = 0.25;

export interface GramStats {
  /** p, the number of features. */
  readonly p: number;
  /** q = p + 2; row-major q×q symmetric matrix of [X, 1, y] under the weights. */
  readonly q: number;
  readonly m: Float64Array;
}

/**
 * Computes the weighted Gram matrix of [X, 1, y].
 * @param x row-major n×p feature matrix
 * @param y label (length n) or null (the y row/column is then zero)
 * @param w weights (length n) or null for unit weights
 */
export function augmentedGram(X: Matrix, y: Float64Array | null, w: Float64Array | null): GramStats {
  const { n, p } = X;
  const q = p + 2;
  const qPad = (q + 3) & ~3;
  const g = new Float64Array(qPad * qPad);
  if (X.kind === 'csr') {
    csrRows(X, y, w, qPad, g);
    return mirror(g, p, q, qPad);
  }
  denseBlock(X.values, p, y, w, 0, n, g, qPad, tilesKernel());
  return mirror(g, p, q, qPad);
}

/**
 * Accumulates rows [from, to) of a dense row-major matrix into the padded upper triangle g (qPad×qPad).
 * Self-contained (only the kernels below and the two constants): gram-parallel.ts runs its source in workers.
 * @internal
 */
export function denseBlock(
  x: Float64Array,
  p: number,
  y: Float64Array | null,
  w: Float64Array | null,
  from: number,
  to: number,
  g: Float64Array,
  qPad: number,
  kernel: TilesKernel | null,
): void {
  const q = p + 2;
  const R = CHUNK_ROWS;
  let colA: Float64Array;
  let colB: Float64Array;
  let gW: Float64Array | null = null;
  if (kernel) {
    // Chunk buffers and a private triangle live in the module's memory (grown once, reused across calls).
    const need = (2 * qPad * R + qPad * qPad) * 8;
    const have = kernel.memory.buffer.byteLength;
    if (have < need) kernel.memory.grow(Math.ceil((need - have) / 65536));
    const f = new Float64Array(kernel.memory.buffer);
    colA = f.subarray(0, qPad * R);
    colB = w ? f.subarray(qPad * R, 2 * qPad * R) : colA;
    gW = f.subarray(2 * qPad * R, 2 * qPad * R + qPad * qPad);
    f.fill(0, 0, 2 * qPad * R + qPad * qPad); // padding columns must be zero; earlier calls may have left data
  } else {
    colA = new Float64Array(qPad * R);
    colB = w ? new Float64Array(qPad * R) : colA;
  }
  const idx = new Int32Array(q);
  const val = new Float64Array(q);
  for (let start = from; start < to; start += R) {
    const rows = Math.min(R, to - start);
    let nnz = 0;
    const end = (start + rows) * p;
    for (let t = start * p; t < end; t++) if (x[t] !== 0) nnz++;
    if (nnz < SPARSE_DENSITY * rows * p) {
      sparseRows(x, p, q, qPad, y, w, start, rows, g, idx, val);
    } else if (kernel && gW) {
      transposeChunk(x, p, q, y, w, start, rows, colA, colB);
      let even = rows;
      if (rows & 1) {
        // The SIMD kernel takes rows in pairs: pad with a zero row.
        for (let c = 0; c < qPad; c++) {
          colA[c * R + rows] = 0;
          colB[c * R + rows] = 0;
        }
        even = rows + 1;
      }
      kernel.tiles(0, w ? qPad * R * 8 : 0, even, qPad, 2 * qPad * R * 8, R);
    } else {
      transposeChunk(x, p, q, y, w, start, rows, colA, colB);
      denseTiles(colA, colB, rows, qPad, g);
    }
  }
  if (gW) for (let t = 0; t < gW.length; t++) g[t] = g[t]! + gW[t]!;
}

/** The functions a worker needs to run denseBlock, as source text. @internal */
export function denseBlockSource(): string {
  return [
    `const CHUNK_ROWS = ${CHUNK_ROWS};`,
    `const SPARSE_DENSITY = ${SPARSE_DENSITY};`,
    buildTilesModule.toString(),
    denseBlock.toString(),
    transposeChunk.toString(),
    denseTiles.toString(),
    sparseRows.toString(),
  ].join('\n');
}

/** Mirrors the upper triangle and drops the padding. @internal */
export function mirror(g: Float64Array, p: number, q: number, qPad: number): GramStats {
  const m = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    for (let k = j; k < q; k++) {
      const v = g[j * qPad + k]!;
      m[j * q + k] = v;
      m[k * q + j] = v;
    }
  }
  return { p, q, m };
}

function transposeChunk(
  x: Float64Array,
  p: number,
  q: number,
  y: Float64Array | null,
  w: Float64Array | null,
  start: number,
  rows: number,
  colA: Float64Array,
  colB: Float64Array,
): void {
  const R = CHUNK_ROWS;
  // Four rows at a time: each column then receives four consecutive values per visit instead of one, which
  // quarters the cache lines touched per write (the transpose was a quarter of the pass before this).
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const b0 = (start + r) * p;
    const b1 = b0 + p;
    const b2 = b1 + p;
    const b3 = b2 + p;
    for (let j = 0; j < p; j++) {
      const o = j * R + r;
      colB[o] = x[b0 + j]!;
      colB[o + 1] = x[b1 + j]!;
      colB[o + 2] = x[b2 + j]!;
      colB[o + 3] = x[b3 + j]!;
    }
  }
  for (; r < rows; r++) {
    const base = (start + r) * p;
    for (let j = 0; j < p; j++) colB[j * R + r] = x[base + j]!;
  }
  for (r = 0; r < rows; r++) {
    colB[p * R + r] = 1;
    colB[(p + 1) * R + r] = y ? y[start + r]! : 0;
  }
  if (w) {
    for (let j = 0; j < q; j++) {
      const o = j * R;
      for (r = 0; r < rows; r++) colA[o + r] = colB[o + r]! * w[start + r]!;
    }
  }
  // Rows past `rows` in a short last chunk are never read; padding columns stay zero from allocation.
}

/** Upper-triangle 4×4 tiles of G += Aᵀ·B over one column-major chunk. */
function denseTiles(
  colA: Float64Array,
  colB: Float64Array,
  rows: number,
  qPad: number,
  g: Float64Array,
): void {
  const R = CHUNK_ROWS;
  for (let jb = 0; jb < qPad; jb += 4) {
    const a0 = jb * R;
    const a1 = a0 + R;
    const a2 = a1 + R;
    const a3 = a2 + R;
    for (let kb = jb; kb < qPad; kb += 4) {
      const b0 = kb * R;
      const b1 = b0 + R;
      const b2 = b1 + R;
      const b3 = b2 + R;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0; // prettier-ignore
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0; // prettier-ignore
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0; // prettier-ignore
      for (let r = 0; r < rows; r++) {
        const x0 = colA[a0 + r]!;
        const x1 = colA[a1 + r]!;
        const x2 = colA[a2 + r]!;
        const x3 = colA[a3 + r]!;
        const y0 = colB[b0 + r]!;
        const y1 = colB[b1 + r]!;
        const y2 = colB[b2 + r]!;
        const y3 = colB[b3 + r]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3;
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3;
      }
      let o = jb * qPad + kb;
      g[o] = g[o]! + s00;
      g[o + 1] = g[o + 1]! + s01;
      g[o + 2] = g[o + 2]! + s02;
      g[o + 3] = g[o + 3]! + s03;
      o += qPad;
      g[o] = g[o]! + s10;
      g[o + 1] = g[o + 1]! + s11;
      g[o + 2] = g[o + 2]! + s12;
      g[o + 3] = g[o + 3]! + s13;
      o += qPad;
      g[o] = g[o]! + s20;
      g[o + 1] = g[o + 1]! + s21;
      g[o + 2] = g[o + 2]! + s22;
      g[o + 3] = g[o + 3]! + s23;
      o += qPad;
      g[o] = g[o]! + s30;
      g[o + 1] = g[o + 1]! + s31;
      g[o + 2] = g[o + 2]! + s32;
      g[o + 3] = g[o + 3]! + s33;
    }
  }
}

/** Outer products of each row's non-zero entries (ascending indices, so a ≤ b lands in the upper triangle). */
function sparseRows(
  x: Float64Array,
  p: number,
  q: number,
  qPad: number,
  y: Float64Array | null,
  w: Float64Array | null,
  start: number,
  rows: number,
  g: Float64Array,
  idx: Int32Array,
  val: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const i = start + r;
    const base = i * p;
    let k = 0;
    for (let j = 0; j < p; j++) {
      const v = x[base + j]!;
      if (v !== 0) {
        idx[k] = j;
        val[k] = v;
        k++;
      }
    }
    idx[k] = p;
    val[k] = 1;
    k++;
    idx[k] = q - 1;
    val[k] = y ? y[i]! : 0;
    k++;
    const wi = w ? w[i]! : 1;
    for (let a = 0; a < k; a++) {
      const va = val[a]! * wi;
      if (va === 0) continue;
      const rowOff = idx[a]! * qPad;
      for (let b = a; b < k; b++) {
        const o = rowOff + idx[b]!;
        g[o] = g[o]! + va * val[b]!;
      }
    }
  }
}

/**
 * The sparse kernel straight from CSR storage. With column indices ascending in every row (VectorAssembler's
 * output), each pair lands in the upper triangle directly and the intercept and label entries are added apart,
 * with no per-row copy; otherwise the rows are gathered and each pair is placed by min/max.
 */
function csrRows(
  X: CsrMatrix,
  y: Float64Array | null,
  w: Float64Array | null,
  qPad: number,
  g: Float64Array,
): void {
  const { n, p, indptr, indices, values } = X;
  let sorted = true;
  for (let i = 0; i < n && sorted; i++) {
    for (let t = indptr[i]! + 1; t < indptr[i + 1]!; t++) {
      if (indices[t]! <= indices[t - 1]!) {
        sorted = false;
        break;
      }
    }
  }
  if (!sorted) {
    csrRowsGathered(X, y, w, qPad, g);
    return;
  }
  const ip = p; // the intercept column
  const iy = p + 1; // the label column
  let sw = 0;
  let swy = 0;
  let swyy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    if (wi === 0) continue;
    const yi = y ? y[i]! : 0;
    const start = indptr[i]!;
    const end = indptr[i + 1]!;
    for (let a = start; a < end; a++) {
      const va = values[a]! * wi;
      if (va === 0) continue;
      const row = indices[a]! * qPad;
      for (let b = a; b < end; b++) {
        const o = row + indices[b]!;
        g[o] = g[o]! + va * values[b]!;
      }
      g[row + ip] = g[row + ip]! + va;
      g[row + iy] = g[row + iy]! + va * yi;
    }
    sw += wi;
    swy += wi * yi;
    swyy += wi * yi * yi;
  }
  g[ip * qPad + ip] = g[ip * qPad + ip]! + sw;
  g[ip * qPad + iy] = g[ip * qPad + iy]! + swy;
  g[iy * qPad + iy] = g[iy * qPad + iy]! + swyy;
}

/** The general CSR kernel: each row gathered (with the intercept and label entries), pairs placed by min/max. */
function csrRowsGathered(
  X: CsrMatrix,
  y: Float64Array | null,
  w: Float64Array | null,
  qPad: number,
  g: Float64Array,
): void {
  const { n, p, indptr, indices, values } = X;
  const q = p + 2;
  const idx = new Int32Array(q);
  const val = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    let k = 0;
    const end = indptr[i + 1]!;
    for (let t = indptr[i]!; t < end; t++) {
      if (values[t] === 0) continue;
      idx[k] = indices[t]!;
      val[k] = values[t]!;
      k++;
    }
    idx[k] = p;
    val[k] = 1;
    k++;
    idx[k] = q - 1;
    val[k] = y ? y[i]! : 0;
    k++;
    const wi = w ? w[i]! : 1;
    for (let a = 0; a < k; a++) {
      const va = val[a]! * wi;
      if (va === 0) continue;
      const ia = idx[a]!;
      for (let b = a; b < k; b++) {
        const ib = idx[b]!;
        const o = ia <= ib ? ia * qPad + ib : ib * qPad + ia;
        g[o] = g[o]! + va * val[b]!;
      }
    }
  }
}
