/**
 * Entry of autolog's plot thread (plot-thread.ts starts it from the logging thread): Vega-Lite specs in,
 * SVG text out. Drawing is synchronous CPU work (a 500-point scatter is ~10–30 ms); done here, it no longer
 * holds up the logging thread's requests, and it runs beside them on the machine's other core (issue 8:
 * the plots that need the fitted model are drawn while the model's files are being uploaded).
 * Vega is imported and its code warmed as the thread starts, while the caller's fit is still running.
 */
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '@cauce/ml';
import { TIMING, threadCpuMs, trace } from './timing.js';
import { figureToSvg, type VegaLiteSpec } from '../figures.js';
import {
  confusionMatrixPlot,
  metricPerParamPlot,
  prPlot,
  RESIDUAL_POINTS,
  residualsPlot,
  rocPlot,
  weightsPlot,
  weightsRangePlot,
} from './plots.js';

export interface PlotRequest {
  id: number;
  spec: VegaLiteSpec;
}
export type PlotAnswer = { id: number; svg: string } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('plot-worker.ts runs as a worker thread (started by autolog)');

/** Plots asked for and not drawn yet, in order; drawn one at a time, each before any warm-up plot. */
const queue: PlotRequest[] = [];
/** Set while the queue is being drawn; resolves when it is empty. */
let draining: Promise<void> | undefined;

function drain(): Promise<void> {
  draining ??= (async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      try {
        const cpu = TIMING ? threadCpuMs() : 0;
        const svg = await figureToSvg(m.spec);
        if (TIMING)
          trace(`plot ${m.id} drawn (${(threadCpuMs() - cpu).toFixed(1)} ms of CPU, ${svg.length} bytes)`);
        port!.postMessage({ id: m.id, svg } satisfies PlotAnswer);
      } catch (err) {
        port!.postMessage({ id: m.id, error: (err as Error)?.message ?? String(err) } satisfies PlotAnswer);
      }
    }
  })().finally(() => {
    draining = undefined;
  });
  return draining;
}

port.on('message', (m: PlotRequest) => {
  queue.push(m);
  void drain();
});

/**
 * Vega's code runs several times slower the first times than once optimised: each kind of plot is drawn
 * once, the residual scatter a few times at its full RESIDUAL_POINTS (its per-point code is what is hot).
 * Failures here are not reported: the real plots report theirs.
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
    weightsRangePlot(
      [0, 1, 2].map((k) => x.slice(0, 40).map((v) => v / 50 - 1 + k / 100)),
      'Coefficients',
      undefined,
      'warm-up',
    ),
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

/**
 * The warm-up runs only while no real plot waits: between two warm-up plots (one per event-loop turn)
 * the requests that came in are drawn first, so a fit that ends while this thread is still warming up
 * waits for its own plots only.
 */
async function warmUp(): Promise<void> {
  for (const spec of warmUpSpecs()) {
    await new Promise<void>((r) => setImmediate(r));
    while (draining || queue.length > 0) await drain();
    await figureToSvg(spec).catch(() => undefined);
  }
  // warm: from now on this is background work — when it competes with a fit for a core, the fit gets the
  // larger share (its start-up ran at normal priority, so the first fit's plots do not wait for it);
  // and the next plot thread may start (plot-thread.ts)
  lowerThreadPriority();
  port!.postMessage({ warm: true });
}
void warmUp();
