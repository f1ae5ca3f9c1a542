import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, openStore } from '@cauce/server';

test('uiDir: built UI files are served at /, API misses stay JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-ui-'));
  mkdirSync(join(dir, 'ui', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><title>Cauce</title>');
  writeFileSync(join(dir, 'ui', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'outside the UI root');
  const store = await openStore(`sqlite:///${join(dir, 'db.sqlite')}`);
  const app = await buildApp({ store, uiDir: join(dir, 'ui') });
  try {
    const index = await app.inject({ method: 'GET', url: '/' });
    assert.equal(index.statusCode, 200);
    assert.match(index.body, /<title>Cauce<\/title>/);
    assert.equal((await app.inject({ method: 'GET', url: '/assets/app.js' })).statusCode, 200);
    const api = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/nope' });
    assert.equal(api.statusCode, 404);
    assert.equal((api.json() as { error_code: string }).error_code, 'ENDPOINT_NOT_FOUND');
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await app.inject({ method: 'GET', url });
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${url} → ${r.statusCode}`);
      assert.doesNotMatch(r.body, /outside the UI root/);
    }
    // the API still answers next to the UI
    assert.equal(
      (await app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=0' }))
        .statusCode,
      200,
    );
  } finally {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
