/**
 * Below JSON: hostile bytes on a raw TCP socket. Node's HTTP parser answers these before any
 * route runs (oversized headers, a garbage request line, Content-Length together with
 * Transfer-Encoding, the request-smuggling pattern). Each must get a 4xx answer in MLflow's error
 * shape (`{"error_code": "BAD_REQUEST", "message": …}`, 431 for oversized headers) and the
 * connection must end; a client that stalls half-way through its body must not hold up anyone
 * else, and is cut off after the request timeout (or the idle-connection timeout); the server keeps
 * serving.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@cauce/server';
import { api, closeAgent, rawRequest } from './support.js';

/** Writes `raw`, collects everything until the server closes (or `timeoutMs` passes). */
function exchange(port: number, raw: string, timeoutMs = 10_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(raw));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    const done = () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    };
    socket.on('end', done);
    socket.on('error', done);
  });
}

/** The body of a raw HTTP answer is MLflow's error shape with error_code BAD_REQUEST. */
function assertBadRequest(text: string): void {
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
  assert.equal(body.error_code, 'BAD_REQUEST', text.slice(0, 300));
  assert.ok(typeof body.message === 'string' && body.message.length > 0, text.slice(0, 300));
}

describe('wire-level garbage', () => {
  let server: RunningServer | undefined;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cauce-wire-'));
    server = await startServer({
      port: 0,
      backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`,
      artifactsDestination: join(dir, 'artifacts'),
    });
  });

  after(async () => {
    closeAgent();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, string, number?][] = [
    [
      'a 20 kB header',
      `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
    ['a garbage request line', 'GARBAGE\r\n\r\n'],
    [
      'Content-Length with Transfer-Encoding',
      'POST /api/2.0/mlflow/runs/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'a bad chunk size',
      'POST /api/2.0/mlflow/runs/create HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
    ],
    ['a NUL in the request line', 'GET /hea\u0000lth HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
    ['an unknown HTTP version', 'GET /health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n'],
  ];
  for (const [name, raw, expected] of cases) {
    test(`${name}: a 4xx BAD_REQUEST answer and the connection ends`, async () => {
      const { text, closed } = await exchange(server!.port, raw);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]);
      assert.ok(status >= 400 && status < 500, `got ${JSON.stringify(text.slice(0, 200))}`);
      if (expected !== undefined) assert.equal(status, expected);
      assert.match(text, /content-type: application\/json/i);
      assertBadRequest(text);
      assert.ok(closed, 'the server kept the connection open');
    });
  }

  test('a client stalled half-way through its body holds up no one else', async () => {
    const stalled = connect(server!.port, '127.0.0.1');
    await new Promise<void>((r) => stalled.once('connect', () => r()));
    stalled.write(
      'POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":',
    );
    try {
      const health = await rawRequest(server!.url, { method: 'GET', path: '/health' }, 5_000);
      assert.equal(health.status, 200);
      const created = await api(server!.url, 'POST', 'experiments/create', { name: 'while-stalled' });
      assert.match(String(created.experiment_id), /^\d+$/);
    } finally {
      stalled.destroy();
    }
  });
});

describe('request and connection timeouts', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  const start = async (requestTimeoutMs: number, connectionTimeoutMs: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'cauce-timeout-'));
    dirs.push(dir);
    const s = await startServer({
      port: 0,
      backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`,
      artifactsDestination: join(dir, 'artifacts'),
      requestTimeoutMs,
      connectionTimeoutMs,
    });
    servers.push(s);
    return s;
  };
  after(async () => {
    closeAgent();
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const stalledUpload =
    'PUT /api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Length: 100000\r\n\r\n' +
    'x'.repeat(1000);

  test('a stalled upload gets 408 BAD_REQUEST and its connection closed after the request timeout', async () => {
    const s = await start(600, 0);
    const t0 = Date.now();
    const { text, closed } = await exchange(s.port, stalledUpload, 8_000);
    assert.ok(closed, 'the stalled upload kept its connection');
    assert.match(text, /^HTTP\/1\.1 408 /);
    assertBadRequest(text);
    assert.ok(Date.now() - t0 >= 500, 'closed before the timeout');
    // Nothing half-written is left behind, and the server still answers.
    const listed = await rawRequest(s.url, {
      method: 'GET',
      path: '/api/2.0/mlflow-artifacts/artifacts?path=0/r/artifacts',
    });
    assert.equal(listed.status, 200);
    assert.deepEqual(JSON.parse(listed.text).files, []);
  });

  test('a silent connection is closed after the connection timeout', async () => {
    const s = await start(0, 600);
    const t0 = Date.now();
    const { closed } = await exchange(s.port, stalledUpload, 8_000);
    assert.ok(closed, 'the silent connection stayed open');
    assert.ok(Date.now() - t0 >= 500, 'closed before the timeout');
    assert.equal((await rawRequest(s.url, { method: 'GET', path: '/health' })).status, 200);
  });

  test('a slow but steady upload is not cut off by the idle timeout', async () => {
    const s = await start(10_000, 800);
    const body = 'y'.repeat(30);
    const { text } = await new Promise<{ text: string }>((resolve, reject) => {
      let text = '';
      const socket = connect(s.port, '127.0.0.1', () => {
        socket.write(
          `PUT /api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/slow.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        );
        let i = 0;
        // 3 bytes every 400 ms: 4 s in all, always under the 800 ms idle limit.
        const timer = setInterval(() => {
          socket.write(body.slice(i, i + 3));
          i += 3;
          if (i >= body.length) clearInterval(timer);
        }, 400);
      });
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('end', () => resolve({ text }));
      socket.on('error', reject);
    });
    assert.match(text, /^HTTP\/1\.1 200 /);
    const got = await rawRequest(s.url, {
      method: 'GET',
      path: '/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/slow.txt',
    });
    assert.equal(got.text, body);
  });
});
