// Evaluators against scikit-learn numbers (test/peers/gen_features.py; definitions stated there).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, vectorColumn } from '@cauce/frame';
import {
  BinaryClassificationEvaluator,
  MLError,
  MulticlassClassificationEvaluator,
  RegressionEvaluator,
  mlEvents,
  type MulticlassMetric,
  type RegressionMetric,
} from '@cauce/ml';
import { assertClose, fixture, rng } from './support/fixtures.js';

interface Fx {
  regression: { label: number[]; prediction: number[] } & Record<RegressionMetric, number>;
  binary: {
    label: number[];
    score: number[];
    areaUnderROC: number;
    areaUnderPR_spark: number;
    average_precision_sklearn: number;
  };
  multiclass: {
    label: number[];
    prediction: number[];
    probability: number[][];
    precisionByLabel: number[];
    recallByLabel: number[];
    fMeasureByLabel: number[];
    f2ByLabel: number[];
    falsePositiveRateByLabel: number[];
    confusionMatrix: number[][];
  } & Record<string, number>;
}
const fx = fixture<Fx>('features.json');

const isML =
  (code: string, ...mentions: string[]) =>
  (e: unknown) => {
    assert.ok(e instanceof MLError, String(e));
    assert.equal(e.code, code, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `'${m}' in ${e.message}`);
    return true;
  };

describe('RegressionEvaluator', () => {
  const frame = Frame.fromColumns({
    label: Float64Array.from(fx.regression.label),
    prediction: Float64Array.from(fx.regression.prediction),
  });
  for (const m of ['rmse', 'mse', 'r2', 'mae', 'var'] as const) {
    test(`${m} matches the peer to 1e-12`, () => {
      const e = new RegressionEvaluator({ metricName: m });
      assertClose([e.evaluate(frame)], [fx.regression[m]], 1e-12, m);
      assert.equal(e.isLargerBetter(), m === 'r2' || m === 'var');
    });
  }

  test('weights: integer weights equal duplicated rows', () => {
    const r = rng(7);
    const n = 50;
    const y = Float64Array.from({ length: n }, () => r() * 10);
    const p = y.map((v) => v + r() - 0.5);
    const w = Float64Array.from({ length: n }, () => 1 + Math.floor(r() * 3));
    const idx = [...w].flatMap((k, i) => Array<number>(k).fill(i));
    const dup = Frame.fromColumns({
      label: Float64Array.from(idx, (i) => y[i]!),
      prediction: Float64Array.from(idx, (i) => p[i]!),
    });
    const weighted = Frame.fromColumns({ label: y, prediction: p, w });
    for (const m of ['rmse', 'mse', 'r2', 'mae', 'var'] as const) {
      const a = new RegressionEvaluator({ metricName: m, weightCol: 'w' }).evaluate(weighted);
      const b = new RegressionEvaluator({ metricName: m }).evaluate(dup);
      assertClose([a], [b], 1e-12, m);
    }
  });

  test('errors: missing column, NaN, bad metric, events', () => {
    const e = new RegressionEvaluator({ predictionCol: 'pred' });
    assert.throws(() => e.evaluate(frame), isML('SCHEMA_MISMATCH', 'predictionCol', "'pred'", e.uid));
    assert.throws(
      () => new RegressionEvaluator({ metricName: 'r3' as never }),
      isML('INVALID_PARAM', 'metricName', "'rmse'"),
    );
    const zero = Frame.fromColumns({
      label: Float64Array.of(1, 2),
      prediction: Float64Array.of(1, 2),
      w: Float64Array.of(0, 0),
    });
    assert.throws(
      () => new RegressionEvaluator({ weightCol: 'w' }).evaluate(zero),
      isML('INVALID_DATA', "'w'", 'sum to 0'),
    );
    const neg = zero.withColumn('w', Float64Array.of(1, -1));
    assert.throws(
      () => new RegressionEvaluator({ weightCol: 'w' }).evaluate(neg),
      isML('INVALID_DATA', '-1', 'row 1'),
    );
    const nan = Frame.fromColumns({ label: Float64Array.of(1, NaN), prediction: Float64Array.of(1, 2) });
    assert.throws(() => new RegressionEvaluator().evaluate(nan), isML('INVALID_DATA', "'label'", 'row 1'));
    const seen: string[] = [];
    const off = mlEvents.on('evaluated', (ev) => seen.push(`${ev.className}:${ev.metricName}`));
    try {
      new RegressionEvaluator({ metricName: 'mae' }).evaluate(frame);
    } finally {
      off();
    }
    assert.deepEqual(seen, ['RegressionEvaluator:mae']);
  });
});

