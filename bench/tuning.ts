// `npm run bench:tuning` — CrossValidator (3 folds × 12 param maps of LinearRegression) beside scikit-learn's
// GridSearchCV with the same folds and grid, in one run; then the autolog overhead on the same tuning fit.
//
// Data: /tmp/mlbench-data/reg_100k.csv (peer-bench gen_data.py). Protocol (peer-bench README): fmix32 hash split
// 80/20; preprocessing fitted on the train part → 252 features; tuning on the 80,000 train rows.
// Folds: row i of the train part is in fold i % 3 on both sides (foldCol / PredefinedSplit).
// Grid: 12 Ridge alphas, log-spaced 0.01 … 3000; alpha ↦ regParam = alpha·σ_y/n_fold (standardization off,
// docs/decisions/0005-linear-solvers.md), with σ_y and n_fold of the first training fold (the folds differ by
// <0.5 % in both, so the objectives agree to that precision; the metrics printed show it).
// Autolog overhead (issue 8): what the user waits for until the run is completely recorded — the same CV
// fit with autolog() on (blocking, the default), logging to a `cauce server` (SQLite, a child process):
// dataset, params, 12 child runs with params + metrics, parent metrics, the model directory with MLmodel,
// signature, input example and profile, the plots — minus the plain fit. Plain and logged fits alternate
// in a balanced crossover (P L, L P, P L, …: since session 10; before, always P L) and the overhead is the
// median of the paired differences (logged − plain, each pair measured within seconds), as a share of the
// median plain fit; the medians of the two orders are printed apart. Since session 3 the logging runs on
// autolog's logging thread DURING the fit (client/src/autolog/logging-thread.ts), so the old measure — the time
// outside the CrossValidator's fitStarted…fitFinished window — would miss both the logging done inside
// the window and any slowdown of the fit by the logging thread; the paired total difference counts both.
// The tail (what the caller waits after the fit proper) is printed too. CPU: this process's CPU (all
// threads: the fit, the logging thread, GC) of the logged fit minus that of its paired plain fit, plus the
// server's CPU during the logged fit (all its threads, /proc schedstat in ns), over the plain fit's CPU;
// split into the fit's own thread, the other threads (autolog's lowered-priority threads, V8's and libuv's
// helpers) and the server; and how much longer the fit's thread waited for a core (schedstat's run-queue
// time), which is where a logged fit lost most of its in-fit time until session 7 (V8's GC helpers, busy
// with the fit's own garbage, pushed onto the fit's core: docs/decisions/0008, session 7).
// Built code: the npm script builds first and runs the packages' dist/ (the bench itself through tsx),
// as users run Cauce. From the sources every worker thread (autolog's logging and plot threads) would
// compile its TypeScript when it starts, which the first logged fit of a process would wait for.
// Usage: npm run bench:tuning -- [--pairs 15] [--repeat 3] [--skip-peer]
// Diagnosis: CAUCE_AUTOLOG_TIMING=1 prints each logged fit's timeline (both threads, one clock);
// AUTOLOG_OPTS='{"logModels":false}' passes options to autolog() to see what each part costs;
// BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p' passes Node flags to the server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { int32Column, type Frame } from '@cauce/frame';
import { readFrame } from '@cauce/data';
import {
  CrossValidator,
  Imputer,
  LinearRegression,
  OneHotEncoder,
  ParamGridBuilder,
  Pipeline,
  RegressionEvaluator,
  StandardScaler,
  StringIndexer,
  VectorAssembler,
  mlEvents,
  type CrossValidatorModel,
} from '@cauce/ml';
import {
  _resetFluentState,
  autolog,
  disableAutolog,
  flushAutolog,
  setExperiment,
  setTrackingUri,
} from '@cauce/client';

