/**
 * What tuning needs from an evaluator, as a structural type: the evaluators of `evaluation/` satisfy it,
 * and so does any user object with `evaluate` + `isLargerBetter`. Saving a tuned model also saves its
 * evaluator (class + params), so evaluator classes register a constructor here to be loadable.
 */
import type { Frame } from '@cauce/frame';
import { Params, type ParamMap } from '../param/param.js';
import { MLError } from '../util/errors.js';
import { classNameOf } from '../io/registry.js';

export interface TuningEvaluator {
  readonly uid: string;
  /** The metric of `frame` (predictions); may be async. */
  evaluate(frame: Frame, paramMap?: ParamMap): number | Promise<number>;
  /** Whether a larger metric is better (r2, areaUnderROC) or worse (rmse). */
  isLargerBetter(): boolean;
  /** The metric's name, when the evaluator has one (for logs and plots). */
  getMetricName?(): string;
}

export function isTuningEvaluator(v: unknown): v is TuningEvaluator {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as TuningEvaluator).evaluate === 'function' &&
    typeof (v as TuningEvaluator).isLargerBetter === 'function'
  );
}

/** The metric name of an evaluator, or 'metric' when it has none. */
export function metricNameOf(e: TuningEvaluator): string {
  try {
    return e.getMetricName?.() ?? 'metric';
  } catch {
    return 'metric';
  }
}

type EvaluatorCtor = new () => TuningEvaluator;
const evaluators = new Map<string, EvaluatorCtor>();

/**
 * Makes an evaluator class loadable inside saved CrossValidatorModel / TrainValidationSplitModel
 * directories. The class needs a no-argument constructor and must extend Params (its set params are saved).
 */
export function registerEvaluator(name: string, ctor: EvaluatorCtor): void {
  evaluators.set(name, ctor);
}

/** Names of all registered evaluator classes (sorted). */
export function registeredEvaluators(): string[] {
  return [...evaluators.keys()].sort();
}

/** The evaluator class registered under `name` (for building one by name, e.g. from a spec file). */
export function evaluatorClass(name: string): EvaluatorCtor | undefined {
  return evaluators.get(name);
}

export interface SavedEvaluator {
  class: string;
  uid: string;
  params: Record<string, unknown>;
}

/** @internal */
export function encodeEvaluator(e: TuningEvaluator, owner: string): SavedEvaluator {
  const name = classNameOf(e);
  if (!(e instanceof Params) || evaluators.get(name) !== e.constructor) {
    throw new MLError('SAVE_ERROR', `${owner}: evaluator ${e.uid} (${name}) cannot be saved`, {
      stage: owner,
      hint: `evaluators must extend Params and be registered with registerEvaluator('${name}', ${name})`,
    });
  }
  return { class: name, uid: e.uid, params: e._setValues() };
}

/** @internal */
export function decodeEvaluator(s: SavedEvaluator, where: string): TuningEvaluator {
  const ctor = evaluators.get(s.class);
  if (!ctor) {
    throw new MLError('LOAD_ERROR', `${where}: unknown evaluator class '${s.class}'`, {
      hint: `import the module that defines ${s.class} (registered: ${[...evaluators.keys()].sort().join(', ') || 'none'})`,
    });
  }
  const e = new ctor();
  if (e instanceof Params) {
    e._restoreUid(s.uid);
    for (const [k, v] of Object.entries(s.params)) e.set(e.getParam(k), v);
  }
  return e;
}
