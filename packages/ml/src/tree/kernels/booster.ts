/**
 * Gradient tree boosting with XGBoost's second-order objective (Chen & Guestrin 2016, §2.2): each round
 * computes per-row gradient g and hessian h of the loss at the current margin, grows a tree with the
 * 'xgb' criterion (gain eq. 7, leaf weight −G/(H+λ), L1 by soft-thresholding, gamma pruning) and adds
 * eta × its leaf weights to the margin.
 */
import { binMatrix, type BinnedMatrix, type DenseMatrix } from './binning.js';
import { growTree } from './grow.js';
import { parallelPredictionEnabled, predictCompiledParallel, warmPredictWorker } from './predict-parallel.js';
import { HIST_BLOCK_ROWS } from './histogram.js';
import { ParallelHistograms, warmHistogramWorker } from './parallel.js';
import { evalMetric, metricIsMaximized, type EvalMetric } from './metrics.js';
import { Rng } from './rng.js';
import { addTreePredictions, compileForest, type CompiledForest, type Tree } from './tree.js';

export type Objective = 'reg:squarederror' | 'binary:logistic' | 'multi:softprob';
export const OBJECTIVES: readonly Objective[] = ['reg:squarederror', 'binary:logistic', 'multi:softprob'];

export interface BoosterParams {
  objective: Objective;
  numRound: number;
  maxDepth: number;
  eta: number;
  gamma: number;
  lambda: number;
  alpha: number;
  minChildWeight: number;
  subsample: number;
  colsampleBytree: number;
  maxBin: number;
  /** Initial prediction in output space (a probability for binary:logistic); null = estimate from labels. */
  baseScore: number | null;
  numClass: number;
  seed: number;
  evalMetric: EvalMetric | null;
  earlyStoppingRounds: number;
  /** Threads (main included); the model is the same for any value. */
  threads?: number;
}

export interface Booster {
  objective: Objective;
  numClass: number;
  numFeatures: number;
  /** Base score in output space, as XGBoost's JSON `base_score`. */
  baseScore: number;
  trees: Tree[];
  /** Output group (class) of each tree (XGBoost `tree_info`). */
  treeInfo: number[];
  /** Best round (0-based) when early stopping ran, else the last one. */
  bestIteration: number;
  /** Evaluation history on the validation set, one value per round. */
  evalHistory: number[];
}

export interface EvalSet {
  x: DenseMatrix;
  y: Float64Array;
  w: Float64Array | null;
}

export function defaultMetric(o: Objective): EvalMetric {
  return o === 'reg:squarederror' ? 'rmse' : o === 'binary:logistic' ? 'logloss' : 'mlogloss';
}

/** Output-space base score → margin (XGBoost's ProbToMargin). */
export function baseMargin(o: Objective, base: number): number {
  if (o === 'binary:logistic') return Math.log(base / (1 - base));
  return base;
}

function groups(b: { objective: Objective; numClass: number }): number {
  return b.objective === 'multi:softprob' ? b.numClass : 1;
}

function estimateBase(o: Objective, y: Float64Array, w: Float64Array | null): number {
  if (o === 'multi:softprob') return 0.5;
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i]! : 1;
    s += wi * y[i]!;
    sw += wi;
  }
  const m = sw > 0 ? s / sw : 0.5;
  return o === 'binary:logistic' ? Math.min(Math.max(m, 1e-6), 1 - 1e-6) : m;
}

/** Margins → outputs in place (sigmoid for binary, softmax per row for multiclass). */
export function transformMargins(o: Objective, k: number, m: Float64Array): Float64Array {
  if (o === 'binary:logistic') {
    for (let i = 0; i < m.length; i++) m[i] = 1 / (1 + Math.exp(-m[i]!));
  } else if (o === 'multi:softprob') {
    for (let r = 0; r < m.length; r += k) {
      let mx = -Infinity;
      for (let c = 0; c < k; c++) mx = Math.max(mx, m[r + c]!);
      let s = 0;
      for (let c = 0; c < k; c++) s += m[r + c] = Math.exp(m[r + c]! - mx);
      for (let c = 0; c < k; c++) m[r + c]! /= s;
    }
  }
  return m;
}

