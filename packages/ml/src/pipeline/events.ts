/**
 * Fit and evaluation hooks. `ml` knows nothing of tracking: autolog (client), the CLI's progress bar or a
 * test subscribe here, and every Estimator.fit / Evaluator.evaluate reports through it.
 * A tiny synchronous emitter, platform-free (no node:events), whose listeners cannot break a fit: a
 * listener that throws is reported through `onListenerError` and otherwise ignored.
 */

export interface FitStartedEvent {
  type: 'fitStarted';
  /** uid of the estimator being fitted (the model gets the same uid). */
  uid: string;
  /** Registered class name, e.g. 'LinearRegression'. */
  className: string;
  /** Every param value in effect (defaults included), by name. */
  params: Record<string, unknown>;
  numRows: number;
  /** uid of the enclosing estimator (a Pipeline, a CrossValidator) when the fit is nested. */
  parentUid: string | undefined;
}

export interface FitProgressEvent {
  type: 'fitProgress';
  uid: string;
  className: string;
  /** 1-based iteration (or tree, or epoch) number. */
  iteration: number;
  /** Objective value at this iteration (NaN when the algorithm has none). */
  loss: number;
  /** Extra named numbers (e.g. gradient norm, validation metric). */
  metrics?: Record<string, number> | undefined;
}

export interface FitFinishedEvent {
  type: 'fitFinished';
  uid: string;
  className: string;
  parentUid: string | undefined;
  durationMs: number;
  /** The fitted model (a Model subclass), typed loosely to keep this file free of stage imports. */
  model: unknown;
}

export interface FitFailedEvent {
  type: 'fitFailed';
  uid: string;
  className: string;
  parentUid: string | undefined;
  error: unknown;
}

export interface EvaluatedEvent {
  type: 'evaluated';
  uid: string;
  className: string;
  metricName: string;
  value: number;
  isLargerBetter: boolean;
}

/**
 * A tuning trial scored its validation rows (CrossValidator, TrainValidationSplit): the predictions of the
 * validation rows that are among VALIDATION_SAMPLE_ROWS evenly spaced rows of the validator's frame — over
 * a CrossValidator's folds, each sampled row once, out of fold. Built only while someone listens: autolog
 * draws the tuned model's evaluation plots from the best map's, while the best map is refitted.
 */
export interface ValidationScoredEvent {
  type: 'validationScored';
  /** uid of the validator. */
  uid: string;
  /** The split (fold) and param map of the trial. */
  split: number;
  paramIndex: number;
  /** Row numbers in the validator's frame of the sampled validation rows, ascending. */
  rows: Int32Array;
  /**
   * Those rows as the trial's model transformed them: the label and the model's answer columns
   * (predictionCol, probabilityCol, rawPredictionCol of the estimator's stages and the evaluator), when present.
   */
  predictions: unknown;
  /**
   * The trial's fitted model when the trial ran on this thread (undefined for trials on worker threads):
   * autolog reads the best params' fold models' coefficients from it. Read what you need at once and
   * keep no reference: a model may hold its training rows (for its summary).
   */
  model?: unknown;
}

export type MLEvent =
  | FitStartedEvent
  | FitProgressEvent
  | FitFinishedEvent
  | FitFailedEvent
  | EvaluatedEvent
  | ValidationScoredEvent;
export type MLEventType = MLEvent['type'];
type EventOf<K extends MLEventType> = Extract<MLEvent, { type: K }>;

type Listener = (e: MLEvent) => void;

class MLEvents {
  private readonly listeners = new Map<MLEventType | '*', Set<Listener>>();
  /** Where listener errors go (default: console.warn). */
  onListenerError: (err: unknown, event: MLEvent) => void = (err, event) => {
    console.warn(`cauce ml: a '${event.type}' listener threw:`, err);
  };

  /** Subscribes to one event type; returns the unsubscribe function. */
  on<K extends MLEventType>(type: K, listener: (e: EventOf<K>) => void): () => void {
    return this.add(type, listener as Listener);
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onAny(listener: (e: MLEvent) => void): () => void {
    return this.add('*', listener);
  }

  private add(key: MLEventType | '*', l: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** True when someone listens for `type` (lets hot loops skip building events). */
  hasListeners(type: MLEventType): boolean {
    return (this.listeners.get(type)?.size ?? 0) + (this.listeners.get('*')?.size ?? 0) > 0;
  }

  emit(event: MLEvent): void {
    for (const key of [event.type, '*'] as const) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const l of [...set]) {
        try {
          l(event);
        } catch (err) {
          this.onListenerError(err, event);
        }
      }
    }
  }
}

const KEY = Symbol.for('@cauce/ml/events');
type WithEvents = typeof globalThis & { [KEY]?: MLEvents };

/**
 * The process-wide hook point: `mlEvents.on('fitProgress', (e) => …)`. Kept on globalThis under a
 * registered symbol, so that two copies of @cauce/ml in one process (built dist and TypeScript sources, or
 * two installs) still share one emitter and autolog hears every fit.
 */
export const mlEvents: MLEvents = ((globalThis as WithEvents)[KEY] ??= new MLEvents());
export type { MLEvents };
