/**
 * A small typed client for any server that speaks MLflow's tracking REST API. It knows the
 * endpoint table (method, path, which fields go in the query string) and turns error bodies into
 * `MlflowError`; richer helpers live in `@cauce/client`.
 */
import { ENDPOINTS, type EndpointSpec } from './endpoints.js';
import { MlflowError, isErrorBody } from './errors.js';
import type { EndpointName, RequestOf, ResponseOf } from './messages.js';

export interface MlflowHttpClientOptions {
  /** Extra headers on every request (e.g. `Authorization`). */
  headers?: Record<string, string>;
  /** The fetch to use (defaults to the global one). */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 60 s). */
  timeoutMs?: number;
}

export class MlflowHttpClient {
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: MlflowHttpClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.headers = options.headers ?? {};
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Calls one endpoint by its RPC name with MLflow's wire conventions. */
  async call<N extends EndpointName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
    const spec = ENDPOINTS.find((e) => e.name === name) as EndpointSpec;
    const method = spec.methods[0]!;
    const body = { ...(request as Record<string, unknown>) };
    // Path parameters (`:model_id`) are taken out of the body.
    const path = spec.path.replace(/:(\w+)/g, (_m, key: string) => {
      const v = body[key];
      delete body[key];
      return encodeURIComponent(String(v));
    });
    let url = `${this.baseUrl}/api/2.0/${path}`;
    let payload: string | undefined;
    if (method === 'GET' || method === 'DELETE') {
      const qs = toQueryString(body);
      if (qs) url += `?${qs}`;
    } else {
      payload = JSON.stringify(body);
    }
    return (await this.send(method, url, payload)) as ResponseOf<N>;
  }

  /** A raw request against any path of the server (JSON in, JSON out), with MLflow error handling. */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
    return this.send(method, url, body === undefined ? undefined : JSON.stringify(body));
  }

  private async send(method: string, url: string, payload: string | undefined): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchImpl(url, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!res.ok) {
      if (isErrorBody(parsed)) throw new MlflowError(parsed.error_code, parsed.message, res.status);
      throw new MlflowError(
        res.status === 404 ? 'ENDPOINT_NOT_FOUND' : 'INTERNAL_ERROR',
        `${method} ${url} failed with HTTP ${res.status}: ${text.slice(0, 200)}`,
        res.status,
      );
    }
    return parsed ?? {};
  }
}

/** Query-string encoding as MLflow's clients do it: arrays become repeated keys. */
export function toQueryString(params: Record<string, unknown>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) qs.append(k, String(item));
    else qs.append(k, String(v));
  }
  return qs.toString();
}