const FILE = '/tmp/mlbench-data/reg_100k.csv';
const args = process.argv.slice(2);
/** The value after `--name`, as a positive integer, or the default. */
function intFlag(name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i < 0 ? NaN : Number(args[i + 1]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}
/** scikit-learn's GridSearchCV runs (the median is reported). */
const REPEAT = intFlag('--repeat', 3);
/**
 * Plain / logged fit pairs (alternating) for the autolog overhead: on a shared 2-core machine one fit
 * varies by ±10 %, more than the overhead measured, so the median difference needs many pairs; a 95 %
 * confidence interval (order statistics of the paired differences) is printed with it.
 */
const PAIRS = intFlag('--pairs', 15);
const SKIP_PEER = args.includes('--skip-peer');
/** BENCH_PHASES=1: each fit's time per fold and for the refit (diagnosis). */
const PHASES = Boolean(process.env.BENCH_PHASES);
const NUM = Array.from({ length: 20 }, (_, j) => `x${j}`);
const CAT = ['cat_a', 'cat_b', 'cat_c'];
const ALPHAS = Array.from({ length: 12 }, (_, k) => 0.01 * Math.pow(10, (k * Math.log10(3000 / 0.01)) / 11));
const now = (): number => performance.now() / 1000;

/** The peer-bench split: test rows are the 20% with the smallest murmur3 fmix32 hash of (i + 42·0x9E3779B9). */
function trainIndices(n: number): Int32Array {
  const h = new Uint32Array(n);
  const off = Number((42n * 0x9e3779b9n) & 0xffffffffn);
  for (let i = 0; i < n; i++) {
    let x = (i + off) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b) >>> 0;
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x ^= x >>> 16;
    h[i] = x;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => h[a]! - h[b]! || a - b);
  const isTest = new Uint8Array(n);
  for (let k = 0; k < Math.floor(n * 0.2); k++) isTest[order[k]!] = 1;
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (!isTest[i]) train.push(i);
  return Int32Array.from(train);
}

function preprocessing(): Pipeline {
  const imp = NUM.map((c) => `${c}_imp`);
  const idx = CAT.map((c) => `${c}_idx`);
  const oh = CAT.map((c) => `${c}_oh`);
  return new Pipeline({
    stages: [
      new Imputer({ inputCols: NUM, outputCols: imp, strategy: 'median', relativeError: 0 }),
      new VectorAssembler({ inputCols: imp, outputCol: 'num' }),
      new StandardScaler({ inputCol: 'num', outputCol: 'num_scaled', withMean: true, withStd: true }),
      new StringIndexer({ inputCols: CAT, outputCols: idx, stringOrderType: 'alphabetAsc' }),
      new OneHotEncoder({ inputCols: idx, outputCols: oh, dropLast: true }),
      new VectorAssembler({ inputCols: ['num_scaled', ...oh], outputCol: 'features' }),
    ],
  });
}

function stdOf(y: Float64Array): number {
  let m = 0;
  for (const v of y) m += v / y.length;
  let s = 0;
  for (const v of y) s += (v - m) ** 2;
  return Math.sqrt(s / (y.length - 1));
}

function makeCv(train: Frame): CrossValidator {
  // σ_y and n of the first training fold (folds 1 and 2)
  const fold = train.float64('fold');
  const idx: number[] = [];
  for (let i = 0; i < fold.length; i++) if (fold[i] !== 0) idx.push(i);
  const y = train.take(Int32Array.from(idx)).float64('target');
  const sy = stdOf(y);
  const lr = new LinearRegression({ labelCol: 'target', solver: 'normal', standardization: false });
  const grid = new ParamGridBuilder()
    .addGrid(
      lr.regParam,
      ALPHAS.map((a) => (a * sy) / idx.length),
    )
    .build();
  return new CrossValidator({
    estimator: lr,
    estimatorParamMaps: grid,
    evaluator: new RegressionEvaluator({ labelCol: 'target', metricName: 'rmse' }),
    numFolds: 3,
    foldCol: 'fold',
  });
}

