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
import {
  buildHistogram,
  buildSparseHistogram,
  columnHistogram,
  fixDefaultBin,
  fixDefaultBinsOf,
  subtractInPlace,
  subtractRanges,
} from './histogram.js';
import {
  findSplit,
  leafValue,
  nodeCount,
  numChannels,
  valueDim,
  type Criterion,
  type GrowOptions,
} from './split.js';
import type { Tree } from './tree.js';

export { numChannels, valueDim, leafValue, type Criterion, type GrowOptions } from './split.js';

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
  // Buffers kept from the previous tree when the caller grows many (forests): a depth-10 tree takes a dozen
  // histograms and a row buffer, and allocating them per tree kept V8's GC threads busy on the other core.
  const keep = opt.buffers;
  if (keep && keep.pool.length > 0 && keep.pool[0]!.length !== histLen) keep.pool.length = 0;
  const pool: Float64Array[] = keep ? keep.pool : [];
  const take = (): Float64Array => pool.pop() ?? new Float64Array(histLen);
  let blockScratch: Float64Array | null = null;
  const scratch = (): Float64Array => (blockScratch ??= new Float64Array(histLen));
  if (keep && keep.rows.length < nIdx) keep.rows = new Int32Array(nIdx);
  const tmp = keep ? keep.rows : new Int32Array(nIdx);
  const dirTable = new Uint8Array(256);
  const sL = new Float64Array(C);
  const sR = new Float64Array(C);
  const nodeFeats = new Int32Array(opt.features.length);
  const sampleScratch = new Int32Array(opt.features.length);
  const samplePerm = Int32Array.from(opt.features, (_, i) => i);
  const sampleSwaps = new Int32Array(opt.features.length);
  // Bin offsets of the features searched at a node, in the histogram searched (see split.ts).
  const allOffs = Int32Array.from(opt.features, (f) => bm.offsets[f]!);
  const nodeOffs = new Int32Array(opt.features.length);
  // With a few features sampled per node, default bins are recovered per node for those features only
  // (histogram.ts fixDefaultBinsOf), not for every feature of every built histogram. Searches over all
  // features keep the eager recovery (the same arithmetic as before, and the worker's blocks rely on it).
  const lazyDefaults = opt.featuresPerNode > 0 && opt.featuresPerNode < opt.features.length && !opt.parallel;
  // With a sparse / dense layout (histogram.ts sampledLayout), built histograms hold the sparse features
  // only; a dense feature's bins are summed from its column when a node samples it.
  const layout = lazyDefaults ? (opt.layout ?? null) : null;

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
  const totL: Float64Array[] = [];
  const totR: Float64Array[] = [];
  const totTmp: Float64Array[] = [];

  const newNode = (tot: Float64Array, start: number, end: number): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    binThr.push(0);
    defaultLeft.push(0);
    left.push(-1);
    right.push(-1);
    gain.push(0);
    cover.push(nodeCount(crit, tot));
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
    let offs = allOffs;
    if (opt.featuresPerNode > 0 && opt.featuresPerNode < nf) {
      const pick = opt.rng.sampleInto(nf, opt.featuresPerNode, samplePerm, sampleSwaps, sampleScratch);
      for (let j = 0; j < pick.length; j++) nodeFeats[j] = feats[pick[j]!]!;
      feats = nodeFeats;
      nf = pick.length;
      for (let j = 0; j < nf; j++) nodeOffs[j] = bm.offsets[feats[j]!]!;
      offs = nodeOffs;
    }
    if (layout) {
      for (let j = 0; j < nf; j++) {
        const f = feats[j]!;
        if (layout.dense[f] === 1) columnHistogram(bm, f, stats, C, idx, start, end, hist);
        else fixDefaultBin(bm, C, hist, tot, f);
      }
    } else if (lazyDefaults) fixDefaultBinsOf(bm, C, hist, tot, feats, nf);
    const s = findSplit(bm, crit, opt, hist, tot, feats, offs, nf, sL, sR);
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
    // Four rows at a time with their loads first, so that the scattered reads of the column overlap.
    let i = start;
    for (; i + 3 < end; i += 4) {
      const r0 = idx[i]!;
      const r1 = idx[i + 1]!;
      const r2 = idx[i + 2]!;
      const r3 = idx[i + 3]!;
      const g0 = dirTable[col[r0]!]!;
      const g1 = dirTable[col[r1]!]!;
      const g2 = dirTable[col[r2]!]!;
      const g3 = dirTable[col[r3]!]!;
      idx[start + nl] = r0;
      tmp[nr] = r0;
      nl += g0;
      nr += 1 - g0;
      idx[start + nl] = r1;
      tmp[nr] = r1;
      nl += g1;
      nr += 1 - g1;
      idx[start + nl] = r2;
      tmp[nr] = r2;
      nl += g2;
      nr += 1 - g2;
      idx[start + nl] = r3;
      tmp[nr] = r3;
      nl += g3;
      nr += 1 - g3;
    }
    for (; i < end; i++) {
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
    // Per-depth buffers: a node's totals are read by its own subtree only, which runs at deeper depths.
    const lTot = (totL[depth] ??= new Float64Array(C)).fill(0);
    const rTot = (totR[depth] ??= new Float64Array(C));
    {
      const off = s.off;
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
    const tmpTot = (totTmp[depth] ??= new Float64Array(C));
    const build = (s0: number, s1: number, into: Float64Array): void => {
      if (layout) buildSparseHistogram(layout, stats, C, idx, s0, s1, into, tmpTot);
      else if (!opt.parallel?.build(s0, s1, into, tmpTot)) {
        buildHistogram(bm, stats, C, idx, s0, s1, into, tmpTot, scratch, !lazyDefaults);
      }
    };
    if (needL && needR) {
      // Build the smaller child, subtract for the larger one (reusing the parent's buffer).
      const small = take();
      const leftSmaller = nl <= nr;
      if (leftSmaller) build(start, mid, small);
      else build(mid, end, small);
      if (layout) subtractRanges(hist, small, C, layout.ranges);
      else subtractInPlace(hist, small);
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

  if (layout) buildSparseHistogram(layout, stats, C, idx, 0, nIdx, rootHist, rootTot);
  else if (!opt.parallel?.build(0, nIdx, rootHist, rootTot)) {
    buildHistogram(bm, stats, C, idx, 0, nIdx, rootHist, rootTot, scratch, !lazyDefaults);
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
