/** Loading whole runs in bulk: one query per kind of child row for a page of runs, never one per run. */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
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
  const runs: Run[] = rows.map((r) => ({
    info: toRunInfo(r),
    data: { metrics: [], params: [], tags: [] },
    inputs: { dataset_inputs: [], model_inputs: [] },
    outputs: { model_outputs: [] },
  }));
  if (sqlite && !db.isTransaction) {
    // SQLite: read rows as arrays straight from better-sqlite3, skipping the query builder's per-row
    // objects (a page of 1,000 runs reads ~30,000 rows). The reads run while holding Kysely's
    // connection lock, so they never see another request's open transaction on the same connection.
    await db.connection().execute(async () => readRaw(sqlite, rows, runs));
  } else {
    await readWithQueryBuilder(db, rows, runs, sqlite ? 'sqlite' : 'postgres');
  }
  for (const run of runs) {
    sortByKey(run.data.params);
    sortByKey(run.data.tags);
    sortByKey(run.data.metrics);
  }
  return runs;
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Sorts by key (JS string order), checking first: SQLite reads each run's rows through the
 * (run_uuid, key) primary key, so they almost always arrive sorted already (its byte order differs
 * from JS order only for keys with characters beyond U+FFFF), and a page of 1,000 runs has 3,000 lists.
 */
function sortByKey(list: { key: string }[]): void {
  for (let i = 1; i < list.length; i++) {
    if (list[i - 1]!.key > list[i]!.key) {
      list.sort(byKey);
      return;
    }
  }
}

function pushDataset(run: Run, tagsJson: string, d: Omit<DatasetRow, 'tags_json'>): void {
  const dataset: Dataset = {
    name: d.name,
    digest: d.digest,
    source_type: d.dataset_source_type,
    source: d.dataset_source,
  };
  if (d.dataset_schema !== null) dataset.schema = d.dataset_schema;
  if (d.dataset_profile !== null) dataset.profile = d.dataset_profile;
  run.inputs.dataset_inputs.push({ tags: JSON.parse(tagsJson) as InputTag[], dataset });
}

function pushModelIo(run: Run, modelId: string, direction: string, step: number): void {
  if (direction === 'output') run.outputs.model_outputs.push({ model_id: modelId, step: Number(step) });
  else run.inputs.model_inputs.push({ model_id: modelId });
}

interface DatasetRow {
  tags_json: string;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

/**
 * PostgreSQL (and SQLite inside a transaction): the same reads through Kysely. On PostgreSQL the page's
 * ids go as ONE array parameter (`run_uuid = ANY($1)`): the statement text is the same for every page,
 * instead of an `IN ($1, …, $1000)` list that PostgreSQL parses and plans anew with 1,000 parameters,
 * five times per page.
 */
async function readWithQueryBuilder(
  db: Db,
  rows: RunsTable[],
  runs: Run[],
  dialect: 'sqlite' | 'postgres',
): Promise<void> {
  const idIn = idFilter(rows, dialect);
  const byId = new Map<string, Run>();
  rows.forEach((r, i) => byId.set(r.run_uuid, runs[i]!));
  const [, params, tags, metrics] = await Promise.all([
    readInputsOutputs(db, idIn, (id) => byId.get(id)!),
    // No ORDER BY: each run's lists are sorted in memory.
    db.selectFrom('params').select(['run_uuid', 'key', 'value']).where(idIn('run_uuid')).execute(),
    db.selectFrom('tags').select(['run_uuid', 'key', 'value']).where(idIn('run_uuid')).execute(),
    db
      .selectFrom('latest_metrics')
      .select(['run_uuid', 'key', 'value', 'is_nan', 'timestamp', 'step'])
      .where(idIn('run_uuid'))
      .execute(),
  ]);
  for (const p of params) byId.get(p.run_uuid)!.data.params.push({ key: p.key, value: p.value });
  for (const t of tags) byId.get(t.run_uuid)!.data.tags.push({ key: t.key, value: t.value });
  for (const m of metrics) byId.get(m.run_uuid)!.data.metrics.push(toWireMetric(m));
}

type IdFilter = (column: string) => RawBuilder<SqlBool>;

function idFilter(rows: RunsTable[], dialect: 'sqlite' | 'postgres'): IdFilter {
  const ids = rows.map((r) => r.run_uuid);
  return (column) =>
    dialect === 'postgres'
      ? sql<SqlBool>`${sql.ref(column)} = ANY(${ids})`
      : sql<SqlBool>`${sql.ref(column)} IN (${sql.join(ids)})`;
}

/** Dataset inputs and model inputs/outputs of a page of runs, added to `runOf(run_uuid)`. */
async function readInputsOutputs(db: Db, idIn: IdFilter, runOf: (runId: string) => Run): Promise<void> {
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
      .where(idIn('ri.run_uuid'))
      .orderBy('d.name')
      .execute(),
    db.selectFrom('run_model_io').selectAll().where(idIn('run_uuid')).orderBy('model_id').execute(),
  ]);
  for (const i of inputs) pushDataset(runOf(i.run_uuid), i.tags_json, i);
  for (const m of modelIo) pushModelIo(runOf(m.run_uuid), m.model_id, m.direction, m.step);
}

