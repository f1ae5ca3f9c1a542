// The client against a real `cauce server` (SQLite, real HTTP): experiments, runs, params, metrics
// (batched under the limits), tags, artifacts both ways, search and metric history, the fluent API's
// run lifecycle, and the error paths as the server answers them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFINITY_SURROGATE, MlflowError } from '@cauce/protocol';
import {
  ClientError,
  MlflowClient,
  _resetFluentState,
  activeRun,
  chunkBatch,
  logDict,
  logFigure,
  logMetric,
  logMetrics,
  logParam,
  logParams,
  logText,
  parseModelUri,
  parseRunsUri,
  setExperiment,
  setTrackingUri,
  startRun,
  withRun,
} from '@cauce/client';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let client: MlflowClient;
let work: string;

before(async () => {
  server = await startTestServer();
  client = new MlflowClient(server.url);
  work = await mkdtemp(join(tmpdir(), 'cauce-client-files-'));
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

async function rejectsWith(
  p: Promise<unknown>,
  check: (e: unknown) => boolean,
  what: string,
): Promise<unknown> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined && check(err), `${what}: got ${String(err)}`);
  return err;
}

describe('MlflowClient: tracking', () => {
  test('experiments: create, get by name (undefined when missing), duplicate is RESOURCE_ALREADY_EXISTS', async () => {
    const id = await client.createExperiment('exp-a', { tags: { team: 'ml' } });
    const exp = await client.getExperimentByName('exp-a');
    assert.equal(exp?.experiment_id, id);
    assert.equal(await client.getExperimentByName('nope'), undefined);
    const err = await rejectsWith(
      client.createExperiment('exp-a'),
      (e) => e instanceof MlflowError && e.errorCode === 'RESOURCE_ALREADY_EXISTS',
      'duplicate experiment',
    );
    assert.equal((err as MlflowError).httpStatus, 400);
    const page = await client.searchExperiments({ filter: "name = 'exp-a'" });
    assert.deepEqual(
      page.items.map((e) => e.name),
      ['exp-a'],
    );
  });

  test('runs: params, metrics (NaN, ±Inf, steps), tags, batch over the limits, history, search', async () => {
    const expId = await client.createExperiment('exp-runs');
    const run = await client.createRun(expId, { runName: 'r1', tags: { source: 'test' } });
    const id = run.info.run_id;
    await client.logParam(id, 'alpha', 0.5);
    await client.logParam(id, 'fit_intercept', true);
    await client.logMetric(id, 'loss', NaN, { step: 0 });
    await client.logMetric(id, 'loss', Infinity, { step: 1 });
    await client.logMetric(id, 'loss', 0.25, { step: 2 });
    await client.setTag(id, 'stage', 'dev');
    // 250 params, 40 tags, 2,500 metrics: needs several log-batch requests
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i]));
    const tags = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, `v${i}`]));
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'curve', value: i / 10, step: i }));
    assert.ok(chunkBatch([], [], []).length === 0);
    await client.logBatch(id, { params, tags, metrics });
    const got = await client.getRun(id);
    const p = Object.fromEntries(got.data.params.map((x) => [x.key, x.value]));
    assert.equal(p.alpha, '0.5');
    assert.equal(p.fit_intercept, 'True');
    assert.equal(p.p249, '249');
    assert.equal(got.data.params.length, 252);
    assert.equal(got.data.tags.find((t) => t.key === 't39')?.value, 'v39');
    const hist = await client.getMetricHistory(id, 'loss');
    // MLflow stores +Inf as DBL_MAX (sqlalchemy_store); either spelling is fine for a client
    assert.deepEqual(
      hist.map((m) => m.step),
      [0, 1, 2],
    );
    assert.ok(Number.isNaN(hist[0]!.value));
    assert.ok(hist[1]!.value >= INFINITY_SURROGATE);
    assert.equal(hist[2]!.value, 0.25);
    assert.equal((await client.getMetricHistory(id, 'curve')).length, 2500);
    await client.logInputs(id, [
      {
        dataset: { name: 'houses', digest: 'abc123', source_type: 'local', source: '/data/houses.parquet' },
        tags: { 'mlflow.data.context': 'training' },
      },
    ]);
    const withInputs = await client.getRun(id);
    assert.equal(withInputs.inputs.dataset_inputs[0]?.dataset.name, 'houses');
    await client.setTerminated(id, 'FINISHED');
    const run2 = await client.createRun(expId, { runName: 'r2' });
    await client.logMetric(run2.info.run_id, 'loss', 0.1);
    const found = await client.searchRuns([expId], {
      filter: 'metrics.loss < 0.2',
      orderBy: ['metrics.loss ASC'],
    });
    assert.deepEqual(
      found.items.map((r) => r.info.run_name),
      ['r2'],
    );
    assert.equal((await client.searchAllRuns([expId], { maxResults: 1 })).length, 2);
  });

  test('chunkBatch keeps every request under MLflow limits', () => {
    const kv = (n: number, len = 5) =>
      Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(len) }));
    const ms = Array.from({ length: 2345 }, (_, i) => ({ key: 'm', value: i, timestamp: 0, step: i }));
    const chunks = chunkBatch(kv(230), kv(30), ms);
    for (const c of chunks) {
      assert.ok(c.params.length + c.tags.length <= 100);
      assert.ok(c.metrics.length <= 1000);
      assert.ok(c.params.length + c.tags.length + c.metrics.length <= 1000);
    }
    assert.equal(
      chunks.reduce((s, c) => s + c.params.length, 0),
      230,
    );
    assert.equal(
      chunks.reduce((s, c) => s + c.metrics.length, 0),
      2345,
    );
    // large values: the 1 MB body cap splits by size too
    const big = chunkBatch(kv(90, 5000), [], []);
    for (const c of big) assert.ok(JSON.stringify(c).length < 1_000_000);
  });

  test('artifacts: file, directory, text, listing and download round trip', async () => {
    const expId = await client.createExperiment('exp-art');
    const id = (await client.createRun(expId)).info.run_id;
    const src = join(work, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'a.txt'), 'alpha');
    await writeFile(join(src, 'sub', 'b.bin'), Buffer.from([0, 1, 2, 255]));
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await writeFile(join(work, 'big.bin'), big);
    await client.logArtifacts(id, src, 'data');
    await client.logArtifact(id, join(work, 'big.bin'));
    await client.logText(id, 'hello', 'notes/hello.txt');
    await client.logDict(id, { a: 1 }, 'notes/d.json');
    const top = await client.listArtifacts(id);
    assert.deepEqual(
      top.map((f) => [f.path, f.is_dir]),
      [
        ['big.bin', false],
        ['data', true],
        ['notes', true],
      ],
    );
    assert.deepEqual(
      (await client.listArtifacts(id, 'data/sub')).map((f) => [f.path, f.file_size]),
      [['data/sub/b.bin', 4]],
    );
    assert.equal(await client.readArtifactText(id, 'notes/hello.txt'), 'hello');
    const dest = join(work, 'dl');
    const local = await client.downloadArtifacts(id, 'data', dest);
    assert.equal(await readFile(join(local, 'a.txt'), 'utf8'), 'alpha');
    assert.deepEqual([...(await readFile(join(local, 'sub', 'b.bin')))], [0, 1, 2, 255]);
    const bigLocal = await client.downloadArtifacts(id, 'big.bin', join(work, 'dl2'));
    assert.ok((await readFile(bigLocal)).equals(big));
    await rejectsWith(
      client.logArtifact(id, join(work, 'missing.txt')),
      (e) => e instanceof ClientError && e.code === 'IO_ERROR' && e.message.includes('missing.txt'),
      'missing local file',
    );
    await rejectsWith(
      client.logText(id, 'x', '../escape.txt'),
      (e) => e instanceof ClientError && e.message.includes('..'),
      'path traversal',
    );
    await rejectsWith(
      client.readArtifactText(id, 'nope.txt'),
      (e) => e instanceof MlflowError && e.httpStatus === 404,
      'missing artifact',
    );
    // deleteArtifacts: a file, a directory, a missing path (no error); never the whole run
    await client.deleteArtifacts(id, 'notes/hello.txt');
    await client.deleteArtifacts(id, 'data');
    await client.deleteArtifacts(id, 'data/never-there.txt');
    assert.deepEqual(
      (await client.listArtifacts(id)).map((f) => f.path),
      ['big.bin', 'notes'],
    );
    assert.deepEqual(
      (await client.listArtifacts(id, 'notes')).map((f) => f.path),
      ['notes/d.json'],
    );
    for (const everything of ['', '/', '.'])
      await rejectsWith(
        client.deleteArtifacts(id, everything),
        (e) => e instanceof ClientError && e.code === 'INVALID_ARGUMENT',
        `deleting '${everything}'`,
      );
    assert.equal((await client.listArtifacts(id)).length, 2, 'nothing deleted by the refused calls');
  });

  test('error paths: unknown run, bad metric, bad key characters, unreachable server', async () => {
    await rejectsWith(
      client.getRun('0123456789abcdef0123456789abcdef'),
      (e) => e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST' && e.httpStatus === 404,
      'unknown run',
    );
    const expId = await client.createExperiment('exp-err');
    const id = (await client.createRun(expId)).info.run_id;
    await rejectsWith(
      client.logParam(id, 'bad key!', 1),
      (e) => e instanceof MlflowError && e.errorCode === 'INVALID_PARAMETER_VALUE',
      'bad key',
    );
    await client.logParam(id, 'x', 1);
    await rejectsWith(
      client.logParam(id, 'x', 2),
      (e) => e instanceof MlflowError && e.errorCode === 'INVALID_PARAMETER_VALUE',
      'param changed',
    );
    await rejectsWith(
      client.logMetric(id, 'm', '3' as unknown as number),
      (e) => e instanceof ClientError && e.code === 'INVALID_ARGUMENT',
      'string metric',
    );
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const dead = new MlflowClient(`http://127.0.0.1:${port}`, { connectRetries: 1, backoffMs: 1 });
    const err = await rejectsWith(
      dead.getExperimentByName('x'),
      (e) => e instanceof ClientError && e.code === 'UNREACHABLE',
      'unreachable',
    );
    assert.match(
      (err as Error).message,
      /cannot reach the tracking server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    assert.throws(() => new MlflowClient('ftp://x'), /http/);
    assert.throws(() => new MlflowClient('not a url'), /MLFLOW_TRACKING_URI/);
  });
});

