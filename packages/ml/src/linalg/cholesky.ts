// Cholesky factorisation A = L·Lᵀ of a symmetric positive definite matrix and the solves built on it
// (Golub & Van Loan, Matrix Computations, 4th ed., §4.2). Row-major n×n, lower triangle used.

/**
 * Factorises `a` in place: on success its lower triangle holds L (the strict upper triangle is left as is).
 * Returns false when a pivot is not positive beyond a relative tolerance (the matrix is singular or
 * indefinite, e.g. perfectly collinear features), so the caller can fall back to an iterative solver.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]!));
  const tiny = maxDiag * 1e-13;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > tiny)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L·Lᵀ·x = b with the factor from choleskyInPlace; b is overwritten by x. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    const ri = i * n;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * b[k]!;
    b[i] = s / l[ri + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/**
 * Diagonal of A⁻¹ from the Cholesky factor: A⁻¹ = L⁻ᵀL⁻¹, so (A⁻¹)ᵢᵢ = Σₖ (L⁻¹)ₖᵢ², the squared norm of column i
 * of L⁻¹, which is formed by forward substitution (O(n³/3), fine for n in the hundreds or low thousands).
 */
export function inverseDiagonal(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n); // lower triangle of L⁻¹, row-major
  for (let i = 0; i < n; i++) {
    inv[i * n + i] = 1 / l[i * n + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k]! * inv[k * n + j]!;
      inv[i * n + j] = s / l[i * n + i]!;
    }
  }
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = i; k < n; k++) s += inv[k * n + i]! * inv[k * n + i]!;
    diag[i] = s;
  }
  return diag;
}
