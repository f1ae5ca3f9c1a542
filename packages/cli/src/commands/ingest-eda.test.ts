import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowClient } from '@cauce/client';
import { startServer } from '@cauce/server';
import { startSecopFixture } from '../../../data/test/secop-fixture.js';

// The real `cauce` binary, spawned from source (as users run it through `npm run dev`).
const main = new URL('../main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-data-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cauce(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test('cauce ingest (Socrata API with a 429) then cauce eda', async () => {
  const fx = await startSecopFixture({ rows: 1_200, faults: [{ offset: 400, kind: '429', times: 1 }] });
  try {
    const out = join(dir, 'secop.parquet');
    const r = await cauce([
      'ingest',
      fx.socrataUrl,
      '-o',
      out,
      '--page-size',
      '400',
      '--where',
      'valor_del_contrato > 0',
      '--cast',
      'valor_del_contrato=double',
      '--cast',
      'fecha_de_firma=timestamp',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 1200 rows × 14 columns from 3 pages/);
    assert.match(r.stderr, /rows\/s/);
    assert.match(r.stderr, /retry 1 of .*HTTP 429/);
    const html = join(dir, 'eda.html');
    const json = join(dir, 'eda.json');
    const e = await cauce(['eda', out, '--target', 'valor_del_contrato', '-o', html, '--json', json]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /summarised 1200 rows × 14 columns/);
    assert.match(readFileSync(html, 'utf8'), /<h2>Trend by month<\/h2>/);
    const summary = JSON.parse(readFileSync(json, 'utf8')) as { monthly: { valueColumn: string } };
    assert.equal(summary.monthly.valueColumn, 'valor_del_contrato');
  } finally {
    await fx.close();
  }
});

test('bad input is a clear error with a hint, never a stack trace', async () => {
  const fx = await startSecopFixture({ rows: 5 });
  try {
    const html = await cauce([
      'ingest',
      `${fx.url}/html`,
      '-o',
      join(dir, 'x.parquet'),
      '--pagination',
      'none',
      '--no-progress',
    ]);
    assert.equal(html.code, 2);
    assert.match(html.stderr, /error: GET .* did not return JSON \(text\/html\)/);
    assert.match(html.stderr, /hint: /);
    const cast = await cauce([
      'ingest',
      fx.socrataUrl,
      '-o',
      join(dir, 'y.parquet'),
      '--cast',
      'valor=money',
    ]);
    assert.equal(cast.code, 2);
    assert.match(cast.stderr, /unknown cast type "money"/);
    assert.ok(!existsSync(join(dir, 'y.parquet')));
    const nothing = await cauce(['eda', join(dir, 'missing.csv'), '-o', join(dir, 'r.html')]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /no such file/);
    assert.doesNotMatch(html.stderr + cast.stderr + nothing.stderr, /internal error|at .*\.ts:\d+/);
  } finally {
    await fx.close();
  }
});

test('cauce eda --tracking-uri logs the report as run artifacts on a real tracking server', async () => {
  const store = mkdtempSync(join(tmpdir(), 'cauce-cli-eda-track-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    backendStoreUri: `sqlite:///${join(store, 'mlflow.db')}`,
    artifactsDestination: join(store, 'artifacts'),
  });
  try {
    const csv = join(dir, 'track.csv');
    writeFileSync(csv, 'a,b\n1,x\n2,y\n3,x\n');
    const r = await cauce([
      'eda',
      csv,
      '--target',
      'a',
      '--tracking-uri',
      server.url,
      '--experiment',
      'eda-test',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const runId = /logged the report to run (\w+)/.exec(r.stdout)?.[1];
    assert.ok(runId, r.stdout);
    const client = new MlflowClient(server.url);
    const files = (await client.listArtifacts(runId, 'eda')).map((f) => f.path).sort();
    assert.deepEqual(files, ['eda/report.html', 'eda/report.json']);
    const run = await client.getRun(runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.ok(run.data.metrics?.some((m) => m.key === 'rows' && m.value === 3));
  } finally {
    await server.close();
    rmSync(store, { recursive: true, force: true });
  }
});