describe('retries', () => {
  test('429 and 503 are retried with backoff (Retry-After honoured), 400 is not', async () => {
    let calls = 0;
    const flaky: Server = createServer((req, res) => {
      calls++;
      if (req.url?.includes('get-by-name')) {
        if (calls === 1) {
          res.writeHead(429, { 'retry-after': '0' });
          return res.end();
        }
        if (calls === 2) {
          res.writeHead(503);
          return res.end('busy');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ experiment: { experiment_id: '7', name: 'x', lifecycle_stage: 'active' } }),
        );
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'nope' }));
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const port = (flaky.address() as { port: number }).port;
      const c = new MlflowClient(`http://127.0.0.1:${port}`, { backoffMs: 1 });
      const exp = await c.getExperimentByName('x');
      assert.equal(exp?.experiment_id, '7');
      assert.equal(calls, 3);
      calls = 10;
      await rejectsWith(
        c.createExperiment('y'),
        (e) => e instanceof MlflowError && e.errorCode === 'INVALID_PARAMETER_VALUE',
        '400',
      );
      assert.equal(calls, 11, 'a 400 is not retried');
    } finally {
      await new Promise((r) => flaky.close(r));
    }
  });
});

describe('URIs', () => {
  test('runs:/ and models:/ grammar', () => {
    assert.deepEqual(parseRunsUri('runs:/abc/model'), { runId: 'abc', path: 'model' });
    assert.deepEqual(parseModelUri('models:/m/3'), { name: 'm', version: '3' });
    assert.deepEqual(parseModelUri('models:/m@champion'), { name: 'm', alias: 'champion' });
    assert.deepEqual(parseModelUri('models:/m/Production'), { name: 'm', stage: 'Production' });
    assert.deepEqual(parseModelUri('models:/m/latest'), { name: 'm' });
    assert.throws(() => parseModelUri('models:/m'), /models:\/<name>/);
    assert.throws(() => parseRunsUri('runs:/'), /runs:\/<run_id>/);
  });
});

