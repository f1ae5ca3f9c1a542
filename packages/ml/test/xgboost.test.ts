import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Frame, float64Column, vectorColumn } from '@cauce/frame';
import { MLError, XGBoostClassifier, XGBoostRegressor, mlEvents } from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';
import { auc, makeData, positiveProb, r2, split, toFrame } from './tree-data.js';

interface PeerCase {
  model: string;
  task: 'regression' | 'binary';
  seed: number;
  n: number;
  p: number;
  missing: number;
  rounds: number;
  max_depth: number;
  eta: number;
  max_bin: number;
  metric: number;
}
const peers = JSON.parse(readFileSync(new URL('./fixtures/trees_peers.json', import.meta.url), 'utf8')) as {
  cases: PeerCase[];
};

describe('XGBoost stages against XGBoost 1.7 (hist) at the same settings', () => {
  for (const c of peers.cases.filter((k) => k.model === 'xgb')) {
    test(`${c.task}: ${c.task === 'regression' ? 'r2' : 'AUC'} within 0.005 of XGBoost`, async () => {
      const { train, test: te } = split(makeData(c.seed, c.n, c.p, c.task, c.missing));
      const params = {
        num_round: c.rounds,
        max_depth: c.max_depth,
        eta: c.eta,
        max_bin: c.max_bin,
        base_score: 0.5,
      };
      if (c.task === 'regression') {
        const m = await new XGBoostRegressor(params).fit(toFrame(train));
        const pred = (await m.transform(toFrame(te))).float64('prediction');
        const got = r2(pred, te.y);
        assert.ok(Math.abs(got - c.metric) <= 0.005, `r2 ${got} vs XGBoost ${c.metric}`);
      } else {
        const m = await new XGBoostClassifier({ ...params, objective: 'binary:logistic' }).fit(
          toFrame(train),
        );
        const got = auc(positiveProb(await m.transform(toFrame(te))), te.y);
        assert.ok(Math.abs(got - c.metric) <= 0.005, `AUC ${got} vs XGBoost ${c.metric}`);
      }
    });
  }
});

