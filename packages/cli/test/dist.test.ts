// The published shape: the compiled `cauce` binary (dist/main.js, built by `tsc -b`, which `npm test` runs first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/main.js', import.meta.url));

test('built cauce lists its commands', () => {
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  for (const cmd of ['server', 'gc', 'ingest', 'eda', 'import-mlruns', 'train', 'tune'])
    assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
});

test('built cauce explains an unknown command and exits non-zero', () => {
  const r = spawnSync(process.execPath, [bin, 'serv'], { encoding: 'utf8', timeout: 30_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command 'serv'/);
});

// What `npx cauce` runs: the committed launcher npm links into node_modules/.bin at install time.
const launcher = fileURLToPath(new URL('../bin/cauce.js', import.meta.url));

test('the bin launcher runs the built cauce with its arguments and exit codes', () => {
  const help = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /\btrain\b/);
  const bad = spawnSync(process.execPath, [launcher, 'serv'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command 'serv'/);
});
