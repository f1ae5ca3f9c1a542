/**
 * Where autolog's recorder draws its plots. On the logging thread: on plot threads of their own
 * (plot-worker.ts), so the logging thread stays free to send requests and read answers while a plot is
 * drawn, and the drawing runs beside them (issue 8: blocking autolog overhead). Two lanes by default: the
 * plots of a fitted model (a residual scatter and a coefficient chart, say) are drawn at the same time when
 * the fit is over, while the caller's thread is idle. On the caller's thread (`autolog({ worker: false })`,
 * or when no thread can be started), in place. A plot thread that fails hands its plots back to in-place
 * drawing; nothing is lost.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@cauce/ml';
import { figureToSvg, type VegaLiteSpec } from '../figures.js';
import type { PlotAnswer } from './plot-worker.js';

export type Draw = (spec: VegaLiteSpec) => Promise<string>;

/** Draws in place (the caller's thread, or a fallback). */
export const drawInPlace: Draw = figureToSvg;

interface Pending {
  spec: VegaLiteSpec;
  resolve: (svg: string) => void;
  reject: (e: Error) => void;
}

interface Lane {
  worker: Worker;
  pending: Map<number, Pending>;
}

export class PlotThread {
  private readonly lanes: Lane[] = [];
  private broken = false;
  private nextId = 1;

  /**
   * `lanes`: plot threads at most (each holds its own Vega, ~75 MB of memory); the next one starts once the previous
   * one has warmed up, so their start-up never takes both cores. `module`: the worker module beside this
   * file (tests name a missing one to see the fallback).
   */
  constructor(
    private readonly onWarn: (message: string) => void,
    private readonly maxLanes = 2,
    private readonly module = 'plot-worker',
  ) {}

  /** Starts the first thread now (its Vega import and warm-up overlap the fit); the others follow it. */
  warm(): void {
    this.lane();
  }

  readonly draw: Draw = (spec) => {
    const lane = this.lane();
    if (!lane) return drawInPlace(spec);
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      lane.pending.set(id, { spec, resolve, reject });
      lane.worker.ref();
      try {
        lane.worker.postMessage({ id, spec });
      } catch {
        // a spec that cannot be cloned (a function in it): drawn here, as Vega would see it
        lane.pending.delete(id);
        this.idle(lane);
        drawInPlace(spec).then(resolve, reject);
      }
    });
  };

  /** The lane with the fewest plots waiting (starting the first one if none runs yet). */
  private lane(): Lane | undefined {
    if (this.broken) return undefined;
    if (this.lanes.length === 0 && !this.start()) return undefined;
    let best = this.lanes[0]!;
    for (const l of this.lanes) if (l.pending.size < best.pending.size) best = l;
    return best;
  }

  private start(): boolean {
    let worker: Worker;
    try {
      worker = startModuleWorker(import.meta.url, this.module);
    } catch (err) {
      this.fail(err);
      return false;
    }
    const lane: Lane = { worker, pending: new Map() };
    worker.on('message', (m: PlotAnswer | { warm: true }) => {
      if (!('id' in m)) {
        // warm: the next lane may start
        if (!this.broken && this.lanes.length < this.maxLanes) this.start();
        return;
      }
      const p = lane.pending.get(m.id);
      if (!p) return;
      lane.pending.delete(m.id);
      this.idle(lane);
      if ('svg' in m) p.resolve(m.svg);
      else p.reject(new Error(m.error));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (this.lanes.includes(lane)) this.fail(new Error(`it exited with code ${code}`));
    });
    worker.unref();
    this.lanes.push(lane);
    return true;
  }

  private idle(lane: Lane): void {
    if (lane.pending.size === 0) lane.worker.unref();
  }

  /** A plot thread failed: the pending plots of every lane, and every later one, are drawn in place. */
  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    const lanes = this.lanes.splice(0);
    this.onWarn(
      `the plot thread failed (${(err as Error)?.message ?? String(err)}); plots are drawn on the logging thread`,
    );
    for (const lane of lanes) {
      void lane.worker.terminate().catch(() => undefined);
      for (const p of lane.pending.values()) drawInPlace(p.spec).then(p.resolve, p.reject);
      lane.pending.clear();
    }
  }
}
