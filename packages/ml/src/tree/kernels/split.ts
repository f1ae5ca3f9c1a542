/**
 * Split search over a node's histogram for every criterion: XGBoost's gain (Chen & Guestrin 2016, eq. 7) and
 * Spark's information gain for variance / gini / entropy, with a learned direction for missing values.
 * `offs[j]` is where the bins of feature feats[j] start in the histogram searched (its global bin offset).
 */
import type { BinnedMatrix } from './binning.js';
import type { SampledLayout } from './histogram.js';
import type { Rng } from './rng.js';

/** How split quality and leaf values are computed from the channel sums of a node. */
export type Criterion =
  | {
      /** Chen & Guestrin 2016, eq. (7): channels gradient, hessian. */
      kind: 'xgb';
      lambda: number;
      alpha: number;
      gamma: number;
      minChildWeight: number;
      eta: number;
    }
  /** Spark's variance impurity: channels −Σwy, Σw, count. */
  | { kind: 'variance' }
  /**
   * Spark's gini / entropy impurity: channels Σw per class, then count. With `countIsWeight` (no instance
   * weights: a row's class weight is its bootstrap count) the count channel is left out and taken as Σw, which
   * is then exactly the same integer — a third less histogram work for binary classification.
   */
  | {
      kind: 'gini' | 'entropy';
      numClasses: number;
      countIsWeight?: boolean;
      /**
       * Two classes, countIsWeight, gini: ONE channel per row, count + count·class·2^26 (PACK). Sums of such
       * integers stay exact below 2^53, so a node's class counts decode exactly while its total count is below
       * 2^26 (the forest checks it): half the histogram additions of two channels, the same trees.
       */
      packed?: boolean;
    };

/** Multiplier of the class-1 count in a packed binary channel (see Criterion `packed`). */
export const PACK = 2 ** 26;

/** [count, class-1 count] of a packed binary channel value. */
function unpack(v: number): [number, number] {
  const w1 = Math.floor(v / PACK);
  return [v - w1 * PACK, w1];
}

export interface GrowOptions {
  maxDepth: number;
  /** Spark minInstancesPerNode: minimum count channel per child (not used by 'xgb'). */
  minInstances: number;
  /** Spark minInfoGain (not used by 'xgb', whose threshold is gamma). */
  minInfoGain: number;
  /**
   * Spark minWeightFractionPerNode × the training set's total weight: minimum weight per child (not used by
   * 'xgb', whose equivalent is min_child_weight). 0 = no limit.
   */
  minWeight?: number;
  /** Features allowed for this tree (ascending). */
  features: Int32Array;
  /** When > 0, each node draws this many of `features` at random (random forests). */
  featuresPerNode: number;
  rng: Rng;
  /** Buffers reused from one tree to the next (histograms of this bin count, a row buffer); forests. */
  buffers?: { pool: Float64Array[]; rows: Int32Array } | undefined;
  /** Sparse / dense histogram layout for sampled features (histogram.ts sampledLayout); forests only. */
  layout?: SampledLayout | null;
  /** Builds large nodes' histograms with a worker thread (same result as on one thread). */
  parallel?:
    { build(start: number, end: number, hist: Float64Array, totals: Float64Array): boolean } | undefined;
}

export function numChannels(c: Criterion): number {
  if (c.kind === 'xgb') return 2;
  if (c.kind === 'variance') return 3;
  return c.packed ? 1 : c.numClasses + (c.countIsWeight ? 0 : 1);
}

/** The node's instance count (cover) from its channel totals. */
export function nodeCount(c: Criterion, tot: Float64Array): number {
  if (c.kind === 'xgb' || c.kind === 'variance') return tot[1]!;
  if (c.packed) return unpack(tot[0]!)[0];
  if (!c.countIsWeight) return tot[c.numClasses]!;
  let s = 0;
  for (let k = 0; k < c.numClasses; k++) s += tot[k]!;
  return s;
}

export function valueDim(c: Criterion): number {
  return c.kind === 'gini' || c.kind === 'entropy' ? c.numClasses : 1;
}

export interface Split {
  gain: number;
  feature: number;
  /** Where the feature's bins start in the histogram the split was found in. */
  off: number;
  bin: number;
  defaultLeft: boolean;
}

const RT_EPS = 1e-6;

function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

