import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchRunsQuery } from '../tracking-store.js';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { openStore } from './sql-tracking-store.js';

// searchRunsJson (the database writes metrics/params/tags as JSON text) must say exactly what the
// object path says once parsed: same runs, same order, same values, same tokens.
async function checkSameBody(uri: string): Promise<void> {
  const store = await openStore(uri);
  try {
    const exp = await store.createExperiment('json', undefined, []);
    const awkward = [
      NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      5,
      -5,
      0.1 + 0.2,
      1 / 3,
      1e-7,
      1e21,
      123456789.123,
      5e-324,
      2.2250738585072014e-308,
      1.7976931348623157e308,
      -1.2345678901234567e-200,
    ];
    // Keys beyond U+FFFF sort differently by UTF-8 bytes (SQLite) and UTF-16 units (JS).
    const keys = ['a', 'B', 'z', 'é', '\uE000', '\uFFFD', '😀', 'a😀', 'a\uFFFF', 'with space', 'q"uote\\'];
    const values = [
      '',
      'plain',
      'line\nbreak\ttab\u0001\u001f',
      'q"uote\\back',
      'émoji 😀',
      '\u2028\u2029',
      'x'.repeat(3000),
    ];
    const ids: string[] = [];
    for (let r = 0; r < 7; r++) {
      const run = await store.createRun({
        experimentId: exp,
        userId: r % 2 ? 'ann' : '',
        runName: `run-${r}`,
        startTime: 1_700_000_000_000 + (r % 3),
        tags: [],
      });
      ids.push(run.info.run_id);
      if (r === 6) continue; // a run with no metrics or params
      // Run 0 holds only plain keys (the fast path end to end); the others every awkward key.
      const runKeys = r === 0 ? ['a', 'B', 'z', 'with space'] : keys;
      await store.logBatch(
        run.info.run_id,
        awkward.map((value, i) => ({
          key: i === 0 ? 'm' : `m${(i * 7 + r) % awkward.length}`,
          value: awkward[(i + r) % awkward.length]!,
          timestamp: i % 2 ? -1_000 * i : 2 ** 52 + i,
          step: i - 8,
        })),
        runKeys.map((key, i) => ({ key: `p-${key}`, value: values[(i + r) % values.length]! })),
        runKeys.map((key, i) => ({ key, value: values[(i + 2 * r) % values.length]! })),
      );
    }
    await store.updateRun(ids[1]!, { status: 'FINISHED', endTime: 1_700_000_009_999 });
    await store.logInputs(
      ids[2]!,
      [
        {
          dataset: { name: 'd2', digest: 'x', source_type: 'local', source: '{"uri":"a"}', schema: '{}' },
          tags: [{ key: 'mlflow.data.context', value: 'train' }],
        },
        { dataset: { name: 'd1', digest: 'y', source_type: 'local', source: 's', profile: 'p' }, tags: [] },
      ],
      ['model-b', 'model-a'],
    );
    await store.logOutputs(ids[3]!, [
      { model_id: 'model-z', step: 3 },
      { model_id: 'model-c', step: 0 },
    ]);
    await store.deleteRun(ids[5]!);

    const queries: SearchRunsQuery[] = [
      { experimentIds: [exp] },
      { experimentIds: [exp], viewType: 'ALL', maxResults: 2 },
      { experimentIds: [exp], viewType: 'DELETED_ONLY' },
      { experimentIds: [exp], orderBy: ['metrics.m DESC', 'params.`p-a` ASC'], maxResults: 3 },
      { experimentIds: [exp], filter: "tags.a = 'plain' OR metrics.m > 0", orderBy: ['attributes.user_id'] },
      { experimentIds: [exp], filter: 'metrics.m < -1000' }, // no runs
      { experimentIds: [] },
      { experimentIds: ['not-a-number'] },
    ];
    for (const q0 of queries) {
      let q: SearchRunsQuery | undefined = q0;
      for (let pages = 0; q && pages < 10; pages++) {
        const text = await store.searchRunsJson(q);
        const page = await store.searchRuns(q);
        const expected = JSON.parse(
          JSON.stringify({ runs: page.items, next_page_token: page.nextPageToken }),
        );
        assert.deepEqual(JSON.parse(text), expected, JSON.stringify(q));
        q = page.nextPageToken ? { ...q, pageToken: page.nextPageToken } : undefined;
      }
    }
    // The awkward data really went through both paths.
    const all = JSON.parse(await store.searchRunsJson({ experimentIds: [exp], viewType: 'ALL' })) as {
      runs: { data: { metrics: { key: string; value: unknown }[] } }[];
    };
    assert.equal(all.runs.length, 7);
    const values1 = all.runs.flatMap((r) => r.data.metrics.map((m) => m.value));
    assert.ok(values1.includes('NaN'));
    assert.ok(values1.includes(1.7976931348623157e308) && values1.includes(-1.7976931348623157e308));
    assert.ok(values1.includes(5e-324) && values1.includes(0.1 + 0.2));
  } finally {
    await store.close();
  }
}

test('searchRunsJson parses to the same body as searchRuns (SQLite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-search-json-'));
  try {
    await checkSameBody(`sqlite:///${join(dir, 't.db')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
});

describe('PostgreSQL', () => {
  let pg: TestPostgres | undefined;
  before(async () => {
    pg = await startPostgres();
  });
  after(() => pg?.stop());
  test('searchRunsJson parses to the same body as searchRuns (PostgreSQL)', async () => {
    await checkSameBody(pg!.url);
  });
});
