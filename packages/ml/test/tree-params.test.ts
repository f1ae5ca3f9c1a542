/**
 * Spark's `thresholds`, `minWeightFractionPerNode` and `leafCol` on the tree stages (issue 7).
 * minWeightFractionPerNode is compared with scikit-learn's min_weight_fraction_leaf (the same rule for a single
 * unbagged tree) through fixtures from test/peers/gen_trees.py.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Frame, float64Column, vectorColumn } from '@cauce/frame';
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  GBTClassifier,
  GBTRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  type Tree,
} from '@cauce/ml';
import { hashUniform, makeData, toFrame } from './tree-data.js';

const peers = JSON.parse(
  readFileSync(new URL('./fixtures/tree_params_peers.json', import.meta.url), 'utf8'),
) as {
  seed: number;
  n: number;
  p: number;
  cases: { fraction: number; max_depth: number; leaves: number; pred: number[] }[];
};

/** gen_trees.py make_weighted: integer features 0..19, continuous target, weights 1..3. */
function makeWeighted(seed: number, n: number, p: number): Frame {
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) x[i * p + j] = Math.floor(hashUniform(seed, i, j) * 20);
    y[i] = x[i * p]! + 0.3 * x[i * p + 1]! * x[i * p + 2]! + 5 * hashUniform(seed + 1, i, 0);
    w[i] = 1 + Math.floor(hashUniform(seed + 2, i, 0) * 3);
  }
  return Frame.fromColumns({ features: vectorColumn(p, x), label: float64Column(y), w: float64Column(w) });
}

const leaves = (t: Tree): number => t.feature.filter((f) => f < 0).length;

/** Node ids of a tree in pre-order (root, left subtree, right subtree), written out independently here. */
function preorder(t: Tree): number[] {
  const out: number[] = [];
  const walk = (i: number): void => {
    out.push(i);
    if (t.feature[i]! >= 0) {
      walk(t.left[i]!);
      walk(t.right[i]!);
    }
  };
  walk(0);
  return out;
}

describe('minWeightFractionPerNode', () => {
  for (const c of peers.cases) {
    test(`fraction ${c.fraction}: the same tree as scikit-learn's min_weight_fraction_leaf`, async () => {
      const frame = makeWeighted(peers.seed, peers.n, peers.p);
      const m = await new DecisionTreeRegressor({
        maxDepth: c.max_depth,
        maxBins: 256,
        weightCol: 'w',
        minWeightFractionPerNode: c.fraction,
      }).fit(frame);
      assert.equal(leaves(m.trees[0]!), c.leaves);
      const pred = (await m.transform(frame)).float64('prediction');
      for (let i = 0; i < peers.n; i++) {
        assert.ok(Math.abs(pred[i]! - c.pred[i]!) <= 1e-9 * Math.abs(c.pred[i]!), `row ${i}`);
      }
    });
  }

  test('every child of a classification tree keeps the fraction of the weight; forests and GBT obey it', async () => {
    const d = makeData(51, 500, 5, 'binary');
    const m = await new DecisionTreeClassifier({ maxDepth: 8, minWeightFractionPerNode: 0.2 }).fit(
      toFrame(d),
    );
    const t = m.trees[0]!;
    // Unweighted, unbagged: a node's cover is its row count.
    for (let i = 0; i < t.feature.length; i++) assert.ok(t.cover[i]! >= 0.2 * d.n, `node ${i}`);
    assert.ok(leaves(t) <= 5);
    const free = await new RandomForestRegressor({ numTrees: 3, maxDepth: 6, seed: 1 }).fit(toFrame(d));
    const held = await new RandomForestRegressor({
      numTrees: 3,
      maxDepth: 6,
      seed: 1,
      minWeightFractionPerNode: 0.3,
    }).fit(toFrame(d));
    assert.ok(held.totalNumNodes < free.totalNumNodes);
    for (const tr of held.trees) assert.ok(leaves(tr) <= 3, 'each leaf holds >= 30% of the weight');
    const gbt = await new GBTRegressor({ maxIter: 3, maxDepth: 6, minWeightFractionPerNode: 0.3 }).fit(
      toFrame(d),
    );
    for (const tr of gbt.trees) assert.ok(leaves(tr) <= 3);
  });

  test('values outside [0, 0.5) are refused when set', () => {
    assert.throws(
      () => new DecisionTreeRegressor({ minWeightFractionPerNode: 0.5 }),
      /minWeightFractionPerNode/,
    );
    assert.throws(() => new RandomForestClassifier().setMinWeightFractionPerNode(-0.1), /\[0, 0\.5\)/);
    assert.equal(new GBTClassifier().getMinWeightFractionPerNode(), 0);
  });
});

