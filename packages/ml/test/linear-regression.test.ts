// LinearRegression as a stage: the conformance checks every stage passes, the training summary against
// textbook OLS inference computed by numpy/scipy (fixtures from test/peers/gen_linear.py), solver agreement,
// progress events and clear errors on bad input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Frame, sparseVectorColumn, vectorColumn } from '@cauce/frame';
import { LinearRegression, LinearRegressionModel, MLError, mlEvents } from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';
import { sparseFeatures } from './support/regression-fixtures.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/linear.json', import.meta.url), 'utf8')) as {
  X: number[];
  n: number;
  p: number;
  y: number[];
  w: number[];
  cases: Array<Record<string, unknown> & { name: string; coefficients: number[]; intercept: number }>;
};
const frame = Frame.fromColumns({
  features: vectorColumn(fx.p, Float64Array.from(fx.X)),
  label: Float64Array.from(fx.y),
  weight: Float64Array.from(fx.w),
});
const fixture = (name: string) => fx.cases.find((c) => c.name === name)!;

function close(a: number, b: number, rel: number, what: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-12), `${what}: got ${a}, expected ${b}`);
}

conformanceSuite('LinearRegression', {
  make: () => new LinearRegression({ regParam: 0.1, elasticNetParam: 0.3, weightCol: 'weight' }),
  frame,
  invalidParams: [
    ['regParam', -1],
    ['elasticNetParam', 2],
    ['solver', 'qr'],
    ['loss', 'absolute'],
    ['epsilon', 1],
    ['maxIter', -1],
  ],
});

describe('LinearRegression summary (normal solver) vs numpy/scipy OLS inference', () => {
  const ols = fixture('ols') as unknown as {
    coefficients: number[];
    intercept: number;
    standardErrors: number[];
    tValues: number[];
    pValues: number[];
    r2: number;
    rmse: number;
    mae: number;
  };
  test('coefficients, r2, rmse, mae, standard errors, t and p values', async () => {
    const model = await new LinearRegression({ solver: 'normal' }).fit(frame);
    for (let j = 0; j < fx.p; j++) close(model.coefficients[j]!, ols.coefficients[j]!, 1e-6, `coef ${j}`);
    close(model.intercept, ols.intercept, 1e-6, 'intercept');
    const s = model.summary;
    close(s.r2, ols.r2, 1e-9, 'r2');
    close(s.rootMeanSquaredError, ols.rmse, 1e-9, 'rmse');
    close(s.meanAbsoluteError, ols.mae, 1e-9, 'mae');
    assert.equal(s.numInstances, fx.n);
    assert.equal(s.degreesOfFreedom, fx.n - fx.p - 1);
    assert.equal(s.residuals.numRows, fx.n);
    for (let j = 0; j <= fx.p; j++) {
      close(s.coefficientStandardErrors[j]!, ols.standardErrors[j]!, 1e-6, `se ${j}`);
      close(s.tValues[j]!, ols.tValues[j]!, 1e-6, `t ${j}`);
      // p-values span many orders of magnitude; compare relatively where they are not vanishingly small.
      if (ols.pValues[j]! > 1e-200) close(s.pValues[j]!, ols.pValues[j]!, 1e-5, `p ${j}`);
    }
  });
  test('a constant feature gets coefficient 0 and a NaN standard error', async () => {
    const x = new Float64Array([0, 1, 0, 2, 0, 3, 0, 5, 0, 8]);
    const f = Frame.fromColumns({ features: vectorColumn(2, x), label: [1.1, 1.9, 3.2, 4.8, 8.1] });
    const model = await new LinearRegression({ solver: 'normal' }).fit(f);
    assert.equal(model.coefficients[0], 0);
    const se = model.summary.coefficientStandardErrors;
    assert.ok(Number.isNaN(se[0]!));
    assert.ok(Number.isFinite(se[1]!) && Number.isFinite(se[2]!));
  });
  test('standard errors need the normal solver', async () => {
    const model = await new LinearRegression({ solver: 'l-bfgs' }).fit(frame);
    assert.throws(
      () => model.summary.coefficientStandardErrors,
      (e: unknown) => e instanceof MLError && /normal solver/.test(e.message),
    );
  });
});

