/**
 * Trees compiled for fast prediction, and the walk over them.
 *
 * Layout. Nodes are renumbered breadth-first so a node's right child is left + 1, and leaves point to
 * themselves with a NaN threshold, so that every row takes exactly `depth` steps through a tree: the walk
 * needs no leaf test and no branch. Each node is one 16-byte record — threshold (float64), split feature
 * (int32), left child × 2 + "missing goes right" bit (int32) — so a step reads one cache line of the model
 * instead of four arrays' worth (feature/threshold/left/missRight used to be separate arrays).
 *
 * Walk. Eight rows go down a tree side by side: their steps are independent, so the processor overlaps
 * eight chains of dependent loads (node → feature value → comparison → next node) instead of stalling on
 * one. Rows go in blocks of 128 so the block stays in cache while all trees walk it, and a tree's upper
 * levels stay in cache while the block's rows walk it.
 *
 * Measured on the bench's 20,000 × 252 test matrix (AMD EPYC, one thread, warm), before → after:
 * booster (100 trees, depth 6) 43 → 35 ms; regression forest (100 trees, depth 10, 188k nodes) 88 → 63 ms;
 * classification forest (two class weights per leaf) 100 → 78 ms. 4 rows with separate arrays and 32-row
 * blocks was the session-2 walk; 4 rows with records gave 37 / 74 ms; 8 rows with 64- or 256-row blocks
 * were no better than 128.
 * Tried and dropped (no gain within noise, same models and rows): 12 or 16 rows abreast; a walk without
 * the NaN term for blocks that have no NaN; `| 0` on every index (fewer overflow checks in V8's code);
 * columns renumbered by split cover so the hot features share cache lines, with 16- to 128-row blocks;
 * only the first class weight (V = 1) costs 3–5% less than two. Every row reaches depth ≥ 99.5% of its
 * tree's depth here, so stopping early at shallow leaves would not pay either.
 * The same walk in WebAssembly (wasm-walk.ts, bit-identical) is no faster for the depth-6 booster (42 vs
 * 43 ms) but 1.3–1.6× faster for depth-10 forests (reg 69 vs 101 ms, clf 73 vs 93 ms, same minute, loaded
 * machine): the prediction worker uses it always, the calling thread for deep trees (main-walk.ts).
 */

/** What compileForest needs of a tree (structurally a kernels/tree.ts Tree). */
interface TreeNodes {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly defaultLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly valueDim: number;
}

export interface CompiledForest {
  readonly nTrees: number;
  /** First node of each tree. */
  readonly roots: Int32Array;
  /** Steps a row takes through each tree (its depth). */
  readonly depths: Int32Array;
  /** Node records, float64 view: threshold of node j at [2j] (NaN at leaves). */
  readonly nodeF64: Float64Array;
  /** The same records, int32 view: feature of node j at [4j + 2], left × 2 + missing-goes-right at [4j + 3]. */
  readonly nodeI32: Int32Array;
  /** valueDim numbers per node, already scaled as the caller asked. */
  readonly value: Float64Array;
  readonly valueDim: number;
  /** Output slot of each tree (class of a multiclass booster), or all 0. */
  readonly group: Int32Array;
  /** True when the arrays live in SharedArrayBuffers (a worker can walk them without a copy). */
  readonly shared: boolean;
  /** Unique per compiled forest in this thread (the prediction worker caches its copy of the forest by it). */
  readonly id: number;
}

let nextId = 1;

/** Rows per cache block of the walk; also the unit two threads share work in (predict-parallel.ts). */
export const WALK_BLOCK_ROWS = 128;

/**
 * `scale[k]` multiplies tree k's leaves (GBT weights, 1/numTrees for averaging); `normalize` turns each leaf's
 * class weights into a distribution first (random forest votes).
 */