describe('thresholds', () => {
  /** Spark's rule, restated: argmax over classes of p / t, with t = 0 counting as +Infinity. */
  const sparkPrediction = (prob: Float64Array, K: number, t: readonly number[]): number[] =>
    Array.from({ length: prob.length / K }, (_, i) => {
      const s = t.map((tk, k) => (tk === 0 ? Infinity : prob[i * K + k]! / tk));
      return s.indexOf(Math.max(...s));
    });

  test('random forest, decision tree and GBT predict argmax p / t', async () => {
    const d = makeData(52, 600, 5, 'binary');
    const t = [0.25, 0.75];
    const models = [
      await new RandomForestClassifier({ numTrees: 10, maxDepth: 5, thresholds: t }).fit(toFrame(d)),
      await new DecisionTreeClassifier({ maxDepth: 5, thresholds: t }).fit(toFrame(d)),
      await new GBTClassifier({ maxIter: 5, maxDepth: 3, thresholds: t }).fit(toFrame(d)),
    ];
    for (const m of models) {
      assert.deepEqual(m.getThresholds(), t, 'copied from the estimator');
      const out = await m.transform(toFrame(d));
      const prob = out.vectors('probability').values;
      const pred = Array.from(out.float64('prediction'));
      assert.deepEqual(pred, sparkPrediction(prob, 2, t));
      const plain = sparkPrediction(prob, 2, [1, 1]);
      assert.ok(
        pred.some((p, i) => p !== plain[i]),
        `${m.constructor.name}: thresholds change some rows`,
      );
    }
  });

  test('multiclass thresholds, a zero threshold, and a length that does not match the classes', async () => {
    const d = makeData(53, 600, 5, 'multi');
    const m = await new DecisionTreeClassifier({ maxDepth: 4 }).fit(toFrame(d));
    const t = [2, 0.5, 1];
    const out = await m.setThresholds(t).transform(toFrame(d));
    assert.deepEqual(
      Array.from(out.float64('prediction')),
      sparkPrediction(out.vectors('probability').values, 3, t),
    );
    const zero = await m.setThresholds([1, 0, 1]).transform(toFrame(d));
    assert.ok(zero.float64('prediction').every((p) => p === 1));
    m.setThresholds([0.5, 0.5]);
    await assert.rejects(
      async () => m.transform(toFrame(d)),
      /thresholds has 2 values but the model has 3 classes/,
    );
  });

  test('bad thresholds are refused when set', () => {
    assert.throws(() => new RandomForestClassifier({ thresholds: [-1, 1] }), /thresholds/);
    assert.throws(() => new GBTClassifier().setThresholds([0, 0]), /at most one 0/);
    assert.throws(() => new DecisionTreeClassifier().setThresholds([]), /non-empty/);
  });
});

describe('leafCol', () => {
  test('a decision tree: the leaf index is the pre-order number of a leaf whose value is the prediction', async () => {
    const d = makeData(54, 400, 5, 'regression');
    const m = await new DecisionTreeRegressor({ maxDepth: 5, leafCol: 'leaf' }).fit(toFrame(d));
    const out = await m.transform(toFrame(d));
    const leaf = out.vectors('leaf');
    assert.equal(leaf.size, 1);
    const t = m.trees[0]!;
    const order = preorder(t);
    const pred = out.float64('prediction');
    for (let i = 0; i < d.n; i++) {
      const node = order[leaf.values[i]!]!;
      assert.ok(t.feature[node]! < 0, `row ${i} lands on a leaf`);
      assert.equal(t.value[node], pred[i]);
    }
    assert.ok(m.transformSchema(toFrame(d).schema).some((f) => f.name === 'leaf'));
  });

  test('forests and GBT: one index per tree, and the leaves give back the prediction', async () => {
    const d = makeData(55, 400, 5, 'regression');
    const rf = await new RandomForestRegressor({ numTrees: 7, maxDepth: 4, leafCol: 'leaves' }).fit(
      toFrame(d),
    );
    const gbt = await new GBTRegressor({ maxIter: 4, maxDepth: 3 }).fit(toFrame(d));
    const a = await rf.transform(toFrame(d));
    const b = await gbt.setLeafCol('leaves').transform(toFrame(d));
    for (const [m, out, combine] of [
      [rf, a, (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length],
      [gbt, b, (v: number[]) => v.reduce((s, x, k) => s + gbt.treeWeights[k]! * x, 0)],
    ] as const) {
      const leaf = out.vectors('leaves');
      assert.equal(leaf.size, m.trees.length);
      const orders = m.trees.map(preorder);
      const pred = out.float64('prediction');
      for (let i = 0; i < d.n; i++) {
        const vals = m.trees.map((t, k) => t.value[orders[k]![leaf.values[i * m.trees.length + k]!]!]!);
        assert.ok(Math.abs(combine(vals) - pred[i]!) < 1e-9, `row ${i}`);
      }
    }
    assert.equal(new RandomForestClassifier().getLeafCol(), '', "Spark's default: no leaf column");
  });
});
