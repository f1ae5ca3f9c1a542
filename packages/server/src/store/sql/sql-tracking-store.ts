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
import { sql } from 'kysely';
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
      if (conn.dialect === 'postgres') await analyzeStaleTables(ctx);
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

/**
 * PostgreSQL: ANALYZE the tracking tables that changed a lot since their statistics were taken, by
 * autovacuum's own rule (https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM:
 * 50 rows + 10% of the table). Autovacuum would do it within a minute or so, but a server started right
 * after a bulk load (an import, a restore, bench:tracking's seeding) meanwhile plans search-runs as if
 * the tables were empty: the filter subqueries become nested loops over every run, and a search over
 * 10,000 runs took over 60 s instead of ~0.2 s. Only at open; cheap when nothing is stale.
 */
async function analyzeStaleTables(ctx: StoreContext): Promise<void> {
  const tables = [
    'experiments',
    'runs',
    'params',
    'tags',
    'latest_metrics',
    'metrics',
    'run_inputs',
    'datasets',
  ];
  const { rows } = await sql<{ relname: string }>`SELECT s.relname FROM pg_stat_user_tables s
    JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = current_schema() AND s.relname IN (${sql.join(tables)})
      AND s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)`.execute(ctx.db);
  for (const { relname } of rows) await sql`ANALYZE ${sql.table(relname)}`.execute(ctx.db);
}

/** Opens the tracking store a backend-store URI names (see connect.ts for the accepted forms). */
export function openStore(uri: string, options: OpenStoreOptions = {}): Promise<SqlTrackingStore> {
  return SqlTrackingStore.open(uri, options);
}