interface CvTiming {
  s: number;
  /** Wall seconds after the CV's own fitFinished (with autolog on: what the caller waits for at the end). */
  tail: number;
  /** Wall seconds before the CV's own fitStarted (with autolog on: describing the fit to the logging thread). */
  head: number;
  /** Wall seconds between the CV's fitStarted and fitFinished: the fit proper (slowed by what runs beside it). */
  inner: number;
  /** CPU seconds of the fit's own thread between fitStarted and fitFinished. */
  innerCpu: number;
  /** Seconds the fit's thread waited for a core between fitStarted and fitFinished. */
  innerWait: number;
  /** CPU seconds of this process (all threads) and of its main thread during the call. */
  cpu: number;
  mainCpu: number;
  /** CPU seconds of the other threads during the call: lowered-priority ones, the rest. */
  lowCpu: number;
  restCpu: number;
  /** CPU seconds the tracking server used during this fit (NaN without a server). */
  serverCpu: number;
  model: CrossValidatorModel;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * CPU seconds of one thread (ns precision), or with `field` 1 the seconds it waited on a run queue
 * (runnable, no core free); NaN when /proc is not there.
 */
function threadCpu(pid: number, tid: number, field = 0): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[field]) / 1e9;
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds this process's threads other than the main one have used so far: [background threads
 * that lowered their priority (autolog's logging and plot threads, nice > 0), the rest (V8's GC and
 * compiler helpers, libuv's pool)].
 */
function helperCpu(): [number, number] {
  let [low, rest] = [0, 0];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${process.pid}/task`);
  } catch {
    return [NaN, NaN];
  }
  for (const tid of tids) {
    if (Number(tid) === process.pid) continue;
    try {
      const dir = `/proc/${process.pid}/task/${tid}`;
      const ns = Number(readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]);
      const nice = Number(readFileSync(`${dir}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      if (nice > 0) low += ns / 1e9;
      else rest += ns / 1e9;
    } catch {
      // a thread that ended meanwhile
    }
  }
  return [low, rest];
}

/**
 * CPU seconds a process has used so far: the sum over its threads of /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds; the server's per-fit CPU is tens of ms, which /proc/<pid>/stat's 10 ms ticks blur), else
 * /proc/<pid>/stat's utime + stime.
 */
function procCpu(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    if (Number.isFinite(ns) && ns > 0) return ns / 1e9;
  } catch {
    // no schedstat: fall back to the coarser ticks
  }
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Wall and CPU time of one cv.fit (and of the server meanwhile), with the tail after the CV's fitFinished. */
async function timeCv(train: Frame, serverPid?: number): Promise<CvTiming> {
  const cv = makeCv(train);
  let [started, finished, cpuStarted, cpuFinished, serverAtFinish] = [0, 0, 0, 0, NaN];
  let [waitStarted, waitFinished] = [0, 0];
  const progress: number[] = [];
  const off = mlEvents.onAny((e) => {
    if (e.uid !== cv.uid) return;
    if (e.type === 'fitStarted') {
      [started, cpuStarted] = [now(), threadCpu(process.pid, process.pid)];
      waitStarted = threadCpu(process.pid, process.pid, 1);
    }
    if (e.type === 'fitFinished') {
      [finished, cpuFinished] = [now(), threadCpu(process.pid, process.pid)];
      waitFinished = threadCpu(process.pid, process.pid, 1);
      if (PHASES && serverPid !== undefined) serverAtFinish = procCpu(serverPid);
    }
    if (e.type === 'fitProgress' && PHASES) progress.push(now());
  });
  const server0 = serverPid === undefined ? NaN : procCpu(serverPid);
  const h0 = helperCpu();
  const [t, c0, m0] = [now(), cpu(), threadCpu(process.pid, process.pid)];
  let model: CrossValidatorModel;
  try {
    model = await cv.fit(train);
  } finally {
    off();
  }
  const [end, c1, m1] = [now(), cpu(), threadCpu(process.pid, process.pid)];
  const h1 = helperCpu();
  if (PHASES) {
    // fold by fold (12 trials each), then the refit: where a logged fit loses its time
    const marks = [started, progress[11]!, progress[23]!, progress[35]!, finished];
    const ms = marks.slice(1).map((m, i) => ((m - marks[i]!) * 1000).toFixed(0));
    const stamp = (x: number): string => ((performance.timeOrigin + x * 1000) % 1e5).toFixed(1);
    console.error(
      `phases (ms): folds ${ms.slice(0, 3).join(' / ')}, refit ${ms[3]} — ${serverPid ? 'logged' : 'plain'}; fitFinished at ${stamp(finished)}, returned at ${stamp(end)}` +
        (serverPid
          ? `; server CPU after fitFinished ${((procCpu(serverPid) - serverAtFinish) * 1000).toFixed(1)} ms, caller's ${((m1 - cpuFinished) * 1000).toFixed(1)} ms`
          : ''),
    );
  }
  return {
    s: end - t,
    tail: end - finished,
    head: started - t,
    inner: finished - started,
    innerCpu: cpuFinished - cpuStarted,
    innerWait: waitFinished - waitStarted,
    cpu: c1 - c0,
    mainCpu: m1 - m0,
    lowCpu: h1[0] - h0[0],
    restCpu: h1[1] - h0[1],
    serverCpu: serverPid === undefined ? NaN : procCpu(serverPid) - server0,
    model,
  };
}

