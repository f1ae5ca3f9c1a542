/**
 * Registry webhooks delivered to a real loopback receiver (allowlisted by the test, as an operator
 * would): HMAC-SHA256 signatures over the exact body, the four registry events, retries with
 * backoff and the delivery log, disabled hooks, and the SSRF allowlist rules.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { checkWebhookUrl } from '@cauce/server';
import { expectError, expectOk, startTestServer, type TestServer } from './security/harness.js';

const API = '/api/2.0/mlflow';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('registry webhooks', () => {
  let s: TestServer;
  let receiver: Server;
  let base = '';
  const received: Received[] = [];
  let flakyCalls = 0;
  let runId = '';

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.url === '/flaky' && ++flakyCalls <= 2) {
          res.statusCode = 503;
          return res.end('busy');
        }
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const addr = receiver.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    s = await startTestServer('sqlite', {
      webhookAllowlist: ['127.0.0.1'],
      webhookSecretKey: 'operator-key-for-tests',
    });
    runId = (await s.store.createRun({ experimentId: '0', userId: 'u', startTime: Date.now(), tags: [] }))
      .info.run_id;
    s.writeArtifact(`0/${runId}/artifacts/model/MLmodel`, 'x');
  });
  after(async () => {
    await s.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  test('signed deliveries for the four registry events', async () => {
    const hook = expectOk(
      await s.call('POST', `${API}/webhooks`, {
        name: 'ci',
        url: `${base}/hook`,
        secret: 'shh-secret',
        events: [
          'model_version.created',
          'model_version_alias.created',
          'model_version.stage_changed',
          'model_version_tag.set',
        ],
      }),
    ).webhook as Record<string, unknown>;
    assert.equal(hook.status, 'ACTIVE');
    assert.equal(JSON.stringify(hook).includes('shh-secret'), false, 'the secret is never returned');
    const stored = await s.app
      .cauce!.registry.db.selectFrom('webhooks')
      .select('secret')
      .executeTakeFirstOrThrow();
    assert.match(stored.secret ?? '', /^enc:v1:/, 'the secret is encrypted at rest');
    assert.equal(stored.secret?.includes('shh-secret'), false);
    expectOk(await s.call('POST', `${API}/registered-models/create`, { name: 'hooked' }));
    expectOk(
      await s.call('POST', `${API}/model-versions/create`, {
        name: 'hooked',
        source: `runs:/${runId}/model`,
      }),
    );
    expectOk(
      await s.call('POST', `${API}/registered-models/alias`, {
        name: 'hooked',
        alias: 'champion',
        version: '1',
      }),
    );
    expectOk(
      await s.call('POST', `${API}/model-versions/transition-stage`, {
        name: 'hooked',
        version: '1',
        stage: 'Production',
      }),
    );
    expectOk(
      await s.call('POST', `${API}/model-versions/set-tag`, {
        name: 'hooked',
        version: '1',
        key: 'ok',
        value: 'yes',
      }),
    );
    await s.app.cauce!.webhooks.idle();
    const events = received
      .filter((r) => r.path === '/hook')
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
    assert.deepEqual(events.map((e) => e.event).sort(), [
      'model_version.created',
      'model_version.stage_changed',
      'model_version_alias.created',
      'model_version_tag.set',
    ]);
    for (const r of received) {
      const expected = `sha256=${createHmac('sha256', 'shh-secret').update(r.body).digest('hex')}`;
      assert.equal(r.headers['x-cauce-signature'], expected);
      assert.equal(r.headers['x-mlflow-signature'], expected);
      assert.equal(r.headers['content-type'], 'application/json');
    }
    const created = events.find((e) => e.event === 'model_version.created')!;
    assert.deepEqual((created.data as Record<string, unknown>).name, 'hooked');
    const log = expectOk(await s.call('GET', `${API}/webhooks/${hook.webhook_id as string}/deliveries`));
    assert.equal((log.deliveries as Record<string, unknown>[]).filter((d) => d.success).length, 4);
  });

  test('retries with backoff, every attempt in the delivery log', async () => {
    const flaky = expectOk(
      await s.call('POST', `${API}/webhooks`, {
        name: 'flaky',
        url: `${base}/flaky`,
        events: ['model_version_tag.set'],
      }),
    ).webhook as Record<string, unknown>;
    const dead = expectOk(
      await s.call('POST', `${API}/webhooks`, {
        name: 'dead',
        url: 'http://127.0.0.1:9/nothing',
        events: ['model_version_tag.set'],
      }),
    ).webhook as Record<string, unknown>;
    expectOk(
      await s.call('POST', `${API}/model-versions/set-tag`, {
        name: 'hooked',
        version: '1',
        key: 'again',
        value: '1',
      }),
    );
    await s.app.cauce!.webhooks.idle();
    const fl = expectOk(await s.call('GET', `${API}/webhooks/${flaky.webhook_id as string}/deliveries`))
      .deliveries as Record<string, unknown>[];
    assert.deepEqual(
      fl.map((d) => [d.attempt, d.success, d.status_code]),
      [
        [1, false, 503],
        [2, false, 503],
        [3, true, 200],
      ],
    );
    const dd = expectOk(await s.call('GET', `${API}/webhooks/${dead.webhook_id as string}/deliveries`))
      .deliveries as Record<string, unknown>[];
    assert.equal(dd.length, 3);
    assert.ok(dd.every((d) => d.success === false && typeof d.error === 'string'));
  });

  test('disabled webhooks get nothing; CRUD and validation', async () => {
    const h = expectOk(
      await s.call('POST', `${API}/webhooks`, {
        name: 'off',
        url: `${base}/off`,
        events: ['model_version.created'],
        status: 'DISABLED',
      }),
    ).webhook as Record<string, unknown>;
    expectOk(
      await s.call('POST', `${API}/model-versions/create`, {
        name: 'hooked',
        source: `runs:/${runId}/model`,
      }),
    );
    await s.app.cauce!.webhooks.idle();
    assert.equal(received.filter((r) => r.path === '/off').length, 0);
    const upd = expectOk(
      await s.call('PATCH', `${API}/webhooks/${h.webhook_id as string}`, { status: 'ACTIVE' }),
    ).webhook as Record<string, unknown>;
    assert.equal(upd.status, 'ACTIVE');
    const list = expectOk(await s.call('GET', `${API}/webhooks`)).webhooks as unknown[];
    assert.equal(list.length, 4);
    expectError(
      await s.call('POST', `${API}/webhooks`, { name: 'x', url: `${base}/x`, events: ['run.created'] }),
      400,
    );
    expectError(
      await s.call('PATCH', `${API}/webhooks/${h.webhook_id as string}`, { url: 'http://169.254.169.254/' }),
      400,
    );
    expectOk(await s.call('DELETE', `${API}/webhooks/${h.webhook_id as string}`));
    expectError(await s.call('GET', `${API}/webhooks/${h.webhook_id as string}`), 404);
  });

  test('SSRF policy: allowlist by host, address or CIDR; everything else internal refused', async () => {
    await assert.rejects(checkWebhookUrl('http://127.0.0.1/x', {}), /loopback, private/);
    assert.deepEqual(await checkWebhookUrl('http://127.0.0.1/x', { allowlist: ['127.0.0.0/8'] }), [
      '127.0.0.1',
    ]);
    assert.deepEqual(await checkWebhookUrl('http://10.1.2.3/x', { allowlist: ['10.1.2.3'] }), ['10.1.2.3']);
    await assert.rejects(checkWebhookUrl('http://10.1.2.4/x', { allowlist: ['10.1.2.3'] }), /private/);
    await assert.rejects(
      checkWebhookUrl('http://[::ffff:169.254.169.254]/x', { allowlist: ['127.0.0.1'] }),
      /metadata/,
    );
    assert.deepEqual(await checkWebhookUrl('http://93.184.216.34/x', {}), ['93.184.216.34']);
  });
});