function impurity(kind: 'gini' | 'entropy', s: Float64Array, K: number, w: number): number {
  if (w <= 0) return 0;
  let acc = 0;
  if (kind === 'gini') {
    for (let k = 0; k < K; k++) {
      const p = s[k]! / w;
      acc += p * p;
    }
    return 1 - acc;
  }
  for (let k = 0; k < K; k++) {
    const p = s[k]! / w;
    if (p > 0) acc -= p * Math.log2(p);
  }
  return acc;
}

/** Leaf value of a node from its channel totals. */
export function leafValue(crit: Criterion, t: Float64Array, out: Float64Array, o: number): void {
  if (crit.kind === 'xgb') {
    out[o] = (-thresholdL1(t[0]!, crit.alpha) / (t[1]! + crit.lambda)) * crit.eta;
  } else if (crit.kind === 'variance') {
    out[o] = t[1]! > 0 ? -t[0]! / t[1]! : 0;
  } else if (crit.packed) {
    const [w, w1] = unpack(t[0]!);
    out[o] = w - w1;
    out[o + 1] = w1;
  } else {
    for (let k = 0; k < crit.numClasses; k++) out[o + k] = t[k]!;
  }
}

/** Best split of a node over `feats`, or null. */
export function findSplit(
  bm: BinnedMatrix,
  crit: Criterion,
  opt: GrowOptions,
  hist: Float64Array,
  tot: Float64Array,
  feats: Int32Array,
  offs: Int32Array,
  nf: number,
  scratchL: Float64Array,
  scratchR: Float64Array,
): Split | null {
  const { nBins } = bm;
  let best: Split | null = null;
  if (crit.kind === 'xgb') {
    const { lambda, alpha, minChildWeight: mcw } = crit;
    const G = tot[0]!;
    const H = tot[1]!;
    const gl = (g: number, h: number): number => {
      const t = thresholdL1(g, alpha);
      return (t * t) / (h + lambda);
    };
    const parent = gl(G, H);
    let bestGain = RT_EPS;
    for (let j = 0; j < nf; j++) {
      const f = feats[j]!;
      const off = offs[j]!;
      const nb = nBins[f]!;
      const mo = (off + nb) * 2;
      const gm = hist[mo]!;
      const hm = hist[mo + 1]!;
      const hasMissing = hm !== 0 || gm !== 0;
      let GL = 0;
      let HL = 0;
      // With missing values, b = −1 (every value right, missing left) and b = nb − 1 (every value left,
      // missing right) are candidates too: "is it missing" splits, as XGBoost's two scans include.
      for (let b = hasMissing ? -1 : 0; b < (hasMissing ? nb : nb - 1); b++) {
        if (b >= 0) {
          const o = (off + b) * 2;
          const hb = hist[o + 1]!;
          GL += hist[o]!;
          HL += hb;
          if (hb === 0 && hist[o] === 0) continue;
        }
        // Missing values to the left (tried first, so it wins ties, as XGBoost's backward scan does).
        let gLm = GL + gm;
        let hLm = HL + hm;
        let gRm = G - gLm;
        let hRm = H - hLm;
        if (hLm >= mcw && hRm >= mcw) {
          const g = gl(gLm, hLm) + gl(gRm, hRm) - parent;
          if (g > bestGain) {
            bestGain = g;
            best = { gain: g, feature: f, off, bin: b, defaultLeft: true };
          }
        }
        if (hasMissing) {
          gLm = GL;
          hLm = HL;
          gRm = G - gLm;
          hRm = H - hLm;
          if (hLm >= mcw && hRm >= mcw) {
            const g = gl(gLm, hLm) + gl(gRm, hRm) - parent;
            if (g > bestGain) {
              bestGain = g;
              best = { gain: g, feature: f, off, bin: b, defaultLeft: false };
            }
          }
        }
      }
    }
    return best;
  }
  if (crit.kind === 'variance') {
    const S = tot[0]!;
    const W = tot[1]!;
    const N = tot[2]!;
    if (W <= 0) return null;
    const parent = (S * S) / W;
    const minI = opt.minInstances;
    const minW = opt.minWeight ?? 0;
    let bestGain = Math.max(opt.minInfoGain, 0) * W;
    for (let j = 0; j < nf; j++) {
      const f = feats[j]!;
      const off = offs[j]!;
      const nb = nBins[f]!;
      const mo = (off + nb) * 3;
      const sm = hist[mo]!;
      const wm = hist[mo + 1]!;
      const nm = hist[mo + 2]!;
      const hasMissing = nm !== 0;
      let SL = 0;
      let WL = 0;
      let NL = 0;
      for (let b = hasMissing ? -1 : 0; b < (hasMissing ? nb : nb - 1); b++) {
        if (b >= 0) {
          const o = (off + b) * 3;
          if (hist[o + 2] === 0) continue;
          SL += hist[o]!;
          WL += hist[o + 1]!;
          NL += hist[o + 2]!;
        }
        for (let side = 0; side < (hasMissing ? 2 : 1); side++) {
          const sl = side === 0 ? SL + sm : SL;
          const wl = side === 0 ? WL + wm : WL;
          const nl = side === 0 ? NL + nm : NL;
          const nr = N - nl;
          const wr = W - wl;
          if (nl < minI || nr < minI || wl <= 0 || wr <= 0 || wl < minW || wr < minW) continue;
          const sr = S - sl;
          const g = (sl * sl) / wl + (sr * sr) / wr - parent;
          if (g > bestGain && g > 1e-12 * Math.abs(parent)) {
            bestGain = g;
            best = { gain: g / W, feature: f, off, bin: b, defaultLeft: side === 0 };
          }
        }
      }
    }
    return best;
  }
  if (crit.packed) return packedGini(bm, opt, hist, tot, feats, offs, nf);
  const K = crit.numClasses;
  const CW = crit.countIsWeight === true;
  const C = CW ? K : K + 1;
  let W = 0;
  for (let k = 0; k < K; k++) W += tot[k]!;
  const N = CW ? W : tot[K]!;
  if (W <= 0) return null;
  const parentImp = impurity(crit.kind, tot, K, W);
  let bestGain = Math.max(opt.minInfoGain, 0);
  const minI = opt.minInstances;
  const minW = opt.minWeight ?? 0;
  if (CW && K === 2 && crit.kind === 'gini') {
    return binaryGini(bm, hist, tot, feats, offs, nf, W, parentImp, bestGain, minI, minW);
  }
  for (let j = 0; j < nf; j++) {
    const f = feats[j]!;
    const off = offs[j]!;
    const nb = nBins[f]!;
    const mo = (off + nb) * C;
    let nm = 0;
    for (let k = 0; k < K; k++) nm += hist[mo + k]!;
    if (!CW) nm = hist[mo + K]!;
    const hasMissing = nm !== 0;
    scratchL.fill(0);
    for (let b = hasMissing ? -1 : 0; b < (hasMissing ? nb : nb - 1); b++) {
      if (b >= 0) {
        const o = (off + b) * C;
        let cnt = 0;
        if (CW) for (let k = 0; k < K; k++) cnt += hist[o + k]!;
        else cnt = hist[o + K]!;
        if (cnt === 0) continue;
        for (let c = 0; c < C; c++) scratchL[c]! += hist[o + c]!;
      }
      for (let side = 0; side < (hasMissing ? 2 : 1); side++) {
        let wl = 0;
        for (let c = 0; c < C; c++) {
          const v = scratchL[c]! + (side === 0 ? hist[mo + c]! : 0);
          scratchR[c] = v;
        }
        for (let k = 0; k < K; k++) wl += scratchR[k]!;
        const nl = CW ? wl : scratchR[K]!;
        const nr = N - nl;
        const wr = W - wl;
        if (nl < minI || nr < minI || wl <= 0 || wr <= 0 || wl < minW || wr < minW) continue;
        const il = impurity(crit.kind, scratchR, K, wl);
        for (let c = 0; c < C; c++) scratchR[c] = tot[c]! - scratchR[c]!;
        const ir = impurity(crit.kind, scratchR, K, wr);
        const g = parentImp - (wl / W) * il - (wr / W) * ir;
        if (g > bestGain && g > 1e-12) {
          bestGain = g;
          best = { gain: g, feature: f, off, bin: b, defaultLeft: side === 0 };
        }
      }
    }
  }
  return best;
}

