export type {
  LifecycleStage,
  RunStatus,
  ViewType,
  KeyValue,
  ExperimentTag,
  RunTag,
  Param,
  InputTag,
  WireDouble,
  Metric,
  MetricWithRunId,
  Experiment,
  RunInfo,
  RunData,
  Dataset,
  DatasetInput,
  ModelInput,
  ModelOutput,
  RunInputs,
  RunOutputs,
  Run,
  FileInfo,
  LoggedModelStatus,
  LoggedModelInfo,
  LoggedModelMetric,
  LoggedModelData,
  LoggedModel,
} from './entities.js';
export { RUN_STATUSES, VIEW_TYPES, LOGGED_MODEL_STATUSES } from './entities.js';
export { ERROR_CODE_TO_HTTP_STATUS, MlflowError, httpStatusForErrorCode, isErrorBody } from './errors.js';
export type { ErrorCode, ErrorBody } from './errors.js';
export { LIMITS, KEY_PATTERN, RUN_ID_PATTERN, EXPERIMENT_ID_PATTERN, INFINITY_SURROGATE } from './limits.js';
export { ENDPOINTS, API_PREFIXES, ARTIFACTS_PROXY_PREFIX, endpointByName } from './endpoints.js';
export type { EndpointSpec, FieldType, HttpMethod } from './endpoints.js';
export type { EndpointTypes, EndpointName, RequestOf, ResponseOf } from './messages.js';
export { MlflowHttpClient, toQueryString } from './http-client.js';
export type { MlflowHttpClientOptions } from './http-client.js';
// registry/auth (H7)
export type {
  ModelStage,
  ModelVersionStatus,
  RegisteredModelAlias,
  ModelVersion,
  RegisteredModel,
  PermissionLevel,
  ExperimentPermission,
  RegisteredModelPermission,
  User,
  WebhookEvent,
  Webhook,
  WebhookDelivery,
} from './registry-entities.js';
export {
  MODEL_STAGES,
  MODEL_VERSION_STATUSES,
  PERMISSION_LEVELS,
  WEBHOOK_EVENTS,
} from './registry-entities.js';
export { REGISTRY_ENDPOINTS, AUTH_ENDPOINTS, WEBHOOK_ENDPOINTS } from './registry-endpoints.js';
export type { RegistryEndpointSpec } from './registry-endpoints.js';
