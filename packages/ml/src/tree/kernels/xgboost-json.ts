/**
 * XGBoost's JSON model format (`Booster.save_model('m.json')`, schema `doc/model.schema` in the XGBoost
 * repository) to and from our Booster. Only what a `gbtree` with numerical splits needs is read; other
 * boosters (gblinear, dart) and categorical splits are refused with a clear message.
 *
 * XGBoost compares float32 values (`fvalue < split_condition`, both float32). A double x satisfies
 * fround(x) < t exactly when x is below the midpoint between t and the float32 just under it, so on import
 * each threshold becomes that midpoint and our double comparison sends every row the same way. On export
 * the smallest float32 >= our threshold is written, which agrees except for values within float32 precision
 * of a threshold.
 */
import { OBJECTIVES, type Booster, type Objective } from './booster.js';
import type { Tree } from './tree.js';

export class XGBoostJsonError extends Error {}

const F32_MAX = 3.4028234663852886e38;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 just below a finite float32 value. */
function prevFloat32(t: number): number {
  f32[0] = t;
  if (t === 0) return -1.401298464324817e-45;
  if (t > 0) u32[0]! -= 1;
  else u32[0]! += 1;
  return f32[0]!;
}

function nextFloat32(t: number): number {
  f32[0] = t;
  if (t === 0) return 1.401298464324817e-45;
  if (t > 0) u32[0]! += 1;
  else u32[0]! -= 1;
  return f32[0]!;
}

/** Double threshold equivalent to XGBoost's float32 test fround(x) < t. */
export function thresholdFromFloat32(t: number): number {
  if (t >= F32_MAX) return Infinity;
  if (t <= -F32_MAX) return -Infinity;
  return (prevFloat32(t) + t) / 2;
}

/** Smallest float32 >= t (XGBoost's threshold for our double threshold t); ±∞ become ±FLT_MAX. */
export function thresholdToFloat32(t: number): number {
  if (t === Infinity) return F32_MAX;
  if (t === -Infinity) return -F32_MAX;
  const f = Math.fround(t);
  return f >= t ? f : nextFloat32(f);
}

type Obj = Record<string, unknown>;

function field(o: unknown, key: string, where: string): unknown {
  if (!o || typeof o !== 'object' || !(key in o)) {
    throw new XGBoostJsonError(`not an XGBoost JSON model: missing '${where}${key}'`);
  }
  return (o as Obj)[key];
}

function numArray(o: unknown, key: string, where: string, n: number): number[] {
  const v = field(o, key, where);
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number')) {
    throw new XGBoostJsonError(`${where}${key} must be an array of ${n} numbers`);
  }
  return v as number[];
}

