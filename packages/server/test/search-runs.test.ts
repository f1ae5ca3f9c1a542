import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectError, forEachDialect } from './support/server.js';

interface WireRun {
  info: { run_id: string; run_name: string };
}

forEachDialect('search-runs', (h) => {
  let exp = '';
  const names = async (body: Record<string, unknown>): Promise<string[]> => {
    const r = (await h().post('runs/search', { experiment_ids: [exp], ...body })) as { runs: WireRun[] };
    return r.runs.map((x) => x.info.run_name);
  };

  before(async () => {
    exp = ((await h().post('experiments/create', { name: 'search-exp' })) as { experiment_id: string })
      .experiment_id;
    // r0..r5 with start_time 100..105; rmse only on some runs; r3 has NaN rmse
    for (let i = 0; i < 6; i++) {
      const { run } = (await h().post('runs/create', {
        experiment_id: exp,
        run_name: `r${i}`,
        start_time: 100 + i,
        user_id: i % 2 ? 'ana' : 'bo',
      })) as { run: WireRun };
      const metrics = [];
      if (i !== 1) metrics.push({ key: 'rmse', value: i === 3 ? 'NaN' : 10 - i, timestamp: 1, step: 0 });
      metrics.push({ key: 'f1 score', value: i / 10, timestamp: 1, step: 0 });
      await h().post('runs/log-batch', {
        run_id: run.info.run_id,
        metrics,
        params: [
          { key: 'alpha', value: String(i % 3) },
          { key: 'model', value: i < 3 ? 'Linear' : 'tree' },
        ],
        tags: i === 0 ? [] : [{ key: 'team', value: i % 2 ? 'Red' : 'blue' }],
      });
      if (i === 4)
        await h().post('runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: 500 });
      if (i === 5) {
        await h().post('runs/log-inputs', {
          run_id: run.info.run_id,
          datasets: [
            {
              tags: [{ key: 'mlflow.data.context', value: 'eval' }],
              dataset: { name: 'iris', digest: 'd1', source_type: 'local', source: 'x' },
            },
          ],
        });
      }
    }
    // one deleted run
    const { run } = (await h().post('runs/create', {
      experiment_id: exp,
      run_name: 'gone',
      start_time: 1,
    })) as {
      run: WireRun;
    };
    await h().post('runs/delete', { run_id: run.info.run_id });
  });

  test('default order is start_time DESC; view types', async () => {
    assert.deepEqual(await names({}), ['r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
    assert.deepEqual(await names({ run_view_type: 'DELETED_ONLY' }), ['gone']);
    assert.equal((await names({ run_view_type: 'ALL' })).length, 7);
    assert.deepEqual(await names({ experiment_ids: [] }), []);
  });

  test('metric, param, tag, attribute and dataset filters', async () => {
    assert.deepEqual(await names({ filter: 'metrics.rmse < 8' }), ['r5', 'r4']); // NaN never matches
    assert.deepEqual(await names({ filter: 'metrics.rmse != 10' }), ['r5', 'r4', 'r2']); // missing never matches
    assert.deepEqual(await names({ filter: "metrics.`f1 score` >= 0.3 AND params.model = 'tree'" }), [
      'r5',
      'r4',
      'r3',
    ]);
    assert.deepEqual(await names({ filter: "params.model LIKE 'L%'" }), ['r2', 'r1', 'r0']);
    assert.deepEqual(await names({ filter: "params.model LIKE 'l%'" }), []); // LIKE is case-sensitive
    assert.deepEqual(await names({ filter: "params.model ILIKE 'l%'" }), ['r2', 'r1', 'r0']);
    assert.deepEqual(await names({ filter: "tags.team = 'Red'" }), ['r5', 'r3', 'r1']);
    assert.deepEqual(await names({ filter: "tags.team != 'Red'" }), ['r4', 'r2']);
    assert.deepEqual(await names({ filter: "attributes.status = 'FINISHED'" }), ['r4']);
    assert.deepEqual(await names({ filter: "attributes.user_id = 'ana' AND start_time > 102" }), [
      'r5',
      'r3',
    ]);
    assert.deepEqual(await names({ filter: 'attributes.end_time IS NOT NULL' }), ['r4']);
    assert.deepEqual(await names({ filter: "attributes.run_name IN ('r1', 'r2')" }), ['r2', 'r1']);
    assert.deepEqual(await names({ filter: "run_name NOT IN ('r1', 'r2')" }), ['r5', 'r4', 'r3', 'r0']);
    assert.deepEqual(await names({ filter: "`Run Name` = 'r0'" }), ['r0']);
    assert.deepEqual(await names({ filter: "datasets.name = 'iris' AND datasets.context = 'eval'" }), ['r5']);
    assert.deepEqual(await names({ filter: "datasets.digest IN ('d1', 'd2')" }), ['r5']);
  });

  test('OR, parentheses, IS NULL (extensions)', async () => {
    assert.deepEqual(await names({ filter: "tags.team = 'blue' OR params.alpha = '1'" }), ['r4', 'r2', 'r1']);
    assert.deepEqual(
      await names({ filter: "(params.alpha = '0' OR params.alpha = '1') AND metrics.rmse > 5" }),
      ['r4', 'r0'],
    );
    assert.deepEqual(await names({ filter: 'metrics.rmse IS NULL' }), ['r1']);
    assert.deepEqual(await names({ filter: 'tags.team IS NULL' }), ['r0']);
  });

  test('order_by with nulls and NaN last in both directions, tie-breakers', async () => {
    assert.deepEqual(await names({ order_by: ['metrics.rmse ASC'] }), ['r5', 'r4', 'r2', 'r0', 'r3', 'r1']);
    assert.deepEqual(await names({ order_by: ['metrics.rmse DESC'] }), ['r0', 'r2', 'r4', 'r5', 'r3', 'r1']);
    // equal params: ties broken by start_time DESC
    assert.deepEqual(await names({ order_by: ['params.alpha'] }), ['r3', 'r0', 'r4', 'r1', 'r5', 'r2']);
    assert.deepEqual(await names({ order_by: ['tags.team DESC'] }), ['r4', 'r2', 'r5', 'r3', 'r1', 'r0']); // byte order: 'b' > 'R'
    assert.deepEqual(await names({ order_by: ['attributes.start_time ASC'] }), [
      'r0',
      'r1',
      'r2',
      'r3',
      'r4',
      'r5',
    ]);
    assert.deepEqual(await names({ order_by: ['attributes.end_time DESC'] }), [
      'r4',
      'r5',
      'r3',
      'r2',
      'r1',
      'r0',
    ]);
    assert.deepEqual(await names({ order_by: ['params.model DESC', 'metrics.`f1 score` ASC'] }), [
      'r3',
      'r4',
      'r5',
      'r0',
      'r1',
      'r2',
    ]);
  });

  test('page tokens walk every run exactly once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = (await h().post('runs/search', {
        experiment_ids: [exp],
        max_results: 4,
        order_by: ['metrics.rmse'],
        page_token: token,
      })) as { runs: WireRun[]; next_page_token?: string };
      seen.push(...r.runs.map((x) => x.info.run_name));
      token = r.next_page_token;
      pages++;
    } while (token);
    assert.equal(pages, 2);
    assert.deepEqual(seen, ['r5', 'r4', 'r2', 'r0', 'r3', 'r1']);
  });

  test('full runs come back with data', async () => {
    const r = (await h().post('runs/search', { experiment_ids: [exp], filter: "run_name = 'r5'" })) as {
      runs: {
        data: { metrics: unknown[]; params: unknown[]; tags: unknown[] };
        inputs: { dataset_inputs: unknown[] };
      }[];
    };
    assert.equal(r.runs[0]?.data.metrics.length, 2);
    assert.equal(r.runs[0]?.data.params.length, 2);
    assert.equal(r.runs[0]?.inputs.dataset_inputs.length, 1);
  });

  test('errors: bad filters, order_by, tokens, caps', async () => {
    const c = (body: Record<string, unknown>) =>
      h().call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [exp], ...body });
    for (const filter of [
      "metrics.rmse = 'x'",
      "params.alpha > '1'",
      'params.alpha = 1',
      "attributes.nope = 'x'",
      "metrics.a > 1 params.b = 'c'",
      "datasets.size = 'x'",
      'start_time LIKE 3',
      "metrics.a IN ('x')",
    ]) {
      expectError(await c({ filter }), 400, 'INVALID_PARAMETER_VALUE');
    }
    expectError(await c({ order_by: ['metrics.rmse UP'] }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c({ order_by: ['datasets.name'] }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c({ order_by: 'metrics.rmse' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c({ page_token: 'bm90IGpzb24=' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(
      await c({ page_token: Buffer.from('{"offset": -1}').toString('base64') }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await c({ max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c({ max_results: -1 }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c({ max_results: 'ten' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c({ run_view_type: 'SOME' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c({ experiment_ids: '1' }), 400, 'INVALID_PARAMETER_VALUE');
    const ok = (await h().post('runs/search', { experiment_ids: [exp], max_results: 50000 })) as {
      runs: unknown[];
    };
    assert.equal(ok.runs.length, 6);
    // unknown experiment ids match nothing
    assert.deepEqual((await h().post('runs/search', { experiment_ids: ['99999', 'abc'] })) as unknown, {
      runs: [],
    });
  });
});
