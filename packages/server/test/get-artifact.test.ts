/**
 * `GET /get-artifact?run_uuid=&path=` (and its /ajax-api and /api forms): one file of a run, as
 * MLflow's UI downloads it, through real HTTP; traversal attempts, missing files and runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectError, forEachDialect } from './support/server.js';

const PROXY = '/api/2.0/mlflow-artifacts/artifacts';

forEachDialect('get-artifact', (h) => {
  let runId = '';

  test('sends a run file as an attachment, under every prefix, with run_id or run_uuid', async () => {
    const { run } = (await h().post('runs/create', { experiment_id: '0' })) as {
      run: { info: { run_id: string; artifact_uri: string } };
    };
    runId = run.info.run_id;
    const base = run.info.artifact_uri.replace('mlflow-artifacts:/', '');
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251));
    assert.equal(
      (await fetch(`${h().url}${PROXY}/${base}/model/weights.bin`, { method: 'PUT', body: payload })).status,
      200,
    );
    assert.equal(
      (await fetch(`${h().url}${PROXY}/${base}/notes.txt`, { method: 'PUT', body: 'hello' })).status,
      200,
    );

    const res = await fetch(`${h().url}/get-artifact?run_uuid=${runId}&path=model/weights.bin`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), payload);
    assert.equal(res.headers.get('content-length'), String(payload.length));
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="weights.bin"');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);

    for (const prefix of ['/ajax-api/2.0/mlflow', '/api/2.0/mlflow', '']) {
      const r = await fetch(`${h().url}${prefix}/get-artifact?run_id=${runId}&path=notes.txt`);
      assert.equal(r.status, 200, prefix);
      assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await r.text(), 'hello');
    }
    // An encoded path names the same file.
    const enc = await fetch(
      `${h().url}/get-artifact?run_id=${runId}&path=${encodeURIComponent('model/weights.bin')}`,
    );
    assert.equal(enc.status, 200);
    await enc.arrayBuffer();
  });

  test('traversal attempts are refused before any file is read', async () => {
    // A file outside the run's artifact root that a traversal would reach.
    writeFileSync(join(h().dir, 'secret.txt'), 'secret');
    const bad = [
      '../../../secret.txt',
      '..%2F..%2F..%2Fsecret.txt',
      '%2e%2e/%2e%2e/%2e%2e/secret.txt',
      '%252e%252e%252f%252e%252e%252fsecret.txt',
      '/etc/passwd',
      '%2Fetc%2Fpasswd',
      'C:/Windows/win.ini',
      'a\\..\\..\\secret.txt',
      'notes.txt%00.png',
      'file:///etc/passwd',
    ];
    for (const p of bad) {
      const r = await h().call('GET', `/get-artifact?run_id=${runId}&path=${p}`);
      assert.equal(r.status, 400, `${p} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE', p);
      assert.ok(!JSON.stringify(r.body).includes('secret"'), p);
    }
  });

  test('a symlink in the artifact tree cannot lead outside the artifact root', async () => {
    const runDir = join(h().dir, 'artifacts', '0', runId, 'artifacts');
    mkdirSync(runDir, { recursive: true });
    symlinkSync(h().dir, join(runDir, 'escape'));
    const r = await h().call('GET', `/get-artifact?run_id=${runId}&path=escape/secret.txt`);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
  });

  test('missing file, missing run and missing parameters', async () => {
    const m = expectError(
      await h().call('GET', `/get-artifact?run_id=${runId}&path=model/nothing.bin`),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    assert.match(m, /nothing\.bin/);
    // A directory is not a file to download.
    expectError(
      await h().call('GET', `/get-artifact?run_id=${runId}&path=model`),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await h().call('GET', '/get-artifact?run_id=0123456789abcdef0123456789abcdef&path=notes.txt'),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(await h().call('GET', `/get-artifact?run_id=${runId}`), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await h().call('GET', '/get-artifact?path=notes.txt'), 400, 'INVALID_PARAMETER_VALUE');
  });
});
