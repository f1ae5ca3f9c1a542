/**
 * The HTTP layer under every call: the tracking URI, auth headers, retries with exponential backoff on
 * 429 and 5xx (what MLflow's Python client does through urllib3's Retry: 429, 500, 502, 503, 504,
 * honouring Retry-After), and one clear error when the server cannot be reached at all.
 */
import { MlflowHttpClient } from '@cauce/protocol';
import { ClientError } from './errors.js';
import { canNodeFetch, nodeFetch } from './node-fetch.js';

export interface RetryOptions {
  /** Retries after the first attempt for 429 / 5xx answers (default 5). */
  maxRetries?: number;
  /** First backoff in ms; doubles every retry, with ±25 % jitter (default 250). */
  backoffMs?: number;
  /** Upper bound of one backoff in ms (default 8000). */
  maxBackoffMs?: number;
  /** Retries after a connection failure (refused, reset) before giving up (default 2). */
  connectRetries?: number;
}

export interface TransportOptions extends RetryOptions {
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Per-request timeout in ms (default 60 s; uploads and downloads stream without it). */
  timeoutMs?: number;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Auth headers from MLflow's environment variables (MLFLOW_TRACKING_TOKEN, _USERNAME/_PASSWORD). */
export function envAuthHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = env.MLFLOW_TRACKING_TOKEN;
  if (token) return { authorization: `Bearer ${token}` };
  const user = env.MLFLOW_TRACKING_USERNAME;
  const pass = env.MLFLOW_TRACKING_PASSWORD;
  if (user !== undefined && pass !== undefined) {
    return { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
  }
  return {};
}

/** Checks and normalises a tracking URI (http or https, no trailing slash). */
export function normaliseTrackingUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ClientError(
      'INVALID_URI',
      `tracking URI '${uri}' is not a URL`,
      'use the server address, e.g. http://127.0.0.1:5000 (set MLFLOW_TRACKING_URI or call setTrackingUri)',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientError(
      'INVALID_URI',
      `tracking URI '${uri}' uses ${url.protocol.replace(/:$/, '')}; this client talks to tracking servers over http(s)`,
      'start one with `cauce server` (or `mlflow server`) and point MLFLOW_TRACKING_URI at it',
    );
  }
  return uri.replace(/\/+$/, '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Why a request never got an answer, or undefined when the error is not a network failure. */
function networkFailure(err: unknown): { code: string; transient: boolean } | undefined {
  if (err instanceof Error && err.name === 'TimeoutError') return { code: 'ETIMEDOUT', transient: true };
  if (!(err instanceof TypeError)) return undefined;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? cause?.message ?? err.message;
  // refused / reset / DNS hiccups may pass; a malformed URL or a forbidden port will not
  const transient =
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/.test(code);
  return { code, transient };
}

export class Transport {
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  /** Typed calls of the tracking endpoints, over the retrying fetch. */
  readonly rpc: MlflowHttpClient;
  private readonly retry: Required<RetryOptions>;
  /** What it was built with (autolog's logging thread builds an equal transport from it). */
  readonly options: TransportOptions;

  constructor(trackingUri: string, options: TransportOptions = {}) {
    this.options = { ...options };
    this.baseUrl = normaliseTrackingUri(trackingUri);
    this.headers = { ...envAuthHeaders(), ...options.headers };
    this.retry = {
      maxRetries: options.maxRetries ?? 5,
      backoffMs: options.backoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 8000,
      connectRetries: options.connectRetries ?? 2,
    };
    this.rpc = new MlflowHttpClient(this.baseUrl, {
      headers: this.headers,
      fetch: (input, init) => this.fetch(String(input as string), init ?? {}),
      timeoutMs: options.timeoutMs,
    });
  }

  private backoff(attempt: number, retryAfter: string | null): number {
    const ra = retryAfter === null ? NaN : Number(retryAfter);
    if (Number.isFinite(ra) && ra >= 0) return Math.min(ra * 1000, this.retry.maxBackoffMs);
    const base = Math.min(this.retry.backoffMs * 2 ** attempt, this.retry.maxBackoffMs);
    return base * (0.75 + Math.random() * 0.5);
  }

  /**
   * fetch with retries. Pass a function building the RequestInit when the body is a stream (it is
   * rebuilt for every attempt); `replayable: false` turns retries off altogether.
   */
  async fetch(url: string, request: RequestInit | (() => RequestInit), replayable = true): Promise<Response> {
    let statusTries = 0;
    let connectTries = 0;
    for (;;) {
      let res: Response;
      // a factory builds a fresh body (e.g. a new file stream) for every attempt, so streams can be retried
      const init = typeof request === 'function' ? request() : request;
      try {
        const req = { ...init, headers: { ...this.headers, ...(init.headers as Record<string, string>) } };
        // buffered requests skip undici's per-request overhead (node-fetch.ts says why and by how much)
        res = await (canNodeFetch(url, req) ? nodeFetch(url, req) : fetch(url, req));
      } catch (err) {
        const failure = networkFailure(err);
        if (failure === undefined) throw err;
        const code = failure.code;
        if (failure.transient && replayable && connectTries < this.retry.connectRetries) {
          await sleep(this.backoff(connectTries++, null));
          continue;
        }
        throw new ClientError(
          'UNREACHABLE',
          `cannot reach the tracking server at ${this.baseUrl} (${code})`,
          'is `cauce server` running there? Check MLFLOW_TRACKING_URI or setTrackingUri()',
          { cause: err },
        );
      }
      if (replayable && RETRY_STATUSES.has(res.status) && statusTries < this.retry.maxRetries) {
        const wait = this.backoff(statusTries++, res.headers.get('retry-after'));
        await res.body?.cancel().catch(() => undefined);
        await sleep(wait);
        continue;
      }
      return res;
    }
  }

  /** A JSON request to any path (registry endpoints, DELETE with a JSON body as MLflow's client sends it). */
  json(method: string, path: string, body?: unknown): Promise<unknown> {
    if (method === 'GET' && body !== undefined) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
        if (v === undefined || v === null) continue;
        if (Array.isArray(v)) for (const x of v) qs.append(k, String(x));
        else qs.append(k, String(v));
      }
      const q = qs.toString();
      return this.rpc.request('GET', q ? `${path}?${q}` : path);
    }
    return this.rpc.request(method, path, body);
  }
}
