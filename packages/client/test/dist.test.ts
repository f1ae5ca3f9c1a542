import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// The published shape: plain `node` (no `source` condition) resolves @cauce/client, @cauce/ml and the server
// to their built dist/ (made by `tsc -b`, which `npm test` runs first): a CrossValidator fit on worker
// threads under autolog (logged from autolog's own worker thread), to a real server, then loaded back by
// runs:/ URI.
test('the built @cauce/client and @cauce/ml tune, log and load without the source condition', () => {
  const script = `
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { Frame, vectorColumn } = await import('@cauce/frame');
    const ml = await import('@cauce/ml');
    const client = await import('@cauce/client');
    const { startServer } = await import('@cauce/server');
    const dir = mkdtempSync(join(tmpdir(), 'cauce-client-dist-'));
    const server = await startServer({ port: 0, backendStoreUri: 'sqlite:///' + join(dir, 'db.sqlite'), artifactsDestination: join(dir, 'art') });
    try {
      client.setTrackingUri(server.url);
      await client.setExperiment('dist');
      client.autolog({ logPlots: false });
      const n = 60;
      const x = Float64Array.from({ length: n * 2 }, (_, i) => (i * 37) % 11);
      const y = Float64Array.from({ length: n }, (_, i) => 2 * x[2 * i] - x[2 * i + 1] + 1);
      const f = Frame.fromColumns({ features: vectorColumn(2, x), label: y });
      const lr = new ml.LinearRegression();
      const cv = new ml.CrossValidator({
        estimator: new ml.Pipeline({ stages: [lr] }),
        estimatorParamMaps: new ml.ParamGridBuilder().addGrid(lr.regParam, [0, 1]).build(),
        evaluator: new ml.RegressionEvaluator(),
        parallelism: 2,
      });
      const m = await cv.fit(f);
      const c = new client.MlflowClient(server.url);
      const exp = await c.getExperimentByName('dist');
      const runs = await c.searchAllRuns([exp.experiment_id]);
      const parent = runs.find((r) => !r.data.tags.some((t) => t.key === 'mlflow.parentRunId'));
      const loaded = await client.loadModel('runs:/' + parent.info.run_id + '/model');
      const a = Array.from((await loaded.transform(f)).float64('prediction'));
      const b = Array.from((await m.transform(f)).float64('prediction'));
      console.log(JSON.stringify({ runs: runs.length, same: JSON.stringify(a) === JSON.stringify(b) }));
    } finally {
      client.disableAutolog();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  `;
  const root = new URL('../../../', import.meta.url).pathname;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), { runs: 3, same: true });
  // logged on autolog's logging thread (dist/autolog/log-worker.js): a thread that failed would warn
  assert.doesNotMatch(res.stderr, /cauce autolog/);
});
