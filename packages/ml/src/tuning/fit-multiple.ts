/**
 * Spark's `Estimator.fitMultiple(dataset, paramMaps)`: fitting one frame under many param maps at once, so
 * that work the maps share is done once. Tuning asks here first for each (fold, grid) pair; estimators
 * without a provider are fitted map by map as usual. A provider returns undefined when the maps are not
 * ones it can share work for (then the generic path runs).
 *
 * Models from a provider must be what `fitWith` would give: the copy's uid, its shared params copied,
 * `parent` set, and fitStarted / fitFinished reported (so progress bars and autolog see every trial).
 */
import type { Frame } from '@cauce/frame';
import { classNameOf } from '../io/registry.js';
import type { ParamMap } from '../param/param.js';
import { mlEvents } from '../pipeline/events.js';
import type { Estimator, Model } from '../pipeline/stage.js';

export type FitMultipleProvider = (
  est: Estimator,
  frame: Frame,
  maps: readonly ParamMap[],
  parentUid: string,
) => Promise<Model[] | undefined>;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const providers = new Map<Function, FitMultipleProvider>();

/** Registers a fitMultiple for instances of exactly `ctor`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function registerFitMultiple(ctor: Function, provider: FitMultipleProvider): void {
  providers.set(ctor, provider);
}

/** Whether `est`'s class has a fitMultiple provider. */
export function hasFitMultiple(est: Estimator): boolean {
  return providers.has(est.constructor);
}

/** Models for every map from a provider, or undefined when none applies. */
export function fitMultiple(
  est: Estimator,
  frame: Frame,
  maps: readonly ParamMap[],
  parentUid: string,
): Promise<Model[] | undefined> {
  const p = providers.get(est.constructor);
  return p ? p(est, frame, maps, parentUid) : Promise.resolve(undefined);
}

/** What `Estimator.fitWith` does around `_fit`, for providers: events, uid, copied params, parent. */
export async function asFit<M extends Model>(
  est: Estimator,
  frame: Frame,
  parentUid: string,
  fit: () => M | Promise<M>,
): Promise<M> {
  const className = classNameOf(est);
  const uid = est.uid;
  if (mlEvents.hasListeners('fitStarted')) {
    const params: Record<string, unknown> = {};
    for (const { param, value } of est.extractParamMap().entries()) params[param.name] = value;
    mlEvents.emit({ type: 'fitStarted', uid, className, params, numRows: frame.numRows, parentUid });
  }
  const t0 = Date.now();
  let model: M;
  try {
    model = await fit();
  } catch (error) {
    mlEvents.emit({ type: 'fitFailed', uid, className, parentUid, error });
    throw error;
  }
  model._restoreUid(uid);
  // Spark's copyValues: explicitly set params the model shares
  for (const p of est.params) {
    if (p.spec.type === 'object' || !est.isSet(p) || !model.hasParam(p.name)) continue;
    const tp = model.getParam(p.name);
    if (!model.isSet(tp)) model.set(tp, est.get(p));
  }
  model.parent = est;
  mlEvents.emit({ type: 'fitFinished', uid, className, parentUid, durationMs: Date.now() - t0, model });
  return model;
}
