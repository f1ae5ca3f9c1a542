// Log → register → alias → load by alias against a real `cauce server` (SQLite): the loaded model predicts
// exactly what the fitted one does. Also the registry calls (versions, stages, tags, descriptions, search,
// aliases, delete) and their error paths as the server answers them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '@cauce/frame';
import { LinearRegression, Pipeline, PipelineModel, VectorAssembler } from '@cauce/ml';
import { MlflowError } from '@cauce/protocol';
import {
  ClientError,
  MlflowClient,
  _resetFluentState,
  loadModel,
  logModel,
  setExperiment,
  setTrackingUri,
  withRun,
} from '@cauce/client';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let client: MlflowClient;

before(async () => {
  server = await startTestServer();
  client = new MlflowClient(server.url);
  _resetFluentState();
  setTrackingUri(server.url);
});
after(async () => {
  _resetFluentState();
  await server.close();
});

function frame(n: number, shift = 0): Frame {
  const a = Float64Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 10 + shift);
  const b = Float64Array.from({ length: n }, (_, i) => ((i * 53) % 89) / 20);
  const label = a.map((v, i) => 2 * v - 3 * b[i]! + 0.5 + (((i * 7) % 13) - 6) / 50);
  return Frame.fromColumns({ a, b, label });
}

describe('log → register → load', () => {
  test('logModel with registeredModelName, alias, then loadModel by alias / version / runs:/ predicts the same', async () => {
    await setExperiment('registry-e2e');
    const train = frame(200);
    const pipe = new Pipeline({
      stages: [new VectorAssembler({ inputCols: ['a', 'b'], outputCol: 'features' }), new LinearRegression()],
    });
    const model = await pipe.fit(train);
    const info = await withRun({ runName: 'register' }, async () =>
      logModel(model, 'model', {
        registeredModelName: 'houses',
        inputExample: train.select('a', 'b').head(3),
        trainingFrame: train,
      }),
    );
    assert.equal(info.registeredModelVersion?.version, '1');
    assert.equal(info.registeredModelVersion?.run_id, info.runId);
    await client.setRegisteredModelAlias('houses', 'champion', 1);
    const scoring = frame(50, 1).select('a', 'b');
    const expected = (await model.transform(scoring)).float64('prediction');
    for (const uri of [
      'models:/houses@champion',
      'models:/houses/1',
      'models:/houses/latest',
      info.modelUri,
    ]) {
      const loaded = await loadModel(uri, { client });
      assert.ok(loaded instanceof PipelineModel, uri);
      assert.deepEqual([...(await loaded.transform(scoring)).float64('prediction')], [...expected], uri);
    }
    // a second version, promoted through stages
    const v2 = await client.registerModel(info.modelUri, 'houses', { description: 'retrained' });
    assert.equal(v2.version, '2');
    await client.transitionModelVersionStage('houses', 2, 'Production');
    assert.equal((await client.resolveModelVersion('models:/houses/Production')).version, '2');
    assert.equal((await client.getModelVersionByAlias('houses', 'champion')).version, '1');
  });
});

describe('registry calls', () => {
  test('registered models and versions: tags, descriptions, search, aliases, delete', async () => {
    await client.createRegisteredModel('reg-a', { tags: { team: 'x' }, description: 'first' });
    await assert.rejects(
      client.createRegisteredModel('reg-a'),
      (e: unknown) => e instanceof MlflowError && e.errorCode === 'RESOURCE_ALREADY_EXISTS',
    );
    await client.updateRegisteredModel('reg-a', 'updated');
    await client.setRegisteredModelTag('reg-a', 'k', 'v');
    const got = await client.getRegisteredModel('reg-a');
    assert.equal(got.description, 'updated');
    assert.equal(got.tags.find((t) => t.key === 'k')?.value, 'v');
    await client.deleteRegisteredModelTag('reg-a', 'k');
    assert.equal(
      (await client.getRegisteredModel('reg-a')).tags.find((t) => t.key === 'k'),
      undefined,
    );

    const expId = await client.createExperiment('reg-exp');
    const run = await client.createRun(expId);
    const v = await client.createModelVersion('reg-a', `${run.info.artifact_uri}/model`, {
      runId: run.info.run_id,
    });
    assert.equal(v.version, '1');
    await client.updateModelVersion('reg-a', 1, 'v1 desc');
    await client.setModelVersionTag('reg-a', 1, 'validated', 'yes');
    const mv = await client.getModelVersion('reg-a', 1);
    assert.equal(mv.description, 'v1 desc');
    assert.equal(mv.tags.find((t) => t.key === 'validated')?.value, 'yes');
    await client.deleteModelVersionTag('reg-a', 1, 'validated');
    await client.setRegisteredModelAlias('reg-a', 'staging', '1');
    assert.equal((await client.getModelVersionByAlias('reg-a', 'staging')).version, '1');
    await client.deleteRegisteredModelAlias('reg-a', 'staging');
    await assert.rejects(
      client.getModelVersionByAlias('reg-a', 'staging'),
      (e: unknown) => e instanceof MlflowError,
    );
    assert.ok((await client.getModelVersionDownloadUri('reg-a', 1)).endsWith('/model'));

    const found = await client.searchRegisteredModels({ filter: "name LIKE 'reg-%'" });
    assert.deepEqual(
      found.items.map((m) => m.name),
      ['reg-a'],
    );
    const versions = await client.searchModelVersions({ filter: "name = 'reg-a'" });
    assert.equal(versions.items.length, 1);
    await client.renameRegisteredModel('reg-a', 'reg-b');
    await client.deleteModelVersion('reg-b', 1);
    await client.deleteRegisteredModel('reg-b');
    await assert.rejects(
      client.getRegisteredModel('reg-b'),
      (e: unknown) =>
        e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST' && e.httpStatus === 404,
    );
  });

  test('loadModel errors: unknown model, no versions, bad URI, not a Cauce model', async () => {
    await assert.rejects(
      loadModel('models:/nope@champion', { client }),
      (e: unknown) => e instanceof MlflowError && e.httpStatus === 404,
    );
    await client.createRegisteredModel('empty');
    await assert.rejects(
      loadModel('models:/empty/latest', { client }),
      (e: unknown) => e instanceof ClientError && /no version/.test(e.message),
    );
    await assert.rejects(loadModel('models:/just-a-name', { client }), /models:\/<name>/);
    const expId = await client.createExperiment('not-cauce');
    const run = await client.createRun(expId);
    await client.logText(run.info.run_id, 'flavors:\n  sklearn: {}\n', 'model/MLmodel');
    await assert.rejects(
      loadModel(`runs:/${run.info.run_id}/model`, { client }),
      (e: unknown) => e instanceof ClientError && /no 'cauce' flavor/.test(e.message),
    );
  });
});
