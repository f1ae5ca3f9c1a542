/**
 * Shared helpers of the robustness suite: a raw HTTP client with a hard per-request timeout (so a
 * hang is a test failure, not a stuck suite), a seeded PRNG, and `cauce server` child processes
 * spawned through the real CLI from sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One HTTP request over a kept-alive loopback connection. Rejects on a transport error or when no
 * complete response arrived within `timeoutMs`.
 */
export function rawRequest(baseUrl: string, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: Error | undefined, res?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done(undefined, {
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (e) => done(e));
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      done(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    // A server that answers early (413) and closes may break our upload; the answer still counts.
    r.on('error', (e) => done(e));
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/** Mulberry32: a tiny seeded PRNG (public domain, Tommy Ettinger), enough for test generation. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** JSON POST/GET against the tracking API that throws on a non-200 answer. */
export async function api(
  baseUrl: string,
  method: 'GET' | 'POST',
  endpoint: string,
  body?: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let path = `/api/2.0/mlflow/${endpoint}`;
  let payload: string | undefined;
  if (method === 'GET' && body) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(body))
      for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
    path += `?${qs.toString()}`;
  } else if (body) payload = JSON.stringify(body);
  const res = await rawRequest(baseUrl, {
    method,
    path,
    headers: payload === undefined ? {} : { 'content-type': 'application/json' },
    body: payload,
  });
  if (res.status !== 200) throw new ApiError(endpoint, res);
  return JSON.parse(res.text) as Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(endpoint: string, res: RawResponse) {
    super(`${endpoint} → ${res.status} ${res.text.slice(0, 300)}`);
    this.status = res.status;
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      body = { text: res.text };
    }
    this.body = body;
  }
}

const repo = fileURLToPath(new URL('../../../..', import.meta.url));
const cliMain = join(repo, 'packages/cli/src/main.ts');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** What the process printed so far (for failure messages). */
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** Spawns `cauce server <args> --port 0` from sources and waits for its "listening on" line. */
export function spawnServer(args: string[], timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', cliMain, 'server', '--port', '0', ...args],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cauce server printed no "listening" line in ${timeoutMs} ms: ${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        child,
        url: m[1]!,
        output: () => out,
        stop: () => signal('SIGTERM'),
        kill: () => signal('SIGKILL'),
      });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cauce server exited (${code}) before listening: ${out}`));
    });
  });
}

/** Drops kept-alive sockets, so a finished test file has nothing left open. */
export function closeAgent(): void {
  agent.destroy();
}
