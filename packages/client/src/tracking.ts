/**
 * The tracking half of the MlflowClient-like API: experiments, runs, params, metrics, tags, datasets,
 * search and metric history, over MLflow's REST protocol only (so it works against a Cauce server and
 * a real MLflow server alike). Names follow MLflow's Python `MlflowClient`, camel-cased.
 */
import {
  LIMITS,
  type Dataset,
  type Experiment,
  type InputTag,
  type KeyValue,
  type Metric,
  type Run,
  type RunInfo,
  type RunStatus,
  type ViewType,
  type WireDouble,
  MlflowError,
} from '@cauce/protocol';
import { ClientError } from './http/errors.js';
import { Transport, type TransportOptions } from './http/transport.js';

/** A metric as the caller gives it (plain numbers; NaN and ±Infinity allowed). */
export interface MetricInput {
  key: string;
  value: number;
  /** ms since epoch (default: now). */
  timestamp?: number;
  step?: number;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | undefined;
}

export interface SearchRunsOptions {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  runViewType?: ViewType;
  pageToken?: string;
}

/** NaN and ±Infinity are not JSON numbers: MLflow's wire format spells them as strings. */
export function toWireDouble(v: number): WireDouble {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}
export function fromWireDouble(v: WireDouble): number {
  return typeof v === 'number' ? v : Number(v);
}

/** A param value as MLflow stores it: a string (numbers and booleans as Python's str() spells them). */
export function paramString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return 'None';
  return JSON.stringify(v);
}

/**
 * Splits one logical batch into requests under the server's limits: ≤100 params+tags, ≤1000
 * metrics, ≤1000 entities and well under the 1 MB body cap per request (MLflow's MAX_* constants).
 */
export function chunkBatch(
  params: KeyValue[],
  tags: KeyValue[],
  metrics: Metric[],
): Array<{ params: KeyValue[]; tags: KeyValue[]; metrics: Metric[] }> {
  const out: Array<{ params: KeyValue[]; tags: KeyValue[]; metrics: Metric[] }> = [];
  const budget = LIMITS.maxBatchLogRequestSize * 0.9;
  let cur = { params: [] as KeyValue[], tags: [] as KeyValue[], metrics: [] as Metric[] };
  let bytes = 0;
  const flush = (): void => {
    if (cur.params.length + cur.tags.length + cur.metrics.length > 0) out.push(cur);
    cur = { params: [], tags: [], metrics: [] };
    bytes = 0;
  };
  const size = (x: unknown): number => JSON.stringify(x).length + 1;
  for (const [kind, list] of [
    ['params', params],
    ['tags', tags],
  ] as const) {
    for (const kv of list) {
      const s = size(kv);
      if (
        cur.params.length + cur.tags.length >= LIMITS.maxParamsTagsPerBatch ||
        cur.params.length + cur.tags.length + cur.metrics.length >= LIMITS.maxEntitiesPerBatch ||
        bytes + s > budget
      )
        flush();
      cur[kind].push(kv);
      bytes += s;
    }
  }
  for (const m of metrics) {
    const s = size(m);
    if (
      cur.metrics.length >= LIMITS.maxMetricsPerBatch ||
      cur.params.length + cur.tags.length + cur.metrics.length >= LIMITS.maxEntitiesPerBatch ||
      bytes + s > budget
    )
      flush();
    cur.metrics.push(m);
    bytes += s;
  }
  flush();
  return out;
}