describe('BinaryClassificationEvaluator', () => {
  const frame = Frame.fromColumns({
    label: Float64Array.from(fx.binary.label),
    rawPrediction: Float64Array.from(fx.binary.score),
  });

  test('areaUnderROC equals sklearn roc_auc_score (ties included) to 1e-12', () => {
    const e = new BinaryClassificationEvaluator({ numBins: 0 });
    assertClose([e.evaluate(frame)], [fx.binary.areaUnderROC], 1e-12);
    // fewer distinct scores than 2·numBins: the default numBins=1000 does not down-sample
    assertClose([new BinaryClassificationEvaluator().evaluate(frame)], [fx.binary.areaUnderROC], 1e-12);
  });

  test("areaUnderPR equals Spark's trapezoid PR area built from sklearn's curve counts", () => {
    const e = new BinaryClassificationEvaluator({ metricName: 'areaUnderPR', numBins: 0 });
    const v = e.evaluate(frame);
    assertClose([v], [fx.binary.areaUnderPR_spark], 1e-12);
    // and it is not sklearn's average precision (a step sum): documented difference
    assert.ok(Math.abs(v - fx.binary.average_precision_sklearn) > 1e-4);
  });

  test('a size-2 vector column uses element 1; binning stays within 1e-3 on 20k distinct scores', () => {
    const vec = frame.withColumn('v', vectorColumn(fx.binary.score.map((s) => [-s, s])));
    const e = new BinaryClassificationEvaluator({ rawPredictionCol: 'v', numBins: 0 });
    assertClose([e.evaluate(vec)], [fx.binary.areaUnderROC], 1e-12);
    const r = rng(3);
    const n = 20000;
    const label = Float64Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
    const score = label.map((l) => l * 0.7 + r());
    const big = Frame.fromColumns({ label, rawPrediction: score });
    const exact = new BinaryClassificationEvaluator({ numBins: 0 }).evaluate(big);
    const binned = new BinaryClassificationEvaluator().evaluate(big);
    assert.notEqual(exact, binned);
    assert.ok(Math.abs(exact - binned) < 1e-3, `${exact} vs ${binned}`);
  });

  test('weights: unit weights equal no weights; integer weights equal duplicated rows', () => {
    const r = rng(11);
    const n = 400;
    const label = Float64Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
    const score = label.map((l) => Math.round((l * 0.5 + r()) * 20) / 20); // many ties
    const w = Float64Array.from({ length: n }, () => 1 + Math.floor(r() * 3));
    const idx = [...w].flatMap((k, i) => Array<number>(k).fill(i));
    const dup = Frame.fromColumns({
      label: Float64Array.from(idx, (i) => label[i]!),
      rawPrediction: Float64Array.from(idx, (i) => score[i]!),
    });
    const plain = Frame.fromColumns({ label, rawPrediction: score, one: new Float64Array(n).fill(1), w });
    for (const metricName of ['areaUnderROC', 'areaUnderPR'] as const) {
      const e = (extra: { weightCol?: string } = {}) =>
        new BinaryClassificationEvaluator({ metricName, numBins: 0, ...extra });
      assertClose(
        [e({ weightCol: 'one' }).evaluate(plain)],
        [e().evaluate(plain)],
        1e-12,
        `${metricName} unit`,
      );
      assertClose([e({ weightCol: 'w' }).evaluate(plain)], [e().evaluate(dup)], 1e-12, `${metricName} dup`);
    }
  });

  test('one class only, labels outside {0,1} and 3-class vectors are clear errors', () => {
    const e = new BinaryClassificationEvaluator();
    const ones = Frame.fromColumns({
      label: Float64Array.of(1, 1),
      rawPrediction: Float64Array.of(0.2, 0.4),
    });
    assert.throws(() => e.evaluate(ones), isML('INVALID_DATA', 'only positives'));
    const two = Frame.fromColumns({ label: Float64Array.of(0, 2), rawPrediction: Float64Array.of(0.2, 0.4) });
    assert.throws(() => e.evaluate(two), isML('INVALID_DATA', 'label 2', '0 or 1'));
    const v3 = Frame.fromColumns({
      label: Float64Array.of(0, 1),
      rawPrediction: vectorColumn([
        [1, 2, 3],
        [3, 2, 1],
      ]),
    });
    assert.throws(() => e.evaluate(v3), isML('SCHEMA_MISMATCH', 'size 3'));
  });
});

