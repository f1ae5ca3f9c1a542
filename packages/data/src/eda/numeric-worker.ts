// Worker side of the EDA pool: numeric column statistics off the main thread.
import { parentPort } from 'node:worker_threads';
import { numericStats } from './stats.js';

parentPort?.on('message', (msg: { id: number; values: Float64Array }) => {
  try {
    parentPort!.postMessage({ id: msg.id, stats: numericStats(msg.values) });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
