/**
 * Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method (Golub & Van Loan,
 * "Matrix Computations", 4th ed., §8.5): rotations zero the off-diagonal entries one pair at a time until
 * their norm is negligible. O(p³) per sweep and typically < 10 sweeps; accurate to working precision,
 * which is what PCA on a p×p covariance matrix (p in the hundreds) needs.
 */

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as columns of a p×p row-major matrix: vectors[i*p + k] is entry i of vector k. */
  vectors: Float64Array;
}

/** `a` is p×p row-major and symmetric; it is not modified. */
export function symmetricEigen(a: Float64Array, p: number, maxSweeps = 100): SymmetricEigen {
  const m = a.slice();
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;
  let total = 0;
  for (let i = 0; i < p * p; i++) total += m[i]! * m[i]!;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += m[i * p + j]! * m[i * p + j]!;
    if (off <= 1e-30 * total || off === 0) break;
    for (let pi = 0; pi < p; pi++) {
      for (let q = pi + 1; q < p; q++) {
        const apq = m[pi * p + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[pi * p + pi]!;
        const aqq = m[q * p + q]!;
        // The rotation angle that zeroes m[p][q] (the smaller root, for stability).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const mkp = m[k * p + pi]!;
          const mkq = m[k * p + q]!;
          m[k * p + pi] = c * mkp - s * mkq;
          m[k * p + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < p; k++) {
          const mpk = m[pi * p + k]!;
          const mqk = m[q * p + k]!;
          m[pi * p + k] = c * mpk - s * mqk;
          m[q * p + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < p; k++) {
          const vkp = v[k * p + pi]!;
          const vkq = v[k * p + q]!;
          v[k * p + pi] = c * vkp - s * vkq;
          v[k * p + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: p }, (_, i) => i).sort((x, y) => m[y * p + y]! - m[x * p + x]!);
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  order.forEach((src, k) => {
    values[k] = m[src * p + src]!;
    for (let i = 0; i < p; i++) vectors[i * p + k] = v[i * p + src]!;
  });
  return { values, vectors };
}
