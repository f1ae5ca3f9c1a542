// A worker for worker-flags.test.ts: says it runs, with the flags it was given.
import { parentPort } from 'node:worker_threads';

parentPort!.postMessage({ ok: true, execArgv: process.execArgv });
