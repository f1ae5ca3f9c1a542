/**
 * Replays, request by request, what the Python `mlflow` client sends for its everyday calls (read
 * from mlflow/mlflow's `mlflow/store/tracking/rest_store.py`, `mlflow/tracking/fluent.py`,
 * `mlflow/store/artifact/http_artifact_repo.py` and, for MLflow 3, `mlflow/models/model.py`):
 * JSON bodies with both run_id and the deprecated run_uuid, proto3 JSON spellings ("NaN"), GET
 * endpoints with query strings, and artifact uploads through `mlflow-artifacts:/` URIs.
 * (The Python client itself cannot be installed here: no PyPI.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect, type Harness } from './support/server.js';

const UA = { 'user-agent': 'mlflow-python-client/2.17.2', 'content-type': 'application/json' };

async function rest(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: UA,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** `mlflow-artifacts:/a/b` → the proxy URL, as HttpArtifactRepository resolves it. */
function proxyUrl(h: Harness, uri: string, file: string): string {
  return `${h.url}/api/2.0/mlflow-artifacts/artifacts/${uri.replace(/^mlflow-artifacts:\/+/, '')}/${file}`;
}

forEachDialect('MLflow Python client request sequences', (h) => {
  test('MLflow 2: set_experiment, start_run, log_param/metric/artifact, end_run, search_runs', async () => {
    // mlflow.set_experiment("replay"): get-by-name → 404 → create → get
    let r = await rest(h(), 'GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=replay');
    assert.equal(r.status, 404);
    assert.equal(r.json.error_code, 'RESOURCE_DOES_NOT_EXIST');
    r = await rest(h(), 'POST', '/api/2.0/mlflow/experiments/create', { name: 'replay' });
    const expId = r.json.experiment_id as string;
    r = await rest(h(), 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${expId}`);
    assert.equal(r.status, 200);
    // mlflow.start_run()
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/create', {
      experiment_id: expId,
      user_id: 'ana',
      start_time: 1700000000000,
      tags: [
        { key: 'mlflow.user', value: 'ana' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.source.git.commit', value: 'abc123' },
      ],
    });
    assert.equal(r.status, 200);
    const run = (r.json.run as { info: { run_id: string; artifact_uri: string } }).info;
    const ids = { run_uuid: run.run_id, run_id: run.run_id };
    // mlflow.log_param / log_metric (one call each, then a NaN from a diverged loss)
    assert.equal(
      (await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-parameter', { ...ids, key: 'lr', value: '0.01' }))
        .status,
      200,
    );
    for (const [step, value] of [
      [0, 0.9],
      [1, 0.5],
      [2, 'NaN'],
    ] as const) {
      r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-metric', {
        ...ids,
        key: 'loss',
        value,
        timestamp: 1700000000100 + step,
        step,
      });
      assert.equal(r.status, 200);
    }
    // mlflow.set_tag
    assert.equal(
      (await rest(h(), 'POST', '/api/2.0/mlflow/runs/set-tag', { ...ids, key: 'phase', value: 'dev' }))
        .status,
      200,
    );
    // mlflow.log_artifact("notes.txt"): get the run for its artifact_uri, then PUT to the proxy
    r = await rest(h(), 'GET', `/api/2.0/mlflow/runs/get?run_uuid=${run.run_id}&run_id=${run.run_id}`);
    const uri = (r.json.run as { info: { artifact_uri: string } }).info.artifact_uri;
    assert.equal(uri, `mlflow-artifacts:/${expId}/${run.run_id}/artifacts`);
    const put = await fetch(proxyUrl(h(), uri, 'notes.txt'), { method: 'PUT', body: 'some notes' });
    assert.equal(put.status, 200);
    // mlflow.end_run()
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/update', {
      ...ids,
      status: 'FINISHED',
      end_time: 1700000001000,
    });
    assert.equal((r.json.run_info as { status: string }).status, 'FINISHED');
    // MlflowClient.list_artifacts + download
    r = await rest(h(), 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${run.run_id}&run_uuid=${run.run_id}`);
    assert.deepEqual(r.json.files, [{ path: 'notes.txt', is_dir: false, file_size: 10 }]);
    assert.equal(await (await fetch(proxyUrl(h(), uri, 'notes.txt'))).text(), 'some notes');
    // MlflowClient.get_metric_history
    r = await rest(
      h(),
      'GET',
      `/api/2.0/mlflow/metrics/get-history?run_uuid=${run.run_id}&run_id=${run.run_id}&metric_key=loss`,
    );
    assert.deepEqual(
      (r.json.metrics as { value: unknown }[]).map((m) => m.value),
      [0.9, 0.5, 'NaN'],
    );
    // mlflow.search_runs(filter_string=..., order_by=[...]) → paged POSTs
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/search', {
      experiment_ids: [expId],
      filter: "params.lr = '0.01' and attributes.status = 'FINISHED'",
      run_view_type: 'ACTIVE_ONLY',
      max_results: 10000,
      order_by: ['metrics.loss DESC', 'start_time DESC'],
    });
    assert.equal(r.status, 200);
    const runs = r.json.runs as {
      info: { run_id: string };
      data: { params: unknown[]; tags: { key: string }[] };
    }[];
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.info.run_id, run.run_id);
    assert.deepEqual(runs[0]?.data.params, [{ key: 'lr', value: '0.01' }]);
    assert.equal(r.json.next_page_token, undefined);
  });

  test('MLflow 2 sklearn autolog: log-batch params/tags/metrics, log-inputs, model artifacts, log-model', async () => {
    let r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/create', {
      experiment_id: '0',
      start_time: 1,
      tags: [],
    });
    const run = (r.json.run as { info: { run_id: string; artifact_uri: string } }).info;
    // autolog logs every estimator param (batched by 100), then tags, then training metrics
    const params = Array.from({ length: 130 }, (_, i) => ({ key: `param_${i}`, value: String(i) }));
    for (let i = 0; i < params.length; i += 100) {
      r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-batch', {
        run_id: run.run_id,
        metrics: [],
        params: params.slice(i, i + 100),
        tags: [],
      });
      assert.equal(r.status, 200);
    }
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-batch', {
      run_id: run.run_id,
      tags: [
        { key: 'estimator_name', value: 'LogisticRegression' },
        { key: 'estimator_class', value: 'sklearn.linear_model._logistic.LogisticRegression' },
      ],
    });
    assert.equal(r.status, 200);
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-inputs', {
      run_id: run.run_id,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'train' }],
          dataset: {
            name: 'dataset',
            digest: '5d5e1d3c',
            source_type: 'code',
            source: '{"tags": {"mlflow.user": "ana", "mlflow.source.name": "train.py"}}',
            schema: '{"mlflow_tensorspec": {"features": "[{\\"type\\": \\"tensor\\"}]"}}',
            profile: '{"features_shape": [150, 4]}',
          },
        },
      ],
    });
    assert.equal(r.status, 200);
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-batch', {
      run_id: run.run_id,
      metrics: [
        { key: 'training_accuracy_score', value: 0.97, timestamp: 2, step: 0 },
        { key: 'training_log_loss', value: 0.1, timestamp: 2, step: 0 },
      ],
    });
    assert.equal(r.status, 200);
    // log_model: files into <artifact_uri>/model/, then runs/log-model with the MLmodel as JSON
    for (const file of ['MLmodel', 'model.pkl', 'conda.yaml', 'python_env.yaml', 'requirements.txt']) {
      const put = await fetch(proxyUrl(h(), run.artifact_uri, `model/${file}`), {
        method: 'PUT',
        body: `${file} bytes`,
      });
      assert.equal(put.status, 200);
    }
    const modelJson = {
      run_id: run.run_id,
      artifact_path: 'model',
      utc_time_created: '2024-05-01 12:00:00.000000',
      flavors: {
        python_function: { loader_module: 'mlflow.sklearn' },
        sklearn: { sklearn_version: '1.4.2' },
      },
      model_uuid: '0f1e2d3c',
      mlflow_version: '2.17.2',
    };
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-model', {
      run_id: run.run_id,
      model_json: JSON.stringify(modelJson),
    });
    assert.equal(r.status, 200);
    r = await rest(h(), 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${run.run_id}&path=model`);
    assert.equal((r.json.files as unknown[]).length, 5);
    r = await rest(h(), 'GET', `/api/2.0/mlflow/runs/get?run_id=${run.run_id}`);
    const got = r.json.run as {
      data: { params: unknown[]; metrics: unknown[]; tags: { key: string; value: string }[] };
      inputs: { dataset_inputs: unknown[] };
    };
    assert.equal(got.data.params.length, 130);
    assert.equal(got.data.metrics.length, 2);
    assert.equal(got.inputs.dataset_inputs.length, 1);
    const history = JSON.parse(got.data.tags.find((t) => t.key === 'mlflow.log-model.history')!.value) as {
      artifact_path: string;
    }[];
    assert.equal(history[0]?.artifact_path, 'model');
  });

  test('MLflow 3 log_model: logged-models create, artifacts, outputs, finalize, get, search', async () => {
    let r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/create', {
      experiment_id: '0',
      start_time: 5,
      tags: [],
    });
    const run = (r.json.run as { info: { run_id: string } }).info;
    r = await rest(h(), 'POST', '/api/2.0/mlflow/logged-models', {
      experiment_id: '0',
      name: 'model',
      source_run_id: run.run_id,
      params: [{ key: 'C', value: '1.0' }],
      tags: [{ key: 'mlflow.user', value: 'ana' }],
    });
    assert.equal(r.status, 200);
    const info = (r.json.model as { info: { model_id: string; artifact_uri: string; status: string } }).info;
    assert.equal(info.status, 'LOGGED_MODEL_PENDING');
    for (const file of ['MLmodel', 'model.pkl', 'requirements.txt']) {
      const put = await fetch(proxyUrl(h(), info.artifact_uri, file), { method: 'PUT', body: file });
      assert.equal(put.status, 200);
    }
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/outputs', {
      run_id: run.run_id,
      models: [{ model_id: info.model_id, step: 0 }],
    });
    assert.equal(r.status, 200);
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-model', {
      run_id: run.run_id,
      model_json: JSON.stringify({
        run_id: run.run_id,
        artifact_path: 'model',
        utc_time_created: '2025-01-01 00:00:00',
        flavors: {},
        model_id: info.model_id,
      }),
    });
    assert.equal(r.status, 200);
    r = await rest(h(), 'PATCH', `/api/2.0/mlflow/logged-models/${info.model_id}`, {
      model_id: info.model_id,
      status: 'LOGGED_MODEL_READY',
    });
    assert.equal((r.json.model as { info: { status: string } }).info.status, 'LOGGED_MODEL_READY');
    // metrics logged against the model (MLflow 3 log_metric(..., model_id=...)) go through log-batch
    r = await rest(h(), 'POST', '/api/2.0/mlflow/runs/log-batch', {
      run_id: run.run_id,
      metrics: [{ key: 'accuracy', value: 0.95, timestamp: 6, step: 0, model_id: info.model_id }],
    });
    assert.equal(r.status, 200);
    r = await rest(h(), 'GET', `/api/2.0/mlflow/logged-models/${info.model_id}`);
    assert.equal((r.json.model as { data: { metrics: unknown[] } }).data.metrics.length, 1);
    r = await rest(h(), 'POST', '/api/2.0/mlflow/logged-models/search', {
      experiment_ids: ['0'],
      filter: `source_run_id = '${run.run_id}'`,
      max_results: 50,
      order_by: [{ field_name: 'creation_time', ascending: false }],
    });
    assert.deepEqual(
      (r.json.models as { info: { model_id: string } }[]).map((m) => m.info.model_id),
      [info.model_id],
    );
    // the UI lists a logged model's files through the proxy listing
    const list = await fetch(
      `${h().url}/ajax-api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(info.artifact_uri.replace('mlflow-artifacts:/', ''))}`,
    );
    assert.equal(((await list.json()) as { files: unknown[] }).files.length, 3);
  });
});
