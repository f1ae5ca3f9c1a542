/**
 * Table shapes of the SQL tracking store (what Kysely sees). Names follow MLflow's SQL schema
 * (mlflow/store/db_migrations) where a table has an MLflow counterpart, so a reader of one
 * recognises the other. Timestamps are epoch milliseconds in int8 columns; booleans are 0/1.
 */
import type { Generated } from 'kysely';

export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentTagsTable {
  experiment_id: number;
  key: string;
  value: string;
}

export interface RunsTable {
  run_uuid: string;
  name: string;
  experiment_id: number;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
}

export interface KeyValueRow {
  run_uuid: string;
  key: string;
  value: string;
}

/** Every logged point. The primary key doubles as the history index (run, key, step, timestamp). */
export interface MetricsTable {
  run_uuid: string;
  key: string;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
}

/** One row per (run, key): the point with the greatest (step, timestamp, value), kept on insert. */
export type LatestMetricsTable = MetricsTable;

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

export interface RunInputsTable {
  run_uuid: string;
  dataset_uuid: string;
  /** Value of the input tag `mlflow.data.context` (what `datasets.context` filters on). */
  context: string | null;
  /** All input tags as a JSON array of {key, value}. */
  tags_json: string;
}

export interface RunModelIoTable {
  run_uuid: string;
  model_id: string;
  /** 'input' or 'output'. */
  direction: string;
  step: number;
}

export interface LoggedModelsTable {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: string;
  lifecycle_stage: string;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

export interface LoggedModelKeyValueRow {
  model_id: string;
  key: string;
  value: string;
}

export interface LoggedModelMetricsTable {
  model_id: string;
  key: string;
  step: number;
  timestamp: number;
  value: number;
  is_nan: number;
  run_uuid: string;
  dataset_name: string;
  dataset_digest: string;
}

export interface Database {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  params: KeyValueRow;
  tags: KeyValueRow;
  metrics: MetricsTable;
  latest_metrics: LatestMetricsTable;
  datasets: DatasetsTable;
  run_inputs: RunInputsTable;
  run_model_io: RunModelIoTable;
  logged_models: LoggedModelsTable;
  logged_model_tags: LoggedModelKeyValueRow;
  logged_model_params: LoggedModelKeyValueRow;
  logged_model_metrics: LoggedModelMetricsTable;
}
