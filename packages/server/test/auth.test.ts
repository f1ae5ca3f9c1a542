/**
 * `--auth`: users with scrypt hashes, the first admin, basic auth and API tokens, MLflow's user and
 * permission endpoints, creator-gets-MANAGE, filtered searches, same-origin and Host checks, CORS off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIALECTS,
  basic,
  expectError,
  expectOk,
  startTestServer,
  type TestServer,
} from './security/harness.js';

const API = '/api/2.0/mlflow';
const ADMIN = basic('admin', 'admin-password-123');
const ALICE = basic('alice', 'alice-password-123');
const BOB = basic('bob', 'bob-password-1234');

for (const dialect of DIALECTS) {
  describe(`auth: users, tokens, permissions [${dialect}]`, () => {
    let s: TestServer;
    let aliceExp = '';
    before(async () => {
      s = await startTestServer(dialect, { auth: { adminPassword: 'admin-password-123' } });
      expectOk(
        await s.call(
          'POST',
          `${API}/users/create`,
          { username: 'alice', password: 'alice-password-123' },
          ADMIN,
        ),
      );
      expectOk(
        await s.call(
          'POST',
          `${API}/users/create`,
          { username: 'bob', password: 'bob-password-1234' },
          ADMIN,
        ),
      );
    });
    after(async () => s.close());

    test('no, wrong or unknown credentials get 401 with a Basic challenge', async () => {
      const none = await s.call('GET', `${API}/experiments/search`);
      expectError(none, 401, 'UNAUTHENTICATED');
      assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm="cauce"/);
      expectError(
        await s.call('GET', `${API}/experiments/search`, undefined, basic('alice', 'wrong-password-00')),
        401,
      );
      expectError(await s.call('GET', `${API}/experiments/search`, undefined, basic('mallory', 'x')), 401);
      expectError(
        await s.call('GET', `${API}/experiments/search`, undefined, { authorization: 'Basic !!!' }),
        401,
      );
      assert.equal((await s.call('GET', '/health')).status, 200, 'health is public');
    });

    test('passwords are stored as scrypt hashes, never in clear', async () => {
      const rows = await s.app.cauce!.registry.db.selectFrom('users').selectAll().execute();
      assert.equal(rows.length, 3);
      for (const r of rows) {
        assert.match(r.password_hash, /^scrypt\$32768\$8\$1\$/);
        assert.ok(!r.password_hash.includes('password'));
      }
      expectError(
        await s.call('POST', `${API}/users/create`, { username: 'weak', password: 'short' }, ADMIN),
        400,
      );
      expectError(
        await s.call(
          'POST',
          `${API}/users/create`,
          { username: 'carol', password: 'carol-password-1' },
          ALICE,
        ),
        403,
      );
      expectError(
        await s.call(
          'POST',
          `${API}/users/create`,
          { username: 'alice', password: 'alice-password-123' },
          ADMIN,
        ),
        400,
        'RESOURCE_ALREADY_EXISTS',
      );
    });

    test('creator gets MANAGE; default READ lets others read but not write', async () => {
      const r = expectOk(await s.call('POST', `${API}/experiments/create`, { name: 'alice-exp' }, ALICE));
      aliceExp = r.experiment_id as string;
      const perm = expectOk(
        await s.call(
          'GET',
          `${API}/experiments/permissions/get?experiment_id=${aliceExp}&username=alice`,
          undefined,
          ALICE,
        ),
      );
      assert.equal((perm.experiment_permission as Record<string, unknown>).permission, 'MANAGE');
      expectOk(await s.call('GET', `${API}/experiments/get?experiment_id=${aliceExp}`, undefined, BOB));
      expectError(
        await s.call(
          'POST',
          `${API}/experiments/set-experiment-tag`,
          { experiment_id: aliceExp, key: 'k', value: 'v' },
          BOB,
        ),
        403,
        'PERMISSION_DENIED',
      );
      expectError(await s.call('POST', `${API}/runs/create`, { experiment_id: aliceExp }, BOB), 403);
      // no experiment_id means the Default experiment, which bob may only read
      expectError(await s.call('POST', `${API}/runs/create`, {}, BOB), 403);
      expectError(
        await s.call(
          'GET',
          `${API}/experiments/permissions/get?experiment_id=${aliceExp}&username=alice`,
          undefined,
          BOB,
        ),
        403,
      );
      // alice gives bob EDIT: he may write, not delete
      expectOk(
        await s.call(
          'POST',
          `${API}/experiments/permissions/create`,
          { experiment_id: aliceExp, username: 'bob', permission: 'EDIT' },
          ALICE,
        ),
      );
      expectOk(
        await s.call(
          'POST',
          `${API}/experiments/set-experiment-tag`,
          { experiment_id: aliceExp, key: 'k', value: 'v' },
          BOB,
        ),
      );
      const run = expectOk(await s.call('POST', `${API}/runs/create`, { experiment_id: aliceExp }, BOB));
      const runId = ((run.run as Record<string, unknown>).info as Record<string, unknown>).run_id as string;
      expectOk(
        await s.call('POST', `${API}/runs/log-parameter`, { run_id: runId, key: 'a', value: '1' }, BOB),
      );
      expectError(await s.call('POST', `${API}/runs/delete`, { run_id: runId }, BOB), 403);
      expectError(await s.call('POST', `${API}/experiments/delete`, { experiment_id: aliceExp }, BOB), 403);
      expectOk(
        await s.call(
          'PATCH',
          `${API}/experiments/permissions/update`,
          { experiment_id: aliceExp, username: 'bob', permission: 'NO_PERMISSIONS' },
          ALICE,
        ),
      );
      expectError(await s.call('GET', `${API}/runs/get?run_id=${runId}`, undefined, BOB), 403);
      expectError(
        await s.call(
          'POST',
          `${API}/experiments/permissions/create`,
          { experiment_id: aliceExp, username: 'bob', permission: 'OWNER' },
          ALICE,
        ),
        400,
      );
    });

    test('searches are filtered to what the user may read', async () => {
      const bobSees = expectOk(await s.call('GET', `${API}/experiments/search`, undefined, BOB));
      const ids = (bobSees.experiments as Record<string, unknown>[]).map((e) => e.experiment_id);
      assert.ok(!ids.includes(aliceExp), 'NO_PERMISSIONS experiment hidden from bob');
      const aliceSees = expectOk(await s.call('GET', `${API}/experiments/search`, undefined, ALICE));
      assert.ok(
        (aliceSees.experiments as Record<string, unknown>[]).some((e) => e.experiment_id === aliceExp),
      );
      expectOk(await s.call('POST', `${API}/registered-models/create`, { name: 'secret-model' }, ALICE));
      expectOk(
        await s.call(
          'POST',
          `${API}/registered-models/permissions/create`,
          { name: 'secret-model', username: 'bob', permission: 'NO_PERMISSIONS' },
          ALICE,
        ),
      );
      const models = expectOk(await s.call('GET', `${API}/registered-models/search`, undefined, BOB));
      assert.deepEqual(models.registered_models, []);
      expectError(await s.call('GET', `${API}/registered-models/get?name=secret-model`, undefined, BOB), 403);
      expectError(await s.call('POST', `${API}/runs/search`, { experiment_ids: [aliceExp] }, BOB), 403);
      // over several experiments, the search is narrowed to the readable ones
      const mixed = expectOk(
        await s.call('POST', `${API}/runs/search`, { experiment_ids: [aliceExp, '0'] }, BOB),
      );
      assert.ok(
        ((mixed.runs as { info: { experiment_id: string } }[] | undefined) ?? []).every(
          (r) => r.info.experiment_id === '0',
        ),
      );
      // a rename carries the permissions along
      expectOk(
        await s.call(
          'POST',
          `${API}/registered-models/rename`,
          { name: 'secret-model', new_name: 'secret2' },
          ALICE,
        ),
      );
      expectError(await s.call('GET', `${API}/registered-models/get?name=secret2`, undefined, BOB), 403);
      expectOk(await s.call('GET', `${API}/registered-models/get?name=secret2`, undefined, ALICE));
    });

    test('API tokens: create, use, list, revoke', async () => {
      const t = expectOk(await s.call('POST', `${API}/users/tokens/create`, { name: 'ci' }, ALICE));
      const token = t.token as string;
      assert.match(token, /^cauce_[0-9a-f]{18}_/);
      const bearer = { authorization: `Bearer ${token}` };
      const me = expectOk(await s.call('GET', `${API}/users/current`, undefined, bearer));
      assert.equal((me.user as Record<string, unknown>).username, 'alice');
      const list = expectOk(await s.call('GET', `${API}/users/tokens/list`, undefined, ALICE));
      assert.equal((list.tokens as unknown[]).length, 1);
      assert.ok(!JSON.stringify(list).includes(token.slice(26)), 'the secret is never listed');
      expectError(await s.call('DELETE', `${API}/users/tokens/revoke`, { token_id: t.token_id }, BOB), 404);
      expectOk(await s.call('DELETE', `${API}/users/tokens/revoke`, { token_id: t.token_id }, ALICE));
      expectError(await s.call('GET', `${API}/users/current`, undefined, bearer), 401);
      expectError(
        await s.call('GET', `${API}/users/current`, undefined, {
          authorization: `Bearer ${token.slice(0, -2)}xx`,
        }),
        401,
      );
    });

    test('users: self service and admin-only operations', async () => {
      expectOk(await s.call('GET', `${API}/users/get?username=bob`, undefined, BOB));
      expectError(await s.call('GET', `${API}/users/get?username=alice`, undefined, BOB), 403);
      expectError(
        await s.call(
          'PATCH',
          `${API}/users/update-password`,
          { username: 'alice', password: 'hijacked-password-1' },
          BOB,
        ),
        403,
      );
      expectOk(
        await s.call(
          'PATCH',
          `${API}/users/update-password`,
          { username: 'bob', password: 'bob-new-password-1' },
          BOB,
        ),
      );
      expectError(await s.call('GET', `${API}/users/current`, undefined, BOB), 401, 'UNAUTHENTICATED');
      const bob2 = basic('bob', 'bob-new-password-1');
      expectError(
        await s.call('PATCH', `${API}/users/update-admin`, { username: 'bob', is_admin: true }, bob2),
        403,
      );
      expectOk(
        await s.call('PATCH', `${API}/users/update-admin`, { username: 'bob', is_admin: true }, ADMIN),
      );
      expectOk(await s.call('GET', `${API}/users/get?username=alice`, undefined, bob2));
      expectOk(await s.call('DELETE', `${API}/users/delete`, { username: 'bob' }, ADMIN));
      expectError(await s.call('GET', `${API}/users/current`, undefined, bob2), 401);
    });

    test('browser guards: same-origin writes, Host allowlist, CORS off', async () => {
      const evil = { ...ALICE, origin: 'http://evil.example' };
      expectError(
        await s.call('POST', `${API}/experiments/create`, { name: 'csrf' }, evil),
        403,
        'PERMISSION_DENIED',
      );
      expectError(
        await s.call('POST', `${API}/experiments/create`, { name: 'csrf' }, { ...ALICE, origin: 'null' }),
        403,
      );
      expectError(
        await s.call(
          'POST',
          `${API}/experiments/create`,
          { name: 'csrf' },
          { ...ALICE, 'sec-fetch-site': 'cross-site' },
        ),
        403,
      );
      expectOk(
        await s.call(
          'POST',
          `${API}/experiments/create`,
          { name: 'same-origin' },
          { ...ALICE, origin: s.url },
        ),
      );
      const read = await s.call('GET', `${API}/experiments/search`, undefined, evil);
      assert.equal(read.status, 200);
      assert.equal(read.headers.get('access-control-allow-origin'), null, 'CORS is off by default');
      const rebind = await s.app.inject({
        method: 'GET',
        url: `${API}/experiments/search`,
        headers: { ...ALICE, host: 'evil.example' },
      });
      assert.equal(rebind.statusCode, 403);
      const ok = await s.app.inject({
        method: 'GET',
        url: `${API}/experiments/search`,
        headers: { ...ALICE, host: '127.0.0.1:5000' },
      });
      assert.equal(ok.statusCode, 200);
    });
  });
}

describe('auth: first admin without a configured password', () => {
  test('a one-time password is printed and works; no fixed default exists', async () => {
    const saved = process.env.CAUCE_ADMIN_PASSWORD;
    delete process.env.CAUCE_ADMIN_PASSWORD;
    const lines: string[] = [];
    const s = await startTestServer('sqlite', { auth: { print: (l) => lines.push(l) } });
    try {
      assert.equal(lines.length, 1);
      const pw = /one-time password (\S+)/.exec(lines[0]!)?.[1];
      assert.ok(pw && pw.length >= 20);
      expectOk(await s.call('GET', `${API}/users/current`, undefined, basic('admin', pw)));
      expectError(
        await s.call('GET', `${API}/users/current`, undefined, basic('admin', 'password1234')),
        401,
      );
    } finally {
      if (saved !== undefined) process.env.CAUCE_ADMIN_PASSWORD = saved;
      await s.close();
    }
  });
});
