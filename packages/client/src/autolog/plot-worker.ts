/**
 * Entry of autolog's plot thread (plot-thread.ts starts it from the logging thread): Vega-Lite specs in,
 * SVG text out. Drawing is synchronous CPU work (a 500-point scatter is ~10–30 ms); done here, it no longer
 * holds up the logging thread's requests, and it runs beside them on the machine's other core (issue 8:
 * the plots that need the fitted model are drawn while the model's files are being uploaded).
 * Vega is imported and its code warmed as the thread starts, while the caller's fit is still running.
 */
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '@cauce/ml';
import { figureToSvg, type VegaLiteSpec } from '../figures.js';
import {
  confusionMatrixPlot,
  metricPerParamPlot,
  prPlot,
  RESIDUAL_POINTS,
  residualsPlot,
  rocPlot,
  weightsPlot,
} from './plots.js';

export interface PlotRequest {
  id: number;
  spec: VegaLiteSpec;
}
export type PlotAnswer = { id: number; svg: string } | { id: number; error: string };

// background work: when it competes with the fit for a core, the fit gets the larger share
if (process.env.CAUCE_LOG_NICE !== '0') lowerThreadPriority(Number(process.env.CAUCE_LOG_NICE ?? 10));
const port = parentPort;
if (!port) throw new Error('plot-worker.ts runs as a worker thread (started by autolog)');

/** Requests wait for the warm-up (one plot at a time: each is drawn in full before the next). */
let queue: Promise<unknown> = Promise.resolve();

port.on('message', (m: PlotRequest) => {
  queue = queue.then(async () => {
    try {
      port.postMessage({ id: m.id, svg: await figureToSvg(m.spec) } satisfies PlotAnswer);
    } catch (err) {
      port.postMessage({ id: m.id, error: (err as Error)?.message ?? String(err) } satisfies PlotAnswer);
    }
  });
});

/**
 * Vega's code runs several times slower the first times than once optimised: each kind of plot is drawn
 * a few times, the residual scatter at its full RESIDUAL_POINTS (its per-point code is what is hot), one per
 * event-loop turn so that a real request is never kept waiting long. Failures here are not reported: the
 * real plots report theirs.
 */
function warmUpSpecs(): VegaLiteSpec[] {
  const n = RESIDUAL_POINTS;
  const x = Array.from({ length: n }, (_, i) => (i * 37) % 101);
  const y = x.map((v, i) => v + ((i * 13) % 7) - 3);
  const scatter = residualsPlot(y, x, { ofRows: 10 * n });
  const coefficients = weightsPlot(
    x.slice(0, 40).map((v) => v / 50 - 1),
    'Coefficients',
    x.slice(0, 40).map((_, i) => `f${i}`),
  );
  return [
    scatter,
    coefficients,
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
    scatter,
    coefficients,
    scatter,
  ];
}

queue = queue.then(async () => {
  for (const spec of warmUpSpecs()) {
    await new Promise<void>((r) => setImmediate(r));
    await figureToSvg(spec).catch(() => undefined);
  }
  // warm: the next plot thread may start (plot-thread.ts)
  port.postMessage({ warm: true });
});
