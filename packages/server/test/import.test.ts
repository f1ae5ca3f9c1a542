/**
 * `import-mlruns`: a small MLflow FileStore tree written by the test (same layout as MLflow 2.9),
 * imported into a real store and artifact directory, then imported again to show idempotence.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importMlruns, SOURCE_RUN_TAG, type RegistryHandles } from '@cauce/server';
import { expectOk, startTestServer, type TestServer } from './security/harness.js';

function put(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const EXP = '767859750146351838';
const RUN1 = 'cae048e037fc4051b6d7dc6d4214c676';
const RUN2 = '34c97faa8a0a43d9ae9d4ec631326596';

function writeFileStore(root: string, outside: string): void {
  put(
    join(root, EXP, 'meta.yaml'),
    `artifact_location: file:///opt/mlflow/mlruns/${EXP}\ncreation_time: 1771085669606\nexperiment_id: '${EXP}'\nlast_update_time: 1771085669606\nlifecycle_stage: active\nname: /SECOP_Contratos\n`,
  );
  put(join(root, EXP, 'tags', 'team'), 'ds');
  for (const [run, name, status] of [
    [RUN1, 'ridge_l2', 3],
    [RUN2, 'lasso_l1', 4],
  ] as const) {
    const d = join(root, EXP, run);
    put(
      join(d, 'meta.yaml'),
      `artifact_uri: file:///opt/mlflow/mlruns/${EXP}/${run}/artifacts\nend_time: 1771085763043\nentry_point_name: ''\nexperiment_id: '${EXP}'\nlifecycle_stage: active\nrun_id: ${run}\nrun_name: ${name}\nrun_uuid: ${run}\nsource_type: 4\nstart_time: 1771085739082\nstatus: ${status}\ntags: []\nuser_id: root\n`,
    );
    put(join(d, 'params', 'regParam'), '0.1');
    put(join(d, 'params', 'maxIter'), '100');
    put(join(d, 'tags', 'mlflow.runName'), name);
    put(join(d, 'tags', 'mlflow.user'), 'root');
    put(
      join(d, 'metrics', 'rmse'),
      '1771085748391 1.5 0\n1771085748392 1.25 1\n1771085748393 1.2219273854985686 2\n',
    );
    put(join(d, 'metrics', 'loss', 'train'), '1771085748391 0.5 0\n');
    put(join(d, 'artifacts', 'model', 'MLmodel'), 'flavors:\n  python_function: {}\n');
    put(join(d, 'artifacts', 'model_report.txt'), `report of ${name}`);
  }
  // a symlink in the artifacts must not be followed into the rest of the disk
  symlinkSync(outside, join(root, EXP, RUN1, 'artifacts', 'escape'));
  const m = join(root, 'models', 'secop_model');
  put(
    join(m, 'meta.yaml'),
    "aliases: {}\ncreation_timestamp: 1771085889999\ndescription: 'Registry model'\nlast_updated_timestamp: 1771085914321\nname: secop_model\n",
  );
  put(join(m, 'tags', 'owner'), 'ana');
  put(join(m, 'aliases', 'champion'), '2');
  for (const [v, run, stage] of [
    [1, RUN1, 'Archived'],
    [2, RUN2, 'Production'],
  ] as const) {
    put(
      join(m, `version-${v}`, 'meta.yaml'),
      `aliases: []\ncreation_timestamp: 177108589065${v}\ncurrent_stage: ${stage}\ndescription: '\n\n  Version ${v} notes\n\n  '\nlast_updated_timestamp: 1771085914321\nname: secop_model\nrun_id: ${run}\nrun_link: ''\nsource: file:///opt/mlflow/mlruns/${EXP}/${run}/artifacts/model\nstatus: READY\nstatus_message: null\nstorage_location: file:///opt/mlflow/mlruns/${EXP}/${run}/artifacts/model\nuser_id: null\nversion: ${v}\n`,
    );
  }
  put(join(m, 'version-2', 'tags', 'validation'), 'approved');
  // a version whose files live somewhere we did not import
  put(
    join(m, 'version-3', 'meta.yaml'),
    'current_stage: None\nname: secop_model\nsource: /etc\nstatus: READY\nversion: 3\n',
  );
  // a broken file is reported, not fatal
  put(join(root, '999', 'meta.yaml'), "name: 'unterminated\n");
}

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
