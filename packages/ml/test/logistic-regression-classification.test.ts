// LogisticRegression as a stage: conformance checks, coefficients and AUC against scikit-learn (fixtures from
// test/peers/gen_linear.py), summaries, thresholds, and clear errors on bad labels.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Frame, vectorColumn } from '@cauce/frame';
import type { LogisticRegressionModel } from '@cauce/ml';
import { LogisticRegression, MLError } from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';
import { sparseFeatures } from './support/regression-fixtures.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/logistic.json', import.meta.url), 'utf8')) as {
  X: number[];
  n: number;
  p: number;
  y: number[];
  y3: number[];
  w: number[];
  cases: Array<{
    name: string;
    coefficientMatrix: number[];
    interceptVector: number[];
    areaUnderROC?: number;
  }>;
};
const frame = Frame.fromColumns({
  features: vectorColumn(fx.p, Float64Array.from(fx.X)),
  label: Float64Array.from(fx.y),
  label3: Float64Array.from(fx.y3),
  weight: Float64Array.from(fx.w),
});
const fixture = (name: string) => fx.cases.find((c) => c.name === name)!;

function close(a: number, b: number, rel: number, what: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-12), `${what}: got ${a}, expected ${b}`);
}

conformanceSuite('LogisticRegression (binomial)', {
  make: () => new LogisticRegression({ regParam: 0.05, elasticNetParam: 0.5, weightCol: 'weight' }),
  frame,
  invalidParams: [
    ['regParam', -0.1],
    ['elasticNetParam', 1.5],
    ['family', 'poisson'],
    ['threshold', 2],
    ['thresholds', []],
  ],
});
conformanceSuite('LogisticRegression (multinomial)', {
  make: () => new LogisticRegression({ regParam: 0.03, labelCol: 'label3' }),
  frame,
});

describe('LogisticRegression vs scikit-learn', () => {
  test('binomial, unregularised: coefficients and areaUnderROC', async () => {
    const c = fixture('binomial_unreg');
    const model = await new LogisticRegression({ tol: 1e-15, maxIter: 5000 }).fit(frame);
    for (let j = 0; j < fx.p; j++) close(model.coefficients[j]!, c.coefficientMatrix[j]!, 1e-4, `coef ${j}`);
    close(model.intercept, c.interceptVector[0]!, 1e-4, 'intercept');
    close(model.binarySummary.areaUnderROC, c.areaUnderROC!, 1e-9, 'areaUnderROC');
  });
  test('binomial elastic net (OWL-QN)', async () => {
    const c = fixture('binomial_enet_std');
    const model = await new LogisticRegression({
      regParam: 0.02,
      elasticNetParam: 0.5,
      tol: 1e-15,
      maxIter: 5000,
    }).fit(frame);
    for (let j = 0; j < fx.p; j++) close(model.coefficients[j]!, c.coefficientMatrix[j]!, 1e-4, `coef ${j}`);
    close(model.intercept, c.interceptVector[0]!, 1e-4, 'intercept');
  });
  test('weighted binomial ridge', async () => {
    const c = fixture('binomial_l2_std_weighted');
    const model = await new LogisticRegression({
      regParam: 0.05,
      weightCol: 'weight',
      tol: 1e-15,
      maxIter: 5000,
    }).fit(frame);
    for (let j = 0; j < fx.p; j++) close(model.coefficients[j]!, c.coefficientMatrix[j]!, 1e-4, `coef ${j}`);
  });
  test('multinomial ridge: coefficient matrix, centred intercepts, probabilities sum to 1', async () => {
    const c = fixture('multinomial_l2_std');
    const model = await new LogisticRegression({
      regParam: 0.03,
      labelCol: 'label3',
      tol: 1e-15,
      maxIter: 5000,
    }).fit(frame);
    assert.equal(model.isMultinomial, true);
    assert.equal(model.numClasses, 3);
    for (let j = 0; j < c.coefficientMatrix.length; j++) {
      close(model.coefficientMatrix[j]!, c.coefficientMatrix[j]!, 1e-4, `coef ${j}`);
    }
    for (let k = 0; k < 3; k++)
      close(model.interceptVector[k]!, c.interceptVector[k]!, 1e-4, `intercept ${k}`);
    const out = await model.transform(frame);
    const prob = out.vectors('probability');
    assert.equal(prob.size, 3);
    for (let i = 0; i < 10; i++)
      close(prob.values[i * 3]! + prob.values[i * 3 + 1]! + prob.values[i * 3 + 2]!, 1, 1e-12, 'sum');
    const s = model.summary;
    assert.ok(s.accuracy > 0.4 && s.accuracy <= 1);
    assert.equal(s.labels.length, 3);
    assert.throws(
      () => model.coefficients,
      (e: unknown) => e instanceof MLError,
    );
  });
});

