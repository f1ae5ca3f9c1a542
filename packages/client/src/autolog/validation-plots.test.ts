// A tuning's evaluation plots come from its best map's validation predictions, handed over as soon as the
// last trial is in: out of fold for CrossValidator (checked against fold models refitted by hand), the
// validation split for TrainValidationSplit, a classifier's confusion matrix and curves alike; with them
// the best map's fold models' coefficients (mean and range), when the trials ran on this thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '@cauce/frame';
import {
  BinaryClassificationEvaluator,
  CrossValidator,
  LinearRegression,
  type LinearRegressionModel,
  LogisticRegression,
  ParamGridBuilder,
  Pipeline,
  RegressionEvaluator,
  TrainValidationSplit,
  VALIDATION_SAMPLE_ROWS,
  VectorAssembler,
  kFold,
  type PipelineStage,
  mlEvents,
} from '@cauce/ml';
import { RESIDUAL_POINTS } from './plots.js';
import { validationPlots } from './validation-plots.js';
import type { VegaLiteSpec } from '../figures.js';
import { rng } from '../../test/support/rng.js';

function frameOf(n: number, seed: number): Frame {
  const r = rng(seed);
  const x1 = Float64Array.from({ length: n }, () => r() * 10);
  const x2 = Float64Array.from({ length: n }, () => r() * 4 - 2);
  const label = x1.map((v, i) => 3 * v - 2 * x2[i]! + 1 + (r() - 0.5) * 4);
  const cls = label.map((v) => (v > 14 ? 1 : 0));
  return Frame.fromColumns({ x1, x2, label, cls });
}

/** x1 and x2 assembled into 'features', then `stage`. */
function assembled(stage: PipelineStage): Pipeline {
  return new Pipeline({
    stages: [new VectorAssembler({ inputCols: ['x1', 'x2'], outputCol: 'features' }), stage],
  });
}

type Values = Array<Record<string, number>>;
const valuesOf = (spec: VegaLiteSpec): Values => (spec as { data: { values: Values } }).data.values;
const subtitleOf = (spec: VegaLiteSpec): string => (spec as { title: { subtitle: string } }).title.subtitle;

test('CrossValidator: the residuals of the best map, out of fold, and its fold models’ coefficients, handed over before the refit ends', async () => {
  const n = 2400;
  const frame = frameOf(n, 5);
  const lr = new LinearRegression({ solver: 'normal' });
  const pipe = assembled(lr);
  const grid = new ParamGridBuilder().addGrid(lr.regParam, [0, 2, 50]).build();
  const cv = new CrossValidator({
    estimator: pipe,
    estimatorParamMaps: grid,
    evaluator: new RegressionEvaluator({ metricName: 'rmse' }),
    numFolds: 3,
    seed: 4,
  });
  let handed: { best: number; plots: Array<[string, VegaLiteSpec]>; refitStarted: boolean } | undefined;
  let refits = 0;
  const offRefit = mlEvents.on('fitStarted', (e) => {
    if (e.parentUid === cv.uid && handed) refits++;
  });
  const vp = validationPlots(
    cv,
    n,
    () => true,
    (best, plots) => {
      handed = { best, plots, refitStarted: refits > 0 };
    },
  );
  assert.ok(vp);
  const model = await cv.fit(frame);
  vp.stop();
  offRefit();
  assert.ok(handed, 'the plots were handed over');
  assert.equal(handed.best, model.bestIndex);
  assert.equal(handed.refitStarted, false, 'before the best map is refitted');
  assert.equal(refits, 1, 'the refit came after');
  assert.deepEqual(
    handed.plots.map(([f]) => f),
    ['coefficients.svg', 'residuals.svg'],
  );
  const [[, weightsSpec], [, spec]] = handed.plots as [[string, VegaLiteSpec], [string, VegaLiteSpec]];
  assert.match(subtitleOf(spec), /out-of-fold predictions of the best params \(3-fold CV\)/);
  assert.match(subtitleOf(weightsSpec), /mean and range over the 3 fold models of the best params/);
  // the points: label − prediction of the fold model that did not see the row, for the sampled rows
  const m = Math.min(n, VALIDATION_SAMPLE_ROWS);
  const sampled = Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
  const expected = new Map<number, number>();
  const foldCoefficients: Float64Array[] = [];
  for (const fold of kFold(n, 3, 4)) {
    const inFold = new Set(fold.validation);
    const rows = Int32Array.from(sampled.filter((r) => inFold.has(r)));
    const foldModel = await pipe.fit(frame.take(fold.train), grid[model.bestIndex]);
    foldCoefficients.push((foldModel.stages[1] as LinearRegressionModel).coefficients);
    const pred = (await foldModel.transform(frame.take(rows))).float64('prediction');
    rows.forEach((r, j) => expected.set(r, pred[j]!));
  }
  const drawn = sampled.filter((_, k) => k % (m / RESIDUAL_POINTS) === 0);
  const values = valuesOf(spec);
  assert.equal(values.length, Math.min(RESIDUAL_POINTS, m));
  const label = frame.float64('label');
  values.forEach((v, k) => {
    const r = drawn[k]!;
    assert.ok(Math.abs(v.prediction! - expected.get(r)!) < 1e-9, `row ${r}: prediction`);
    assert.ok(Math.abs(v.residual! - (label[r]! - expected.get(r)!)) < 1e-9, `row ${r}: residual`);
  });
  // the coefficients: each feature's mean, smallest and largest over the three fold models fitted by hand
  const bars = valuesOf(weightsSpec);
  assert.deepEqual(bars.map((b) => b.feature).sort(), ['x1', 'x2']);
  for (const bar of bars) {
    const j = String(bar.feature) === 'x1' ? 0 : 1;
    const fold = foldCoefficients.map((c) => c[j]!);
    assert.ok(Math.abs(bar.weight! - fold.reduce((a, b) => a + b, 0) / 3) < 1e-9, `${j}: mean`);
    assert.ok(Math.abs(bar.min! - Math.min(...fold)) < 1e-9, `${j}: min`);
    assert.ok(Math.abs(bar.max! - Math.max(...fold)) < 1e-9, `${j}: max`);
    assert.ok(bar.max! > bar.min!, `${j}: the folds' models differ`);
  }
  // another map (should the fitted model's bestIndex differ): its own out-of-fold predictions, drawn anew
  const other = (model.bestIndex + 2) % grid.length;
  const otherSpec = vp.plotsFor(other, 'regression')!.find(([f]) => f === 'residuals.svg')![1];
  assert.equal(valuesOf(otherSpec).length, values.length);
  assert.ok(
    valuesOf(otherSpec).some((v, k) => Math.abs(v.prediction! - values[k]!.prediction!) > 1e-6),
    `map ${other}'s predictions are not map ${model.bestIndex}'s`,
  );
  assert.equal(vp.plotsFor(model.bestIndex, 'classification'), undefined, 'another kind: none');
});

