/**
 * Growing one tree on binned data.
 *
 * Nodes are expanded depth-first with a histogram per open node: the smaller child's histogram is built
 * from its rows and the larger child's is the parent's minus it (histogram subtraction, LightGBM §2.1 /
 * XGBoost `hist`). Every node is split on its own rows alone and the only limit is depth, so the tree equals
 * the one depthwise (level-by-level) growth gives, while only depth + 2 histograms are alive at once.
 * Rows are partitioned stably in an index array, so a node's rows are a contiguous slice idx[start..end).
 */
import type { BinnedMatrix } from './binning.js';
import { buildHistogram, subtractInPlace } from './histogram.js';
import type { Rng } from './rng.js';
import type { Tree } from './tree.js';

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
  /** Spark's gini / entropy impurity: channels Σw per class, then count. */
  | { kind: 'gini' | 'entropy'; numClasses: number };

export interface GrowOptions {
  maxDepth: number;
  /** Spark minInstancesPerNode: minimum count channel per child (not used by 'xgb'). */
  minInstances: number;
  /** Spark minInfoGain (not used by 'xgb', whose threshold is gamma). */
  minInfoGain: number;
  /** Features allowed for this tree (ascending). */
  features: Int32Array;
  /** When > 0, each node draws this many of `features` at random (random forests). */
  featuresPerNode: number;
  rng: Rng;
  /** Builds large nodes' histograms with a worker thread (same result as on one thread). */
  parallel?:
    { build(start: number, end: number, hist: Float64Array, totals: Float64Array): boolean } | undefined;
}

export function numChannels(c: Criterion): number {
  return c.kind === 'xgb' ? 2 : c.kind === 'variance' ? 3 : c.numClasses + 1;
}

export function valueDim(c: Criterion): number {
  return c.kind === 'gini' || c.kind === 'entropy' ? c.numClasses : 1;
}

interface Split {
  gain: number;
  feature: number;
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
  } else {
    for (let k = 0; k < crit.numClasses; k++) out[o + k] = t[k]!;
  }
}

/** Best split of a node over `feats`, or null. */
function findSplit(
  bm: BinnedMatrix,
  crit: Criterion,
  opt: GrowOptions,
  hist: Float64Array,
  tot: Float64Array,
  feats: Int32Array,
  nf: number,
  scratchL: Float64Array,
  scratchR: Float64Array,
): Split | null {
  const { offsets, nBins } = bm;
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
      const off = offsets[f]!;
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
            best = { gain: g, feature: f, bin: b, defaultLeft: true };
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
              best = { gain: g, feature: f, bin: b, defaultLeft: false };
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
    let bestGain = Math.max(opt.minInfoGain, 0) * W;
    for (let j = 0; j < nf; j++) {
      const f = feats[j]!;
      const off = offsets[f]!;
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
          if (nl < minI || nr < minI || wl <= 0 || wr <= 0) continue;
          const sr = S - sl;
          const g = (sl * sl) / wl + (sr * sr) / wr - parent;
          if (g > bestGain && g > 1e-12 * Math.abs(parent)) {
            bestGain = g;
            best = { gain: g / W, feature: f, bin: b, defaultLeft: side === 0 };
          }
        }
      }
    }
    return best;
  }
  const K = crit.numClasses;
  const C = K + 1;
  let W = 0;
  for (let k = 0; k < K; k++) W += tot[k]!;
  const N = tot[K]!;
  if (W <= 0) return null;
  const parentImp = impurity(crit.kind, tot, K, W);
  let bestGain = Math.max(opt.minInfoGain, 0);
  const minI = opt.minInstances;
  for (let j = 0; j < nf; j++) {
    const f = feats[j]!;
    const off = offsets[f]!;
    const nb = nBins[f]!;
    const mo = (off + nb) * C;
    const nm = hist[mo + K]!;
    const hasMissing = nm !== 0;
    scratchL.fill(0);
    for (let b = hasMissing ? -1 : 0; b < (hasMissing ? nb : nb - 1); b++) {
      if (b >= 0) {
        const o = (off + b) * C;
        if (hist[o + K] === 0) continue;
        for (let c = 0; c < C; c++) scratchL[c]! += hist[o + c]!;
      }
      for (let side = 0; side < (hasMissing ? 2 : 1); side++) {
        let wl = 0;
        for (let c = 0; c < C; c++) {
          const v = scratchL[c]! + (side === 0 ? hist[mo + c]! : 0);
          scratchR[c] = v;
        }
        for (let k = 0; k < K; k++) wl += scratchR[k]!;
        const nl = scratchR[K]!;
        const nr = N - nl;
        const wr = W - wl;
        if (nl < minI || nr < minI || wl <= 0 || wr <= 0) continue;
        const il = impurity(crit.kind, scratchR, K, wl);
        for (let c = 0; c < C; c++) scratchR[c] = tot[c]! - scratchR[c]!;
        const ir = impurity(crit.kind, scratchR, K, wr);
        const g = parentImp - (wl / W) * il - (wr / W) * ir;
        if (g > bestGain && g > 1e-12) {
          bestGain = g;
          best = { gain: g, feature: f, bin: b, defaultLeft: side === 0 };
        }
      }
    }
  }
  return best;
}

