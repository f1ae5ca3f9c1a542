/**
 * Decision trees and random forests in Spark ML's formulation (Breiman 2001, "Random Forests"):
 * impurity-based splits (gini, entropy, variance), per-tree bootstrap by Poisson(subsamplingRate) counts
 * (Spark's `BaggedPoint`), and a random feature subset drawn at every node. Trees share the binned matrix
 * and the histogram kernels with the booster.
 */
import type { BinnedMatrix } from './binning.js';
import { growTree, numChannels, type Criterion } from './grow.js';
import { PACK } from './split.js';
import { sampledLayout, type SampledLayout } from './histogram.js';
import { Rng } from './rng.js';
import type { Tree } from './tree.js';

export type Impurity = 'gini' | 'entropy' | 'variance';

export interface ForestParams {
  impurity: Impurity;
  /** Number of classes for gini / entropy (labels are 0 .. numClasses − 1). */
  numClasses: number;
  numTrees: number;
  maxDepth: number;
  minInstancesPerNode: number;
  minInfoGain: number;
  subsamplingRate: number;
  bootstrap: boolean;
  /** Features tried per node (resolved from featureSubsetStrategy); >= number of features means all. */
  featuresPerNode: number;
  seed: number;
  /** Spark minWeightFractionPerNode: each child needs this fraction of the training set's total weight. */
  minWeightFraction?: number;
}

/**
 * Spark's minWeightFractionPerNode as a weight: the fraction of the total weight of the training rows, before
 * bootstrap (Spark's DecisionTreeMetadata.minWeightPerNode), as scikit-learn's min_weight_fraction_leaf.
 */
export function minChildWeight(fraction: number | undefined, w: Float64Array | null, n: number): number {
  if (!fraction) return 0;
  let total = n;
  if (w) {
    total = 0;
    for (let i = 0; i < n; i++) total += w[i]!;
  }
  return fraction * total;
}

/** Spark's featureSubsetStrategy → a feature count (RandomForestParams / DecisionTreeMetadata). */
export function resolveFeatureSubset(
  strategy: string,
  numFeatures: number,
  numTrees: number,
  classification: boolean,
): number {
  const p = numFeatures;
  let s = strategy;
  if (s === 'auto') s = numTrees === 1 ? 'all' : classification ? 'sqrt' : 'onethird';
  switch (s) {
    case 'all':
      return p;
    case 'sqrt':
      return Math.ceil(Math.sqrt(p));
    case 'log2':
      return Math.max(1, Math.ceil(Math.log2(p)));
    case 'onethird':
      return Math.ceil(p / 3);
  }
  const v = Number(s);
  if (/^[0-9]+$/.test(s) && v >= 1) return Math.min(v, p);
  return Math.max(1, Math.ceil(v * p));
}

/** True when `s` is a valid featureSubsetStrategy value. */
export function isFeatureSubsetStrategy(s: string): boolean {
  if (['auto', 'all', 'onethird', 'sqrt', 'log2'].includes(s)) return true;
  if (/^[0-9]+$/.test(s)) return Number(s) >= 1;
  if (/^(0?\.[0-9]+|1(\.0*)?)$/.test(s)) return Number(s) > 0 && Number(s) <= 1;
  return false;
}

export interface TreeProgress {
  tree: number;
  numTrees: number;
}

/** Reusable buffers for building one forest tree after another on the same data. */
export interface ForestScratch {
  stats: Float64Array;
  idx: Int32Array;
  features: Int32Array;
  /** Histograms and a row buffer handed from one tree to the next (growTree). */
  buffers: { pool: Float64Array[]; rows: Int32Array };
  /** Pack binary gini counts into one channel (split.ts); false only to test against two channels. */
  pack: boolean;
  /** How histograms are built when few features are tried per node (null: the plain CSR scheme). */
  layout: SampledLayout | null;
}

export function forestScratch(bm: BinnedMatrix, p: ForestParams, sampled = true): ForestScratch {
  const C = p.impurity === 'variance' ? 3 : p.numClasses + 1;
  return {
    stats: new Float64Array(bm.nRows * C),
    idx: new Int32Array(bm.nRows),
    buffers: { pool: [], rows: new Int32Array(bm.nRows) },
    pack: true,
    features: Int32Array.from({ length: bm.nFeatures }, (_, i) => i),
    layout: sampled ? sampledLayout(bm, p.featuresPerNode < bm.nFeatures ? p.featuresPerNode : 0) : null,
  };
}