describe('XGBoost stages', () => {
  const d = makeData(3, 600, 6, 'multi');

  test('multi:softprob gives K probabilities per row that sum to 1 and beat chance', async () => {
    const m = await new XGBoostClassifier({ objective: 'multi:softprob', num_round: 20, max_depth: 3 }).fit(
      toFrame(d),
    );
    assert.equal(m.numClasses, 3);
    const out = await m.transform(toFrame(d));
    const prob = out.vectors('probability');
    assert.equal(prob.size, 3);
    const pred = out.float64('prediction');
    let correct = 0;
    for (let i = 0; i < d.n; i++) {
      const s = prob.values[3 * i]! + prob.values[3 * i + 1]! + prob.values[3 * i + 2]!;
      assert.ok(Math.abs(s - 1) < 1e-12);
      if (pred[i] === d.y[i]) correct++;
    }
    assert.ok(correct / d.n > 0.8, `training accuracy ${correct / d.n}`);
  });

  test('early_stopping_rounds keeps the best round on the validation set', async () => {
    const r = makeData(8, 800, 6, 'regression');
    const valid = Float64Array.from({ length: r.n }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const est = new XGBoostRegressor({
      num_round: 300,
      eta: 0.5,
      max_depth: 6,
      min_child_weight: 0,
      early_stopping_rounds: 5,
      eval_metric: 'rmse',
      validationIndicatorCol: 'isVal',
    });
    const m = await est.fit(toFrame(r, { isVal: valid }));
    const hist = m.evalHistory;
    assert.ok(hist.length < 300, `stopped early (${hist.length} rounds)`);
    const best = hist.indexOf(Math.min(...hist));
    assert.equal(m.bestIteration, best);
    assert.equal(hist.length, best + 6);
    assert.equal(m.booster.trees.length, best + 1);
  });

  test('fit reports progress once per round', async () => {
    const seen: number[] = [];
    const off = mlEvents.on('fitProgress', (e) => seen.push(e.iteration));
    try {
      await new XGBoostRegressor({ num_round: 4, max_depth: 2 }).fit(
        toFrame(makeData(1, 100, 5, 'regression')),
      );
    } finally {
      off();
    }
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  test('the same seed gives the same model; subsample and colsample_bytree use it', async () => {
    const r = makeData(4, 500, 6, 'regression');
    const fit = (seed: number) =>
      new XGBoostRegressor({ num_round: 10, subsample: 0.7, colsample_bytree: 0.5, seed }).fit(toFrame(r));
    const x = { data: r.x, nRows: r.n, nCols: r.p };
    const [a, b, c] = await Promise.all([fit(1), fit(1), fit(2)]);
    assert.deepEqual(a.predictMatrix(x), b.predictMatrix(x));
    assert.notDeepEqual(a.predictMatrix(x), c.predictMatrix(x));
  });

  test('missing: a sentinel value is treated like NaN', async () => {
    const r = makeData(6, 400, 5, 'regression', 0.2);
    const sentinel = Float64Array.from(r.x, (v) => (Number.isNaN(v) ? -999 : v));
    const a = await new XGBoostRegressor({ num_round: 5 }).fit(toFrame(r));
    const b = await new XGBoostRegressor({ num_round: 5, missing: -999 }).fit(toFrame({ ...r, x: sentinel }));
    assert.deepEqual(
      a.predictMatrix({ data: r.x, nRows: r.n, nCols: r.p }),
      b.predictMatrix({ data: sentinel, nRows: r.n, nCols: r.p }),
    );
  });

  test('bad params are INVALID_PARAM errors at set time', () => {
    const bad: Array<[string, unknown]> = [
      ['max_depth', -1],
      ['eta', 0],
      ['eta', 1.5],
      ['objective', 'reg:linear'],
      ['subsample', 0],
      ['eval_metric', 'r2'],
      ['num_round', 0],
    ];
    for (const [name, value] of bad) {
      assert.throws(
        () => new XGBoostRegressor().set(name, value as never),
        (e: unknown) => e instanceof MLError && e.code === 'INVALID_PARAM' && e.message.includes(name),
        `${name}=${String(value)}`,
      );
    }
    assert.throws(() => new XGBoostClassifier({ objective: 'rank:pairwise' as never }), /objective/);
  });

  test('bad data: binary:logistic with 3 classes, NaN labels, early stopping without validation set', async () => {
    await assert.rejects(new XGBoostClassifier().fit(toFrame(d)), /multi:softprob/);
    const nanLabel = Frame.fromColumns({
      features: vectorColumn(1, Float64Array.of(1, 2, 3)),
      label: float64Column(Float64Array.of(1, NaN, 0)),
    });
    await assert.rejects(
      new XGBoostRegressor().fit(nanLabel),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_DATA',
    );
    await assert.rejects(
      new XGBoostRegressor({ early_stopping_rounds: 3 }).fit(toFrame(d)),
      /early_stopping_rounds needs a validation set/,
    );
  });

  test('a model refuses vectors of another size', async () => {
    const m = await new XGBoostRegressor({ num_round: 2 }).fit(toFrame(d));
    const other = Frame.fromColumns({ features: vectorColumn(2, Float64Array.of(1, 2)) });
    await assert.rejects(
      m.transform(other),
      (e: unknown) => e instanceof MLError && e.code === 'SCHEMA_MISMATCH',
    );
  });

  test('toDebugString and featureImportances describe the model', async () => {
    const r = makeData(9, 300, 6, 'regression');
    const m = await new XGBoostRegressor({ num_round: 3, max_depth: 2 }).fit(toFrame(r));
    assert.match(m.toDebugString(), /Tree 0 \(class 0\):\n {4}If \(feature \d < /);
    const imp = m.featureImportances;
    assert.equal(imp.length, 6);
    assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    // x0 carries the strongest signal in the generator.
    assert.equal(imp.indexOf(Math.max(...imp)), 0);
  });
});

const small = toFrame(makeData(2, 200, 5, 'binary', 0.1));
conformanceSuite('XGBoostClassifier', {
  make: () => new XGBoostClassifier({ num_round: 5, max_depth: 3, subsample: 0.8, seed: 3 }),
  frame: small,
  invalidParams: [
    ['max_depth', -1],
    ['eta', 2],
    ['objective', 'reg:squarederror'],
    ['lambda', -1],
  ],
});
conformanceSuite('XGBoostRegressor', {
  make: () => new XGBoostRegressor({ num_round: 5, max_depth: 3, colsample_bytree: 0.5 }),
  frame: toFrame(makeData(2, 200, 5, 'regression', 0.1)),
  invalidParams: [
    ['gamma', -0.1],
    ['min_child_weight', -1],
    ['max_bin', 1],
  ],
});
