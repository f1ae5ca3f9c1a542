// `npm run bench:tracking` — the tracking server under the issue-3 workloads, SQLite beside PostgreSQL.
//
// For each store it seeds data through the public store API (openStore → createRun/logBatch, in this
// process, for speed), starts `cauce server` from sources as a child process on that store, and
// measures over real HTTP on loopback (kept-alive connections, bounded loops):
//   - log-batch of 1,000 metrics (20 keys × 50 steps) p50/p95          target p95 < 25 ms
//   - search-runs over RUNS runs × 20 metrics × 10 params, one metric + one param filter,
//     order_by a metric, max_results 1,000, p50/p95                      target p95 < 150 ms
//   - create-run p50                                                     target < 3 ms
//   - 8 concurrent clients, mixed reads and writes, req/s, every acknowledged write read back
//                                                                        target ≥ 1,500 req/s, 0 lost
//   - get-history-bulk-interval (320 points) of a POINTS-point metric, p50/p95   target < 100 ms
// The PostgreSQL is a throwaway cluster (initdb in a temp dir, loopback port, fsync off) started
// here. No MLflow is installable on this machine (no network), so the MLflow column quotes the
// published mlflow-go benchmark (k6, 20 VUs, PostgreSQL; averages, not p95), for scale only.
// Usage: npm run bench:tracking -- [--runs 10000] [--points 1000000] [--dialects sqlite,postgres] [--workers 1]
//   [--workloads create,batch,search,mixed,history] (a subset skips the others and their seeding; the
//   skipped rows print "–") [--cpu-prof-dir DIR] (V8 CPU profiles of the server processes)
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openStore, type MetricPoint, type TrackingStore } from '@cauce/server';
import { startPostgres, type TestPostgres } from '../packages/server/test/support/postgres.js';
import { HttpPool } from './http-client.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const RUNS = Number(opt('runs', '10000'));
const POINTS = Number(opt('points', '1000000'));
const DIALECTS = opt('dialects', 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const CLIENTS = 8;
const WORKERS = Number(opt('workers', '1'));
const MIXED_PER_CLIENT = 600;
const CPU_PROF_DIR = opt('cpu-prof-dir', '');
const WORKLOAD_NAMES = ['create', 'batch', 'search', 'mixed', 'history'] as const;
const WORKLOADS = new Set(opt('workloads', WORKLOAD_NAMES.join(',')).split(','));
for (const w of WORKLOADS) {
  if (!(WORKLOAD_NAMES as readonly string[]).includes(w))
    throw new Error(`unknown workload '${w}' in --workloads; use some of ${WORKLOAD_NAMES.join(',')}`);
}
const repo = fileURLToPath(new URL('..', import.meta.url));

const log = (msg: string) => process.stderr.write(`[bench:tracking] ${msg}\n`);

/** Mulberry32, seeded: the same data set on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function bounded(n: number, tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

/**
 * CPU time (user + system, ms) spent so far by the given processes and their direct children
 * (cluster workers of the server; the backends of the PostgreSQL postmaster). Read from
 * /proc/<pid>/stat (fields 14, 15, in clock ticks of 10 ms on Linux). Latency on a shared machine
 * includes waiting for a core; CPU per request does not, so it is the load-independent figure.
 */
function cpuMs(roots: number[]): number {
  const fields = (pid: string | number): string[] | undefined => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined; // exited
    }
  };
  const ticks = (f: string[] | undefined) => (f ? Number(f[11]) + Number(f[12]) : 0);
  let total = roots.reduce((acc, p) => acc + ticks(fields(p)), 0);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = fields(name);
    if (f && roots.includes(Number(f[1]))) total += ticks(f);
  }
  return total * 10;
}

// ---- data set-up through the store API -------------------------------------------------------

