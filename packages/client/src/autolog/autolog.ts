/**
 * autolog(): every top-level `fit` of an @cauce/ml estimator is recorded, as mlflow.pyspark.ml.autolog()
 * does: the estimator's params (nested stages as `ClassName.param`), training metrics from summaries,
 * the fitted model (MLflow model directory with signature, input example and training profile), plots
 * as SVG artifacts, and for CrossValidator / TrainValidationSplit one child run per param map (its
 * params and metric) with the best params on the parent. Evaluator calls outside a fit log their metric
 * into the active run (or the last autologged one).
 *
 * How it hooks in: `Estimator.prototype.fit` (the public entry; nested fits go through `fitWith`) is
 * wrapped so the top-level fit returns only after its run is recorded, and an AsyncLocalStorage marks
 * "inside an autologged fit" so nested fits and the evaluations CrossValidator makes are not logged
 * twice. Evaluations arrive through ml's `evaluated` hook. A failure to log never fails the fit: it is
 * reported as a warning (MLflow's rule for autologging).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Frame } from '@cauce/frame';
import { Estimator, classNameOf, fnv1a, mlEvents, type Model, type ParamMap } from '@cauce/ml';
import type { Dataset, Run } from '@cauce/protocol';
import type { MlflowClient } from '../client.js';
import { exampleSplit, inferSchema } from '../model/signature.js';
import { figureToSvg, preloadFigures, type VegaLiteSpec } from '../figures.js';
import { _activeExperimentId, _addRunEndHook, activeRun, getClient } from '../fluent.js';
import { logModel } from '../model/log-model.js';
import { tuningPlan } from './tuning-plan.js';
import { logTuning, startTuningRuns, type EarlyTuning } from './tuning-runs.js';
import { flattenParams, predictorOf, trainingMetrics, tuningModelOf, type Predictor } from './introspect.js';
import {
  binaryCurves,
  confusionMatrix,
  confusionMatrixPlot,
  prPlot,
  RESIDUAL_POINTS,
  residualsPlot,
  rocPlot,
  weightsPlot,
} from './plots.js';

export interface AutologOptions {
  /** Log the fitted model as an MLflow model directory under 'model' (default true). */
  logModels?: boolean;
  /** Log evaluation plots as SVG under 'plots/' (default true). */
  logPlots?: boolean;
  /** Rows of the training frame kept as the model's input example (default 5; 0 for none). */
  inputExampleRows?: number;
  /** Register every logged model under this name. */
  registeredModelName?: string;
  /** At most this many child runs per tuning fit, the best ones (MLflow's max_tuning_runs, default 100). */
  maxTuningRuns?: number;
  /**
   * Rows sampled (evenly spaced) from the training frame to draw plots from (default 1,000); the residual
   * scatter of a regressor draws at most 500 of them (RESIDUAL_POINTS in plots.ts says why).
   */
  plotSampleRows?: number;
  /** Do not print warnings when logging fails. */
  silent?: boolean;
  /**
   * Return from `fit` as soon as the model is fitted and record the run in the background (MLflow's
   * async logging). `withRun` / `endRun` wait for it; otherwise call `flushAutolog()` before exiting.
   */
  async?: boolean;
  /** The client to log with (default: the fluent API's). */
  client?: MlflowClient;
}

interface State {
  options: AutologOptions;
  original: Estimator['fit'];
  off: Array<() => void>;
  pending: Set<Promise<void>>;
  lastRunId: string | undefined;
  evalSteps: Map<string, number>;
}

let state: State | undefined;
/** Set inside an autologged top-level fit: a token per fit, so that concurrent fits stay apart. */
const insideFit = new AsyncLocalStorage<object>();

function warn(what: string, err: unknown): void {
  if (!state?.options.silent)
    console.warn(`cauce autolog: ${what}: ${(err as Error)?.message ?? String(err)}`);
}

function track(p: Promise<void>): void {
  if (!state) return;
  const s = state;
  const q = p.catch((err) => warn('logging failed', err)).finally(() => s.pending.delete(q));
  s.pending.add(q);
}

