// The published shape: the compiled package (dist/, built by `tsc -b`, which `npm test` runs first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, openStore } from '../dist/index.js';

test('built @cauce/server opens a store and serves the API', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-dist-'));
  const store = await openStore(`sqlite:///${join(dir, 'db.sqlite')}`);
  const app = await buildApp({ store });
  try {
    const res = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=0' });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as { experiment: { name: string } }).experiment.name, 'Default');
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.json() as { error_code: string }).error_code, 'ENDPOINT_NOT_FOUND');
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