describe('LinearRegression solvers', () => {
  for (const [name, params] of [
    ['ridge_std', { regParam: 0.3 }],
    ['enet_std', { regParam: 0.2, elasticNetParam: 0.5 }],
    ['ridge_std_weighted', { regParam: 0.3, weightCol: 'weight' }],
  ] as const) {
    for (const solver of ['auto', 'normal', 'l-bfgs'] as const) {
      test(`${name} with solver ${solver} matches scikit-learn`, async () => {
        const model = await new LinearRegression({ ...params, solver, tol: 1e-14, maxIter: 2000 }).fit(frame);
        const c = fixture(name);
        const rel = solver === 'l-bfgs' ? 1e-4 : name.startsWith('ridge') ? 1e-6 : 1e-4;
        for (let j = 0; j < fx.p; j++) close(model.coefficients[j]!, c.coefficients[j]!, rel, `coef ${j}`);
        close(model.intercept, c.intercept, rel, 'intercept');
      });
    }
  }
  test('huber loss matches scikit-learn HuberRegressor', async () => {
    const c = fixture('huber_std') as unknown as { coefficients: number[]; intercept: number; scale: number };
    const model = await new LinearRegression({
      loss: 'huber',
      regParam: 0.01,
      tol: 1e-15,
      maxIter: 5000,
    }).fit(frame);
    for (let j = 0; j < fx.p; j++) close(model.coefficients[j]!, c.coefficients[j]!, 1e-4, `coef ${j}`);
    close(model.intercept, c.intercept, 1e-4, 'intercept');
    close(model.scale, c.scale, 1e-4, 'scale');
  });
  test('progress events report iterations and a decreasing loss', async () => {
    const seen: number[] = [];
    const off = mlEvents.on('fitProgress', (e) => {
      seen.push(e.loss);
    });
    try {
      await new LinearRegression({ solver: 'l-bfgs', regParam: 0.1 }).fit(frame);
    } finally {
      off();
    }
    assert.ok(seen.length > 2, 'several iterations reported');
    assert.ok(seen.at(-1)! <= seen[0]!, 'loss decreased');
  });
  test('predict, transform and save → load agree', async () => {
    const model = await new LinearRegression({ regParam: 0.05 }).fit(frame);
    const out = await model.transform(frame);
    const pred = out.float64('prediction');
    const row0 = Float64Array.from(fx.X.slice(0, fx.p));
    close(model.predict(row0), pred[0]!, 1e-12, 'predict row 0');
    const ev = await model.evaluate(frame);
    close(ev.r2, model.summary.r2, 1e-12, 'evaluate r2');
    assert.ok(model instanceof LinearRegressionModel);
  });
});

describe('LinearRegression training summary metrics', () => {
  // the summary's metrics against the same metrics summed here, by hand, from the model's own predictions:
  // weighted, with and without an intercept (then R² is measured through the origin, as Spark's)
  for (const fitIntercept of [true, false]) {
    test(`weighted, fitIntercept ${fitIntercept}: MSE, RMSE, MAE, R², adjusted R², explained variance`, async () => {
      const model = await new LinearRegression({ regParam: 0.05, weightCol: 'weight', fitIntercept }).fit(
        frame,
      );
      const s = model.summary;
      const pred = (await model.transform(frame)).float64('prediction');
      const y = fx.y;
      const w = fx.w;
      const W = w.reduce((a, b) => a + b, 0);
      const yMean = y.reduce((a, v, i) => a + w[i]! * v, 0) / W;
      let sse = 0;
      let sae = 0;
      let sst = 0;
      let ssr = 0;
      for (let i = 0; i < y.length; i++) {
        const r = y[i]! - pred[i]!;
        sse += w[i]! * r * r;
        sae += w[i]! * Math.abs(r);
        sst += w[i]! * (fitIntercept ? (y[i]! - yMean) ** 2 : y[i]! ** 2);
        ssr += w[i]! * (pred[i]! - yMean) ** 2;
      }
      const icpt = fitIntercept ? 1 : 0;
      const r2 = 1 - sse / sst;
      close(s.meanSquaredError, sse / W, 1e-12, 'mse');
      close(s.rootMeanSquaredError, Math.sqrt(sse / W), 1e-12, 'rmse');
      close(s.meanAbsoluteError, sae / W, 1e-12, 'mae');
      close(s.r2, r2, 1e-12, 'r2');
      close(s.r2adj, 1 - ((1 - r2) * (y.length - icpt)) / (y.length - fx.p - icpt), 1e-12, 'r2adj');
      close(s.explainedVariance, ssr / W, 1e-12, 'explained variance');
      const res = s.residualValues;
      assert.equal(res.length, y.length);
      for (let i = 0; i < y.length; i++) assert.equal(res[i], y[i]! - pred[i]!, `residual ${i}`);
    });
  }
});

