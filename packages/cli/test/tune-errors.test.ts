// Bad specs and flags for `cauce train` / `cauce tune`: each is a CliError (exit code 2) that says what
// is wrong and how to fix it, never a stack trace. Run in-process through main() (the spawned binary is
// covered by tune.test.ts and tune-tracking.test.ts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/main.js';
import { writeRegressionCsv, writeSpec } from './support/tune-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'cauce-cli-tune-err-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeRegressionCsv(join(dir, 'data.csv'), 40);

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  // the CLI writes strings; the test runner talks to its parent over stdout in binary chunks, let those through
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) =>
    typeof s === 'string' ? ((stdout += s), true) : out(s, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) =>
    typeof s === 'string' ? ((stderr += s), true) : err(s, ...rest)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const base = {
  data: { path: 'data.csv' },
  label: 'y',
  features: ['x1', 'x2', 'x3'],
  pipeline: [{ stage: 'LinearRegression', name: 'lr' }],
  tuning: { numFolds: 2, grid: { 'lr.regParam': [0, 1] } },
  evaluator: { name: 'RegressionEvaluator', metric: 'rmse' },
};

let n = 0;
/** Runs `cauce <command> spec` for `spec` and checks the error and hint lines. */
async function expectError(
  spec: unknown,
  error: RegExp,
  hint: RegExp | undefined,
  command = 'tune',
  extra: string[] = [],
): Promise<void> {
  const file = writeSpec(dir, `bad-${n++}.json`, spec);
  const r = await run([command, file, '--no-progress', ...extra]);
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: /);
  assert.match(r.stderr, error);
  if (hint) assert.match(r.stderr, hint);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
}

