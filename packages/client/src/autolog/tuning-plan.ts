/** What a tuned model (CrossValidator / TrainValidationSplit) says about its trials, ready for autolog to record. */
import { CrossValidatorModel, metricNameOf, type TrainValidationSplitModel } from '@cauce/ml';
import { paramKey, stageKeys } from './introspect.js';
import { planOf, type TuningPlan } from './tuning-rows.js';

export type { TuningPlan, TuningPlanData } from './tuning-rows.js';

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
  return planOf(rows, metric, metricKey, evaluator.isLargerBetter(), tuned.bestIndex);
}