/**
 * The SQLite statements of `readRaw`, prepared once per connection. The run ids are bound as ONE
 * JSON array and joined through `json_each` (https://sqlite.org/json1.html#jeach), so the SQL text
 * is the same for every page size (an `IN (?, ?, …)` list made a new statement to compile per call)
 * and each row names its run by its position in the page (`i.key`, an integer) instead of carrying
 * the 32-character run id, which better-sqlite3 would copy into a new JS string for every one of a
 * page's ~30,000 rows. Each child table is then read by (run_uuid, …) primary-key seeks.
 */
interface HydrateStatements {
  params: BetterSqlite3.Statement;
  tags: BetterSqlite3.Statement;
  metrics: BetterSqlite3.Statement;
  inputs: BetterSqlite3.Statement;
  modelIo: BetterSqlite3.Statement;
}

const statements = new WeakMap<BetterSqlite3.Database, HydrateStatements>();

function hydrateStatements(sqlite: BetterSqlite3.Database): HydrateStatements {
  let s = statements.get(sqlite);
  if (s === undefined) {
    const prepare = (q: string) => sqlite.prepare(q).raw(true);
    s = {
      params: prepare(
        'SELECT i.key, c.key, c.value FROM json_each(?) i JOIN params c ON c.run_uuid = i.value',
      ),
      tags: prepare('SELECT i.key, c.key, c.value FROM json_each(?) i JOIN tags c ON c.run_uuid = i.value'),
      metrics: prepare(
        'SELECT i.key, c.key, c.value, c.is_nan, c.timestamp, c.step FROM json_each(?) i JOIN latest_metrics c ON c.run_uuid = i.value',
      ),
      inputs: prepare(
        'SELECT i.key, ri.tags_json, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile ' +
          'FROM json_each(?) i JOIN run_inputs ri ON ri.run_uuid = i.value JOIN datasets d ON d.dataset_uuid = ri.dataset_uuid ORDER BY d.name',
      ),
      modelIo: prepare(
        'SELECT i.key, c.model_id, c.direction, c.step FROM json_each(?) i JOIN run_model_io c ON c.run_uuid = i.value ORDER BY c.model_id',
      ),
    };
    statements.set(sqlite, s);
  }
  return s;
}

