/**
 * Below JSON: hostile bytes on a raw TCP socket. Node's HTTP parser answers these before any
 * route runs (oversized headers, a garbage request line, Content-Length together with
 * Transfer-Encoding, the request-smuggling pattern). Each must get a 4xx JSON answer and the
 * connection must end; a client that stalls half-way through its body must not hold up anyone
 * else; the server keeps serving.
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

  const cases: [string, string][] = [
    ['a 20 kB header', `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
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
  for (const [name, raw] of cases) {
    test(`${name}: a 4xx JSON answer and the connection ends`, async () => {
      const { text, closed } = await exchange(server!.port, raw);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]);
      assert.ok(status >= 400 && status < 500, `got ${JSON.stringify(text.slice(0, 200))}`);
      assert.match(text, /content-type: application\/json/i);
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
