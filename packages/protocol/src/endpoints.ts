/**
 * The endpoint table: for each tracking RPC, its HTTP method(s), its path below `/api/2.0`
 * (also served below `/ajax-api/2.0`), and the scalar/array type of each request field.
 *
 * Field types drive request decoding the way protobuf's JSON parser does for MLflow: GET query
 * strings are all text, so `int64`/`double`/`bool` fields are parsed from it and a repeated key
 * (`?experiment_ids=1&experiment_ids=2`) becomes an array; JSON bodies accept int64 as a number or a
 * decimal string (proto3 JSON prints int64 as a string) and double as a number or "NaN"/"Infinity".
 * Fields not listed are ignored, as protobuf parsing ignores unknown fields.
 * Source: mlflow/mlflow `mlflow/protos/service.proto` (the `rpc ... endpoints` options).
 */
import type { EndpointName } from './messages.js';

export type FieldType = 'string' | 'int64' | 'double' | 'bool' | 'string[]' | 'object' | 'object[]';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface EndpointSpec {
  name: EndpointName;
  methods: readonly HttpMethod[];
  /** Path after the API prefix, with `:param` segments, e.g. `mlflow/logged-models/:model_id`. */
  path: string;
  fields: Readonly<Record<string, FieldType>>;
  /** Fields that must be present (MLflow's `[(validate_required) = true]`). */
  required: readonly string[];
}

const runRef = { run_id: 'string', run_uuid: 'string' } as const;

