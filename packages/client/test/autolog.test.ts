// Autolog end to end against a real `cauce server`: a pipeline (VectorAssembler → LinearRegression)
// tuned with CrossValidator under autolog() gives one parent run with the best params, the CV metric,
// the model and plots, and one child run per param map; a plain classifier fit logs params, training
// metrics, plots and the model; an evaluator call logs its metric; a failing fit ends its run FAILED.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '@cauce/frame';
import {
  BinaryClassificationEvaluator,
  CrossValidator,
  LinearRegression,
  LogisticRegression,
  ParamGridBuilder,
  Pipeline,
  RegressionEvaluator,
  TrainValidationSplit,
  VectorAssembler,
} from '@cauce/ml';
import {
  MlflowClient,
  _resetFluentState,
  autolog,
  disableAutolog,
  flushAutolog,
  loadModel,
  readMLmodel,
  saveModel,
  setExperiment,
  setTrackingUri,
  withRun,
} from '@cauce/client';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from './support/rng.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let client: MlflowClient;

function regressionFrame(n: number): Frame {
  const r = rng(11);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = r() * 10;
    x2[i] = r() * 4 - 2;
    y[i] = 3 * x1[i]! - 2 * x2[i]! + 1 + (r() - 0.5);
  }
  return Frame.fromColumns({ x1, x2, label: y });
}

before(async () => {
  server = await startTestServer();
  client = new MlflowClient(server.url);
  _resetFluentState();
  setTrackingUri(server.url);
});
after(async () => {
  disableAutolog();
  _resetFluentState();
  await server.close();
});

