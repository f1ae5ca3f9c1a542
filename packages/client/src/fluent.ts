/**
 * The fluent API, shaped like MLflow's module functions: one process-wide client and a stack of active
 * runs. `withRun(fn)` ends its run FINISHED when `fn` resolves and FAILED when it throws (then rethrows).
 *
 *   setTrackingUri('http://127.0.0.1:5000'); await setExperiment('houses');
 *   await withRun({ runName: 'baseline' }, async () => { await logParam('alpha', 0.1); await logMetric('rmse', 3.2); });
 */
import type { Experiment, Run, RunStatus } from '@cauce/protocol';
import { MlflowClient } from './client.js';
import { ClientError } from './http/errors.js';
import { resolveTrackingUri, setTrackingUriValue } from './tracking-uri.js';
import type { MetricInput } from './tracking.js';
import { figureToSvg, type VegaLiteSpec } from './figures.js';
import { _whileOpen } from './interrupt.js';

let client: MlflowClient | undefined;
/** Work that must land before a run ends (autolog's pending logging). */
const runEndHooks = new Set<() => Promise<void>>();

/** @internal autolog registers its flush here so withRun / endRun never end a run before its logging. */
export function _addRunEndHook(hook: () => Promise<void>): () => void {
  runEndHooks.add(hook);
  return () => runEndHooks.delete(hook);
}

async function runEndHooksDone(): Promise<void> {
  for (const h of [...runEndHooks]) await h();
}
let experimentId: string | undefined;
const stack: Run[] = [];
/** Set while a run is active: SIGINT / SIGTERM end the active runs KILLED (interrupt.ts). */
let releaseSignals: (() => void) | undefined;

async function killActiveRuns(): Promise<void> {
  const runs = stack.splice(0).reverse();
  const c = getClient();
  await Promise.all(runs.map((r) => c.setTerminated(r.info.run_id, 'KILLED').catch(() => undefined)));
}

function stackChanged(): void {
  if (stack.length > 0) releaseSignals ??= _whileOpen(killActiveRuns);
  else {
    releaseSignals?.();
    releaseSignals = undefined;
  }
}

/** Sets the tracking server address for the fluent API (overrides MLFLOW_TRACKING_URI). */
export function setTrackingUri(uri: string): void {
  setTrackingUriValue(uri);
  client = undefined;
  experimentId = undefined;
}
export function getTrackingUri(): string {
  return resolveTrackingUri();
}

/** The fluent API's client (created on first use from the tracking URI). */
export function getClient(): MlflowClient {
  const uri = resolveTrackingUri();
  if (!client || client.trackingUri !== uri.replace(/\/+$/, '')) client = new MlflowClient(uri);
  return client;
}

/** Makes `name` the active experiment, creating it when missing (MLflow's set_experiment). */
export async function setExperiment(name: string): Promise<Experiment> {
  const c = getClient();
  let exp = await c.getExperimentByName(name);
  if (!exp) {
    try {
      await c.createExperiment(name);
    } catch (err) {
      // another process may have created it in between
      if ((err as { errorCode?: string }).errorCode !== 'RESOURCE_ALREADY_EXISTS') throw err;
    }
    exp = await c.getExperimentByName(name);
  }
  if (!exp) throw new ClientError('INVALID_ARGUMENT', `experiment '${name}' could not be created`);
  if (exp.lifecycle_stage === 'deleted') {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `experiment '${name}' is deleted`,
      'restore it, or permanently delete it (`cauce gc`) to reuse the name',
    );
  }
  experimentId = exp.experiment_id;
  return exp;
}

function activeExperimentId(): string {
  return experimentId ?? process.env.MLFLOW_EXPERIMENT_ID ?? '0';
}

/** @internal the experiment new runs go to (setExperiment, else MLFLOW_EXPERIMENT_ID, else '0'). */
export function _activeExperimentId(): string {
  return activeExperimentId();
}

export interface StartRunOptions {
  runName?: string;
  tags?: Record<string, string>;
  /** Start as a child of the active run (tag mlflow.parentRunId), as MLflow's nested=True. */
  nested?: boolean;
  /** Parent run id for a child run (implies nested). */
  parentRunId?: string;
  experimentId?: string;
}

