import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFINITY_SURROGATE } from '@cauce/protocol';
import { connect } from './connect.js';
import { migrateToLatest } from './migrations.js';
import { openStore } from './sql-tracking-store.js';

// Migration 0004 rebuilds latest_metrics, params and tags on SQLite: a database made by the previous
// schema version must come through with every row, and keep working for reads and writes.
test('0004 keeps the data of a database made with schema 0003 (SQLite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-mig-'));
  const uri = `sqlite:///${join(dir, 'old.db')}`;
  try {
    const old = connect(uri);
    await migrateToLatest(old.db as never, 'sqlite', '0003_search_covering_indexes');
    const db = old.sqlite!;
    const tablesSql = () =>
      new Map(
        (
          db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table'`).all() as {
            name: string;
            sql: string;
          }[]
        ).map((r) => [r.name, r.sql]),
      );
    assert.doesNotMatch(tablesSql().get('latest_metrics')!, /without rowid/i);
    db.prepare(
      `INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
       VALUES ('old', '/tmp/a', 'active', 1, 1)`,
    ).run();
    const insRun = db.prepare(
      `INSERT INTO runs VALUES (?, ?, 1, 'u', 'FINISHED', ?, NULL, NULL, 'active', 'file:///a')`,
    );
    const insParam = db.prepare('INSERT INTO params VALUES (?, ?, ?)');
    const insTag = db.prepare('INSERT INTO tags VALUES (?, ?, ?)');
    const insLatest = db.prepare('INSERT INTO latest_metrics VALUES (?, ?, ?, ?, ?, ?)');
    const ids = ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32)];
    ids.forEach((id, i) => {
      insRun.run(id, `run-${i}`, 1000 + i);
      insParam.run(id, 'alpha', String(i / 10));
      insParam.run(id, 'kind', i === 1 ? 'tree' : 'linear');
      insTag.run(id, 'mlflow.runName', `run-${i}`);
      insLatest.run(id, 'rmse', 3, 30, 1 - i / 4, 0);
    });
    insLatest.run(ids[0], 'odd', 1, 10, 0, 1); // NaN
    insLatest.run(ids[1], 'odd', 1, 10, INFINITY_SURROGATE, 0); // +Inf
    await old.db.destroy();

    const store = await openStore(uri);
    try {
      const run = await store.getRun(ids[0]!);
      assert.deepEqual(run.data.params, [
        { key: 'alpha', value: '0' },
        { key: 'kind', value: 'linear' },
      ]);
      assert.deepEqual(run.data.tags, [{ key: 'mlflow.runName', value: 'run-0' }]);
      assert.deepEqual(run.data.metrics, [
        { key: 'odd', value: 'NaN', timestamp: 10, step: 1 },
        { key: 'rmse', value: 1, timestamp: 30, step: 3 },
      ]);
      assert.equal((await store.getRun(ids[1]!)).data.metrics[0]!.value, INFINITY_SURROGATE);
      // The search indexes came back on the rebuilt tables and answer filters and order_by.
      const page = await store.searchRuns({
        experimentIds: ['1'],
        filter: "metrics.rmse < 0.9 AND params.kind = 'linear'",
        orderBy: ['metrics.rmse ASC'],
        viewType: 'ACTIVE_ONLY',
      });
      assert.deepEqual(
        page.items.map((r) => r.info.run_id),
        [ids[2]],
      );
      // Writes after the migration: the latest-metric guard, param immutability, tag upsert.
      await store.logBatch(
        ids[1]!,
        [
          { key: 'rmse', value: 0.1, timestamp: 40, step: 4 },
          { key: 'rmse', value: 9, timestamp: 5, step: 2 },
        ],
        [{ key: 'new', value: 'x' }],
        [{ key: 'mlflow.runName', value: 'renamed' }],
      );
      await assert.rejects(store.logBatch(ids[1]!, [], [{ key: 'alpha', value: '7' }], []), /Changing param/);
      const after = await store.getRun(ids[1]!);
      assert.deepEqual(
        after.data.metrics.find((m) => m.key === 'rmse'),
        { key: 'rmse', value: 0.1, timestamp: 40, step: 4 },
      );
      assert.deepEqual(
        after.data.params.map((p) => p.key),
        ['alpha', 'kind', 'new'],
      );
      assert.equal(after.info.run_name, 'renamed');
      // Deleting a run still cascades to the rebuilt tables (their foreign keys came back too).
      await store.deleteRun(ids[2]!);
      await store.gc({ olderThanMs: 0 });
    } finally {
      await store.close();
    }

    const check = connect(uri);
    try {
      const db2 = check.sqlite!;
      const tables = new Map(
        (
          db2.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'table'`).all() as {
            name: string;
            sql: string;
          }[]
        ).map((r) => [r.name, r.sql]),
      );
      for (const t of ['latest_metrics', 'params', 'tags']) {
        assert.match(tables.get(t)!, /without rowid$/i, t);
        assert.match(tables.get(t)!, /references "runs" \("run_uuid"\) on delete cascade/, t);
        assert.ok(!tables.has(`${t}_0004`));
      }
      const indexes = (
        db2.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`).all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      assert.ok(indexes.includes('latest_metrics_key_value_run'));
      assert.ok(indexes.includes('params_key_value_run'));
      const count = (t: string) => (db2.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      assert.equal(count('params'), 5); // 3 runs × 2 + 1 new − run c's 2 (garbage-collected)
      assert.equal(count('latest_metrics'), 4);
      // A crash between the migration's COMMIT and Kysely's bookkeeping runs it again: it must skip.
      db2.prepare(`DELETE FROM kysely_migration WHERE name = '0004_clustered_run_children'`).run();
    } finally {
      await check.db.destroy();
    }
    const again = await openStore(uri);
    try {
      assert.equal((await again.getRun(ids[0]!)).data.params.length, 2);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
});