const compiled = new WeakMap<Booster, CompiledForest>();

/** Raw margins (n × groups) of a booster on a dense matrix, using the first `nTrees` trees (default all). */
export function predictMargins(b: Booster, x: DenseMatrix, nTrees = b.trees.length): Float64Array {
  const k = groups(b);
  const out = new Float64Array(x.nRows * k).fill(baseMargin(b.objective, b.baseScore));
  predictCompiledParallel(compiledBooster(b, nTrees), x.data, x.nRows, x.nCols, out, k);
  return out;
}

/**
 * The booster's first `nTrees` trees compiled for prediction (cached). Models call it when they are made
 * (prepareForPrediction), so that the first prediction after a fit or a load does not pay for it.
 */
export function compiledBooster(b: Booster, nTrees = b.trees.length): CompiledForest {
  let cf = compiled.get(b);
  if (!cf || cf.nTrees !== nTrees) {
    cf = compileForest(b.trees.slice(0, nTrees), { group: b.treeInfo, shared: parallelPredictionEnabled() });
    compiled.set(b, cf);
  }
  return cf;
}

export interface BoostProgress {
  round: number;
  evalValue?: number;
}

export function trainBooster(
  x: DenseMatrix,
  y: Float64Array,
  w: Float64Array | null,
  p: BoosterParams,
  evalSet?: EvalSet,
  onRound?: (e: BoostProgress) => void,
  binned?: BinnedMatrix,
): Booster {
  const n = x.nRows;
  const K = p.objective === 'multi:softprob' ? p.numClass : 1;
  const threaded = (p.threads ?? 1) > 1 && n > HIST_BLOCK_ROWS;
  if (threaded) {
    warmHistogramWorker();
    warmPredictWorker();
  }
  const bm = binned ?? binMatrix(x, p.maxBin);
  const base = p.baseScore ?? estimateBase(p.objective, y, w);
  const b: Booster = {
    objective: p.objective,
    numClass: p.objective === 'multi:softprob' ? p.numClass : 0,
    numFeatures: x.nCols,
    baseScore: base,
    trees: [],
    treeInfo: [],
    bestIteration: -1,
    evalHistory: [],
  };
  const margin = new Float64Array(n * K).fill(baseMargin(p.objective, base));
  const evalMargin = evalSet
    ? new Float64Array(evalSet.x.nRows * K).fill(baseMargin(p.objective, base))
    : null;
  const metric = p.evalMetric ?? defaultMetric(p.objective);
  const maximize = metricIsMaximized(metric);
  let bestScore = maximize ? -Infinity : Infinity;
  let bestRound = -1;
  const rng = new Rng(p.seed);
  const ph = threaded ? new ParallelHistograms(bm, n * 2 * K, 2) : null;
  try {
    const statsAll = ph ? ph.stats : new Float64Array(n * 2 * K);
    const idx = ph ? ph.idx : new Int32Array(n);
    const prob = new Float64Array(K);
    const allFeatures = Int32Array.from({ length: x.nCols }, (_, i) => i);
    const nCol = Math.max(1, Math.floor(p.colsampleBytree * x.nCols + 1e-9));

    for (let round = 0; round < p.numRound; round++) {
      // Row subsample (Bernoulli per row) and column subsample, one per round as XGBoost's `subsample` and
      // `colsample_bytree` (every tree of a round shares them).
      let nIdx = 0;
      if (p.subsample < 1) {
        for (let i = 0; i < n; i++) if (rng.next() < p.subsample) idx[nIdx++] = i;
      }
      const features = nCol < x.nCols ? rng.sample(x.nCols, nCol) : allFeatures;
      // Gradients of every class come from the margins at the start of the round.
      computeGradients(p.objective, K, margin, y, w, statsAll, prob);
      for (let k = 0; k < K; k++) {
        const stats = statsAll.subarray(k * n * 2, (k + 1) * n * 2);
        ph?.useStatsAt(k * n * 2);
        if (p.subsample >= 1) {
          nIdx = n;
          for (let i = 0; i < n; i++) idx[i] = i;
        } else if (k > 0) {
          // Growth reorders idx; restore the sampled set in ascending order for the next class.
          idx.subarray(0, nIdx).sort();
        }
        const g = growTree(
          bm,
          stats,
          {
            kind: 'xgb',
            lambda: p.lambda,
            alpha: p.alpha,
            gamma: p.gamma,
            minChildWeight: p.minChildWeight,
            eta: p.eta,
          },
          {
            maxDepth: p.maxDepth,
            minInstances: 0,
            minInfoGain: 0,
            features,
            featuresPerNode: 0,
            rng,
            parallel: ph ?? undefined,
          },
          idx,
          nIdx,
        );
        const tree = g.tree;
        b.trees.push(tree);
        b.treeInfo.push(k);
        if (nIdx === n) {
          for (let leaf = 0; leaf < tree.feature.length; leaf++) {
            if (tree.feature[leaf]! >= 0) continue;
            const v = tree.value[leaf]!;
            for (let i = g.leafStart[leaf]!; i < g.leafEnd[leaf]!; i++) margin[idx[i]! * K + k]! += v;
          }
        } else {
          addTreePredictions(tree, x.data, n, x.nCols, margin, K, k);
        }
        if (evalSet && evalMargin)
          addTreePredictions(tree, evalSet.x.data, evalSet.x.nRows, evalSet.x.nCols, evalMargin, K, k);
      }
      let evalValue: number | undefined;
      if (evalSet && evalMargin) {
        const out = transformMargins(p.objective, K, evalMargin.slice());
        evalValue = evalMetric(metric, out, evalSet.y, evalSet.w, K);
        b.evalHistory.push(evalValue);
        if (maximize ? evalValue > bestScore : evalValue < bestScore) {
          bestScore = evalValue;
          bestRound = round;
        }
      }
      onRound?.({ round, evalValue });
      if (p.earlyStoppingRounds > 0 && evalSet && round - bestRound >= p.earlyStoppingRounds) break;
    }
    if (p.earlyStoppingRounds > 0 && evalSet && bestRound >= 0) {
      // Keep the trees up to the best round, as XGBoost's scikit-learn API predicts with best_iteration.
      b.trees.length = (bestRound + 1) * K;
      b.treeInfo.length = (bestRound + 1) * K;
      b.bestIteration = bestRound;
    } else {
      b.bestIteration = b.trees.length / K - 1;
    }
    return b;
  } finally {
    ph?.close();
  }
}

