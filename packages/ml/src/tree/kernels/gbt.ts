/**
 * Spark ML's gradient-boosted trees (Friedman 1999, "Greedy Function Approximation"; Spark's
 * `GradientBoostedTrees.boost`): the first tree is fitted to the labels with weight 1, every later tree
 * to the negative gradient of the loss with variance impurity, weighted by stepSize. Classification maps
 * labels to {−1, +1} and uses Spark's LogLoss 2·log(1 + exp(−2yF)), so P(y = 1) = 1 / (1 + exp(−2F)).
 * With a validation set, boosting stops when the validation loss improves by less than
 * validationTol × max(loss, 0.01) and keeps the best prefix of trees (Spark's runWithValidation).
 */
import type { BinnedMatrix, DenseMatrix } from './binning.js';
import { minChildWeight } from './forest.js';
import { growTree } from './grow.js';
import { Rng } from './rng.js';
import { addTreePredictions, type Tree } from './tree.js';

export type GbtLoss = 'squared' | 'absolute' | 'logistic';

export interface GbtParams {
  loss: GbtLoss;
  maxIter: number;
  stepSize: number;
  maxDepth: number;
  minInstancesPerNode: number;
  minInfoGain: number;
  subsamplingRate: number;
  featuresPerNode: number;
  seed: number;
  validationTol: number;
  /** Spark minWeightFractionPerNode (see forest.ts minChildWeight). */
  minWeightFraction?: number;
}

export interface GbtResult {
  trees: Tree[];
  weights: number[];
  /** Validation loss after each iteration (empty without a validation set). */
  validationHistory: number[];
}

/** Loss of one prediction (Spark's Loss.computeError); labels are {0,1} for logistic. */
export function gbtLoss(loss: GbtLoss, f: number, y: number): number {
  if (loss === 'squared') return (y - f) * (y - f);
  if (loss === 'absolute') return Math.abs(y - f);
  const s = 2 * y - 1;
  const m = -2 * s * f;
  return 2 * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
}

/** Negative gradient (the pseudo-residual each tree fits). */
function pseudoResidual(loss: GbtLoss, f: number, y: number): number {
  if (loss === 'squared') return 2 * (y - f);
  if (loss === 'absolute') return y - f > 0 ? 1 : -1;
  const s = 2 * y - 1;
  return (4 * s) / (1 + Math.exp(2 * s * f));
}

export function trainGbt(
  bm: BinnedMatrix,
  x: DenseMatrix,
  y: Float64Array,
  w: Float64Array | null,
  p: GbtParams,
  valid?: { x: DenseMatrix; y: Float64Array; w: Float64Array | null },
  onIter?: (iter: number, trainLoss: number, validLoss?: number) => void,
): GbtResult {
  const n = bm.nRows;
  const rng = new Rng(p.seed);
  const stats = new Float64Array(n * 3);
  const idx = new Int32Array(n);
  const F = new Float64Array(n);
  const features = Int32Array.from({ length: bm.nFeatures }, (_, i) => i);
  const minWeight = minChildWeight(p.minWeightFraction, w, n);
  const trees: Tree[] = [];
  const weights: number[] = [];
  const history: number[] = [];
  const FV = valid ? new Float64Array(valid.x.nRows) : null;
  let best = Infinity;
  let bestM = 0;
  for (let m = 0; m < p.maxIter; m++) {
    let nIdx = 0;
    for (let i = 0; i < n; i++) {
      if (p.subsamplingRate < 1 && rng.next() >= p.subsamplingRate) continue;
      const wi = w ? w[i]! : 1;
      if (wi <= 0) continue;
      // Tree 0 fits the labels themselves ({−1, +1} for classification); later trees the pseudo-residuals.
      const target =
        m === 0 ? (p.loss === 'logistic' ? 2 * y[i]! - 1 : y[i]!) : pseudoResidual(p.loss, F[i]!, y[i]!);
      idx[nIdx++] = i;
      stats[3 * i] = -wi * target;
      stats[3 * i + 1] = wi;
      stats[3 * i + 2] = 1;
    }
    const g = growTree(
      bm,
      stats,
      { kind: 'variance' },
      {
        maxDepth: p.maxDepth,
        minInstances: p.minInstancesPerNode,
        minInfoGain: p.minInfoGain,
        features,
        featuresPerNode: p.featuresPerNode < bm.nFeatures ? p.featuresPerNode : 0,
        rng,
        minWeight,
      },
      idx,
      nIdx,
    );
    const weight = m === 0 ? 1 : p.stepSize;
    trees.push(g.tree);
    weights.push(weight);
    addTreePredictions(g.tree, x.data, n, x.nCols, F, 1, 0, weight);
    let trainLoss = 0;
    let sw = 0;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      trainLoss += wi * gbtLoss(p.loss, F[i]!, y[i]!);
      sw += wi;
    }
    trainLoss /= sw || 1;
    let vLoss: number | undefined;
    if (valid && FV) {
      addTreePredictions(g.tree, valid.x.data, valid.x.nRows, valid.x.nCols, FV, 1, 0, weight);
      let s = 0;
      let vw = 0;
      for (let i = 0; i < valid.y.length; i++) {
        const wi = valid.w ? valid.w[i]! : 1;
        s += wi * gbtLoss(p.loss, FV[i]!, valid.y[i]!);
        vw += wi;
      }
      vLoss = s / (vw || 1);
      history.push(vLoss);
    }
    onIter?.(m, trainLoss, vLoss);
    if (vLoss !== undefined) {
      if (best - vLoss < p.validationTol * Math.max(vLoss, 0.01)) break;
      if (vLoss < best) {
        best = vLoss;
        bestM = m + 1;
      }
    }
  }
  if (valid && bestM > 0) {
    trees.length = bestM;
    weights.length = bestM;
  }
  return { trees, weights, validationHistory: history };
}