async function seedSearch(store: TrackingStore, parallel: number): Promise<string> {
  const rand = prng(3);
  const experimentId = await store.createExperiment('bench-search', undefined, []);
  const tasks = Array.from({ length: RUNS }, (_, i) => async () => {
    const run = await store.createRun({
      experimentId,
      userId: 'bench',
      runName: `r${i}`,
      startTime: 1_700_000_000_000 + i,
      tags: [],
    });
    const metrics: MetricPoint[] = Array.from({ length: 20 }, (_, j) => ({
      key: `m${j}`,
      value: rand(),
      timestamp: 1_700_000_000_000 + i,
      step: 0,
    }));
    const params = Array.from({ length: 10 }, (_, j) => ({
      key: `p${j}`,
      value: j === 0 ? (rand() < 0.5 ? 'a' : 'b') : `v${Math.floor(rand() * 10)}`,
    }));
    await store.logBatch(run.info.run_id, metrics, params, []);
    if ((i + 1) % 2000 === 0) log(`  seeded ${i + 1}/${RUNS} runs`);
  });
  await bounded(parallel, tasks);
  return experimentId;
}

async function seedHistory(store: TrackingStore): Promise<string> {
  const experimentId = await store.createExperiment('bench-history', undefined, []);
  const run = await store.createRun({ experimentId, userId: 'bench', startTime: Date.now(), tags: [] });
  const CHUNK = 10_000;
  for (let start = 0; start < POINTS; start += CHUNK) {
    const n = Math.min(CHUNK, POINTS - start);
    const points: MetricPoint[] = Array.from({ length: n }, (_, i) => ({
      key: 'loss',
      value: Math.exp(-(start + i) / POINTS) + 0.01 * Math.sin(start + i),
      timestamp: 1_700_000_000_000 + start + i,
      step: start + i,
    }));
    await store.logBatch(run.info.run_id, points, [], []);
    if ((start + n) % 200_000 === 0) log(`  seeded ${start + n}/${POINTS} points`);
  }
  return run.info.run_id;
}

// ---- the server child process and an HTTP client ---------------------------------------------

function spawnServer(uri: string, artifacts: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      // --cpu-prof-dir: V8 CPU profiles of the server (and of each cluster worker, which inherit
      // execArgv), written when they exit; open them in Chrome DevTools.
      ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
      '--import',
      'tsx',
      join(repo, 'packages/cli/src/main.ts'),
      'server',
      '--port',
      '0',
      '--backend-store-uri',
      uri,
      '--artifacts-destination',
      artifacts,
      '--workers',
      String(WORKERS),
    ],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`cauce server exited (${code}): ${out}`)));
  });
}

/** Kept-alive connections per server (see http-client.ts: the client must not be what is measured). */
const pools = new Map<string, HttpPool>();

interface Reply {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

async function call(base: string, method: 'GET' | 'POST', endpoint: string, body?: unknown): Promise<Reply> {
  let pool = pools.get(base);
  if (!pool) pools.set(base, (pool = HttpPool.forUrl(base)));
  let path = `/api/2.0/mlflow/${endpoint}`;
  let payload: string | undefined;
  if (method === 'GET' && body) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>))
      for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
    path += `?${qs.toString()}`;
  } else if (body !== undefined) payload = JSON.stringify(body);
  const t0 = performance.now();
  const res = await pool.request(method, path, payload);
  const ms = performance.now() - t0;
  let parsed: Record<string, unknown>;
  try {
    parsed = res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text: res.text };
  }
  return { status: res.status, body: parsed, ms };
}

