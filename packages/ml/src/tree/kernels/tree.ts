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

/**
 * Trees compiled for fast prediction. Nodes are renumbered breadth-first so a node's right child is
 * left + 1, and leaves point to themselves with a NaN threshold, so that every row takes exactly `depth`
 * steps through a tree: the walk needs no leaf test and no branch, and four rows walk side by side, which
 * lets the processor overlap their memory reads instead of stalling on mispredicted branches.
 */
export interface CompiledForest {
  readonly nTrees: number;
  readonly roots: Int32Array;
  readonly depths: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  /** 1 when a missing value goes right (0 at leaves). */
  readonly missRight: Uint8Array;
  /** valueDim numbers per node, already scaled as the caller asked. */
  readonly value: Float64Array;
  readonly valueDim: number;
  /** Output slot of each tree (class of a multiclass booster), or all 0. */
  readonly group: Int32Array;
  /** True when the arrays live in SharedArrayBuffers (a worker can walk them without a copy). */
  readonly shared: boolean;
}

/**
 * `scale[k]` multiplies tree k's leaves (GBT weights, 1/numTrees for averaging); `normalize` turns each leaf's
 * class weights into a distribution first (random forest votes).
 */
export function compileForest(
  trees: readonly Tree[],
  opts: {
    scale?: readonly number[] | number;
    normalize?: boolean;
    group?: readonly number[];
    /** Allocate in SharedArrayBuffers, for prediction on a worker (predict-parallel.ts). */
    shared?: boolean;
  } = {},
): CompiledForest {
  const V = trees[0]?.valueDim ?? 1;
  const total = trees.reduce((s, t) => s + t.feature.length, 0);
  // Shared memory lets predict-parallel.ts pass the forest to a worker for free.
  const shared = opts.shared === true && typeof SharedArrayBuffer === 'function';
  const mem = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const feature = new Int32Array(mem(total * 4));
  const threshold = new Float64Array(mem(total * 8));
  const left = new Int32Array(mem(total * 4));
  const missRight = new Uint8Array(mem(total));
  const value = new Float64Array(mem(total * V * 8));
  const roots = new Int32Array(mem(trees.length * 4));
  const depths = new Int32Array(mem(trees.length * 4));
  // Typed scratch arrays and plain loops: compiling runs on a model's first prediction (100 deep trees are
  // ~10^5 nodes), and per-node array pushes, closures and a spread Math.max made it cost as much as the
  // prediction itself.
  let maxNodes = 0;
  for (const t of trees) maxNodes = Math.max(maxNodes, t.feature.length);
  const order = new Int32Array(maxNodes);
  const depth = new Int32Array(maxNodes);
  const newId = new Int32Array(maxNodes);
  let o = 0;
  for (let k = 0; k < trees.length; k++) {
    const t = trees[k]!;
    const tf = t.feature;
    roots[k] = o;
    const sc = typeof opts.scale === 'number' ? opts.scale : (opts.scale?.[k] ?? 1);
    // Breadth-first order: the children of the q-th node visited land at consecutive positions.
    order[0] = 0;
    depth[0] = 0;
    let len = 1;
    let maxDepth = 0;
    for (let q = 0; q < len; q++) {
      const i = order[q]!;
      newId[i] = o + q;
      const d = depth[q]!;
      if (d > maxDepth) maxDepth = d;
      if (tf[i]! >= 0) {
        order[len] = t.left[i]!;
        depth[len++] = d + 1;
        order[len] = t.right[i]!;
        depth[len++] = d + 1;
      }
    }
    depths[k] = maxDepth;
    for (let q = 0; q < len; q++) {
      const i = order[q]!;
      const j = o + q;
      const leaf = tf[i]! < 0;
      feature[j] = leaf ? 0 : tf[i]!;
      threshold[j] = leaf ? NaN : t.threshold[i]!;
      left[j] = leaf ? j : newId[t.left[i]!]!;
      missRight[j] = leaf || t.defaultLeft[i] ? 0 : 1;
      let norm = 1;
      if (opts.normalize) {
        let s = 0;
        for (let v = 0; v < V; v++) s += t.value[i * V + v]!;
        norm = s > 0 ? 1 / s : 0;
      }
      for (let v = 0; v < V; v++) value[j * V + v] = t.value[i * V + v]! * norm * sc;
    }
    o += len;
  }
  const group = new Int32Array(mem(trees.length * 4));
  for (let k = 0; k < trees.length; k++) group[k] = opts.group?.[k] ?? 0;
  return {
    nTrees: trees.length,
    roots,
    depths,
    feature,
    threshold,
    left,
    missRight,
    value,
    valueDim: V,
    group,
    shared,
  };
}

