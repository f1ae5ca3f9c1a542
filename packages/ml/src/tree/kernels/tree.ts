/**
 * A fitted decision tree as flat arrays (node 0 is the root). A row goes left at node i when
 * x[feature[i]] < threshold[i], and to the side given by defaultLeft[i] when that value is missing (NaN) —
 * the same rule as XGBoost's `split_condition` / `default_left`, so XGBoost JSON trees map onto this 1:1.
 */
export interface Tree {
  /** Split feature, or -1 for a leaf. */
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly defaultLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Loss reduction of the split (XGBoost `loss_changes`), or impurity gain × weight for Spark-style trees. */
  readonly gain: Float64Array;
  /** Hessian sum (XGBoost `sum_hessian`) or instance weight reaching the node. */
  readonly cover: Float64Array;
  /** `valueDim` numbers per node: the leaf output (internal nodes keep the value they would have as a leaf). */
  readonly value: Float64Array;
  readonly valueDim: number;
}

export function numNodes(t: Tree): number {
  return t.feature.length;
}

/** Leaf index reached by row `r` of a row-major matrix with `p` columns. */
export function leafIndex(t: Tree, data: Float64Array, base: number): number {
  const { feature, threshold, defaultLeft, left, right } = t;
  let i = 0;
  for (;;) {
    const f = feature[i]!;
    if (f < 0) return i;
    const v = data[base + f]!;
    if (v < threshold[i]!) i = left[i]!;
    else if (v >= threshold[i]!) i = right[i]!;
    else i = defaultLeft[i] ? left[i]! : right[i]!;
  }
}

/** Adds `scale` × the (one-dimensional) leaf value of each row into out[r * stride + offset]. */
export function addTreePredictions(
  t: Tree,
  data: Float64Array,
  nRows: number,
  nCols: number,
  out: Float64Array,
  stride: number,
  offset: number,
  scale = 1,
): void {
  const { value } = t;
  for (let r = 0; r < nRows; r++) out[r * stride + offset]! += scale * value[leafIndex(t, data, r * nCols)]!;
}

export function maxFeatureIndex(t: Tree): number {
  let m = -1;
  for (const f of t.feature) if (f > m) m = f;
  return m;
}

export function treeDepth(t: Tree): number {
  const walk = (i: number): number =>
    t.feature[i]! < 0 ? 0 : 1 + Math.max(walk(t.left[i]!), walk(t.right[i]!));
  return walk(0);
}

/** Spark-style `toDebugString` lines for one tree; `fmtLeaf` renders a leaf's value. */
export function treeDebugString(
  t: Tree,
  indent: string,
  fmtLeaf: (value: Float64Array) => string,
  featureName: (f: number) => string = (f) => `feature ${f}`,
): string {
  const lines: string[] = [];
  const walk = (i: number, pad: string): void => {
    const f = t.feature[i]!;
    if (f < 0) {
      lines.push(`${pad}Predict: ${fmtLeaf(t.value.subarray(i * t.valueDim, (i + 1) * t.valueDim))}`);
      return;
    }
    const miss = t.defaultLeft[i] ? ' or missing' : '';
    const missR = t.defaultLeft[i] ? '' : ' or missing';
    lines.push(`${pad}If (${featureName(f)} < ${t.threshold[i]}${miss})`);
    walk(t.left[i]!, pad + ' ');
    lines.push(`${pad}Else (${featureName(f)} >= ${t.threshold[i]}${missR})`);
    walk(t.right[i]!, pad + ' ');
  };
  walk(0, indent);
  return lines.join('\n');
}

/** Serialisable form (plain arrays) and back, for save/load. */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  defaultLeft: number[];
  left: number[];
  right: number[];
  gain: number[];
  cover: number[];
  value: number[];
  valueDim: number;
}

export function treeToJson(t: Tree): TreeJson {
  return {
    feature: Array.from(t.feature),
    threshold: Array.from(t.threshold),
    defaultLeft: Array.from(t.defaultLeft),
    left: Array.from(t.left),
    right: Array.from(t.right),
    gain: Array.from(t.gain),
    cover: Array.from(t.cover),
    value: Array.from(t.value),
    valueDim: t.valueDim,
  };
}

export function treeFromJson(j: TreeJson): Tree {
  const n = j.feature.length;
  const ok =
    n > 0 &&
    [j.threshold, j.defaultLeft, j.left, j.right, j.gain, j.cover].every(
      (a) => Array.isArray(a) && a.length === n,
    ) &&
    Array.isArray(j.value) &&
    j.value.length === n * j.valueDim;
  if (!ok) throw new Error('corrupt tree: node arrays have different lengths');
  for (let i = 0; i < n; i++) {
    if (j.feature[i]! >= 0 && !(j.left[i]! > i && j.left[i]! < n && j.right[i]! > i && j.right[i]! < n)) {
      throw new Error(`corrupt tree: node ${i} has children outside the tree`);
    }
  }
  return {
    feature: Int32Array.from(j.feature),
    threshold: Float64Array.from(j.threshold.map((v) => (v === null ? NaN : v))),
    defaultLeft: Uint8Array.from(j.defaultLeft),
    left: Int32Array.from(j.left),
    right: Int32Array.from(j.right),
    gain: Float64Array.from(j.gain),
    cover: Float64Array.from(j.cover),
    value: Float64Array.from(j.value),
    valueDim: j.valueDim,
  };
}

// The compiled form for fast prediction lives in compiled-forest.ts; re-exported for existing importers.
export { compileForest, predictCompiled, type CompiledForest } from './compiled-forest.js';

/**
 * Pre-order number of every node (root 0, then the left subtree, then the right one): Spark's leaf index
 * (`predictLeaf`, the `leafCol` output) counts nodes in this order.
 */
export function preorderIds(t: Tree): Int32Array {
  const n = t.feature.length;
  const ids = new Int32Array(n).fill(-1);
  const stack = [0];
  let k = 0;
  while (stack.length > 0) {
    const i = stack.pop()!;
    ids[i] = k++;
    if (t.feature[i]! >= 0) stack.push(t.right[i]!, t.left[i]!);
  }
  return ids;
}

/** Pre-order leaf index of every row in every tree: out[r * trees.length + k]. */
export function leafIndices(
  trees: readonly Tree[],
  data: Float64Array,
  nRows: number,
  nCols: number,
): Float64Array {
  const K = trees.length;
  const out = new Float64Array(nRows * K);
  for (let k = 0; k < K; k++) {
    const t = trees[k]!;
    const ids = preorderIds(t);
    for (let r = 0; r < nRows; r++) out[r * K + k] = ids[leafIndex(t, data, r * nCols)]!;
  }
  return out;
}