async function ok(base: string, method: 'GET' | 'POST', endpoint: string, body?: unknown): Promise<Reply> {
  const r = await call(base, method, endpoint, body);
  if (r.status !== 200) throw new Error(`${endpoint} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r;
}

interface Timing {
  ms: number[];
  /** Server (+ database) CPU milliseconds per request. */
  cpu: number;
}

let cpuNow: () => number = () => 0;

async function timed(n: number, warm: number, f: (i: number) => Promise<Reply>): Promise<Timing> {
  for (let i = 0; i < warm; i++) await f(-1 - i);
  const ms: number[] = [];
  const c0 = cpuNow();
  for (let i = 0; i < n; i++) ms.push((await f(i)).ms);
  return { ms, cpu: (cpuNow() - c0) / n };
}

// ---- the workloads -----------------------------------------------------------------------------

interface Figures {
  logBatch: Timing;
  search: Timing;
  createRun: Timing;
  mixedRps: number;
  mixedRequests: number;
  mixedLost: number;
  mixedCpu: number;
  mixedClientCpu: number;
  history: Timing;
  seedSeconds: number;
}

async function mixedLoad(
  base: string,
): Promise<{ rps: number; requests: number; lost: number; cpu: number; clientCpu: number }> {
  const { experiment_id } = (await ok(base, 'POST', 'experiments/create', { name: 'bench-mixed' })).body as {
    experiment_id: string;
  };
  const runs: string[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const r = await ok(base, 'POST', 'runs/create', { experiment_id });
    runs.push((r.body.run as { info: { run_id: string } }).info.run_id);
  }
  const acked = {
    steps: runs.map(() => [] as number[]),
    tags: [] as [string, string][],
    created: [] as string[],
  };
  let requests = 0;
  const c0 = cpuNow();
  // The client shares the 2 cores with the server: its own CPU per request shows how much of the
  // machine it takes away (if it were near the server's figure, req/s would measure the client).
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    runs.map(async (runId, c) => {
      const rand = prng(100 + c);
      let step = 0;
      for (let i = 0; i < MIXED_PER_CLIENT; i++) {
        const x = rand();
        if (x < 0.35) {
          await ok(base, 'POST', 'runs/log-metric', {
            run_id: runId,
            key: 'm',
            value: step,
            timestamp: 1,
            step,
          });
          acked.steps[c]!.push(step++);
        } else if (x < 0.5) {
          const metrics = Array.from({ length: 10 }, (_, k) => ({
            key: 'm',
            value: step + k,
            timestamp: 1,
            step: step + k,
          }));
          await ok(base, 'POST', 'runs/log-batch', { run_id: runId, metrics });
          for (let k = 0; k < 10; k++) acked.steps[c]!.push(step++);
        } else if (x < 0.6) {
          await ok(base, 'POST', 'runs/set-tag', { run_id: runId, key: `t${i}`, value: `v${i}` });
          acked.tags.push([runId, `t${i}`]);
        } else if (x < 0.65) {
          await ok(base, 'POST', 'runs/log-parameter', { run_id: runId, key: `p${i}`, value: `${i}` });
        } else if (x < 0.7) {
          const r = await ok(base, 'POST', 'runs/create', { experiment_id });
          acked.created.push((r.body.run as { info: { run_id: string } }).info.run_id);
        } else if (x < 0.9) {
          await ok(base, 'GET', 'runs/get', { run_id: runId });
        } else {
          await ok(base, 'POST', 'runs/search', { experiment_ids: [experiment_id], max_results: 50 });
        }
        requests++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (cpuNow() - c0) / requests;
  const u = process.cpuUsage(u0);
  const clientCpu = (u.user + u.system) / 1000 / requests;
  // Read back everything that was acknowledged.
  let lost = 0;
  for (const [c, runId] of runs.entries()) {
    const h = await ok(base, 'GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: 'm',
      max_results: 25000,
    });
    const got = new Set(((h.body.metrics ?? []) as { step: number }[]).map((m) => m.step));
    lost += acked.steps[c]!.filter((s) => !got.has(s)).length;
    const run = (await ok(base, 'GET', 'runs/get', { run_id: runId })).body.run as {
      data: { tags?: { key: string }[] };
    };
    const tags = new Set((run.data.tags ?? []).map((t) => t.key));
    lost += acked.tags.filter(([r, k]) => r === runId && !tags.has(k)).length;
  }
  for (const id of acked.created)
    if ((await call(base, 'GET', 'runs/get', { run_id: id })).status !== 200) lost++;
  return { rps: requests / seconds, requests, lost, cpu, clientCpu };
}

async function benchDialect(dialect: 'sqlite' | 'postgres'): Promise<Figures> {
  const dir = mkdtempSync(join(os.tmpdir(), `cauce-bench-${dialect}-`));
  let pg: TestPostgres | undefined;
  let child: ChildProcess | undefined;
  try {
    if (dialect === 'postgres') pg = await startPostgres();
    const uri = pg ? pg.url : `sqlite:///${join(dir, 'bench.db')}`;
    log(`${dialect}: seeding ${RUNS} runs × 20 metrics × 10 params and a ${POINTS}-point metric`);
    const t0 = performance.now();
    const store = await openStore(uri);
    const searchExp = WORKLOADS.has('search') ? await seedSearch(store, dialect === 'postgres' ? 8 : 1) : '';
    const historyRun = WORKLOADS.has('history') ? await seedHistory(store) : '';
    await store.close();
    const seedSeconds = (performance.now() - t0) / 1000;
    log(`${dialect}: seeded in ${seedSeconds.toFixed(1)} s; starting cauce server`);
    const server = await spawnServer(uri, join(dir, 'artifacts'));
    child = server.child;
    const base = server.url;
    const postmaster = pg
      ? Number(readFileSync(join(pg.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0])
      : undefined;
    cpuNow = () => cpuMs(postmaster === undefined ? [server.child.pid!] : [server.child.pid!, postmaster]);

    const skipped: Timing = { ms: [], cpu: NaN };
    log(`${dialect}: create-run`);
    const createRun = !WORKLOADS.has('create')
      ? skipped
      : await timed(300, 20, () => ok(base, 'POST', 'runs/create', { experiment_id: '0' }));

    log(`${dialect}: log-batch`);
    const target = (await ok(base, 'POST', 'runs/create', { experiment_id: '0' })).body.run as {
      info: { run_id: string };
    };
    const logBatch = !WORKLOADS.has('batch')
      ? skipped
      : await timed(100, 5, (i) => {
          const base0 = (i + 10) * 50;
          const metrics = Array.from({ length: 1000 }, (_, k) => ({
            key: `k${k % 20}`,
            value: k / 1000,
            timestamp: 1_700_000_000_000 + base0 + Math.floor(k / 20),
            step: base0 + Math.floor(k / 20),
          }));
          return ok(base, 'POST', 'runs/log-batch', { run_id: target.info.run_id, metrics });
        });

    log(`${dialect}: search-runs`);
    const search = !WORKLOADS.has('search')
      ? skipped
      : await timed(30, 3, async () => {
          const r = await ok(base, 'POST', 'runs/search', {
            experiment_ids: [searchExp],
            filter: "metrics.m0 > 0.5 AND params.p0 = 'a'",
            order_by: ['metrics.m1 DESC'],
            max_results: 1000,
          });
          const runs = r.body.runs as { data: { metrics: { key: string; value: number }[] } }[];
          const m1 = runs.map((x) => x.data.metrics.find((m) => m.key === 'm1')!.value);
          if (runs.length !== Math.min(1000, runs.length) || m1.some((v, i) => i > 0 && v > m1[i - 1]!))
            throw new Error('search-runs returned runs out of order');
          return r;
        });

    log(`${dialect}: sampled history`);
    const history = !WORKLOADS.has('history')
      ? skipped
      : await timed(30, 3, async () => {
          const r = await ok(base, 'GET', 'metrics/get-history-bulk-interval', {
            run_ids: historyRun,
            metric_key: 'loss',
            max_results: 320,
          });
          const pts = r.body.metrics as { step: number }[];
          if (pts.length < 300 || pts.length > 322 || pts[0]!.step !== 0 || pts.at(-1)!.step !== POINTS - 1)
            throw new Error(`sampled history returned ${pts.length} points`);
          return r;
        });

    log(`${dialect}: mixed load, ${CLIENTS} clients × ${MIXED_PER_CLIENT} requests`);
    const mixed = WORKLOADS.has('mixed')
      ? await mixedLoad(base)
      : { rps: NaN, requests: 0, lost: 0, cpu: NaN, clientCpu: NaN };
    return {
      logBatch,
      search,
      createRun,
      mixedRps: mixed.rps,
      mixedRequests: mixed.requests,
      mixedLost: mixed.lost,
      mixedCpu: mixed.cpu,
      mixedClientCpu: mixed.clientCpu,
      history,
      seedSeconds,
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report --------------------------------------------------------------------------------------

function pgVersion(): string {
  try {
    return `PostgreSQL ${readdirSync('/usr/lib/postgresql').sort().at(-1) ?? '?'}`;
  } catch {
    return 'PostgreSQL ?';
  }
}

async function main(): Promise<void> {
  const load = os.loadavg()[0]!.toFixed(1);
  const results = new Map<string, Figures>();
  for (const d of DIALECTS) results.set(d, await benchDialect(d));
  for (const p of pools.values()) p.close();

  const f = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
  type Row = {
    workload: (typeof WORKLOAD_NAMES)[number];
    name: string;
    target: string;
    mlflow: string;
    value: (r: Figures) => string;
    pass: (r: Figures) => boolean;
  };
  const lat = (t: Timing) => `${f(pct(t.ms, 50))} / ${f(pct(t.ms, 95))} (CPU ${f(t.cpu)})`;
  const rows: Row[] = [
    {
      workload: 'batch',
      name: 'log-batch, 1,000 metrics: p50 / p95 ms',
      target: 'p95 < 25 ms',
      mlflow: '1,200 ms avg (500 metrics)',
      value: (r) => lat(r.logBatch),
      pass: (r) => pct(r.logBatch.ms, 95) < 25,
    },
    {
      workload: 'search',
      name: `search-runs, ${RUNS.toLocaleString('en')} runs, filter + order_by, 1,000 results: p50 / p95 ms`,
      target: 'p95 < 150 ms',
      mlflow: '1,004 ms avg',
      value: (r) => lat(r.search),
      pass: (r) => pct(r.search.ms, 95) < 150,
    },
    {
      workload: 'create',
      name: 'create-run: p50 / p95 ms',
      target: 'p50 < 3 ms',
      mlflow: '25.3 ms avg',
      value: (r) => lat(r.createRun),
      pass: (r) => pct(r.createRun.ms, 50) < 3,
    },
    {
      workload: 'mixed',
      name: `mixed load, ${CLIENTS} clients: req/s (writes lost)`,
      target: '≥ 1,500 req/s, 0 lost',
      mlflow: '–',
      value: (r) =>
        `${r.mixedRps.toFixed(0)} req/s, ${r.mixedLost} lost of ${r.mixedRequests} (CPU ${f(r.mixedCpu)}, client CPU ${f(r.mixedClientCpu)})`,
      pass: (r) => r.mixedRps >= 1500 && r.mixedLost === 0,
    },
    {
      workload: 'history',
      name: `sampled history, 320 of ${POINTS.toLocaleString('en')} points: p50 / p95 ms`,
      target: 'p95 < 100 ms',
      mlflow: '–',
      value: (r) => lat(r.history),
      pass: (r) => pct(r.history.ms, 95) < 100,
    },
  ];
  const names = DIALECTS.map((d) => (d === 'sqlite' ? 'SQLite' : 'PostgreSQL'));
  const lines = [
    `## bench:tracking — ${new Date().toISOString()}`,
    '',
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `Node ${process.version}, ${pgVersion()}, load average at start ${load} (the machine is shared).`,
    `Server: \`cauce server --workers ${WORKERS}\` child process on each store; client: this process, keep-alive HTTP on loopback.`,
    '',
    `| workload | target | ${names.join(' | ')} | MLflow (published) |`,
    `|---|---|${names.map(() => '---|').join('')}---|`,
  ];
  for (const row of rows) {
    const cells = DIALECTS.map((d) => {
      const r = results.get(d)!;
      if (!WORKLOADS.has(row.workload)) return '–';
      return `${row.value(r)} ${row.pass(r) ? 'PASS' : 'FAIL'}`;
    });
    lines.push(`| ${row.name} | ${row.target} | ${cells.join(' | ')} | ${row.mlflow} |`);
  }
  lines.push(
    '',
    `Seeding through the store API: ${DIALECTS.map((d) => `${d} ${results.get(d)!.seedSeconds.toFixed(1)} s`).join(', ')}.`,
    '(CPU x): CPU milliseconds per request spent by the server process and, on PostgreSQL, its backends;',
    'unlike latency it does not include waiting for a core, so it shows the cost on an idle machine.',
    'Client CPU: CPU milliseconds per request of this benchmark process (it shares the cores with the server).',
    'MLflow column: mlflow-go-backend benchmarks/README.md (k6, 20 virtual users, PostgreSQL, average latency), quoted for scale; not measured here.',
  );
  console.log(lines.join('\n'));
}

await main();
