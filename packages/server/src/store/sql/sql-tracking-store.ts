/**
 * The one SQL implementation of `TrackingStore`, for SQLite and PostgreSQL through Kysely. The
 * class only wires the contract to the per-concept modules beside it.
 */
import type { Dataset, InputTag, KeyValue, LoggedModelStatus, ModelOutput, RunStatus } from '@cauce/protocol';
import type {
  CreateLoggedModelInput,
  CreateRunInput,
  GcOptions,
  MetricPoint,
  SearchExperimentsQuery,
  SearchLoggedModelsQuery,
  SearchRunsQuery,
  TrackingStore,
} from '../tracking-store.js';
import { connect } from './connect.js';
import type { StoreContext } from './context.js';
import * as experiments from './experiments.js';
import { gc } from './gc.js';
import * as models from './logged-models.js';
import { getMetricHistory, getMetricHistoryBulkInterval } from './metric-history.js';
import { migrateToLatest } from './migrations.js';
import { searchRuns, searchRunsJson } from './run-search.js';
import * as runs from './runs.js';

export interface OpenStoreOptions {
  /** Where experiments without an explicit artifact location keep artifacts (default `mlflow-artifacts:/`). */
  defaultArtifactRoot?: string;
}

export class SqlTrackingStore implements TrackingStore {
  private constructor(
    private readonly ctx: StoreContext,
    readonly display: string,
  ) {}

  get dialect(): 'sqlite' | 'postgres' {
    return this.ctx.dialect;
  }

  /** Connects, migrates to the newest schema and makes sure experiment 0 ("Default") exists. */
  static async open(uri: string, options: OpenStoreOptions = {}): Promise<SqlTrackingStore> {
    const conn = connect(uri);
    const ctx: StoreContext = {
      db: conn.db,
      sqlite: conn.sqlite,
      dialect: conn.dialect,
      defaultArtifactRoot: options.defaultArtifactRoot ?? 'mlflow-artifacts:/',
    };
    try {
      await migrateToLatest(conn.db as never, conn.dialect);
      await experiments.ensureDefaultExperiment(ctx);
    } catch (err) {
      await conn.db.destroy().catch(() => undefined);
      throw err;
    }
    return new SqlTrackingStore(ctx, conn.display);
  }

  createExperiment(name: string, artifactLocation: string | undefined, tags: KeyValue[]) {
    return experiments.createExperiment(this.ctx, name, artifactLocation, tags);
  }
  getExperiment(id: string) {
    return experiments.getExperiment(this.ctx, id);
  }
  getExperimentByName(name: string) {
    return experiments.getExperimentByName(this.ctx, name);
  }
  searchExperiments(q: SearchExperimentsQuery) {
    return experiments.searchExperiments(this.ctx, q);
  }
  renameExperiment(id: string, newName: string) {
    return experiments.renameExperiment(this.ctx, id, newName);
  }
  deleteExperiment(id: string) {
    return experiments.setExperimentLifecycle(this.ctx, id, 'deleted');
  }
  restoreExperiment(id: string) {
    return experiments.setExperimentLifecycle(this.ctx, id, 'active');
  }
  setExperimentTag(id: string, tag: KeyValue) {
    return experiments.setExperimentTag(this.ctx, id, tag);
  }
  deleteExperimentTag(id: string, key: string) {
    return experiments.deleteExperimentTag(this.ctx, id, key);
  }

  createRun(input: CreateRunInput) {
    return runs.createRun(this.ctx, input);
  }
  getRun(runId: string) {
    return runs.getRun(this.ctx, runId);
  }
  updateRun(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }) {
    return runs.updateRun(this.ctx, runId, patch);
  }
  deleteRun(runId: string) {
    return runs.setRunLifecycle(this.ctx, runId, 'deleted');
  }
  restoreRun(runId: string) {
    return runs.setRunLifecycle(this.ctx, runId, 'active');
  }
  logBatch(runId: string, metrics: MetricPoint[], params: KeyValue[], tags: KeyValue[]) {
    return runs.logBatch(this.ctx, runId, metrics, params, tags);
  }
  deleteTag(runId: string, key: string) {
    return runs.deleteTag(this.ctx, runId, key);
  }
  logInputs(runId: string, datasets: { dataset: Dataset; tags: InputTag[] }[], modelIds: string[]) {
    return runs.logInputs(this.ctx, runId, datasets, modelIds);
  }
  logOutputs(runId: string, outputs: ModelOutput[]) {
    return runs.logOutputs(this.ctx, runId, outputs);
  }
  searchRuns(q: SearchRunsQuery) {
    return searchRuns(this.ctx, q);
  }
  searchRunsJson(q: SearchRunsQuery) {
    return searchRunsJson(this.ctx, q);
  }
  getMetricHistory(runId: string, key: string, maxResults?: number, pageToken?: string) {
    return getMetricHistory(this.ctx, runId, key, maxResults, pageToken);
  }
  getMetricHistoryBulkInterval(
    runIds: string[],
    key: string,
    startStep: number | undefined,
    endStep: number | undefined,
    maxResults: number,
  ) {
    return getMetricHistoryBulkInterval(this.ctx, runIds, key, startStep, endStep, maxResults);
  }

  createLoggedModel(input: CreateLoggedModelInput) {
    return models.createLoggedModel(this.ctx, input);
  }
  getLoggedModel(modelId: string) {
    return models.getLoggedModel(this.ctx, modelId);
  }
  finalizeLoggedModel(modelId: string, status: LoggedModelStatus) {
    return models.finalizeLoggedModel(this.ctx, modelId, status);
  }
  deleteLoggedModel(modelId: string) {
    return models.deleteLoggedModel(this.ctx, modelId);
  }
  setLoggedModelTags(modelId: string, tags: KeyValue[]) {
    return models.setLoggedModelTags(this.ctx, modelId, tags);
  }
  deleteLoggedModelTag(modelId: string, key: string) {
    return models.deleteLoggedModelTag(this.ctx, modelId, key);
  }
  logLoggedModelParams(modelId: string, params: KeyValue[]) {
    return models.logLoggedModelParams(this.ctx, modelId, params);
  }
  searchLoggedModels(q: SearchLoggedModelsQuery) {
    return models.searchLoggedModels(this.ctx, q);
  }

  gc(options: GcOptions) {
    return gc(this.ctx, options);
  }
  async close(): Promise<void> {
    await this.ctx.db.destroy();
  }
}

/** Opens the tracking store a backend-store URI names (see connect.ts for the accepted forms). */
export function openStore(uri: string, options: OpenStoreOptions = {}): Promise<SqlTrackingStore> {
  return SqlTrackingStore.open(uri, options);
}
