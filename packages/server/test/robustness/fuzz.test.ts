/**
 * Fuzz: well over 1,000 malformed or hostile requests, generated from a fixed seed over every
 * endpoint of the tracking, registry, auth and webhook tables plus URL-level oddities, sent
 * through real HTTP to a real server on each dialect. Each must be answered — within a timeout,
 * so a hang fails — with a 4xx and MLflow's JSON error body `{error_code, message}`: no 500, no
 * HTML, no dropped connection. Afterwards the server still answers /health and valid requests.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@cauce/server';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { generateCases, miscCases, SPECS, type FuzzCase } from './fuzz-cases.js';
import { api, closeAgent, prng, rawRequest, type RawResponse } from './support.js';

const SEED = 20261122;
const CASES = 1100;
const CONCURRENCY = 8;

after(() => closeAgent());

/** Why a response is not a proper MLflow 4xx error, or undefined when it is one. */
function problem(res: RawResponse): string | undefined {
  if (res.status < 400 || res.status > 499) return `status ${res.status}`;
  if (!res.contentType.includes('application/json')) return `content-type '${res.contentType}'`;
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return 'body is not JSON';
  }
  const b = body as { error_code?: unknown; message?: unknown };
  if (typeof b.error_code !== 'string' || b.error_code === '') return 'no error_code';
  if (typeof b.message !== 'string' || b.message === '') return 'no message';
  return undefined;
}

function describeCase(c: FuzzCase): string {
  const body = c.body === undefined ? '' : ` body=${String(c.body).slice(0, 70)}`;
  return `[${c.kind}] ${c.endpoint}: ${c.method} ${c.path.slice(0, 100)}${body}`;
}

