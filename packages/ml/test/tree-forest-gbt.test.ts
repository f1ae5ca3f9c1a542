import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Frame, boolColumn, float64Column, vectorColumn } from '@cauce/frame';
import {
  DecisionTreeClassificationModel,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  GBTClassifier,
  GBTRegressor,
  MLError,
  RandomForestClassifier,
  RandomForestRegressor,
} from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';
import { auc, makeData, positiveProb, r2, split, toFrame } from './tree-data.js';

interface PeerCase {
  model: string;
  task: 'regression' | 'binary';
  seed: number;
  n: number;
  p: number;
  trees: number;
  max_depth: number;
  metric: number;
}
const peers = JSON.parse(readFileSync(new URL('./fixtures/trees_peers.json', import.meta.url), 'utf8')) as {
  cases: PeerCase[];
};

describe('random forests against scikit-learn (mean over 5 seeds)', () => {
  for (const c of peers.cases.filter((k) => k.model === 'rf')) {
    test(`${c.task}: ${c.task === 'regression' ? 'r2' : 'AUC'} within 0.01 of scikit-learn`, async () => {
      const { train, test: te } = split(makeData(c.seed, c.n, c.p, c.task));
      // scikit-learn's max_features 1/3 and 'sqrt' of 8 features are both 2 features per split.
      const params = { numTrees: c.trees, maxDepth: c.max_depth, maxBins: 256, featureSubsetStrategy: '2' };
      let sum = 0;
      for (let seed = 0; seed < 5; seed++) {
        if (c.task === 'regression') {
          const m = await new RandomForestRegressor({ ...params, seed }).fit(toFrame(train));
          sum += r2((await m.transform(toFrame(te))).float64('prediction'), te.y);
        } else {
          const m = await new RandomForestClassifier({ ...params, seed }).fit(toFrame(train));
          sum += auc(positiveProb(await m.transform(toFrame(te))), te.y);
        }
      }
      const got = sum / 5;
      assert.ok(Math.abs(got - c.metric) <= 0.01, `ours ${got} vs scikit-learn ${c.metric}`);
    });
  }
});

describe('decision trees', () => {
  test('a separable problem is learned exactly, with Spark-style rawPrediction counts', async () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const y = Float64Array.of(0, 0, 0, 1, 1, 1, 2, 2);
    const frame = Frame.fromColumns({ features: vectorColumn(1, x), label: float64Column(y) });
    const m = await new DecisionTreeClassifier({ maxDepth: 3 }).fit(frame);
    const out = await m.transform(frame);
    assert.deepEqual(Array.from(out.float64('prediction')), Array.from(y));
    const raw = out.vectors('rawPrediction');
    assert.equal(raw.size, 3);
    assert.deepEqual(Array.from(raw.values.subarray(0, 3)), [3, 0, 0]);
    assert.equal(m.numClasses, 3);
    assert.equal(m.depth, 2);
    assert.equal(m.numNodes, 5);
    assert.match(
      m.toDebugString(),
      /If \(feature 0 < 3\.5 or missing\)\n {3}Predict: 0 \(class weights 3, 0, 0\)/,
    );
    assert.match(m.toDebugString(['size']), /Else \(size >= 3\.5\)/);
  });

  test('regression tree depth 0 predicts the (weighted) mean', async () => {
    const frame = Frame.fromColumns({
      features: vectorColumn(1, Float64Array.of(0, 1, 2)),
      label: float64Column(Float64Array.of(1, 2, 6)),
      w: float64Column(Float64Array.of(1, 1, 2)),
    });
    const m = await new DecisionTreeRegressor({ maxDepth: 0, weightCol: 'w' }).fit(frame);
    assert.deepEqual(Array.from((await m.transform(frame)).float64('prediction')), [3.75, 3.75, 3.75]);
  });

  test('minInstancesPerNode and minInfoGain stop splits', async () => {
    const d = makeData(4, 300, 5, 'regression');
    const deep = await new DecisionTreeRegressor({ maxDepth: 10 }).fit(toFrame(d));
    const limited = await new DecisionTreeRegressor({ maxDepth: 10, minInstancesPerNode: 40 }).fit(
      toFrame(d),
    );
    const gain = await new DecisionTreeRegressor({ maxDepth: 10, minInfoGain: 1 }).fit(toFrame(d));
    assert.ok(limited.numNodes < deep.numNodes && gain.numNodes < deep.numNodes);
    const leaves = limited.trees[0]!.feature.filter((f) => f < 0).length;
    assert.ok(leaves <= 300 / 40);
  });

  test('featureImportances sum to 1 and rank the strongest feature first', async () => {
    const d = makeData(5, 1000, 6, 'regression');
    const m = await new RandomForestRegressor({ numTrees: 10, maxDepth: 5 }).fit(toFrame(d));
    const imp = m.featureImportances;
    assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.equal(imp.indexOf(Math.max(...imp)), 0);
    assert.ok(imp[5]! < 0.05, `x5 is noise: ${imp[5]}`);
  });
});

