/** Loading whole runs in bulk: one query per kind of child row for a page of runs, never one per run. */
import type BetterSqlite3 from 'better-sqlite3';
import type { Dataset, InputTag, Run, RunInfo, RunStatus } from '@cauce/protocol';
import { decodeMetricValue, toWireMetric, type Db } from './context.js';
import type { RunsTable } from './schema.js';

export function toRunInfo(r: RunsTable): RunInfo {
  const info: RunInfo = {
    run_id: r.run_uuid,
    run_uuid: r.run_uuid,
    run_name: r.name,
    experiment_id: String(r.experiment_id),
    user_id: r.user_id,
    status: r.status as RunStatus,
    start_time: Number(r.start_time),
    artifact_uri: r.artifact_uri,
    lifecycle_stage: r.lifecycle_stage as RunInfo['lifecycle_stage'],
  };
  if (r.end_time !== null && r.end_time !== undefined) info.end_time = Number(r.end_time);
  return info;
}

/**
 * Loads params, latest metrics, tags, inputs and outputs of many runs with one query per kind
 * (never one per run), then assembles them in the order of `rows`.
 */
export async function hydrateRuns(
  db: Db,
  rows: RunsTable[],
  sqlite?: BetterSqlite3.Database,
): Promise<Run[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const runs = new Map<string, Run>();
  for (const r of rows) {
    runs.set(r.run_uuid, {
      info: toRunInfo(r),
      data: { metrics: [], params: [], tags: [] },
      inputs: { dataset_inputs: [], model_inputs: [] },
      outputs: { model_outputs: [] },
    });
  }
  const [inputs, modelIo] = await Promise.all([
    db
      .selectFrom('run_inputs as ri')
      .innerJoin('datasets as d', 'd.dataset_uuid', 'ri.dataset_uuid')
      .select([
        'ri.run_uuid',
        'ri.tags_json',
        'd.name',
        'd.digest',
        'd.dataset_source_type',
        'd.dataset_source',
        'd.dataset_schema',
        'd.dataset_profile',
      ])
      .where('ri.run_uuid', 'in', ids)
      .orderBy('d.name')
      .execute(),
    db.selectFrom('run_model_io').selectAll().where('run_uuid', 'in', ids).orderBy('model_id').execute(),
  ]);
  // Params, latest metrics and tags are the bulk of a search page (1,000 runs × 30 rows). No ORDER
  // BY: each run's lists are sorted in memory below.
  if (sqlite && !db.isTransaction) {
    // SQLite: read rows as arrays straight from better-sqlite3, skipping the query builder's per-row
    // objects (a page of 1,000 runs reads ~30,000 rows). The reads run while holding Kysely's
    // connection lock, so they never see another request's open transaction on the same connection.
    await db.connection().execute(async () => readRaw(sqlite, ids, runs));
  } else {
    const [params, tags, metrics] = await Promise.all([
      db.selectFrom('params').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', ids).execute(),
      db.selectFrom('tags').select(['run_uuid', 'key', 'value']).where('run_uuid', 'in', ids).execute(),
      db
        .selectFrom('latest_metrics')
        .select(['run_uuid', 'key', 'value', 'is_nan', 'timestamp', 'step'])
        .where('run_uuid', 'in', ids)
        .execute(),
    ]);
    for (const p of params) runs.get(p.run_uuid)!.data.params.push({ key: p.key, value: p.value });
    for (const t of tags) runs.get(t.run_uuid)!.data.tags.push({ key: t.key, value: t.value });
    for (const m of metrics) runs.get(m.run_uuid)!.data.metrics.push(toWireMetric(m));
  }
  for (const i of inputs) {
    const dataset: Dataset = {
      name: i.name,
      digest: i.digest,
      source_type: i.dataset_source_type,
      source: i.dataset_source,
    };
    if (i.dataset_schema !== null) dataset.schema = i.dataset_schema;
    if (i.dataset_profile !== null) dataset.profile = i.dataset_profile;
    runs
      .get(i.run_uuid)!
      .inputs.dataset_inputs.push({ tags: JSON.parse(i.tags_json) as InputTag[], dataset });
  }
  for (const m of modelIo) {
    const run = runs.get(m.run_uuid)!;
    if (m.direction === 'output')
      run.outputs.model_outputs.push({ model_id: m.model_id, step: Number(m.step) });
    else run.inputs.model_inputs.push({ model_id: m.model_id });
  }
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for (const run of runs.values()) {
    run.data.params.sort(byKey);
    run.data.tags.sort(byKey);
    run.data.metrics.sort(byKey);
  }
  return ids.map((id) => runs.get(id)!);
}

/** The SQLite fast path of `hydrateRuns`: params, tags and latest metrics as raw rows. */
function readRaw(sqlite: BetterSqlite3.Database, ids: string[], runs: Map<string, Run>): void {
  const marks = ids.map(() => '?').join(',');
  const read = (q: string) =>
    sqlite
      .prepare(q)
      .raw(true)
      .all(...ids) as unknown[][];
  for (const [id, key, value] of read(
    `SELECT run_uuid, key, value FROM params WHERE run_uuid IN (${marks})`,
  )) {
    runs.get(id as string)!.data.params.push({ key: key as string, value: value as string });
  }
  for (const [id, key, value] of read(`SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (${marks})`)) {
    runs.get(id as string)!.data.tags.push({ key: key as string, value: value as string });
  }
  const metricSql = `SELECT run_uuid, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_uuid IN (${marks})`;
  for (const [id, key, value, isNan, timestamp, step] of read(metricSql)) {
    runs.get(id as string)!.data.metrics.push({
      key: key as string,
      value: decodeMetricValue(value as number, isNan as number),
      timestamp: Number(timestamp),
      step: Number(step),
    });
  }
}