describe('LinearRegression on sparse vectors', () => {
  const sparse = frame.withColumn('features', sparseFeatures(fx.X, fx.n, fx.p));
  for (const solver of ['normal', 'l-bfgs'] as const) {
    test(`solver ${solver}: same model from CSR storage as from dense`, async () => {
      const est = new LinearRegression({
        solver,
        regParam: 0.2,
        elasticNetParam: 0.5,
        tol: 1e-14,
        maxIter: 2000,
      });
      const a = await est.fit(frame);
      const b = await est.fit(sparse);
      for (let j = 0; j < fx.p; j++) close(b.coefficients[j]!, a.coefficients[j]!, 1e-6, `coef ${j}`);
      const pa = (await a.transform(frame)).float64('prediction');
      const pb = (await b.transform(sparse)).float64('prediction');
      for (let i = 0; i < 5; i++) close(pb[i]!, pa[i]!, 1e-6, `prediction ${i}`);
    });
  }
});

describe('LinearRegression training summary of a row view of sparse features', () => {
  // a fold / take of a sparse column is gathered into CSR arrays of its own for the fit (instances.ts); the
  // summary predicts from that matrix: the same doubles as transform / evaluate of the view required
  function sparseData(unsorted: boolean) {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const n = 400;
    const p = 30;
    const indptr = new Int32Array(n + 1);
    const idx: number[] = [];
    const val: number[] = [];
    const label = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row: Array<[number, number]> = [
        [0, rnd() * 4 - 2],
        [1 + Math.floor(rnd() * (p - 1)), 1],
      ];
      if (rnd() < 0.5) row.push([1 + Math.floor(rnd() * (p - 1)), rnd()]);
      const cols = [...new Map(row).entries()].sort((a, b) => a[0] - b[0]);
      if (unsorted) cols.reverse();
      for (const [j, v] of cols) {
        idx.push(j);
        val.push(v);
        label[i]! += (j % 5) * v;
      }
      label[i]! += 0.3 + rnd() - 0.5;
      indptr[i + 1] = idx.length;
    }
    const full = Frame.fromColumns({
      features: sparseVectorColumn(p, indptr, Int32Array.from(idx), Float64Array.from(val)),
      label,
    });
    return full.take(Int32Array.from({ length: n - 100 }, (_, k) => (k * 7) % n));
  }
  for (const [solver, unsorted] of [
    ['normal', false],
    ['l-bfgs', false],
    ['normal', true],
  ] as const) {
    test(`solver ${solver}${unsorted ? ', unsorted indices' : ''}: the same predictions and metrics as transform / evaluate`, async () => {
      const view = sparseData(unsorted);
      const model = await new LinearRegression({ solver, regParam: 0.01 }).fit(view);
      const s = model.summary;
      const viaTransform = (await model.transform(view)).float64('prediction');
      assert.deepStrictEqual(s.predictions.float64('prediction'), viaTransform);
      const e = await model.evaluate(view);
      assert.equal(s.meanAbsoluteError, e.meanAbsoluteError);
      assert.equal(s.rootMeanSquaredError, e.rootMeanSquaredError);
      assert.equal(s.r2, e.r2);
      assert.equal(s.explainedVariance, e.explainedVariance);
      assert.deepStrictEqual(s.residualValues, e.residualValues);
      assert.ok(s.r2 > 0.5, `the fit explains the label (r2 ${s.r2})`);
    });
  }
});