export interface GrownTree {
  tree: Tree;
  /** For each leaf (node id), its rows are idx[leafStart[id] .. leafEnd[id]). */
  leafStart: Int32Array;
  leafEnd: Int32Array;
}

/**
 * Grows a tree on rows idx[0..nIdx) (idx is reordered in place). `stats` holds C channels per row.
 */
export function growTree(
  bm: BinnedMatrix,
  stats: Float64Array,
  crit: Criterion,
  opt: GrowOptions,
  idx: Int32Array,
  nIdx: number,
): GrownTree {
  const C = numChannels(crit);
  const V = valueDim(crit);
  const histLen = bm.totalBins * C;
  const pool: Float64Array[] = [];
  const take = (): Float64Array => pool.pop() ?? new Float64Array(histLen);
  let blockScratch: Float64Array | null = null;
  const scratch = (): Float64Array => (blockScratch ??= new Float64Array(histLen));
  const tmp = new Int32Array(nIdx);
  const dirTable = new Uint8Array(256);
  const sL = new Float64Array(C);
  const sR = new Float64Array(C);
  const nodeFeats = new Int32Array(opt.features.length);
  const sampleScratch = new Int32Array(opt.features.length);

  const feature: number[] = [];
  const threshold: number[] = [];
  const binThr: number[] = [];
  const defaultLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const gain: number[] = [];
  const cover: number[] = [];
  const values: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const leafVal = new Float64Array(V);

  const newNode = (tot: Float64Array, start: number, end: number): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    binThr.push(0);
    defaultLeft.push(0);
    left.push(-1);
    right.push(-1);
    gain.push(0);
    cover.push(crit.kind === 'xgb' || crit.kind === 'variance' ? tot[1]! : tot[C - 1]!);
    leafValue(crit, tot, leafVal, 0);
    for (let v = 0; v < V; v++) values.push(leafVal[v]!);
    starts.push(start);
    ends.push(end);
    return id;
  };

  const expand = (id: number, hist: Float64Array, tot: Float64Array, depth: number): void => {
    const start = starts[id]!;
    const end = ends[id]!;
    if (depth >= opt.maxDepth || end - start < 2) {
      pool.push(hist);
      return;
    }
    let feats = opt.features;
    let nf = feats.length;
    if (opt.featuresPerNode > 0 && opt.featuresPerNode < nf) {
      const pick = opt.rng.sample(nf, opt.featuresPerNode, sampleScratch);
      for (let j = 0; j < pick.length; j++) nodeFeats[j] = feats[pick[j]!]!;
      feats = nodeFeats;
      nf = pick.length;
    }
    const s = findSplit(bm, crit, opt, hist, tot, feats, nf, sL, sR);
    if (!s) {
      pool.push(hist);
      return;
    }
    // Stable partition of idx[start..end) on the chosen feature's bin codes.
    const col = bm.colBins.subarray(s.feature * bm.nRows, (s.feature + 1) * bm.nRows);
    const miss = bm.nBins[s.feature]!;
    let nl = 0;
    let nr = 0;
    // Branch-free through a per-split table bin code → 1 (left) / 0 (right): the direction is
    // data-dependent, and a branch on it would mispredict half the time.
    dirTable.fill(0);
    dirTable.fill(1, 0, s.bin + 1);
    dirTable[miss] = s.defaultLeft ? 1 : 0;
    for (let i = start; i < end; i++) {
      const r = idx[i]!;
      const goLeft = dirTable[col[r]!]!;
      idx[start + nl] = r;
      tmp[nr] = r;
      nl += goLeft;
      nr += 1 - goLeft;
    }
    idx.set(tmp.subarray(0, nr), start + nl);
    const mid = start + nl;

    feature[id] = s.feature;
    const cutsF = bm.cuts[s.feature]!;
    threshold[id] = s.bin < 0 ? -Infinity : s.bin >= cutsF.length ? Infinity : cutsF[s.bin]!;
    binThr[id] = s.bin;
    defaultLeft[id] = s.defaultLeft ? 1 : 0;
    gain[id] = s.gain;

    // Child totals from the parent's bins of the split feature: the same sums the gain was computed from.
    const lTot = new Float64Array(C);
    const rTot = new Float64Array(C);
    {
      const off = bm.offsets[s.feature]!;
      const last = Math.min(s.bin, miss - 1);
      for (let b = 0; b <= last; b++) for (let c = 0; c < C; c++) lTot[c]! += hist[(off + b) * C + c]!;
      if (s.defaultLeft) for (let c = 0; c < C; c++) lTot[c]! += hist[(off + miss) * C + c]!;
      for (let c = 0; c < C; c++) rTot[c] = tot[c]! - lTot[c]!;
    }
    const l = newNode(lTot, start, mid);
    const r = newNode(rTot, mid, end);
    left[id] = l;
    right[id] = r;
    // Children at the depth limit, or too small to split, are leaves: they need no histogram. This skips
    // the deepest level, which holds half of a full tree's nodes.
    const needL = depth + 1 < opt.maxDepth && nl >= 2;
    const needR = depth + 1 < opt.maxDepth && nr >= 2;
    const tmpTot = new Float64Array(C);
    const build = (s0: number, s1: number, into: Float64Array): void => {
      if (!opt.parallel?.build(s0, s1, into, tmpTot)) {
        buildHistogram(bm, stats, C, idx, s0, s1, into, tmpTot, scratch);
      }
    };
    if (needL && needR) {
      // Build the smaller child, subtract for the larger one (reusing the parent's buffer).
      const small = take();
      const leftSmaller = nl <= nr;
      if (leftSmaller) build(start, mid, small);
      else build(mid, end, small);
      subtractInPlace(hist, small);
      expand(l, leftSmaller ? small : hist, lTot, depth + 1);
      expand(r, leftSmaller ? hist : small, rTot, depth + 1);
    } else if (needL) {
      build(start, mid, hist);
      expand(l, hist, lTot, depth + 1);
    } else if (needR) {
      build(mid, end, hist);
      expand(r, hist, rTot, depth + 1);
    } else {
      pool.push(hist);
    }
  };

  const rootHist = take();
  const rootTot = new Float64Array(C);
  if (!opt.parallel?.build(0, nIdx, rootHist, rootTot)) {
    buildHistogram(bm, stats, C, idx, 0, nIdx, rootHist, rootTot, scratch);
  }
  newNode(rootTot, 0, nIdx);
  expand(0, rootHist, rootTot, 0);

  if (crit.kind === 'xgb' && crit.gamma > 0) pruneByGamma(feature, left, right, gain, crit.gamma);

  const n = feature.length;
  const leafStart = new Int32Array(n).fill(-1);
  const leafEnd = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (feature[i]! < 0) {
      leafStart[i] = starts[i]!;
      leafEnd[i] = ends[i]!;
    }
  }
  const tree: Tree = {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    defaultLeft: Uint8Array.from(defaultLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    gain: Float64Array.from(gain),
    cover: Float64Array.from(cover),
    value: Float64Array.from(values),
    valueDim: V,
  };
  return { tree: compact(tree, leafStart, leafEnd), leafStart, leafEnd };
}

