/** A small MLflow 2.9 FileStore tree (`mlruns/`) written by tests, in MLflow's layout. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function put(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export const EXP = '767859750146351838';
export const RUN1 = 'cae048e037fc4051b6d7dc6d4214c676';
export const RUN2 = '34c97faa8a0a43d9ae9d4ec631326596';

export function writeFileStore(root: string, outside: string): void {
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
