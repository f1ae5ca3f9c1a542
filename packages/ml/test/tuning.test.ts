// Tuning: ParamGridBuilder, CrossValidator and TrainValidationSplit. CV metrics are compared with
// scikit-learn (Ridge fold by fold on the same folds, fixtures from test/peers/gen_tuning.py); the rest
// checks folds, parallelism, sub-models, progress events, save/load and clear errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame, int32Column, vectorColumn } from '@cauce/frame';
import type { ParamMap } from '@cauce/ml';
import {
  CrossValidator,
  CrossValidatorModel,
  LinearRegression,
  LinearRegressionModel,
  MLError,
  ParamGridBuilder,
  Params,
  Pipeline,
  PipelineModel,
  RegressionEvaluator,
  TrainValidationSplit,
  TrainValidationSplitModel,
  kFold,
  loadStage,
  mlEvents,
  registerEvaluator,
  sharedParams,
  type MLEvent,
  VALIDATION_SAMPLE_ROWS,
} from '@cauce/ml';
import { assertSameFrame, conformanceSuite } from './support/conformance.js';

/** A minimal RMSE evaluator (label vs prediction), registered so tuned models can be saved. */
class RmseEval extends Params {
  readonly labelCol = this.declare(sharedParams.labelCol);
  readonly predictionCol = this.declare(sharedParams.predictionCol);
  evaluate(frame: Frame): number {
    const y = frame.float64(this.getOrDefault(this.labelCol));
    const p = frame.float64(this.getOrDefault(this.predictionCol));
    let s = 0;
    for (let i = 0; i < y.length; i++) s += (y[i]! - p[i]!) ** 2;
    return Math.sqrt(s / y.length);
  }
  isLargerBetter(): boolean {
    return false;
  }
  getMetricName(): string {
    return 'rmse';
  }
}
registerEvaluator('RmseEval', RmseEval);

const fx = JSON.parse(readFileSync(new URL('./fixtures/tuning.json', import.meta.url), 'utf8')) as {
  n: number;
  p: number;
  k: number;
  X: number[];
  y: number[];
  fold: number[];
  grid: Array<{ regParam: number; fold_rmse: number[]; mean: number; std: number }>;
};
const frame = Frame.fromColumns({
  features: vectorColumn(fx.p, Float64Array.from(fx.X)),
  label: Float64Array.from(fx.y),
  fold: int32Column(Int32Array.from(fx.fold)),
});

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: got ${a}, expected ${b}`);
}

async function rejects(
  p: Promise<unknown> | (() => unknown),
  code: string,
  ...mentions: string[]
): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof MLError, `expected MLError ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  for (const m of mentions) assert.ok(err.message.includes(m), `'${m}' missing from: ${err.message}`);
}

function setup(): { lr: LinearRegression; grid: ParamMap[]; cv: CrossValidator } {
  const lr = new LinearRegression({ standardization: false, solver: 'normal' });
  const grid = new ParamGridBuilder()
    .addGrid(
      lr.regParam,
      fx.grid.map((g) => g.regParam),
    )
    .build();
  const cv = new CrossValidator({
    estimator: lr,
    estimatorParamMaps: grid,
    evaluator: new RmseEval(),
    numFolds: 3,
  });
  return { lr, grid, cv };
}

function conformanceFrame(): Frame {
  return frame.select('features', 'label').head(90);
}
function regGrid(lr: LinearRegression): ParamMap[] {
  return new ParamGridBuilder().addGrid(lr.regParam, [0, 1]).build();
}
conformanceSuite('CrossValidator', {
  make: () => {
    const lr = new LinearRegression();
    return new CrossValidator({
      estimator: lr,
      estimatorParamMaps: regGrid(lr),
      evaluator: new RegressionEvaluator(),
      numFolds: 3,
      seed: 5,
    });
  },
  frame: conformanceFrame(),
  invalidParams: [
    ['numFolds', 1],
    ['parallelism', 0],
    ['foldCol', 3],
    ['estimator', 'lr'],
    ['evaluator', {}],
  ],
  skipAutoSchema: true,
  badSchemas: [
    { frame: conformanceFrame().drop('features'), column: 'features' },
    { frame: conformanceFrame().drop('label'), column: 'label' },
  ],
});
conformanceSuite('TrainValidationSplit', {
  make: () => {
    const lr = new LinearRegression();
    return new TrainValidationSplit({
      estimator: new Pipeline({ stages: [lr] }),
      estimatorParamMaps: regGrid(lr),
      evaluator: new RegressionEvaluator(),
      trainRatio: 0.6,
    });
  },
  frame: conformanceFrame(),
  invalidParams: [
    ['trainRatio', 1.5],
    ['estimatorParamMaps', []],
  ],
  skipAutoSchema: true,
  badSchemas: [{ frame: conformanceFrame().drop('features'), column: 'features' }],
});

