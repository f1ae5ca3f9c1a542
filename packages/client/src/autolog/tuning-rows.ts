/**
 * A tuning fit's trials as rows (params and metric per map) and the plots drawn from them, from plain
 * data: the fit's thread builds them from the tuned model, the logging thread from the trials as they
 * arrive (it draws the plots ahead, during the refit of the best map, and uses them only when the final
 * plan asks for the very same spec); and what the parent and child runs record of them.
 */
import type { VegaLiteSpec } from '../figures.js';
import { metricPerParamPlot } from './plots.js';

/** What the logging thread needs of a tuned model (no plots: they are rendered from their specs). */
export interface TuningPlanData {
  metric: string;
  metricKey: string;
  larger: boolean;
  best: number;
  rows: Array<{ index: number; params: Record<string, unknown>; metric: number; std: number | undefined }>;
}

export interface TuningPlan extends TuningPlanData {
  plots: Array<[string, VegaLiteSpec]>;
}

/** The plan of `rows`, with one plot per tuned param: the metric against its values (other params at their best). */
export function planOf(
  rows: TuningPlanData['rows'],
  metric: string,
  metricKey: string,
  larger: boolean,
  best: number,
): TuningPlan {
  const bestRow = rows[best]!;
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
  return { metric, metricKey, larger, best, rows, plots };
}

/** The validator's choice: the best metric, the first one on ties (Spark's argmax). */
export function bestIndexOf(metrics: readonly number[], larger: boolean): number {
  let best = 0;
  for (let i = 1; i < metrics.length; i++) {
    if (larger ? metrics[i]! > metrics[best]! : metrics[i]! < metrics[best]!) best = i;
  }
  return best;
}

export function childTags(parentRunId: string): Record<string, string> {
  return { 'mlflow.parentRunId': parentRunId, 'mlflow.autologging': 'cauce.ml' };
}

/** The parent's records of a tuning plan: best params and metric (one log-batch), the search results. */
export function parentTuningRecords(plan: TuningPlanData): {
  batch: { params: Record<string, unknown>; metrics: Array<{ key: string; value: number }> };
  dict: object;
} {
  const { rows, metric, metricKey, larger, best } = plan;
  const bestRow = rows[best]!;
  const metrics = [{ key: metricKey, value: bestRow.metric }];
  if (bestRow.std !== undefined) metrics.push({ key: `std_${metric}`, value: bestRow.std });
  return {
    batch: {
      params: Object.fromEntries(Object.entries(bestRow.params).map(([k, v]) => [`best_${k}`, v])),
      metrics,
    },
    dict: { metric, isLargerBetter: larger, bestIndex: best, results: rows },
  };
}
