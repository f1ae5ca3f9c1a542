/**
 * MLflow's validation limits. Source: mlflow/mlflow `mlflow/utils/validation.py` and
 * `mlflow/store/tracking/__init__.py` (MLflow 2.14–3.x).
 */
export const LIMITS = {
  /** log-batch: metrics per request (`MAX_METRICS_PER_BATCH`). */
  maxMetricsPerBatch: 1000,
  /** log-batch: params per request and tags per request (`MAX_PARAMS_TAGS_PER_BATCH`). */
  maxParamsTagsPerBatch: 100,
  /** log-batch: metrics + params + tags (`MAX_ENTITIES_PER_BATCH`). */
  maxEntitiesPerBatch: 1000,
  /** log-batch: request body size in bytes (`MAX_BATCH_LOG_REQUEST_SIZE`). */
  maxBatchLogRequestSize: 1_000_000,
  /** log-inputs: datasets per request. */
  maxDatasetsPerBatch: 1000,
  maxEntityKeyLength: 250,
  maxParamValueLength: 6000,
  maxTagValueLength: 5000,
  maxExperimentNameLength: 500,
  maxExperimentTagKeyLength: 250,
  maxExperimentTagValueLength: 5000,
  maxDatasetNameLength: 500,
  maxDatasetDigestLength: 36,
  maxDatasetSourceLength: 65535,
  maxDatasetSchemaLength: 1_048_575,
  maxDatasetProfileLength: 16_777_215,
  maxInputTagKeyLength: 255,
  maxInputTagValueLength: 500,
  /** search-runs: default page size and the hard cap (`SEARCH_MAX_RESULTS_*`). */
  searchRunsDefault: 1000,
  searchRunsMax: 50_000,
  /** search-experiments: page size cap (`MAX_EXPERIMENTS_LISTED_PER_PAGE`). */
  searchExperimentsDefault: 1000,
  searchExperimentsMax: 50_000,
  /** search logged models. */
  searchLoggedModelsDefault: 100,
  searchLoggedModelsMax: 1000,
  /** metrics/get-history page cap (`GET_METRIC_HISTORY_MAX_RESULTS`). */
  metricHistoryMax: 25_000,
  /** get-history-bulk-interval: run ids per request, points per run (default is what the UI asks for). */
  bulkIntervalMaxRuns: 100,
  bulkIntervalDefaultResults: 320,
  bulkIntervalMaxResults: 1000,
  /** artifacts/list page size. */
  artifactListMax: 1000,
} as const;

/** Characters allowed in metric, param and tag keys: `^[/\w.\- ]*$` (validation.py `_VALID_PARAM_AND_METRIC_NAMES`). */
export const KEY_PATTERN = /^[/\w.\- ]*$/;
/** Run ids (`_RUN_ID_REGEX`). */
export const RUN_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,255}$/;
/** Experiment ids (`_EXPERIMENT_ID_REGEX`). */
export const EXPERIMENT_ID_PATTERN = /^[a-zA-Z0-9][\w-]{0,63}$/;
/** MLflow stores +Inf / -Inf metric values as ±DBL_MAX (sqlalchemy_store `_get_metric_value_details`). */
export const INFINITY_SURROGATE = 1.7976931348623157e308;
