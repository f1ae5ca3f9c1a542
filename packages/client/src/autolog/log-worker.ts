/**
 * Entry of autolog's logging thread (logging-thread.ts starts it): messages in, a Recorder does the
 * logging, answers and warnings go back. Its plots are drawn on a plot thread it starts (plot-thread.ts).
 */
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '@cauce/ml';
import type { FromRecorder, ToRecorder, WarmPlots } from './messages.js';
import { PlotThread } from './plot-thread.js';
import { Recorder } from './recorder.js';

// background work: when it competes with the fit for a core, the fit gets the larger share
lowerThreadPriority();
const port = parentPort;
if (!port) throw new Error('log-worker.ts runs as a worker thread (started by autolog)');
const post = (m: FromRecorder): void => port.postMessage(m);
// the plots are drawn on threads of their own, started when autolog() says it will draw (so their Vega
// import and warm-up overlap the caller's first fit), else with the first plot
const plots = new PlotThread((message) => post({ type: 'warn', message }));
const recorder = new Recorder(post, plots.draw);
port.on('message', (m: ToRecorder | WarmPlots) => {
  try {
    if (m.type === 'warm-plots') plots.warm();
    else recorder.handle(m);
  } catch (err) {
    port.postMessage({ type: 'warn', message: `logging failed: ${(err as Error)?.message ?? String(err)}` });
  }
});
// the fit's thread replays what it sent should this thread fail before saying it runs
port.postMessage({ type: 'ready' });
