/**
 * Test harness of the registry/auth/security suites: a real tracking store (SQLite file or a
 * throwaway PostgreSQL), a local artifact directory, and the full app from `buildApp` listening on
 * 127.0.0.1:0, with a small JSON client that can send any method, headers and raw URL.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { buildApp, LocalArtifactRepository, openStore, type SqlTrackingStore } from '@cauce/server';
import type { FastifyInstance } from 'fastify';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

export interface TestServer {
  app: FastifyInstance;
  store: SqlTrackingStore;
  url: string;
  dir: string;
  artifacts: string;
  /** Sends a request; `body` objects go as JSON. `path` is used verbatim (raw encodings survive). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Sends a request with the path exactly as given (no URL normalisation of '..' or '%2e'). */
  raw(method: string, path: string, headers?: Record<string, string>, body?: string): Promise<Reply>;
  /** Writes a file under the artifact root (as if uploaded). */
  writeArtifact(relPath: string, content: string): void;
  close(): Promise<void>;
}

export interface ServerOptions {
  auth?: {
    adminPassword?: string;
    defaultPermission?: 'READ' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS';
    print?: (line: string) => void;
  };
  webhookAllowlist?: string[];
  webhookSecretKey?: string;
  allowedHosts?: string[];
  corsAllowedOrigins?: string[];
}

export async function startTestServer(dialect: Dialect, options: ServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), `cauce-h7-${dialect}-`));
  let pg: TestPostgres | undefined;
  let uri = `sqlite:///${join(dir, 'mlflow.db')}`;
  if (dialect === 'postgres') {
    pg = await startPostgres();
    uri = pg.url;
  }
  const artifacts = join(dir, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const store = await openStore(uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
  const app = await buildApp({
    store,
    artifacts: new LocalArtifactRepository(artifacts),
    maxArtifactBytes: 1024 * 1024,
    registry: {
      artifactsDestination: artifacts,
      auth: options.auth ? { print: () => undefined, ...options.auth } : undefined,
      webhooks: {
        allowlist: options.webhookAllowlist,
        secretKey: options.webhookSecretKey,
        backoffMs: 10,
        maxAttempts: 3,
        timeoutMs: 2000,
      },
      allowedHosts: options.allowedHosts,
      corsAllowedOrigins: options.corsAllowedOrigins,
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    store,
    url,
    dir,
    artifacts,
    async call(method, path, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${url}${path}`, { method, headers: h, body: payload });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = {};
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    raw(method, path, headers = {}, body) {
      return new Promise((resolvePromise, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: Record<string, unknown> = {};
              try {
                parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
              } catch {
                parsed = {};
              }
              const h = new Headers();
              for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
              resolvePromise({ status: res.statusCode ?? 0, body: parsed, text, headers: h });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    writeArtifact(relPath, content) {
      const p = join(artifacts, relPath);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    },
    async close() {
      await app.close();
      await store.close();
      pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Fails with the whole reply when it is not the expected MLflow error. */
export function expectError(r: Reply, status: number, code?: string): string {
  if (r.status !== status || (code !== undefined && r.body.error_code !== code)) {
    throw new Error(`expected ${status} ${code ?? ''}, got ${r.status} ${r.text.slice(0, 300)}`);
  }
  if (typeof r.body.message !== 'string' || r.body.message === '')
    throw new Error(`error without a message: ${r.text}`);
  return r.body.message;
}

export function expectOk(r: Reply): Record<string, unknown> {
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status} ${r.text.slice(0, 300)}`);
  return r.body;
}
