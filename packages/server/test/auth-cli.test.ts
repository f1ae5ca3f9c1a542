/** `cauce server --auth` as a real process: the one-time admin password, 401 without credentials, 200 with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

test('cauce server --auth prints a one-time admin password and protects the API', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-auth-cli-'));
  const env = { ...process.env };
  delete env.CAUCE_ADMIN_PASSWORD;
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'packages/cli/src/main.ts',
      'server',
      '--auth',
      '--port',
      '0',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'db.sqlite')}`,
      '--artifacts-destination',
      join(dir, 'artifacts'),
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setInterval(() => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearInterval(timer);
          resolveUrl(m[1]!);
        }
      }, 100);
      child.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`server exited with ${code}: ${err}`));
      });
    });
    const password = /one-time password (\S+)/.exec(err)?.[1];
    assert.ok(password, `no one-time password printed: ${err}`);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await fetch(`${url}/api/2.0/mlflow/experiments/search`)).status, 401);
    const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
    const ok = await fetch(`${url}/api/2.0/mlflow/experiments/search`, { headers: { authorization: auth } });
    assert.equal(ok.status, 200);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});