/**
 * XGBoost's `prune` updater: bottom-up, a split whose children are both leaves and whose loss change is
 * below gamma (min_split_loss) is turned back into a leaf. Pruned subtrees stay in the arrays but become
 * unreachable; `compact` removes them.
 */
function pruneByGamma(
  feature: number[],
  left: number[],
  right: number[],
  gain: number[],
  gamma: number,
): void {
  const visit = (i: number): boolean => {
    if (feature[i]! < 0) return true;
    const l = visit(left[i]!);
    const r = visit(right[i]!);
    if (l && r && gain[i]! < gamma) {
      feature[i] = -1;
      left[i] = -1;
      right[i] = -1;
      gain[i] = 0;
      return true;
    }
    return false;
  };
  visit(0);
}

/** Renumbers reachable nodes in pre-order; leafStart / leafEnd are remapped in place. */
function compact(t: Tree, leafStart: Int32Array, leafEnd: Int32Array): Tree {
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    order.push(i);
    if (t.feature[i]! >= 0) stack.push(t.right[i]!, t.left[i]!);
  }
  if (order.length === t.feature.length) return t;
  const newId = new Int32Array(t.feature.length).fill(-1);
  order.forEach((old, k) => (newId[old] = k));
  const n = order.length;
  const V = t.valueDim;
  const out: Tree = {
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    defaultLeft: new Uint8Array(n),
    left: new Int32Array(n),
    right: new Int32Array(n),
    gain: new Float64Array(n),
    cover: new Float64Array(n),
    value: new Float64Array(n * V),
    valueDim: V,
  };
  const ls = leafStart.slice();
  const le = leafEnd.slice();
  leafStart.fill(-1);
  leafEnd.fill(-1);
  order.forEach((old, k) => {
    const isLeaf = t.feature[old]! < 0;
    out.feature[k] = t.feature[old]!;
    out.threshold[k] = t.threshold[old]!;
    out.defaultLeft[k] = t.defaultLeft[old]!;
    out.left[k] = isLeaf ? -1 : newId[t.left[old]!]!;
    out.right[k] = isLeaf ? -1 : newId[t.right[old]!]!;
    out.gain[k] = t.gain[old]!;
    out.cover[k] = t.cover[old]!;
    out.value.set(t.value.subarray(old * V, (old + 1) * V), k * V);
    if (isLeaf) {
      leafStart[k] = starts(ls, old);
      leafEnd[k] = starts(le, old);
    }
  });
  return out;
}

function starts(a: Int32Array, i: number): number {
  return a[i]!;
}