/** The SQLite fast path of `hydrateRuns`: every child row as a raw array, by position in the page. */
function readRaw(sqlite: BetterSqlite3.Database, rows: RunsTable[], runs: Run[]): void {
  const s = hydrateStatements(sqlite);
  const ids = JSON.stringify(rows.map((r) => r.run_uuid));
  for (const [i, key, value] of s.params.all(ids) as [number, string, string][]) {
    runs[i]!.data.params.push({ key, value });
  }
  for (const [i, key, value] of s.tags.all(ids) as [number, string, string][]) {
    runs[i]!.data.tags.push({ key, value });
  }
  type MetricRow = [number, string, number, number, number, number];
  for (const [i, key, value, isNan, timestamp, step] of s.metrics.all(ids) as MetricRow[]) {
    runs[i]!.data.metrics.push({
      key,
      value: decodeMetricValue(value, isNan),
      timestamp: Number(timestamp),
      step: Number(step),
    });
  }
  type InputRow = [number, string, string, string, string, string, string | null, string | null];
  for (const [i, tagsJson, name, digest, sourceType, source, schema, profile] of s.inputs.all(
    ids,
  ) as InputRow[]) {
    pushDataset(runs[i]!, tagsJson, {
      name,
      digest,
      dataset_source_type: sourceType,
      dataset_source: source,
      dataset_schema: schema,
      dataset_profile: profile,
    });
  }
  for (const [i, modelId, direction, step] of s.modelIo.all(ids) as [number, string, string, number][]) {
    pushModelIo(runs[i]!, modelId, direction, step);
  }
}

/**
 * Each run's metrics, params and tags as JSON arrays built by SQLite's JSON functions
 * (https://sqlite.org/json1.html), one row per run of the page, in key order.
 */
const jsonStatements = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>();

function dataJsonStatement(sqlite: BetterSqlite3.Database): BetterSqlite3.Statement {
  let s = jsonStatements.get(sqlite);
  if (s === undefined) {
    const keyValues = (table: string) =>
      `(SELECT json_group_array(json_object('key', c.key, 'value', c.value) ORDER BY c.key) FROM ${table} c WHERE c.run_uuid = i.value)`;
    s = sqlite
      .prepare(
        `SELECT (SELECT json_group_array(json_object('key', c.key, 'value', CASE WHEN c.is_nan THEN 'NaN' ELSE c.value END, ` +
          `'timestamp', c.timestamp, 'step', c.step) ORDER BY c.key) FROM latest_metrics c WHERE c.run_uuid = i.value), ` +
          `${keyValues('params')}, ${keyValues('tags')} FROM json_each(?) i ORDER BY i.key`,
      )
      .raw(true);
    jsonStatements.set(sqlite, s);
  }
  return s;
}

