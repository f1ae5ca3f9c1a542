/**
 * The tracking store contract. Every backend (today: one SQL implementation serving SQLite and
 * PostgreSQL) must honour what is written here; the HTTP layer relies on nothing else.
 *
 * Errors: methods throw `MlflowError` from @cauce/protocol — RESOURCE_DOES_NOT_EXIST for a missing
 * experiment/run/model, RESOURCE_ALREADY_EXISTS for a name clash, INVALID_PARAMETER_VALUE for
 * everything the caller got wrong (bad filter, bad page token, mutating a deleted run, changing a
 * param). Any other exception is a bug.
 *
 * Paging: list/search calls take `maxResults` and an opaque `pageToken` and return
 * `nextPageToken` when more rows may follow (absent on the last page). Tokens are MLflow's
 * (base64 of `{"offset": N}`); a token that does not decode is INVALID_PARAMETER_VALUE. Pages are
 * computed against the database at call time, so rows inserted between calls may shift pages — the
 * same guarantee MLflow gives.
 *
 * Ordering: search-runs defaults to `start_time DESC, run_id ASC`. With order_by clauses, they
 * apply in order, then the default order breaks ties, so the order is total and pages are stable.
 * Null (missing) values and NaN metrics sort LAST in both directions. Experiments default to
 * `creation_time DESC, experiment_id ASC`.
 *
 * Filters: MLflow's search grammar (see ../search/) plus OR, parentheses and IS [NOT] NULL. A
 * clause on a metric/param/tag that a run does not have is false (also for `!=`); metric clauses
 * use the run's latest value of that metric (greatest step, then timestamp). NaN never compares
 * true.
 *
 * Atomicity: `logBatch` is all-or-nothing (one transaction); params are immutable — re-logging the
 * same key with the same value is a no-op, with a different value it fails the whole batch. An
 * identical metric point (run, key, step, timestamp, value) logged twice is stored once, so a
 * client may retry a batch safely.
 *
 * Statelessness: implementations keep no cache of mutable state between calls, so any number of
 * server processes on one PostgreSQL behave as one server; races are settled by constraints and
 * transactions.
 *
 * Durability: a method that returned has committed its writes.
 */
import type {
  Dataset,
  Experiment,
  InputTag,
  KeyValue,
  LoggedModel,
  LoggedModelStatus,
  Metric,
  MetricWithRunId,
  ModelOutput,
  Run,
  RunInfo,
  RunStatus,
  ViewType,
} from '@cauce/protocol';

/** A metric point as the store takes it: value is any JS number (NaN and ±Infinity allowed). */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  /** MLflow 3: the logged model this value describes (also stored on the model). */
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface SearchRunsQuery {
  experimentIds: string[];
  filter?: string;
  viewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchExperimentsQuery {
  filter?: string;
  viewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchLoggedModelsQuery {
  experimentIds: string[];
  filter?: string;
  maxResults?: number;
  orderBy?: { field_name: string; ascending?: boolean }[];
  pageToken?: string;
}

export interface CreateRunInput {
  experimentId: string;
  userId: string;
  runName?: string;
  startTime: number;
  tags: KeyValue[];
}

export interface CreateLoggedModelInput {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params: KeyValue[];
  tags: KeyValue[];
}

export interface GcOptions {
  /** Only runs/experiments deleted at least this many milliseconds ago. */
  olderThanMs?: number;
  experimentIds?: string[];
  runIds?: string[];
}

export interface GcResult {
  runIds: string[];
  experimentIds: string[];
  /** Artifact roots of everything removed, so the caller can delete the files too. */
  artifactUris: string[];
}

export interface TrackingStore {
  readonly dialect: 'sqlite' | 'postgres';

  createExperiment(name: string, artifactLocation: string | undefined, tags: KeyValue[]): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment>;
  searchExperiments(query: SearchExperimentsQuery): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  /** Marks the experiment and its runs deleted (restorable until `gc`). */
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: KeyValue): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  createRun(input: CreateRunInput): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  /** Status, end time and name of an active run; `runName` also rewrites the `mlflow.runName` tag. */
  updateRun(
    runId: string,
    patch: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  /** Set-based, atomic; see the contract above. Setting tag `mlflow.runName` renames the run. */
  logBatch(runId: string, metrics: MetricPoint[], params: KeyValue[], tags: KeyValue[]): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logInputs(
    runId: string,
    datasets: { dataset: Dataset; tags: InputTag[] }[],
    modelIds: string[],
  ): Promise<void>;
  logOutputs(runId: string, models: ModelOutput[]): Promise<void>;
  searchRuns(query: SearchRunsQuery): Promise<Page<Run>>;
  /**
   * Optional: the runs/search response body `{"runs": [...], "next_page_token": "..."}` as JSON text,
   * equal after JSON.parse to that body built from `searchRuns` (numbers may be spelled differently,
   * e.g. `5.0`, never with a different value). A store implements it when it can write the JSON more
   * cheaply than building the objects; the HTTP route prefers it.
   */
  searchRunsJson?(query: SearchRunsQuery): Promise<string>;
  /** All points of one metric of one run, ordered by step, timestamp. */
  getMetricHistory(
    runId: string,
    key: string,
    maxResults?: number,
    pageToken?: string,
  ): Promise<Page<Metric>>;
  /**
   * Sampled history for charts: over the union of the runs' steps in [startStep, endStep], at most
   * `maxResults` steps evenly spread, always including the first and last; every point at those
   * steps is returned, ordered by run (in the order given), step, timestamp.
   */
  getMetricHistoryBulkInterval(
    runIds: string[],
    key: string,
    startStep: number | undefined,
    endStep: number | undefined,
    maxResults: number,
  ): Promise<MetricWithRunId[]>;

  createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel>;
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel>;
  deleteLoggedModel(modelId: string): Promise<void>;
  setLoggedModelTags(modelId: string, tags: KeyValue[]): Promise<void>;
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>;
  logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void>;
  searchLoggedModels(query: SearchLoggedModelsQuery): Promise<Page<LoggedModel>>;

  /** Permanently removes deleted runs and experiments (with everything attached). */
  gc(options: GcOptions): Promise<GcResult>;
  close(): Promise<void>;
}