test("TrainValidationSplit on trial workers: a classifier's confusion matrix, ROC and PR from the validation split", async () => {
  const n = 1500;
  const frame = frameOf(n, 9);
  const lr = new LogisticRegression({ labelCol: 'cls' });
  const tvs = new TrainValidationSplit({
    estimator: assembled(lr),
    estimatorParamMaps: new ParamGridBuilder().addGrid(lr.regParam, [0, 0.1]).build(),
    evaluator: new BinaryClassificationEvaluator({ labelCol: 'cls' }),
    trainRatio: 0.75,
    parallelism: 2,
    seed: 3,
  });
  let handed: Array<[string, VegaLiteSpec]> | undefined;
  let handedBest = -1;
  const vp = validationPlots(
    tvs,
    n,
    () => true,
    (best, plots) => {
      handedBest = best;
      handed = plots;
    },
  );
  const model = await tvs.fit(frame);
  vp!.stop();
  assert.ok(handed);
  assert.equal(handedBest, model.bestIndex, 'the map the validator chose');
  assert.deepEqual(
    handed.map(([f]) => f),
    ['confusion_matrix.svg', 'roc_curve.svg', 'pr_curve.svg'],
  );
  for (const [, spec] of handed)
    assert.match(subtitleOf(spec), /validation-split predictions of the best params/);
  // the confusion matrix counts the sampled validation rows: about a quarter of the sample
  const counts = valuesOf(handed[0]![1]).reduce((a, v) => a + v.count!, 0);
  assert.ok(
    counts > 0.15 * VALIDATION_SAMPLE_ROWS && counts < 0.35 * VALIDATION_SAMPLE_ROWS,
    `${counts} rows`,
  );
});

test('TrainValidationSplit on this thread: the coefficients of the best params’ model on the training split', async () => {
  const n = 1200;
  const frame = frameOf(n, 11);
  const lr = new LinearRegression({ solver: 'normal' });
  const tvs = new TrainValidationSplit({
    estimator: assembled(lr),
    estimatorParamMaps: new ParamGridBuilder().addGrid(lr.regParam, [0, 1]).build(),
    evaluator: new RegressionEvaluator({ metricName: 'rmse' }),
    trainRatio: 0.75,
    seed: 2,
  });
  let handed: Array<[string, VegaLiteSpec]> | undefined;
  const models: Array<{ index: number; coefficients: Float64Array }> = [];
  const off = mlEvents.on('validationScored', (e) => {
    const stage = (e.model as { stages?: unknown[] } | undefined)?.stages?.[1] as LinearRegressionModel;
    models.push({ index: e.paramIndex, coefficients: Float64Array.from(stage.coefficients) });
  });
  const vp = validationPlots(
    tvs,
    n,
    () => true,
    (_best, plots) => {
      handed = plots;
    },
  );
  const model = await tvs.fit(frame);
  vp!.stop();
  off();
  assert.ok(handed);
  assert.deepEqual(
    handed.map(([f]) => f),
    ['coefficients.svg', 'residuals.svg'],
  );
  const [, spec] = handed[0]!;
  assert.match(subtitleOf(spec), /the best params' model on the training split/);
  // one model: each bar is its coefficient, with no range
  const best = models.find((m) => m.index === model.bestIndex)!;
  for (const bar of valuesOf(spec)) {
    const j = String(bar.feature) === 'x1' ? 0 : 1;
    assert.equal(bar.weight, best.coefficients[j]);
    assert.equal(bar.min, bar.max);
  }
  assert.equal((spec as { layer: unknown[] }).layer.length, 1, 'no range rule');
});

test('no validator: no collector', () => {
  assert.equal(
    validationPlots(
      new LinearRegression(),
      10,
      () => true,
      () => undefined,
    ),
    undefined,
  );
});
