/**
 * autolog's logging thread, seen from the fit's thread. Our fits are synchronous JavaScript on the
 * caller's thread, which reads no HTTP answer until the fit is over; the machine's other core is idle
 * during a parallelism=1 fit. So the recording (recorder.ts) runs on a worker thread that receives plain
 * messages as the fit goes — the run to open and its params when it starts, each trial's metric, the
 * result when it ends — and does the requests, the training profile and the SVG plots while the fit
 * runs; the caller waits only for the tail (issue 8: blocking autolog overhead, measured by
 * bench:tuning). If the thread cannot start or dies, the same Recorder runs on this thread instead (a
 * warning says so), so nothing is lost; `autolog({ worker: false })` asks for that from the start.
 *
 * The thread keeps the process alive only while a recording is pending (a script that exits right after
 * an async-autologged fit still gets its run recorded), and is started once per process.
 */
import { Worker } from 'node:worker_threads';
import { startModuleWorker } from '@cauce/ml';
import type { MlflowClient } from '../client.js';
import type { FromRecorder, ToRecorder, WarmPlots } from './messages.js';
import { Recorder } from './recorder.js';

type Done = { runId: string | undefined };

let thread: LoggingThread | undefined;

/** The process's logging thread (started on first use). */
export function loggingThread(): LoggingThread {
  thread ??= new LoggingThread();
  return thread;
}

function startWorker(): Worker {
  return startModuleWorker(import.meta.url, 'log-worker');
}

export class LoggingThread {
  private worker: Worker | undefined;
  private local: Recorder | undefined;
  /** The worker failed once: everything is logged on this thread from then on. */
  private broken = false;
  /** Recordings whose begin could not be posted (uncloneable params): logged on this thread. */
  private readonly localIds = new Set<number>();
  /** The worker has loaded its code (it says so once); until then messages are kept to be replayed. */
  private ready = false;
  private readonly journal: Array<{ m: ToRecorder; client: MlflowClient | undefined }> = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (d: Done) => void>();
  private readonly kills = new Map<number, () => void>();
  /** Where warnings go (autolog's warn, which honours `silent`). */
  onWarn: (message: string) => void = (m) => console.warn(`cauce autolog: ${m}`);

  /** A new recording id; the promise settles when the recorder has finished it (never rejects). */
  open(): { id: number; done: Promise<Done> } {
    const id = this.nextId++;
    const done = new Promise<Done>((resolve) => this.waiting.set(id, resolve));
    this.worker?.ref();
    return { id, done };
  }

  /**
   * Sends a message to the recorder: to the worker, or to the Recorder on this thread when `useWorker` is
   * false or the worker is unavailable. `client` is the caller's client (used as is on this thread);
   * `transfer` lists buffers the message owns, moved to the worker instead of copied.
   */
  send(m: ToRecorder, useWorker: boolean, client?: MlflowClient, transfer: ArrayBuffer[] = []): void {
    if (useWorker && !this.broken && !this.localIds.has(m.id)) {
      try {
        const w = this.ensureWorker();
        if (this.ready) w.postMessage(m, transfer);
        else {
          // copied, not moved, until the worker is known to run: should it fail to start, the messages
          // are replayed on this thread with their data intact
          w.postMessage(m);
          this.journal.push({ m, client });
        }
        return;
      } catch (err) {
        if (!(err instanceof Error && err.name === 'DataCloneError')) this.fallBack(err);
        else if (m.type === 'begin') this.localIds.add(m.id);
        else throw err;
      }
    }
    this.localRecorder().handle(m, client);
  }

  /** Ends every open run of every pending recording KILLED (SIGINT / SIGTERM); resolves when done. */
  kill(): Promise<void> {
    const parts: Array<Promise<void>> = [];
    for (const send of [this.worker, this.local]) {
      if (!send) continue;
      const id = this.nextId++;
      parts.push(new Promise<void>((resolve) => this.kills.set(id, resolve)));
      if (send instanceof Worker) send.postMessage({ type: 'kill', id });
      else send.handle({ type: 'kill', id });
    }
    return Promise.all(parts).then(() => undefined);
  }

  /** Gives up on a recording whose messages could not be sent (its waiters resolve at once). */
  abandon(id: number): void {
    this.receive({ type: 'done', id, runId: undefined });
  }

  /** Recordings not finished yet. */
  get pending(): number {
    return this.waiting.size;
  }

  private receive = (m: FromRecorder): void => {
    if (m.type === 'ready') {
      this.ready = true;
      this.journal.length = 0;
    } else if (m.type === 'warn') this.onWarn(m.message);
    else if (m.type === 'killed') {
      this.kills.get(m.id)?.();
      this.kills.delete(m.id);
    } else {
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker?.unref();
      this.localIds.delete(m.id);
      resolve?.({ runId: m.runId });
    }
  };

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    w.on('message', this.receive);
    w.on('error', (err) => this.fallBack(err));
    w.on('exit', (code) => {
      if (this.worker === w) this.fallBack(new Error(`it exited with code ${code}`));
    });
    this.worker = w;
    if (this.waiting.size === 0) w.unref();
    return w;
  }

  /**
   * The worker failed: everything is logged on this thread from now on. A worker that never started (its
   * code did not load) had done nothing yet, so what it was sent is replayed here; recordings a running
   * worker held may be incomplete, which the warning says.
   */
  private fallBack(err: unknown): void {
    const w = this.worker;
    this.worker = undefined;
    this.broken = true;
    if (w) void w.terminate().catch(() => undefined);
    const local = this.localRecorder();
    const replay = this.ready ? [] : this.journal.splice(0);
    const lost = this.ready ? this.waiting.size : 0;
    this.onWarn(
      `the logging thread failed (${(err as Error)?.message ?? String(err)}); logging on the caller's thread from now on` +
        (lost > 0 ? `; ${lost} fit(s) may be recorded incompletely` : ''),
    );
    for (const { m, client } of replay) local.handle(m, client);
    if (lost > 0)
      for (const [id, resolve] of this.waiting) {
        this.waiting.delete(id);
        resolve({ runId: undefined });
      }
    for (const resolve of this.kills.values()) resolve();
    this.kills.clear();
  }

  private localRecorder(): Recorder {
    this.local ??= new Recorder(this.receive);
    return this.local;
  }

  /**
   * Starts the worker ahead of the first fit (autolog() calls this), so its start-up overlaps other work,
   * and, when `plots`, its plot threads too (otherwise they start with the first plot).
   */
  warm(plots = true): void {
    if (!this.broken) {
      try {
        const w = this.ensureWorker();
        // the plot threads (a Vega each, ~75 MB of memory) start only for a recording that draws
        if (plots) w.postMessage({ type: 'warm-plots' } satisfies WarmPlots);
      } catch (err) {
        this.fallBack(err);
      }
    }
  }
}
