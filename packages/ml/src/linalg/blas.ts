// Level-1 and level-2 kernels over Float64Array (row-major matrices). Free functions that know nothing of
// frames, in the spirit of BLAS (Lawson et al. 1979; Dongarra et al. 1988): callers own every buffer, so hot loops
// never allocate. Loops are unrolled by four where the dependency chain would otherwise bound the speed.

/** Σ x[i]·y[i] for i < n. */
export function dot(n: number, x: Float64Array, y: Float64Array, xOff = 0, yOff = 0): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[xOff + i]! * y[yOff + i]!;
    s1 += x[xOff + i + 1]! * y[yOff + i + 1]!;
    s2 += x[xOff + i + 2]! * y[yOff + i + 2]!;
    s3 += x[xOff + i + 3]! * y[yOff + i + 3]!;
  }
  for (; i < n; i++) s0 += x[xOff + i]! * y[yOff + i]!;
  return s0 + s1 + s2 + s3;
}

/** y ← a·x + y. */
export function axpy(n: number, a: number, x: Float64Array, y: Float64Array, xOff = 0, yOff = 0): void {
  if (a === 0) return;
  for (let i = 0; i < n; i++) y[yOff + i] = y[yOff + i]! + a * x[xOff + i]!;
}

/** x ← a·x. */
export function scal(n: number, a: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) x[i] = x[i]! * a;
}

/** Euclidean norm of the first n entries. */
export function nrm2(n: number, x: Float64Array): number {
  return Math.sqrt(dot(n, x, x));
}

/** out ← A·x for a row-major m×k matrix A (out has length m). */
export function gemv(m: number, k: number, a: Float64Array, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < m; i++) out[i] = dot(k, a, x, i * k, 0);
}

/** out ← Aᵀ·x for a row-major m×k matrix A (out has length k; overwritten). */
export function gemvT(m: number, k: number, a: Float64Array, x: Float64Array, out: Float64Array): void {
  out.fill(0, 0, k);
  for (let i = 0; i < m; i++) {
    const xi = x[i]!;
    if (xi !== 0) axpy(k, xi, a, out, i * k, 0);
  }
}
