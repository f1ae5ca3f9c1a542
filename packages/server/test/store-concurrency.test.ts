/**
 * The store contract under concurrency, on both dialects. On PostgreSQL through two independent
 * store instances on one database (as two server processes would be). On SQLite through one
 * instance: better-sqlite3 is synchronous, so a second connection in the same thread would block
 * the thread while waiting for the first one's write lock; one store per process is the rule, and
 * several processes on one file are exercised by the `--workers 2` CLI test. Checked here: param
 * immutability holds when writers race,
 * latest_metrics ends at the greatest (step, timestamp) whatever order batches commit in, and
 * acknowledged writes are all there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MlflowError } from '@cauce/protocol';
import { openStore, type TrackingStore } from '@cauce/server';
import { startPostgres, type TestPostgres } from './support/postgres.js';
import { DIALECTS } from './support/server.js';

for (const dialect of DIALECTS) {
  describe(`store concurrency [${dialect}]`, () => {
    let a: TrackingStore;
    let b: TrackingStore;
    let pg: TestPostgres | undefined;
    let dir = '';
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cauce-conc-'));
      let uri = `sqlite:///${join(dir, 'db.sqlite')}`;
      if (dialect === 'postgres') {
        pg = await startPostgres();
        uri = pg.url;
      }
      a = await openStore(uri);
      b = dialect === 'postgres' ? await openStore(uri) : a;
    });
    after(async () => {
      await a?.close();
      if (b !== a) await b?.close();
      pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('racing writers of one param key: exactly one value wins, the others get INVALID_PARAMETER_VALUE', async () => {
      const run = await a.createRun({ experimentId: '0', userId: 'u', startTime: 1, tags: [] });
      const id = run.info.run_id;
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).logBatch(id, [], [{ key: 'lr', value: String(i) }], []),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      assert.equal(ok.length, 1);
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.ok(
            r.reason instanceof MlflowError && r.reason.errorCode === 'INVALID_PARAMETER_VALUE',
            String(r.reason),
          );
        }
      }
      const stored = (await b.getRun(id)).data.params;
      assert.equal(stored.length, 1);
    });

    test('concurrent batches: every point stored, latest value is the greatest step', async () => {
      const run = await a.createRun({ experimentId: '0', userId: 'u', startTime: 1, tags: [] });
      const id = run.info.run_id;
      const batches = Array.from({ length: 20 }, (_, k) =>
        Array.from({ length: 50 }, (_, i) => ({
          key: 'loss',
          value: k * 50 + i,
          timestamp: 1000 + i,
          step: k * 50 + i,
        })),
      );
      // submit in a shuffled order through both stores at once
      const order = batches.map((_, i) => (i * 7) % 20);
      await Promise.all(order.map((k, j) => (j % 2 ? a : b).logBatch(id, batches[k]!, [], [])));
      const hist = await a.getMetricHistory(id, 'loss');
      assert.equal(hist.items.length, 1000);
      const latest = (await b.getRun(id)).data.metrics.find((m) => m.key === 'loss');
      assert.equal(latest?.step, 999);
      assert.equal(latest?.value, 999);
    });

    test('experiment names are unique across writers', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).createExperiment('same-name', undefined, [])),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) {
        if (r.status === 'rejected')
          assert.equal((r.reason as MlflowError).errorCode, 'RESOURCE_ALREADY_EXISTS');
      }
    });
  });
}