function num(v: unknown, what: string): number {
  // XGBoost writes numeric params as strings ("5E-1"); 2.x writes base_score as "[5E-1]".
  const s = typeof v === 'string' ? v.replace(/^\[|\]$/g, '') : v;
  const n = typeof s === 'number' ? s : typeof s === 'string' ? Number(s) : NaN;
  if (!Number.isFinite(n)) throw new XGBoostJsonError(`${what} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Parses the text (or parsed object) of an XGBoost JSON model. */
export function boosterFromXGBoostJson(input: string | object): Booster {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new XGBoostJsonError(`not valid JSON: ${(e as Error).message}`);
    }
  }
  const learner = field(doc, 'learner', '');
  const objName = field(field(learner, 'objective', 'learner.'), 'name', 'learner.objective.');
  if (typeof objName !== 'string' || !(OBJECTIVES as readonly string[]).includes(objName)) {
    throw new XGBoostJsonError(
      `objective ${JSON.stringify(objName)} is not supported; supported: ${OBJECTIVES.join(', ')}`,
    );
  }
  const objective = objName as Objective;
  const lmp = field(learner, 'learner_model_param', 'learner.');
  const baseScore = Math.fround(num(field(lmp, 'base_score', 'learner.learner_model_param.'), 'base_score'));
  const numFeatures = num(field(lmp, 'num_feature', 'learner.learner_model_param.'), 'num_feature');
  const numClass = num(field(lmp, 'num_class', 'learner.learner_model_param.'), 'num_class');
  const gb = field(learner, 'gradient_booster', 'learner.');
  const gbName = field(gb, 'name', 'learner.gradient_booster.');
  if (gbName !== 'gbtree') {
    throw new XGBoostJsonError(
      `booster '${String(gbName)}' is not supported; only 'gbtree' models can be loaded`,
    );
  }
  const model = field(gb, 'model', 'learner.gradient_booster.');
  const treesJ = field(model, 'trees', 'learner.gradient_booster.model.');
  const info = field(model, 'tree_info', 'learner.gradient_booster.model.');
  if (!Array.isArray(treesJ) || !Array.isArray(info) || info.length !== treesJ.length) {
    throw new XGBoostJsonError('trees and tree_info must be arrays of the same length');
  }
  const K = objective === 'multi:softprob' ? numClass : 1;
  const trees: Tree[] = treesJ.map((t: unknown, k: number) => {
    const where = `trees[${k}].`;
    const n = num(field(field(t, 'tree_param', where), 'num_nodes', `${where}tree_param.`), 'num_nodes');
    const left = numArray(t, 'left_children', where, n);
    const right = numArray(t, 'right_children', where, n);
    const idx = numArray(t, 'split_indices', where, n);
    const cond = numArray(t, 'split_conditions', where, n);
    const dl = numArray(t, 'default_left', where, n);
    const loss = numArray(t, 'loss_changes', where, n);
    const hess = numArray(t, 'sum_hessian', where, n);
    const st = (t as Obj).split_type;
    if (Array.isArray(st) && st.some((v) => v !== 0)) {
      throw new XGBoostJsonError(`${where}split_type: categorical splits are not supported`);
    }
    const feature = new Int32Array(n);
    const threshold = new Float64Array(n);
    const value = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const leaf = left[i] === -1;
      if (!leaf && !(left[i]! > 0 && left[i]! < n && right[i]! > 0 && right[i]! < n)) {
        throw new XGBoostJsonError(`${where}node ${i} has children outside the tree`);
      }
      if (!leaf && !(idx[i]! >= 0 && idx[i]! < numFeatures)) {
        throw new XGBoostJsonError(`${where}node ${i} splits on feature ${idx[i]} of ${numFeatures}`);
      }
      feature[i] = leaf ? -1 : idx[i]!;
      // JSON holds the shortest decimal of each float32; fround recovers the float32 XGBoost uses.
      threshold[i] = leaf ? 0 : thresholdFromFloat32(Math.fround(cond[i]!));
      value[i] = leaf ? Math.fround(cond[i]!) : 0;
    }
    return {
      feature,
      threshold,
      defaultLeft: Uint8Array.from(dl),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      gain: Float64Array.from(loss),
      cover: Float64Array.from(hess),
      value,
      valueDim: 1,
    };
  });
  const treeInfo = info.map((g: unknown) => {
    const v = num(g, 'tree_info entry');
    if (!(v >= 0 && v < K)) throw new XGBoostJsonError(`tree_info entry ${v} is not a class of ${K}`);
    return v;
  });
  return {
    objective,
    numClass: objective === 'multi:softprob' ? numClass : 0,
    numFeatures,
    baseScore,
    trees,
    treeInfo,
    bestIteration: trees.length / K - 1,
    evalHistory: [],
  };
}

const fmt = (v: number): string => Math.fround(v).toExponential(8).replace('e+', 'E').replace('e', 'E');

/** A float array: XGBoost's JSON reader refuses integers (`0`) where it expects numbers (`0.0`). */
class Floats {
  constructor(readonly values: readonly number[]) {}
}

function floatText(v: number): string {
  const s = String(Math.fround(v));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function stringify(v: unknown): string {
  if (v instanceof Floats) return `[${v.values.map(floatText).join(',')}]`;
  if (Array.isArray(v)) return `[${v.map(stringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${stringify(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Our booster as an XGBoost 1.7 JSON model (loadable with `xgb.Booster(model_file='m.json')`). */
export function boosterToXGBoostJson(b: Booster): string {
  const trees = b.trees.map((t, id) => {
    const n = t.feature.length;
    const parents = new Array<number>(n).fill(2147483647);
    for (let i = 0; i < n; i++) {
      if (t.feature[i]! >= 0) {
        parents[t.left[i]!] = i;
        parents[t.right[i]!] = i;
      }
    }
    const leaf = (i: number): boolean => t.feature[i]! < 0;
    return {
      base_weights: new Floats(Array.from({ length: n }, (_, i) => t.value[i]!)),
      categories: [],
      categories_nodes: [],
      categories_segments: [],
      categories_sizes: [],
      default_left: Array.from(t.defaultLeft),
      id,
      left_children: Array.from({ length: n }, (_, i) => (leaf(i) ? -1 : t.left[i]!)),
      loss_changes: new Floats(Array.from(t.gain)),
      parents,
      right_children: Array.from({ length: n }, (_, i) => (leaf(i) ? -1 : t.right[i]!)),
      split_conditions: new Floats(
        Array.from({ length: n }, (_, i) => (leaf(i) ? t.value[i]! : thresholdToFloat32(t.threshold[i]!))),
      ),
      split_indices: Array.from({ length: n }, (_, i) => (leaf(i) ? 0 : t.feature[i]!)),
      split_type: new Array<number>(n).fill(0),
      sum_hessian: new Floats(Array.from(t.cover)),
      tree_param: {
        num_deleted: '0',
        num_feature: String(b.numFeatures),
        num_nodes: String(n),
        size_leaf_vector: '0',
      },
    };
  });
  const objective =
    b.objective === 'multi:softprob'
      ? { name: b.objective, softmax_multiclass_param: { num_class: String(b.numClass) } }
      : { name: b.objective, reg_loss_param: { scale_pos_weight: '1' } };
  const doc = {
    learner: {
      attributes: {},
      feature_names: [],
      feature_types: [],
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length) },
          tree_info: b.treeInfo,
          trees,
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: fmt(b.baseScore),
        boost_from_average: '1',
        num_class: String(b.numClass),
        num_feature: String(b.numFeatures),
        num_target: '1',
      },
      objective,
    },
    version: [1, 7, 4],
  };
  return stringify(doc);
}