describe('autolog', () => {
  test('CrossValidator over a pipeline: parent + one child per param map, best params, model, plots', async () => {
    const exp = await setExperiment('autolog-cv');
    autolog({ silent: true });
    const frame = regressionFrame(300);
    const assembler = new VectorAssembler({ inputCols: ['x1', 'x2'], outputCol: 'features' });
    const lr = new LinearRegression({ solver: 'normal' });
    const pipe = new Pipeline({ stages: [assembler, lr] });
    const grid = new ParamGridBuilder()
      .addGrid(lr.regParam, [0, 0.5, 5])
      .addGrid(lr.fitIntercept, [true, false])
      .build();
    const cv = new CrossValidator({
      estimator: pipe,
      estimatorParamMaps: grid,
      evaluator: new RegressionEvaluator({ metricName: 'rmse' }),
      numFolds: 3,
    });
    const model = await cv.fit(frame);

    const runs = await client.searchAllRuns([exp.experiment_id]);
    const parents = runs.filter((r) => !r.data.tags.some((t) => t.key === 'mlflow.parentRunId'));
    const children = runs.filter((r) => r.data.tags.some((t) => t.key === 'mlflow.parentRunId'));
    assert.equal(parents.length, 1, 'one parent run for the CV fit (nested fits are not separate runs)');
    assert.equal(children.length, 6, 'one child run per param map');
    const parent = parents[0]!;
    assert.equal(parent.info.status, 'FINISHED');
    const input = parent.inputs.dataset_inputs[0]!;
    assert.equal(input.tags.find((t) => t.key === 'mlflow.data.context')?.value, 'train');
    // MLflow's digest form: 8 hex digits of an MD5, which names the dataset
    assert.match(input.dataset.digest, /^[0-9a-f]{8}$/);
    assert.equal(input.dataset.name, `dataset_${input.dataset.digest}`);
    assert.deepEqual(
      (JSON.parse(input.dataset.schema!) as { mlflow_colspec: Array<{ name: string }> }).mlflow_colspec.map(
        (c) => c.name,
      ),
      ['x1', 'x2', 'label'],
    );
    for (const ch of children) {
      assert.equal(ch.data.tags.find((t) => t.key === 'mlflow.parentRunId')?.value, parent.info.run_id);
      const keys = ch.data.params.map((p) => p.key).sort();
      assert.deepEqual(keys, ['LinearRegression.fitIntercept', 'LinearRegression.regParam']);
      assert.ok(ch.data.metrics.some((m) => m.key === 'avg_rmse'));
    }
    // child metrics are the model's avgMetrics, and the parent has the best map's params
    const best = model.bestIndex;
    const bestMap = grid[best]!;
    const p = Object.fromEntries(parent.data.params.map((x) => [x.key, x.value]));
    assert.equal(p['best_LinearRegression.regParam'], String(bestMap.get(lr.regParam)));
    assert.equal(p['best_LinearRegression.fitIntercept'], bestMap.get(lr.fitIntercept) ? 'True' : 'False');
    assert.equal(p.numFolds, '3');
    assert.equal(p['VectorAssembler.inputCols'], '["x1","x2"]');
    assert.equal(p.evaluator, 'RegressionEvaluator');
    // stages by name, as MLflow's pyspark autolog logs them; the param maps are the children, not a param
    assert.equal(p.estimator, 'Pipeline');
    assert.equal(p['Pipeline.stages'], '["VectorAssembler","LinearRegression"]');
    assert.equal(p.estimatorParamMaps, undefined);
    const pm = Object.fromEntries(parent.data.metrics.map((m) => [m.key, Number(m.value)]));
    assert.equal(pm.avg_rmse, model.avgMetrics[best]);
    // the best params + metric went out as the last trial came in (during the refit) and stood: the
    // fitted model agreed, so they were not logged again
    const parentHistory = await client.getMetricHistory(parent.info.run_id, 'avg_rmse');
    assert.equal(parentHistory.length, 1, 'one avg_rmse value on the parent');
    assert.ok(pm.training_r2! > 0.9, 'training metrics from the best model summary');
    const childMetrics = children
      .map((c) => Number(c.data.metrics.find((m) => m.key === 'avg_rmse')!.value))
      .sort();
    assert.deepEqual(childMetrics, [...model.avgMetrics].sort());
    // each child's metric was logged once (during the fit, as its trials ended), not corrected afterwards
    for (const ch of children) {
      const history = await client.getMetricHistory(ch.info.run_id, 'avg_rmse');
      assert.equal(history.length, 1, 'one avg_rmse value per child');
      assert.equal(ch.info.status, 'FINISHED');
    }
    // the log-model endpoint keeps the model history: the model is recorded once, not twice
    const logged = JSON.parse(
      parent.data.tags.find((t) => t.key === 'mlflow.log-model.history')!.value,
    ) as Array<{ artifact_path: string }>;
    assert.deepEqual(
      logged.map((m) => m.artifact_path),
      ['model'],
    );

    const files = (await client.listArtifacts(parent.info.run_id, 'plots')).map((f) => f.path);
    for (const f of [
      'plots/residuals.svg',
      'plots/coefficients.svg',
      'plots/tuning_LinearRegression.regParam.svg',
      'plots/tuning_LinearRegression.fitIntercept.svg',
    ])
      assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
    const residuals = await client.readArtifactText(parent.info.run_id, 'plots/residuals.svg');
    assert.match(residuals, /^<svg/);
    // a tuning's residuals are its best map's out-of-fold ones (validation-plots.ts), drawn during the refit
    assert.match(residuals, /out-of-fold predictions of the best params \(3-fold CV\)/);
    const results = JSON.parse(
      await client.readArtifactText(parent.info.run_id, 'tuning/search_results.json'),
    ) as {
      results: Array<{ index: number; metric: number; std: number }>;
      bestIndex: number;
    };
    assert.equal(results.results.length, 6);
    assert.equal(results.bestIndex, best);
    assert.deepEqual(
      results.results.map((r) => [r.index, r.metric, r.std]),
      model.avgMetrics.map((m, i) => [i, m, model.stdMetrics[i]]),
    );

    // the logged model: MLmodel with the cauce flavor, signature, input example, profile; loads and predicts the same
    const dir = await mkdtemp(join(tmpdir(), 'cauce-autolog-model-'));
    try {
      const local = await client.downloadArtifacts(parent.info.run_id, 'model', dir);
      const mlmodel = await readMLmodel(local);
      assert.equal(mlmodel.flavors.cauce?.model_class, 'PipelineModel');
      assert.deepEqual(
        JSON.parse(mlmodel.signature!.inputs).map((c: { name: string }) => c.name),
        ['x1', 'x2'],
      );
      assert.deepEqual(
        JSON.parse(mlmodel.signature!.outputs).map((c: { name: string; type: string }) => [c.name, c.type]),
        [['prediction', 'double']],
      );
      const example = JSON.parse(await readFile(join(local, 'input_example.json'), 'utf8')) as {
        columns: string[];
      };
      assert.deepEqual(example.columns, ['x1', 'x2']);
      const profile = JSON.parse(await readFile(join(local, 'profile.json'), 'utf8')) as {
        numRows: number;
        columns: Record<string, { kind: string; histogram: { counts: number[] } }>;
      };
      assert.equal(profile.numRows, 300);
      assert.equal(
        profile.columns.x1!.histogram.counts.reduce((a, b) => a + b, 0),
        300,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const loaded = await loadModel(`runs:/${parent.info.run_id}/model`);
    const a = (await loaded.transform(frame)).float64('prediction');
    const b = (await model.transform(frame)).float64('prediction');
    assert.deepEqual([...a], [...b]);
    disableAutolog();
  });

  test('a classifier fit inside withRun: params, training metrics, ROC/PR/confusion plots; evaluator metric logged', async () => {
    await setExperiment('autolog-clf');
    autolog({ silent: true });
    const r = rng(5);
    const n = 400;
    const x1 = new Float64Array(n);
    const x2 = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x1[i] = r() * 2 - 1;
      x2[i] = r() * 2 - 1;
      y[i] = x1[i]! + 0.5 * x2[i]! + (r() - 0.5) * 0.6 > 0 ? 1 : 0;
    }
    const frame = Frame.fromColumns({ x1, x2, label: y });
    const pipe = new Pipeline({
      stages: [
        new VectorAssembler({ inputCols: ['x1', 'x2'], outputCol: 'features' }),
        new LogisticRegression(),
      ],
    });
    const run = await withRun({ runName: 'clf' }, async (r) => {
      const model = await pipe.fit(frame);
      const auc = new BinaryClassificationEvaluator().evaluate(await model.transform(frame));
      assert.ok(auc > 0.9);
      return r;
    });
    const got = await client.getRun(run.info.run_id);
    assert.equal(got.info.status, 'FINISHED');
    const params = Object.fromEntries(got.data.params.map((x) => [x.key, x.value]));
    assert.equal(params['LogisticRegression.maxIter'], '100');
    const metrics = Object.fromEntries(got.data.metrics.map((m) => [m.key, Number(m.value)]));
    assert.ok(metrics.training_accuracy! > 0.8);
    assert.ok(metrics.areaUnderROC! > 0.9, 'the evaluator call logged its metric into the active run');
    const plots = (await client.listArtifacts(run.info.run_id, 'plots')).map((f) => f.path);
    for (const f of [
      'plots/confusion_matrix.svg',
      'plots/roc_curve.svg',
      'plots/pr_curve.svg',
      'plots/coefficients.svg',
    ])
      assert.ok(plots.includes(f), `${f} in ${plots.join(', ')}`);
    disableAutolog();
  });

  test('TrainValidationSplit on a bare estimator: validation metric per child, vector input signature', async () => {
    const exp = await setExperiment('autolog-tvs');
    autolog({ silent: true, logPlots: false });
    const base = regressionFrame(200);
    const frame = (
      await new VectorAssembler({ inputCols: ['x1', 'x2'], outputCol: 'features' }).transform(base)
    ).select('features', 'label');
    const lr = new LinearRegression();
    const tvs = new TrainValidationSplit({
      estimator: lr,
      estimatorParamMaps: new ParamGridBuilder().addGrid(lr.regParam, [0, 1, 10]).build(),
      evaluator: new RegressionEvaluator({ metricName: 'r2' }),
      trainRatio: 0.7,
    });
    const model = await tvs.fit(frame);
    const runs = await client.searchAllRuns([exp.experiment_id]);
    const children = runs.filter((r) => r.data.tags.some((t) => t.key === 'mlflow.parentRunId'));
    assert.equal(children.length, 3);
    const got = children
      .map((c) => Number(c.data.metrics.find((m) => m.key === 'validation_r2')!.value))
      .sort();
    assert.deepEqual(got, [...model.validationMetrics].sort());
    const parent = runs.find((r) => !r.data.tags.some((t) => t.key === 'mlflow.parentRunId'))!;
    assert.equal(parent.data.params.find((p) => p.key === 'best_regParam')?.value, '0');
    const dir = await mkdtemp(join(tmpdir(), 'cauce-autolog-tvs-'));
    try {
      const mlmodel = await readMLmodel(await client.downloadArtifacts(parent.info.run_id, 'model', dir));
      assert.deepEqual(JSON.parse(mlmodel.signature!.inputs), [
        { type: 'array', items: { type: 'double' }, name: 'features', required: true },
      ]);
      assert.equal(mlmodel.flavors.cauce?.model_class, 'LinearRegressionModel');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    disableAutolog();
  });

  test('async: fit returns at once, the run is recorded in the background and flushed', async () => {
    const exp = await setExperiment('autolog-async');
    autolog({ silent: true, async: true, logPlots: false });
    const frame = (
      await new VectorAssembler({ inputCols: ['x1', 'x2'], outputCol: 'features' }).transform(
        regressionFrame(100),
      )
    ).select('features', 'label');
    const model = await new LinearRegression().fit(frame);
    assert.ok(model.coefficients.length === 2);
    await flushAutolog();
    const runs = await client.searchAllRuns([exp.experiment_id]);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.info.status, 'FINISHED');
    assert.ok(runs[0]!.data.params.some((p) => p.key === 'regParam'));
    assert.ok(
      (await client.listArtifacts(runs[0]!.info.run_id, 'model')).some((f) => f.path === 'model/MLmodel'),
    );
    disableAutolog();
  });

  test("the model directory is saveModel's, its frame-only files uploaded during the fit; a fold column is no input", async () => {
    const exp = await setExperiment('autolog-model-ahead');
    autolog({ silent: true, logPlots: false });
    const base = regressionFrame(240);
    const frame = base.withColumn(
      'fold',
      Int32Array.from({ length: base.numRows }, (_, i) => i % 3),
    );
    const lr = new LinearRegression({ solver: 'normal', featuresCol: 'features' });
    const pipe = new Pipeline({
      stages: [new VectorAssembler({ inputCols: ['x1', 'x2'], outputCol: 'features' }), lr],
    });
    const model = await new CrossValidator({
      estimator: pipe,
      estimatorParamMaps: new ParamGridBuilder().addGrid(lr.regParam, [0, 1]).build(),
      evaluator: new RegressionEvaluator({ metricName: 'rmse' }),
      foldCol: 'fold',
    }).fit(frame);
    const [run] = (await client.searchAllRuns([exp.experiment_id])).filter(
      (r) => !r.data.tags.some((t) => t.key === 'mlflow.parentRunId'),
    );
    const dir = await mkdtemp(join(tmpdir(), 'cauce-autolog-ahead-'));
    try {
      const logged = await client.downloadArtifacts(run!.info.run_id, 'model', join(dir, 'logged'));
      const saved = join(dir, 'saved');
      // autolog logs the best model, and knows the fold column is none of its inputs
      await saveModel(model.bestModel, saved, {
        trainingFrame: frame,
        inputExampleRows: 5,
        nonInputColumns: ['fold'],
      });
      const files = async (d: string) => (await readdir(d, { recursive: true })).map(String).sort();
      assert.deepEqual(await files(logged), await files(saved));
      // the files uploaded while the fit ran are byte for byte those the fitted model's directory has
      for (const f of ['input_example.json', 'serving_input_example.json'])
        assert.equal(await readFile(join(logged, f), 'utf8'), await readFile(join(saved, f), 'utf8'), f);
      const profileOf = async (d: string) => {
        const p = JSON.parse(await readFile(join(d, 'profile.json'), 'utf8')) as { createdAt?: string };
        assert.ok(p.createdAt, 'the profile says when it was made');
        delete p.createdAt;
        return p;
      };
      assert.deepEqual(await profileOf(logged), await profileOf(saved));
      const mlmodel = await readMLmodel(logged);
      assert.deepEqual(
        JSON.parse(mlmodel.signature!.inputs).map((c: { name: string }) => c.name),
        ['x1', 'x2'],
        'neither the label nor the fold column is a model input',
      );
      assert.deepEqual(mlmodel.signature, (await readMLmodel(saved)).signature);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    disableAutolog();
  });

  test('a failing fit logging models leaves no model files in its FAILED run', async () => {
    const exp = await setExperiment('autolog-fail-model');
    autolog({ silent: true, logPlots: false });
    const frame = Frame.fromColumns({ x: [1, 2, Number.NaN], label: [1, 2, 3] });
    const pipe = new Pipeline({
      stages: [new VectorAssembler({ inputCols: ['x'], outputCol: 'features' }), new LinearRegression()],
    });
    await assert.rejects(pipe.fit(frame));
    await flushAutolog();
    const [run, ...more] = await client.searchAllRuns([exp.experiment_id]);
    assert.equal(more.length, 0);
    assert.equal(run!.info.status, 'FAILED');
    assert.deepEqual(await client.listArtifacts(run!.info.run_id), [], 'no model/ left from the fit');
    disableAutolog();
  });

  test('a failing fit ends its autolog run FAILED and rethrows; disable restores plain fits', async () => {
    const exp = await setExperiment('autolog-fail');
    autolog({ silent: true, logModels: false, logPlots: false });
    const frame = Frame.fromColumns({ x: [1, 2, Number.NaN], label: [1, 2, 3] });
    const pipe = new Pipeline({
      stages: [new VectorAssembler({ inputCols: ['x'], outputCol: 'features' }), new LinearRegression()],
    });
    await assert.rejects(pipe.fit(frame));
    await flushAutolog();
    const runs = await client.searchAllRuns([exp.experiment_id]);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.info.status, 'FAILED');
    disableAutolog();
    await new LinearRegression().fit(
      regressionFrame(20).withColumn(
        'features',
        (
          await new VectorAssembler({ inputCols: ['x1'], outputCol: 'f' }).transform(regressionFrame(20))
        ).column('f'),
      ),
    );
    assert.equal((await client.searchAllRuns([exp.experiment_id])).length, 1, 'no run once disabled');
  });
});