describe('fluent API', () => {
  before(() => {
    _resetFluentState();
    setTrackingUri(server.url);
  });
  after(() => _resetFluentState());

  test('withRun ends FINISHED, or FAILED and rethrows; nested runs carry the parent id', async () => {
    const exp = await setExperiment('fluent');
    assert.equal((await setExperiment('fluent')).experiment_id, exp.experiment_id, 'idempotent');
    const run = await withRun({ runName: 'ok' }, async (r) => {
      await logParam('a', 1);
      await logParams({ b: 'two', c: false });
      await logMetric('m', 1.5, 3);
      await logMetrics({ x: 1, y: 2 });
      await logText('hi', 'hi.txt');
      await logDict({ k: [1, 2] }, 'd.json');
      await logFigure(
        {
          data: { values: [{ a: 1, b: 2 }] },
          mark: 'point',
          encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
        },
        'plots/p.svg',
      );
      const child = await startRun({ nested: true, runName: 'child' });
      await logMetric('cm', 1);
      assert.equal(activeRun()?.info.run_id, child.info.run_id);
      await withRun({ nested: true }, () => undefined);
      const { endRun } = await import('@cauce/client');
      await endRun();
      return r;
    });
    const got = await client.getRun(run.info.run_id);
    assert.equal(got.info.status, 'FINISHED');
    assert.ok(got.info.end_time! >= got.info.start_time);
    assert.equal(got.data.params.length, 3);
    const svg = await client.readArtifactText(run.info.run_id, 'plots/p.svg');
    assert.match(svg, /^<svg/);
    const children = await client.searchRuns([exp.experiment_id], {
      filter: `tags.mlflow.parentRunId = '${run.info.run_id}'`,
    });
    assert.deepEqual(
      children.items.map((r) => r.info.run_name),
      ['child'],
    );
    const grandchildren = await client.searchRuns([exp.experiment_id], {
      filter: `tags.mlflow.parentRunId = '${children.items[0]!.info.run_id}'`,
    });
    assert.equal(grandchildren.items.length, 1, 'a nested run inside the child hangs below the child');
    let failedId = '';
    await assert.rejects(
      withRun(async (r) => {
        failedId = r.info.run_id;
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await client.getRun(failedId)).info.status, 'FAILED');
    assert.equal(activeRun(), undefined);
    await assert.rejects(logMetric('x', 1), /no active run/);
    await startRun();
    await assert.rejects(startRun(), /already active/);
    const { endRun } = await import('@cauce/client');
    await endRun();
  });

  test('MLFLOW_TRACKING_URI is honoured when no URI is set', async () => {
    _resetFluentState();
    const prev = process.env.MLFLOW_TRACKING_URI;
    process.env.MLFLOW_TRACKING_URI = server.url;
    try {
      const c = new MlflowClient();
      assert.equal(c.trackingUri, server.url);
      await setExperiment('env-exp');
      assert.ok(await client.getExperimentByName('env-exp'));
    } finally {
      if (prev === undefined) delete process.env.MLFLOW_TRACKING_URI;
      else process.env.MLFLOW_TRACKING_URI = prev;
      setTrackingUri(server.url);
    }
  });
});
