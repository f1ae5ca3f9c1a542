/** Runs in the SQL store: lifecycle and logging (set-based). Bulk loading is in run-hydrate.ts. */
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import {
  MlflowError,
  type Dataset,
  type InputTag,
  type KeyValue,
  type ModelOutput,
  type Run,
  type RunInfo,
  type RunStatus,
} from '@cauce/protocol';
import type { CreateRunInput, MetricPoint } from '../tracking-store.js';
import { chunks, encodeMetricValue, newId, now, withTx, type Db, type StoreContext } from './context.js';
import { dedupe, requireActiveExperiment } from './experiments.js';
import { logModelMetrics } from './logged-models.js';
import type { RunsTable } from './schema.js';
import { hydrateRuns, toRunInfo } from './run-hydrate.js';
import { newRun, RUN_NAME_TAG } from './new-run.js';
import { changedParamsError, uniqueParams } from './param-rules.js';
import { sqliteCreateRun, sqliteGetRun, sqliteLogBatch, sqliteUpdateRun } from './hot-statements.js'; // S2-B

export { RUN_NAME_TAG } from './new-run.js';

export async function getRunRow(db: Db, runId: string): Promise<RunsTable> {
  const row = await db.selectFrom('runs').selectAll().where('run_uuid', '=', runId).executeTakeFirst();
  if (!row) throw MlflowError.notFound(`Run with id=${runId} not found`);
  return row;
}

