/**
 * Logging a `cauce train` / `cauce tune` run to an MLflow-protocol tracking server through the client:
 * autolog records the fit (params, the tuning's child runs, plots, the dataset), and this file adds what
 * only the CLI knows — the test-set metrics, the fitted pipeline as the run's `model` (registered under
 * `--register-as`, with `--alias`) and tags naming the spec.
 */
import { basename } from 'node:path';
import type { Frame } from '@cauce/frame';
import type { Model } from '@cauce/ml';
import {
  ClientError,
  autolog,
  getClient,
  getTrackingUri,
  logModel,
  setExperiment,
  setTrackingUri,
  withRun,
} from '@cauce/client';
import { CliError } from '../cli-error.js';

export interface TrackingFlags {
  trackingUri?: string;
  experiment?: string;
  registerAs?: string;
  alias?: string;
  runName?: string;
}

export interface Logged {
  runId: string;
  experimentId: string;
  trackingUri: string;
  modelUri: string;
  registered?: { name: string; version: string; alias?: string };
}

/** Whether to log: a tracking URI was given (flag or MLFLOW_TRACKING_URI), or an experiment / registration asked for. */
export function trackingWanted(f: TrackingFlags): boolean {
  return (
    f.trackingUri !== undefined ||
    Boolean(process.env.MLFLOW_TRACKING_URI) ||
    f.experiment !== undefined ||
    f.registerAs !== undefined
  );
}

export function checkTrackingFlags(f: TrackingFlags): void {
  if (f.alias !== undefined && f.registerAs === undefined)
    throw new CliError('--alias needs --register-as NAME', 'e.g. --register-as houses --alias champion');
  if (f.alias !== undefined && !/^[A-Za-z_][\w-]*$/.test(f.alias))
    throw new CliError(
      `--alias ${JSON.stringify(f.alias)} is not a valid alias`,
      'use letters, digits, - and _ (e.g. champion)',
    );
}

export function cliErrorOfClient(e: ClientError, what: string): CliError {
  const suffix = e.hint !== undefined ? ` (${e.hint})` : '';
  const message = suffix && e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
  return new CliError(`${what}: ${message}`, e.hint ?? 'check --tracking-uri / MLFLOW_TRACKING_URI');
}

export interface FitOutcome<R> {
  result: R;
  /** The model to log as the run's `model` (the fitted PipelineModel; for tuning, the refitted best). */
  model: Model;
  /** Metrics only the CLI computes (test set), logged on the run. */
  metrics: Record<string, number>;
}

/**
 * Runs `body` (the fit) inside a run with autolog on, then logs the metrics and the model and registers it.
 * Without tracking wanted, just runs `body`.
 */
export async function tracked<R>(
  f: TrackingFlags,
  specFile: string,
  train: Frame,
  body: () => Promise<FitOutcome<R>>,
): Promise<{ result: R; logged: Logged | undefined }> {
  if (!trackingWanted(f)) return { result: (await body()).result, logged: undefined };
  if (f.trackingUri !== undefined) setTrackingUri(f.trackingUri);
  const uri = getTrackingUri();
  let experimentId = process.env.MLFLOW_EXPERIMENT_ID ?? '0';
  try {
    if (f.experiment !== undefined) experimentId = (await setExperiment(f.experiment)).experiment_id;
    else await getClient().getExperiment(experimentId);
  } catch (e) {
    if (e instanceof ClientError) throw cliErrorOfClient(e, `tracking server ${uri}`);
    throw e;
  }
  const off = autolog({ logModels: false });
  try {
    return await withRun(
      {
        runName: f.runName ?? basename(specFile).replace(/\.json$/i, ''),
        tags: { 'mlflow.source.name': `cauce ${basename(specFile)}`, 'cauce.spec': specFile },
      },
      async (run) => {
        const runId = run.info.run_id;
        const client = getClient();
        try {
          const out = await body();
          const metrics = Object.entries(out.metrics).map(([key, value]) => ({ key, value }));
          if (metrics.length > 0) await client.logBatch(runId, { metrics });
          const info = await logModel(out.model, 'model', {
            client,
            runId,
            trainingFrame: train,
            registeredModelName: f.registerAs,
          });
          const logged: Logged = { runId, experimentId, trackingUri: uri, modelUri: info.modelUri };
          const v = info.registeredModelVersion;
          if (f.registerAs !== undefined && v !== undefined) {
            logged.registered = { name: f.registerAs, version: String(v.version) };
            if (f.alias !== undefined) {
              await client.setRegisteredModelAlias(f.registerAs, f.alias, v.version);
              logged.registered.alias = f.alias;
            }
          }
          return { result: out.result, logged };
        } catch (e) {
          if (e instanceof ClientError) throw cliErrorOfClient(e, `logging run ${runId}`);
          throw e;
        }
      },
    );
  } catch (e) {
    if (e instanceof ClientError) throw cliErrorOfClient(e, `tracking server ${uri}`);
    throw e;
  } finally {
    off();
  }
}