function requireKey(what: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') {
    throw new ClientError('INVALID_ARGUMENT', `${what} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
  return v;
}

export class TrackingClient {
  readonly transport: Transport;

  constructor(trackingUri: string, options: TransportOptions = {}) {
    this.transport = new Transport(trackingUri, options);
  }

  get trackingUri(): string {
    return this.transport.baseUrl;
  }

  // ---- experiments ----

  async createExperiment(
    name: string,
    options: { artifactLocation?: string; tags?: Record<string, string> } = {},
  ): Promise<string> {
    const res = await this.transport.rpc.call('createExperiment', {
      name: requireKey('experiment name', name),
      artifact_location: options.artifactLocation,
      tags: options.tags ? Object.entries(options.tags).map(([key, value]) => ({ key, value })) : undefined,
    });
    return res.experiment_id;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return (await this.transport.rpc.call('getExperiment', { experiment_id: experimentId })).experiment;
  }

  /** The experiment of that name, or undefined when there is none (as MLflow's client returns None). */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return (await this.transport.rpc.call('getExperimentByName', { experiment_name: name })).experiment;
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async searchExperiments(
    options: {
      filter?: string;
      orderBy?: string[];
      maxResults?: number;
      viewType?: ViewType;
      pageToken?: string;
    } = {},
  ): Promise<Page<Experiment>> {
    const res = await this.transport.rpc.call('searchExperiments', {
      filter: options.filter,
      order_by: options.orderBy,
      max_results: options.maxResults,
      view_type: options.viewType,
      page_token: options.pageToken,
    });
    return { items: res.experiments ?? [], nextPageToken: res.next_page_token || undefined };
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.transport.rpc.call('updateExperiment', { experiment_id: experimentId, new_name: newName });
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.transport.rpc.call('deleteExperiment', { experiment_id: experimentId });
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    await this.transport.rpc.call('restoreExperiment', { experiment_id: experimentId });
  }
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.transport.rpc.call('setExperimentTag', { experiment_id: experimentId, key, value });
  }

  // ---- runs ----

  async createRun(
    experimentId: string,
    options: { runName?: string; tags?: Record<string, string>; startTime?: number; userId?: string } = {},
  ): Promise<Run> {
    const res = await this.transport.rpc.call('createRun', {
      experiment_id: experimentId,
      run_name: options.runName,
      start_time: options.startTime ?? Date.now(),
      user_id: options.userId,
      tags: options.tags ? Object.entries(options.tags).map(([key, value]) => ({ key, value })) : undefined,
    });
    return res.run;
  }

  async getRun(runId: string): Promise<Run> {
    return (await this.transport.rpc.call('getRun', { run_id: requireKey('run id', runId) })).run;
  }

  async updateRun(
    runId: string,
    update: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    const res = await this.transport.rpc.call('updateRun', {
      run_id: runId,
      run_uuid: runId,
      status: update.status,
      end_time: update.endTime,
      run_name: update.runName,
    });
    return res.run_info;
  }

  /** Ends a run (MLflow's set_terminated): FINISHED by default. */
  async setTerminated(runId: string, status: RunStatus = 'FINISHED', endTime = Date.now()): Promise<void> {
    await this.updateRun(runId, { status, endTime });
  }
  async deleteRun(runId: string): Promise<void> {
    await this.transport.rpc.call('deleteRun', { run_id: runId });
  }
  async restoreRun(runId: string): Promise<void> {
    await this.transport.rpc.call('restoreRun', { run_id: runId });
  }

  async logParam(runId: string, key: string, value: unknown): Promise<void> {
    await this.transport.rpc.call('logParam', {
      run_id: runId,
      run_uuid: runId,
      key: requireKey('param key', key),
      value: paramString(value),
    });
  }

  async logMetric(
    runId: string,
    key: string,
    value: number,
    options: { step?: number; timestamp?: number } = {},
  ): Promise<void> {
    if (typeof value !== 'number') {
      throw new ClientError(
        'INVALID_ARGUMENT',
        `metric ${key} must be a number, got ${JSON.stringify(value)}`,
      );
    }
    await this.transport.rpc.call('logMetric', {
      run_id: runId,
      run_uuid: runId,
      key: requireKey('metric key', key),
      value: toWireDouble(value),
      timestamp: options.timestamp ?? Date.now(),
      step: options.step ?? 0,
    });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.transport.rpc.call('setTag', {
      run_id: runId,
      run_uuid: runId,
      key: requireKey('tag key', key),
      value,
    });
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.transport.rpc.call('deleteTag', { run_id: runId, key });
  }

  /**
   * Logs any number of params, metrics and tags, split into as many log-batch requests as the
   * server's limits require (each request is atomic on the server; the whole call is not).
   */
  async logBatch(
    runId: string,
    batch: { params?: Record<string, unknown>; metrics?: MetricInput[]; tags?: Record<string, string> },
  ): Promise<void> {
    const now = Date.now();
    const params = Object.entries(batch.params ?? {}).map(([key, v]) => ({
      key: requireKey('param key', key),
      value: paramString(v),
    }));
    const tags = Object.entries(batch.tags ?? {}).map(([key, value]) => ({
      key: requireKey('tag key', key),
      value,
    }));
    const metrics = (batch.metrics ?? []).map((m): Metric => ({
      key: requireKey('metric key', m.key),
      value: toWireDouble(m.value),
      timestamp: m.timestamp ?? now,
      step: m.step ?? 0,
    }));
    for (const chunk of chunkBatch(params, tags, metrics)) {
      await this.transport.rpc.call('logBatch', { run_id: runId, ...chunk });
    }
  }

  /** Records the datasets a run used (MLflow's log_inputs). */
  async logInputs(
    runId: string,
    datasets: Array<{ dataset: Dataset; tags?: Record<string, string> }>,
  ): Promise<void> {
    for (let i = 0; i < datasets.length; i += LIMITS.maxDatasetsPerBatch) {
      await this.transport.rpc.call('logInputs', {
        run_id: runId,
        datasets: datasets.slice(i, i + LIMITS.maxDatasetsPerBatch).map((d) => ({
          dataset: d.dataset,
          tags: Object.entries(d.tags ?? {}).map(([key, value]): InputTag => ({ key, value })),
        })),
      });
    }
  }

  async searchRuns(experimentIds: string[], options: SearchRunsOptions = {}): Promise<Page<Run>> {
    const res = await this.transport.rpc.call('searchRuns', {
      experiment_ids: experimentIds,
      filter: options.filter,
      order_by: options.orderBy,
      max_results: options.maxResults,
      run_view_type: options.runViewType,
      page_token: options.pageToken,
    });
    return { items: res.runs ?? [], nextPageToken: res.next_page_token || undefined };
  }

  /** Every run matching the search, following page tokens. */
  async searchAllRuns(
    experimentIds: string[],
    options: Omit<SearchRunsOptions, 'pageToken'> = {},
  ): Promise<Run[]> {
    const out: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchRuns(experimentIds, { ...options, pageToken });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /** The whole history of one metric (all pages), values as numbers. */
  async getMetricHistory(
    runId: string,
    key: string,
  ): Promise<Array<MetricInput & { timestamp: number; step: number }>> {
    const out: Array<{ key: string; value: number; timestamp: number; step: number }> = [];
    let pageToken: string | undefined;
    do {
      const res = await this.transport.rpc.call('getMetricHistory', {
        run_id: runId,
        run_uuid: runId,
        metric_key: key,
        page_token: pageToken,
        max_results: LIMITS.metricHistoryMax,
      });
      for (const m of res.metrics ?? [])
        out.push({ key: m.key, value: fromWireDouble(m.value), timestamp: m.timestamp, step: m.step ?? 0 });
      pageToken = res.next_page_token || undefined;
    } while (pageToken);
    return out;
  }
}
