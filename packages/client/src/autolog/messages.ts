/**
 * What autolog on the fit's thread tells its logging thread (recorder.ts), and the answers. Plain,
 * structured-cloneable data: nothing here refers to an @cauce/ml object.
 */
import type { Dataset, Run } from '@cauce/protocol';
import type { VegaLiteSpec } from '../figures.js';
import type { TransportOptions } from '../http/transport.js';
import type { MLmodel } from '../model/mlmodel.js';
import type { ProfileInput } from '../model/profile.js';
import type { TuningPlanData } from './tuning-plan.js';

export interface ClientSpec {
  trackingUri: string;
  transport: TransportOptions;
}

/** The child runs of a CrossValidator / TrainValidationSplit fit, known when it starts. */
export interface TuningStart {
  cv: boolean;
  /** The evaluator's direction (which map is best). */
  larger: boolean;
  metric: string;
  metricKey: string;
  /** Each map's params, keyed as autolog logs them. */
  maps: Array<Record<string, unknown>>;
}

/** A top-level fit starts: open (or join) the run, log the dataset, params and tags, start the children. */
export interface BeginMessage {
  type: 'begin';
  id: number;
  client: ClientSpec;
  experimentId: string;
  /** The run to log into (the fluent API's active run); otherwise one is created. */
  active?: Run;
  runName: string;
  tags: Record<string, string>;
  params: Record<string, unknown>;
  dataset: Dataset;
  tuning?: TuningStart;
  /** The training frame's sample for profile.json, computed while the fit runs. */
  profile?: ProfileInput;
  /** Plots are wanted (the tuning plots are drawn ahead, as soon as the last trial is in). */
  plots: boolean;
  /**
   * The model directory's files that depend only on the training frame — the input examples now, the
   * profile of `profileColumns` once computed — uploaded while the fit runs into a run autolog creates;
   * `finish` sends only what differs (issue 8: fewer requests while the caller waits).
   */
  modelAhead?: { artifactPath: string; files: Array<[string, string]>; profileColumns: string[] };
}

/** One (split, map) trial is scored (ml's fitProgress of the validator). */
export interface TrialMessage {
  type: 'trial';
  id: number;
  paramIndex: number;
  fold: number;
  metric: number;
  trials: number;
}

/** The fit is over: log its result (or mark it FAILED) and end the run autolog opened. */
export interface FinishMessage {
  type: 'finish';
  id: number;
  failed: boolean;
  /**
   * Training metrics of the fitted model (summaries), or undefined when a `metrics` message follows: the
   * fit's thread computes them (ml scores the training rows) while the logging thread starts on the rest.
   */
  metrics?: Record<string, number>;
  plan?: TuningPlanData;
  maxTuningRuns: number;
  model?: {
    artifactPath: string;
    mlmodel: MLmodel;
    files: Map<string, Uint8Array | string>;
    profileColumns?: string[];
    registeredModelName?: string;
  };
  plots: Array<[string, VegaLiteSpec]>;
  /** What to call the fitted model in a warning. */
  what: string;
}

/** The training metrics a `finish` without them announced. */
export interface MetricsMessage {
  type: 'metrics';
  id: number;
  metrics: Record<string, number>;
}

/** Plots of the fitted model, sent as soon as they are known so they are drawn while the rest is described. */
export interface DrawMessage {
  type: 'draw';
  id: number;
  plots: Array<[string, VegaLiteSpec]>;
}

/** SIGINT / SIGTERM: end every open run and child KILLED. */
export interface KillMessage {
  type: 'kill';
  id: number;
}

/** To the logging thread itself, not its recorder: start the plot threads now (autolog() with plots). */
export interface WarmPlots {
  type: 'warm-plots';
}

export type ToRecorder =
  BeginMessage | TrialMessage | FinishMessage | MetricsMessage | DrawMessage | KillMessage;

export type FromRecorder =
  | { type: 'ready' }
  | { type: 'done'; id: number; runId: string | undefined }
  | { type: 'killed'; id: number }
  | { type: 'warn'; message: string };