export async function requireActiveRun(db: Db, runId: string): Promise<RunsTable> {
  const row = await getRunRow(db, runId);
  if (row.lifecycle_stage !== 'active') {
    throw MlflowError.invalid(
      `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
  return row;
}

export async function getRun(ctx: StoreContext, runId: string): Promise<Run> {
  if (ctx.sqlite) return sqliteGetRun(ctx, runId); // SQLite: synchronous hot path (hot-statements.ts)
  const row = await getRunRow(ctx.db, runId);
  return (await hydrateRuns(ctx.db, [row], ctx.sqlite))[0]!;
}

export async function createRun(ctx: StoreContext, input: CreateRunInput): Promise<Run> {
  if (ctx.sqlite) return sqliteCreateRun(ctx, input); // SQLite: synchronous hot path (hot-statements.ts)
  const runId = newId();
  // The run is new (no params, metrics, inputs or outputs yet), so the answer is built from the
  // inserted values: reading it back cost PostgreSQL six more statements (bench:tracking create-run).
  return withTx(ctx, async (db) => {
    const exp = await requireActiveExperiment(db, input.experimentId);
    const { row, tags, run } = newRun(input, runId, exp.artifact_location);
    await db.insertInto('runs').values(row).execute();
    await db
      .insertInto('tags')
      .values(tags.map((t) => ({ run_uuid: runId, key: t.key, value: t.value })))
      .execute();
    return run;
  });
}

export async function updateRun(
  ctx: StoreContext,
  runId: string,
  patch: { status?: RunStatus; endTime?: number; runName?: string },
): Promise<RunInfo> {
  if (ctx.sqlite) return sqliteUpdateRun(ctx, runId, patch); // SQLite: synchronous hot path (hot-statements.ts)
  return withTx(ctx, async (db) => {
    await requireActiveRun(db, runId);
    const set: Partial<RunsTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.endTime !== undefined) set.end_time = patch.endTime;
    if (patch.runName) set.name = patch.runName;
    if (Object.keys(set).length > 0)
      await db.updateTable('runs').set(set).where('run_uuid', '=', runId).execute();
    if (patch.runName) await upsertTags(db, runId, [{ key: RUN_NAME_TAG, value: patch.runName }]);
    return toRunInfo(await getRunRow(db, runId));
  });
}

export async function setRunLifecycle(
  ctx: StoreContext,
  runId: string,
  stage: 'active' | 'deleted',
): Promise<void> {
  await withTx(ctx, async (db) => {
    const row = await getRunRow(db, runId);
    if (stage === 'active') {
      const exp = await db
        .selectFrom('experiments')
        .select('lifecycle_stage')
        .where('experiment_id', '=', row.experiment_id)
        .executeTakeFirst();
      if (exp?.lifecycle_stage !== 'active') {
        throw MlflowError.invalid(
          `Cannot restore run ${runId}: its experiment ${row.experiment_id} is deleted; restore the experiment.`,
        );
      }
    }
    await db
      .updateTable('runs')
      .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? now() : null })
      .where('run_uuid', '=', runId)
      .execute();
  });
}

async function upsertTags(db: Db, runId: string, tags: KeyValue[]): Promise<void> {
  for (const part of chunks(dedupe(tags))) {
    await db
      .insertInto('tags')
      .values(part.map((t) => ({ run_uuid: runId, key: t.key, value: t.value })))
      .onConflict((oc) =>
        oc.columns(['run_uuid', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }),
      )
      .execute();
  }
  const name = tags.filter((t) => t.key === RUN_NAME_TAG).at(-1)?.value;
  if (name !== undefined) await db.updateTable('runs').set({ name }).where('run_uuid', '=', runId).execute();
}

/**
 * One atomic, set-based write: a multi-row INSERT per kind instead of a statement per entity.
 * Params: INSERT … ON CONFLICT DO NOTHING, then one SELECT compares stored values with the
 * requested ones; any difference aborts the whole transaction (params are immutable). Under
 * concurrency the unique key serialises two writers of one key, so the loser sees the winner's value.
 * Metrics: points go to `metrics` (identical points de-duplicated by the primary key); per key the
 * greatest (step, timestamp, value) of the batch is upserted into `latest_metrics` only when it is
 * greater than what is stored, so the row is correct whatever order batches arrive in.
 */
export async function logBatch(
  ctx: StoreContext,
  runId: string,
  metrics: MetricPoint[],
  params: KeyValue[],
  tags: KeyValue[],
): Promise<void> {
  // SQLite: one synchronous transaction (hot-statements.ts); metrics naming a logged model stay here.
  if (ctx.sqlite && !metrics.some((m) => m.modelId)) return sqliteLogBatch(ctx, runId, metrics, params, tags);
  await withTx(ctx, async (db) => {
    await requireActiveRun(db, runId);
    if (params.length > 0) {
      const seen = uniqueParams(params);
      const unique = [...seen].map(([key, value]) => ({ run_uuid: runId, key, value }));
      await db
        .insertInto('params')
        .values(unique)
        .onConflict((oc) => oc.columns(['run_uuid', 'key']).doNothing())
        .execute();
      const stored = await db
        .selectFrom('params')
        .select(['key', 'value'])
        .where('run_uuid', '=', runId)
        .where('key', 'in', [...seen.keys()])
        .execute();
      const changed = stored.filter((s) => seen.get(s.key) !== s.value);
      if (changed.length > 0) throw changedParamsError(runId, changed, seen);
    }
    if (tags.length > 0) await upsertTags(db, runId, tags);
    if (metrics.length > 0) await insertMetrics(db, runId, metrics, ctx.sqlite);
  });
}

async function insertMetrics(
  db: Db,
  runId: string,
  metrics: MetricPoint[],
  sqlite?: BetterSqlite3.Database,
): Promise<void> {
  const rows = metrics.map((m) => ({
    run_uuid: runId,
    key: m.key,
    step: m.step,
    timestamp: m.timestamp,
    ...encodeMetricValue(m.value),
  }));
  const forModels = metrics
    .map((m, i) => ({ m, r: rows[i]! }))
    .filter(({ m }) => m.modelId)
    .map(({ m, r }) => ({
      ...r,
      modelId: m.modelId!,
      datasetName: m.datasetName,
      datasetDigest: m.datasetDigest,
    }));
  if (forModels.length > 0) {
    const ids = [...new Set(forModels.map((p) => p.modelId))];
    const found = await db
      .selectFrom('logged_models')
      .select('model_id')
      .where('model_id', 'in', ids)
      .execute();
    const missing = ids.filter((id) => !found.some((f) => f.model_id === id));
    if (missing.length > 0) throw MlflowError.notFound(`Logged model with ID '${missing[0]}' not found.`);
    await logModelMetrics(db, runId, forModels);
  }
  if (sqlite) {
    // SQLite: one prepared single-row statement run per point inside the open transaction (this
    // callback holds the connection) costs ~1 µs a row, far less than building and compiling one
    // 6,000-parameter statement through the query builder.
    const insert = sqlite.prepare(
      'INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    for (const r of rows) insert.run(r.run_uuid, r.key, r.step, r.timestamp, r.value, r.is_nan);
  } else {
    // PostgreSQL: one array parameter per column, expanded by unnest(), instead of a multi-row VALUES
    // list with six parameters per point: the statement text is the same for every batch, so the
    // server does not parse and plan a 6,000-parameter statement on each call.
    await sql`INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan)
      SELECT ${runId}, u.key, u.step, u.timestamp, u.value, u.is_nan
      FROM unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.step)}::bigint[],
        ${rows.map((r) => r.timestamp)}::bigint[], ${rows.map((r) => r.value)}::float8[],
        ${rows.map((r) => r.is_nan)}::smallint[]) AS u(key, step, timestamp, value, is_nan)
      ON CONFLICT DO NOTHING`.execute(db);
  }
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const cur = latest.get(r.key);
    if (
      !cur ||
      r.step > cur.step ||
      (r.step === cur.step &&
        (r.timestamp > cur.timestamp || (r.timestamp === cur.timestamp && r.value > cur.value)))
    ) {
      latest.set(r.key, r);
    }
  }
  for (const part of chunks([...latest.values()])) {
    await db
      .insertInto('latest_metrics')
      .values(part)
      .onConflict((oc) =>
        oc
          .columns(['run_uuid', 'key'])
          .doUpdateSet({
            step: (eb) => eb.ref('excluded.step'),
            timestamp: (eb) => eb.ref('excluded.timestamp'),
            value: (eb) => eb.ref('excluded.value'),
            is_nan: (eb) => eb.ref('excluded.is_nan'),
          })
          .where(
            sql<boolean>`(excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
          ),
      )
      .execute();
  }
}