/** Waits until everything autolog has started logging has landed (withRun / endRun call this for you). */
export async function flushAutolog(): Promise<void> {
  while (state && state.pending.size > 0) await Promise.all([...state.pending]);
}

/** Turns autologging on (again, with new options); returns the function that turns it off. */
export function autolog(options: AutologOptions = {}): () => void {
  disableAutolog();
  const original = Estimator.prototype.fit;
  const s: State = {
    options,
    original,
    off: [],
    pending: new Set(),
    lastRunId: undefined,
    evalSteps: new Map(),
  };
  state = s;
  // Vega is imported on first use (figures.ts); start that now, before any fit needs a plot
  if (options.logPlots ?? true) preloadFigures();
  Estimator.prototype.fit = function patchedFit<M extends Model>(
    this: Estimator<M>,
    frame: Frame,
    paramMap?: ParamMap,
  ): Promise<M> {
    if (state !== s || insideFit.getStore()) return original.call(this, frame, paramMap) as Promise<M>;
    return insideFit.run({}, () => autologFit(s, this, frame, paramMap));
  };
  s.off.push(
    mlEvents.on('evaluated', (e) => {
      if (state !== s || insideFit.getStore()) return;
      const runId = activeRun()?.info.run_id ?? s.lastRunId;
      if (!runId || !Number.isFinite(e.value)) return;
      const key = `${runId}/${e.metricName}`;
      const step = s.evalSteps.get(key) ?? 0;
      s.evalSteps.set(key, step + 1);
      track(client(s).logMetric(runId, e.metricName, e.value, { step }));
    }),
    _addRunEndHook(flushAutolog),
  );
  return disableAutolog;
}

/** Turns autologging off and restores `Estimator.prototype.fit`. */
export function disableAutolog(): void {
  if (!state) return;
  Estimator.prototype.fit = state.original;
  for (const off of state.off) off();
  state = undefined;
}

function client(s: State): MlflowClient {
  return s.options.client ?? getClient();
}

interface Recording {
  run: Run;
  created: boolean;
}

/** Opens (or joins) the run and logs what is known before the fit: the dataset, params and tags. */
async function startRecording(
  s: State,
  c: MlflowClient,
  est: Estimator,
  frame: Frame,
  active: Run | undefined,
): Promise<Recording> {
  const className = classNameOf(est);
  const tags = {
    'mlflow.autologging': 'cauce.ml',
    estimator_name: className,
    estimator_class: `@cauce/ml.${className}`,
  };
  let run = active;
  let created = false;
  if (!run) {
    // a run autolog opens gets its tags with it (one request fewer than tagging it afterwards)
    run = await c.createRun(_activeExperimentId(), {
      runName: `${className}-${Date.now().toString(36)}`,
      tags: { ...tags, 'mlflow.source.type': 'LOCAL' },
    });
    created = true;
  }
  const runId = run.info.run_id;
  try {
    // independent requests: both in flight at once
    await Promise.all([
      timed(
        'dataset input',
        c.logInputs(runId, [{ dataset: datasetOf(frame), tags: { 'mlflow.data.context': 'train' } }]),
      ),
      c.logBatch(runId, created ? { params: flattenParams(est) } : { params: flattenParams(est), tags }),
    ]);
  } catch (err) {
    if (created) await c.setTerminated(runId, 'FAILED').catch(() => undefined);
    throw err;
  }
  return { run, created };
}

/** Logs the fitted model's part and ends a run autolog opened. */
async function finishRecording(
  s: State,
  c: MlflowClient,
  rec: Recording,
  model: Model,
  frame: Frame,
  early?: EarlyTuning,
): Promise<void> {
  try {
    await logAfterFit(s, c, rec.run, model, frame, early);
  } catch (err) {
    warn(`logging the result of ${classNameOf(model)} failed`, err);
  }
  s.lastRunId = rec.run.info.run_id;
  if (rec.created) {
    await c.setTerminated(rec.run.info.run_id, 'FINISHED').catch((e) => warn('could not end the run', e));
  }
}