export function compileForest(
  trees: readonly TreeNodes[],
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
  const nodes = mem(total * 16);
  const nodeF64 = new Float64Array(nodes);
  const nodeI32 = new Int32Array(nodes);
  const value = new Float64Array(mem(total * V * 8));
  const roots = new Int32Array(mem(trees.length * 4));
  const depths = new Int32Array(mem(trees.length * 4));
  // Typed scratch arrays and plain loops: 100 deep trees are ~10^5 nodes, and per-node array pushes,
  // closures and a spread Math.max made compiling cost as much as a prediction.
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
      nodeF64[2 * j] = leaf ? NaN : t.threshold[i]!;
      nodeI32[4 * j + 2] = leaf ? 0 : tf[i]!;
      nodeI32[4 * j + 3] = leaf ? 2 * j : 2 * newId[t.left[i]!]! + (t.defaultLeft[i] ? 0 : 1);
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
  const id = nextId++;
  return { nTrees: trees.length, roots, depths, nodeF64, nodeI32, value, valueDim: V, group, shared, id };
}

/**
 * Adds every tree's leaf values into out[r * stride + group[k] * valueDim + v] for the nRows rows of the
 * row-major `data`. Each row's sum is formed in tree order whatever the blocking, so any split of the rows
 * (predict-parallel.ts) gives the same numbers bit for bit.
 */
export function predictCompiled(
  cf: CompiledForest,
  data: Float64Array,
  nRows: number,
  nCols: number,
  out: Float64Array,
  stride: number,
): void {
  for (let r0 = 0; r0 < nRows; r0 += WALK_BLOCK_ROWS) {
    walkBlock(cf, data, r0, Math.min(nRows, r0 + WALK_BLOCK_ROWS), nCols, out, stride);
  }
}

function walkBlock(
  cf: CompiledForest,
  data: Float64Array,
  r0: number,
  r1: number,
  nCols: number,
  out: Float64Array,
  stride: number,
): void {
  const { roots, depths, nodeF64: T, nodeI32: N, value, valueDim: V, group } = cf;
  for (let k = 0; k < cf.nTrees; k++) {
    const root = roots[k]!;
    const D = depths[k]!;
    const g = group[k]! * V;
    let r = r0;
    for (; r + 8 <= r1; r += 8) {
      const b0 = r * nCols;
      const b1 = b0 + nCols;
      const b2 = b1 + nCols;
      const b3 = b2 + nCols;
      const b4 = b3 + nCols;
      const b5 = b4 + nCols;
      const b6 = b5 + nCols;
      const b7 = b6 + nCols;
      let i0 = root;
      let i1 = root;
      let i2 = root;
      let i3 = root;
      let i4 = root;
      let i5 = root;
      let i6 = root;
      let i7 = root;
      for (let d = 0; d < D; d++) {
        const v0 = data[b0 + N[4 * i0 + 2]!]!;
        const v1 = data[b1 + N[4 * i1 + 2]!]!;
        const v2 = data[b2 + N[4 * i2 + 2]!]!;
        const v3 = data[b3 + N[4 * i3 + 2]!]!;
        const v4 = data[b4 + N[4 * i4 + 2]!]!;
        const v5 = data[b5 + N[4 * i5 + 2]!]!;
        const v6 = data[b6 + N[4 * i6 + 2]!]!;
        const v7 = data[b7 + N[4 * i7 + 2]!]!;
        const l0 = N[4 * i0 + 3]!;
        const l1 = N[4 * i1 + 3]!;
        const l2 = N[4 * i2 + 3]!;
        const l3 = N[4 * i3 + 3]!;
        const l4 = N[4 * i4 + 3]!;
        const l5 = N[4 * i5 + 3]!;
        const l6 = N[4 * i6 + 3]!;
        const l7 = N[4 * i7 + 3]!;
        // right = (v >= threshold) or (v is NaN and missing goes right); NaN thresholds keep leaves in place.
        i0 = (l0 >> 1) + (+(v0 >= T[2 * i0]!) | (+(v0 !== v0) & l0));
        i1 = (l1 >> 1) + (+(v1 >= T[2 * i1]!) | (+(v1 !== v1) & l1));
        i2 = (l2 >> 1) + (+(v2 >= T[2 * i2]!) | (+(v2 !== v2) & l2));
        i3 = (l3 >> 1) + (+(v3 >= T[2 * i3]!) | (+(v3 !== v3) & l3));
        i4 = (l4 >> 1) + (+(v4 >= T[2 * i4]!) | (+(v4 !== v4) & l4));
        i5 = (l5 >> 1) + (+(v5 >= T[2 * i5]!) | (+(v5 !== v5) & l5));
        i6 = (l6 >> 1) + (+(v6 >= T[2 * i6]!) | (+(v6 !== v6) & l6));
        i7 = (l7 >> 1) + (+(v7 >= T[2 * i7]!) | (+(v7 !== v7) & l7));
      }
      const o = r * stride + g;
      for (let v = 0; v < V; v++) {
        out[o + v]! += value[i0 * V + v]!;
        out[o + stride + v]! += value[i1 * V + v]!;
        out[o + 2 * stride + v]! += value[i2 * V + v]!;
        out[o + 3 * stride + v]! += value[i3 * V + v]!;
        out[o + 4 * stride + v]! += value[i4 * V + v]!;
        out[o + 5 * stride + v]! += value[i5 * V + v]!;
        out[o + 6 * stride + v]! += value[i6 * V + v]!;
        out[o + 7 * stride + v]! += value[i7 * V + v]!;
      }
    }
    for (; r < r1; r++) {
      const b0 = r * nCols;
      let i0 = root;
      for (let d = 0; d < D; d++) {
        const v0 = data[b0 + N[4 * i0 + 2]!]!;
        const l0 = N[4 * i0 + 3]!;
        i0 = (l0 >> 1) + (+(v0 >= T[2 * i0]!) | (+(v0 !== v0) & l0));
      }
      for (let v = 0; v < V; v++) out[r * stride + g + v]! += value[i0 * V + v]!;
    }
  }
}