/**
 * A distribution-free ~95 % confidence interval for the median: the k-th smallest and k-th largest of n
 * values, k the largest with P(Binomial(n, ½) < k) ≤ 2.5 % (Conover, Practical Nonparametric Statistics,
 * §3.2). Falls back to the extremes for fewer than 6 values.
 */
function medianInterval(xs: number[]): [number, number] {
  const v = [...xs].sort((a, b) => a - b);
  const n = v.length;
  let k = 0;
  let cdf = 0;
  let p = 0.5 ** n; // P(X = 0)
  for (let j = 0; j < n; j++) {
    cdf += p;
    if (cdf > 0.025) break;
    k = j + 1;
    p = (p * (n - j)) / (j + 1);
  }
  k = Math.max(k, 1);
  return [v[k - 1]!, v[n - k]!];
}

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

/**
 * The machine's CPU time so far from /proc/stat's first line, in clock ticks: [all, idle + iowait, steal]
 * (steal: time the hypervisor ran someone else while this VM wanted a core); undefined without /proc.
 */
function machineTicks(): [number, number, number] | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return undefined;
    return [f.reduce((a, b) => a + b, 0), f[3]! + f[4]!, f[7]!];
  } catch {
    return undefined;
  }
}

/** Set when the bench stops the server itself (any other exit is reported at once). */
let stoppingServer = false;

/** Starts `cauce server` (the built command, as `npx cauce server`) on a free port; resolves with its URL. */
function spawnServer(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const cli = new URL('../packages/cli/bin/cauce.js', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      // BENCH_SERVER_NODE_ARGS: Node flags for the server (diagnosis: --cpu-prof, --trace-gc …)
      ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      cli,
      'server',
      '--port',
      '0',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--artifacts-destination',
      join(dir, 'artifacts'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      if (process.env.BENCH_SERVER_NODE_ARGS) process.stderr.write(b); // e.g. --trace-gc's lines
      out += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once('exit', (code, signal) => {
      // before it listens: a start-up error; afterwards: say so at once (the logged fits would only warn)
      const why = `cauce server exited with ${code ?? signal}: ${out}`;
      reject(new Error(why));
      if (!stoppingServer) console.error(why);
    });
  });
}

interface Peer {
  version: string;
  numpy: string;
  fit_s: number;
  mean_rmse: number[];
  best_alpha: number;
}

