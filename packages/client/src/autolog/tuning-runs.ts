/**
 * The fit's-thread half of a tuning fit's child runs (one per param map, MLflow's pyspark autolog
 * layout): what the children are, known when CrossValidator / TrainValidationSplit starts, and each
 * trial's metric as the validator reports it (ml's `fitProgress`: `paramIndex`, `fold`, `metric`,
 * `trials`). The recorder (recorder.ts) creates the children as soon as the parent run exists and
 * completes each when its map's last trial is in, instead of all of them waiting for the end of the
 * fit. Only when `maxTuningRuns` is smaller than the grid is the final ranking needed, and then the
 * children are all logged at the end.
 */
import { CrossValidator, TrainValidationSplit, metricNameOf, mlEvents, type Estimator } from '@cauce/ml';
import { paramKey, stageKeys } from './introspect.js';
import type { TrialMessage, TuningStart } from './messages.js';

/** The children of a CrossValidator / TrainValidationSplit fit; undefined for any other (or a grid over maxTuningRuns). */
export function tuningStart(est: Estimator, maxTuningRuns: number): TuningStart | undefined {
  const cv = est instanceof CrossValidator;
  if (!cv && !(est instanceof TrainValidationSplit)) return undefined;
  try {
    const maps = est.getEstimatorParamMaps();
    const evaluator = est.getEvaluator();
    const keys = stageKeys(est.getEstimator());
    if (maps.length === 0 || maps.length > maxTuningRuns) return undefined;
    const metric = metricNameOf(evaluator);
    return {
      cv,
      larger: evaluator.isLargerBetter(),
      metric,
      metricKey: cv ? `avg_${metric}` : `validation_${metric}`,
      maps: maps.map((m) =>
        Object.fromEntries(m.entries().map(({ param, value }) => [paramKey(keys, param), value])),
      ),
    };
  } catch {
    return undefined; // not configured: the fit itself will say so
  }
}

/**
 * Forwards the trials of `est`'s fit to `send` until the returned function is called; `inFit` tells
 * whether an event belongs to this fit (autolog's async context), so concurrent fits stay apart.
 */
export function forwardTrials(
  est: Estimator,
  id: number,
  inFit: () => boolean,
  send: (m: TrialMessage) => void,
): () => void {
  return mlEvents.on('fitProgress', (e) => {
    if (e.uid !== est.uid || !inFit()) return;
    const m = e.metrics;
    const paramIndex = m?.paramIndex;
    const metric = m?.metric;
    const trials = m?.trials;
    if (paramIndex === undefined || metric === undefined || trials === undefined) return;
    send({ type: 'trial', id, paramIndex, fold: m?.fold ?? 0, metric, trials });
  });
}
