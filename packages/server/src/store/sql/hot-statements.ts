/**
 * SQLite hot paths of the run endpoints (get-run, create-run, update-run — every run's end — and
 * log-batch, which also carries log-metric, log-parameter and set-tag): hand-written SQL prepared once per connection and run
 * synchronously through better-sqlite3, instead of the query builder.
 *
 * Why: under the mixed tracking load (bench:tracking) these are ~90% of the requests. Through
 * Kysely each one built and compiled 3–8 queries (~20% of the server's CPU), and a write held
 * SQLite's write lock across event-loop turns (BEGIN IMMEDIATE, await, INSERT, await, …, COMMIT).
 * With `--workers 2` the other process then waited in SQLite's busy handler, which sleeps its whole
 * thread for ≥ 1 ms per attempt: two workers served fewer requests per second than one. Here every
 * write is ONE synchronous `BEGIN IMMEDIATE … COMMIT` (better-sqlite3 `transaction().immediate`,
 * which rolls back if the body throws), so the lock is held for tens of microseconds.
 *
 * A call never runs inside (or sees the uncommitted rows of) another request's open Kysely
 * transaction on the same connection (see withStatements). Semantics and error messages are those of the Kysely paths in runs.ts and
 * experiments.ts, which PostgreSQL keeps using (and SQLite for metrics that name a logged model).
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  MlflowError,
  type Dataset,
  type InputTag,
  type KeyValue,
  type Run,
  type RunInfo,
  type RunStatus,
} from '@cauce/protocol';
import type { CreateRunInput, MetricPoint } from '../tracking-store.js';
import {
  decodeMetricValue,
  encodeMetricValue,
  experimentIdToInt,
  newId,
  type StoreContext,
} from './context.js';
import { dedupe } from './experiments.js';
import { toRunInfo } from './run-hydrate.js';
import { newRun, RUN_NAME_TAG } from './new-run.js';
import { changedParamsError, uniqueParams } from './param-rules.js';
import type { RunsTable } from './schema.js';

type Stmt = BetterSqlite3.Statement;

/** What update-run may change (runs.ts updateRun). */
export interface RunPatch {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** The statements of one connection, prepared on first use. */
class HotStatements {
  readonly runRow: Stmt;
  readonly experimentRow: Stmt;
  readonly insertRun: Stmt;
  readonly insertTag: Stmt;
  readonly upsertTag: Stmt;
  readonly setRunName: Stmt;
  readonly insertParam: Stmt;
  readonly paramValue: Stmt;
  readonly insertMetric: Stmt;
  readonly upsertLatest: Stmt;
  readonly params: Stmt;
  readonly tags: Stmt;
  readonly latestMetrics: Stmt;
  readonly inputs: Stmt;
  readonly modelIo: Stmt;
  /** The connection's busy_timeout (ms), restored after each write attempt made without it. */
  readonly busyTimeoutMs: number;
  readonly createRunTx: (input: CreateRunInput) => Run;
  readonly logBatchTx: (runId: string, metrics: MetricPoint[], params: KeyValue[], tags: KeyValue[]) => void;
  readonly updateRunTx: (runId: string, patch: RunPatch) => RunInfo;

