// nodeFetch answers with a BufferedResponse: the part of fetch's Response the client uses must behave as
// fetch's does — status and ok, headers, text/json/arrayBuffer read once, a body stream for downloads,
// no body for 204, the errors fetch gives — against a real local HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeFetch } from './node-fetch.js';

let server: http.Server;
let base = '';

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/json') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-thing': 'a' });
      res.end('{"run":{"info":{"run_id":"r1"}}}');
    } else if (req.url === '/empty') {
      res.writeHead(204);
      res.end();
    } else if (req.url === '/busy') {
      res.writeHead(503, { 'retry-after': '2' });
      res.end('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}');
    } else if (req.url === '/bytes') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0, 1, 2, 250, 255]));
    } else if (req.url === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () =>
        res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] })),
      );
    } else {
      res.writeHead(404);
      res.end('no');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((r) => server.close(() => r())));

test('a JSON answer: status, ok, headers, json; the body reads once', async () => {
  const res = await nodeFetch(`${base}/json`, { method: 'GET' });
  assert.equal(res.status, 200);
  assert.equal(res.ok, true);
  assert.equal(res.headers.get('x-thing'), 'a');
  assert.equal(res.bodyUsed, false);
  assert.deepEqual(await res.json(), { run: { info: { run_id: 'r1' } } });
  assert.equal(res.bodyUsed, true);
  await assert.rejects(res.text(), /already been read/);
});

test('no body for 204; an error status keeps its headers and body', async () => {
  const empty = await nodeFetch(`${base}/empty`, { method: 'POST', body: '{}' });
  assert.equal(empty.status, 204);
  assert.equal(empty.body, null);
  assert.equal(await empty.text(), '');
  const busy = await nodeFetch(`${base}/busy`, { method: 'GET' });
  assert.equal(busy.ok, false);
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get('retry-after'), '2');
  assert.match(await busy.text(), /TEMPORARILY_UNAVAILABLE/);
  const missing = await nodeFetch(`${base}/nope`, { method: 'GET' });
  assert.equal(missing.status, 404);
  await assert.rejects(missing.json(), SyntaxError);
});

test('bytes arrive intact through the body stream and through arrayBuffer', async () => {
  const a = await nodeFetch(`${base}/bytes`, { method: 'GET' });
  const chunks: Uint8Array[] = [];
  for await (const c of a.body as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  assert.deepEqual([...Buffer.concat(chunks)], [0, 1, 2, 250, 255]);
  const b = await nodeFetch(`${base}/bytes`, { method: 'GET' });
  assert.deepEqual([...new Uint8Array(await b.arrayBuffer())], [0, 1, 2, 250, 255]);
});

test('the request body and headers go out; a refused connection rejects as fetch does', async () => {
  const res = await nodeFetch(`${base}/echo`, {
    method: 'POST',
    body: '{"a":1}',
    headers: { 'Content-Type': 'application/json' },
  });
  assert.deepEqual(await res.json(), { method: 'POST', body: '{"a":1}', type: 'application/json' });
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(nodeFetch(`http://127.0.0.1:${port}/`, { method: 'GET' }), (err: unknown) => {
    assert.ok(err instanceof TypeError);
    assert.equal((err as { cause?: { code?: string } }).cause?.code, 'ECONNREFUSED');
    return true;
  });
});
