/**
 * CAUCE_AUTOLOG_TIMING=1 prints where autolog's time goes, on both threads (to find what to make cheaper;
 * `npm run bench:tuning` with it set shows a fit's timeline). Every line carries a stamp on one clock
 * shared by the threads (ms since the epoch, last five digits), so the caller's and the logging thread's
 * lines can be read as one timeline.
 */
import { readFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';

export const TIMING = Boolean(process.env.CAUCE_AUTOLOG_TIMING);

const who = isMainThread ? 'cauce autolog' : `cauce autolog (thread ${threadId})`;

/** Prints one timing line (only with CAUCE_AUTOLOG_TIMING set). */
export function trace(what: string): void {
  if (!TIMING) return;
  const stamp = ((performance.timeOrigin + performance.now()) % 1e5).toFixed(1).padStart(7);
  console.error(`${stamp} ${who}: ${what}`);
}

export function timedSync<T>(what: string, f: () => T): T {
  if (!TIMING) return f();
  const t = performance.now();
  try {
    return f();
  } finally {
    trace(`${what} ${(performance.now() - t).toFixed(1)} ms`);
  }
}

export async function timed<T>(what: string, p: Promise<T>): Promise<T> {
  if (!TIMING) return p;
  const t = performance.now();
  try {
    return await p;
  } finally {
    trace(`${what} ${(performance.now() - t).toFixed(1)} ms`);
  }
}

/** This thread's CPU time so far in ms (Linux; NaN elsewhere). */
export function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}
