import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectError, forEachDialect } from './support/server.js';

forEachDialect('experiments API', (h) => {
  test('default experiment 0 exists and health/version answer', async () => {
    const { experiment } = (await h().get('experiments/get', { experiment_id: '0' })) as {
      experiment: Record<string, unknown>;
    };
    assert.equal(experiment.name, 'Default');
    assert.equal(experiment.artifact_location, 'mlflow-artifacts:/0');
    assert.equal(experiment.lifecycle_stage, 'active');
    const health = await fetch(`${h().url}/health`);
    assert.equal(await health.text(), 'OK');
    assert.equal((await fetch(`${h().url}/version`)).status, 200);
  });

  test('create, get, get-by-name, update, tags, delete, restore', async () => {
    const { experiment_id } = (await h().post('experiments/create', {
      name: 'exp-a',
      tags: [{ key: 'team', value: 'ml' }],
      unknown_field: 'ignored like protobuf does',
    })) as { experiment_id: string };
    assert.match(experiment_id, /^\d+$/);
    const got = (await h().get('experiments/get', { experiment_id })) as {
      experiment: Record<string, unknown>;
    };
    assert.equal(got.experiment.name, 'exp-a');
    assert.equal(got.experiment.artifact_location, `mlflow-artifacts:/${experiment_id}`);
    assert.deepEqual(got.experiment.tags, [{ key: 'team', value: 'ml' }]);
    const byName = (await h().get('experiments/get-by-name', { experiment_name: 'exp-a' })) as {
      experiment: { experiment_id: string };
    };
    assert.equal(byName.experiment.experiment_id, experiment_id);
    await h().post('experiments/update', { experiment_id, new_name: 'exp-a2' });
    await h().post('experiments/set-experiment-tag', { experiment_id, key: 'stage', value: 'dev' });
    await h().post('experiments/delete-experiment-tag', { experiment_id, key: 'team' });
    const after = (await h().get('experiments/get', { experiment_id })) as {
      experiment: Record<string, unknown>;
    };
    assert.equal(after.experiment.name, 'exp-a2');
    assert.deepEqual(after.experiment.tags, [{ key: 'stage', value: 'dev' }]);
    await h().post('experiments/delete', { experiment_id });
    const deleted = (await h().get('experiments/get', { experiment_id })) as {
      experiment: Record<string, unknown>;
    };
    assert.equal(deleted.experiment.lifecycle_stage, 'deleted');
    // a deleted experiment still holds its name (until gc)
    expectError(
      await h().call('POST', '/api/2.0/mlflow/experiments/create', { name: 'exp-a2' }),
      400,
      'RESOURCE_ALREADY_EXISTS',
    );
    // runs cannot be created in it
    expectError(
      await h().call('POST', '/api/2.0/mlflow/runs/create', { experiment_id }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    await h().post('experiments/restore', { experiment_id });
    const restored = (await h().get('experiments/get', { experiment_id })) as {
      experiment: Record<string, unknown>;
    };
    assert.equal(restored.experiment.lifecycle_stage, 'active');
  });

  test('error paths', async () => {
    const c = h().call;
    expectError(
      await c('GET', '/api/2.0/mlflow/experiments/get?experiment_id=987654'),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await c('GET', '/api/2.0/mlflow/experiments/get?experiment_id=abc'),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(await c('GET', '/api/2.0/mlflow/experiments/get'), 400, 'INVALID_PARAMETER_VALUE');
    expectError(
      await c('GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=nope'),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/create', { name: '' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/create', { name: true }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/create', { name: { x: 1 } }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    // numeric ids are accepted for string fields, as MLflow's server does
    const numeric = await c('POST', '/api/2.0/mlflow/experiments/set-experiment-tag', {
      experiment_id: 0,
      key: 'k',
      value: 'v',
    });
    assert.equal(numeric.status, 200);
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/create', { name: 'x'.repeat(501) }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await c('POST', '/api/2.0/mlflow/experiments/create', {}), 400, 'INVALID_PARAMETER_VALUE');
    await h().post('experiments/create', { name: 'dup' });
    const msg = expectError(
      await c('POST', '/api/2.0/mlflow/experiments/create', { name: 'dup' }),
      400,
      'RESOURCE_ALREADY_EXISTS',
    );
    assert.match(msg, /dup/);
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/delete', { experiment_id: '0' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/delete-experiment-tag', {
        experiment_id: '0',
        key: 'nope',
      }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/set-experiment-tag', {
        experiment_id: '0',
        key: 'bad$key',
        value: 'v',
      }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await c('POST', '/api/2.0/mlflow/experiments/create', '{"name": '), 400, 'MALFORMED_REQUEST');
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/create', '[1,2]'),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(await c('GET', '/api/2.0/mlflow/no-such-endpoint'), 404, 'ENDPOINT_NOT_FOUND');
    expectError(await c('GET', '/'), 404, 'ENDPOINT_NOT_FOUND');
    expectError(await c('DELETE', '/api/2.0/mlflow/experiments/create'), 404, 'ENDPOINT_NOT_FOUND');
    expectError(
      await c('GET', '/api/2.0/mlflow/experiments/get?experiment_id=%zz'),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/update', { experiment_id: '0', new_name: 'dup' }),
      400,
      'RESOURCE_ALREADY_EXISTS',
    );
  });

  test('search experiments: filter, order_by, view_type, paging, caps', async () => {
    for (const n of ['s-alpha', 's-beta', 's-gamma']) {
      await h().post('experiments/create', {
        name: n,
        tags: [{ key: 'kind', value: n === 's-beta' ? 'b' : 'other' }],
      });
    }
    const byTag = (await h().post('experiments/search', { filter: "tags.kind = 'b'" })) as {
      experiments: { name: string }[];
    };
    assert.deepEqual(
      byTag.experiments.map((e) => e.name),
      ['s-beta'],
    );
    const like = (await h().post('experiments/search', {
      filter: "name LIKE 's-%'",
      order_by: ['name DESC'],
    })) as {
      experiments: { name: string }[];
    };
    assert.deepEqual(
      like.experiments.map((e) => e.name),
      ['s-gamma', 's-beta', 's-alpha'],
    );
    const ored = (await h().post('experiments/search', {
      filter: "name = 's-alpha' OR (name = 's-gamma' AND tags.kind = 'other')",
      order_by: ['name'],
    })) as { experiments: { name: string }[] };
    assert.deepEqual(
      ored.experiments.map((e) => e.name),
      ['s-alpha', 's-gamma'],
    );
    // paging through everything two at a time returns each experiment once
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = (await h().post('experiments/search', {
        max_results: 2,
        page_token: token,
        view_type: 'ALL',
      })) as {
        experiments: { experiment_id: string }[];
        next_page_token?: string;
      };
      seen.push(...page.experiments.map((e) => e.experiment_id));
      token = page.next_page_token;
    } while (token);
    assert.equal(new Set(seen).size, seen.length);
    assert.ok(seen.includes('0'));
    // GET with query string works too
    const viaGet = (await h().get('experiments/search', { filter: "name = 's-beta'", max_results: '5' })) as {
      experiments: unknown[];
    };
    assert.equal(viaGet.experiments.length, 1);
    const c = h().call;
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/search', { max_results: 50001 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/search', { max_results: 0 }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/search', { page_token: 'garbage!' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/search', { filter: 'metrics.x > 1' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/search', { view_type: 'SOME' }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
    expectError(
      await c('POST', '/api/2.0/mlflow/experiments/search', { order_by: ['bogus'] }),
      400,
      'INVALID_PARAMETER_VALUE',
    );
  });

  test('ajax-api prefix serves the same API', async () => {
    const r = await h().call('GET', '/ajax-api/2.0/mlflow/experiments/get?experiment_id=0');
    assert.equal(r.status, 200);
  });
});
