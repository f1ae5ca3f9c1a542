import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@cauce/server';

test('--no-serve-artifacts: no proxy, experiments get a local artifact root that artifacts/list reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-noproxy-'));
  const server = await startServer({
    port: 0,
    backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`,
    artifactsDestination: join(dir, 'artifacts'),
    serveArtifacts: false,
  });
  try {
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/0/x.txt`, {
      method: 'PUT',
      body: 'x',
    });
    assert.equal(put.status, 404);
    assert.equal(((await put.json()) as { error_code: string }).error_code, 'ENDPOINT_NOT_FOUND');
    const created = (await (
      await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
        method: 'POST',
        body: '{"name":"local"}',
      })
    ).json()) as { experiment_id: string };
    const run = (await (
      await fetch(`${server.url}/api/2.0/mlflow/runs/create`, {
        method: 'POST',
        body: JSON.stringify({ experiment_id: created.experiment_id }),
      })
    ).json()) as { run: { info: { run_id: string; artifact_uri: string } } };
    const root = run.run.info.artifact_uri;
    assert.equal(root, join(dir, 'artifacts', created.experiment_id, run.run.info.run_id, 'artifacts'));
    // a client with direct access writes there itself; the server lists it
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'model.txt'), 'abc');
    const list = (await (
      await fetch(`${server.url}/api/2.0/mlflow/artifacts/list?run_id=${run.run.info.run_id}`)
    ).json()) as { root_uri: string; files: unknown[] };
    assert.equal(list.root_uri, root);
    assert.deepEqual(list.files, [{ path: 'model.txt', is_dir: false, file_size: 3 }]);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
