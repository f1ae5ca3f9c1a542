// A worker for worker-flags.test.ts: lowers its own priority and reports it, with its thread id.
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../../src/util/worker.js';

const applied = lowerThreadPriority(workerData as number);
const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
parentPort!.postMessage({ applied, tid, nice: os.getPriority(tid) });