/** Starts a run and makes it active; nested runs need `nested: true` while another run is active. */
export async function startRun(options: StartRunOptions = {}): Promise<Run> {
  const parent = options.parentRunId ?? (options.nested ? stack.at(-1)?.info.run_id : undefined);
  if (stack.length > 0 && !parent) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `run ${stack.at(-1)!.info.run_id} is already active`,
      'end it first, or pass { nested: true } to start a child run',
    );
  }
  const tags: Record<string, string> = {
    'mlflow.source.type': 'LOCAL',
    'mlflow.source.name': process.argv[1] ?? 'node',
    'mlflow.user': process.env.USER ?? 'unknown',
    ...options.tags,
  };
  if (options.runName) tags['mlflow.runName'] = options.runName;
  if (parent) tags['mlflow.parentRunId'] = parent;
  const run = await getClient().createRun(options.experimentId ?? activeExperimentId(), {
    runName: options.runName,
    tags,
    userId: tags['mlflow.user'],
  });
  stack.push(run);
  stackChanged();
  return run;
}

/** The innermost active run, if any. */
export function activeRun(): Run | undefined {
  return stack.at(-1);
}

/** Ends the innermost active run with `status` (FINISHED by default). */
export async function endRun(status: RunStatus = 'FINISHED'): Promise<void> {
  await runEndHooksDone();
  const run = stack.pop();
  stackChanged();
  if (run) await getClient().setTerminated(run.info.run_id, status);
}

/** Runs `fn` inside a new run that ends FINISHED, or FAILED if `fn` throws (the error is rethrown). */
export async function withRun<T>(fn: (run: Run) => Promise<T> | T): Promise<T>;
export async function withRun<T>(options: StartRunOptions, fn: (run: Run) => Promise<T> | T): Promise<T>;
export async function withRun<T>(
  a: StartRunOptions | ((run: Run) => Promise<T> | T),
  b?: (run: Run) => Promise<T> | T,
): Promise<T> {
  const options = typeof a === 'function' ? {} : a;
  const fn = typeof a === 'function' ? a : b!;
  const run = await startRun(options);
  let result: T;
  try {
    result = await fn(run);
  } catch (err) {
    await endRunById(run, 'FAILED');
    throw err;
  }
  await endRunById(run, 'FINISHED');
  return result;
}

async function endRunById(run: Run, status: RunStatus): Promise<void> {
  await runEndHooksDone().catch(() => undefined);
  const i = stack.findIndex((r) => r.info.run_id === run.info.run_id);
  if (i >= 0) stack.splice(i, 1);
  stackChanged();
  await getClient().setTerminated(run.info.run_id, status);
}

function runId(): string {
  const run = stack.at(-1);
  if (!run) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      'no active run',
      'call startRun() or wrap the code in withRun(async () => …)',
    );
  }
  return run.info.run_id;
}

export async function logParam(key: string, value: unknown): Promise<void> {
  await getClient().logParam(runId(), key, value);
}
export async function logParams(params: Record<string, unknown>): Promise<void> {
  await getClient().logBatch(runId(), { params });
}
export async function logMetric(key: string, value: number, step?: number): Promise<void> {
  await getClient().logMetric(runId(), key, value, { step });
}
/** Logs several metrics in as few requests as the server's limits allow. */
export async function logMetrics(
  metrics: Record<string, number> | MetricInput[],
  step?: number,
): Promise<void> {
  const list = Array.isArray(metrics)
    ? metrics
    : Object.entries(metrics).map(([key, value]) => ({ key, value, step }));
  await getClient().logBatch(runId(), { metrics: list });
}
export async function setTag(key: string, value: string): Promise<void> {
  await getClient().setTag(runId(), key, value);
}
export async function setTags(tags: Record<string, string>): Promise<void> {
  await getClient().logBatch(runId(), { tags });
}
export async function logArtifact(localPath: string, artifactPath?: string): Promise<void> {
  await getClient().logArtifact(runId(), localPath, artifactPath);
}
export async function logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
  await getClient().logArtifacts(runId(), localDir, artifactPath);
}
export async function logText(text: string, artifactFile: string): Promise<void> {
  await getClient().logText(runId(), text, artifactFile);
}
export async function logDict(value: unknown, artifactFile: string): Promise<void> {
  await getClient().logDict(runId(), value, artifactFile);
}
/** Renders a Vega-Lite spec to SVG (headless, no browser) and logs it as `artifactFile` (e.g. 'plots/roc.svg'). */
export async function logFigure(spec: VegaLiteSpec, artifactFile: string): Promise<void> {
  const svg = await figureToSvg(spec);
  await getClient().logText(runId(), svg, artifactFile);
}

/** @internal for tests: forget the active runs and experiment. */
export function _resetFluentState(): void {
  stack.length = 0;
  stackChanged();
  experimentId = undefined;
  client = undefined;
  setTrackingUriValue(undefined);
}
