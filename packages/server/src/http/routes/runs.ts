/** Run endpoints (MLflow REST API 2.0 `runs/*`): lifecycle, logging, search, inputs and outputs. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LIMITS, MlflowError, type Dataset, type InputTag } from '@cauce/protocol';
import {
  parseInt64,
  validateBatchLimits,
  validateKey,
  validateLength,
  validateMaxResults,
  validateMetric,
  validateParams,
  validateRunId,
  validateRunStatus,
  validateTags,
  validateViewType,
} from '../../validation.js';
import type { MetricPoint } from '../../store/tracking-store.js';
import { endpoint, list, num, runIdOf, str, type ServerContext } from '../route.js';

const MODEL_HISTORY_TAG = 'mlflow.log-model.history';

function bodySize(req: FastifyRequest): number {
  const header = req.headers['content-length'];
  if (header !== undefined && /^\d+$/.test(header)) return Number(header);
  return Buffer.byteLength(JSON.stringify(req.body ?? {}));
}

function validateDataset(raw: unknown, i: number): { dataset: Dataset; tags: InputTag[] } {
  const entry = (raw ?? {}) as { dataset?: unknown; tags?: unknown };
  const d = entry.dataset as Record<string, unknown> | undefined;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) {
    throw MlflowError.invalid(
      `datasets[${i}].dataset must be an object with name, digest, source_type and source.`,
    );
  }
  const field = (name: string, limit: number, required: boolean): string | undefined => {
    const v = d[name];
    if (v === undefined || v === null) {
      if (required)
        throw MlflowError.invalid(`Missing value for required parameter 'datasets[${i}].dataset.${name}'.`);
      return undefined;
    }
    if (typeof v !== 'string') throw MlflowError.invalid(`datasets[${i}].dataset.${name} must be a string.`);
    return validateLength(`Dataset ${name}`, v, limit);
  };
  const dataset: Dataset = {
    name: field('name', LIMITS.maxDatasetNameLength, true)!,
    digest: field('digest', LIMITS.maxDatasetDigestLength, true)!,
    source_type: field('source_type', 36, true)!,
    source: field('source', LIMITS.maxDatasetSourceLength, true)!,
  };
  const schema = field('schema', LIMITS.maxDatasetSchemaLength, false);
  const profile = field('profile', LIMITS.maxDatasetProfileLength, false);
  if (schema !== undefined) dataset.schema = schema;
  if (profile !== undefined) dataset.profile = profile;
  const rawTags = entry.tags === undefined || entry.tags === null ? [] : entry.tags;
  if (!Array.isArray(rawTags))
    throw MlflowError.invalid(`datasets[${i}].tags must be a list of {key, value}.`);
  const tags = rawTags.map((t: unknown, j: number) => {
    const kv = (t ?? {}) as { key?: unknown; value?: unknown };
    if (typeof kv.key !== 'string' || kv.key === '' || typeof kv.value !== 'string') {
      throw MlflowError.invalid(`datasets[${i}].tags[${j}] must be {"key": string, "value": string}.`);
    }
    validateLength('Input tag key', kv.key, LIMITS.maxInputTagKeyLength);
    validateLength('Input tag value', kv.value, LIMITS.maxInputTagValueLength);
    return { key: kv.key, value: kv.value };
  });
  return { dataset, tags };
}

export function runRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  endpoint(app, 'createRun', async (m) => {
    const tags = validateTags(list(m.tags));
    const userId = str(m.user_id) ?? tags.find((t) => t.key === 'mlflow.user')?.value ?? '';
    const runName = str(m.run_name);
    if (runName !== undefined) validateLength('Run name', runName, 250);
    const startTime = num(m.start_time) ?? Date.now();
    const run = await store.createRun({
      experimentId: str(m.experiment_id) || '0',
      userId,
      runName,
      startTime,
      tags,
    });
    return { run };
  });
  endpoint(app, 'updateRun', async (m) => {
    const runId = runIdOf(m);
    const status = m.status === undefined ? undefined : validateRunStatus(m.status);
    const runName = str(m.run_name);
    if (runName !== undefined) validateLength('Run name', runName, 250);
    return { run_info: await store.updateRun(runId, { status, endTime: num(m.end_time), runName }) };
  });
  endpoint(app, 'deleteRun', async (m) => {
    await store.deleteRun(runIdOf(m));
    return {};
  });
  endpoint(app, 'restoreRun', async (m) => {
    await store.restoreRun(runIdOf(m));
    return {};
  });
  endpoint(app, 'getRun', async (m) => ({ run: await store.getRun(runIdOf(m)) }));
  endpoint(app, 'searchRuns', async (m) => {
    const query = {
      experimentIds: (list(m.experiment_ids) as string[] | undefined) ?? [],
      filter: str(m.filter),
      viewType: validateViewType('run_view_type', m.run_view_type),
      maxResults: validateMaxResults(num(m.max_results), LIMITS.searchRunsDefault, LIMITS.searchRunsMax),
      orderBy: list(m.order_by) as string[] | undefined,
      pageToken: str(m.page_token),
    };
    // A page can hold 1,000+ full runs: a store that writes the body as JSON text itself skips
    // building and serialising ~30 objects per run (the reply is sent as is, typed application/json).
    if (store.searchRunsJson) return store.searchRunsJson(query);
    const page = await store.searchRuns(query);
    return { runs: page.items, next_page_token: page.nextPageToken };
  });
  endpoint(app, 'logMetric', async (m) => {
    const runId = runIdOf(m);
    const metric: MetricPoint = validateMetric(m, 0);
    if (str(m.model_id)) metric.modelId = str(m.model_id);
    if (str(m.dataset_name)) metric.datasetName = str(m.dataset_name);
    if (str(m.dataset_digest)) metric.datasetDigest = str(m.dataset_digest);
    await store.logBatch(runId, [metric], [], []);
    return {};
  });
  endpoint(app, 'logParam', async (m) => {
    const params = validateParams([{ key: m.key, value: m.value }]);
    await store.logBatch(runIdOf(m), [], params, []);
    return {};
  });
  endpoint(app, 'logBatch', async (m, req) => {
    const size = bodySize(req);
    if (size > LIMITS.maxBatchLogRequestSize) {
      throw MlflowError.invalid(
        `Batched logging API requests must be at most ${LIMITS.maxBatchLogRequestSize} bytes, got a request of ${size} bytes.`,
      );
    }
    const rawMetrics = list(m.metrics) ?? [];
    const rawParams = list(m.params) ?? [];
    const rawTags = list(m.tags) ?? [];
    validateBatchLimits(rawMetrics.length, rawParams.length, rawTags.length);
    const metrics = rawMetrics.map((x, i) => {
      const metric: MetricPoint = validateMetric(x, i);
      const extra = x as Record<string, unknown>;
      if (typeof extra.model_id === 'string' && extra.model_id) metric.modelId = extra.model_id;
      if (typeof extra.dataset_name === 'string' && extra.dataset_name)
        metric.datasetName = extra.dataset_name;
      if (typeof extra.dataset_digest === 'string' && extra.dataset_digest)
        metric.datasetDigest = extra.dataset_digest;
      return metric;
    });
    await store.logBatch(
      validateRunId(runIdOf(m)),
      metrics,
      validateParams(rawParams),
      validateTags(rawTags),
    );
    return {};
  });
  endpoint(app, 'setTag', async (m) => {
    await store.logBatch(runIdOf(m), [], [], validateTags([{ key: m.key, value: m.value }]));
    return {};
  });
  endpoint(app, 'deleteTag', async (m) => {
    await store.deleteTag(runIdOf(m), validateKey('tag', m.key));
    return {};
  });
  endpoint(app, 'logInputs', async (m) => {
    const datasets = (list(m.datasets) ?? []).map(validateDataset);
    if (datasets.length > LIMITS.maxDatasetsPerBatch) {
      throw MlflowError.invalid(
        `A logging request can contain at most ${LIMITS.maxDatasetsPerBatch} datasets.`,
      );
    }
    const models = (list(m.models) ?? []).map((x, i) => {
      const id = (x as { model_id?: unknown }).model_id;
      if (typeof id !== 'string' || id === '')
        throw MlflowError.invalid(`models[${i}].model_id must be a non-empty string.`);
      return id;
    });
    await store.logInputs(runIdOf(m), datasets, models);
    return {};
  });
  endpoint(app, 'logOutputs', async (m) => {
    const models = (list(m.models) ?? []).map((x, i) => {
      const o = x as { model_id?: unknown; step?: unknown };
      if (typeof o.model_id !== 'string' || o.model_id === '') {
        throw MlflowError.invalid(`models[${i}].model_id must be a non-empty string.`);
      }
      return {
        model_id: o.model_id,
        step: o.step === undefined || o.step === null ? 0 : parseInt64(`models[${i}].step`, o.step),
      };
    });
    await store.logOutputs(runIdOf(m), models);
    return {};
  });
  endpoint(app, 'logModel', async (m) => {
    const runId = runIdOf(m);
    let model: unknown;
    try {
      model = JSON.parse(m.model_json as string);
    } catch {
      throw MlflowError.invalid('Malformed model info. model_json must be a JSON object.');
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) {
      throw MlflowError.invalid('Malformed model info. model_json must be a JSON object.');
    }
    // MLflow's `_log_model` handler requires these fields of the MLmodel description.
    const missing = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((k) => !(k in model));
    if (missing.length > 0) {
      throw MlflowError.invalid(`Model json is missing mandatory fields: ${missing.join(', ')}`);
    }
    // Like MLflow's SQL store, the run keeps a JSON list of its logged models in a tag.
    const run = await store.getRun(runId);
    const prev = run.data.tags.find((t) => t.key === MODEL_HISTORY_TAG)?.value;
    let history: unknown[] = [];
    try {
      const parsed: unknown = prev ? JSON.parse(prev) : [];
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      history = [];
    }
    history.push(model);
    let value: string;
    try {
      value = JSON.stringify(history);
    } catch {
      // JSON.stringify overflows the stack on absurdly deep input that JSON.parse accepted.
      throw MlflowError.invalid('Malformed model info. model_json is nested too deeply.');
    }
    await store.logBatch(runId, [], [], [{ key: MODEL_HISTORY_TAG, value }]);
    return {};
  });
  endpoint(app, 'getMetricHistory', async (m) => {
    const runId = runIdOf(m);
    const key = m.metric_key as string;
    const max =
      m.max_results === undefined
        ? undefined
        : validateMaxResults(num(m.max_results), 0, LIMITS.metricHistoryMax);
    const page = await store.getMetricHistory(runId, key, max, str(m.page_token));
    return { metrics: page.items, next_page_token: page.nextPageToken };
  });
  endpoint(app, 'getMetricHistoryBulkInterval', async (m) => {
    const runIds = m.run_ids as string[];
    if (runIds.length > LIMITS.bulkIntervalMaxRuns) {
      throw MlflowError.invalid(
        `GetMetricHistoryBulkInterval request must specify at most ${LIMITS.bulkIntervalMaxRuns} run_ids. Received ${runIds.length} run_ids.`,
      );
    }
    const maxResults = validateMaxResults(
      num(m.max_results),
      LIMITS.bulkIntervalDefaultResults,
      LIMITS.bulkIntervalMaxResults,
    );
    const start = num(m.start_step);
    const end = num(m.end_step);
    if (start !== undefined && end !== undefined && start > end) {
      throw MlflowError.invalid(`end_step (${end}) must be greater than or equal to start_step (${start}).`);
    }
    if ((start === undefined) !== (end === undefined)) {
      throw MlflowError.invalid('If either start_step or end_step are specified, both must be specified.');
    }
    return {
      metrics: await store.getMetricHistoryBulkInterval(
        runIds,
        m.metric_key as string,
        start,
        end,
        maxResults,
      ),
    };
  });
}
