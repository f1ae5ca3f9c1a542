/**
 * Request and response bodies of the tracking endpoints, keyed by endpoint name (the RPC names of
 * mlflow/mlflow `mlflow/protos/service.proto`). Optional fields are optional on the wire too.
 */
import type {
  Dataset,
  Experiment,
  FileInfo,
  InputTag,
  KeyValue,
  LoggedModel,
  LoggedModelStatus,
  Metric,
  MetricWithRunId,
  ModelInput,
  ModelOutput,
  Run,
  RunInfo,
  RunStatus,
  ViewType,
  WireDouble,
} from './entities.js';

/** Every endpoint that takes a run accepts `run_id` and the deprecated `run_uuid`. */
interface RunRef {
  run_id?: string;
  run_uuid?: string;
}

export interface EndpointTypes {
  createExperiment: {
    req: { name: string; artifact_location?: string; tags?: KeyValue[] };
    res: { experiment_id: string };
  };
  searchExperiments: {
    req: {
      max_results?: number;
      page_token?: string;
      filter?: string;
      order_by?: string[];
      view_type?: ViewType;
    };
    res: { experiments: Experiment[]; next_page_token?: string };
  };
  getExperiment: { req: { experiment_id: string }; res: { experiment: Experiment } };
  getExperimentByName: { req: { experiment_name: string }; res: { experiment: Experiment } };
  updateExperiment: { req: { experiment_id: string; new_name?: string }; res: Record<string, never> };
  deleteExperiment: { req: { experiment_id: string }; res: Record<string, never> };
  restoreExperiment: { req: { experiment_id: string }; res: Record<string, never> };
  setExperimentTag: {
    req: { experiment_id: string; key: string; value: string };
    res: Record<string, never>;
  };
  deleteExperimentTag: { req: { experiment_id: string; key: string }; res: Record<string, never> };
  createRun: {
    req: {
      experiment_id?: string;
      user_id?: string;
      run_name?: string;
      start_time?: number;
      tags?: KeyValue[];
    };
    res: { run: Run };
  };
  updateRun: {
    req: RunRef & { status?: RunStatus; end_time?: number; run_name?: string };
    res: { run_info: RunInfo };
  };
  deleteRun: { req: { run_id: string }; res: Record<string, never> };
  restoreRun: { req: { run_id: string }; res: Record<string, never> };
  getRun: { req: RunRef; res: { run: Run } };
  searchRuns: {
    req: {
      experiment_ids?: string[];
      filter?: string;
      run_view_type?: ViewType;
      max_results?: number;
      order_by?: string[];
      page_token?: string;
    };
    res: { runs: Run[]; next_page_token?: string };
  };
  logMetric: {
    req: RunRef & {
      key: string;
      value: WireDouble;
      timestamp: number;
      step?: number;
      model_id?: string;
      dataset_name?: string;
      dataset_digest?: string;
    };
    res: Record<string, never>;
  };
  logParam: { req: RunRef & { key: string; value: string }; res: Record<string, never> };
  logBatch: {
    req: { run_id: string; metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
    res: Record<string, never>;
  };
  setTag: { req: RunRef & { key: string; value: string }; res: Record<string, never> };
  deleteTag: { req: { run_id: string; key: string }; res: Record<string, never> };
  logInputs: {
    req: { run_id: string; datasets?: { tags?: InputTag[]; dataset: Dataset }[]; models?: ModelInput[] };
    res: Record<string, never>;
  };
  logModel: { req: { run_id: string; model_json: string }; res: Record<string, never> };
  logOutputs: { req: { run_id: string; models: ModelOutput[] }; res: Record<string, never> };
  getMetricHistory: {
    req: RunRef & { metric_key: string; page_token?: string; max_results?: number };
    res: { metrics: Metric[]; next_page_token?: string };
  };
  getMetricHistoryBulkInterval: {
    req: {
      run_ids: string[];
      metric_key: string;
      start_step?: number;
      end_step?: number;
      max_results?: number;
    };
    res: { metrics: MetricWithRunId[] };
  };
  listArtifacts: {
    req: RunRef & { path?: string; page_token?: string };
    res: { root_uri: string; files: FileInfo[]; next_page_token?: string };
  };
  createLoggedModel: {
    req: {
      experiment_id: string;
      name?: string;
      model_type?: string;
      source_run_id?: string;
      params?: KeyValue[];
      tags?: KeyValue[];
    };
    res: { model: LoggedModel };
  };
  getLoggedModel: { req: { model_id: string }; res: { model: LoggedModel } };
  finalizeLoggedModel: { req: { model_id: string; status: LoggedModelStatus }; res: { model: LoggedModel } };
  deleteLoggedModel: { req: { model_id: string }; res: Record<string, never> };
  setLoggedModelTags: { req: { model_id: string; tags: KeyValue[] }; res: Record<string, never> };
  deleteLoggedModelTag: { req: { model_id: string; tag_key: string }; res: Record<string, never> };
  logLoggedModelParams: { req: { model_id: string; params: KeyValue[] }; res: Record<string, never> };
  searchLoggedModels: {
    req: {
      experiment_ids: string[];
      filter?: string;
      datasets?: { dataset_name: string; dataset_digest?: string }[];
      max_results?: number;
      order_by?: {
        field_name: string;
        ascending?: boolean;
        dataset_name?: string;
        dataset_digest?: string;
      }[];
      page_token?: string;
    };
    res: { models: LoggedModel[]; next_page_token?: string };
  };
}

export type EndpointName = keyof EndpointTypes;
export type RequestOf<N extends EndpointName> = EndpointTypes[N]['req'];
export type ResponseOf<N extends EndpointName> = EndpointTypes[N]['res'];
