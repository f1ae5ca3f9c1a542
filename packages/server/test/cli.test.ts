/**
 * The real `cauce` binary (from sources): `cauce server` serves the API and answers start-up
 * mistakes with clear errors; `--workers 2` shares one port; `cauce gc` frees deleted names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const main = join(repo, 'packages/cli/src/main.ts');

function cauce(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function listeningUrl(child: ChildProcess, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no "listening" line in ${timeoutMs} ms: ${out} ${err}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out} ${err}`)));
  });
}

/** SIGTERM, then SIGKILL if the process has not gone after 60 s (a test must never leave it behind). */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

async function json(url: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

const opts = { timeout: 240_000 };

test('cauce server serves the tracking API and stops on SIGTERM', opts, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-'));
  try {
    const child = cauce([
      'server',
      '--port',
      '0',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'db.sqlite')}`,
      '--artifacts-destination',
      join(dir, 'artifacts'),
    ]);
    const url = await listeningUrl(child);
    const created = await json(`${url}/api/2.0/mlflow/experiments/create`, { name: 'from-cli' });
    assert.match(String(created.experiment_id), /^\d+$/);
    const put = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/1/x.txt`, {
      method: 'PUT',
      body: 'hi',
    });
    assert.equal(put.status, 200);
    assert.equal(await (await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/1/x.txt`)).text(), 'hi');
    assert.equal(await stop(child), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cauce server explains a busy port and a bad backend URI', opts, async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-'));
  try {
    const busy = await finished(
      cauce(['server', '--port', String(port), '--backend-store-uri', `sqlite:///${join(dir, 'db.sqlite')}`]),
    );
    assert.equal(busy.code, 2);
    assert.match(busy.stderr, /already in use/);
    assert.match(busy.stderr, /--port/);
    const bad = await finished(cauce(['server', '--backend-store-uri', 'mysql://db/x']));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad --backend-store-uri/);
    assert.match(bad.stderr, /postgresql:\/\//);
    const unreachable = await finished(
      cauce(['server', '--port', '0', '--backend-store-uri', 'postgresql://u:secret@127.0.0.1:1/db']),
    );
    assert.equal(unreachable.code, 2);
    assert.match(
      unreachable.stderr,
      /cannot open the backend store postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/,
    );
    assert.doesNotMatch(unreachable.stderr, /secret/);
    const badPort = await finished(cauce(['server', '--port', 'abc']));
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port must be a whole number/);
    const badTimeout = await finished(cauce(['server', '--request-timeout', '2.5s']));
    assert.equal(badTimeout.code, 2);
    assert.match(badTimeout.stderr, /--request-timeout must be a whole number/);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cauce server --workers 2 shares one port', opts, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-'));
  try {
    const child = cauce([
      'server',
      '--port',
      '0',
      '--workers',
      '2',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'db.sqlite')}`,
    ]);
    const url = await listeningUrl(child);
    const names = Array.from({ length: 20 }, (_, i) => `w-${i}`);
    await Promise.all(names.map((name) => json(`${url}/api/2.0/mlflow/experiments/create`, { name })));
    const found = (await json(`${url}/api/2.0/mlflow/experiments/search`, { filter: "name LIKE 'w-%'" })) as {
      experiments: unknown[];
    };
    assert.equal(found.experiments.length, 20);
    await stop(child);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cauce gc permanently removes deleted experiments and runs so names can be reused', opts, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-'));
  const uri = `sqlite:///${join(dir, 'db.sqlite')}`;
  try {
    let child = cauce([
      'server',
      '--port',
      '0',
      '--backend-store-uri',
      uri,
      '--artifacts-destination',
      join(dir, 'art'),
    ]);
    let url = await listeningUrl(child);
    const { experiment_id } = (await json(`${url}/api/2.0/mlflow/experiments/create`, {
      name: 'reuse-me',
    })) as {
      experiment_id: string;
    };
    const { run } = (await json(`${url}/api/2.0/mlflow/runs/create`, { experiment_id: '0' })) as {
      run: { info: { run_id: string } };
    };
    await json(`${url}/api/2.0/mlflow/experiments/delete`, { experiment_id });
    await json(`${url}/api/2.0/mlflow/runs/delete`, { run_id: run.info.run_id });
    await stop(child);

    const notDeleted = await finished(cauce(['gc', '--backend-store-uri', uri, '--experiment-ids', '0']));
    assert.equal(notDeleted.code, 2);
    assert.match(notDeleted.stderr, /not in the deleted stage/);
    const badDuration = await finished(cauce(['gc', '--backend-store-uri', uri, '--older-than', 'soon']));
    assert.equal(badDuration.code, 2);
    const later = await finished(cauce(['gc', '--backend-store-uri', uri, '--older-than', '1d']));
    assert.match(later.stdout, /removed 0 run\(s\) and 0 experiment\(s\)/);
    const gc = await finished(
      cauce(['gc', '--backend-store-uri', uri, '--artifacts-destination', join(dir, 'art')]),
    );
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stdout, /removed 1 run\(s\) and 1 experiment\(s\)/);

    child = cauce(['server', '--port', '0', '--backend-store-uri', uri]);
    url = await listeningUrl(child);
    const again = await json(`${url}/api/2.0/mlflow/experiments/create`, { name: 'reuse-me' });
    assert.match(String(again.experiment_id), /^\d+$/);
    const gone = await fetch(`${url}/api/2.0/mlflow/runs/get?run_id=${run.info.run_id}`);
    assert.equal(gone.status, 404);
    await stop(child);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
