/**
 * `import-mlruns`: a small MLflow FileStore tree written by the test (same layout as MLflow 2.9),
 * imported into a real store and artifact directory, then imported again to show idempotence.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importMlruns, SOURCE_RUN_TAG, type RegistryHandles } from '@cauce/server';
import { expectOk, startTestServer, type TestServer } from './security/harness.js';
import { RUN1, writeFileStore } from './security/filestore-fixture.js';

describe('import-mlruns', () => {
  let s: TestServer;
  let root = '';
  before(async () => {
    s = await startTestServer('sqlite');
    root = join(s.dir, 'mlruns');
    mkdirSync(join(s.dir, 'outside'));
    writeFileSync(join(s.dir, 'outside', 'secret.txt'), 'not for import');
    writeFileStore(root, join(s.dir, 'outside'));
  });
  after(async () => s.close());

  test('imports experiments, runs, metrics, params, tags, artifacts and the registry', async () => {
    const registry = (s.app.cauce as RegistryHandles).registry;
    const progress: string[] = [];
    const report = await importMlruns(root, {
      tracking: s.store,
      registry,
      artifactsDestination: s.artifacts,
      onProgress: (m) => progress.push(m),
    });
    assert.deepEqual(report.imported, {
      experiments: 1,
      runs: 2,
      metrics: 8,
      params: 4,
      tags: 5,
      artifacts: 4,
      registeredModels: 1,
      modelVersions: 2,
    });
    assert.equal(report.skipped.modelVersions, 1);
    assert.match(report.problems.join('\n'), /version 3: source '\/etc' is not in an imported run/);
    assert.match(report.problems.join('\n'), /999\/meta\.yaml: not valid YAML/);
    assert.ok(progress.length > 0);

    const exp = await s.store.getExperimentByName('/SECOP_Contratos');
    assert.deepEqual(exp.tags, [{ key: 'team', value: 'ds' }]);
    const runs = await s.store.searchRuns({
      experimentIds: [exp.experiment_id],
      orderBy: ['attributes.run_name ASC'],
    });
    assert.deepEqual(
      runs.items.map((r) => [r.info.run_name, r.info.status, r.info.user_id]),
      [
        ['lasso_l1', 'FAILED', 'root'],
        ['ridge_l2', 'FINISHED', 'root'],
      ],
    );
    const ridge = runs.items[1]!;
    assert.equal(ridge.info.start_time, 1771085739082);
    assert.equal(ridge.data.tags.find((t) => t.key === SOURCE_RUN_TAG)?.value, RUN1);
    const hist = await s.store.getMetricHistory(ridge.info.run_id, 'rmse');
    assert.deepEqual(
      hist.items.map((m) => [m.step, m.value]),
      [
        [0, 1.5],
        [1, 1.25],
        [2, 1.2219273854985686],
      ],
    );
    assert.ok(ridge.data.metrics.some((m) => m.key === 'loss/train'));
    const local = join(s.artifacts, ridge.info.artifact_uri.replace('mlflow-artifacts:/', ''));
    assert.equal(readFileSync(join(local, 'model_report.txt'), 'utf8'), 'report of ridge_l2');
    assert.throws(() => readFileSync(join(local, 'escape', 'secret.txt')), /ENOENT/);

    const m = expectOk(await s.call('GET', '/api/2.0/mlflow/registered-models/get?name=secop_model'))
      .registered_model as Record<string, unknown>;
    assert.equal(m.description, 'Registry model');
    assert.deepEqual(m.aliases, [{ alias: 'champion', version: '2' }]);
    const v2 = expectOk(await s.call('GET', '/api/2.0/mlflow/model-versions/get?name=secop_model&version=2'))
      .model_version as Record<string, unknown>;
    assert.equal(v2.current_stage, 'Production');
    assert.match(String(v2.description), /^\s*Version 2 notes\s*$/);
    assert.deepEqual(v2.tags, [{ key: 'validation', value: 'approved' }]);
    const lasso = runs.items[0]!;
    assert.equal(v2.source, `runs:/${lasso.info.run_id}/model`);
    const file = await s.call('GET', '/model-versions/get-artifact?name=secop_model&version=2&path=MLmodel');
    assert.equal(file.text, 'flavors:\n  python_function: {}\n');
  });

  test('a second import changes nothing and reports everything as skipped', async () => {
    const registry = (s.app.cauce as RegistryHandles).registry;
    const report = await importMlruns(root, {
      tracking: s.store,
      registry,
      artifactsDestination: s.artifacts,
    });
    assert.deepEqual(report.imported, {
      experiments: 0,
      runs: 0,
      metrics: 0,
      params: 0,
      tags: 0,
      artifacts: 0,
      registeredModels: 0,
      modelVersions: 0,
    });
    assert.equal(report.skipped.experiments, 1);
    assert.equal(report.skipped.runs, 2);
    assert.equal(report.skipped.registeredModels, 1);
    assert.equal(report.skipped.modelVersions, 3);
    const exp = await s.store.getExperimentByName('/SECOP_Contratos');
    assert.equal((await s.store.searchRuns({ experimentIds: [exp.experiment_id] })).items.length, 2);
  });

  test('a missing directory is a clear error', async () => {
    const registry = (s.app.cauce as RegistryHandles).registry;
    await assert.rejects(
      importMlruns(join(s.dir, 'nope'), { tracking: s.store, registry, artifactsDestination: s.artifacts }),
      /does not exist\. Give the path of an MLflow mlruns\/ directory/,
    );
  });
});
