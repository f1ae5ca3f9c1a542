/**
 * A minimal `fetch` for buffered requests (JSON calls, small uploads) over node:http / node:https with
 * one keep-alive agent per protocol.
 *
 * Why (issue 8, autolog overhead): the global fetch (undici) spends ~1.5–4 ms of CPU per request on
 * WHATWG Request / Headers / stream objects, and autolog makes ~45 small requests after a tuning fit.
 * Measured on this machine, 45 small POSTs to a local server: ~200–280 ms CPU cold and ~60–90 ms warm
 * through fetch, ~50 ms cold and ~30 ms warm through node:http. Streaming bodies (file uploads) and
 * anything else this does not handle still go through the global fetch.
 *
 * It keeps fetch's contract where the callers rely on it: a `Response` with status and headers, a
 * network failure rejects with `TypeError('fetch failed', { cause })` (the cause carries the errno
 * code, as undici's does), and an aborted signal rejects with the signal's reason (a TimeoutError for
 * AbortSignal.timeout). Idle keep-alive sockets are unref'd by Node's agent, so they never keep the
 * process alive.
 */
import http from 'node:http';
import https from 'node:https';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Whether `nodeFetch` can send this request itself (a buffered body, http or https). */
export function canNodeFetch(url: string, init: RequestInit): boolean {
  const b = init.body;
  return (
    (b === undefined || b === null || typeof b === 'string' || b instanceof Uint8Array) &&
    (url.startsWith('http://') || url.startsWith('https://'))
  );
}

/** Statuses whose responses have no body (the Response constructor refuses one for them). */
const NULL_BODY = new Set([101, 204, 205, 304]);

export function nodeFetch(url: string, init: RequestInit): Promise<Response> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const body = init.body as string | Uint8Array | undefined | null;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) {
    headers[k.toLowerCase()] = v;
  }
  if (body !== undefined && body !== null) headers['content-length'] = String(Buffer.byteLength(body));
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(signal!.reason);
    };
    const req = mod.request(
      u,
      { method: init.method ?? 'GET', headers, agent: agents[u.protocol as 'http:' | 'https:'] },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(err));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const h = new Headers();
          const raw = res.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!);
          const status = res.statusCode ?? 0;
          const buf = Buffer.concat(chunks);
          try {
            resolve(
              new Response(NULL_BODY.has(status) || buf.length === 0 ? null : buf, {
                status,
                statusText: res.statusMessage ?? '',
                headers: h,
              }),
            );
          } catch (err) {
            // a status Response cannot represent (e.g. 1xx): report it as a failed request
            reject(new TypeError('fetch failed', { cause: err }));
          }
        });
      },
    );
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // the shape undici's fetch rejects with, so callers classify failures the same way
      reject(new TypeError('fetch failed', { cause: err }));
    };
    req.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body ?? undefined);
  });
}
