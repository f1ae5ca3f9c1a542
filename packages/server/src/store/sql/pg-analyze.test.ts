import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { connect } from './connect.js';
import { openStore } from './sql-tracking-store.js';

// A store opened right after a bulk load must not plan with empty-table statistics: open() analyzes
// the tracking tables that changed by more than autovacuum's threshold since their last ANALYZE.
let pg: TestPostgres | undefined;
before(async () => {
  pg = await startPostgres();
});
after(() => pg?.stop());

test('PostgreSQL: opening the store analyzes tables a bulk load made stale', async () => {
  const lastAnalyze = async (table: string) => {
    const conn = connect(pg!.url);
    try {
      const { rows } = await sql<{ analyzed: boolean }>`SELECT last_analyze IS NOT NULL AS analyzed
        FROM pg_stat_user_tables WHERE relname = ${table}`.execute(conn.db);
      return rows[0]?.analyzed;
    } finally {
      await conn.db.destroy();
    }
  };
  const first = await openStore(pg!.url);
  const exp = await first.createExperiment('bulk', undefined, []);
  for (let i = 0; i < 120; i++) {
    const run = await first.createRun({ experimentId: exp, userId: 'u', startTime: i, tags: [] });
    await first.logBatch(run.info.run_id, [{ key: 'm', value: i, timestamp: i, step: 0 }], [], []);
  }
  await first.close();
  assert.equal(await lastAnalyze('latest_metrics'), false); // nothing analyzed it yet
  const second = await openStore(pg!.url);
  await second.close();
  assert.equal(await lastAnalyze('runs'), true);
  assert.equal(await lastAnalyze('latest_metrics'), true);
});
