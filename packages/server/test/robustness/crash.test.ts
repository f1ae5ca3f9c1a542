/**
 * Crash test: clients log under (bounded) load to a `cauce server` child process, the process is
 * killed with SIGKILL mid-load, a new one is started on the same database, and every write that
 * had been acknowledged with 200 — metric batches, params, tags, created runs — is read back.
 * Writes that were in flight when the process died may or may not have landed (but a batch lands
 * whole or not at all); nothing acknowledged may be missing. Run on SQLite (the default store)
 * and on PostgreSQL.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { api, closeAgent, spawnServer, type ServerProcess } from './support.js';

const CLIENTS = 6;
const POINTS_PER_BATCH = 20;
/** Upper bound on requests per client, so the load stays bounded even if the kill were late. */
const MAX_REQUESTS_PER_CLIENT = 2000;
/** The kill comes once this many writes were acknowledged in all. */
const KILL_AFTER_ACKS = 400;

interface Acked {
  /** run id → metric key → steps acknowledged */
  metrics: Map<string, Map<string, number[]>>;
  params: Map<string, Map<string, string>>;
  tags: Map<string, Map<string, string>>;
  createdRuns: string[];
}

function record<V>(m: Map<string, Map<string, V>>, runId: string, key: string, v: V): void {
  const inner = m.get(runId) ?? new Map<string, V>();
  inner.set(key, v);
  m.set(runId, inner);
}

/**
 * One client's loop: each request is a log-batch (20 metric points, every 4th also a param and a
 * tag) on the client's own run, every 10th a create-run. Stops at the first failed request (the
 * server is gone) or when `stop()` says so.
 */
async function client(
  server: ServerProcess,
  c: number,
  runId: string,
  experimentId: string,
  acked: Acked,
  onAck: () => void,
): Promise<void> {
  const key = `loss_c${c}`;
  const steps: number[] = [];
  acked.metrics.set(runId, new Map([[key, steps]]));
  for (let seq = 0; seq < MAX_REQUESTS_PER_CLIENT; seq++) {
    try {
      if (seq % 10 === 9) {
        const { run } = (await api(server.url, 'POST', 'runs/create', {
          experiment_id: experimentId,
          run_name: `c${c}-${seq}`,
        })) as { run: { info: { run_id: string } } };
        acked.createdRuns.push(run.info.run_id);
      } else {
        const first = seq * POINTS_PER_BATCH;
        const body: Record<string, unknown> = {
          run_id: runId,
          metrics: Array.from({ length: POINTS_PER_BATCH }, (_, i) => ({
            key,
            value: (first + i) / 7,
            timestamp: 1_000_000 + first + i,
            step: first + i,
          })),
        };
        if (seq % 4 === 0) {
          body.params = [{ key: `p${seq}`, value: `v${seq}` }];
          body.tags = [{ key: `t${seq}`, value: `w${seq}` }];
        }
        await api(server.url, 'POST', 'runs/log-batch', body);
        for (let i = 0; i < POINTS_PER_BATCH; i++) steps.push(first + i);
        if (seq % 4 === 0) {
          record(acked.params, runId, `p${seq}`, `v${seq}`);
          record(acked.tags, runId, `t${seq}`, `w${seq}`);
        }
      }
      onAck();
    } catch {
      return; // the server was killed: this write is unacknowledged
    }
  }
}

async function history(url: string, runId: string, key: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  let token: string | undefined;
  do {
    const page = (await api(url, 'GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
      ...(token ? { page_token: token } : {}),
    })) as { metrics?: { step: number; value: number }[]; next_page_token?: string };
    for (const m of page.metrics ?? []) out.set(m.step, m.value);
    token = page.next_page_token;
  } while (token);
  return out;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`crash: SIGKILL mid-load loses no acknowledged write [${dialect}]`, () => {
    let pg: TestPostgres | undefined;
    let dir = '';
    let server: ServerProcess | undefined;

    after(async () => {
      closeAgent();
      await server?.stop();
      pg?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('kill -9 under load, restart on the same store, read everything back', async () => {
      dir = mkdtempSync(join(tmpdir(), `cauce-crash-${dialect}-`));
      if (dialect === 'postgres') pg = await startPostgres();
      const args = [
        '--backend-store-uri',
        pg ? pg.url : `sqlite:///${join(dir, 'store.db')}`,
        '--artifacts-destination',
        join(dir, 'artifacts'),
      ];
      server = await spawnServer(args);
      const first = server;
      const { experiment_id } = (await api(first.url, 'POST', 'experiments/create', { name: 'crash' })) as {
        experiment_id: string;
      };
      const runIds: string[] = [];
      for (let c = 0; c < CLIENTS; c++) {
        const { run } = (await api(first.url, 'POST', 'runs/create', { experiment_id })) as {
          run: { info: { run_id: string } };
        };
        runIds.push(run.info.run_id);
      }

      const acked: Acked = { metrics: new Map(), params: new Map(), tags: new Map(), createdRuns: [] };
      let acks = 0;
      let killing: Promise<void> | undefined;
      const onAck = () => {
        acks++;
        if (acks >= KILL_AFTER_ACKS && !killing) killing = first.kill();
      };
      await Promise.all(runIds.map((runId, c) => client(first, c, runId, experiment_id, acked, onAck)));
      assert.ok(killing, `the load ended after ${acks} writes without reaching the kill point`);
      await killing;
      assert.equal(first.child.signalCode, 'SIGKILL');

      server = await spawnServer(args);
      const url = server.url;
      let points = 0;
      for (const [runId, byKey] of acked.metrics) {
        for (const [key, steps] of byKey) {
          const got = await history(url, runId, key);
          const missing = steps.filter((s) => got.get(s) !== s / 7);
          assert.deepEqual(
            missing.slice(0, 10),
            [],
            `${missing.length} acknowledged points of ${key} missing`,
          );
          points += steps.length;
          // log-batch is all-or-nothing: a batch in flight at the kill landed whole or not at all.
          const perBatch = new Map<number, number>();
          for (const step of got.keys()) {
            const b = Math.floor(step / POINTS_PER_BATCH);
            perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
          }
          const torn = [...perBatch].filter(([, n]) => n !== POINTS_PER_BATCH);
          assert.deepEqual(torn, [], `${key}: batches stored in part`);
        }
        const run = (await api(url, 'GET', 'runs/get', { run_id: runId })) as {
          run: {
            data: { params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
          };
        };
        const params = new Map((run.run.data.params ?? []).map((p) => [p.key, p.value]));
        const tags = new Map((run.run.data.tags ?? []).map((t) => [t.key, t.value]));
        for (const [k, v] of acked.params.get(runId) ?? []) assert.equal(params.get(k), v, `param ${k}`);
        for (const [k, v] of acked.tags.get(runId) ?? []) assert.equal(tags.get(k), v, `tag ${k}`);
      }
      for (const runId of acked.createdRuns) await api(url, 'GET', 'runs/get', { run_id: runId });
      assert.ok(
        points >= (KILL_AFTER_ACKS / 2) * POINTS_PER_BATCH,
        `only ${points} points were acknowledged`,
      );

      // The restarted server takes new writes to the same runs.
      await api(url, 'POST', 'runs/log-metric', { run_id: runIds[0], key: 'after', value: 1, timestamp: 1 });
      const again = await history(url, runIds[0]!, 'after');
      assert.equal(again.get(0), 1);
    });
  });
}
