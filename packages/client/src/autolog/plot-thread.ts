/**
 * Where autolog's recorder draws its plots. On the logging thread: on a plot thread of its own
 * (plot-worker.ts), so the logging thread stays free to send requests and read answers while a plot is
 * drawn, and the drawing runs beside them (issue 8: blocking autolog overhead). On the caller's thread
 * (`autolog({ worker: false })`, or when no thread can be started), in place. A plot thread that fails
 * hands its plots back to in-place drawing; nothing is lost.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@cauce/ml';
import { figureToSvg, type VegaLiteSpec } from '../figures.js';
import type { PlotAnswer } from './plot-worker.js';

export type Draw = (spec: VegaLiteSpec) => Promise<string>;

/** Draws in place (the caller's thread, or a fallback). */
export const drawInPlace: Draw = figureToSvg;

export class PlotThread {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { spec: VegaLiteSpec; resolve: (svg: string) => void; reject: (e: Error) => void }
  >();

  /** `module`: the worker module beside this file (tests name a missing one to see the fallback). */
  constructor(
    private readonly onWarn: (message: string) => void,
    private readonly module = 'plot-worker',
  ) {}

  /** Starts the thread now (its Vega import and warm-up overlap the fit). */
  warm(): void {
    this.ensure();
  }

  readonly draw: Draw = (spec) => {
    const w = this.ensure();
    if (!w) return drawInPlace(spec);
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { spec, resolve, reject });
      w.ref();
      try {
        w.postMessage({ id, spec });
      } catch {
        // a spec that cannot be cloned (a function in it): drawn here, as Vega would see it
        this.pending.delete(id);
        this.idle();
        drawInPlace(spec).then(resolve, reject);
      }
    });
  };

  private ensure(): Worker | undefined {
    if (this.worker || this.broken) return this.worker;
    try {
      const w = startModuleWorker(import.meta.url, this.module);
      w.on('message', (m: PlotAnswer | { ready: true }) => {
        if (!('id' in m)) return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.idle();
        if ('svg' in m) p.resolve(m.svg);
        else p.reject(new Error(m.error));
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (this.worker === w) this.fail(new Error(`it exited with code ${code}`));
      });
      w.unref();
      this.worker = w;
      return w;
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  private idle(): void {
    if (this.pending.size === 0) this.worker?.unref();
  }

  /** The thread failed: its pending plots, and every later one, are drawn in place. */
  private fail(err: unknown): void {
    const w = this.worker;
    this.worker = undefined;
    this.broken = true;
    if (w) void w.terminate().catch(() => undefined);
    this.onWarn(
      `the plot thread failed (${(err as Error)?.message ?? String(err)}); plots are drawn on the logging thread`,
    );
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) drawInPlace(p.spec).then(p.resolve, p.reject);
  }
}