describe('LogisticRegression summary and thresholds', () => {
  test('binary summary curves are consistent', async () => {
    const model = await new LogisticRegression({ regParam: 0.01 }).fit(frame);
    const s = model.binarySummary;
    const roc = s.roc.toRows();
    assert.deepEqual(roc[0], { FPR: 0, TPR: 0 });
    assert.deepEqual(roc.at(-1), { FPR: 1, TPR: 1 });
    assert.ok(s.areaUnderROC > 0.7 && s.areaUnderROC < 1);
    assert.ok(s.areaUnderPR > 0.3 && s.areaUnderPR < 1);
    const pbt = s.precisionByThreshold.toRows();
    const rbt = s.recallByThreshold.toRows();
    const fbt = s.fMeasureByThreshold.toRows();
    assert.equal(pbt.length, rbt.length);
    assert.equal(fbt.length, rbt.length);
    const r = rbt.map((row) => row.recall as number);
    for (let k = 1; k < r.length; k++) assert.ok(r[k]! >= r[k - 1]!, 'recall grows as the threshold falls');
    assert.equal(s.pr.numRows, pbt.length + 1);
    assert.ok(s.objectiveHistory.length > 1 && s.totalIterations > 0);
  });
  test('threshold moves predictions; thresholds pick argmax p/t', async () => {
    const model = await new LogisticRegression({ regParam: 0.01 }).fit(frame);
    const count = async (m: LogisticRegressionModel) => {
      const out = await m.transform(frame);
      return out.float64('prediction').reduce((a, b) => a + b, 0);
    };
    const at05 = await count(model);
    const at02 = await count(model.copy().setThreshold(0.2));
    assert.ok(at02 > at05, 'a lower threshold predicts more positives');
    const viaThresholds = await count(model.copy().setThresholds([0.8, 0.2]));
    assert.equal(viaThresholds, at02);
    const row = fx.X.slice(0, fx.p);
    const raw = model.predictRaw(row);
    const prob = model.predictProbability(row);
    close(prob[1]!, 1 / (1 + Math.exp(-raw[1]!)), 1e-12, 'probability = sigmoid(margin)');
    assert.equal(raw[0], -raw[1]!);
    assert.equal(model.predict(row), prob[1]! > 0.5 ? 1 : 0);
  });
  test('threshold and thresholds that disagree are refused', async () => {
    await assert.rejects(
      new LogisticRegression({ threshold: 0.3, thresholds: [0.5, 0.5] }).fit(frame),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_PARAM' && /disagree/.test(e.message),
    );
  });
});

describe('LogisticRegression on sparse vectors', () => {
  test('same model and probabilities from CSR storage as from dense', async () => {
    const sparse = frame.withColumn('features', sparseFeatures(fx.X, fx.n, fx.p));
    const est = new LogisticRegression({ regParam: 0.02, elasticNetParam: 0.5, tol: 1e-14, maxIter: 2000 });
    const a = await est.fit(frame);
    const b = await est.fit(sparse);
    for (let j = 0; j < fx.p; j++) close(b.coefficients[j]!, a.coefficients[j]!, 1e-6, `coef ${j}`);
    const pa = (await a.transform(frame)).vectors('probability').values;
    const pb = (await b.transform(sparse)).vectors('probability').values;
    for (let i = 0; i < 10; i++) close(pb[i]!, pa[i]!, 1e-6, `probability ${i}`);
  });
});

describe('LogisticRegression errors', () => {
  test('labels must be class indices', async () => {
    const y = Float64Array.from(fx.y);
    y[3] = 0.5;
    const bad2 = Frame.fromColumns({ features: frame.column('features'), label: y });
    await assert.rejects(
      new LogisticRegression().fit(bad2),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_DATA' && /row 3/.test(e.message),
    );
  });
  test("a single-class label gives Spark's answer: zero coefficients, infinite intercept", async () => {
    const ones = Frame.fromColumns({
      features: frame.column('features'),
      label: new Float64Array(fx.n).fill(1),
    });
    const model = await new LogisticRegression().fit(ones);
    assert.equal(model.intercept, Infinity);
    assert.ok(model.coefficients.every((c) => c === 0));
    const out = await model.transform(ones);
    assert.ok(out.float64('prediction').every((p) => p === 1));
    assert.equal(model.binarySummary.accuracy, 1);
    assert.equal(model.summary.totalIterations, 0);
    const three = Frame.fromColumns({
      features: frame.column('features'),
      label: new Float64Array(fx.n).fill(2),
    });
    await assert.rejects(
      new LogisticRegression().fit(three),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_DATA' && /only class 2/.test(e.message),
    );
  });
  test("family 'binomial' with three classes is refused", async () => {
    await assert.rejects(
      new LogisticRegression({ family: 'binomial', labelCol: 'label3' }).fit(frame),
      (e: unknown) => e instanceof MLError && /binomial/.test(e.message),
    );
  });
  test('a string features column is a schema error naming the column', async () => {
    const f = Frame.fromColumns({ features: ['a', 'b'], label: [0, 1] });
    await assert.rejects(
      new LogisticRegression().fit(f),
      (e: unknown) => e instanceof MLError && e.code === 'SCHEMA_MISMATCH' && /features/.test(e.message),
    );
  });
});
