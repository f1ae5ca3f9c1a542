/**
 * SQLite writes while another connection (as a `--workers` sibling would) holds the database's write
 * lock: the store's writes wait for it without blocking the event loop (SQLite's own busy handler
 * sleeps the whole thread), then succeed with nothing lost; reads are never held up by it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStore, type TrackingStore } from '@cauce/server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SQLite writes under another connection's write lock", () => {
  let dir = '';
  let file = '';
  let store: TrackingStore;
  let other: BetterSqlite3.Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cauce-lock-'));
    file = join(dir, 'db.sqlite');
    store = await openStore(`sqlite:///${file}`);
    other = new BetterSqlite3(file);
  });
  after(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('writes wait without blocking the event loop, then all land', async () => {
    const run = await store.createRun({ experimentId: '0', userId: 'u', startTime: 1, tags: [] });
    const runId = run.info.run_id;
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    let settled = false;
    const writes = Promise.all([
      store.logBatch(runId, [{ key: 'm', value: 1, timestamp: 5, step: 1 }], [], []),
      store.logBatch(runId, [], [{ key: 'p', value: 'v' }], [{ key: 't', value: 'x' }]),
      store.createRun({ experimentId: '0', userId: 'u', startTime: 2, tags: [] }),
    ]).finally(() => (settled = true));
    // Timers keep firing and reads keep answering while the writes wait.
    let ticks = 0;
    for (let i = 0; i < 10; i++) {
      await sleep(10);
      ticks++;
    }
    assert.equal(ticks, 10);
    assert.ok(Date.now() - started < 2000, 'the event loop was blocked');
    assert.equal((await store.getRun(runId)).data.metrics.length, 0);
    assert.equal(settled, false, 'a write went through while another connection held the lock');
    other.exec('COMMIT');
    const [, , created] = await writes;
    const after = await store.getRun(runId);
    assert.deepEqual(after.data.metrics, [{ key: 'm', value: 1, timestamp: 5, step: 1 }]);
    assert.deepEqual(after.data.params, [{ key: 'p', value: 'v' }]);
    assert.ok(after.data.tags.some((t) => t.key === 't' && t.value === 'x'));
    assert.equal((await store.getRun(created.info.run_id)).info.run_id, created.info.run_id);
  });
});
