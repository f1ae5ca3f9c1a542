/**
 * The hostile-request suite: the payloads of MLflow's security history (traversal in raw, encoded,
 * double- and triple-encoded forms, backslashes, absolute and drive paths, '#', ';', NUL) on every
 * artifact route, hostile model-version sources (whatever tags they carry), SSRF webhook targets,
 * missing or wrong credentials on every route group, and the READ/EDIT/MANAGE/NO_PERMISSIONS matrix.
 * A canary file and directory outside the artifact root must be unread and untouched at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_ROUTES } from '@cauce/server';
import { basic, expectError, expectOk, startTestServer, type Reply, type TestServer } from './harness.js';

const API = '/api/2.0/mlflow';
const ADMIN = basic('admin', 'admin-password-123');
const SECRET = 'CANARY-7f3e1c9a-do-not-read';

const TRAVERSALS = [
  '../canary.txt',
  '..%2fcanary.txt',
  '%2e%2e/canary.txt',
  '%2e%2e%2fcanary.txt',
  '%252e%252e%252fcanary.txt',
  '%25252e%25252e%25252fcanary.txt',
  '..%5ccanary.txt',
  'x/..%2f..%2fcanary.txt',
  '%2fetc%2fpasswd',
  'C:%5cWindows%5cwin.ini',
  'ok%00.txt',
  'a%23/../../canary.txt',
  'a;/../../canary.txt',
  'a%3b/..%2f..%2fcanary.txt',
  'file:%2f%2f%2fetc%2fpasswd',
];

describe('hostile requests', () => {
  let s: TestServer;
  let runId = '';
  let canaryMtime = 0;
  let hostile = 0;
  const seen: string[] = [];

  /** Every hostile reply: a 4xx MLflow error, never the canary. */
  function refused(r: Reply, what: string, statuses: number[] = [400, 401, 403, 404]): void {
    hostile++;
    seen.push(r.text);
    assert.ok(
      statuses.includes(r.status),
      `${what}: expected one of ${statuses.join('/')}, got ${r.status} ${r.text.slice(0, 200)}`,
    );
    assert.ok(!r.text.includes(SECRET), `${what}: leaked the canary`);
    assert.equal(
      typeof r.body.error_code,
      'string',
      `${what}: not an MLflow error body: ${r.text.slice(0, 200)}`,
    );
  }

  before(async () => {
    s = await startTestServer('sqlite', {
      auth: { adminPassword: 'admin-password-123', defaultPermission: 'NO_PERMISSIONS' },
    });
    writeFileSync(join(s.dir, 'canary.txt'), SECRET);
    mkdirSync(join(s.dir, 'canary-dir'));
    writeFileSync(join(s.dir, 'canary-dir', 'keep.txt'), SECRET);
    canaryMtime = statSync(join(s.dir, 'canary.txt')).mtimeMs;
    const run = await s.store.createRun({
      experimentId: '0',
      userId: 'admin',
      startTime: Date.now(),
      tags: [],
    });
    runId = run.info.run_id;
    s.writeArtifact(`0/${runId}/artifacts/model/MLmodel`, 'flavors: {}\n');
    mkdirSync(join(s.artifacts, 'links'), { recursive: true });
    symlinkSync(join(s.dir, 'canary-dir'), join(s.artifacts, 'links', 'out'));
    symlinkSync(join(s.dir, 'canary-dir'), join(s.artifacts, 'link-out'));
    symlinkSync(join(s.dir, 'canary-dir'), join(s.artifacts, '0', 'out'));
    expectOk(await s.call('POST', `${API}/registered-models/create`, { name: 'm' }, ADMIN));
    expectOk(
      await s.call(
        'POST',
        `${API}/model-versions/create`,
        { name: 'm', source: `runs:/${runId}/model` },
        ADMIN,
      ),
    );
    expectOk(
      await s.call(
        'POST',
        `${API}/model-versions/create`,
        { name: 'm', source: 'mlflow-artifacts:/links' },
        ADMIN,
      ),
    );
  });

  after(async () => {
    // The canary: same bytes, same mtime, its directory intact, and never echoed in any reply.
    assert.equal(readFileSync(join(s.dir, 'canary.txt'), 'utf8'), SECRET);
    assert.equal(statSync(join(s.dir, 'canary.txt')).mtimeMs, canaryMtime);
    assert.deepEqual(readdirSync(join(s.dir, 'canary-dir')), ['keep.txt']);
    assert.ok(existsSync(join(s.dir, 'canary-dir', 'keep.txt')));
    assert.deepEqual(
      readdirSync(s.dir).sort(),
      ['artifacts', 'canary-dir', 'canary.txt', 'mlflow.db', 'mlflow.db-shm', 'mlflow.db-wal']
        .filter((f) => existsSync(join(s.dir, f)))
        .sort(),
    );
    assert.ok(seen.every((t) => !t.includes(SECRET)));
    assert.ok(hostile >= 60, `only ${hostile} hostile requests were sent`);
    process.stdout.write(`# hostile requests refused: ${hostile}\n`);
    await s.close();
  });

  test('traversal payloads on every artifact route (read, write, list, delete)', async () => {
    for (const p of TRAVERSALS) {
      for (const prefix of [
        '/api/2.0/mlflow-artifacts/artifacts',
        '/ajax-api/2.0/mlflow-artifacts/artifacts',
      ]) {
        refused(await s.raw('GET', `${prefix}/${p}`, ADMIN), `GET proxy ${p}`);
      }
      refused(
        await s.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${p}`, ADMIN, 'pwned'),
        `PUT proxy ${p}`,
      );
      refused(await s.raw('DELETE', `/api/2.0/mlflow-artifacts/artifacts/${p}`, ADMIN), `DELETE proxy ${p}`);
      refused(await s.raw('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${p}`, ADMIN), `list proxy ${p}`);
      refused(
        await s.raw('GET', `${API}/artifacts/list?run_id=${runId}&path=${p}`, ADMIN),
        `artifacts/list ${p}`,
      );
      refused(
        await s.raw('GET', `/model-versions/get-artifact?name=m&version=1&path=${p}`, ADMIN),
        `get-artifact ${p}`,
      );
    }
  });

  test('symlinks inside the root that point outside are not followed', async () => {
    refused(
      await s.raw('GET', `/model-versions/get-artifact?name=m&version=2&path=out/keep.txt`, ADMIN),
      'symlink via version',
    );
    refused(
      await s.raw('GET', `/api/2.0/mlflow-artifacts/artifacts/links/out/keep.txt`, ADMIN),
      'symlink via proxy',
      [400, 403, 404],
    );
    refused(
      await s.raw('DELETE', `/api/2.0/mlflow-artifacts/artifacts/links/out/keep.txt`, ADMIN),
      'symlink delete via proxy',
      [400, 403, 404],
    );
    refused(
      await s.raw('GET', `/api/2.0/mlflow-artifacts/artifacts/0/out/keep.txt`, ADMIN),
      'symlink read',
      [400],
    );
    refused(
      await s.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/0/out/new.txt`, ADMIN, 'pwned'),
      'symlink write',
      [400],
    );
    refused(
      await s.raw('DELETE', `/api/2.0/mlflow-artifacts/artifacts/0/out/keep.txt`, ADMIN),
      'symlink delete',
      [400],
    );
    refused(
      await s.raw('DELETE', `/api/2.0/mlflow-artifacts/artifacts/0/out`, ADMIN),
      'symlink dir delete',
      [400],
    );
    refused(
      await s.raw('GET', `/api/2.0/mlflow-artifacts/artifacts?path=0/out`, ADMIN),
      'symlink list',
      [400],
    );
    // a symlink inside a run's artifacts, listed through the run-level endpoint
    symlinkSync(join(s.dir, 'canary-dir'), join(s.artifacts, '0', runId, 'artifacts', 'out'));
    refused(
      await s.raw('GET', `${API}/artifacts/list?run_id=${runId}&path=out`, ADMIN),
      'symlink run list',
      [400],
    );
  });

  test('hostile model-version sources are refused, whatever tags they carry', async () => {
    const a = s.artifacts;
    const sources = [
      '/etc',
      '/etc/passwd',
      'file:///etc/passwd',
      'file:/etc/passwd',
      join(s.dir, 'canary.txt'),
      `file://${join(s.dir, 'canary.txt')}`,
      `${a}/../canary.txt`,
      `${a}/%2e%2e/canary.txt`,
      `file://${a}/..%2fcanary.txt`,
      `${a}/..%252fcanary.txt`,
      `${a}/link-out`,
      'mlflow-artifacts:/../canary.txt',
      'mlflow-artifacts:/%2e%2e/canary.txt',
      'mlflow-artifacts:/%252e%252e/canary.txt',
      `runs:/${runId}/../../../canary.txt`,
      `runs:/${runId}/..%2f..%2fcanary.txt`,
      'models:/m/1/../../../../canary.txt',
      'http://169.254.169.254/latest/meta-data',
      's3://bucket/key',
      'hdfs://namenode/x',
      '\\..\\..\\canary.txt',
      'C:\\Windows',
      'relative/path',
    ];
    for (const source of sources) {
      for (const tags of [[], [{ key: 'mlflow.prompt.is_prompt', value: 'true' }]]) {
        const r = await s.call('POST', `${API}/model-versions/create`, { name: 'm', source, tags }, ADMIN);
        refused(r, `source ${source}`, [400]);
      }
    }
    // the control case: a path inside the root is fine
    mkdirSync(join(a, 'inside'), { recursive: true });
    expectOk(
      await s.call('POST', `${API}/model-versions/create`, { name: 'm', source: join(a, 'inside') }, ADMIN),
    );
  });

  test('SSRF: webhook targets on loopback, private, link-local and metadata addresses', async () => {
    const urls = [
      'http://127.0.0.1:1/hook',
      'http://localhost/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://10.0.0.1/hook',
      'http://172.16.5.4/hook',
      'http://192.168.1.1/hook',
      'http://0.0.0.0/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://2130706433/hook',
      'http://[fd00:ec2::254]/latest',
      'http://100.64.0.1/hook',
      'ftp://example.com/x',
      'file:///etc/passwd',
      'gopher://127.0.0.1:25/x',
      'http://user:pass@8.8.8.8/hook',
    ];
    for (const url of urls) {
      const r = await s.call(
        'POST',
        `${API}/webhooks`,
        { name: 'h', url, events: ['model_version.created'] },
        ADMIN,
      );
      refused(r, `webhook ${url}`, [400]);
    }
  });

  test('missing or wrong credentials on every route group', async () => {
    const routes: [string, string][] = [
      ['GET', `${API}/experiments/search`],
      ['POST', `${API}/experiments/create`],
      ['POST', `${API}/runs/create`],
      ['GET', `${API}/runs/get?run_id=${runId}`],
      ['GET', `${API}/metrics/get-history?run_id=${runId}&metric_key=m`],
      ['GET', `${API}/artifacts/list?run_id=${runId}`],
      ['GET', `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/MLmodel`],
      ['PUT', `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/x.txt`],
      ['DELETE', `/api/2.0/mlflow-artifacts/artifacts/0/${runId}/artifacts/model/MLmodel`],
      ['POST', `${API}/logged-models`],
      ['GET', `${API}/registered-models/search`],
      ['POST', `${API}/model-versions/create`],
      ['GET', `/model-versions/get-artifact?name=m&version=1&path=MLmodel`],
      ['GET', `${API}/users/current`],
      ['POST', `${API}/experiments/permissions/create`],
      ['GET', `${API}/webhooks`],
      ['GET', `/ajax-api/2.0/mlflow/registered-models/search`],
      ['GET', '/version'],
      ['GET', '/'],
      ['GET', '/no/such/route'],
    ];
    const creds: Record<string, string>[] = [
      {},
      basic('admin', 'wrong-password-000'),
      { authorization: 'Bearer cauce_000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const [method, path] of routes) {
      for (const c of creds)
        refused(
          await s.raw(method, path, c, method === 'GET' ? undefined : '{}'),
          `${method} ${path}`,
          [401],
        );
    }
    // the artifact is still there: none of those writes or deletes happened
    assert.equal(
      readFileSync(join(s.artifacts, `0/${runId}/artifacts/model/MLmodel`), 'utf8'),
      'flavors: {}\n',
    );
  });

  test('permission matrix: READ / EDIT / MANAGE / NO_PERMISSIONS × read / update / delete / manage', async () => {
    const levels = ['READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'] as const;
    const exp = expectOk(await s.call('POST', `${API}/experiments/create`, { name: 'matrix' }, ADMIN))
      .experiment_id as string;
    expectOk(await s.call('POST', `${API}/registered-models/create`, { name: 'mx' }, ADMIN));
    const allowed: Record<string, string[]> = {
      READ: ['read'],
      EDIT: ['read', 'update'],
      MANAGE: ['read', 'update', 'delete', 'manage'],
      NO_PERMISSIONS: [],
    };
    for (const level of levels) {
      const user = `u_${level.toLowerCase()}`;
      const creds = basic(user, `${user}-password-1`);
      expectOk(
        await s.call(
          'POST',
          `${API}/users/create`,
          { username: user, password: `${user}-password-1` },
          ADMIN,
        ),
      );
      expectOk(
        await s.call(
          'POST',
          `${API}/experiments/permissions/create`,
          { experiment_id: exp, username: user, permission: level },
          ADMIN,
        ),
      );
      expectOk(
        await s.call(
          'POST',
          `${API}/registered-models/permissions/create`,
          { name: 'mx', username: user, permission: level },
          ADMIN,
        ),
      );
      const v = expectOk(
        await s.call(
          'POST',
          `${API}/model-versions/create`,
          { name: 'mx', source: `runs:/${runId}/model` },
          ADMIN,
        ),
      );
      const version = (v.model_version as Record<string, unknown>).version as string;
      const actions: Record<string, [string, string, unknown?]> = {
        'experiment read': ['GET', `${API}/experiments/get?experiment_id=${exp}`],
        'experiment update': [
          'POST',
          `${API}/experiments/set-experiment-tag`,
          { experiment_id: exp, key: 'k', value: level },
        ],
        'experiment delete': ['POST', `${API}/experiments/delete`, { experiment_id: exp }],
        'experiment manage': [
          'GET',
          `${API}/experiments/permissions/get?experiment_id=${exp}&username=${user}`,
        ],
        'model read': ['GET', `${API}/registered-models/get?name=mx`],
        'model update': ['PATCH', `${API}/registered-models/update`, { name: 'mx', description: level }],
        'model delete': ['DELETE', `${API}/model-versions/delete`, { name: 'mx', version }],
        'model manage': ['GET', `${API}/registered-models/permissions/get?name=mx&username=${user}`],
      };
      for (const [what, [method, path, body]] of Object.entries(actions)) {
        const r = await s.call(method, path, body, creds);
        const cap = what.split(' ')[1]!;
        if (allowed[level]!.includes(cap)) {
          assert.equal(r.status, 200, `${level} ${what}: ${r.text.slice(0, 200)}`);
        } else {
          refused(r, `${level} ${what}`, [403]);
          expectError(r, 403, 'PERMISSION_DENIED');
        }
        if (what === 'experiment delete' && r.status === 200) {
          expectOk(await s.call('POST', `${API}/experiments/restore`, { experiment_id: exp }, ADMIN));
        }
      }
    }
  });

  test('every registered route needs authentication unless it is on the public list', async () => {
    const routes = s.app.cauce!.routes;
    assert.ok(routes.length > 80, `only ${routes.length} routes recorded`);
    const open: string[] = [];
    for (const { method, url } of routes) {
      const key = `${method} ${url}`;
      const path = url.replace(/:\w+/g, 'x').replace(/\*$/, '0/x.txt');
      const r = await s.raw(method, path, {}, method === 'GET' || method === 'HEAD' ? undefined : '{}');
      if (PUBLIC_ROUTES.includes(key)) {
        assert.equal(r.status, 200, `${key} is public and should answer`);
        continue;
      }
      if (r.status !== 401) open.push(`${key} → ${r.status}`);
    }
    assert.deepEqual(open, [], `routes reachable without auth: ${open.join(', ')}`);
    assert.deepEqual([...PUBLIC_ROUTES].sort(), ['GET /health', 'HEAD /health']);
  });
});