/** The per-tree seeds: drawn up front from `seed`, so tree t is the same whichever thread builds it. */
export function forestSeeds(p: ForestParams): number[] {
  const master = new Rng(p.seed);
  return Array.from({ length: p.numTrees }, () => master.seed());
}

/** One tree of the forest, from its own seed (bootstrap counts, then per-node feature subsets). */
export function buildForestTree(
  bm: BinnedMatrix,
  y: Float64Array,
  w: Float64Array | null,
  p: ForestParams,
  seed: number,
  s: ForestScratch,
  pack = s.pack,
): Tree {
  const n = bm.nRows;
  // Without instance weights a row's class weight is its bootstrap count, so no separate count channel; with
  // two classes and gini, both counts share one packed channel (split.ts Criterion `packed`).
  const packed = pack && w === null && p.impurity === 'gini' && p.numClasses === 2;
  const crit: Criterion =
    p.impurity === 'variance'
      ? { kind: 'variance' }
      : { kind: p.impurity, numClasses: p.numClasses, countIsWeight: w === null, packed };
  const C = numChannels(crit);
  const { stats, idx, features } = s;
  const rng = new Rng(seed);
  stats.fill(0);
  let nIdx = 0;
  let total = 0;
  const sampling = p.bootstrap || p.subsamplingRate < 1;
  for (let i = 0; i < n; i++) {
    let c = 1;
    if (sampling) {
      c = p.bootstrap ? rng.poisson(p.subsamplingRate) : rng.next() < p.subsamplingRate ? 1 : 0;
      if (c === 0) continue;
    }
    const wi = (w ? w[i]! : 1) * c;
    if (wi <= 0) continue;
    idx[nIdx++] = i;
    const o = i * C;
    if (packed) {
      stats[i] = y[i] === 1 ? c + c * PACK : c;
      total += c;
    } else if (p.impurity === 'variance') {
      stats[o] = -wi * y[i]!;
      stats[o + 1] = wi;
      stats[o + 2] = c;
    } else {
      stats[o + y[i]!] = wi;
      if (w) stats[o + C - 1] = c;
    }
  }
  // Packed counts decode exactly while a node holds fewer than 2^26 rows (with multiplicity).
  if (packed && total >= PACK) return buildForestTree(bm, y, w, p, seed, s, false);
  return growTree(
    bm,
    stats,
    crit,
    {
      maxDepth: p.maxDepth,
      minInstances: p.minInstancesPerNode,
      minInfoGain: p.minInfoGain,
      features,
      featuresPerNode: p.featuresPerNode < bm.nFeatures ? p.featuresPerNode : 0,
      rng,
      layout: s.layout,
      buffers: s.buffers,
      minWeight: minChildWeight(p.minWeightFraction, w, n),
    },
    idx,
    nIdx,
  ).tree;
}

/** Fits `numTrees` trees on this thread (see parallel.ts for the threaded driver). */
export function trainForest(
  bm: BinnedMatrix,
  y: Float64Array,
  w: Float64Array | null,
  p: ForestParams,
  onTree?: (e: TreeProgress) => void,
): Tree[] {
  const seeds = forestSeeds(p);
  const s = forestScratch(bm, p);
  return seeds.map((seed, t) => {
    const tree = buildForestTree(bm, y, w, p, seed, s);
    onTree?.({ tree: t, numTrees: p.numTrees });
    return tree;
  });
}

/**
 * Spark's featureImportances: per tree, each split adds gain × weight of the node to its feature; each
 * tree's vector is normalised to sum 1, the trees' vectors are summed and normalised again.
 */
export function featureImportances(
  trees: readonly Tree[],
  numFeatures: number,
  byCover = true,
): Float64Array {
  const total = new Float64Array(numFeatures);
  const one = new Float64Array(numFeatures);
  for (const t of trees) {
    one.fill(0);
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i]!;
      if (f >= 0 && f < numFeatures) one[f]! += byCover ? t.gain[i]! * t.cover[i]! : t.gain[i]!;
    }
    let s = 0;
    for (const v of one) s += v;
    if (s > 0) for (let f = 0; f < numFeatures; f++) total[f]! += one[f]! / s;
  }
  let s = 0;
  for (const v of total) s += v;
  if (s > 0) for (let f = 0; f < numFeatures; f++) total[f]! /= s;
  return total;
}