export const ENDPOINTS: readonly EndpointSpec[] = [
  {
    name: 'createExperiment',
    methods: ['POST'],
    path: 'mlflow/experiments/create',
    fields: { name: 'string', artifact_location: 'string', tags: 'object[]' },
    required: ['name'],
  },
  {
    name: 'searchExperiments',
    methods: ['POST', 'GET'],
    path: 'mlflow/experiments/search',
    fields: {
      max_results: 'int64',
      page_token: 'string',
      filter: 'string',
      order_by: 'string[]',
      view_type: 'string',
    },
    required: [],
  },
  {
    name: 'getExperiment',
    methods: ['GET'],
    path: 'mlflow/experiments/get',
    fields: { experiment_id: 'string' },
    required: ['experiment_id'],
  },
  {
    name: 'getExperimentByName',
    methods: ['GET'],
    path: 'mlflow/experiments/get-by-name',
    fields: { experiment_name: 'string' },
    required: ['experiment_name'],
  },
  {
    name: 'updateExperiment',
    methods: ['POST'],
    path: 'mlflow/experiments/update',
    fields: { experiment_id: 'string', new_name: 'string' },
    required: ['experiment_id'],
  },
  {
    name: 'deleteExperiment',
    methods: ['POST'],
    path: 'mlflow/experiments/delete',
    fields: { experiment_id: 'string' },
    required: ['experiment_id'],
  },
  {
    name: 'restoreExperiment',
    methods: ['POST'],
    path: 'mlflow/experiments/restore',
    fields: { experiment_id: 'string' },
    required: ['experiment_id'],
  },
  {
    name: 'setExperimentTag',
    methods: ['POST'],
    path: 'mlflow/experiments/set-experiment-tag',
    fields: { experiment_id: 'string', key: 'string', value: 'string' },
    required: ['experiment_id', 'key', 'value'],
  },
  {
    name: 'deleteExperimentTag',
    methods: ['POST'],
    path: 'mlflow/experiments/delete-experiment-tag',
    fields: { experiment_id: 'string', key: 'string' },
    required: ['experiment_id', 'key'],
  },
  {
    name: 'createRun',
    methods: ['POST'],
    path: 'mlflow/runs/create',
    fields: {
      experiment_id: 'string',
      user_id: 'string',
      run_name: 'string',
      start_time: 'int64',
      tags: 'object[]',
    },
    required: [],
  },
  {
    name: 'updateRun',
    methods: ['POST'],
    path: 'mlflow/runs/update',
    fields: { ...runRef, status: 'string', end_time: 'int64', run_name: 'string' },
    required: [],
  },
  {
    name: 'deleteRun',
    methods: ['POST'],
    path: 'mlflow/runs/delete',
    fields: { run_id: 'string' },
    required: ['run_id'],
  },
  {
    name: 'restoreRun',
    methods: ['POST'],
    path: 'mlflow/runs/restore',
    fields: { run_id: 'string' },
    required: ['run_id'],
  },
  { name: 'getRun', methods: ['GET'], path: 'mlflow/runs/get', fields: { ...runRef }, required: [] },
  {
    name: 'searchRuns',
    methods: ['POST'],
    path: 'mlflow/runs/search',
    fields: {
      experiment_ids: 'string[]',
      filter: 'string',
      run_view_type: 'string',
      max_results: 'int64',
      order_by: 'string[]',
      page_token: 'string',
    },
    required: [],
  },
  {
    name: 'logMetric',
    methods: ['POST'],
    path: 'mlflow/runs/log-metric',
    fields: {
      ...runRef,
      key: 'string',
      value: 'double',
      timestamp: 'int64',
      step: 'int64',
      model_id: 'string',
      dataset_name: 'string',
      dataset_digest: 'string',
    },
    required: ['key', 'value', 'timestamp'],
  },
  {
    name: 'logParam',
    methods: ['POST'],
    path: 'mlflow/runs/log-parameter',
    fields: { ...runRef, key: 'string', value: 'string' },
    required: ['key', 'value'],
  },
  {
    name: 'logBatch',
    methods: ['POST'],
    path: 'mlflow/runs/log-batch',
    fields: { run_id: 'string', metrics: 'object[]', params: 'object[]', tags: 'object[]' },
    required: ['run_id'],
  },
  {
    name: 'setTag',
    methods: ['POST'],
    path: 'mlflow/runs/set-tag',
    fields: { ...runRef, key: 'string', value: 'string' },
    required: ['key', 'value'],
  },
  {
    name: 'deleteTag',
    methods: ['POST'],
    path: 'mlflow/runs/delete-tag',
    fields: { run_id: 'string', key: 'string' },
    required: ['run_id', 'key'],
  },
  {
    name: 'logInputs',
    methods: ['POST'],
    path: 'mlflow/runs/log-inputs',
    fields: { run_id: 'string', datasets: 'object[]', models: 'object[]' },
    required: ['run_id'],
  },
  {
    name: 'logModel',
    methods: ['POST'],
    path: 'mlflow/runs/log-model',
    fields: { run_id: 'string', model_json: 'string' },
    required: ['run_id', 'model_json'],
  },
  {
    name: 'logOutputs',
    methods: ['POST'],
    path: 'mlflow/runs/outputs',
    fields: { run_id: 'string', models: 'object[]' },
    required: ['run_id'],
  },
  {
    name: 'getMetricHistory',
    methods: ['GET'],
    path: 'mlflow/metrics/get-history',
    fields: { ...runRef, metric_key: 'string', page_token: 'string', max_results: 'int64' },
    required: ['metric_key'],
  },
  {
    name: 'getMetricHistoryBulkInterval',
    methods: ['GET'],
    path: 'mlflow/metrics/get-history-bulk-interval',
    fields: {
      run_ids: 'string[]',
      metric_key: 'string',
      start_step: 'int64',
      end_step: 'int64',
      max_results: 'int64',
    },
    required: ['run_ids', 'metric_key'],
  },
  {
    name: 'listArtifacts',
    methods: ['GET'],
    path: 'mlflow/artifacts/list',
    fields: { ...runRef, path: 'string', page_token: 'string' },
    required: [],
  },
  {
    name: 'createLoggedModel',
    methods: ['POST'],
    path: 'mlflow/logged-models',
    fields: {
      experiment_id: 'string',
      name: 'string',
      model_type: 'string',
      source_run_id: 'string',
      params: 'object[]',
      tags: 'object[]',
    },
    required: ['experiment_id'],
  },
  {
    name: 'searchLoggedModels',
    methods: ['POST'],
    path: 'mlflow/logged-models/search',
    fields: {
      experiment_ids: 'string[]',
      filter: 'string',
      datasets: 'object[]',
      max_results: 'int64',
      order_by: 'object[]',
      page_token: 'string',
    },
    required: [],
  },
  {
    name: 'getLoggedModel',
    methods: ['GET'],
    path: 'mlflow/logged-models/:model_id',
    fields: { model_id: 'string' },
    required: ['model_id'],
  },
  {
    name: 'finalizeLoggedModel',
    methods: ['PATCH'],
    path: 'mlflow/logged-models/:model_id',
    fields: { model_id: 'string', status: 'string' },
    required: ['model_id', 'status'],
  },
  {
    name: 'deleteLoggedModel',
    methods: ['DELETE'],
    path: 'mlflow/logged-models/:model_id',
    fields: { model_id: 'string' },
    required: ['model_id'],
  },
  {
    name: 'setLoggedModelTags',
    methods: ['PATCH'],
    path: 'mlflow/logged-models/:model_id/tags',
    fields: { model_id: 'string', tags: 'object[]' },
    required: ['model_id'],
  },
  {
    name: 'deleteLoggedModelTag',
    methods: ['DELETE'],
    path: 'mlflow/logged-models/:model_id/tags/:tag_key',
    fields: { model_id: 'string', tag_key: 'string' },
    required: ['model_id', 'tag_key'],
  },
  {
    name: 'logLoggedModelParams',
    methods: ['POST'],
    path: 'mlflow/logged-models/:model_id/params',
    fields: { model_id: 'string', params: 'object[]' },
    required: ['model_id'],
  },
];

/** The two prefixes MLflow serves the tracking API under (the UI uses the ajax one). */
export const API_PREFIXES = ['/api/2.0/', '/ajax-api/2.0/'] as const;
/** The artifact proxy's prefix (`mlflow-artifacts:/x` resolves to `<server>/api/2.0/mlflow-artifacts/artifacts/x`). */
export const ARTIFACTS_PROXY_PREFIX = '/api/2.0/mlflow-artifacts/artifacts';

export function endpointByName(name: EndpointName): EndpointSpec {
  const spec = ENDPOINTS.find((e) => e.name === name);
  if (!spec) throw new Error(`unknown endpoint ${name}`);
  return spec;
}