describe('ParamGridBuilder', () => {
  test('cartesian product in Spark order, baseOn fixed in every map', () => {
    const lr = new LinearRegression();
    const maps = new ParamGridBuilder()
      .addGrid(lr.regParam, [0.1, 1])
      .addGrid(lr.fitIntercept, [true, false, true])
      .baseOn(lr.maxIter, 7)
      .build();
    assert.equal(maps.length, 6);
    assert.deepEqual(
      maps.map((m) => [m.get(lr.regParam), m.get(lr.fitIntercept), m.get(lr.maxIter)]),
      [
        [0.1, true, 7],
        [1, true, 7],
        [0.1, false, 7],
        [1, false, 7],
        [0.1, true, 7],
        [1, true, 7],
      ],
    );
    assert.equal(new ParamGridBuilder().build().length, 1, 'an empty grid is one empty map');
  });
  test('empty value lists and non-params are refused', async () => {
    const lr = new LinearRegression();
    await rejects(
      () => new ParamGridBuilder().addGrid(lr.regParam, []),
      'INVALID_PARAM',
      'regParam',
      'non-empty',
    );
    await rejects(() => new ParamGridBuilder().addGrid('regParam' as never, [1]), 'INVALID_PARAM', 'Param');
  });
});

describe('folds', () => {
  test('kFold partitions the rows, sizes differ by at most one, seeded', () => {
    const folds = kFold(101, 4, 7);
    const seen = new Int32Array(101);
    for (const f of folds) {
      assert.equal(f.train.length + f.validation.length, 101);
      for (const i of f.validation) seen[i]!++;
      assert.ok(f.validation.length === 25 || f.validation.length === 26);
    }
    assert.ok(
      seen.every((c) => c === 1),
      'every row validates exactly once',
    );
    assert.deepEqual(kFold(101, 4, 7)[2]!.validation, folds[2]!.validation);
    assert.notDeepEqual(kFold(101, 4, 8)[2]!.validation, folds[2]!.validation);
  });
});

