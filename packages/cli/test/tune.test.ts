// `cauce tune` / `cauce train` end to end: the real binary on generated data, compared with the same
// tuning run in-process through the library (same data, split and seeds).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFrame, sql } from '@cauce/data';
import type { Frame } from '@cauce/frame';
import {
  CrossValidator,
  LinearRegression,
  OneHotEncoder,
  ParamGridBuilder,
  Pipeline,
  PipelineModel,
  RegressionEvaluator,
  StringIndexer,
  VectorAssembler,
  trainValidationSplit,
} from '@cauce/ml';
import type { TrainResult, TuneResult } from '../src/spec/run.js';
import { cauce, writeRegressionCsv, writeSpec } from './support/tune-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-tune-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const csv = join(dir, 'data.csv');
const query = 'SELECT * FROM data WHERE x3 > -9';

const pipelineSpec = [
  { stage: 'StringIndexer', params: { inputCol: 'group', outputCol: 'group_idx' } },
  { stage: 'OneHotEncoder', params: { inputCol: 'group_idx', outputCol: 'group_vec' } },
  { stage: 'VectorAssembler', params: { inputCols: ['x1', 'x2', 'x3', 'group_vec'], outputCol: 'features' } },
  { stage: 'LinearRegression', name: 'lr', params: { maxIter: 50 } },
];

/** The spec's pipeline written with the library, as a user would in TypeScript. */
function libraryPipeline(): { pipeline: Pipeline; lr: LinearRegression } {
  const lr = new LinearRegression({ labelCol: 'y', maxIter: 50 });
  const pipeline = new Pipeline({
    stages: [
      new StringIndexer({ inputCol: 'group', outputCol: 'group_idx' }),
      new OneHotEncoder({ inputCol: 'group_idx', outputCol: 'group_vec' }),
      new VectorAssembler({ inputCols: ['x1', 'x2', 'x3', 'group_vec'], outputCol: 'features' }),
      lr,
    ],
  });
  return { pipeline, lr };
}

async function splitData(trainRatio: number, seed: number): Promise<{ train: Frame; test: Frame }> {
  const all = await sql(query, { data: await readFrame(csv) });
  const s = trainValidationSplit(all.numRows, trainRatio, seed);
  return { train: all.take(s.train), test: all.take(s.validation) };
}

const close = (a: number, b: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

before(() => writeRegressionCsv(csv, 300));

describe('cauce tune', () => {
  test('CrossValidator from a spec equals CrossValidator in-process; saves the best PipelineModel', async () => {
    const spec = writeSpec(dir, 'cv.json', {
      data: { path: 'data.csv', sql: query, split: { trainRatio: 0.75, seed: 3 } },
      label: 'y',
      pipeline: pipelineSpec,
      tuning: {
        method: 'CrossValidator',
        numFolds: 3,
        seed: 5,
        parallelism: 2,
        grid: { 'lr.regParam': [0, 0.5, 5], '3.elasticNetParam': [0, 1] },
      },
      evaluator: { name: 'RegressionEvaluator', metric: 'rmse' },
    });
    const out = join(dir, 'cv-model');
    const r = await cauce(['tune', spec, '--json', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as TuneResult;

    const { train, test } = await splitData(0.75, 3);
    const { pipeline, lr } = libraryPipeline();
    const evaluator = new RegressionEvaluator({ labelCol: 'y', metricName: 'rmse' });
    const maps = new ParamGridBuilder()
      .addGrid(lr.regParam, [0, 0.5, 5])
      .addGrid(lr.elasticNetParam, [0, 1])
      .build();
    const cv = new CrossValidator({
      estimator: pipeline,
      estimatorParamMaps: maps,
      evaluator,
      numFolds: 3,
      seed: 5,
    });
    const want = await cv.fit(train);

    assert.equal(got.trainRows, train.numRows);
    assert.equal(got.testRows, test.numRows);
    assert.equal(got.trials, 18);
    assert.equal(got.results.length, maps.length);
    for (const [i, m] of maps.entries()) {
      assert.deepEqual(got.results[i]!.params, {
        'lr.regParam': m.get(lr.regParam),
        '3.elasticNetParam': m.get(lr.elasticNetParam),
      });
      close(got.results[i]!.metric, want.avgMetrics[i]!, `avg rmse of map ${i}`);
      close(got.results[i]!.std!, want.stdMetrics[i]!, `std rmse of map ${i}`);
    }
    assert.equal(got.bestIndex, want.bestIndex);
    assert.deepEqual(got.bestParams, got.results[want.bestIndex]!.params);
    close(got.testMetrics.rmse!, evaluator.evaluate(await want.bestModel.transform(test)), 'test rmse');

    // the saved model is the refitted best pipeline: same predictions as the in-process one
    const saved = await PipelineModel.load(out);
    const a = (await saved.transform(test)).float64('prediction');
    const b = (await want.bestModel.transform(test)).float64('prediction');
    for (let i = 0; i < a.length; i++) close(a[i]!, b[i]!, `prediction ${i}`);

    // stderr is not a terminal here: plain progress lines with trials, best metric, elapsed and ETA
    assert.match(r.stderr, /tuning \| trial 0\/18 \| best rmse - \| elapsed [\d.]+s \| ETA -/);
    assert.match(r.stderr, /trial 18\/18 \| best rmse [\d.]+ \| elapsed [\d.]+s/);
  });
});

describe('cauce train', () => {
  test('fits the spec once and reports train and test metrics equal to the library', async () => {
    const spec = writeSpec(dir, 'train.json', {
      data: { path: 'data.csv', sql: query, split: { trainRatio: 0.8, seed: 1 } },
      label: 'y',
      pipeline: pipelineSpec.map((s) =>
        s.stage === 'LinearRegression' ? { ...s, params: { ...s.params, regParam: 0.1 } } : s,
      ),
      evaluator: { name: 'RegressionEvaluator', metric: 'mae' },
    });
    const out = join(dir, 'train-model');
    const r = await cauce(['train', spec, '--json', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as TrainResult;
    const { train, test } = await splitData(0.8, 1);
    const { pipeline, lr } = libraryPipeline();
    lr.setRegParam(0.1);
    const model = await pipeline.fit(train);
    const ev = new RegressionEvaluator({ labelCol: 'y', metricName: 'mae' });
    close(got.trainMetrics.mae!, ev.evaluate(await model.transform(train)), 'train mae');
    close(got.testMetrics.mae!, ev.evaluate(await model.transform(test)), 'test mae');
    assert.deepEqual(got.stages, ['StringIndexer', 'OneHotEncoder', 'VectorAssembler', 'LinearRegression']);
    const saved = await PipelineModel.load(out);
    close(ev.evaluate(await saved.transform(test)), got.testMetrics.mae!, 'saved model test mae');
    assert.match(r.stderr, /fitting LinearRegression \(stage 3\/3\)/);
  });
});
