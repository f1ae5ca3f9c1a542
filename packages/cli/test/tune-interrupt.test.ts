// Ctrl-C during a tracked `cauce tune`: the run and its child runs end KILLED (MLflow's status for an
// interrupted run), none is left RUNNING. A real `cauce tune` process against a real tracking server on
// loopback; SIGINT is sent once the first trial is reported; every wait is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient } from '@cauce/client';
import { startTrackingServer, writeRegressionCsv, writeSpec } from './support/tune-fixture.js';

const main = new URL('../src/main.ts', import.meta.url).pathname;

test('SIGINT during a tracked cauce tune ends the run and its children KILLED', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-tune-sigint-'));
  const server = await startTrackingServer(dir);
  try {
    writeRegressionCsv(join(dir, 'data.csv'), 60_000, 31);
    // 300 trials of an iterative solver over the rows (OWL-QN: l-bfgs with an L1 term; 'auto' would pick the
    // normal solver, whose coordinate descent on 3 features ends the whole tuning in well under a second) on
    // 60,000 rows: seconds of tuning, so the signal lands mid-way even when the logging thread, which runs
    // at a lower priority, creates the child runs late on a busy machine; 100 maps, so every child run is
    // created as the tuning starts (maxTuningRuns)
    const regParams = Array.from({ length: 100 }, (_, i) => 0.001 * 1.1 ** i);
    const spec = writeSpec(dir, 'slow.json', {
      data: { path: 'data.csv' },
      label: 'y',
      features: ['x1', 'x2', 'x3'],
      pipeline: [
        {
          stage: 'LinearRegression',
          name: 'lr',
          params: { solver: 'l-bfgs', elasticNetParam: 0.5, maxIter: 200, tol: 0 },
        },
      ],
      tuning: { numFolds: 3, seed: 1, grid: { 'lr.regParam': regParams } },
      evaluator: { name: 'RegressionEvaluator', metric: 'rmse' },
    });
    const env = { ...process.env };
    delete env.MLFLOW_TRACKING_URI;
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        main,
        'tune',
        spec,
        '--tracking-uri',
        server.url,
        '--experiment',
        'sigint',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    let stderr = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    let running = true;
    void exited.then(() => (running = false));
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // SIGINT once the tuning is under way: trials are being scored and child runs exist on the server
    const client = new MlflowClient(server.url);
    let signalled = false;
    const deadline = Date.now() + 30_000;
    while (running && !signalled && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      if (!/trial [1-9]/.test(stderr)) continue;
      const exp = await client.getExperimentByName('sigint');
      if (!exp) continue;
      const found = await client.searchRuns([exp.experiment_id], {
        filter: "tags.mlflow.autologging = 'cauce.ml'",
        maxResults: 5,
      });
      if (found.items.some((r) => r.data.tags.some((t) => t.key === 'mlflow.parentRunId'))) {
        signalled = child.kill('SIGINT');
      }
    }
    const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const { code, signal } = await exited;
    clearTimeout(timeout);
    assert.ok(signalled, `the tuning ended before it could be interrupted:\n${stderr}`);
    // the signal is raised again once the runs are ended: the process ends as Ctrl-C ends it
    assert.ok(signal === 'SIGINT' || code === 130, `exit ${code} / ${signal}:\n${stderr}`);

    const exp = (await client.getExperimentByName('sigint'))!;
    const runs = (await client.searchRuns([exp.experiment_id], { maxResults: 1000 })).items;
    const parent = runs.find((r) => !r.data.tags.some((t) => t.key === 'mlflow.parentRunId'));
    assert.ok(parent, `no parent run among ${runs.length}`);
    assert.equal(parent.info.status, 'KILLED');
    const children = runs.filter((r) => r !== parent);
    assert.ok(children.length > 0, 'the child runs were created as the tuning started');
    for (const c of children) {
      assert.ok(
        c.info.status === 'KILLED' || c.info.status === 'FINISHED',
        `${c.info.run_name}: ${c.info.status}`,
      );
      assert.ok(
        c.info.end_time !== undefined && c.info.end_time !== null,
        `${c.info.run_name} has no end time`,
      );
    }
    assert.ok(
      children.some((c) => c.info.status === 'KILLED'),
      'the maps not scored yet end KILLED',
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
