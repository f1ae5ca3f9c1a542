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
 * It keeps fetch's contract where the callers rely on it: a response with status, headers and the body
 * methods (a BufferedResponse, below: lighter than a WHATWG Response), a
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

/**
 * A response read in full, with the part of `Response` the client uses (status, ok, headers, text, json,
 * arrayBuffer, body, bodyUsed). Building WHATWG Headers + Response and reading the body back through its
 * stream cost ~130 µs of CPU per request warm (Headers + Response ~40 µs, Response.text ~90 µs), several times that cold; a
 * tuning fit's autolog makes ~55 requests (issue 8). `headers` and `body` (a stream, for downloads) are
 * built only when read.
 */
class BufferedResponse {
  #headers: Headers | undefined;
  #used = false;
  constructor(
    readonly status: number,
    readonly statusText: string,
    private readonly rawHeaders: string[],
    private readonly buf: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): Headers {
    if (!this.#headers) {
      const h = new Headers();
      for (let i = 0; i + 1 < this.rawHeaders.length; i += 2)
        h.append(this.rawHeaders[i]!, this.rawHeaders[i + 1]!);
      this.#headers = h;
    }
    return this.#headers;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The body as a stream (null when empty), as fetch's Response has it. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.buf.length === 0) return null;
    this.#used = true;
    const bytes = this.buf;
    return new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        c.close();
      },
    });
  }

  private consume(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.buf;
  }

  text(): Promise<string> {
    try {
      return Promise.resolve(this.consume().toString('utf8'));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  json(): Promise<unknown> {
    try {
      return Promise.resolve(JSON.parse(this.consume().toString('utf8')) as unknown);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    try {
      const b = this.consume();
      return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
}

/** Statuses whose responses have no body. */
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
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 599) {
            // a status a Response cannot represent (e.g. 1xx): report it as a failed request
            reject(new TypeError('fetch failed', { cause: new RangeError(`HTTP status ${status}`) }));
            return;
          }
          const body = NULL_BODY.has(status) ? Buffer.alloc(0) : Buffer.concat(chunks);
          resolve(
            new BufferedResponse(
              status,
              res.statusMessage ?? '',
              res.rawHeaders,
              body,
            ) as unknown as Response,
          );
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
