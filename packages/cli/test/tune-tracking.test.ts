// `cauce tune` logging to a real tracking server started by the test: the parent run with the best
// params and the test metric, one child run per param map, the model artifact, and the registered
// version behind the alias.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient } from '@cauce/client';
import type { TuneResult } from '../src/spec/run.js';
import { cauce, startTrackingServer, writeRegressionCsv, writeSpec } from './support/tune-fixture.js';

test('cauce tune --tracking-uri logs parent and child runs and registers the best model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-tune-track-'));
  const server = await startTrackingServer(dir);
  try {
    writeRegressionCsv(join(dir, 'data.csv'), 200, 23);
    const spec = writeSpec(dir, 'houses.json', {
      data: { path: 'data.csv', split: { trainRatio: 0.8, seed: 4 } },
      label: 'y',
      features: ['x1', 'x2', 'x3'],
      pipeline: [{ stage: 'LinearRegression', name: 'lr' }],
      tuning: { numFolds: 2, seed: 1, grid: { 'lr.regParam': [0, 1, 10] } },
      evaluator: { name: 'RegressionEvaluator', metric: 'rmse' },
    });
    const args = ['tune', spec, '--json', '--tracking-uri', server.url, '--experiment', 'houses'];
    const r = await cauce([...args, '--register-as', 'houses', '--alias', 'champion']);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as TuneResult;
    const t = got.tracking!;
    assert.equal(t.trackingUri, server.url);

    const client = new MlflowClient(server.url);
    const exp = (await client.getExperimentByName('houses'))!;
    assert.equal(t.experimentId, exp.experiment_id);
    const parent = await client.getRun(t.runId);
    assert.equal(parent.info.status, 'FINISHED');
    const metrics = Object.fromEntries(parent.data.metrics.map((m) => [m.key, Number(m.value)]));
    assert.ok(Math.abs(metrics.avg_rmse! - got.bestMetric) < 1e-9, `avg_rmse ${metrics.avg_rmse}`);
    assert.ok(Math.abs(metrics.test_rmse! - got.testMetrics.rmse!) < 1e-9, `test_rmse ${metrics.test_rmse}`);
    const params = Object.fromEntries(parent.data.params.map((p) => [p.key, p.value]));
    assert.equal(params['best_LinearRegression.regParam'], String(got.bestParams['lr.regParam']));

    const children = await client.searchRuns([exp.experiment_id], {
      filter: `tags.mlflow.parentRunId = '${t.runId}'`,
    });
    assert.equal(children.items.length, 3);
    const childMetrics = children.items
      .map((c) => Number(c.data.metrics.find((m) => m.key === 'avg_rmse')!.value))
      .sort((a, b) => a - b);
    const want = got.results.map((x) => x.metric).sort((a, b) => a - b);
    for (const [i, v] of want.entries()) assert.ok(Math.abs(childMetrics[i]! - v) < 1e-9);

    const files = await client.listArtifacts(t.runId, 'model');
    assert.ok(
      files.some((f) => f.path === 'model/MLmodel'),
      JSON.stringify(files),
    );
    const version = await client.getModelVersionByAlias('houses', 'champion');
    assert.equal(version.run_id, t.runId);
    assert.equal(String(version.version), t.registered!.version);
    assert.equal(t.modelUri, `runs:/${t.runId}/model`);

    // a second tune registers version 2 and moves the alias
    const r2 = await cauce([...args, '--register-as', 'houses', '--alias', 'champion', '--no-progress']);
    assert.equal(r2.code, 0, r2.stderr);
    const t2 = (JSON.parse(r2.stdout) as TuneResult).tracking!;
    assert.equal(t2.registered!.version, '2');
    assert.equal((await client.getModelVersionByAlias('houses', 'champion')).run_id, t2.runId);

    // cauce train logs one run (no children) with its test metric and model, registered under its own name
    const tr = await cauce([
      'train',
      spec,
      '--json',
      '--no-progress',
      '--tracking-uri',
      server.url,
      '--experiment',
      'houses',
      '--register-as',
      'houses-baseline',
    ]);
    assert.equal(tr.code, 0, tr.stderr);
    const trained = JSON.parse(tr.stdout) as { testMetrics: { rmse: number }; tracking: { runId: string } };
    const run = await client.getRun(trained.tracking.runId);
    const tm = run.data.metrics.find((m) => m.key === 'test_rmse');
    assert.ok(tm && Math.abs(Number(tm.value) - trained.testMetrics.rmse) < 1e-9);
    assert.ok(
      run.data.params.some((p) => p.key.endsWith('regParam')),
      JSON.stringify(run.data.params),
    );
    const baseline = await client.getLatestVersions('houses-baseline');
    assert.equal(baseline[0]!.run_id, trained.tracking.runId);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreachable tracking server is a clear error before any fit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-tune-down-'));
  try {
    writeRegressionCsv(join(dir, 'data.csv'), 50);
    const spec = writeSpec(dir, 's.json', {
      data: { path: 'data.csv' },
      label: 'y',
      features: ['x1'],
      pipeline: ['LinearRegression'],
      evaluator: { name: 'RegressionEvaluator' },
    });
    // port 9 (discard) on loopback: nothing listens there
    const r = await cauce(['train', spec, '--no-progress'], { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: tracking server http:\/\/127\.0\.0\.1:9: cannot reach/);
    assert.match(r.stderr, /hint: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