describe('MulticlassClassificationEvaluator', () => {
  const m = fx.multiclass;
  const frame = Frame.fromColumns({
    label: Float64Array.from(m.label),
    prediction: Float64Array.from(m.prediction),
    probability: vectorColumn(m.probability),
  });
  const ev = (metricName: MulticlassMetric, extra: { metricLabel?: number; beta?: number } = {}) =>
    new MulticlassClassificationEvaluator({ metricName, ...extra }).evaluate(frame);

  test('weighted metrics, accuracy, logLoss, hammingLoss match sklearn to 1e-12', () => {
    for (const k of [
      'f1',
      'accuracy',
      'weightedPrecision',
      'weightedRecall',
      'weightedFalsePositiveRate',
      'logLoss',
      'hammingLoss',
    ] as const) {
      assertClose([ev(k)], [m[k]!], 1e-12, k);
    }
    assertClose([ev('weightedTruePositiveRate')], [m.weightedRecall!], 1e-12);
    assertClose([ev('weightedFMeasure')], [m.f1!], 1e-12);
  });

  test('per-label metrics (metricLabel, beta) match sklearn average=None', () => {
    for (const l of [0, 1, 2]) {
      assertClose([ev('precisionByLabel', { metricLabel: l })], [m.precisionByLabel[l]!], 1e-12);
      assertClose([ev('recallByLabel', { metricLabel: l })], [m.recallByLabel[l]!], 1e-12);
      assertClose([ev('truePositiveRateByLabel', { metricLabel: l })], [m.recallByLabel[l]!], 1e-12);
      assertClose([ev('fMeasureByLabel', { metricLabel: l })], [m.fMeasureByLabel[l]!], 1e-12);
      assertClose([ev('fMeasureByLabel', { metricLabel: l, beta: 2 })], [m.f2ByLabel[l]!], 1e-12);
      assertClose(
        [ev('falsePositiveRateByLabel', { metricLabel: l })],
        [m.falsePositiveRateByLabel[l]!],
        1e-12,
      );
    }
  });

  test('confusion matrix equals sklearn confusion_matrix', () => {
    const cm = new MulticlassClassificationEvaluator().confusionMatrix(frame);
    assert.deepEqual(cm.labels, [0, 1, 2]);
    assert.deepEqual(cm.matrix, m.confusionMatrix);
  });

  test('isLargerBetter and errors', () => {
    assert.equal(new MulticlassClassificationEvaluator({ metricName: 'logLoss' }).isLargerBetter(), false);
    assert.equal(new MulticlassClassificationEvaluator().isLargerBetter(), true);
    assert.throws(
      () => new MulticlassClassificationEvaluator({ beta: 0 }),
      isML('INVALID_PARAM', 'beta', '> 0'),
    );
    const noProb = frame.drop('probability');
    assert.throws(
      () => new MulticlassClassificationEvaluator({ metricName: 'logLoss' }).evaluate(noProb),
      isML('SCHEMA_MISMATCH', 'probabilityCol', "'probability'"),
    );
    const bad = frame.withColumn('label', Float64Array.from(m.label.map((v, i) => (i === 4 ? 7 : v))));
    assert.throws(
      () => new MulticlassClassificationEvaluator({ metricName: 'logLoss' }).evaluate(bad),
      isML('INVALID_DATA', 'label 7', 'row 4'),
    );
  });
});