async function sendAll(
  url: string,
  cases: FuzzCase[],
): Promise<{ failures: string[]; byKind: Map<string, number> }> {
  const failures: string[] = [];
  const byKind = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
      try {
        const res = await rawRequest(url, c, 15_000);
        const p = problem(res);
        if (p) failures.push(`${p} (${res.text.slice(0, 60)}) for ${describeCase(c)}`);
      } catch (err) {
        failures.push(`${(err as Error).message} for ${describeCase(c)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { failures, byKind };
}

/** Some real content, so filters, page tokens and ids meet actual rows. */
async function seed(url: string): Promise<string> {
  const { experiment_id } = (await api(url, 'POST', 'experiments/create', { name: 'fuzz-target' })) as {
    experiment_id: string;
  };
  for (let i = 0; i < 5; i++) {
    const { run } = (await api(url, 'POST', 'runs/create', { experiment_id })) as {
      run: { info: { run_id: string } };
    };
    await api(url, 'POST', 'runs/log-batch', {
      run_id: run.info.run_id,
      metrics: [{ key: 'acc', value: i / 5, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: String(i) }],
      tags: [{ key: 't', value: 'v' }],
    });
  }
  return experiment_id;
}

/** After the storm: still healthy and still doing real work. */
async function stillServes(url: string, experimentId: string): Promise<void> {
  const health = await rawRequest(url, { method: 'GET', path: '/health' });
  assert.equal(health.status, 200);
  assert.equal(health.text, 'OK');
  const { run } = (await api(url, 'POST', 'runs/create', { experiment_id: experimentId })) as {
    run: { info: { run_id: string } };
  };
  await api(url, 'POST', 'runs/log-metric', {
    run_id: run.info.run_id,
    key: 'after',
    value: 1,
    timestamp: 5,
  });
  const got = (await api(url, 'GET', 'runs/get', { run_id: run.info.run_id })) as {
    run: { data: { metrics: { key: string; value: number }[] } };
  };
  assert.deepEqual(
    got.run.data.metrics.map((m) => [m.key, m.value]),
    [['after', 1]],
  );
  const found = (await api(url, 'POST', 'runs/search', {
    experiment_ids: [experimentId],
    filter: 'metrics.acc >= 0.4',
  })) as { runs: unknown[] };
  assert.equal(found.runs.length, 3);
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`fuzz [${dialect}]`, () => {
    let server: RunningServer | undefined;
    let pg: TestPostgres | undefined;
    let dir = '';
    let experimentId = '';

    const url = () => server!.url;

    test('starts a server with some content', async () => {
      dir = mkdtempSync(join(tmpdir(), `cauce-fuzz-${dialect}-`));
      if (dialect === 'postgres') pg = await startPostgres();
      server = await startServer({
        port: 0,
        backendStoreUri: pg ? pg.url : `sqlite:///${join(dir, 'mlflow.db')}`,
        artifactsDestination: join(dir, 'artifacts'),
      });
      experimentId = await seed(url());
    });

    test(`${CASES}+ seeded hostile requests each get a 4xx MLflow error`, async () => {
      const rand = prng(SEED);
      const cases = [...generateCases(rand, CASES), ...miscCases(rand, 60)];
      const { failures, byKind } = await sendAll(url(), cases);
      const covered = new Set(cases.map((c) => c.endpoint));
      for (const s of SPECS) assert.ok(covered.has(s.name), `no case for ${s.name}`);
      assert.equal(
        failures.length,
        0,
        `${failures.length} of ${cases.length} cases failed:\n${failures.join('\n')}`,
      );
      for (const kind of ['badJson', 'wrongType', 'badId', 'badFilter', 'badPageToken', 'deepNesting']) {
        assert.ok((byKind.get(kind) ?? 0) >= 10, `too few ${kind} cases: ${byKind.get(kind) ?? 0}`);
      }
      assert.ok(cases.length >= 1000);
    });

    test('oversized bodies are refused with a 4xx, not a crash', async () => {
      const huge = Buffer.alloc(33 * 1024 * 1024, 'a'); // over the 32 MiB JSON body limit
      const overBatch = JSON.stringify({
        run_id: 'r'.repeat(32),
        metrics: [],
        params: [{ key: 'p', value: 'v'.repeat(1_100_000) }],
      }); // over MLflow's 1 MB log-batch limit
      const cases: FuzzCase[] = [
        ...['runs/log-batch', 'experiments/create', 'runs/search'].map((e) => ({
          kind: 'oversized',
          endpoint: e,
          method: 'POST',
          path: `/api/2.0/mlflow/${e}`,
          headers: { 'content-type': 'application/json' },
          body: huge,
        })),
        {
          kind: 'oversized',
          endpoint: 'runs/log-batch',
          method: 'POST',
          path: '/api/2.0/mlflow/runs/log-batch',
          headers: { 'content-type': 'application/json' },
          body: overBatch,
        },
      ];
      const failures: string[] = [];
      for (const c of cases) {
        try {
          const p = problem(await rawRequest(url(), c, 30_000));
          if (p) failures.push(`${p} for ${c.endpoint}`);
        } catch (err) {
          failures.push(`${(err as Error).message} for ${c.endpoint}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    test('deeply nested values inside list items and model JSON are refused with a 4xx', async () => {
      const { run } = (await api(url(), 'POST', 'runs/create', { experiment_id: experimentId })) as {
        run: { info: { run_id: string } };
      };
      const deep = '['.repeat(50_000) + ']'.repeat(50_000);
      const model = `{"artifact_path":"m","utc_time_created":"x","run_id":"${run.info.run_id}","flavors":${deep}}`;
      const bodies: [string, string][] = [
        [
          'runs/log-batch',
          `{"run_id":"${run.info.run_id}","metrics":[{"key":"a","value":1,"timestamp":${deep}}]}`,
        ],
        [
          'runs/log-batch',
          `{"run_id":"${run.info.run_id}","metrics":[{"key":"a","value":${deep},"timestamp":1}]}`,
        ],
        ['runs/log-batch', `{"run_id":"${run.info.run_id}","params":[{"key":"a","value":${deep}}]}`],
        ['runs/log-batch', `{"run_id":"${run.info.run_id}","tags":[{"key":${deep},"value":"v"}]}`],
        ['runs/log-inputs', `{"run_id":"${run.info.run_id}","datasets":[{"dataset":${deep}}]}`],
        ['runs/log-model', JSON.stringify({ run_id: run.info.run_id, model_json: model })],
      ];
      const failures: string[] = [];
      for (const [endpoint, body] of bodies) {
        const res = await rawRequest(url(), {
          method: 'POST',
          path: `/api/2.0/mlflow/${endpoint}`,
          headers: { 'content-type': 'application/json' },
          body,
        });
        const p = problem(res);
        if (p) failures.push(`${p} for ${endpoint} ${body.slice(0, 80)}`);
      }
      assert.deepEqual(failures, []);
    });

    test('the server still answers /health and valid requests afterwards', async () => {
      await stillServes(url(), experimentId);
    });

    after(async () => {
      await server?.close();
      pg?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
  });
}
