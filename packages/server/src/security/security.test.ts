import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInside, validateArtifactPath } from './artifact-path.js';
import { hostAllowed, isCrossOriginWrite } from './browser-guard.js';
import { isPrivateAddress } from './ip-ranges.js';
import { makePrivateTempDir } from './private-dir.js';
import { checkStorageLocation } from './source-policy.js';

test('artifact paths: normal forms pass, every traversal form fails', () => {
  assert.equal(validateArtifactPath('model/MLmodel'), 'model/MLmodel');
  assert.equal(validateArtifactPath('./a//b/'), 'a/b');
  assert.equal(validateArtifactPath(''), '');
  assert.equal(validateArtifactPath('plots/eval:loss.png'), 'plots/eval:loss.png');
  for (const bad of [
    '../x',
    'a/../../x',
    '..%2fx',
    '%2e%2e/x',
    '%252e%252e%252fx',
    '%2525252e%2525252e/x',
    'a\\..\\x',
    '%5c',
    '/etc/passwd',
    '%2fetc',
    'C:/x',
    'c:%5cx',
    'a#b',
    'a%23b',
    'a;b',
    'a%3bb',
    'a\u0000b',
    'a%00b',
    'a%0ab',
    'file:///etc/passwd',
    's3://bucket/x',
    '~/x',
    '%E0%A4%A',
  ]) {
    assert.throws(() => validateArtifactPath(bad), /Invalid artifact path/, bad);
  }
});

test('resolveInside follows symlinks and refuses to leave the root', () => {
  const dir = makePrivateTempDir('cauce-sec-');
  try {
    mkdirSync(join(dir, 'root', 'a'), { recursive: true });
    mkdirSync(join(dir, 'outside'));
    symlinkSync(join(dir, 'outside'), join(dir, 'root', 'a', 'link'));
    assert.equal(resolveInside(join(dir, 'root'), 'a/new.txt'), join(dir, 'root', 'a', 'new.txt'));
    assert.throws(() => resolveInside(join(dir, 'root'), 'a/link/x.txt'), /outside the artifact root/);
    assert.throws(() => resolveInside(join(dir, 'root'), 'a/link'), /outside the artifact root/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('temporary directories are 0700', () => {
  const dir = makePrivateTempDir();
  try {
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('storage locations: only inside the artifact root or the configured remote root', () => {
  const policy = { artifactsDestination: '/srv/art', defaultArtifactRoot: 's3://bucket/mlflow' };
  assert.equal(checkStorageLocation('/srv/art/1/x', policy), '/srv/art/1/x');
  assert.equal(checkStorageLocation('file:///srv/art/1/x', policy), '/srv/art/1/x');
  assert.equal(checkStorageLocation('mlflow-artifacts:/1/x', policy), 'mlflow-artifacts:/1/x');
  assert.equal(checkStorageLocation('s3://bucket/mlflow/1/x', policy), 's3://bucket/mlflow/1/x');
  for (const bad of [
    '/srv/artifacts-evil/x',
    '/srv/art/../etc',
    '/srv/art/%2e%2e/etc',
    'file:///srv/art/..%2f..%2fetc',
    's3://bucket/other',
    's3://bucket/mlflow/../x',
    'http://example.com/x',
    'relative/x',
    'C:\\x',
  ]) {
    assert.throws(() => checkStorageLocation(bad, policy), /Invalid (model version )?source/, bad);
  }
});

test('address classes refused for outbound requests', () => {
  for (const ip of [
    '127.0.0.1',
    '10.2.3.4',
    '172.31.0.1',
    '192.168.0.1',
    '169.254.169.254',
    '::1',
    'fe80::1',
    'fd12::1',
    '::ffff:127.0.0.1',
    '0.0.0.0',
    '100.64.1.1',
    'not-an-ip',
  ]) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ['8.8.8.8', '93.184.216.34', '2606:4700::1111'])
    assert.equal(isPrivateAddress(ip), false, ip);
});

test('browser guards: Host allowlist and cross-origin writes', () => {
  assert.equal(hostAllowed('localhost:5000', undefined), true);
  assert.equal(hostAllowed('127.0.0.1:5000', undefined), true);
  assert.equal(hostAllowed('[::1]:5000', undefined), true);
  assert.equal(hostAllowed('192.168.1.20', undefined), true);
  assert.equal(hostAllowed('evil.example', undefined), false);
  assert.equal(hostAllowed(undefined, undefined), false);
  assert.equal(hostAllowed('ml.corp.example:443', ['ml.corp.example']), true);
  assert.equal(hostAllowed('x.corp.example', ['*.corp.example']), true);
  assert.equal(hostAllowed('anything', ['*']), true);
  assert.equal(isCrossOriginWrite('POST', { host: 'a:1', origin: 'http://a:1' }), false);
  assert.equal(isCrossOriginWrite('POST', { host: 'a:1', origin: 'http://b:1' }), true);
  assert.equal(isCrossOriginWrite('POST', { host: 'a:1', origin: 'http://b:1' }, ['http://b:1']), false);
  assert.equal(isCrossOriginWrite('GET', { host: 'a:1', origin: 'http://b:1' }), false);
  assert.equal(isCrossOriginWrite('DELETE', { host: 'a:1', 'sec-fetch-site': 'cross-site' }), true);
  assert.equal(isCrossOriginWrite('PUT', { host: 'a:1' }), false, 'non-browser clients send no Origin');
});
