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
 *
 * Where the logging happens: on autolog's logging thread (logging-thread.ts, recorder.ts). This thread
 * only describes the fit — params and the training sample when it starts, each trial's metric, the
 * model's files, metrics and plot specs when it ends — and the logging thread does the requests, the
 * profile and the SVG rendering meanwhile, on the other core. A blocking fit returns when the run is
 * completely recorded, as before; it just waits for much less (issue 8).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Frame } from '@cauce/frame';
import { Estimator, classNameOf, mlEvents, type Model, type ParamMap } from '@cauce/ml';
import type { Dataset } from '@cauce/protocol';
import type { MlflowClient } from '../client.js';
import { exampleSplit, inferSchema } from '../model/signature.js';
import { exampleFiles, expectedInputs, modelFiles, nonInputColumns } from '../model/mlmodel.js';
import { profileBuffers, profileInput } from '../model/profile.js';
import { preloadFigures, type VegaLiteSpec } from '../figures.js';
import { _activeExperimentId, _addRunEndHook, activeRun, getClient } from '../fluent.js';
import { _whileOpen } from '../interrupt.js';
import { loggingThread } from './logging-thread.js';
import type { BeginMessage, FinishMessage } from './messages.js';
import { tuningPlan } from './tuning-plan.js';
import { TIMING, timedSync, trace } from './timing.js';
import { forwardTrials, tuningStart } from './tuning-runs.js';
import { flattenParams, predictorOf, trainingMetrics, tuningModelOf, type Predictor } from './introspect.js';
import { RESIDUAL_POINTS, scoredPlots, weightsFile, weightsPlot } from './plots.js';
import { scoredRows, validationPlots, type ValidationPlots } from './validation-plots.js';

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
  /**
   * Log on autolog's logging thread (default true), which talks to the client's tracking URI with its
   * headers and retry settings while the fit runs; false logs on the caller's thread with `client` itself.
   */
  worker?: boolean;
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
/** Where in its run autolog logs a fitted model (as MLflow's autolog does). */
const MODEL_PATH = 'model';
/** Set inside an autologged top-level fit: a token per fit, so that concurrent fits stay apart. */
const insideFit = new AsyncLocalStorage<object>();

