/**
 * MLflow tracking entities as they travel over the wire (the JSON form of the messages in
 * mlflow/mlflow `mlflow/protos/service.proto`). Field names are MLflow's, verbatim.
 */

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
export const VIEW_TYPES: readonly ViewType[] = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];

export interface KeyValue {
  key: string;
  value: string;
}
export type ExperimentTag = KeyValue;
export type RunTag = KeyValue;
export type Param = KeyValue;
export type InputTag = KeyValue;

/**
 * A metric value on the wire: a number, or one of the proto3 JSON spellings of non-finite
 * doubles ("NaN", "Infinity", "-Infinity") that protobuf's JSON printer emits.
 */
export type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity';

export interface Metric {
  key: string;
  value: WireDouble;
  timestamp: number;
  step: number;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time: number;
  creation_time: number;
  tags: ExperimentTag[];
}

export interface RunInfo {
  run_id: string;
  /** Deprecated duplicate of run_id that MLflow still sends. */
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags: InputTag[];
  dataset: Dataset;
}

export interface ModelInput {
  model_id: string;
}

export interface ModelOutput {
  model_id: string;
  step: number;
}

export interface RunInputs {
  dataset_inputs: DatasetInput[];
  model_inputs: ModelInput[];
}

export interface RunOutputs {
  model_outputs: ModelOutput[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
  outputs: RunOutputs;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** MLflow 3 logged models (service.proto `LoggedModel*`). */
export type LoggedModelStatus =
  | 'LOGGED_MODEL_STATUS_UNSPECIFIED'
  | 'LOGGED_MODEL_PENDING'
  | 'LOGGED_MODEL_READY'
  | 'LOGGED_MODEL_UPLOAD_FAILED';
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
];

export interface LoggedModelInfo {
  model_id: string;
  experiment_id: string;
  name: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  artifact_uri: string;
  status: LoggedModelStatus;
  creator_id?: string;
  model_type?: string;
  source_run_id?: string;
  status_message?: string;
  tags: KeyValue[];
}

export interface LoggedModelMetric {
  key: string;
  value: WireDouble;
  timestamp: number;
  step: number;
  run_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface LoggedModelData {
  params: KeyValue[];
  metrics: LoggedModelMetric[];
}

export interface LoggedModel {
  info: LoggedModelInfo;
  data: LoggedModelData;
}