describe('CrossValidator', () => {
  test('avgMetrics and stdMetrics match scikit-learn Ridge on the same folds (foldCol)', async () => {
    const { cv, grid } = setup();
    cv.setFoldCol('fold');
    const model = await cv.fit(frame);
    assert.equal(model.avgMetrics.length, grid.length);
    fx.grid.forEach((g, i) => {
      close(model.avgMetrics[i]!, g.mean, 1e-6, `avg rmse, regParam ${g.regParam}`);
      close(model.stdMetrics[i]!, g.std, 1e-5, `std rmse, regParam ${g.regParam}`);
    });
    const best = fx.grid.reduce((b, g, i) => (g.mean < fx.grid[b]!.mean ? i : b), 0);
    assert.equal(model.bestIndex, best);
    // the best model is refitted on every row with the best map
    const direct = await new LinearRegression({
      standardization: false,
      solver: 'normal',
      regParam: fx.grid[best]!.regParam,
    }).fit(frame);
    const bm = model.bestModel as LinearRegressionModel;
    assert.deepEqual([...bm.coefficients], [...direct.coefficients]);
    assertSameFrame(await model.transform(frame), await direct.transform(frame));
  });

  test('random folds: seeded, parallelism does not change the metrics, sub-models collected', async () => {
    const a = await setup().cv.setSeed(3).fit(frame);
    const b = await setup().cv.setSeed(3).setParallelism(3).setCollectSubModels(true).fit(frame);
    assert.deepEqual(a.avgMetrics, b.avgMetrics);
    assert.equal(a.subModels, undefined);
    assert.equal(b.subModels!.length, 3);
    assert.ok(
      b.subModels!.every((row) => row.length === 4 && row.every((m) => m instanceof LinearRegressionModel)),
    );
    const c = await setup().cv.setSeed(4).fit(frame);
    assert.notDeepEqual(a.avgMetrics, c.avgMetrics);
  });

  test('the shared-Gram path for LinearRegression gives exactly the one-by-one fits', async () => {
    // LinearRegression directly: one Gram pass per fold (fitMultiple); inside a Pipeline: one fit per trial
    const lr = new LinearRegression({ standardization: false });
    const grid = new ParamGridBuilder()
      .addGrid(lr.regParam, [0, 0.3, 3])
      .addGrid(lr.elasticNetParam, [0, 0.5])
      .addGrid(lr.fitIntercept, [true, false])
      .build();
    const fast = await new CrossValidator({
      estimator: lr,
      estimatorParamMaps: grid,
      evaluator: new RmseEval(),
    })
      .setCollectSubModels(true)
      .fit(frame);
    const slow = await new CrossValidator({
      estimator: new Pipeline({ stages: [lr] }),
      estimatorParamMaps: grid,
      evaluator: new RmseEval(),
    })
      .setCollectSubModels(true)
      .fit(frame);
    assert.deepEqual(fast.avgMetrics, slow.avgMetrics);
    const a = fast.subModels![1]![7] as LinearRegressionModel;
    const b = (slow.subModels![1]![7] as PipelineModel).stages[0] as LinearRegressionModel;
    assert.deepEqual([...a.coefficients], [...b.coefficients]);
    assert.equal(a.intercept, b.intercept);
    assert.equal(a.uid, lr.uid);
    assert.equal(a.parent?.getOrDefault(lr.regParam), grid[7]!.get(lr.regParam));
  });

  test('parallelism > 1 runs the trials on worker threads, with the same metrics', async () => {
    const lr = new LinearRegression({ standardization: false });
    const grid = new ParamGridBuilder().addGrid(lr.regParam, [0, 0.5, 5]).build();
    const make = (parallelism: number, evaluator: RegressionEvaluator | RmseEval) =>
      new CrossValidator({
        estimator: new Pipeline({ stages: [lr] }),
        estimatorParamMaps: grid,
        evaluator,
        parallelism,
        seed: 9,
      });
    const nestedFits = async (cv: CrossValidator) => {
      let n = 0;
      const off = mlEvents.on('fitStarted', (e) => {
        if (e.parentUid === cv.uid) n++;
      });
      try {
        return { model: await cv.fit(frame), n };
      } finally {
        off();
      }
    };
    const serial = await nestedFits(make(1, new RegressionEvaluator()));
    const onWorkers = await nestedFits(make(2, new RegressionEvaluator()));
    assert.deepEqual(onWorkers.model.avgMetrics, serial.model.avgMetrics);
    assert.equal(serial.n, 10, '9 trials + the refit on this thread');
    assert.equal(onWorkers.n, 1, 'only the refit on this thread: the 9 trials ran on workers');
    // an evaluator class the workers do not know (registered in this file only): trials fall back to this thread
    const fallback = await nestedFits(make(2, new RmseEval()));
    assert.equal(fallback.n, 10);
    assertSameFrame(await onWorkers.model.transform(frame), await serial.model.transform(frame));
  });

  test('validationScored: every sampled row once per map, out of fold, the same on worker threads', async () => {
    const lr = new LinearRegression({ standardization: false });
    const grid = new ParamGridBuilder().addGrid(lr.regParam, [0, 0.5, 5]).build();
    const make = (parallelism: number) =>
      new CrossValidator({
        estimator: new Pipeline({ stages: [lr] }),
        estimatorParamMaps: grid,
        evaluator: new RegressionEvaluator(),
        parallelism,
        seed: 9,
      });
    type Scored = { rows: number[]; prediction: Float64Array; label: Float64Array; columns: string[] };
    const scoredBy = async (cv: CrossValidator) => {
      const got = new Map<string, Scored>();
      const off = mlEvents.on('validationScored', (e) => {
        if (e.uid !== cv.uid) return;
        const f = e.predictions as Frame;
        const key = `${e.split}/${e.paramIndex}`;
        assert.ok(!got.has(key), `${key} reported once`);
        got.set(key, {
          rows: [...e.rows],
          prediction: f.float64('prediction'),
          label: f.float64('label'),
          columns: f.columnNames,
        });
      });
      try {
        await cv.fit(frame);
      } finally {
        off();
      }
      return got;
    };
    const serial = await scoredBy(make(1));
    const onWorkers = await scoredBy(make(2));
    assert.equal(serial.size, 9, 'one report per (fold, map)');
    assert.deepEqual([...onWorkers.keys()].sort(), [...serial.keys()].sort());
    // over the folds, each of the evenly spaced sampled rows is scored once per map
    const n = frame.numRows;
    const m = Math.min(n, VALIDATION_SAMPLE_ROWS);
    const sampled = Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
    const byRow = (a: number, b: number) => a - b;
    for (let i = 0; i < grid.length; i++) {
      const rows = [0, 1, 2].flatMap((f) => serial.get(`${f}/${i}`)!.rows).sort(byRow);
      assert.deepEqual(rows, sampled, `map ${i}: the sample, out of fold`);
    }
    const label = frame.float64('label');
    for (const [key, s] of serial) {
      const w = onWorkers.get(key)!;
      assert.deepEqual(s.columns, ['label', 'prediction'], 'the label and the model answer only');
      assert.deepEqual(w.rows, s.rows, key);
      assert.deepEqual(w.columns, s.columns, key);
      assert.deepEqual(
        [...s.label],
        s.rows.map((r) => label[r]!),
      );
      for (let j = 0; j < s.rows.length; j++)
        close(w.prediction[j]!, s.prediction[j]!, 1e-12, `${key} row ${s.rows[j]}`);
    }
    // the predictions are the fold model's: fold 1, map 2 refitted by hand
    const fold = kFold(n, 3, 9)[1]!;
    const byHand = await new Pipeline({ stages: [lr] }).fit(frame.take(fold.train), grid[2]);
    const rows = serial.get('1/2')!.rows;
    const expected = (await byHand.transform(frame.take(Int32Array.from(rows)))).float64('prediction');
    for (let j = 0; j < rows.length; j++)
      close(serial.get('1/2')!.prediction[j]!, expected[j]!, 1e-9, `fold 1 map 2 row ${rows[j]}`);
  });

  test('tunes a Pipeline: maps may target any stage inside it', async () => {
    const lr = new LinearRegression({ standardization: false });
    const pipe = new Pipeline({ stages: [lr] });
    const grid = new ParamGridBuilder().addGrid(lr.regParam, [0, 10]).build();
    const cv = new CrossValidator({ estimator: pipe, estimatorParamMaps: grid, evaluator: new RmseEval() });
    const model = await cv.fit(frame);
    assert.ok(model.bestModel instanceof PipelineModel);
    assert.ok(model.avgMetrics[0]! < model.avgMetrics[1]!, 'heavy ridge is worse here');
  });

  test('progress: one fitProgress per trial, nested fits carry the CV uid', async () => {
    const { cv } = setup();
    const events: MLEvent[] = [];
    const off = mlEvents.onAny((e) => events.push(e));
    try {
      await cv.fit(frame);
    } finally {
      off();
    }
    const progress = events.filter((e) => e.type === 'fitProgress' && e.uid === cv.uid);
    assert.equal(progress.length, 12);
    const nested = events.filter((e) => e.type === 'fitStarted' && e.parentUid === cv.uid);
    assert.equal(nested.length, 13, '12 trials + the refit of the best map');
  });

  test('save → load: estimator and model round trip with identical predictions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cauce-tuning-'));
    try {
      const { cv } = setup();
      const model = await cv.fit(frame);
      await cv.save(join(dir, 'cv'));
      await model.save(join(dir, 'model'));
      const cv2 = await CrossValidator.load(join(dir, 'cv'));
      assert.equal(cv2.getEstimatorParamMaps().length, 4);
      assert.equal(cv2.getEvaluator().isLargerBetter(), false);
      const m2 = await CrossValidatorModel.load(join(dir, 'model'));
      assert.deepEqual(m2.avgMetrics, model.avgMetrics);
      assert.equal(m2.getEstimatorParamMaps().length, 4);
      assertSameFrame(await m2.transform(frame), await model.transform(frame));
      const refit = await cv2.fit(frame);
      assert.deepEqual(refit.avgMetrics, model.avgMetrics);
      assert.ok((await loadStage(join(dir, 'model'))) instanceof CrossValidatorModel);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('clear errors: unset params, too few rows, bad fold column, foreign params, bad values', async () => {
    await rejects(new CrossValidator().fit(frame), 'INVALID_PARAM', 'estimator');
    await rejects(() => new CrossValidator({ numFolds: 1 }), 'INVALID_PARAM', 'numFolds');
    await rejects(() => new CrossValidator({ parallelism: 0 }), 'INVALID_PARAM', 'parallelism');
    await rejects(
      () => new CrossValidator({ estimatorParamMaps: [] }),
      'INVALID_PARAM',
      'estimatorParamMaps',
    );
    const { cv } = setup();
    await rejects(cv.copy().setNumFolds(500).fit(frame), 'INVALID_DATA', '500 folds');
    await rejects(cv.copy().setFoldCol('nope').fit(frame), 'SCHEMA_MISMATCH', 'nope');
    const badFold = frame.withColumn('bad', int32Column(Int32Array.from({ length: fx.n }, (_, i) => i % 5)));
    await rejects(cv.copy().setFoldCol('bad').fit(badFold), 'INVALID_DATA', 'bad', '[0, 3)');
    const other = new LinearRegression();
    const foreign = new CrossValidator({
      estimator: new LinearRegression(),
      evaluator: new RmseEval(),
      estimatorParamMaps: new ParamGridBuilder().addGrid(other.regParam, [1]).build(),
    });
    await rejects(foreign.fit(frame), 'INVALID_PARAM', 'belongs to no stage');
    await rejects(cv.fit(frame.drop('features')), 'SCHEMA_MISMATCH', 'features');
  });
});