describe('random forests', () => {
  test('multiclass probabilities average the trees and sum to 1', async () => {
    const d = makeData(6, 600, 6, 'multi');
    const m = await new RandomForestClassifier({ numTrees: 15, maxDepth: 6, seed: 1 }).fit(toFrame(d));
    const out = await m.transform(toFrame(d));
    const prob = out.vectors('probability');
    const raw = out.vectors('rawPrediction');
    for (let i = 0; i < d.n; i++) {
      const p = prob.values.subarray(3 * i, 3 * i + 3);
      assert.ok(Math.abs(p[0]! + p[1]! + p[2]! - 1) < 1e-12);
      // rawPrediction is the sum of the trees' class distributions (Spark).
      assert.ok(Math.abs(raw.values[3 * i]! + raw.values[3 * i + 1]! + raw.values[3 * i + 2]! - 15) < 1e-9);
    }
    assert.equal(m.getNumTrees, 15);
  });

  test('the same seed gives the same forest, another seed another one', async () => {
    const d = makeData(7, 400, 6, 'regression');
    const fit = (seed: number) => new RandomForestRegressor({ numTrees: 5, seed }).fit(toFrame(d));
    const [a, b, c] = await Promise.all([fit(3), fit(3), fit(4)]);
    const x = { data: d.x, nRows: d.n, nCols: d.p };
    assert.deepEqual(a.predictMatrix(x), b.predictMatrix(x));
    assert.notDeepEqual(a.predictMatrix(x), c.predictMatrix(x));
  });

  test('bootstrap=false with subsamplingRate=1 and all features gives identical trees', async () => {
    const d = makeData(8, 300, 5, 'regression');
    const m = await new RandomForestRegressor({
      numTrees: 3,
      bootstrap: false,
      featureSubsetStrategy: 'all',
      maxDepth: 4,
    }).fit(toFrame(d));
    assert.deepEqual(m.trees[0]!.threshold, m.trees[2]!.threshold);
  });
});

describe('gradient-boosted trees', () => {
  test('GBTClassifier separates the classes and its probabilities follow 1/(1+exp(-2F))', async () => {
    const { train, test: te } = split(makeData(9, 3000, 6, 'binary'));
    const m = await new GBTClassifier({ maxIter: 30, maxDepth: 3 }).fit(toFrame(train));
    const out = await m.transform(toFrame(te));
    assert.ok(auc(positiveProb(out), te.y) > 0.9);
    const raw = out.vectors('rawPrediction');
    const p = positiveProb(out);
    assert.ok(Math.abs(p[0]! - 1 / (1 + Math.exp(-2 * raw.values[1]!))) < 1e-12);
    assert.equal(raw.values[0], -raw.values[1]!);
  });

  test('GBTRegressor beats a single tree; absolute loss works', async () => {
    const { train, test: te } = split(makeData(10, 3000, 6, 'regression'));
    const gbt = await new GBTRegressor({ maxIter: 40, maxDepth: 3, stepSize: 0.3 }).fit(toFrame(train));
    const tree = await new DecisionTreeRegressor({ maxDepth: 3 }).fit(toFrame(train));
    const abs = await new GBTRegressor({ maxIter: 40, maxDepth: 3, lossType: 'absolute' }).fit(
      toFrame(train),
    );
    const score = async (m: { transform: (f: Frame) => Promise<Frame> }) =>
      r2((await m.transform(toFrame(te))).float64('prediction'), te.y);
    const [g, t, a] = [await score(gbt), await score(tree), await score(abs)];
    assert.ok(g > t + 0.1, `gbt ${g} vs tree ${t}`);
    assert.ok(a > 0.5, `absolute loss r2 ${a}`);
    assert.deepEqual(gbt.treeWeights.slice(0, 2), [1, 0.3]);
  });

  test('validationIndicatorCol stops boosting when the validation loss stalls', async () => {
    const d = makeData(11, 1200, 6, 'regression');
    const isVal = boolColumn(Array.from({ length: d.n }, (_, i) => i % 5 === 0));
    const frame = toFrame(d).withColumn('isVal', isVal);
    const m = await new GBTRegressor({
      maxIter: 200,
      maxDepth: 4,
      stepSize: 0.5,
      validationIndicatorCol: 'isVal',
    }).fit(frame);
    assert.ok(m.trees.length < 200, `stopped after ${m.trees.length} trees`);
  });

  test('GBTClassifier refuses more than two classes', async () => {
    await assert.rejects(
      new GBTClassifier().fit(toFrame(makeData(12, 200, 5, 'multi'))),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_DATA' && /binary/.test(e.message),
    );
  });
});

