// The Gram pass of gram.ts over worker threads: rows are cut into blocks, block b goes to thread b mod T (the
// main thread is thread 0), each thread accumulates its own padded triangle and the triangles are summed in
// thread order, so the result does not depend on timing (same blocks, same order, same sums every run).
//
// The frame's matrix is an ordinary ArrayBuffer, not shared memory, so a worker gets a copy of each of its
// blocks (transferred, not cloned twice) with at most two blocks in flight per worker: extra memory stays at a
// few megabytes per worker instead of a copy of the matrix. Workers run the kernels' own source
// (denseBlockSource), so there is no separate worker file to resolve under tsx or after compilation.
// Worker threads exist only on Node: node:worker_threads and node:os are imported lazily, on the first parallel
// pass, so the rest of the library stays platform-free; elsewhere, or for small inputs, this falls back to the
// one-thread pass.

import type { Worker } from 'node:worker_threads';
import { augmentedGram, denseBlock, denseBlockSource, mirror, type GramStats } from './gram.js';
import type { Matrix } from './matrix.js';
import { tilesKernel } from './wasm-tiles.js';

/** Below this many entries (n·p) the one-thread pass wins over starting to ship blocks. */
const MIN_PARALLEL_ENTRIES = 4_000_000;
const BLOCK_ROWS = 4096;

let pool: Worker[] = [];

function workerSource(): string {
  return `
const { parentPort } = require('node:worker_threads');
const __name = (f) => f; // esbuild's keepNames helper, in case the kernels' source carries calls to it
${denseBlockSource()}
let kernel = null;
try {
  const bytes = buildTilesModule();
  if (WebAssembly.validate(bytes)) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    kernel = { tiles: inst.exports.tiles, memory: inst.exports.mem };
  }
} catch { kernel = null; }
let g = null, p = 0, qPad = 0;
parentPort.on('message', (m) => {
  if (m.type === 'start') { p = m.p; qPad = m.qPad; g = new Float64Array(qPad * qPad); }
  else if (m.type === 'block') { denseBlock(m.x, p, m.y, m.w, 0, m.rows, g, qPad, kernel); parentPort.postMessage({ type: 'ack' }); }
  else if (m.type === 'finish') { const out = g; g = null; parentPort.postMessage({ type: 'done', g: out }, [out.buffer]); }
});`;
}

interface NodeThreads {
  Worker: typeof Worker;
  cores: number;
}
let node: NodeThreads | null | undefined;

/** node:worker_threads and the core count, or null off Node. */
async function nodeThreads(): Promise<NodeThreads | null> {
  if (node !== undefined) return node;
  try {
    const [wt, os] = await Promise.all([import('node:worker_threads'), import('node:os')]);
    node = { Worker: wt.Worker, cores: os.availableParallelism() };
  } catch {
    node = null;
  }
  return node;
}

function workers(WorkerCtor: typeof Worker, count: number): Worker[] {
  while (pool.length < count) {
    const w = new WorkerCtor(workerSource(), { eval: true });
    w.unref(); // an idle pool must not keep the process alive
    pool.push(w);
  }
  return pool.slice(0, count);
}

/** Stops the pooled workers (tests and long-lived hosts that want a clean exit). */
export async function terminateGramWorkers(): Promise<void> {
  const ws = pool;
  pool = [];
  await Promise.all(ws.map((w) => w.terminate()));
}

/** augmentedGram on `threads` threads (default: the machine's cores, at most 8). */
export async function augmentedGramParallel(
  X: Matrix,
  y: Float64Array | null,
  w: Float64Array | null,
  threads?: number,
): Promise<GramStats> {
  if (X.kind === 'csr' || threads === 1 || X.n * X.p < MIN_PARALLEL_ENTRIES) return augmentedGram(X, y, w);
  const nt = await nodeThreads();
  const want = threads ?? Math.min(nt?.cores ?? 1, 8);
  if (!nt || want < 2) return augmentedGram(X, y, w);
  const { n, p, values: x } = X;
  const q = p + 2;
  const qPad = (q + 3) & ~3;
  const blocks = Math.ceil(n / BLOCK_ROWS);
  const T = Math.min(want, blocks);
  const ws = workers(nt.Worker, T - 1);
  const blockOf = (b: number) => {
    const from = b * BLOCK_ROWS;
    const to = Math.min(n, from + BLOCK_ROWS);
    return { from, to, rows: to - from };
  };
  const results = ws.map(
    (worker, k) =>
      new Promise<Float64Array>((resolve, reject) => {
        const t = k + 1;
        let next = t; // this worker's blocks: t, t+T, t+2T, …
        let inFlight = 0;
        const send = (): void => {
          while (inFlight < 2 && next < blocks) {
            const { from, to, rows } = blockOf(next);
            next += T;
            const bx = x.slice(from * p, to * p);
            const by = y ? y.slice(from, to) : null;
            const bw = w ? w.slice(from, to) : null;
            const transfer = [bx.buffer, ...(by ? [by.buffer] : []), ...(bw ? [bw.buffer] : [])];
            worker.postMessage({ type: 'block', x: bx, y: by, w: bw, rows }, transfer);
            inFlight++;
          }
          if (inFlight === 0 && next >= blocks) worker.postMessage({ type: 'finish' });
        };
        const onMessage = (m: { type: string; g?: Float64Array }): void => {
          if (m.type === 'ack') {
            inFlight--;
            send();
          } else if (m.type === 'done') {
            worker.off('message', onMessage);
            worker.off('error', onError);
            resolve(m.g!);
          }
        };
        const onError = (e: Error): void => {
          worker.off('message', onMessage);
          reject(e);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage({ type: 'start', p, qPad });
        send();
      }),
  );
  // Thread 0 (here): blocks 0, T, 2T, …, yielding between blocks so the workers' acks are answered promptly.
  const g = new Float64Array(qPad * qPad);
  for (let b = 0; b < blocks; b += T) {
    const { from, to } = blockOf(b);
    denseBlock(x, p, y, w, from, to, g, qPad, tilesKernel());
    await new Promise<void>((r) => setImmediate(r));
  }
  const parts = await Promise.all(results);
  for (const part of parts) for (let t = 0; t < g.length; t++) g[t] = g[t]! + part[t]!;
  return mirror(g, p, q, qPad);
}