describe('a row view of a wide sparse column is gathered, not densified', () => {
  // 2,000 rows of a 2^21-wide hashed column: densified, the view would need 2,000 × 2^21 doubles (~34 GB)
  // and the transform failed to allocate; gathered, it holds the ~6,000 stored entries (fits on views:
  // the summary tests above)
  test('transform of the view gives the same predictions as of its rows copied out', async () => {
    const p = 1 << 21;
    const n = 4000;
    const indptr = new Int32Array(n + 1);
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < n; i++) {
      for (const j of [0, 1 + ((i * 7919) % 50), 100 + ((i * 104729) % (p - 100))].sort((a, b) => a - b)) {
        idx.push(j);
        val.push(j === 0 ? (i % 17) / 17 : 1);
      }
      indptr[i + 1] = idx.length;
    }
    const full = Frame.fromColumns({
      features: sparseVectorColumn(p, indptr, Int32Array.from(idx), Float64Array.from(val)),
    });
    const rows = Int32Array.from({ length: n / 2 }, (_, k) => 2 * k + 1);
    const view = full.take(rows);
    const copied = Frame.concat([view]);
    const coefficients = new Float64Array(p);
    for (let j = 0; j < 200; j++) coefficients[j] = (j % 7) - 3;
    const model = new LinearRegressionModel(coefficients, 0.5);
    const a = (await model.transform(view)).float64('prediction');
    const b = (await model.transform(copied)).float64('prediction');
    // each selected row's stored entries summed by hand, in stored order (the model's order)
    const expected = Array.from(rows, (r) => {
      let s = 0.5;
      for (let t = indptr[r]!; t < indptr[r + 1]!; t++) s += val[t]! * coefficients[idx[t]!]!;
      return s;
    });
    assert.deepStrictEqual(Array.from(a), expected);
    assert.deepStrictEqual(a, b);
  });
});

describe('LinearRegression errors', () => {
  test('huber with the normal solver is refused before any work', async () => {
    await assert.rejects(
      new LinearRegression({ loss: 'huber', solver: 'normal' }).fit(frame),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_PARAM' && /solver/.test(e.message),
    );
  });
  test('a NaN label names the row', async () => {
    const y = Float64Array.from(fx.y);
    y[7] = NaN;
    const bad = frame.withColumn('label', Frame.fromColumns({ label: y }).column('label'));
    await assert.rejects(
      new LinearRegression().fit(bad),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_DATA' && /row 7/.test(e.message),
    );
  });
  test('an empty frame is a clear error', async () => {
    await assert.rejects(
      new LinearRegression().fit(frame.slice(0, 0)),
      (e: unknown) => e instanceof MLError && e.code === 'INVALID_DATA' && /empty/.test(e.message),
    );
  });
  test("solver 'normal' refuses more than 4096 features, with the way out", async () => {
    const p = 4097;
    const wide = Frame.fromColumns({ features: vectorColumn(p, new Float64Array(3 * p)), label: [1, 2, 3] });
    await assert.rejects(
      new LinearRegression({ solver: 'normal' }).fit(wide),
      (e: unknown) =>
        e instanceof MLError &&
        e.code === 'INVALID_DATA' &&
        /4096/.test(e.message) &&
        /l-bfgs/.test(e.message),
    );
  });
  test('a model refuses features of another size', async () => {
    const model = await new LinearRegression().fit(frame);
    const other = Frame.fromColumns({ features: vectorColumn(2, new Float64Array(4)) });
    await assert.rejects(
      model.transform(other),
      (e: unknown) => e instanceof MLError && e.code === 'SCHEMA_MISMATCH',
    );
  });
});