const NO_INPUTS = '{"dataset_inputs":[],"model_inputs":[]}';
const NO_OUTPUTS = '{"model_outputs":[]}';
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The SQLite path of search-runs' response: each run of `rows` as JSON text, which JSON.parse turns
 * into exactly the object `hydrateRuns` builds. Metrics, params and tags never become JS objects:
 * SQLite writes them as JSON (a page of 1,000 runs has ~30,000 of them, and building, serialising and
 * garbage-collecting those objects was most of the request's CPU). Two things differ from
 * JSON.stringify, neither in value: SQLite spells some doubles differently (`5.0` for 5, up to 17
 * significant digits), always a spelling that parses back to the same double; and it orders keys by
 * their UTF-8 bytes, which differs from JS order only for characters beyond U+FFFF, so a run whose
 * data holds any such character is re-sorted here the JS way. Must run holding Kysely's connection lock.
 */
export function hydrateRunsJson(sqlite: BetterSqlite3.Database, rows: RunsTable[]): string[] {
  if (rows.length === 0) return [];
  const ids = JSON.stringify(rows.map((r) => r.run_uuid));
  const data = dataJsonStatement(sqlite).all(ids) as [string, string, string][];
  // Inputs and outputs are rare: build objects only for the runs that have some.
  const s = hydrateStatements(sqlite);
  const io = new Map<number, Run>();
  const ioRun = ioCollector(rows, io);
  type InputRow = [number, string, string, string, string, string, string | null, string | null];
  for (const [i, tagsJson, name, digest, sourceType, source, schema, profile] of s.inputs.all(
    ids,
  ) as InputRow[]) {
    pushDataset(ioRun(i), tagsJson, {
      name,
      digest,
      dataset_source_type: sourceType,
      dataset_source: source,
      dataset_schema: schema,
      dataset_profile: profile,
    });
  }
  for (const [i, modelId, direction, step] of s.modelIo.all(ids) as [number, string, string, number][]) {
    pushModelIo(ioRun(i), modelId, direction, step);
  }
  return assembleRunsJson(rows, data, io);
}

/** Each run's JSON text from its info, its data arrays as JSON text, and (if any) its inputs/outputs. */
function assembleRunsJson(
  rows: RunsTable[],
  data: [string, string, string][],
  io: Map<number, Run>,
): string[] {
  return rows.map((r, i) => {
    let [metrics, params, tags] = data[i]!;
    if (SURROGATE.test(metrics) || SURROGATE.test(params) || SURROGATE.test(tags)) {
      const resort = (json: string) => {
        const list = JSON.parse(json) as { key: string }[];
        sortByKey(list);
        return JSON.stringify(list);
      };
      metrics = resort(metrics);
      params = resort(params);
      tags = resort(tags);
    }
    const run = io.get(i);
    const inputs = run ? JSON.stringify(run.inputs) : NO_INPUTS;
    const outputs = run ? JSON.stringify(run.outputs) : NO_OUTPUTS;
    return `{"info":${JSON.stringify(toRunInfo(r))},"data":{"metrics":${metrics},"params":${params},"tags":${tags}},"inputs":${inputs},"outputs":${outputs}}`;
  });
}

/** A run object that only collects inputs and outputs (its info is rebuilt from the row anyway). */
function ioCollector(rows: RunsTable[], io: Map<number, Run>): (i: number) => Run {
  return (i) => {
    let run = io.get(i);
    if (run === undefined) {
      run = {
        info: toRunInfo(rows[i]!),
        data: { metrics: [], params: [], tags: [] },
        inputs: { dataset_inputs: [], model_inputs: [] },
        outputs: { model_outputs: [] },
      };
      io.set(i, run);
    }
    return run;
  };
}

/**
 * The PostgreSQL counterpart of `hydrateRunsJson`: PostgreSQL's json_agg/json_build_object write each
 * run's arrays (https://www.postgresql.org/docs/current/functions-json.html), in key order by code
 * point (COLLATE "C": the database's own collation may be a locale's), instead of the pg driver
 * parsing ~30,000 rows into objects that are then serialised again. Its JSON has spaces after `:` and
 * `,`, and prints doubles in their shortest exact form; the ids go as one array, numbered by
 * WITH ORDINALITY.
 */
export async function hydrateRunsJsonPg(db: Db, rows: RunsTable[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.run_uuid);
  const position = new Map<string, number>();
  rows.forEach((r, i) => position.set(r.run_uuid, i));
  const keyValues = (table: string) =>
    sql`(SELECT coalesce(json_agg(json_build_object('key', c.key, 'value', c.value) ORDER BY c.key COLLATE "C"), '[]'::json)
      FROM ${sql.table(table)} c WHERE c.run_uuid = u.id)::text`;
  const io = new Map<number, Run>();
  const collect = ioCollector(rows, io);
  const [{ rows: data }] = await Promise.all([
    sql<{ metrics: string; params: string; tags: string }>`SELECT
      (SELECT coalesce(json_agg(json_build_object('key', c.key,
          'value', CASE WHEN c.is_nan = 1 THEN to_json('NaN'::text) ELSE to_json(c.value) END,
          'timestamp', c.timestamp, 'step', c.step) ORDER BY c.key COLLATE "C"), '[]'::json)
        FROM latest_metrics c WHERE c.run_uuid = u.id)::text AS metrics,
      ${keyValues('params')} AS params, ${keyValues('tags')} AS tags
      FROM unnest(${ids}::text[]) WITH ORDINALITY AS u(id, n) ORDER BY u.n`.execute(db),
    readInputsOutputs(db, idFilter(rows, 'postgres'), (id) => collect(position.get(id)!)),
  ]);
  return assembleRunsJson(
    rows,
    data.map((d) => [d.metrics, d.params, d.tags]),
    io,
  );
}