function runPeer(): Peer {
  const peerRun = spawnSync(
    '/usr/bin/python3',
    [
      new URL('./peers/tuning_sklearn.py', import.meta.url).pathname,
      '--data',
      FILE,
      '--alphas',
      ALPHAS.join(','),
      '--repeat',
      String(REPEAT),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (peerRun.status !== 0) throw new Error(`sklearn peer failed: ${peerRun.stderr}`);
  return JSON.parse(peerRun.stdout) as Peer;
}

async function main(): Promise<void> {
  const peer = SKIP_PEER ? undefined : runPeer();
  const raw = await readFrame(FILE);
  const tr = raw.take(trainIndices(raw.numRows));
  const prep = await (await preprocessing().fit(tr)).transform(tr);
  const n = prep.numRows;
  const train = prep
    .select('features', 'target')
    .withColumn('fold', int32Column(Int32Array.from({ length: n }, (_, i) => i % 3)));

  // a real `cauce server` in its own process, as a user runs it
  const dir = await mkdtemp(join(os.tmpdir(), 'cauce-bench-tuning-'));
  const server = await spawnServer(dir);
  const plainRuns: CvTiming[] = [];
  const loggedRuns: CvTiming[] = [];
  const machine: { before?: [number, number, number]; after?: [number, number, number] } = {};
  let background: { caller: number; flushed: number } | undefined;
  try {
    _resetFluentState();
    setTrackingUri(server.url);
    await setExperiment('bench-tuning');
    // plain and logged fits alternate, so each pair sees the same machine load; the order within a pair
    // alternates too (P L, L P, P L, …: a balanced crossover), so that what one fit leaves behind for the
    // next (garbage, the server's writes, a thread's compile) falls on plain and logged fits alike
    const plainFit = async (): Promise<CvTiming> => {
      disableAutolog();
      return timeCv(train);
    };
    const loggedFit = async (): Promise<CvTiming> => {
      autolog({ silent: false, ...(JSON.parse(process.env.AUTOLOG_OPTS ?? '{}') as object) });
      return timeCv(train, server.child.pid!);
    };
    machine.before = machineTicks();
    for (let r = 0; r < PAIRS; r++) {
      if (r % 2 === 0) {
        plainRuns.push(await plainFit());
        loggedRuns.push(await loggedFit());
      } else {
        loggedRuns.push(await loggedFit());
        plainRuns.push(await plainFit());
      }
    }
    machine.after = machineTicks();
    // the same with async logging: what the caller waits for, and when everything has landed
    disableAutolog();
    autolog({ silent: false, async: true });
    const a = await timeCv(train);
    const t = now();
    await flushAutolog();
    background = { caller: a.tail, flushed: a.tail + (now() - t) };
  } finally {
    disableAutolog();
    if (server.child.exitCode === null && server.child.signalCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      stoppingServer = true;
      server.child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
  const pairs = loggedRuns.map((l, i) => ({ l, p: plainRuns[i]! }));
  const plain = [...plainRuns].sort((x, y) => x.s - y.s)[Math.floor(plainRuns.length / 2)]!;

  const ours = plain.model.avgMetrics;
  const bestOurs = ALPHAS[plain.model.bestIndex]!;
  console.log(`# bench:tuning — CrossValidator vs GridSearchCV (reg_100k, ${n} train rows, 252 features)\n`);
  console.log(
    `machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, Node ${process.version}; ${peer ? `scikit-learn ${peer.version} (numpy ${peer.numpy})` : 'peer skipped (--skip-peer)'}; Cauce: median of ${PAIRS} plain fits; scikit-learn: median of ${REPEAT}\n`,
  );
  console.log('| what | Cauce (s) | scikit-learn (s) | ratio (peer / ours) | note |');
  console.log('|---|---:|---:|---:|---|');
  if (peer) {
    const maxRel = Math.max(...ours.map((v, i) => Math.abs(v - peer.mean_rmse[i]!) / peer.mean_rmse[i]!));
    console.log(
      `| CV 3 folds × 12 maps + refit (LinearRegression / Ridge) | ${plain.s.toFixed(3)} | ${peer.fit_s.toFixed(3)} | ${(peer.fit_s / plain.s).toFixed(2)}× | same folds (i % 3) and grid; max rel. diff of mean fold RMSE ${maxRel.toExponential(2)}; best alpha ${bestOurs.toPrecision(3)} vs ${peer.best_alpha.toPrecision(3)} |`,
    );
  } else {
    console.log(
      `| CV 3 folds × 12 maps + refit (LinearRegression / Ridge) | ${plain.s.toFixed(3)} | — | — | best alpha ${bestOurs.toPrecision(3)}; ${plain.cpu.toFixed(2)} s CPU |`,
    );
  }
  const logged = [...loggedRuns].sort((x, y) => x.s - y.s)[Math.floor(loggedRuns.length / 2)]!;
  const plainWall = median(plainRuns.map((r) => r.s));
  const plainCpu = median(plainRuns.map((r) => r.cpu));
  const diffs = pairs.map(({ l, p }) => l.s - p.s);
  const overhead = median(diffs);
  const [ciLo, ciHi] = medianInterval(diffs);
  const tail = median(loggedRuns.map((r) => r.tail));
  const head = median(loggedRuns.map((r) => r.head));
  const slowdown = median(pairs.map(({ l, p }) => l.inner - p.inner));
  const slowdownCpu = median(pairs.map(({ l, p }) => l.innerCpu - p.innerCpu));
  const slowdownWait = median(pairs.map(({ l, p }) => l.innerWait - p.innerWait));
  const cpuShare = median(pairs.map(({ l, p }) => (l.cpu - p.cpu + l.serverCpu) / p.cpu));
  const mainCpu = median(pairs.map(({ l, p }) => l.mainCpu - p.mainCpu));
  const otherCpu = median(pairs.map(({ l, p }) => l.cpu - l.mainCpu - (p.cpu - p.mainCpu)));
  const lowCpu = median(pairs.map(({ l, p }) => l.lowCpu - p.lowCpu));
  const restCpu = median(pairs.map(({ l, p }) => l.restCpu - p.restCpu));
  const serverCpu = median(loggedRuns.map((r) => r.serverCpu));
  const fmtS = (x: number): string => `${x >= 0 ? '' : '−'}${Math.abs(x).toFixed(3)}`;
  console.log(
    `| same CV under autolog() (blocking, cauce server process, SQLite) | ${logged.s.toFixed(3)} | — | — | overhead until the run is completely recorded: **${((overhead / plainWall) * 100).toFixed(1)} %** of the plain fit, ${fmtS(overhead)} s (median of ${pairs.length} paired differences; 95 % CI ${((ciLo / plainWall) * 100).toFixed(1)} … ${((ciHi / plainWall) * 100).toFixed(1)} %). Of which: before the fit proper ${head.toFixed(3)} s, the fit proper slower by ${fmtS(slowdown)} s (its thread's CPU ${fmtS(slowdownCpu)} s, its wait for a core ${fmtS(slowdownWait)} s), after it ${tail.toFixed(3)} s (medians). CPU: ${(cpuShare * 100).toFixed(1)} % of the plain fit's ${plainCpu.toFixed(2)} s (fit's thread ${fmtS(mainCpu)} s, other threads ${fmtS(otherCpu)} s: the logging and plot threads ${fmtS(lowCpu)} s, V8's and libuv's helpers ${fmtS(restCpu)} s; server ${serverCpu.toFixed(3)} s). Target < 5 %. Dataset input, params, 12 child runs, metrics, model dir + profile, 3 SVG plots |`,
  );
  if (background) {
    console.log(
      `| same CV under autolog({ async: true }) | — | — | — | the caller waits ${background.caller.toFixed(3)} s after the fit proper = ${((background.caller / plainWall) * 100).toFixed(1)} % of the plain fit; everything recorded ${background.flushed.toFixed(2)} s after the fit |`,
    );
  }
  console.log(
    `\nLoad average while measuring: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' / ',
      )} on ${os.cpus().length} cores. The autolog overhead is the paired wall difference (logged − plain, alternating fits, the order within a pair alternating too); it grows with the load (the logging thread and the server need the second core), its CPU share does not.`,
  );
  // how busy the machine was, and how much of its time the hypervisor gave to other guests (steal): the
  // overhead measured on a quiet host and on a busy one differ by more than the intervals say
  const { before, after } = machine;
  if (before && after) {
    const all = after[0] - before[0];
    const steal = (after[2] - before[2]) / all;
    const busy = 1 - (after[1] - before[1]) / all - steal;
    console.log(
      `While the pairs ran: the machine's cores ${(busy * 100).toFixed(0)} % busy (all processes), ${(steal * 100).toFixed(1)} % of their time stolen by the hypervisor.`,
    );
  }
  // the crossover's two orders apart: a large gap between them says one fit's leftovers weigh on the next
  const byOrder = (first: number): string => {
    const d = diffs.filter((_, i) => i % 2 === first);
    return d.length > 0
      ? `${((median(d) / plainWall) * 100).toFixed(1)} % (${d.length} pair${d.length === 1 ? '' : 's'})`
      : '—';
  };
  console.log(`Overhead by order within the pair: plain first ${byOrder(0)}, logged first ${byOrder(1)}.`);
  // every pair, so a noisy median can be told from a real overhead
  console.log(
    `Pairs (plain s / logged s / tail s): ${pairs.map(({ l, p }) => `${p.s.toFixed(2)}/${l.s.toFixed(2)}/${l.tail.toFixed(2)}`).join(', ')}`,
  );
}

await main();
