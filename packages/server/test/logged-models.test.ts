import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectError, forEachDialect } from './support/server.js';

interface WireModel {
  info: {
    model_id: string;
    name: string;
    status: string;
    artifact_uri: string;
    tags: unknown[];
    source_run_id?: string;
  };
  data: { params: unknown[]; metrics: { key: string; value: unknown }[] };
}

forEachDialect('logged models (MLflow 3)', (h) => {
  test('create, get, params, tags, finalize, search, outputs, delete', async () => {
    const exp = ((await h().post('experiments/create', { name: 'lm-exp' })) as { experiment_id: string })
      .experiment_id;
    const { run } = (await h().post('runs/create', { experiment_id: exp })) as {
      run: { info: { run_id: string } };
    };
    const runId = run.info.run_id;
    const { model } = (await h().post('logged-models', {
      experiment_id: exp,
      name: 'clf',
      model_type: 'sklearn',
      source_run_id: runId,
      params: [{ key: 'C', value: '1.0' }],
      tags: [{ key: 'mlflow.source.name', value: 'train.py' }],
    })) as { model: WireModel };
    assert.match(model.info.model_id, /^m-[0-9a-f]{32}$/);
    assert.equal(model.info.status, 'LOGGED_MODEL_PENDING');
    assert.equal(model.info.artifact_uri, `mlflow-artifacts:/${exp}/models/${model.info.model_id}/artifacts`);
    assert.equal(model.info.source_run_id, runId);
    const id = model.info.model_id;
    await h().call('POST', `/api/2.0/mlflow/logged-models/${id}/params`, {
      params: [{ key: 'max_iter', value: '100' }],
    });
    let r = await h().call('PATCH', `/api/2.0/mlflow/logged-models/${id}/tags`, {
      tags: [{ key: 'stage', value: 'dev' }],
    });
    assert.equal(r.status, 200);
    r = await h().call('PATCH', `/api/2.0/mlflow/logged-models/${id}`, {
      model_id: id,
      status: 'LOGGED_MODEL_READY',
    });
    assert.equal(r.status, 200);
    assert.equal((r.body.model as WireModel).info.status, 'LOGGED_MODEL_READY');
    await h().post('runs/log-batch', {
      run_id: runId,
      metrics: [
        {
          key: 'acc',
          value: 0.9,
          timestamp: 1,
          step: 0,
          model_id: id,
          dataset_name: 'iris',
          dataset_digest: 'd',
        },
      ],
    });
    await h().post('runs/outputs', { run_id: runId, models: [{ model_id: id, step: 0 }] });
    const got = (await h().get(`logged-models/${id}`)) as { model: WireModel };
    assert.deepEqual(got.model.data.params, [
      { key: 'C', value: '1.0' },
      { key: 'max_iter', value: '100' },
    ]);
    assert.equal(got.model.info.tags.length, 2);
    assert.equal(got.model.data.metrics[0]?.key, 'acc');
    const runAfter = (await h().get('runs/get', { run_id: runId })) as {
      run: { outputs: { model_outputs: unknown[] } };
    };
    assert.deepEqual(runAfter.run.outputs.model_outputs, [{ model_id: id, step: 0 }]);

    const second = (await h().post('logged-models', { experiment_id: exp, name: 'other' })) as {
      model: WireModel;
    };
    const search = (await h().post('logged-models/search', {
      experiment_ids: [exp],
      filter: "name = 'clf' AND metrics.acc > 0.5",
    })) as { models: WireModel[] };
    assert.deepEqual(
      search.models.map((m) => m.info.name),
      ['clf'],
    );
    const ordered = (await h().post('logged-models/search', {
      experiment_ids: [exp],
      order_by: [{ field_name: 'name', ascending: true }],
      max_results: 1,
    })) as { models: WireModel[]; next_page_token?: string };
    assert.equal(ordered.models[0]?.info.name, 'clf');
    assert.ok(ordered.next_page_token);

    r = await h().call('DELETE', `/api/2.0/mlflow/logged-models/${id}/tags/stage`);
    assert.equal(r.status, 200);
    // a tag key of MLflow's full 250 characters travels in the path
    const longKey = 'k'.repeat(250);
    await h().call('PATCH', `/api/2.0/mlflow/logged-models/${id}/tags`, {
      tags: [{ key: longKey, value: 'v' }],
    });
    r = await h().call('DELETE', `/api/2.0/mlflow/logged-models/${id}/tags/${longKey}`);
    assert.equal(r.status, 200);
    r = await h().call('DELETE', `/api/2.0/mlflow/logged-models/${second.model.info.model_id}`);
    assert.equal(r.status, 200);
    expectError(
      await h().call('GET', `/api/2.0/mlflow/logged-models/${second.model.info.model_id}`),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  test('error paths', async () => {
    const c = h().call;
    expectError(await c('GET', '/api/2.0/mlflow/logged-models/m-nope'), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await c('POST', '/api/2.0/mlflow/logged-models', {}), 400, 'INVALID_PARAMETER_VALUE');
    expectError(
      await c('POST', '/api/2.0/mlflow/logged-models', { experiment_id: '4242' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    const { model } = (await h().post('logged-models', { experiment_id: '0' })) as { model: WireModel };
    const id = model.info.model_id;
    expectError(
      await c('PATCH', `/api/2.0/mlflow/logged-models/${id}`, { status: 'DONE' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('DELETE', `/api/2.0/mlflow/logged-models/${id}/tags/none`),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await c('PATCH', `/api/2.0/mlflow/logged-models/${id}/tags`, { tags: [{ key: 'bad$', value: 'x' }] }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/logged-models/search', { experiment_ids: ['0'], filter: 'nope nope' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/logged-models/search', {
        experiment_ids: ['0'],
        order_by: [{ field_name: 'weird' }],
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    const { run } = (await h().post('runs/create', { experiment_id: '0' })) as {
      run: { info: { run_id: string } };
    };
    expectError(
      await c('POST', '/api/2.0/mlflow/runs/log-batch', {
        run_id: run.info.run_id,
        metrics: [{ key: 'a', value: 1, timestamp: 1, model_id: 'm-missing' }],
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/runs/outputs', { run_id: run.info.run_id, models: [{ step: 1 }] }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });
});