describe('bad input to cauce tune / train', () => {
  test('the spec is good (the cases below change one thing each)', async () => {
    const r = await run(['tune', writeSpec(dir, 'good.json', base), '--no-progress', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { results: unknown[] }).results.length, 2);
  });

  test('the table on stdout marks the best param map', async () => {
    const spec = writeSpec(dir, 'tvs.json', {
      ...base,
      pipeline: ['LinearRegression'],
      tuning: {
        method: 'TrainValidationSplit',
        trainRatio: 0.7,
        seed: 9,
        grid: { 'LinearRegression.regParam': [0, 10] },
      },
      evaluator: { name: 'RegressionEvaluator', metric: 'r2' },
    });
    const r = await run(['tune', spec, '--no-progress']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /TrainValidationSplit: 2 param maps, 2 trials on 40 rows/);
    assert.match(r.stdout, /r2, larger is better/);
    // one row per map (# regParam r2), the best marked: the larger r2, named again on the "best:" line
    const rows = [...r.stdout.matchAll(/^([01]) +(0|10) +([\d.]+)( +← best)?$/gm)];
    assert.equal(rows.length, 2, r.stdout);
    const r2 = rows.map((m) => Number(m[3]));
    const best = r2[0]! >= r2[1]! ? 0 : 1;
    assert.deepEqual(
      rows.map((m) => m[4] !== undefined),
      [best === 0, best === 1],
    );
    assert.match(
      r.stdout,
      new RegExp(`best: LinearRegression\\.regParam=${rows[best]![2]} {2}validation r2 ${rows[best]![3]}`),
    );
  });

  test('--help documents the spec format with examples', async () => {
    for (const command of ['tune', 'train']) {
      const r = await run([command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Spec \(JSON; paths are relative to the spec file\)/);
      assert.match(r.stdout, /"grid": \{ "lr\.regParam"/);
      assert.match(r.stdout, new RegExp(`Examples:\\n  cauce ${command} examples/tune/houses\\.json`));
    }
  });

  test('an existing -o directory is refused before any work', async () => {
    const file = writeSpec(dir, 'out.json', base);
    const r = await run(['train', file, '-o', dir, '--no-progress']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: -o .* already exists\nhint: pass --overwrite/);
  });

  test('an unknown stage lists the registered ones and suggests the nearest', async () => {
    await expectError(
      { ...base, pipeline: [{ stage: 'LinearRegresion', name: 'lr' }] },
      /pipeline\[0\]: unknown stage "LinearRegresion"/,
      // the list comes from the registry: SQLTransformer is registered by @cauce/data
      /hint: did you mean "LinearRegression"\? known stages: .*SQLTransformer.*VectorAssembler/,
    );
    await expectError(
      { ...base, pipeline: [{ stage: 'LinearRegressionModel' }] },
      /LinearRegressionModel is a fitted model; name its estimator instead/,
      /did you mean "LinearRegression"/,
    );
  });

  test("an unknown param names the stage's params", async () => {
    await expectError(
      { ...base, pipeline: [{ stage: 'LinearRegression', params: { regParm: 0.1 } }] },
      /pipeline\[0\]: LinearRegression has no param "regParm"/,
      /hint: did you mean "regParam"\? LinearRegression's params: .*elasticNetParam/,
    );
    await expectError(
      { ...base, pipeline: [{ stage: 'LinearRegression', params: { regParam: -1 } }] },
      /pipeline\[0\]: LinearRegression_\w+: param regParam must be >= 0, got -1/,
      undefined,
    );
  });

  test('a grid key that matches no stage, or no param', async () => {
    await expectError(
      { ...base, tuning: { grid: { 'Lasso.regParam': [0.1] } } },
      /tuning\.grid "Lasso\.regParam" matches no stage of the pipeline/,
      /hint: address a stage by name, class name or index: 0 LinearRegression \(lr\)/,
    );
    await expectError(
      { ...base, tuning: { grid: { '3.regParam': [0.1] } } },
      /tuning\.grid "3\.regParam": there is no stage 3/,
      /by name, class name or index/,
    );
    await expectError(
      { ...base, tuning: { grid: { 'lr.regparam': [0.1] } } },
      /tuning\.grid "lr\.regparam": LinearRegression has no param "regparam"/,
      /did you mean "regParam"/,
    );
    await expectError(
      { ...base, tuning: { grid: { regParam: [0.1] } } },
      /tuning\.grid: key "regParam" is not "stage\.param"/,
      /"LinearRegression\.regParam"/,
    );
    await expectError(
      { ...base, tuning: { grid: { 'lr.maxIter': [10, 0.5] } } },
      /tuning\.grid "lr\.maxIter": .*param maxIter must be an integer, got 0\.5/,
      undefined,
    );
  });

  test('a missing data file', async () => {
    await expectError(
      { ...base, data: { path: 'nope.csv' } },
      /data\.path: no such file .*nope\.csv/,
      /hint: data paths are relative to the spec file's folder/,
    );
  });

  test('a label or feature column that does not exist', async () => {
    await expectError(
      { ...base, label: 'yy' },
      /label column "yy" is not in the data/,
      /did you mean "y"\? its columns: x1, x2, x3, group, flag, y/,
    );
    await expectError(
      { ...base, features: ['x1', 'x4'] },
      /feature column "x4" is not in the data/,
      /did you mean "x1"/,
      'train',
    );
    const { label: _unused, ...noLabel } = base;
    await expectError(
      { ...noLabel, pipeline: [{ stage: 'LinearRegression', name: 'lr', params: { labelCol: 'y' } }] },
      /evaluator: labelCol "label" is not in the data/,
      /hint: set "label" in the spec/,
    );
    await expectError(
      { ...base, features: ['x1', 'group'] },
      /the pipeline does not fit the data: .*group/,
      /hint: /,
      'train',
    );
  });

  test('evaluator, tuning and shape mistakes', async () => {
    await expectError(
      { ...base, evaluator: { name: 'RegresionEvaluator' } },
      /unknown evaluator "RegresionEvaluator"/,
      /did you mean "RegressionEvaluator"/,
    );
    await expectError(
      { ...base, evaluator: { name: 'RegressionEvaluator', metric: 'rsme' } },
      /RegressionEvaluator has no metric "rsme"/,
      /hint: metricName must be one of .*rmse/,
    );
    await expectError(
      { ...base, tuning: { ...base.tuning, numFolds: 1 } },
      /tuning: CrossValidator_\w+: param numFolds must be >= 2, got 1/,
      undefined,
    );
    await expectError(
      { ...base, tuning: { ...base.tuning, method: 'GridSearch' } },
      /tuning\.method: unknown method "GridSearch"/,
      /methods: CrossValidator, TrainValidationSplit/,
    );
    await expectError(
      { ...base, pipline: [] },
      /\(top level\): unknown key "pipline"/,
      /did you mean "pipeline"/,
    );
    await expectError({ ...base, tuning: undefined }, /has no "tuning" section/, /cauce train/);
    await expectError('{ "data": ', /is not valid JSON/, /hint: fix the JSON/);
    await expectError(
      { ...base, data: { path: 'data.csv', split: { trainRatio: 1.5 } } },
      /data\.split\.trainRatio: must be between 0 and 1/,
      /e\.g\. 0\.8/,
    );
  });

  test('flags: a missing spec file, --alias without --register-as', async () => {
    const r = await run(['tune', join(dir, 'missing.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: cannot read the spec .*missing\.json: no such file\nhint: /);
    const file = writeSpec(dir, 'alias.json', base);
    const a = await run(['tune', file, '--alias', 'champion']);
    assert.equal(a.code, 2);
    assert.match(
      a.stderr,
      /error: --alias needs --register-as NAME\nhint: e\.g\. --register-as houses --alias champion/,
    );
  });
});