/**
 * Runs the walk on a small made-up forest until the JIT has optimised it (a few ms of CPU), so that the
 * first real prediction runs at full speed instead of spending its first ~10 ms in unoptimised code.
 */
export function warmUpWalk(
  run: (cf: CompiledForest, data: Float64Array, nRows: number, nCols: number, out: Float64Array) => void = (
    cf,
    data,
    nRows,
    nCols,
    out,
  ) => predictCompiled(cf, data, nRows, nCols, out, cf.valueDim),
  reps = 12,
): void {
  const depth = 7;
  const nodes = (1 << (depth + 1)) - 1;
  const nCols = 16;
  let seed = 12345;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const tree = (V: number) => {
    const feature = new Int32Array(nodes);
    const left = new Int32Array(nodes);
    const right = new Int32Array(nodes);
    for (let i = 0; i < nodes; i++) {
      const inner = 2 * i + 2 < nodes;
      feature[i] = inner ? Math.floor(rnd() * nCols) : -1;
      left[i] = inner ? 2 * i + 1 : -1;
      right[i] = inner ? 2 * i + 2 : -1;
    }
    const threshold = Float64Array.from({ length: nodes }, rnd);
    const defaultLeft = Uint8Array.from({ length: nodes }, () => (rnd() < 0.5 ? 1 : 0));
    const value = Float64Array.from({ length: nodes * V }, rnd);
    return { feature, threshold, defaultLeft, left, right, value, valueDim: V };
  };
  const rows = 1024;
  const data = Float64Array.from({ length: rows * nCols }, () => (rnd() < 0.02 ? NaN : rnd()));
  for (const V of [1, 2]) {
    const cf = compileForest(
      Array.from({ length: 8 }, () => tree(V)),
      { shared: true },
    );
    const out = new Float64Array(rows * V);
    for (let rep = 0; rep < reps; rep++) run(cf, data, rows - 3, nCols, out);
  }
}
