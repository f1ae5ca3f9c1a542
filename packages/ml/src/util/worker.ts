import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` that sits beside the calling module (`base` = its `import.meta.url`):
 * `name.js` when running built code, `name.ts` under tsx (tests, benches and `--conditions=source`), where
 * the worker needs tsx's loader registered before it imports the module (STACK.md, worker threads).
 * Workers inherit the process's flags; `--input-type` (a `node -e` script) is refused for a module entry,
 * so it is left out.
 */
export function startModuleWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  const ts = base.endsWith('.ts');
  const url = new URL(`./${name}.${ts ? 'ts' : 'js'}`, base);
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (!ts) return new Worker(url, { execArgv, ...options });
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`,
    { execArgv, ...options, eval: true },
  );
}
