import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectError, forEachDialect, type Harness } from './support/server.js';

interface WireRun {
  info: Record<string, unknown> & { run_id: string };
  data: {
    metrics: { key: string; value: unknown; step: number; timestamp: number }[];
    params: unknown[];
    tags: { key: string; value: string }[];
  };
  inputs: { dataset_inputs: unknown[] };
  outputs: { model_outputs: unknown[] };
}

async function newRun(h: Harness, body: Record<string, unknown> = {}): Promise<WireRun> {
  return (
    (await h.post('runs/create', { experiment_id: '0', start_time: 1000, ...body })) as { run: WireRun }
  ).run;
}

async function getRun(h: Harness, runId: string): Promise<WireRun> {
  return ((await h.get('runs/get', { run_id: runId })) as { run: WireRun }).run;
}

forEachDialect('runs API', (h) => {
  test('create → get → update → delete → restore', async () => {
    const run = await newRun(h(), { run_name: 'first', user_id: 'ana', tags: [{ key: 'a', value: 'b' }] });
    assert.match(run.info.run_id, /^[0-9a-f]{32}$/);
    assert.equal(run.info.run_uuid, run.info.run_id);
    assert.equal(run.info.status, 'RUNNING');
    assert.equal(run.info.run_name, 'first');
    assert.equal(run.info.user_id, 'ana');
    assert.equal(run.info.start_time, 1000);
    assert.equal(run.info.artifact_uri, `mlflow-artifacts:/0/${run.info.run_id}/artifacts`);
    assert.deepEqual(
      run.data.tags.sort((a, b) => a.key.localeCompare(b.key)),
      [
        { key: 'a', value: 'b' },
        { key: 'mlflow.runName', value: 'first' },
      ],
    );
    const { run_info } = (await h().post('runs/update', {
      run_id: run.info.run_id,
      status: 'FINISHED',
      end_time: 2000,
      run_name: 'renamed',
    })) as { run_info: Record<string, unknown> };
    assert.equal(run_info.status, 'FINISHED');
    assert.equal(run_info.end_time, 2000);
    assert.equal(run_info.run_name, 'renamed');
    const again = await getRun(h(), run.info.run_id);
    assert.equal(again.data.tags.find((t) => t.key === 'mlflow.runName')?.value, 'renamed');
    // run_uuid (deprecated) is accepted in place of run_id
    await h().post('runs/update', { run_uuid: run.info.run_id, status: 'KILLED' });
    await h().post('runs/delete', { run_id: run.info.run_id });
    assert.equal((await getRun(h(), run.info.run_id)).info.lifecycle_stage, 'deleted');
    // a deleted run refuses writes
    const msg = expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/log-parameter', {
        run_id: run.info.run_id,
        key: 'x',
        value: '1',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    assert.match(msg, /active/);
    // update-run too (SQLite's synchronous path and PostgreSQL's say the same), and an unknown run is a 404
    assert.match(
      expectError(
        await h().call('POST', '/api/2.0/mlflow/runs/update', {
          run_id: run.info.run_id,
          status: 'FINISHED',
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      ),
      /must be in the 'active' state/,
    );
    expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/update', { run_id: 'f'.repeat(32), status: 'FINISHED' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    await h().post('runs/restore', { run_id: run.info.run_id });
    assert.equal((await getRun(h(), run.info.run_id)).info.lifecycle_stage, 'active');
    // run name from the mlflow.runName tag; generated when absent
    const tagged = await newRun(h(), { tags: [{ key: 'mlflow.runName', value: 'from-tag' }] });
    assert.equal(tagged.info.run_name, 'from-tag');
    const anon = await newRun(h());
    assert.match(anon.info.run_name as string, /^[a-z]+-[a-z]+-\d+$/);
  });

  test('log-metric, log-parameter, set-tag, delete-tag, history, NaN and ±Inf', async () => {
    const { run_id } = (await newRun(h())).info;
    await h().post('runs/log-metric', { run_id, key: 'loss', value: 0.5, timestamp: 10, step: 1 });
    await h().post('runs/log-metric', { run_id, key: 'loss', value: 0.25, timestamp: '11', step: '2' });
    await h().post('runs/log-metric', { run_id, key: 'nan', value: 'NaN', timestamp: 10 });
    await h().post('runs/log-metric', { run_id, key: 'inf', value: 'Infinity', timestamp: 10 });
    await h().post('runs/log-metric', { run_id, key: 'ninf', value: '-Infinity', timestamp: 10 });
    await h().post('runs/log-parameter', { run_id, key: 'alpha', value: '0.1' });
    await h().post('runs/log-parameter', { run_id, key: 'alpha', value: '0.1' }); // same value: fine
    await h().post('runs/log-parameter', { run_id, key: 'empty', value: '' });
    await h().post('runs/set-tag', { run_id, key: 'note', value: 'hello' });
    await h().post('runs/set-tag', { run_id, key: 'note', value: 'bye' });
    await h().post('runs/set-tag', { run_id, key: 'gone', value: 'x' });
    await h().post('runs/delete-tag', { run_id, key: 'gone' });
    const run = await getRun(h(), run_id);
    const metric = (k: string) => run.data.metrics.find((m) => m.key === k);
    assert.deepEqual(metric('loss'), { key: 'loss', value: 0.25, timestamp: 11, step: 2 });
    assert.equal(metric('nan')?.value, 'NaN');
    assert.equal(metric('inf')?.value, 1.7976931348623157e308);
    assert.equal(metric('ninf')?.value, -1.7976931348623157e308);
    assert.deepEqual(run.data.params, [
      { key: 'alpha', value: '0.1' },
      { key: 'empty', value: '' },
    ]);
    assert.equal(run.data.tags.find((t) => t.key === 'note')?.value, 'bye');
    assert.equal(
      run.data.tags.find((t) => t.key === 'gone'),
      undefined,
    );
    const hist = (await h().get('metrics/get-history', { run_id, metric_key: 'loss' })) as {
      metrics: unknown[];
    };
    assert.deepEqual(hist.metrics, [
      { key: 'loss', value: 0.5, timestamp: 10, step: 1 },
      { key: 'loss', value: 0.25, timestamp: 11, step: 2 },
    ]);
    // an older point logged later does not replace the latest value
    await h().post('runs/log-metric', { run_id, key: 'loss', value: 9, timestamp: 1, step: 0 });
    assert.equal((await getRun(h(), run_id)).data.metrics.find((m) => m.key === 'loss')?.value, 0.25);
    // history paging
    const p1 = (await h().get('metrics/get-history', { run_id, metric_key: 'loss', max_results: '2' })) as {
      metrics: { step: number }[];
      next_page_token?: string;
    };
    assert.deepEqual(
      p1.metrics.map((m) => m.step),
      [0, 1],
    );
    assert.ok(p1.next_page_token);
    const p2 = (await h().get('metrics/get-history', {
      run_id,
      metric_key: 'loss',
      max_results: '2',
      page_token: p1.next_page_token!,
    })) as { metrics: { step: number }[]; next_page_token?: string };
    assert.deepEqual(
      p2.metrics.map((m) => m.step),
      [2],
    );
    assert.equal(p2.next_page_token, undefined);
  });

  test('params are immutable; log-batch is atomic', async () => {
    const { run_id } = (await newRun(h())).info;
    await h().post('runs/log-parameter', { run_id, key: 'p', value: '1' });
    const msg = expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/log-parameter', { run_id, key: 'p', value: '2' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    assert.match(msg, /Changing param values is not allowed/);
    // a batch with one conflicting param writes nothing at all
    expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/log-batch', {
        run_id,
        metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
        params: [
          { key: 'q', value: 'new' },
          { key: 'p', value: '3' },
        ],
        tags: [{ key: 't', value: 'v' }],
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const run = await getRun(h(), run_id);
    assert.equal(run.data.metrics.length, 0);
    assert.deepEqual(run.data.params, [{ key: 'p', value: '1' }]);
    assert.equal(
      run.data.tags.find((t) => t.key === 't'),
      undefined,
    );
    expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/log-batch', {
        run_id,
        params: [
          { key: 'd', value: '1' },
          { key: 'd', value: '2' },
        ],
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  test('log-batch: 1000 metrics in one request, identical points stored once, limits', async () => {
    const { run_id } = (await newRun(h())).info;
    const metrics = Array.from({ length: 1000 }, (_, i) => ({
      key: `m${i % 10}`,
      value: i,
      timestamp: 5,
      step: i,
    }));
    await h().post('runs/log-batch', { run_id, metrics, params: [], tags: [] });
    await h().post('runs/log-batch', { run_id, metrics: metrics.slice(0, 10) }); // retry of part: no duplicates
    const hist = (await h().get('metrics/get-history', { run_id, metric_key: 'm3' })) as {
      metrics: unknown[];
    };
    assert.equal(hist.metrics.length, 100);
    const run = await getRun(h(), run_id);
    assert.equal(run.data.metrics.find((m) => m.key === 'm3')?.value, 993);
    const c = h().call;
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ key: 'x', value: 1, timestamp: 1, step: i }));
    expectError(
      await c('POST', '/api/2.0/mlflow/runs/log-batch', { run_id, metrics: tooMany }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const params101 = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    expectError(
      await c('POST', '/api/2.0/mlflow/runs/log-batch', { run_id, params: params101 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const tags101 = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: 'v' }));
    expectError(
      await c('POST', '/api/2.0/mlflow/runs/log-batch', { run_id, tags: tags101 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const total = {
      run_id,
      metrics: Array.from({ length: 950 }, (_, i) => ({ key: 'x', value: 1, timestamp: 1, step: i })),
      params: Array.from({ length: 60 }, (_, i) => ({ key: `p${i}`, value: 'v' })),
    };
    expectError(await c('POST', '/api/2.0/mlflow/runs/log-batch', total), 400, 'INVALID_PARAMETER_VALUE');
    const huge = { run_id, tags: [{ key: 't', value: 'x'.repeat(1_100_000) }] };
    expectError(await c('POST', '/api/2.0/mlflow/runs/log-batch', huge), 400, 'INVALID_PARAMETER_VALUE');
  });

  test('validation: key characters, lengths, types, missing fields, unknown run', async () => {
    const { run_id } = (await newRun(h())).info;
    const c = (path: string, body: unknown) => h().call('POST', `/api/2.0/mlflow/${path}`, body);
    for (const key of ['bad$key', '../up', '/abs', 'a//b', '', 'x'.repeat(251)]) {
      expectError(
        await c('runs/log-metric', { run_id, key, value: 1, timestamp: 1 }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(await c('runs/log-parameter', { run_id, key, value: '1' }), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await c('runs/set-tag', { run_id, key, value: '1' }), 400, 'INVALID_PARAMETER_VALUE');
    }
    await h().post('runs/log-metric', { run_id, key: 'ok name/with-dash_and.dot', value: 1, timestamp: 1 });
    expectError(
      await c('runs/log-parameter', { run_id, key: 'long', value: 'v'.repeat(6001) }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    await h().post('runs/log-parameter', { run_id, key: 'long', value: 'v'.repeat(6000) });
    expectError(
      await c('runs/set-tag', { run_id, key: 't', value: 'v'.repeat(5001) }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('runs/log-metric', { run_id, key: 'm', value: 'abc', timestamp: 1 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('runs/log-metric', { run_id, key: 'm', value: true, timestamp: 1 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await c('runs/log-metric', { run_id, key: 'm', value: 1 }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(
      await c('runs/log-metric', { run_id, key: 'm', value: 1, timestamp: -5 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('runs/log-metric', { run_id, key: 'm', value: 1, timestamp: 1, step: 1.5 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('runs/log-metric', { key: 'm', value: 1, timestamp: 1 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await c('runs/log-parameter', { run_id, key: 'x' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c('runs/log-batch', { run_id, metrics: 'nope' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c('runs/log-batch', { run_id, metrics: [1, 2] }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c('runs/update', { run_id, status: 'DONE' }), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await c('runs/delete-tag', { run_id, key: 'never-set' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await c('runs/create', { experiment_id: '424242' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(
      await c('runs/create', { run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const missing = 'f'.repeat(32);
    expectError(
      await h().call('GET', `/api/2.0/mlflow/runs/get?run_id=${missing}`),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await c('runs/log-metric', { run_id: missing, key: 'm', value: 1, timestamp: 1 }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(await c('runs/delete', { run_id: missing }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(
      await h().call('GET', `/api/2.0/mlflow/metrics/get-history?run_id=${run_id}`),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  test('log-inputs with datasets, log-model, outputs', async () => {
    const { run_id } = (await newRun(h())).info;
    const dataset = {
      name: 'iris',
      digest: 'abc123',
      source_type: 'local',
      source: '{"uri": "/data/iris.csv"}',
      schema: '{}',
    };
    await h().post('runs/log-inputs', {
      run_id,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
    });
    await h().post('runs/log-inputs', {
      run_id,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
    });
    const run = await getRun(h(), run_id);
    assert.deepEqual(run.inputs.dataset_inputs, [
      { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset },
    ]);
    expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/log-inputs', {
        run_id,
        datasets: [{ dataset: { name: 'x' } }],
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const model = {
      artifact_path: 'model',
      flavors: { python_function: {} },
      utc_time_created: '2024-01-01 00:00:00',
      run_id,
    };
    await h().post('runs/log-model', { run_id, model_json: JSON.stringify(model) });
    await h().post('runs/log-model', {
      run_id,
      model_json: JSON.stringify({ ...model, artifact_path: 'm2' }),
    });
    const hist = (await getRun(h(), run_id)).data.tags.find((t) => t.key === 'mlflow.log-model.history');
    assert.deepEqual(
      (JSON.parse(hist!.value) as { artifact_path: string }[]).map((m) => m.artifact_path),
      ['model', 'm2'],
    );
    expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/log-model', { run_id, model_json: '{"flavors": {}}' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/log-model', { run_id, model_json: 'nope' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  test('get-history-bulk-interval samples steps for charts', async () => {
    const a = (await newRun(h())).info.run_id;
    const b = (await newRun(h())).info.run_id;
    const points = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: 'acc', value: i / n, timestamp: i, step: i }));
    for (let i = 0; i < 2; i++) {
      await h().post('runs/log-batch', { run_id: a, metrics: points(2000).slice(i * 1000, (i + 1) * 1000) });
    }
    await h().post('runs/log-batch', { run_id: b, metrics: points(50) });
    const res = (await h().get('metrics/get-history-bulk-interval', {
      run_ids: [a, b],
      metric_key: 'acc',
      max_results: '100',
    })) as { metrics: { run_id: string; step: number }[] };
    const stepsA = res.metrics.filter((m) => m.run_id === a).map((m) => m.step);
    const stepsB = res.metrics.filter((m) => m.run_id === b).map((m) => m.step);
    assert.ok(stepsA.length <= 102 && stepsA.length >= 90, `got ${stepsA.length}`);
    assert.equal(stepsA[0], 0);
    assert.equal(stepsA.at(-1), 1999);
    assert.deepEqual(
      stepsA,
      [...stepsA].sort((x, y) => x - y),
    );
    assert.ok(stepsB.length > 0 && stepsB.every((s) => s < 50));
    // all points returned when the range is small
    const small = (await h().get('metrics/get-history-bulk-interval', {
      run_ids: [a],
      metric_key: 'acc',
      start_step: '10',
      end_step: '19',
    })) as { metrics: { step: number }[] };
    assert.deepEqual(
      small.metrics.map((m) => m.step),
      [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
    );
    const c = h().call;
    expectError(
      await c('GET', `/api/2.0/mlflow/metrics/get-history-bulk-interval?metric_key=acc`),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c(
        'GET',
        `/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${a}&metric_key=acc&max_results=5000`,
      ),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c(
        'GET',
        `/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${a}&metric_key=acc&start_step=5&end_step=1`,
      ),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c(
        'GET',
        `/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${a}&metric_key=acc&start_step=x&end_step=1`,
      ),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const many = Array.from({ length: 101 }, (_, i) => `run_ids=r${i}`).join('&');
    expectError(
      await c('GET', `/api/2.0/mlflow/metrics/get-history-bulk-interval?${many}&metric_key=acc`),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });
});
