/**
 * Two `cauce server` processes (real child processes through the CLI) on one PostgreSQL behave as
 * one server: started together (racing to migrate), written to through both at once — runs,
 * metrics, params, tags, experiments — with name races settled by the database (exactly one
 * create wins, the other gets RESOURCE_ALREADY_EXISTS; one of two different values of a param
 * wins), and read back identical through each replica, with no stale cache.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { api, ApiError, closeAgent, spawnServer, type ServerProcess } from './support.js';

interface RunView {
  info: { run_id: string; run_name: string; status: string };
  data: {
    metrics?: { key: string; value: number; step: number }[];
    params?: { key: string; value: string }[];
    tags?: { key: string; value: string }[];
  };
}

/** Settles a request to `ok` or the MLflow error code it got (other failures throw). */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof ApiError) return String(err.body.error_code);
    throw err;
  }
}

/** Runs `tasks` with at most `n` in flight. */
async function bounded<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

/** A run as a comparable value: sorted metrics/params/tags (system tags included). */
function canonical(run: RunView): unknown {
  const byKey = <T extends { key: string }>(xs: T[] | undefined) =>
    [...(xs ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  return {
    info: run.info,
    metrics: byKey(run.data.metrics),
    params: byKey(run.data.params),
    tags: byKey(run.data.tags),
  };
}

describe('two cauce server replicas on one PostgreSQL', () => {
  let pg: TestPostgres | undefined;
  let dir = '';
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;

  before(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'cauce-replicas-'));
    const args = ['--backend-store-uri', pg.url, '--artifacts-destination', join(dir, 'artifacts')];
    // Started together on an empty database: both race to run the migrations.
    [a, b] = await Promise.all([spawnServer(args), spawnServer(args)]);
  });

  after(async () => {
    closeAgent();
    await Promise.all([a?.stop(), b?.stop()]);
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('experiment-name races: exactly one replica wins each name', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `race-${i}`);
    const results = await Promise.all(
      names.map(async (name) => {
        const [ra, rb] = await Promise.all([
          outcome(api(a!.url, 'POST', 'experiments/create', { name })),
          outcome(api(b!.url, 'POST', 'experiments/create', { name })),
        ]);
        return [ra, rb].sort();
      }),
    );
    for (const r of results) assert.deepEqual(r, ['RESOURCE_ALREADY_EXISTS', 'ok']);
    for (const server of [a!, b!]) {
      const found = (await api(server.url, 'POST', 'experiments/search', {
        filter: "name LIKE 'race-%'",
        max_results: 100,
      })) as { experiments: { name: string }[] };
      assert.deepEqual(found.experiments.map((e) => e.name).sort(), [...names].sort());
    }
  });

  test('runs, metrics, params and tags written through both at once read back identical', async () => {
    const { experiment_id } = (await api(a!.url, 'POST', 'experiments/create', { name: 'replicas' })) as {
      experiment_id: string;
    };
    const servers = [a!, b!];
    const RUNS = 24;
    const runIds = await bounded(
      8,
      Array.from({ length: RUNS }, (_, i) => async () => {
        const { run } = (await api(servers[i % 2]!.url, 'POST', 'runs/create', {
          experiment_id,
          run_name: `run-${i}`,
          start_time: 1_700_000_000_000 + i,
        })) as { run: RunView };
        return run.info.run_id;
      }),
    );
    // Every run gets writes from both replicas, interleaved: batches of metric points, single
    // metrics, params and tags, all in flight together.
    const tasks: (() => Promise<unknown>)[] = [];
    runIds.forEach((runId, i) => {
      for (let k = 0; k < 4; k++) {
        const via = servers[(i + k) % 2]!;
        tasks.push(() =>
          api(via.url, 'POST', 'runs/log-batch', {
            run_id: runId,
            metrics: Array.from({ length: 25 }, (_, s) => ({
              key: 'loss',
              value: 1 / (1 + k * 25 + s),
              timestamp: 1000 + k * 25 + s,
              step: k * 25 + s,
            })),
            params: [{ key: `p${k}`, value: `${i}-${k}` }],
            tags: [{ key: `t${k}`, value: `via-${(i + k) % 2}` }],
          }),
        );
        tasks.push(() =>
          api(servers[(i + k + 1) % 2]!.url, 'POST', 'runs/log-metric', {
            run_id: runId,
            key: 'acc',
            value: i / RUNS + k / 1000,
            timestamp: 5000 + k,
            step: k,
          }),
        );
      }
      tasks.push(() =>
        api(servers[i % 2]!.url, 'POST', 'runs/set-tag', { run_id: runId, key: 'stage', value: 'x' }),
      );
    });
    await bounded(16, tasks);

    for (const [i, runId] of runIds.entries()) {
      const views = await Promise.all(
        servers.map(
          async (s) => ((await api(s.url, 'GET', 'runs/get', { run_id: runId })) as { run: RunView }).run,
        ),
      );
      assert.deepEqual(canonical(views[0]!), canonical(views[1]!), `run ${i} differs between replicas`);
      const params = Object.fromEntries((views[0]!.data.params ?? []).map((p) => [p.key, p.value]));
      assert.deepEqual(params, { p0: `${i}-0`, p1: `${i}-1`, p2: `${i}-2`, p3: `${i}-3` });
      const latest = Object.fromEntries((views[0]!.data.metrics ?? []).map((m) => [m.key, m.value]));
      assert.equal(latest.loss, 1 / 100);
      assert.equal(latest.acc, i / RUNS + 3 / 1000);
      for (const s of servers) {
        const hist = (await api(s.url, 'GET', 'metrics/get-history', {
          run_id: runId,
          metric_key: 'loss',
        })) as {
          metrics: { step: number }[];
        };
        assert.deepEqual(
          hist.metrics.map((m) => m.step),
          Array.from({ length: 100 }, (_, x) => x),
        );
      }
    }

    const searches = await Promise.all(
      servers.map(
        async (s) =>
          (await api(s.url, 'POST', 'runs/search', {
            experiment_ids: [experiment_id],
            filter: "metrics.acc >= 0.5 AND tags.stage = 'x'",
            order_by: ['metrics.acc DESC'],
          })) as { runs: RunView[] },
      ),
    );
    const ids = searches.map((r) => r.runs.map((x) => x.info.run_id));
    assert.deepEqual(ids[0], ids[1]);
    assert.deepEqual(ids[0], runIds.slice(RUNS / 2).reverse());
  });

  test('conflicting param values from two replicas: exactly one wins, everywhere', async () => {
    const { run } = (await api(a!.url, 'POST', 'runs/create', { experiment_id: '0' })) as { run: RunView };
    const runId = run.info.run_id;
    for (let k = 0; k < 10; k++) {
      const [ra, rb] = await Promise.all([
        outcome(api(a!.url, 'POST', 'runs/log-parameter', { run_id: runId, key: `lr${k}`, value: 'from-a' })),
        outcome(api(b!.url, 'POST', 'runs/log-parameter', { run_id: runId, key: `lr${k}`, value: 'from-b' })),
      ]);
      assert.deepEqual([ra, rb].sort(), ['INVALID_PARAMETER_VALUE', 'ok'], `param lr${k}: ${ra} / ${rb}`);
      const winner = ra === 'ok' ? 'from-a' : 'from-b';
      for (const s of [a!, b!]) {
        const got = ((await api(s.url, 'GET', 'runs/get', { run_id: runId })) as { run: RunView }).run;
        assert.equal(got.data.params?.find((p) => p.key === `lr${k}`)?.value, winner);
      }
    }
    // Re-logging the same value through both at once is a no-op on each, not a conflict.
    const same = await Promise.all([
      outcome(api(a!.url, 'POST', 'runs/log-parameter', { run_id: runId, key: 'same', value: 'v' })),
      outcome(api(b!.url, 'POST', 'runs/log-parameter', { run_id: runId, key: 'same', value: 'v' })),
    ]);
    assert.deepEqual(same, ['ok', 'ok']);
  });

  test('a change through one replica is seen at once through the other (no stale cache)', async () => {
    const { experiment_id } = (await api(a!.url, 'POST', 'experiments/create', { name: 'to-rename' })) as {
      experiment_id: string;
    };
    // Read through B first, so a caching replica would hold the old state.
    await api(b!.url, 'GET', 'experiments/get', { experiment_id });
    await api(a!.url, 'POST', 'experiments/update', { experiment_id, new_name: 'renamed' });
    const seen = (await api(b!.url, 'GET', 'experiments/get', { experiment_id })) as {
      experiment: { name: string };
    };
    assert.equal(seen.experiment.name, 'renamed');
    await api(b!.url, 'POST', 'experiments/delete', { experiment_id });
    const viaA = (await api(a!.url, 'GET', 'experiments/get', { experiment_id })) as {
      experiment: { lifecycle_stage: string };
    };
    assert.equal(viaA.experiment.lifecycle_stage, 'deleted');
    const { run } = (await api(b!.url, 'POST', 'runs/create', { experiment_id: '0' })) as { run: RunView };
    await api(a!.url, 'POST', 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: 5 });
    const fromB = ((await api(b!.url, 'GET', 'runs/get', { run_id: run.info.run_id })) as { run: RunView })
      .run;
    assert.equal(fromB.info.status, 'FINISHED');
  });
});
