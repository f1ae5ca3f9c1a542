/**
 * The child runs of a tuning fit (one per param map, MLflow's pyspark autolog layout) and the parent's
 * best params, metric and search results.
 *
 * Why the children do not wait for the end of the fit (issue 8, blocking autolog overhead): a child needs
 * nothing of the fitted model — its name, tags and params are known when the fit starts, its metric as
 * soon as the map's last trial is scored, which CrossValidator / TrainValidationSplit report through ml's
 * `fitProgress` event (`paramIndex`, `fold`, `metric`, `trials`). So each child is created as soon as
 * the parent run exists and completed (params + metric in one log-batch, then FINISHED) as soon as its
 * trials are in, instead of all of them waiting for the model's summary, plots and model directory. How
 * much of that happens while the fit runs depends on the fit giving the event loop a turn: answers are
 * read on this thread, so a synchronous fit (the tuning bench's) lets these chains run right after it,
 * beside the plots and the model; a fit on worker threads lets them run during the trials. Only when
 * `maxTuningRuns` is smaller than the grid is the final ranking needed, and then everything is logged
 * after the fit as before. The metric logged early is the same arithmetic as the validator's (mean over
 * folds, population std, in fold order) and is checked against the fitted model's avgMetrics /
 * validationMetrics after the fit: should they ever differ, the model's value is logged.
 */
import { CrossValidator, TrainValidationSplit, metricNameOf, mlEvents, type Estimator } from '@cauce/ml';
import type { Run } from '@cauce/protocol';
import type { MlflowClient } from '../client.js';
import { paramKey, stageKeys } from './introspect.js';
import type { TuningPlan } from './tuning-plan.js';

interface EarlyChild {
  run: Promise<Run | undefined>;
  /** Set once the map's metric was logged and the child ended; resolves to what was logged. */
  logged?: Promise<{ metric: number; std: number | undefined } | undefined>;
}

export interface EarlyTuning {
  children: Map<number, EarlyChild>;
  /** Stops listening to the fit's progress (call when the fit has returned or failed). */
  stop(): void;
  /** The fit failed: ends the children created so far as FAILED. */
  fail(): Promise<void>;
}

function childTags(parentRunId: string): Record<string, string> {
  return { 'mlflow.parentRunId': parentRunId, 'mlflow.autologging': 'cauce.ml' };
}

/**
 * Starts the child runs of a CrossValidator / TrainValidationSplit fit as it begins, or returns
 * undefined for any other estimator (or a grid larger than `maxTuningRuns`). `inFit` tells whether a
 * progress event belongs to this fit (autolog's async context), so concurrent fits stay apart.
 */
