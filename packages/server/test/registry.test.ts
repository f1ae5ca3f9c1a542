/**
 * The model registry through real HTTP, on SQLite and PostgreSQL: registered models, versions
 * numbered per model, stages with archive_existing_versions, aliases, tags, search with filters and
 * paging, copy between models, version file download and URI resolution.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, expectError, expectOk, startTestServer, type TestServer } from './security/harness.js';
import { resolveArtifactUri, parseModelsUri, type RegistryHandles } from '@cauce/server';

const API = '/api/2.0/mlflow';

for (const dialect of DIALECTS) {
  describe(`model registry over HTTP [${dialect}]`, () => {
    let s: TestServer;
    let runId = '';
    let expId = '';
    before(async () => {
      s = await startTestServer(dialect);
      const run = await s.store.createRun({
        experimentId: '0',
        userId: 'ana',
        startTime: Date.now(),
        tags: [],
      });
      runId = run.info.run_id;
      expId = run.info.experiment_id;
      s.writeArtifact(`${expId}/${runId}/artifacts/model/MLmodel`, 'flavors: {}\n');
      s.writeArtifact(`${expId}/${runId}/artifacts/model/report.html`, '<script>alert(1)</script>');
    });
    after(async () => s.close());
    const post = async (p: string, b: unknown) => expectOk(await s.call('POST', `${API}/${p}`, b));
    const get = async (p: string, q: Record<string, string>) =>
      expectOk(await s.call('GET', `${API}/${p}?${new URLSearchParams(q).toString()}`));

    test('create, get, duplicate and invalid names', async () => {
      const r = await post('registered-models/create', {
        name: 'dev.churn',
        description: 'churn model',
        tags: [{ key: 'team', value: 'ds' }],
      });
      const m = r.registered_model as Record<string, unknown>;
      assert.equal(m.name, 'dev.churn');
      assert.equal(m.description, 'churn model');
      assert.deepEqual(m.tags, [{ key: 'team', value: 'ds' }]);
      expectError(
        await s.call('POST', `${API}/registered-models/create`, { name: 'dev.churn' }),
        400,
        'RESOURCE_ALREADY_EXISTS',
      );
      expectError(
        await s.call('POST', `${API}/registered-models/create`, { name: 'a/b' }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await s.call('POST', `${API}/registered-models/create`, {}),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await s.call('GET', `${API}/registered-models/get?name=nope`),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );
    });

    test('versions count from 1 per model and are never reused', async () => {
      const v1 = (
        await post('model-versions/create', {
          name: 'dev.churn',
          source: `runs:/${runId}/model`,
          run_id: runId,
        })
      ).model_version as Record<string, unknown>;
      assert.equal(v1.version, '1');
      assert.equal(v1.status, 'READY');
      assert.equal(v1.current_stage, 'None');
      assert.equal(v1.storage_location, undefined, 'internal location is not sent');
      const v2 = (await post('model-versions/create', { name: 'dev.churn', source: `runs:/${runId}/model` }))
        .model_version as Record<string, unknown>;
      assert.equal(v2.version, '2');
      const v3 = (
        await post('model-versions/create', {
          name: 'dev.churn',
          source: `mlflow-artifacts:/${expId}/${runId}/artifacts/model`,
        })
      ).model_version as Record<string, unknown>;
      assert.equal(v3.version, '3');
      expectOk(await s.call('DELETE', `${API}/model-versions/delete`, { name: 'dev.churn', version: '3' }));
      expectError(
        await s.call('GET', `${API}/model-versions/get?name=dev.churn&version=3`),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );
      const v4 = (await post('model-versions/create', { name: 'dev.churn', source: `runs:/${runId}/model` }))
        .model_version as Record<string, unknown>;
      assert.equal(v4.version, '4', 'a deleted number is not handed out again');
      expectError(
        await s.call('POST', `${API}/model-versions/create`, {
          name: 'missing',
          source: `runs:/${runId}/model`,
        }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );
      expectError(
        await s.call('GET', `${API}/model-versions/get?name=dev.churn&version=abc`),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      // a second model numbers from 1 again
      await post('registered-models/create', { name: 'other' });
      const o1 = (await post('model-versions/create', { name: 'other', source: `runs:/${runId}/model` }))
        .model_version as Record<string, unknown>;
      assert.equal(o1.version, '1');
    });

    test('stages: transition, archive_existing_versions, latest versions', async () => {
      const t = await post('model-versions/transition-stage', {
        name: 'dev.churn',
        version: '1',
        stage: 'production',
        archive_existing_versions: false,
      });
      assert.equal((t.model_version as Record<string, unknown>).current_stage, 'Production');
      await post('model-versions/transition-stage', {
        name: 'dev.churn',
        version: '2',
        stage: 'Staging',
        archive_existing_versions: false,
      });
      const t4 = await post('model-versions/transition-stage', {
        name: 'dev.churn',
        version: '4',
        stage: 'Production',
        archive_existing_versions: true,
      });
      assert.equal((t4.model_version as Record<string, unknown>).current_stage, 'Production');
      const v1 = await get('model-versions/get', { name: 'dev.churn', version: '1' });
      assert.equal((v1.model_version as Record<string, unknown>).current_stage, 'Archived');
      const latest = await post('registered-models/get-latest-versions', {
        name: 'dev.churn',
        stages: ['Production', 'Staging'],
      });
      assert.deepEqual(
        (latest.model_versions as Record<string, unknown>[]).map((v) => [v.version, v.current_stage]),
        [
          ['2', 'Staging'],
          ['4', 'Production'],
        ],
      );
      expectError(
        await s.call('POST', `${API}/model-versions/transition-stage`, {
          name: 'dev.churn',
          version: '2',
          stage: 'Gold',
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await s.call('POST', `${API}/model-versions/transition-stage`, {
          name: 'dev.churn',
          version: '2',
          stage: 'Archived',
          archive_existing_versions: true,
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      const m = await get('registered-models/get', { name: 'dev.churn' });
      const lv = (m.registered_model as Record<string, unknown>).latest_versions as Record<string, unknown>[];
      assert.deepEqual(lv.map((v) => `${v.current_stage}:${v.version}`).sort(), [
        'Archived:1',
        'Production:4',
        'Staging:2',
      ]);
    });

    test('aliases and tags', async () => {
      await post('registered-models/alias', { name: 'dev.churn', alias: 'champion', version: '2' });
      await post('registered-models/alias', { name: 'dev.churn', alias: 'champion', version: '4' }); // moves
      const byAlias = await get('registered-models/alias', { name: 'dev.churn', alias: 'champion' });
      assert.equal((byAlias.model_version as Record<string, unknown>).version, '4');
      assert.deepEqual((byAlias.model_version as Record<string, unknown>).aliases, ['champion']);
      expectError(
        await s.call('POST', `${API}/registered-models/alias`, {
          name: 'dev.churn',
          alias: 'latest',
          version: '1',
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await s.call('POST', `${API}/registered-models/alias`, {
          name: 'dev.churn',
          alias: 'v2',
          version: '1',
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      expectError(
        await s.call('POST', `${API}/registered-models/alias`, {
          name: 'dev.churn',
          alias: 'x',
          version: '99',
        }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );
      await post('model-versions/set-tag', {
        name: 'dev.churn',
        version: '4',
        key: 'validation_status',
        value: 'approved',
      });
      await post('registered-models/set-tag', { name: 'dev.churn', key: 'owner', value: 'ana' });
      const v4 = await get('model-versions/get', { name: 'dev.churn', version: '4' });
      assert.deepEqual((v4.model_version as Record<string, unknown>).tags, [
        { key: 'validation_status', value: 'approved' },
      ]);
      expectOk(
        await s.call('DELETE', `${API}/registered-models/delete-tag`, { name: 'dev.churn', key: 'owner' }),
      );
      expectError(
        await s.call('DELETE', `${API}/registered-models/delete-tag`, { name: 'dev.churn', key: 'owner' }),
        404,
      );
      await post('registered-models/alias', { name: 'dev.churn', alias: 'old', version: '1' });
      expectOk(await s.call('DELETE', `${API}/registered-models/alias`, { name: 'dev.churn', alias: 'old' }));
      expectError(
        await s.call('GET', `${API}/registered-models/alias?name=dev.churn&alias=old`),
        404,
        'RESOURCE_DOES_NOT_EXIST',
      );
    });

    test('search: filters, order_by and paging; ajax prefix', async () => {
      for (const n of ['zeta', 'alpha', 'beta'])
        await post('registered-models/create', { name: n, tags: [{ key: 'k', value: n }] });
      const all = await get('registered-models/search', { max_results: '2' });
      const names = (all.registered_models as Record<string, unknown>[]).map((m) => m.name);
      assert.deepEqual(names, ['alpha', 'beta']);
      assert.equal(typeof all.next_page_token, 'string');
      const page2 = await get('registered-models/search', {
        max_results: '2',
        page_token: all.next_page_token as string,
      });
      assert.deepEqual(
        (page2.registered_models as Record<string, unknown>[]).map((m) => m.name),
        ['dev.churn', 'other'],
      );
      const like = await get('registered-models/search', { filter: "name LIKE '%eta'" });
      assert.deepEqual(
        (like.registered_models as Record<string, unknown>[]).map((m) => m.name),
        ['beta', 'zeta'],
      );
      const tag = await get('registered-models/search', { filter: "tags.k = 'zeta'" });
      assert.deepEqual(
        (tag.registered_models as Record<string, unknown>[]).map((m) => m.name),
        ['zeta'],
      );
      const desc = await s.call(
        'GET',
        `/ajax-api/2.0/mlflow/registered-models/search?order_by=name%20DESC&max_results=1`,
      );
      assert.deepEqual(
        (expectOk(desc).registered_models as Record<string, unknown>[]).map((m) => m.name),
        ['zeta'],
      );
      expectError(
        await s.call('GET', `${API}/registered-models/search?filter=${encodeURIComponent('name ==== 1')}`),
        400,
      );
      const mv = await get('model-versions/search', { filter: `name = 'dev.churn' AND run_id = '${runId}'` });
      assert.deepEqual(
        (mv.model_versions as Record<string, unknown>[]).map((v) => v.version),
        ['1'],
      );
      const mv2 = await get('model-versions/search', {
        filter: "name = 'dev.churn' AND version_number > 1",
        order_by: 'version_number ASC',
      });
      assert.deepEqual(
        (mv2.model_versions as Record<string, unknown>[]).map((v) => v.version),
        ['2', '4'],
      );
      const mvt = await get('model-versions/search', { filter: "tags.validation_status = 'approved'" });
      assert.deepEqual(
        (mvt.model_versions as Record<string, unknown>[]).map((v) => v.version),
        ['4'],
      );
    });

    test('update, rename keeps versions, copy between models', async () => {
      const u = await s.call('PATCH', `${API}/registered-models/update`, {
        name: 'dev.churn',
        description: 'v2 desc',
      });
      assert.equal((expectOk(u).registered_model as Record<string, unknown>).description, 'v2 desc');
      const uv = await s.call('PATCH', `${API}/model-versions/update`, {
        name: 'dev.churn',
        version: '4',
        description: 'best',
      });
      assert.equal((expectOk(uv).model_version as Record<string, unknown>).description, 'best');
      await post('registered-models/rename', { name: 'dev.churn', new_name: 'dev.churn2' });
      expectError(await s.call('GET', `${API}/registered-models/get?name=dev.churn`), 404);
      const v = await get('model-versions/get', { name: 'dev.churn2', version: '4' });
      assert.deepEqual((v.model_version as Record<string, unknown>).aliases, ['champion']);
      expectError(
        await s.call('POST', `${API}/registered-models/rename`, { name: 'dev.churn2', new_name: 'zeta' }),
        400,
        'RESOURCE_ALREADY_EXISTS',
      );
      const c = await post('model-versions/copy', {
        name: 'dev.churn2',
        version: '4',
        dst_name: 'prod.churn',
      });
      const copied = c.model_version as Record<string, unknown>;
      assert.equal(copied.name, 'prod.churn');
      assert.equal(copied.version, '1');
      assert.equal(copied.source, 'models:/dev.churn2/4');
      // MLflow clients copy by registering a models:/ source
      const c2 = await post('model-versions/create', {
        name: 'prod.churn',
        source: 'models:/dev.churn2@champion',
      });
      assert.equal((c2.model_version as Record<string, unknown>).version, '2');
      const dl1 = await get('model-versions/get-download-uri', { name: 'prod.churn', version: '2' });
      const dl0 = await get('model-versions/get-download-uri', { name: 'dev.churn2', version: '4' });
      assert.equal(dl1.artifact_uri, dl0.artifact_uri);
      assert.equal(dl0.artifact_uri, `mlflow-artifacts:/${expId}/${runId}/artifacts/model`);
    });

    test('version files download; HTML gets a script-forbidding CSP', async () => {
      const r = await s.call('GET', `/model-versions/get-artifact?name=prod.churn&version=1&path=MLmodel`);
      assert.equal(r.status, 200);
      assert.equal(r.text, 'flavors: {}\n');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      const h = await s.call(
        'GET',
        `${API}/model-versions/get-artifact?name=prod.churn&version=1&path=report.html`,
      );
      assert.equal(h.status, 200);
      assert.match(h.headers.get('content-security-policy') ?? '', /default-src 'none'.*sandbox/);
      assert.doesNotMatch(h.headers.get('content-security-policy') ?? '', /script-src/);
      // the tracking server's own artifact proxy gets the same policy
      const viaProxy = await s.call(
        'GET',
        `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/model/report.html`,
      );
      assert.equal(viaProxy.status, 200);
      assert.match(viaProxy.headers.get('content-security-policy') ?? '', /sandbox/);
      expectError(
        await s.call('GET', `/model-versions/get-artifact?name=prod.churn&version=1&path=nothing.txt`),
        404,
      );
      expectError(await s.call('GET', `/model-versions/get-artifact?name=prod.churn&version=1`), 400);
    });

    test('URI resolution for other parts', async () => {
      const handles = s.app.cauce as RegistryHandles;
      const deps = { registry: handles.registry, tracking: s.store };
      const root = `mlflow-artifacts:/${expId}/${runId}/artifacts`;
      assert.equal(await resolveArtifactUri('models:/dev.churn2/2', deps), `${root}/model`);
      assert.equal(await resolveArtifactUri('models:/dev.churn2/Production', deps), `${root}/model`);
      assert.equal(
        await resolveArtifactUri('models:/dev.churn2/latest/MLmodel', deps),
        `${root}/model/MLmodel`,
      );
      assert.equal(await resolveArtifactUri('models:/dev.churn2@champion', deps), `${root}/model`);
      assert.equal(await resolveArtifactUri(`runs:/${runId}/model`, deps), `${root}/model`);
      assert.equal(await resolveArtifactUri('mlflow-artifacts:/a/b', deps), 'mlflow-artifacts:/a/b');
      assert.deepEqual(parseModelsUri('models:/x/staging'), {
        name: 'x',
        kind: 'stage',
        stage: 'Staging',
        subPath: '',
      });
      // MLflow 3 clients register logged models by id: models:/m-<id>
      const lm = await s.store.createLoggedModel({ experimentId: expId, params: [], tags: [] });
      assert.equal(await resolveArtifactUri(`models:/${lm.info.model_id}`, deps), lm.info.artifact_uri);
      const v = expectOk(
        await s.call('POST', `${API}/model-versions/create`, {
          name: 'prod.churn',
          source: `models:/${lm.info.model_id}`,
          model_id: lm.info.model_id,
        }),
      ).model_version as Record<string, unknown>;
      assert.equal(v.model_id, lm.info.model_id);
      const dl = expectOk(
        await s.call(
          'GET',
          `${API}/model-versions/get-download-uri?name=prod.churn&version=${v.version as string}`,
        ),
      );
      assert.equal(dl.artifact_uri, lm.info.artifact_uri);
      await assert.rejects(resolveArtifactUri('models:/dev.churn2/None', deps), /No versions/);
      await assert.rejects(resolveArtifactUri('models:/dev.churn2@champion/../x', deps), /'\.\.'/);
      await assert.rejects(resolveArtifactUri('file:///etc/passwd', deps), /Unsupported URI/);
    });

    test('concurrent version creates get distinct consecutive numbers', async () => {
      await post('registered-models/create', { name: 'busy' });
      const replies = await Promise.all(
        Array.from({ length: 8 }, () =>
          s.call('POST', `${API}/model-versions/create`, { name: 'busy', source: `runs:/${runId}/model` }),
        ),
      );
      const versions = replies.map((r) =>
        Number((expectOk(r).model_version as Record<string, unknown>).version),
      );
      assert.deepEqual(
        [...versions].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    });

    test('delete a registered model removes everything', async () => {
      expectOk(await s.call('DELETE', `${API}/registered-models/delete`, { name: 'dev.churn2' }));
      expectError(await s.call('GET', `${API}/model-versions/get?name=dev.churn2&version=1`), 404);
      expectError(await s.call('DELETE', `${API}/registered-models/delete`, { name: 'dev.churn2' }), 404);
      // recreating the name starts numbering again, as in MLflow
      await post('registered-models/create', { name: 'dev.churn2' });
      const v = await post('model-versions/create', { name: 'dev.churn2', source: `runs:/${runId}/model` });
      assert.equal((v.model_version as Record<string, unknown>).version, '1');
    });
  });
}
