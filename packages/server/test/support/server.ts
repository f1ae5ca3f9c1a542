/**
 * Test harness: for each dialect, a fresh database and artifact directory behind a real server on
 * 127.0.0.1 (port 0), plus a tiny JSON client. `DIALECTS` is what suites loop over.
 */
import { after, before, describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@cauce/server';
import { startPostgres, type TestPostgres } from './postgres.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type DialectName = (typeof DIALECTS)[number];

export interface Harness {
  server: RunningServer;
  url: string;
  dir: string;
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
  get(path: string, query?: Record<string, string | string[]>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startHarness(dialect: DialectName): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), `cauce-server-${dialect}-`));
  let pg: TestPostgres | undefined;
  let uri = `sqlite:///${join(dir, 'mlflow.db')}`;
  if (dialect === 'postgres') {
    pg = await startPostgres();
    uri = pg.url;
  }
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    backendStoreUri: uri,
    artifactsDestination: join(dir, 'artifacts'),
    maxArtifactBytes: 1024 * 1024,
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { __text: text };
    }
    return { status: res.status, body: parsed };
  };
  const ok = (r: { status: number; body: Record<string, unknown> }, what: string) => {
    if (r.status !== 200) throw new Error(`${what} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    server,
    url: server.url,
    dir,
    call,
    post: async (path, body) => ok(await call('POST', `/api/2.0/mlflow/${path}`, body), path),
    get: async (path, query = {}) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
      return ok(await call('GET', `/api/2.0/mlflow/${path}?${qs.toString()}`), path);
    },
    async close() {
      await server.close();
      pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Declares `body` once per dialect, with a fresh server started before and closed after. */
export function forEachDialect(title: string, body: (h: () => Harness) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${title} [${dialect}]`, () => {
      let harness: Harness | undefined;
      before(async () => {
        harness = await startHarness(dialect);
      });
      after(async () => {
        await harness?.close();
      });
      body(() => {
        if (!harness) throw new Error('harness not started');
        return harness;
      });
    });
  }
}

/** Asserts an MLflow error response and returns its message. */
export function expectError(
  r: { status: number; body: Record<string, unknown> },
  status: number,
  code: string,
): string {
  if (r.status !== status || r.body.error_code !== code) {
    throw new Error(`expected ${status} ${code}, got ${r.status} ${JSON.stringify(r.body)}`);
  }
  if (typeof r.body.message !== 'string' || r.body.message.length === 0)
    throw new Error('error without message');
  return r.body.message;
}
