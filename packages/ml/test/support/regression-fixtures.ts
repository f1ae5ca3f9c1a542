// Helpers shared by the linear-model tests.
import { sparseVectorColumn } from '@cauce/frame';

/** The fixture's features as a sparse (CSR) vector column: the fits must not depend on the storage. */
export function sparseFeatures(X: number[], n: number, p: number) {
  const indptr = new Int32Array(n + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      if (X[i * p + j] !== 0) {
        idx.push(j);
        val.push(X[i * p + j]!);
      }
    }
    indptr[i + 1] = idx.length;
  }
  return sparseVectorColumn(p, indptr, Int32Array.from(idx), Float64Array.from(val));
}
