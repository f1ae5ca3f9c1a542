/**
 * Tuning trials on worker threads. Fits of our estimators are synchronous JavaScript, so trials only run
 * side by side on separate threads: each worker gets the estimator (ml's save format, in memory), the
 * evaluator, the param maps, the frame's column storage and the row splits once, then is handed
 * (split, map) pairs as it finishes them and answers with the metric. The best map is refitted on the main
 * thread as usual. Anything a worker cannot rebuild (a stage class registered only in the caller's code,
 * an unregistered evaluator) makes this return false, and the trials run on the main thread instead.
 */
import type { Worker } from 'node:worker_threads';
import type { Frame } from '@cauce/frame';
import { encodeStage } from '../io/format.js';
import type { ParamMap } from '../param/param.js';
import type { Estimator } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { startModuleWorker } from '../util/worker.js';
import { encodeEvaluator, type TuningEvaluator } from './evaluator-ref.js';
import { packFrame, unpackFrame, type WireColumn } from './frame-transfer.js';

export interface WorkerTrialsInput {
  owner: string;
  estimator: Estimator;
  evaluator: TuningEvaluator;
  maps: readonly ParamMap[];
  frame: Frame;
  splits: Array<{ train: Int32Array; validation: Int32Array }>;
  threads: number;
  /** Per split, the positions of the validation rows whose predictions come back with each trial's metric. */
  samples?: Int32Array[] | undefined;
  onTrial: (split: number, map: number, metric: number, sample: Frame | undefined) => void;
}

function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'trial-worker');
}

type Reply =
  | { type: 'ready' }
  | { type: 'unsupported'; code?: string; message: string }
  | { type: 'result'; split: number; map: number; metric: number; sample?: WireColumn[] }
  | { type: 'error'; split: number; map: number; code?: string; message: string };

/** Runs every (split, map) trial on `threads` workers; false when the work cannot be shipped to workers. */
export async function runTrialsOnWorkers(input: WorkerTrialsInput): Promise<boolean> {
  let init: object;
  try {
    init = {
      type: 'init',
      bundle: [...encodeStage(input.estimator)],
      evaluator: encodeEvaluator(input.evaluator, input.owner),
      maps: input.maps.map((m) =>
        m.entries().map(({ param, value }) => ({ stage: param.parent, param: param.name, value })),
      ),
      frame: packFrame(input.frame),
      splits: input.splits,
      samples: input.samples,
    };
  } catch {
    return false; // an unregistered stage or evaluator: not shippable
  }
  const queue: Array<[number, number]> = [];
  for (let s = 0; s < input.splits.length; s++)
    for (let m = 0; m < input.maps.length; m++) queue.push([s, m]);
  const count = Math.max(1, Math.min(input.threads, queue.length));
  const workers = Array.from({ length: count }, startWorker);
  try {
    return await new Promise<boolean>((resolve, reject) => {
      let pending = queue.length;
      let ready = 0;
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        fn();
      };
      const next = (w: Worker): void => {
        const t = queue.shift();
        if (t) w.postMessage({ type: 'trial', split: t[0], map: t[1] });
      };
      for (const w of workers) {
        w.on('error', (err) => finish(() => reject(err)));
        w.on('message', (r: Reply) => {
          if (r.type === 'unsupported') {
            finish(() => resolve(false));
          } else if (r.type === 'ready') {
            ready++;
            next(w);
          } else if (r.type === 'result') {
            input.onTrial(r.split, r.map, r.metric, r.sample ? unpackFrame(r.sample) : undefined);
            if (--pending === 0) finish(() => resolve(true));
            else next(w);
          } else {
            const code = (r.code ?? 'INVALID_DATA') as ConstructorParameters<typeof MLError>[0];
            finish(() =>
              reject(
                new MLError(
                  code,
                  `${input.owner}: trial (fold ${r.split}, param map ${r.map}) failed: ${r.message}`,
                ),
              ),
            );
          }
        });
        w.postMessage(init);
      }
      void ready;
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
