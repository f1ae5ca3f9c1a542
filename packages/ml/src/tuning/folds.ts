/**
 * Row splits for tuning, as index arrays: the frames built from them are index views (`frame.take`),
 * never copies, so k folds cost k index arrays and no column data.
 */
import { Rng } from '../tree/kernels/rng.js';

/** A seeded Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

export interface Fold {
  train: Int32Array;
  validation: Int32Array;
}

/** Sorted copy: keeps the rows of a view in their original order (cache-friendly column reads). */
function sorted(a: Int32Array): Int32Array {
  return a.slice().sort();
}

/**
 * k folds of (almost) equal size from a seeded shuffle, like scikit-learn's KFold(shuffle=True): fold f
 * validates on the f-th slice of the permutation and trains on the rest. (Spark's kFold draws each row's
 * fold independently, so its fold sizes vary; equal sizes make the averaged metric less noisy.)
 */
export function kFold(n: number, k: number, seed: number): Fold[] {
  const perm = permutation(n, seed);
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    // the first n % k folds get one extra row, as KFold does
    const base = Math.floor(n / k);
    const extra = n % k;
    const start = f * base + Math.min(f, extra);
    const end = start + base + (f < extra ? 1 : 0);
    const validation = sorted(perm.subarray(start, end));
    const train = new Int32Array(n - (end - start));
    train.set(perm.subarray(0, start), 0);
    train.set(perm.subarray(end), start);
    folds.push({ train: sorted(train), validation });
  }
  return folds;
}

/** Folds from a user column of fold numbers in [0, k) (Spark's foldCol). */
export function foldsFromColumn(foldOf: ArrayLike<number>, k: number): Fold[] {
  const counts = new Int32Array(k);
  for (let i = 0; i < foldOf.length; i++) counts[foldOf[i]!]!++;
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const validation = new Int32Array(counts[f]!);
    const train = new Int32Array(foldOf.length - counts[f]!);
    let a = 0;
    let b = 0;
    for (let i = 0; i < foldOf.length; i++) {
      if (foldOf[i] === f) validation[a++] = i;
      else train[b++] = i;
    }
    folds.push({ train, validation });
  }
  return folds;
}

/** One seeded split into (train, validation) with round(n·trainRatio) training rows. */
export function trainValidationSplit(n: number, trainRatio: number, seed: number): Fold {
  const perm = permutation(n, seed);
  const nTrain = Math.round(n * trainRatio);
  return { train: sorted(perm.subarray(0, nTrain)), validation: sorted(perm.subarray(nTrain)) };
}