/**
 * findSplit for unweighted binary gini (a random forest classifier's usual case), with the generic loop's
 * arithmetic written out for two classes: the same operations in the same order, so the same splits, at a
 * third of the time (no per-candidate scratch arrays or impurity calls).
 */
function binaryGini(
  bm: BinnedMatrix,
  hist: Float64Array,
  tot: Float64Array,
  feats: Int32Array,
  offs: Int32Array,
  nf: number,
  W: number,
  parentImp: number,
  minGain: number,
  minI: number,
  minW: number,
): Split | null {
  const { nBins } = bm;
  const T0 = tot[0]!;
  const T1 = tot[1]!;
  let best: Split | null = null;
  let bestGain = minGain;
  for (let j = 0; j < nf; j++) {
    const f = feats[j]!;
    const off = offs[j]!;
    const nb = nBins[f]!;
    const mo = (off + nb) * 2;
    const m0 = hist[mo]!;
    const m1 = hist[mo + 1]!;
    const hasMissing = m0 + m1 !== 0;
    let L0 = 0;
    let L1 = 0;
    for (let b = hasMissing ? -1 : 0; b < (hasMissing ? nb : nb - 1); b++) {
      if (b >= 0) {
        const o = (off + b) * 2;
        const h0 = hist[o]!;
        const h1 = hist[o + 1]!;
        if (h0 + h1 === 0) continue;
        L0 += h0;
        L1 += h1;
      }
      for (let side = 0; side < (hasMissing ? 2 : 1); side++) {
        const l0 = side === 0 ? L0 + m0 : L0;
        const l1 = side === 0 ? L1 + m1 : L1;
        const wl = l0 + l1;
        const wr = W - wl;
        if (wl < minI || wr < minI || wl <= 0 || wr <= 0 || wl < minW || wr < minW) continue;
        const pl0 = l0 / wl;
        const pl1 = l1 / wl;
        const il = 1 - (pl0 * pl0 + pl1 * pl1);
        const r0 = T0 - l0;
        const r1 = T1 - l1;
        const pr0 = r0 / wr;
        const pr1 = r1 / wr;
        const ir = 1 - (pr0 * pr0 + pr1 * pr1);
        const g = parentImp - (wl / W) * il - (wr / W) * ir;
        if (g > bestGain && g > 1e-12) {
          bestGain = g;
          best = { gain: g, feature: f, off, bin: b, defaultLeft: side === 0 };
        }
      }
    }
  }
  return best;
}

