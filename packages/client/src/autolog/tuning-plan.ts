/** What a tuned model (CrossValidator / TrainValidationSplit) says about its trials, ready for autolog to record. */
import { CrossValidatorModel, metricNameOf, type TrainValidationSplitModel } from '@cauce/ml';
import type { VegaLiteSpec } from '../figures.js';
import { paramKey, stageKeys } from './introspect.js';
import { metricPerParamPlot } from './plots.js';

export interface TuningPlan {
  metric: string;
  metricKey: string;
  larger: boolean;
  best: number;
  rows: Array<{ index: number; params: Record<string, unknown>; metric: number; std: number | undefined }>;
  plots: Array<[string, VegaLiteSpec]>;
}

/** What a tuned model says about its trials, and the per-param plots (no requests yet). */
export function tuningPlan(tuned: CrossValidatorModel | TrainValidationSplitModel): TuningPlan | undefined {
  const est = tuned.getEstimator();
  const maps = tuned.getEstimatorParamMaps();
  const evaluator = tuned.getEvaluator();
  if (!est || !evaluator) return undefined;
  const metric = metricNameOf(evaluator);
  const keys = stageKeys(est);
  const cv = tuned instanceof CrossValidatorModel;
  const values = cv ? tuned.avgMetrics : tuned.validationMetrics;
  const stds = cv ? tuned.stdMetrics : undefined;
  const metricKey = cv ? `avg_${metric}` : `validation_${metric}`;
  const rows = maps.map((m, i) => ({
    index: i,
    params: Object.fromEntries(m.entries().map(({ param, value }) => [paramKey(keys, param), value])),
    metric: values[i]!,
    std: stds?.[i],
  }));
  const best = tuned.bestIndex;
  const bestRow = rows[best]!;
  // one plot per tuned param: the metric against its values (other params at their best values)
  const plots: Array<[string, VegaLiteSpec]> = [];
  const tunedKeys = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  for (const key of tunedKeys) {
    const others = tunedKeys.filter((k) => k !== key);
    const slice = rows.filter((r) =>
      others.every((k) => JSON.stringify(r.params[k]) === JSON.stringify(bestRow.params[k])),
    );
    const pts = slice
      .map((r) => ({ value: r.params[key] as number | string, metric: r.metric, std: r.std }))
      .filter(
        (p) => typeof p.value === 'number' || typeof p.value === 'string' || typeof p.value === 'boolean',
      )
      .map((p) => ({ ...p, value: typeof p.value === 'boolean' ? String(p.value) : p.value }));
    if (pts.length > 1) {
      plots.push([`tuning_${key.replace(/[^\w.-]/g, '_')}.svg`, metricPerParamPlot(key, metricKey, pts)]);
    }
  }
  return { metric, metricKey, larger: evaluator.isLargerBetter(), best, rows, plots };
}