async function autologFit<M extends Model>(
  s: State,
  est: Estimator<M>,
  frame: Frame,
  paramMap: ParamMap | undefined,
): Promise<M> {
  const c = client(s);
  const effective = paramMap ? est.copy(paramMap) : est;
  const className = classNameOf(est);
  const active = activeRun();
  if (s.options.async) {
    // fit first, record afterwards in the background (flushAutolog / withRun / endRun wait for it)
    let model: M;
    try {
      model = (await s.original.call(est, frame, paramMap)) as M;
    } catch (err) {
      track(
        startRecording(s, c, effective, frame, active).then(async (rec) => {
          if (rec.created) await c.setTerminated(rec.run.info.run_id, 'FAILED');
        }),
      );
      throw err;
    }
    track(
      startRecording(s, c, effective, frame, active).then((rec) => finishRecording(s, c, rec, model, frame)),
    );
    return model;
  }
  // The run, dataset input and params do not depend on the fit, so the fit does not wait for them: the
  // run's create request goes out as the fit starts (issue 8). The rest of the chain needs its answer,
  // which this thread reads only when the fit gives the event loop a turn — a synchronous fit (most of
  // ours) therefore only overlaps that first request, a fit that awaits I/O or workers overlaps more.
  // What is recorded is the same: the recording is awaited before the result part is logged, and a
  // failed start still only costs a warning.
  const starting: Promise<Recording | undefined> = startRecording(s, c, effective, frame, active).catch(
    (err: unknown) => {
      warn(`could not start logging ${className}.fit`, err);
      return undefined;
    },
  );
  // a tuning fit's child runs start as soon as the parent exists, and end as their trials end (tuning-runs.ts)
  const token = insideFit.getStore();
  const early = startTuningRuns(
    c,
    effective,
    starting.then((r) => r?.run),
    s.options.maxTuningRuns ?? 100,
    () => insideFit.getStore() === token,
  );
  let model: M;
  try {
    model = (await s.original.call(est, frame, paramMap)) as M;
  } catch (err) {
    early?.stop();
    const rec = await starting;
    await early?.fail();
    if (rec?.created)
      await c.setTerminated(rec.run.info.run_id, 'FAILED').catch((e) => warn('could not end the run', e));
    throw err;
  }
  early?.stop();
  const rec = await starting;
  if (rec) await finishRecording(s, c, rec, model, frame, early);
  return model;
}

/**
 * The training frame as an MLflow dataset input (what MLflow ≥ 2.4 autolog records): schema in MLflow's
 * `mlflow_colspec` form, row count as the profile, a digest of schema + size + the first rows.
 */
function datasetOf(frame: Frame): Dataset {
  const schema = inferSchema(frame);
  const head = exampleSplit(frame.head(Math.min(20, frame.numRows)));
  const digest = fnv1a(new TextEncoder().encode(JSON.stringify({ schema, n: frame.numRows, head }))).slice(
    0,
    8,
  );
  return {
    name: `dataset_${digest}`,
    digest,
    source_type: 'code',
    source: '{}',
    schema: JSON.stringify({ mlflow_colspec: schema }),
    profile: JSON.stringify({ num_rows: frame.numRows, num_elements: frame.numRows * frame.numColumns }),
  };
}