function warn(what: string, err?: unknown): void {
  if (state?.options.silent) return;
  console.warn(
    `cauce autolog: ${what}${err === undefined ? '' : `: ${(err as Error)?.message ?? String(err)}`}`,
  );
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
  const thread = loggingThread();
  thread.onWarn = (m) => warn(m);
  // the logging thread starts now, so its start-up (and its plot threads' Vega) overlaps the caller's own work;
  // on the caller's thread, Vega is imported on first use (figures.ts): start that now instead
  if (options.worker ?? true) thread.warm(options.logPlots ?? true);
  else if (options.logPlots ?? true) preloadFigures();
  Estimator.prototype.fit = function patchedFit<M extends Model>(
    this: Estimator<M>,
    frame: Frame,
    paramMap?: ParamMap,
  ): Promise<M> {
    if (state !== s || insideFit.getStore()) return original.call(this, frame, paramMap) as Promise<M>;
    trace('fit called');
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

/** Ends the open runs of pending recordings KILLED on SIGINT / SIGTERM (interrupt.ts). */
const killRecordings = (): Promise<void> => loggingThread().kill();

/** What the logging thread needs when the fit starts: the run, its tags and params, the dataset, children. */
function beginMessage(s: State, c: MlflowClient, id: number, est: Estimator, frame: Frame): BeginMessage {
  const className = classNameOf(est);
  const active = activeRun();
  const m: BeginMessage = {
    type: 'begin',
    id,
    client: { trackingUri: c.trackingUri, transport: c.transport.options },
    experimentId: _activeExperimentId(),
    runName: `${className}-${Date.now().toString(36)}`,
    tags: {
      'mlflow.autologging': 'cauce.ml',
      estimator_name: className,
      estimator_class: `@cauce/ml.${className}`,
    },
    params: timedSync('params flattened in', () => flattenParams(est)),
    dataset: timedSync('dataset described in', () => datasetOf(frame)),
    tuning: tuningStart(est, s.options.maxTuningRuns ?? 100),
    plots: s.options.logPlots ?? true,
  };
  if (active) m.active = active;
  // the profile's sample is cut here (cheap) and profiled on the logging thread while the fit runs
  if (s.options.logModels ?? true) {
    m.profile = timedSync('profile sample cut in', () => profileInput(frame));
    // a run autolog creates holds nothing else under model/: what depends only on the frame goes up now
    if (!active) m.modelAhead = timedSync('model files ahead', () => modelAhead(est, frame, s.options));
  }
  return m;
}

/** The input examples and profile columns of the model `est.fit(frame)` will log (modelFiles makes the same). */
function modelAhead(est: Estimator, frame: Frame, o: AutologOptions): BeginMessage['modelAhead'] {
  const inputs = expectedInputs(est, frame);
  const rows = o.inputExampleRows ?? 5;
  return {
    artifactPath: MODEL_PATH,
    files: rows > 0 ? exampleFiles(frame.head(rows).select(...inputs)) : [],
    profileColumns: inputs,
  };
}

/**
 * The plots of the fitted model (coefficients or importances; evaluation on a sample of the training rows,
 * or for a CrossValidator / TrainValidationSplit on its best map's validation predictions, drawn during
 * the refit — validation-plots.ts): computed first when the fit is over and sent at once in a `draw`
 * message, so that the logging thread draws them while this thread describes the rest.
 */
async function fittedModelPlots(
  s: State,
  model: Model,
  frame: Frame,
  validation: ValidationPlots | undefined,
): Promise<Array<[string, VegaLiteSpec]>> {
  if (!(s.options.logPlots ?? true)) return [];
  try {
    const tuned = tuningModelOf(model);
    const predictor = predictorOf(tuned ? (tuned.bestModel as Model) : model);
    if (!predictor) return [];
    const scored = tuned === model ? validation?.plotsFor(tuned.bestIndex, predictor.kind) : undefined;
    return await evaluationPlots(predictor, model, frame, s.options.plotSampleRows ?? 1000, scored);
  } catch (err) {
    warn('plots could not be computed', err);
    return [];
  }
}

/** What the logging thread needs when the fit is over: the model's files, metrics and plot specs. */
async function finishMessage(
  s: State,
  id: number,
  est: Estimator,
  model: Model,
  frame: Frame,
  runId: string | undefined,
  evaluation: Array<[string, VegaLiteSpec]>,
) {
  const o = s.options;
  const m: FinishMessage = {
    type: 'finish',
    id,
    failed: false,
    maxTuningRuns: o.maxTuningRuns ?? 100,
    plots: [],
    what: classNameOf(model),
  };
  try {
    const tuned = tuningModelOf(model);
    const plan = tuned ? tuningPlan(tuned) : undefined;
    if (plan) {
      const { plots, ...data } = plan;
      m.plan = data;
      if (o.logPlots ?? true) m.plots.push(...plots);
    }
    const best = tuned ? (tuned.bestModel as Model) : model;
    if (o.logModels ?? true) {
      const files = await modelFiles(best, {
        trainingFrame: frame,
        nonInputColumns: nonInputColumns(est),
        inputExampleRows: o.inputExampleRows ?? 5,
        artifactPath: MODEL_PATH,
        runId,
        deferProfile: true,
      });
      m.model = {
        artifactPath: MODEL_PATH,
        mlmodel: files.mlmodel,
        files: files.files,
        profileColumns: files.profileColumns,
        registeredModelName: o.registeredModelName,
      };
    }
    m.plots.push(...evaluation);
  } catch (err) {
    warn(`logging the result of ${classNameOf(model)} failed`, err);
    delete m.model;
    delete m.plan;
    m.plots = [];
  }
  return m;
}

async function autologFit<M extends Model>(
  s: State,
  est: Estimator<M>,
  frame: Frame,
  paramMap: ParamMap | undefined,
): Promise<M> {
  const c = client(s);
  const effective = paramMap ? est.copy(paramMap) : est;
  const thread = loggingThread();
  const useWorker = s.options.worker ?? true;
  const { id, done } = thread.open();
  const release = _whileOpen(killRecordings);
  // The run, its dataset input and params do not depend on the fit: the logging thread opens the run and
  // its child runs while the fit runs, and completes each child as its trials end.
  let begun = false;
  try {
    const t0 = performance.now();
    const begin = beginMessage(s, c, id, effective, frame);
    const t1 = performance.now();
    thread.send(begin, useWorker, c, begin.profile ? profileBuffers(begin.profile) : []);
    if (TIMING)
      trace(
        `fit start described in ${(t1 - t0).toFixed(1)} ms, handed over in ${(performance.now() - t1).toFixed(1)} ms`,
      );
    begun = true;
  } catch (err) {
    warn(`could not start logging ${classNameOf(est)}.fit`, err);
    thread.abandon(id);
  }
  const token = insideFit.getStore();
  const stop = begun
    ? forwardTrials(
        effective,
        id,
        () => insideFit.getStore() === token,
        (m) => thread.send(m, useWorker),
      )
    : () => undefined;
  // a tuning's evaluation plots from its best map's validation predictions, drawn while it is refitted
  const validation =
    begun && (s.options.logPlots ?? true)
      ? validationPlots(
          effective,
          frame.numRows,
          () => insideFit.getStore() === token,
          (_best, plots) => {
            try {
              thread.send({ type: 'draw', id, plots }, useWorker);
            } catch (err) {
              warn('the validation plots could not be handed to the logging thread', err);
            }
          },
        )
      : undefined;
  const settle = async (): Promise<void> => {
    try {
      const r = await done;
      if (r.runId) s.lastRunId = r.runId;
    } finally {
      release();
    }
  };
  let model: M;
  try {
    trace('fit starts');
    model = (await s.original.call(est, frame, paramMap)) as M;
    trace('fit returned');
  } catch (err) {
    stop();
    validation?.stop();
    if (begun) {
      const failed: FinishMessage = {
        type: 'finish',
        id,
        failed: true,
        metrics: {},
        maxTuningRuns: 0,
        plots: [],
        what: '',
      };
      thread.send(failed, useWorker);
    }
    if (s.options.async) track(settle());
    else await settle();
    throw err;
  }
  stop();
  validation?.stop();
  if (begun) {
    const t0 = performance.now();
    const plots = await fittedModelPlots(s, model, frame, validation);
    if (plots.length > 0) {
      try {
        thread.send({ type: 'draw', id, plots }, useWorker);
      } catch (err) {
        warn(`the plots of ${classNameOf(model)} could not be handed to the logging thread`, err);
      }
    }
    if (TIMING) trace(`plots described in ${(performance.now() - t0).toFixed(1)} ms`);
    const m = await finishMessage(s, id, effective, model, frame, activeRun()?.info.run_id, plots);
    if (TIMING) trace(`result described in ${(performance.now() - t0).toFixed(1)} ms`);
    try {
      const t1 = performance.now();
      thread.send(m, useWorker);
      if (TIMING) trace(`result handed over in ${(performance.now() - t1).toFixed(1)} ms`);
      // the training summary (ml scores the training rows) while the logging thread starts on the rest
      let metrics: Record<string, number> = {};
      try {
        metrics = timedSync('training metrics', () => trainingMetrics(model));
      } catch (err) {
        warn(`the training metrics of ${m.what} could not be read`, err);
      }
      thread.send({ type: 'metrics', id, metrics }, useWorker);
      trace('training metrics sent');
    } catch (err) {
      // something in the result could not be posted: log what can be, say what was dropped
      warn(`the model and plots of ${m.what} could not be handed to the logging thread`, err);
      try {
        thread.send({ ...m, model: undefined, plots: [], metrics: {} }, useWorker);
      } catch {
        thread.abandon(id);
      }
    }
  }
  // async: fit returns at once, withRun / endRun / flushAutolog wait for the recording
  if (s.options.async) track(settle());
  else {
    const t0 = performance.now();
    await settle();
    if (TIMING) trace(`waited ${(performance.now() - t0).toFixed(1)} ms for the logging thread`);
  }
  return model;
}

/**
 * The training frame as an MLflow dataset input (what MLflow ≥ 2.4 autolog records): schema in MLflow's
 * `mlflow_colspec` form, row count as the profile, a digest of schema + size + the first rows.
 */
function datasetOf(frame: Frame): Dataset {
  const schema = inferSchema(frame);
  const head = exampleSplit(frame.head(Math.min(20, frame.numRows)));
  // MLflow's dataset digests are the first 8 hex digits of an MD5 (mlflow/data/digest_utils.py); hashed
  // natively: a JS loop over the ~60 KB of JSON ran cold once per fit, ~3 ms the caller waited for
  const digest = createHash('md5')
    .update(JSON.stringify({ schema, n: frame.numRows, head }))
    .digest('hex')
    .slice(0, 8);
  return {
    name: `dataset_${digest}`,
    digest,
    source_type: 'code',
    source: '{}',
    schema: JSON.stringify({ mlflow_colspec: schema }),
    profile: JSON.stringify({ num_rows: frame.numRows, num_elements: frame.numRows * frame.numColumns }),
  };
}

/** The weights plot and the evaluation plots: `scored` when given, else from the training rows scored now. */
async function evaluationPlots(
  p: Predictor,
  model: Model,
  frame: Frame,
  maxRows: number,
  scored: Array<[string, VegaLiteSpec]> | undefined,
): Promise<Array<[string, VegaLiteSpec]>> {
  const out: Array<[string, VegaLiteSpec]> = [];
  // a tuning's weights plot may have come with its validation plots (the best params' fold models)
  if (p.weights && !scored?.some(([f]) => f === weightsFile(p.weights!.title))) {
    out.push([weightsFile(p.weights.title), weightsPlot(p.weights.values, p.weights.title, p.featureNames)]);
  }
  if (scored) return [...out, ...scored];
  if (!p.labelCol || !frame.has(p.labelCol)) return out;
  // an evenly spaced subsample keeps the plots cheap on large frames; the residual scatter draws at
  // most RESIDUAL_POINTS (plots.ts says why), so only those rows are scored for it
  const n = frame.numRows;
  const m = Math.min(n, p.kind === 'regression' ? Math.min(maxRows, RESIDUAL_POINTS) : maxRows);
  const idx = Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
  const pred = await model.transform(frame.take(idx));
  out.push(...scoredPlots(scoredRows(p, pred, n)));
  return out;
}
