/**
 * Entry of autolog's logging thread (logging-thread.ts starts it): messages in, a Recorder does the
 * logging, answers and warnings go back. Vega is imported (and its code warmed) as the thread starts,
 * while the caller is still busy, so the plots at the end of a fit are drawn with warm code.
 */
import { parentPort } from 'node:worker_threads';
import { figureToSvg } from '../figures.js';
import type { ToRecorder } from './messages.js';
import { Recorder } from './recorder.js';
import {
  confusionMatrixPlot,
  metricPerParamPlot,
  prPlot,
  residualsPlot,
  rocPlot,
  weightsPlot,
} from './plots.js';

const port = parentPort;
if (!port) throw new Error('log-worker.ts runs as a worker thread (started by autolog)');
const recorder = new Recorder((m) => port.postMessage(m));
port.on('message', (m: ToRecorder) => {
  try {
    recorder.handle(m);
  } catch (err) {
    port.postMessage({ type: 'warn', message: `logging failed: ${(err as Error)?.message ?? String(err)}` });
  }
});
// the fit's thread replays what it sent should this thread fail before saying it runs
port.postMessage({ type: 'ready' });

/**
 * Vega's code runs ~3× slower the first time in a thread than once warm: one tiny plot of each kind, one
 * per event-loop turn, while the caller has not finished its first fit yet. Failures here are not
 * reported: the real plots report theirs.
 */
async function warmUp(): Promise<void> {
  const specs = [
    residualsPlot([1, 2, 3], [1.1, 1.9, 3.2]),
    weightsPlot([0.5, -0.25], 'Coefficients', ['a', 'b']),
    metricPerParamPlot('p', 'avg_rmse', [
      { value: 0.1, metric: 1, std: 0.1 },
      { value: 1, metric: 0.9, std: 0.1 },
    ]),
    confusionMatrixPlot(
      [0, 1],
      [
        [3, 1],
        [0, 4],
      ],
    ),
    rocPlot(
      [
        { fpr: 0, tpr: 0 },
        { fpr: 1, tpr: 1 },
      ],
      0.5,
    ),
    prPlot([
      { recall: 0, precision: 1 },
      { recall: 1, precision: 0.5 },
    ]),
  ];
  for (const spec of specs) {
    await new Promise<void>((r) => setImmediate(r));
    await figureToSvg(spec).catch(() => undefined);
  }
}
void warmUp();