  constructor(db: BetterSqlite3.Database) {
    this.runRow = db.prepare(
      'SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, deleted_time, lifecycle_stage, artifact_uri FROM runs WHERE run_uuid = ?',
    );
    this.experimentRow = db.prepare(
      'SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?',
    );
    this.insertRun = db.prepare(
      'INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, deleted_time, lifecycle_stage, artifact_uri) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertTag = db.prepare('INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?)');
    this.upsertTag = db.prepare(
      'INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value',
    );
    this.setRunName = db.prepare('UPDATE runs SET name = ? WHERE run_uuid = ?');
    this.insertParam = db.prepare(
      'INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?) ON CONFLICT (run_uuid, key) DO NOTHING',
    );
    this.paramValue = db.prepare('SELECT value FROM params WHERE run_uuid = ? AND key = ?').pluck();
    this.insertMetric = db.prepare(
      'INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    // The row-value guard keeps the greatest (step, timestamp, value) whatever order batches arrive in.
    this.upsertLatest = db.prepare(
      'INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (run_uuid, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, ' +
        'value = excluded.value, is_nan = excluded.is_nan ' +
        'WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)',
    );
    this.params = db.prepare('SELECT key, value FROM params WHERE run_uuid = ?').raw(true);
    this.tags = db.prepare('SELECT key, value FROM tags WHERE run_uuid = ?').raw(true);
    this.latestMetrics = db
      .prepare('SELECT key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_uuid = ?')
      .raw(true);
    this.inputs = db
      .prepare(
        'SELECT ri.tags_json, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile ' +
          'FROM run_inputs ri JOIN datasets d ON d.dataset_uuid = ri.dataset_uuid WHERE ri.run_uuid = ? ORDER BY d.name',
      )
      .raw(true);
    this.busyTimeoutMs = Number(db.pragma('busy_timeout', { simple: true }));
    this.modelIo = db
      .prepare('SELECT model_id, direction, step FROM run_model_io WHERE run_uuid = ? ORDER BY model_id')
      .raw(true);
    this.createRunTx = db.transaction((input: CreateRunInput) => this.createRun(input)).immediate;
    this.logBatchTx = db.transaction(
      (runId: string, metrics: MetricPoint[], params: KeyValue[], tags: KeyValue[]) => {
        this.requireActiveRun(runId);
        if (params.length > 0) this.logParams(runId, params);
        if (tags.length > 0) this.upsertTags(runId, tags);
        if (metrics.length > 0) this.logMetrics(runId, metrics);
      },
    ).immediate;
    const setStatus = db.prepare('UPDATE runs SET status = ? WHERE run_uuid = ?');
    const setEndTime = db.prepare('UPDATE runs SET end_time = ? WHERE run_uuid = ?');
    // As runs.ts updateRun: only an active run changes; the answer is the row as stored.
    this.updateRunTx = db.transaction((runId: string, patch: RunPatch): RunInfo => {
      this.requireActiveRun(runId);
      if (patch.status !== undefined) setStatus.run(patch.status, runId);
      if (patch.endTime !== undefined) setEndTime.run(patch.endTime, runId);
      if (patch.runName) this.upsertTags(runId, [{ key: RUN_NAME_TAG, value: patch.runName }]);
      return toRunInfo(this.getRunRow(runId));
    }).immediate;
  }

  /** As runs.ts getRunRow. */
  getRunRow(runId: string): RunsTable {
    const row = this.runRow.get(runId) as RunsTable | undefined;
    if (!row) throw MlflowError.notFound(`Run with id=${runId} not found`);
    return row;
  }

  /** As runs.ts requireActiveRun. */
  requireActiveRun(runId: string): RunsTable {
    const row = this.getRunRow(runId);
    if (row.lifecycle_stage !== 'active') {
      throw MlflowError.invalid(
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  /** As experiments.ts requireActiveExperiment. */
  requireActiveExperiment(id: string): { artifact_location: string; lifecycle_stage: string } {
    const row = this.experimentRow.get(experimentIdToInt(id)) as
      { artifact_location: string; lifecycle_stage: string } | undefined;
    if (!row) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
    if (row.lifecycle_stage !== 'active') {
      throw MlflowError.invalid(
        `The experiment ${id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  /** As runs.ts createRun (run inside createRunTx). */
  private createRun(input: CreateRunInput): Run {
    const exp = this.requireActiveExperiment(input.experimentId);
    const { row, tags, run } = newRun(input, newId(), exp.artifact_location);
    this.insertRun.run(
      row.run_uuid,
      row.name,
      row.experiment_id,
      row.user_id,
      row.status,
      row.start_time,
      row.end_time,
      row.deleted_time,
      row.lifecycle_stage,
      row.artifact_uri,
    );
    for (const t of tags) this.insertTag.run(row.run_uuid, t.key, t.value);
    return run;
  }

  /** As runs.ts logBatch: params are immutable; a changed value fails the whole batch. */
  private logParams(runId: string, params: KeyValue[]): void {
    const seen = uniqueParams(params);
    const changed: KeyValue[] = [];
    for (const [key, value] of seen) {
      this.insertParam.run(runId, key, value);
      const stored = this.paramValue.get(runId, key) as string;
      if (stored !== value) changed.push({ key, value: stored });
    }
    if (changed.length > 0) {
      // In key order, as the Kysely path reads them back through the (run_uuid, key) index.
      changed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      throw changedParamsError(runId, changed, seen);
    }
  }

  /** As runs.ts upsertTags: last value wins; the run-name tag also renames the run. */
  private upsertTags(runId: string, tags: KeyValue[]): void {
    for (const t of dedupe(tags)) this.upsertTag.run(runId, t.key, t.value);
    const name = tags.filter((t) => t.key === RUN_NAME_TAG).at(-1)?.value;
    if (name !== undefined) this.setRunName.run(name, runId);
  }

  /** As runs.ts insertMetrics, for points that name no logged model. */
  private logMetrics(runId: string, metrics: MetricPoint[]): void {
    type Row = { key: string; step: number; timestamp: number; value: number; is_nan: number };
    const latest = new Map<string, Row>();
    for (const m of metrics) {
      const { value, is_nan } = encodeMetricValue(m.value);
      this.insertMetric.run(runId, m.key, m.step, m.timestamp, value, is_nan);
      const cur = latest.get(m.key);
      if (
        !cur ||
        m.step > cur.step ||
        (m.step === cur.step &&
          (m.timestamp > cur.timestamp || (m.timestamp === cur.timestamp && value > cur.value)))
      ) {
        latest.set(m.key, { key: m.key, step: m.step, timestamp: m.timestamp, value, is_nan });
      }
    }
    for (const r of latest.values())
      this.upsertLatest.run(runId, r.key, r.step, r.timestamp, r.value, r.is_nan);
  }

  /** One run with its params, latest metrics, tags, inputs and outputs (as run-hydrate.ts builds it). */
  readRun(runId: string): Run {
    const run: Run = {
      info: toRunInfo(this.getRunRow(runId)),
      data: { metrics: [], params: [], tags: [] },
      inputs: { dataset_inputs: [], model_inputs: [] },
      outputs: { model_outputs: [] },
    };
    for (const [key, value] of this.params.all(runId) as [string, string][])
      run.data.params.push({ key, value });
    for (const [key, value] of this.tags.all(runId) as [string, string][]) run.data.tags.push({ key, value });
    for (const [key, value, isNan, timestamp, step] of this.latestMetrics.all(runId) as [
      string,
      number,
      number,
      number,
      number,
    ][]) {
      run.data.metrics.push({
        key,
        value: decodeMetricValue(value, isNan),
        timestamp: Number(timestamp),
        step: Number(step),
      });
    }
    type InputRow = [string, string, string, string, string, string | null, string | null];
    for (const [tagsJson, name, digest, sourceType, source, schema, profile] of this.inputs.all(
      runId,
    ) as InputRow[]) {
      const dataset: Dataset = { name, digest, source_type: sourceType, source };
      if (schema !== null) dataset.schema = schema;
      if (profile !== null) dataset.profile = profile;
      run.inputs.dataset_inputs.push({ tags: JSON.parse(tagsJson) as InputTag[], dataset });
    }
    for (const [modelId, direction, step] of this.modelIo.all(runId) as [string, string, number][]) {
      if (direction === 'output') run.outputs.model_outputs.push({ model_id: modelId, step: Number(step) });
      else run.inputs.model_inputs.push({ model_id: modelId });
    }
    run.data.params.sort(byKey);
    run.data.tags.sort(byKey);
    run.data.metrics.sort(byKey);
    return run;
  }
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const prepared = new WeakMap<BetterSqlite3.Database, HotStatements>();

function statementsOf(sqlite: BetterSqlite3.Database): HotStatements {
  let s = prepared.get(sqlite);
  if (s === undefined) {
    s = new HotStatements(sqlite);
    prepared.set(sqlite, s);
  }
  return s;
}

/**
 * Runs the synchronous `fn` with the connection's statements, never inside another request's open
 * transaction. Kysely holds its connection lock for the whole of a transaction, which is open on the
 * SQLite connection (`inTransaction`) from BEGIN to COMMIT, across awaits. When none is open, `fn`
 * runs at once: it does not yield, so nothing can interleave with it, and skipping the lock's
 * promises and builder objects saves ~20% of a get-run's CPU. Otherwise it queues for the lock.
 */
function withStatements<T>(ctx: StoreContext, fn: (s: HotStatements) => T): Promise<T> {
  const sqlite = ctx.sqlite!;
  if (!sqlite.inTransaction) return new Promise((resolve) => resolve(fn(statementsOf(sqlite))));
  return ctx.db.connection().execute(async () => fn(statementsOf(sqlite)));
}

/**
 * Like withStatements, for a write transaction (`fn` starts with BEGIN IMMEDIATE). When another
 * process (a `--workers` sibling) holds the write lock, SQLite's busy handler would sleep this
 * whole thread in steps of 1, 2, 5, 10… ms, so the worker stopped serving anyone: measured ~100
 * such waits of ~20 ms per worker in 10 s of mixed load. Instead the attempt is made without a busy
 * wait, and on SQLITE_BUSY (nothing was written: the transaction did not start or was rolled back)
 * it is retried from the event loop, which meanwhile serves other requests, until the connection's
 * busy_timeout has passed; then the error is the usual SQLITE_BUSY.
 */
function withWriteLock<T>(ctx: StoreContext, fn: (s: HotStatements) => T): Promise<T> {
  const sqlite = ctx.sqlite!;
  // A PRAGMA acts when it is compiled, so it cannot be a reusable prepared statement; exec() of
  // the pair costs ~2 µs.
  const attempt = (s: HotStatements): T => {
    sqlite.exec('PRAGMA busy_timeout = 0');
    try {
      return fn(s);
    } finally {
      sqlite.exec(`PRAGMA busy_timeout = ${s.busyTimeoutMs}`);
    }
  };
  let tries = 0;
  let deadline = 0;
  const run = (): Promise<T> =>
    // Through withStatements each time: between two tries another request may have opened a transaction.
    withStatements(ctx, attempt).catch((err: unknown) => {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || sqlite.inTransaction) throw err;
      if (tries++ === 0) deadline = Date.now() + statementsOf(sqlite).busyTimeoutMs;
      if (Date.now() > deadline) throw err;
      // The holder usually commits within microseconds, unless its process lost its core.
      return new Promise<void>((wake) => {
        if (tries <= 3) setImmediate(wake);
        else setTimeout(wake, Math.min(tries - 3, 10));
      }).then(run);
    });
  return run();
}

/** SQLite `getRun`. */
export function sqliteGetRun(ctx: StoreContext, runId: string): Promise<Run> {
  return withStatements(ctx, (s) => s.readRun(runId));
}

/**
 * SQLite `createRun`. The run is new, so the answer is built from the inserted values (it has no
 * params, metrics, inputs or outputs yet) instead of being read back.
 */
export function sqliteCreateRun(ctx: StoreContext, input: CreateRunInput): Promise<Run> {
  return withWriteLock(ctx, (s) => s.createRunTx(input));
}

/** SQLite `logBatch` when no metric names a logged model (those take the Kysely path). */
export function sqliteLogBatch(
  ctx: StoreContext,
  runId: string,
  metrics: MetricPoint[],
  params: KeyValue[],
  tags: KeyValue[],
): Promise<void> {
  return withWriteLock(ctx, (s) => s.logBatchTx(runId, metrics, params, tags));
}

/** SQLite `updateRun`: the run's end (status, end time) and its renaming, in one synchronous transaction. */
export function sqliteUpdateRun(ctx: StoreContext, runId: string, patch: RunPatch): Promise<RunInfo> {
  return withWriteLock(ctx, (s) => s.updateRunTx(runId, patch));
}