/**
 * binaryGini over packed channels (Criterion `packed`): each bin's value is decoded into its two class counts,
 * then the arithmetic is binaryGini's — the same splits as with two channels.
 */
function packedGini(
  bm: BinnedMatrix,
  opt: GrowOptions,
  hist: Float64Array,
  tot: Float64Array,
  feats: Int32Array,
  offs: Int32Array,
  nf: number,
): Split | null {
  const { nBins } = bm;
  const [W, T1] = unpack(tot[0]!);
  const T0 = W - T1;
  if (W <= 0) return null;
  const q0 = T0 / W;
  const q1 = T1 / W;
  const parentImp = 1 - (q0 * q0 + q1 * q1);
  const minI = opt.minInstances;
  const minW = opt.minWeight ?? 0;
  let best: Split | null = null;
  let bestGain = Math.max(opt.minInfoGain, 0);
  for (let j = 0; j < nf; j++) {
    const f = feats[j]!;
    const off = offs[j]!;
    const nb = nBins[f]!;
    const mv = hist[off + nb]!;
    const m1 = Math.floor(mv / PACK);
    const m0 = mv - m1 * PACK - m1;
    const hasMissing = mv !== 0;
    let L0 = 0;
    let L1 = 0;
    for (let b = hasMissing ? -1 : 0; b < (hasMissing ? nb : nb - 1); b++) {
      if (b >= 0) {
        const v = hist[off + b]!;
        if (v === 0) continue;
        const h1 = Math.floor(v / PACK);
        L0 += v - h1 * PACK - h1;
        L1 += h1;
      }
      for (let side = 0; side < (hasMissing ? 2 : 1); side++) {
        const l0 = side === 0 ? L0 + m0 : L0;
        const l1 = side === 0 ? L1 + m1 : L1;
        const wl = l0 + l1;
        const wr = W - wl;
        if (wl < minI || wr < minI || wl <= 0 || wr <= 0 || wl < minW || wr < minW) continue;
        const pl0 = l0 / wl;
        const pl1 = l1 / wl;
        const il = 1 - (pl0 * pl0 + pl1 * pl1);
        const r0 = T0 - l0;
        const r1 = T1 - l1;
        const pr0 = r0 / wr;
        const pr1 = r1 / wr;
        const ir = 1 - (pr0 * pr0 + pr1 * pr1);
        const g = parentImp - (wl / W) * il - (wr / W) * ir;
        if (g > bestGain && g > 1e-12) {
          bestGain = g;
          best = { gain: g, feature: f, off, bin: b, defaultLeft: side === 0 };
        }
      }
    }
  }
  return best;
}