/** Gradient and hessian of the loss at the margin, group by group (XGBoost's objective functions). */
function computeGradients(
  o: Objective,
  K: number,
  margin: Float64Array,
  y: Float64Array,
  w: Float64Array | null,
  stats: Float64Array,
  prob: Float64Array,
): void {
  const n = y.length;
  if (o === 'reg:squarederror') {
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      stats[2 * i] = wi * (margin[i]! - y[i]!);
      stats[2 * i + 1] = wi;
    }
  } else if (o === 'binary:logistic') {
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      const pr = 1 / (1 + Math.exp(-margin[i]!));
      stats[2 * i] = wi * (pr - y[i]!);
      stats[2 * i + 1] = wi * Math.max(pr * (1 - pr), 1e-16);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      let mx = -Infinity;
      for (let c = 0; c < K; c++) mx = Math.max(mx, margin[i * K + c]!);
      let s = 0;
      for (let c = 0; c < K; c++) s += prob[c] = Math.exp(margin[i * K + c]! - mx);
      for (let k = 0; k < K; k++) {
        const pk = prob[k]! / s;
        const o2 = (k * n + i) * 2;
        stats[o2] = wi * (pk - (y[i] === k ? 1 : 0));
        // XGBoost's softmax objective uses 2·p·(1−p) as the hessian (an upper bound on the diagonal).
        stats[o2 + 1] = wi * Math.max(2 * pk * (1 - pk), 1e-16);
      }
    }
  }
}
