/** `cauce import-mlruns` run as a real process: the summary lines and a clear error. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileStore } from './security/filestore-fixture.js';

const ROOT = resolve(import.meta.dirname, '../../..');

function cauce(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'packages/cli/src/main.ts', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

describe('cauce import-mlruns', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauce-import-cli-'));
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', 'x.txt'), 'x');
    writeFileStore(join(dir, 'mlruns'), join(dir, 'outside'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('imports and prints the summary (idempotence itself is covered in import.test.ts)', () => {
    const args = [
      'import-mlruns',
      join(dir, 'mlruns'),
      '--backend-store-uri',
      `sqlite:///${join(dir, 'db.sqlite')}`,
      '--artifacts-destination',
      join(dir, 'art'),
      '-q',
    ];
    const first = cauce(args);
    assert.equal(first.status, 0, first.stderr);
    assert.match(
      first.stdout,
      /^imported: 1 experiments, 2 runs, 8 metric points, 4 params, 5 tags, 4 artifact files, 1 registered models, 2 model versions$/m,
    );
    assert.match(first.stderr, /warning: .*version 3/);
  });

  test('a missing directory exits 2 with a hint', () => {
    const r = cauce([
      'import-mlruns',
      join(dir, 'nope'),
      '--backend-store-uri',
      `sqlite:///${join(dir, 'db2.sqlite')}`,
    ]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error: .*does not exist/);
    assert.match(r.stderr, /hint: /);
  });
});
