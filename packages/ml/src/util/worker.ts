import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The flags a worker gets: the process's own, inherited as Node does by default, unless they hold
 * `--input-type` (a `node -e` script), which a module entry refuses; then they are passed explicitly
 * without it and without the `-e` script. Returns undefined to inherit.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] | undefined {
  if (!execArgv.some((a) => a.startsWith('--input-type'))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === '--input-type' || a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--input-type')) out.push(a);
  }
  return out;
}

/**
 * An explicit `execArgv` may not hold V8 or process-wide flags (`--max-old-space-size`, `--expose-gc` …:
 * they apply to the whole process anyway), and Node says which in ERR_WORKER_INVALID_EXEC_ARGV's message:
 * the worker is started again without them.
 */
function construct(entry: string | URL, options: WorkerOptions): Worker {
  try {
    return new Worker(entry, options);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const listed = /flags: (.*)$/.exec(e.message ?? '')?.[1];
    if (e.code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !listed || !options.execArgv) throw err;
    const refused = new Set(listed.split(', '));
    return new Worker(entry, {
      ...options,
      execArgv: options.execArgv.filter((a) => !refused.has(String(a))),
    });
  }
}

/**
 * Starts the worker module `name` that sits beside the calling module (`base` = its `import.meta.url`):
 * `name.js` when running built code, `name.ts` under tsx (tests, benches and `--conditions=source`), where
 * the worker needs tsx's loader registered before it imports the module (STACK.md, worker threads).
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  const ts = base.endsWith('.ts');
  const url = new URL(`./${name}.${ts ? 'ts' : 'js'}`, base);
  const execArgv = workerExecArgv();
  const flags = execArgv === undefined ? {} : { execArgv };
  if (!ts) return construct(url, { ...flags, ...options });
  return construct(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`,
    { ...flags, ...options, eval: true },
  );
}

/**
 * Lowers the calling thread's scheduling priority (Linux: its own nice value, through the thread id in
 * /proc/thread-self; elsewhere nothing happens). For background threads whose work must not slow down
 * the thread the user waits for: when they compete for a core, the fit gets the larger share. A nice
 * value only goes up without privileges, so this lasts for the thread's life. Returns whether it applied.
 */
export function lowerThreadPriority(nice = 10): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