describe('with the library evaluators', () => {
  test('RegressionEvaluator drives CV and is restored by save → load', async () => {
    const lr = new LinearRegression({ standardization: false, solver: 'normal' });
    const grid = new ParamGridBuilder().addGrid(lr.regParam, [0, 1]).build();
    const evaluator = new RegressionEvaluator({ metricName: 'mae' });
    const cv = new CrossValidator({ estimator: lr, estimatorParamMaps: grid, evaluator, foldCol: 'fold' });
    const model = await cv.fit(frame);
    assert.equal(model.avgMetrics.length, 2);
    const dir = await mkdtemp(join(tmpdir(), 'cauce-tuning-ev-'));
    try {
      await model.save(join(dir, 'm'));
      const m2 = await CrossValidatorModel.load(join(dir, 'm'));
      const ev2 = m2.getEvaluator() as RegressionEvaluator;
      assert.ok(ev2 instanceof RegressionEvaluator);
      assert.equal(ev2.getMetricName(), 'mae');
      assert.equal(ev2.uid, evaluator.uid);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('TrainValidationSplit', () => {
  test('one metric per map, best refitted on all rows, save → load', async () => {
    const { lr, grid } = setup();
    const tvs = new TrainValidationSplit({
      estimator: lr,
      estimatorParamMaps: grid,
      evaluator: new RmseEval(),
    });
    tvs.setTrainRatio(0.8).setCollectSubModels(true);
    const model = await tvs.fit(frame);
    assert.equal(model.validationMetrics.length, 4);
    assert.ok(
      model.validationMetrics.every((m) => m > 0.5 && m < 5),
      String(model.validationMetrics),
    );
    assert.equal(model.subModels!.length, 4);
    const direct = await lr.fit(frame, grid[model.bestIndex]);
    assert.deepEqual([...(model.bestModel as LinearRegressionModel).coefficients], [...direct.coefficients]);
    const dir = await mkdtemp(join(tmpdir(), 'cauce-tvs-'));
    try {
      await model.save(join(dir, 'm'));
      const m2 = await TrainValidationSplitModel.load(join(dir, 'm'));
      assert.deepEqual(m2.validationMetrics, model.validationMetrics);
      assertSameFrame(await m2.transform(frame), await model.transform(frame));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await rejects(() => tvs.setTrainRatio(1), 'INVALID_PARAM', 'trainRatio');
    await rejects(tvs.copy().setTrainRatio(0.001).fit(frame.head(10)), 'INVALID_DATA', 'empty training');
  });
});