export async function deleteTag(ctx: StoreContext, runId: string, key: string): Promise<void> {
  await withTx(ctx, async (db) => {
    await requireActiveRun(db, runId);
    const res = await db
      .deleteFrom('tags')
      .where('run_uuid', '=', runId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0)
      throw MlflowError.notFound(`No tag with name: ${key} in run with id ${runId}`);
  });
}

export async function logInputs(
  ctx: StoreContext,
  runId: string,
  datasets: { dataset: Dataset; tags: InputTag[] }[],
  modelIds: string[],
): Promise<void> {
  await withTx(ctx, async (db) => {
    const run = await requireActiveRun(db, runId);
    for (const { dataset, tags } of datasets) {
      await db
        .insertInto('datasets')
        .values({
          dataset_uuid: newId(),
          experiment_id: run.experiment_id,
          name: dataset.name,
          digest: dataset.digest,
          dataset_source_type: dataset.source_type,
          dataset_source: dataset.source,
          dataset_schema: dataset.schema ?? null,
          dataset_profile: dataset.profile ?? null,
        })
        .onConflict((oc) => oc.columns(['experiment_id', 'name', 'digest']).doNothing())
        .execute();
      const ds = await db
        .selectFrom('datasets')
        .select('dataset_uuid')
        .where('experiment_id', '=', run.experiment_id)
        .where('name', '=', dataset.name)
        .where('digest', '=', dataset.digest)
        .executeTakeFirstOrThrow();
      await db
        .insertInto('run_inputs')
        .values({
          run_uuid: runId,
          dataset_uuid: ds.dataset_uuid,
          context: tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null,
          tags_json: JSON.stringify(tags),
        })
        .onConflict((oc) => oc.columns(['run_uuid', 'dataset_uuid']).doNothing())
        .execute();
    }
    if (modelIds.length > 0) {
      await db
        .insertInto('run_model_io')
        .values(
          [...new Set(modelIds)].map((model_id) => ({
            run_uuid: runId,
            model_id,
            direction: 'input',
            step: 0,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
}

export async function logOutputs(ctx: StoreContext, runId: string, models: ModelOutput[]): Promise<void> {
  await withTx(ctx, async (db) => {
    await requireActiveRun(db, runId);
    if (models.length === 0) return;
    const byId = new Map(models.map((m) => [m.model_id, m.step]));
    await db
      .insertInto('run_model_io')
      .values([...byId].map(([model_id, step]) => ({ run_uuid: runId, model_id, direction: 'output', step })))
      .onConflict((oc) =>
        oc
          .columns(['run_uuid', 'direction', 'model_id'])
          .doUpdateSet({ step: (eb) => eb.ref('excluded.step') }),
      )
      .execute();
  });
}