describe('bad params and bad data', () => {
  test('bad params are INVALID_PARAM errors at set time', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => new DecisionTreeClassifier().setMaxDepth(-1), 'maxDepth'],
      [() => new DecisionTreeRegressor().setMaxBins(1), 'maxBins'],
      [() => new RandomForestClassifier().setNumTrees(0), 'numTrees'],
      [() => new RandomForestRegressor().setFeatureSubsetStrategy('most'), 'featureSubsetStrategy'],
      [() => new RandomForestRegressor().setFeatureSubsetStrategy('1.5'), 'featureSubsetStrategy'],
      [() => new RandomForestRegressor().setSubsamplingRate(0), 'subsamplingRate'],
      [() => new GBTRegressor().setStepSize(0), 'stepSize'],
      [() => new GBTRegressor({ lossType: 'huber' }), 'lossType'],
      [() => new DecisionTreeClassifier({ impurity: 'variance' }), 'impurity'],
    ];
    for (const [fn, name] of cases) {
      assert.throws(
        fn,
        (e: unknown) => e instanceof MLError && e.code === 'INVALID_PARAM' && e.message.includes(name),
      );
    }
    for (const ok of ['auto', 'all', 'onethird', 'sqrt', 'log2', '0.5', '3']) {
      new RandomForestRegressor().setFeatureSubsetStrategy(ok);
    }
  });

  test('fractional or negative class labels are INVALID_DATA with a hint', async () => {
    const frame = Frame.fromColumns({
      features: vectorColumn(1, Float64Array.of(1, 2)),
      label: float64Column(Float64Array.of(0, 0.5)),
    });
    await assert.rejects(
      new DecisionTreeClassifier().fit(frame),
      (e: unknown) =>
        e instanceof MLError && e.code === 'INVALID_DATA' && /StringIndexer/.test(e.hint ?? e.message),
    );
  });

  test('a model refuses vectors of another size', async () => {
    const m = await new DecisionTreeClassifier().fit(toFrame(makeData(1, 50, 5, 'binary')));
    assert.ok(m instanceof DecisionTreeClassificationModel);
    await assert.rejects(
      m.transform(Frame.fromColumns({ features: vectorColumn(2, Float64Array.of(1, 2)) })),
      (e: unknown) => e instanceof MLError && e.code === 'SCHEMA_MISMATCH',
    );
  });
});

const clf = toFrame(makeData(13, 150, 5, 'binary', 0.1));
const reg = toFrame(makeData(14, 150, 5, 'regression', 0.1));
conformanceSuite('DecisionTreeClassifier', {
  make: () => new DecisionTreeClassifier({ maxDepth: 4, impurity: 'entropy' }),
  frame: clf,
  invalidParams: [
    ['maxDepth', -1],
    ['impurity', 'variance'],
    ['minInstancesPerNode', 0],
  ],
});
conformanceSuite('DecisionTreeRegressor', {
  make: () => new DecisionTreeRegressor({ maxDepth: 4 }),
  frame: reg,
  invalidParams: [
    ['maxBins', 1],
    ['minInfoGain', -1],
  ],
});
conformanceSuite('RandomForestClassifier', {
  make: () => new RandomForestClassifier({ numTrees: 4, maxDepth: 3, seed: 2 }),
  frame: clf,
  invalidParams: [
    ['numTrees', 0],
    ['featureSubsetStrategy', 'x'],
    ['bootstrap', 'yes'],
  ],
});
conformanceSuite('RandomForestRegressor', {
  make: () => new RandomForestRegressor({ numTrees: 4, maxDepth: 3, subsamplingRate: 0.7 }),
  frame: reg,
  invalidParams: [['subsamplingRate', 1.5]],
});
conformanceSuite('GBTClassifier', {
  make: () => new GBTClassifier({ maxIter: 4, maxDepth: 2 }),
  frame: clf,
  invalidParams: [
    ['maxIter', -1],
    ['lossType', 'squared'],
  ],
});
conformanceSuite('GBTRegressor', {
  make: () => new GBTRegressor({ maxIter: 4, maxDepth: 2, subsamplingRate: 0.8 }),
  frame: reg,
  invalidParams: [
    ['stepSize', 2],
    ['validationTol', -1],
  ],
});