async function logAfterFit(
  s: State,
  c: MlflowClient,
  run: Run,
  model: Model,
  frame: Frame,
  early: EarlyTuning | undefined,
): Promise<void> {
  const o = s.options;
  const runId = run.info.run_id;
  // every request chain starts at once: the critical path is the longest chain, not their sum
  const work: Array<Promise<unknown>> = [];
  const metrics = timedSync('training metrics', () => trainingMetrics(model));
  const tuned = tuningModelOf(model);
  const plots: Array<[string, VegaLiteSpec]> = [];
  const plan = tuned ? tuningPlan(tuned) : undefined;
  if (plan) {
    plots.push(...plan.plots);
    work.push(timed('tuning runs', logTuning(c, run, plan, metrics, o.maxTuningRuns ?? 100, early)));
  } else if (Object.keys(metrics).length > 0) {
    work.push(
      c.logBatch(runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value })) }),
    );
  }
  if (o.logModels ?? true) {
    const best = tuned ? (tuned.bestModel as Model) : model;
    work.push(
      timed(
        'model',
        logModel(best, 'model', {
          client: c,
          runId,
          trainingFrame: frame,
          inputExampleRows: o.inputExampleRows ?? 5,
          registeredModelName: o.registeredModelName,
        }),
      ),
    );
  }
  if (o.logPlots ?? true) {
    const predictor = predictorOf(tuned ? (tuned.bestModel as Model) : model);
    if (predictor) {
      try {
        plots.push(
          ...(await timed('plot data', evaluationPlots(predictor, model, frame, o.plotSampleRows ?? 1000))),
        );
      } catch (err) {
        warn('plots could not be computed', err);
      }
    }
    work.push(
      timed(
        'plots',
        Promise.all(
          plots.map(async ([file, spec]) => c.logText(runId, await figureToSvg(spec), `plots/${file}`)),
        ),
      ),
    );
  }
  await Promise.all(work);
}

/** CAUCE_AUTOLOG_TIMING=1 prints how long each part of the logging took (to find what to make cheaper). */
const TIMING = Boolean(process.env.CAUCE_AUTOLOG_TIMING);

async function timed<T>(what: string, p: Promise<T>): Promise<T> {
  if (!TIMING) return p;
  const t = performance.now();
  try {
    return await p;
  } finally {
    console.error(`cauce autolog: ${what} ${(performance.now() - t).toFixed(0)} ms`);
  }
}

function timedSync<T>(what: string, f: () => T): T {
  if (!TIMING) return f();
  const t = performance.now();
  try {
    return f();
  } finally {
    console.error(`cauce autolog: ${what} ${(performance.now() - t).toFixed(0)} ms`);
  }
}

async function evaluationPlots(
  p: Predictor,
  model: Model,
  frame: Frame,
  maxRows: number,
): Promise<Array<[string, VegaLiteSpec]>> {
  const out: Array<[string, VegaLiteSpec]> = [];
  if (p.weights) {
    const file = p.weights.title === 'Coefficients' ? 'coefficients.svg' : 'feature_importances.svg';
    out.push([file, weightsPlot(p.weights.values, p.weights.title, p.featureNames)]);
  }
  if (!p.labelCol || !frame.has(p.labelCol)) return out;
  // an evenly spaced subsample keeps the plots cheap on large frames; the residual scatter draws at
  // most RESIDUAL_POINTS (plots.ts says why), so only those rows are scored for it
  const n = frame.numRows;
  const m = Math.min(n, p.kind === 'regression' ? Math.min(maxRows, RESIDUAL_POINTS) : maxRows);
  const idx = Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
  const pred = await model.transform(frame.take(idx));
  const label = pred.float64(p.labelCol);
  const prediction = pred.float64(p.predictionCol);
  if (p.kind === 'regression') {
    out.push(['residuals.svg', residualsPlot(label, prediction, { ofRows: n })]);
    return out;
  }
  const cm = confusionMatrix(label, prediction);
  out.push(['confusion_matrix.svg', confusionMatrixPlot(cm.labels, cm.matrix)]);
  if (p.probabilityCol && pred.has(p.probabilityCol) && cm.labels.every((l) => l === 0 || l === 1)) {
    const prob = pred.vectors(p.probabilityCol);
    if (prob.size === 2) {
      const score = new Float64Array(prob.rows);
      for (let i = 0; i < prob.rows; i++) score[i] = prob.values[i * 2 + 1]!;
      const curves = binaryCurves(label, score);
      out.push(['roc_curve.svg', rocPlot(curves.roc, curves.auc)], ['pr_curve.svg', prPlot(curves.pr)]);
    }
  }
  return out;
}
