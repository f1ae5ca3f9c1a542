import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from './support/server.js';

// runs/create answers with a run built from the inserted values (it is not read back): it must be
// exactly what runs/get then returns.
forEachDialect('create-run answer', (h) => {
  test('equals runs/get of the new run', async () => {
    const { run } = (await h().post('runs/create', {
      experiment_id: '0',
      user_id: 'ann',
      start_time: 1_700_000_000_123,
      tags: [
        { key: 'z', value: 'last' },
        { key: 'a', value: 'first' },
        { key: 'a', value: 'first again' },
        { key: 'B.x', value: 'upper' },
      ],
    })) as { run: { info: { run_id: string } } };
    const got = (await h().get('runs/get', { run_id: run.info.run_id })) as { run: unknown };
    assert.deepEqual(run, got.run);
    const named = (await h().post('runs/create', { experiment_id: '0', run_name: 'named' })) as {
      run: { info: { run_id: string; run_name: string } };
    };
    assert.equal(named.run.info.run_name, 'named');
    assert.deepEqual(
      named.run,
      ((await h().get('runs/get', { run_id: named.run.info.run_id })) as { run: unknown }).run,
    );
  });
});