/**
 * Adds every tree's leaf values into out[r * stride + group[k] * valueDim + v]. Rows go in blocks of 32 so
 * the block stays in cache while all trees walk it.
 */
export function predictCompiled(
  cf: CompiledForest,
  data: Float64Array,
  nRows: number,
  nCols: number,
  out: Float64Array,
  stride: number,
): void {
  const { roots, depths, feature: F, threshold: T, left: L, missRight: M, value, valueDim: V, group } = cf;
  const BLOCK = 32;
  for (let r0 = 0; r0 < nRows; r0 += BLOCK) {
    const r1 = Math.min(nRows, r0 + BLOCK);
    for (let k = 0; k < cf.nTrees; k++) {
      const root = roots[k]!;
      const D = depths[k]!;
      const g = group[k]! * V;
      let r = r0;
      for (; r + 4 <= r1; r += 4) {
        const b0 = r * nCols;
        const b1 = b0 + nCols;
        const b2 = b1 + nCols;
        const b3 = b2 + nCols;
        let i0 = root;
        let i1 = root;
        let i2 = root;
        let i3 = root;
        for (let d = 0; d < D; d++) {
          const v0 = data[b0 + F[i0]!]!;
          const v1 = data[b1 + F[i1]!]!;
          const v2 = data[b2 + F[i2]!]!;
          const v3 = data[b3 + F[i3]!]!;
          // right = (v >= t) or (v is NaN and missing goes right); NaN thresholds keep leaves in place.
          i0 = L[i0]! + (+(v0 >= T[i0]!) | (+(v0 !== v0) & M[i0]!));
          i1 = L[i1]! + (+(v1 >= T[i1]!) | (+(v1 !== v1) & M[i1]!));
          i2 = L[i2]! + (+(v2 >= T[i2]!) | (+(v2 !== v2) & M[i2]!));
          i3 = L[i3]! + (+(v3 >= T[i3]!) | (+(v3 !== v3) & M[i3]!));
        }
        if (V === 1) {
          out[r * stride + g]! += value[i0]!;
          out[(r + 1) * stride + g]! += value[i1]!;
          out[(r + 2) * stride + g]! += value[i2]!;
          out[(r + 3) * stride + g]! += value[i3]!;
        } else {
          for (let v = 0; v < V; v++) {
            out[r * stride + g + v]! += value[i0 * V + v]!;
            out[(r + 1) * stride + g + v]! += value[i1 * V + v]!;
            out[(r + 2) * stride + g + v]! += value[i2 * V + v]!;
            out[(r + 3) * stride + g + v]! += value[i3 * V + v]!;
          }
        }
      }
      for (; r < r1; r++) {
        const b0 = r * nCols;
        let i0 = root;
        for (let d = 0; d < D; d++) {
          const v0 = data[b0 + F[i0]!]!;
          i0 = L[i0]! + (+(v0 >= T[i0]!) | (+(v0 !== v0) & M[i0]!));
        }
        for (let v = 0; v < V; v++) out[r * stride + g + v]! += value[i0 * V + v]!;
      }
    }
  }
}

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
