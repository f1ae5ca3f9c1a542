// @cauce/client — the TypeScript SDK for any MLflow-protocol tracking server: runs, metrics, artifacts,
// the model registry, runs:/ and models:/ URIs, the MLflow model format and autolog for @cauce/ml.
export const PACKAGE = '@cauce/client';

// errors and transport
export { ClientError } from './http/errors.js';
export type { ClientErrorCode } from './http/errors.js';
export { Transport, envAuthHeaders, normaliseTrackingUri } from './http/transport.js';
export type { TransportOptions, RetryOptions } from './http/transport.js';
export { resolveTrackingUri, DEFAULT_TRACKING_URI } from './tracking-uri.js';

// the client
export { TrackingClient, chunkBatch, paramString, toWireDouble, fromWireDouble } from './tracking.js';
export type { MetricInput, Page, SearchRunsOptions } from './tracking.js';
export { MlflowClient } from './client.js';
export { parseRunsUri, parseModelUri } from './uris.js';
export type { ModelRef } from './uris.js';
export { joinArtifactPath } from './artifacts.js';

// fluent API
export {
  setTrackingUri,
  getTrackingUri,
  getClient,
  setExperiment,
  startRun,
  endRun,
  activeRun,
  withRun,
  logParam,
  logParams,
  logMetric,
  logMetrics,
  setTag,
  setTags,
  logArtifact,
  logArtifacts,
  logText,
  logDict,
  logFigure,
  _resetFluentState,
} from './fluent.js';
export type { StartRunOptions } from './fluent.js';
export { figureToSvg } from './figures.js';
export type { VegaLiteSpec } from './figures.js';

// the model format
export { saveModel, readMLmodel, signatureOf, inferSignature, FLAVOR } from './model/mlmodel.js';
export type { MLmodel, CauceFlavor, SaveModelOptions } from './model/mlmodel.js';
export { logModel, loadModel, loadModelFromDir } from './model/log-model.js';
export type { LogModelOptions, ModelInfo } from './model/log-model.js';
export { inferSchema, colSpec } from './model/signature.js';
export type { ColSpec, ModelSignature } from './model/signature.js';
export { profileFrame, PROFILE_FORMAT, PROFILE_VERSION } from './model/profile.js';
export type {
  DataProfile,
  ColumnProfile,
  NumericProfile,
  CategoricalProfile,
  VectorProfile,
} from './model/profile.js';

// autolog
export { autolog, disableAutolog, flushAutolog } from './autolog/autolog.js';
export type { AutologOptions } from './autolog/autolog.js';
