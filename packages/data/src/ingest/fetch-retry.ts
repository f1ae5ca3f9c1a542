import { DataError } from '../errors.js';

/** How HTTP requests are retried. */
export interface RetryOptions {
  /** Attempts after the first one (default 5). */
  retries?: number;
  /** Base delay of the exponential backoff in ms (default 500; doubles each attempt, with jitter). */
  backoffMs?: number;
  /** Longest single wait in ms (default 30 000). */
  maxBackoffMs?: number;
  /** Per-request timeout in ms (default 60 000). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Called before each retry (for logs/progress). */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

/** Statuses worth retrying: rate limiting and server-side trouble (RFC 9110 §15.6, RFC 6585 §4). */
function retryable(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

/** Retry-After in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterMs(h: string | null): number | undefined {
  if (h === null) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(h);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): DataError {
  return new DataError(
    'HTTP_ERROR',
    'ingest interrupted',
    'run the same command again to resume from the last complete page',
  );
}

function snippet(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > 120 ? s.slice(0, 120) + '…' : s;
}

/**
 * GETs `url` and parses JSON, retrying 429/5xx, timeouts and dropped connections with exponential
 * backoff and full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter", 2015), honouring
 * Retry-After. A response that is not JSON (an HTML error page, broken JSON) is not retried: it is a
 * BAD_RESPONSE error that quotes the start of the body.
 */
export async function fetchJson(url: string, opts: RetryOptions = {}): Promise<unknown> {
  const retries = opts.retries ?? 5;
  const base = opts.backoffMs ?? 500;
  const maxWait = opts.maxBackoffMs ?? 30_000;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let lastReason = '';
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw abortError();
    let wait: number | undefined;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    const onAbort = (): void => ac.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json', ...opts.headers },
        signal: ac.signal,
      });
      const text = await res.text();
      if (!res.ok) {
        if (!retryable(res.status)) {
          throw new DataError(
            'HTTP_ERROR',
            `GET ${url} answered ${res.status} ${res.statusText}: ${snippet(text)}`,
            res.status === 404 ? 'check the URL' : 'check the URL and query parameters ($where, $select …)',
          );
        }
        lastReason = `HTTP ${res.status}`;
        wait = retryAfterMs(res.headers.get('retry-after'));
      } else {
        try {
          return JSON.parse(text);
        } catch {
          const type = res.headers.get('content-type') ?? 'no content type';
          throw new DataError(
            'BAD_RESPONSE',
            `GET ${url} did not return JSON (${type}): ${snippet(text) || '(empty body)'}`,
            'check that the URL is the API endpoint (e.g. …/resource/<id>.json), not a web page',
          );
        }
      }
    } catch (e) {
      if (e instanceof DataError) throw e;
      if (opts.signal?.aborted) throw abortError();
      lastReason = ac.signal.aborted ? `timeout after ${timeoutMs} ms` : `connection error (${errorText(e)})`;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (attempt >= retries) {
      throw new DataError(
        'HTTP_ERROR',
        `GET ${url} failed after ${attempt + 1} attempts; last: ${lastReason}`,
        'the server may be down or rate limiting; run again later (the ingest resumes from the last complete page) or raise --retries',
      );
    }
    const delay = wait ?? Math.random() * Math.min(maxWait, base * 2 ** attempt);
    opts.onRetry?.({ url, attempt: attempt + 1, delayMs: delay, reason: lastReason });
    await sleep(Math.min(delay, maxWait), opts.signal);
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}