export function startTuningRuns(
  c: MlflowClient,
  est: Estimator,
  parent: Promise<Run | undefined>,
  maxTuningRuns: number,
  inFit: () => boolean,
): EarlyTuning | undefined {
  const cv = est instanceof CrossValidator;
  if (!cv && !(est instanceof TrainValidationSplit)) return undefined;
  let maps;
  let evaluator;
  let inner;
  try {
    maps = est.getEstimatorParamMaps();
    evaluator = est.getEvaluator();
    inner = est.getEstimator();
  } catch {
    return undefined; // not configured: the fit itself will say so
  }
  if (maps.length === 0 || maps.length > maxTuningRuns) return undefined;
  const metric = metricNameOf(evaluator);
  const metricKey = cv ? `avg_${metric}` : `validation_${metric}`;
  const keys = stageKeys(inner);
  const children = new Map<number, EarlyChild>();
  for (let i = 0; i < maps.length; i++) {
    const run = parent
      .then((p) =>
        p
          ? c.createRun(p.info.experiment_id, {
              runName: `${p.info.run_name}-${i}`,
              tags: childTags(p.info.run_id),
            })
          : undefined,
      )
      .catch(() => undefined); // created after the fit instead
    children.set(i, { run });
  }
  // the trials' metrics, by map and fold, as the validator reports them
  const scores = maps.map(() => new Map<number, number>());
  const off = mlEvents.on('fitProgress', (e) => {
    if (e.uid !== est.uid || !inFit()) return;
    const m = e.metrics;
    const i = m?.paramIndex;
    const value = m?.metric;
    const trials = m?.trials;
    const fold = m?.fold ?? 0;
    if (i === undefined || value === undefined || trials === undefined || !children.has(i)) return;
    const k = trials / maps.length;
    const s = scores[i]!;
    s.set(fold, value);
    if (!Number.isInteger(k) || s.size !== k) return;
    // the validator's arithmetic: mean over folds and population std (ddof 0), in fold order
    const v = Array.from({ length: k }, (_, f) => s.get(f));
    if (v.some((x) => x === undefined)) return;
    let sum = 0;
    for (const x of v) sum += x!;
    const avg = sum / k;
    let ss = 0;
    for (const x of v) ss += (x! - avg) * (x! - avg);
    const std = cv ? Math.sqrt(ss / k) : undefined;
    const child = children.get(i)!;
    const params = Object.fromEntries(
      maps[i]!.entries().map(({ param, value: pv }) => [paramKey(keys, param), pv]),
    );
    child.logged = child.run
      .then(async (run) => {
        if (!run) return undefined;
        const ms = [{ key: metricKey, value: avg }];
        if (std !== undefined) ms.push({ key: `std_${metric}`, value: std });
        await c.logBatch(run.info.run_id, { params, metrics: ms });
        await c.setTerminated(run.info.run_id, 'FINISHED');
        return { metric: avg, std };
      })
      .catch(() => undefined); // logged after the fit instead
  });
  return {
    children,
    stop: off,
    async fail() {
      off();
      await Promise.all(
        [...children.values()].map(async (ch) => {
          const run = await ch.run;
          if (run && !(await ch.logged))
            await c.setTerminated(run.info.run_id, 'FAILED').catch(() => undefined);
        }),
      );
    },
  };
}

/** Child runs per param map (those not already complete), best params and metric on the parent, search results. */
export async function logTuning(
  c: MlflowClient,
  parent: Run,
  plan: TuningPlan,
  training: Record<string, number>,
  maxTuningRuns: number,
  early: EarlyTuning | undefined,
): Promise<void> {
  const runId = parent.info.run_id;
  const { rows, metric, metricKey, larger } = plan;
  const bestRow = rows[plan.best]!;
  const parentMetrics = [
    { key: metricKey, value: bestRow.metric },
    ...Object.entries(training).map(([key, value]) => ({ key, value })),
  ];
  if (bestRow.std !== undefined) parentMetrics.push({ key: `std_${metric}`, value: bestRow.std });
  const parentWork = [
    c.logBatch(runId, {
      params: Object.fromEntries(Object.entries(bestRow.params).map(([k, v]) => [`best_${k}`, v])),
      metrics: parentMetrics,
    }),
    c.logDict(
      runId,
      { metric, isLargerBetter: larger, bestIndex: plan.best, results: rows },
      'tuning/search_results.json',
    ),
  ];
  // the best `maxTuningRuns` maps get child runs (MLflow's max_tuning_runs), up to 12 created at once
  const order = [...rows].sort((a, b) => (larger ? b.metric - a.metric : a.metric - b.metric));
  const children = order.slice(0, maxTuningRuns);
  const limit = 12;
  for (let k = 0; k < children.length; k += limit) {
    await Promise.all(
      children.slice(k, k + limit).map(async (row) => {
        const ms = [{ key: metricKey, value: row.metric }];
        if (row.std !== undefined) ms.push({ key: `std_${metric}`, value: row.std });
        const pre = early?.children.get(row.index);
        const child =
          (await pre?.run) ??
          (await c.createRun(parent.info.experiment_id, {
            runName: `${parent.info.run_name}-${row.index}`,
            tags: childTags(runId),
          }));
        const logged = await pre?.logged;
        if (logged) {
          // complete since the trials ended; the model's numbers are the truth should they ever differ
          if (!Object.is(logged.metric, row.metric) || !Object.is(logged.std, row.std))
            await c.logBatch(child.info.run_id, { metrics: ms });
          return;
        }
        await c.logBatch(child.info.run_id, { params: row.params, metrics: ms });
        await c.setTerminated(child.info.run_id, 'FINISHED');
      }),
    );
  }
  await Promise.all(parentWork);
}
