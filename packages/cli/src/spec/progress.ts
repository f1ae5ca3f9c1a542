/**
 * Progress of `cauce train` / `cauce tune` on stderr, fed by ml's `mlEvents` (the library's hooks, the
 * same ones autolog listens to): for tuning, trials done / total, the best metric so far, elapsed and
 * ETA; for a single fit, the pipeline stage being fitted and its iterations. On a terminal it is a
 * cli-progress bar redrawn in place (as `cauce ingest` draws its own); otherwise (CI logs, pipes) plain
 * lines: the first trial, then at most one a second, and the last.
 */
import cliProgress from 'cli-progress';
import { mlEvents } from '@cauce/ml';

export interface ProgressOptions {
  enabled: boolean;
  /** Draw a bar in place (stderr is a terminal) instead of printing lines. */
  tty: boolean;
  /** Minimum time between plain lines (ms). */
  lineIntervalMs?: number;
  write?: (line: string) => void;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(4) : x.toPrecision(6).replace(/\.?0+$/, '');
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)}s`
    : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** Plain lines or an in-place bar; `show(text, done, total)` is the one call both answer. */
class View {
  private drawn: cliProgress.SingleBar | undefined;
  private lastLine = -Infinity;
  private lastText = '';
  readonly started = performance.now();

  constructor(
    private readonly o: ProgressOptions,
    /** What the bar counts ('trials', 'stages'); the bar shows done/total itself, so texts omit it there. */
    private readonly unit: string,
  ) {}

  get bar(): boolean {
    return this.o.tty;
  }

  elapsed(): number {
    return performance.now() - this.started;
  }

  show(text: string, done: number, total: number, force = false): void {
    if (!this.o.enabled) return;
    if (this.o.tty) {
      if (!this.drawn) {
        this.drawn = new cliProgress.SingleBar(
          {
            format: ` {bar} {value}/{total} ${this.unit} | {text}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        this.drawn.start(Math.max(total, 1), done, { text });
      } else {
        this.drawn.setTotal(Math.max(total, 1));
        this.drawn.update(done, { text });
      }
      return;
    }
    const now = performance.now();
    if (!force && now - this.lastLine < (this.o.lineIntervalMs ?? 1000)) {
      this.lastText = text;
      return;
    }
    this.lastLine = now;
    this.lastText = '';
    (this.o.write ?? ((l: string) => process.stderr.write(l)))(`${text}\n`);
  }

  stop(): void {
    if (this.drawn) this.drawn.stop();
    else if (this.lastText !== '' && this.o.enabled)
      (this.o.write ?? ((l: string) => process.stderr.write(l)))(`${this.lastText}\n`);
    this.lastText = '';
  }
}

export interface TuneProgressInput {
  validatorUid: string;
  totalTrials: number;
  metricName: string;
  larger: boolean;
}

/** Listens to the validator's per-trial `fitProgress` events until `stop()`. */
export function tuneProgress(o: ProgressOptions, t: TuneProgressInput): { stop(): void } {
  const view = new View(o, 'trials');
  const sums = new Map<number, { sum: number; n: number }>();
  let done = 0;
  let best = NaN;
  let firstAt = 0;
  const text = (): string => {
    const el = view.elapsed();
    // the first trial carries the start-up (worker threads, first compile): rate from the trials after it
    const eta =
      done > 1 && done < t.totalTrials
        ? seconds(((el - firstAt) / (done - 1)) * (t.totalTrials - done))
        : '-';
    const phase = done >= t.totalTrials ? 'refit best' : 'tuning';
    const count = view.bar ? '' : ` | trial ${done}/${t.totalTrials}`;
    return `${phase}${count} | best ${t.metricName} ${Number.isNaN(best) ? '-' : fmt(best)} | elapsed ${seconds(el)} | ETA ${eta}`;
  };
  const off = mlEvents.on('fitProgress', (e) => {
    if (e.uid !== t.validatorUid) return;
    const paramIndex = e.metrics?.paramIndex;
    const metric = e.metrics?.metric;
    done = e.iteration;
    if (done === 1) firstAt = view.elapsed();
    if (paramIndex !== undefined && metric !== undefined) {
      const s = sums.get(paramIndex) ?? { sum: 0, n: 0 };
      s.sum += metric;
      s.n++;
      sums.set(paramIndex, s);
      // the best average so far over the maps' finished folds
      best = NaN;
      for (const { sum, n } of sums.values()) {
        const m = sum / n;
        if (Number.isNaN(best) || (t.larger ? m > best : m < best)) best = m;
      }
    }
    view.show(text(), done, t.totalTrials, done === 1 || done === t.totalTrials);
  });
  view.show(text(), 0, t.totalTrials, true);
  return {
    stop() {
      off();
      view.stop();
    },
  };
}

/** Shows which stage of the pipeline is being fitted and its iterations (`cauce train`). */
export function trainProgress(o: ProgressOptions, pipelineUid: string, numStages: number): { stop(): void } {
  const view = new View(o, 'estimators');
  let stage = 0;
  const where = (): string => (view.bar ? '' : ` (stage ${stage}/${numStages})`);
  let current = '';
  let currentUid = '';
  const offs = [
    mlEvents.on('fitStarted', (e) => {
      if (e.parentUid !== pipelineUid) return;
      stage++;
      current = e.className;
      currentUid = e.uid;
      view.show(
        `fitting ${current}${where()} | elapsed ${seconds(view.elapsed())}`,
        stage - 1,
        numStages,
        true,
      );
    }),
    mlEvents.on('fitProgress', (e) => {
      if (e.uid !== currentUid) return;
      const loss = Number.isNaN(e.loss) ? '' : ` | loss ${fmt(e.loss)}`;
      view.show(
        `fitting ${current}${where()} | iteration ${e.iteration}${loss} | elapsed ${seconds(view.elapsed())}`,
        stage - 1,
        numStages,
      );
    }),
  ];
  return {
    stop() {
      for (const off of offs) off();
      view.stop();
    },
  };
}
