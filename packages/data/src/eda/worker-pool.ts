// A small pool of worker threads for per-column EDA statistics (one sort per column dominates EDA time;
// columns are independent, so on 2 cores the sorts run side by side while the main thread computes the
// correlation matrix). Workers are created on first use and unref'd while idle, so they never keep a
// process alive.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@cauce/ml';
import type { NumericStats } from './stats.js';

interface Job {
  resolve: (s: NumericStats) => void;
  reject: (e: Error) => void;
}

let workers: Worker[] | undefined;
const jobs = new Map<number, Job>();
let nextId = 0;
let turn = 0;

function spawn(): Worker {
  const w = startModuleWorker(import.meta.url, 'numeric-worker');
  w.on('message', (msg: { id: number; stats?: NumericStats; error?: string }) => {
    const job = jobs.get(msg.id);
    if (job === undefined) return;
    jobs.delete(msg.id);
    if (msg.stats !== undefined) job.resolve(msg.stats);
    else job.reject(new Error(msg.error ?? 'worker failed'));
    if (jobs.size === 0) for (const x of workers ?? []) x.unref();
  });
  w.on('error', (e) => {
    for (const [id, job] of jobs) {
      jobs.delete(id);
      job.reject(e);
    }
    workers = undefined;
  });
  w.unref();
  return w;
}

/** Number of workers the pool uses (one per core, at most 4). */
export function poolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** Statistics of `values` computed in a worker (the array is copied, never shared). */
export function statsInWorker(values: Float64Array): Promise<NumericStats> {
  workers ??= Array.from({ length: poolSize() }, spawn);
  const w = workers[turn++ % workers.length]!;
  const id = nextId++;
  const copy = values.slice();
  return new Promise((resolve, reject) => {
    jobs.set(id, { resolve, reject });
    w.ref();
    w.postMessage({ id, values: copy }, [copy.buffer]);
  });
}
