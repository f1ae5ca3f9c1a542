/** MLflow 3 logged models in the SQL store. */
import { sql } from 'kysely';
import { MlflowError, type KeyValue, type LoggedModel, type LoggedModelStatus } from '@cauce/protocol';
import { parseFilter } from '../../search/parser.js';
import { compileFilter, type FilterTarget } from '../../search/compile.js';
import { decodePageToken, nextToken } from '../page-token.js';
import type { CreateLoggedModelInput, Page, SearchLoggedModelsQuery } from '../tracking-store.js';
import {
  appendToUri,
  decodeMetricValue,
  experimentIdToInt,
  newId,
  now,
  randomName,
  withTx,
  type Db,
  type StoreContext,
} from './context.js';
import { dedupe, requireActiveExperiment } from './experiments.js';
import type { LoggedModelsTable } from './schema.js';

async function getModelRow(db: Db, modelId: string): Promise<LoggedModelsTable> {
  const row = await db
    .selectFrom('logged_models')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('lifecycle_stage', '=', 'active')
    .executeTakeFirst();
  if (!row) throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
  return row;
}

async function hydrate(db: Db, rows: LoggedModelsTable[]): Promise<LoggedModel[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.model_id);
  const [tags, params, metrics] = await Promise.all([
    db.selectFrom('logged_model_tags').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
    db.selectFrom('logged_model_params').selectAll().where('model_id', 'in', ids).orderBy('key').execute(),
    db
      .selectFrom('logged_model_metrics')
      .selectAll()
      .where('model_id', 'in', ids)
      .orderBy('key')
      .orderBy('step')
      .execute(),
  ]);
  const out = new Map<string, LoggedModel>();
  for (const r of rows) {
    const info: LoggedModel['info'] = {
      model_id: r.model_id,
      experiment_id: String(r.experiment_id),
      name: r.name,
      creation_timestamp_ms: Number(r.creation_timestamp_ms),
      last_updated_timestamp_ms: Number(r.last_updated_timestamp_ms),
      artifact_uri: r.artifact_location,
      status: r.status as LoggedModelStatus,
      tags: [],
    };
    if (r.model_type !== null) info.model_type = r.model_type;
    if (r.source_run_id !== null) info.source_run_id = r.source_run_id;
    if (r.status_message !== null) info.status_message = r.status_message;
    out.set(r.model_id, { info, data: { params: [], metrics: [] } });
  }
  for (const t of tags) out.get(t.model_id)!.info.tags.push({ key: t.key, value: t.value });
  for (const p of params) out.get(p.model_id)!.data.params.push({ key: p.key, value: p.value });
  for (const m of metrics) {
    const metric: LoggedModel['data']['metrics'][number] = {
      key: m.key,
      value: decodeMetricValue(m.value, m.is_nan),
      timestamp: Number(m.timestamp),
      step: Number(m.step),
    };
    if (m.run_uuid) metric.run_id = m.run_uuid;
    if (m.dataset_name) metric.dataset_name = m.dataset_name;
    if (m.dataset_digest) metric.dataset_digest = m.dataset_digest;
    out.get(m.model_id)!.data.metrics.push(metric);
  }
  return ids.map((id) => out.get(id)!);
}

export async function createLoggedModel(
  ctx: StoreContext,
  input: CreateLoggedModelInput,
): Promise<LoggedModel> {
  const modelId = `m-${newId()}`;
  await withTx(ctx, async (db) => {
    const exp = await requireActiveExperiment(db, input.experimentId);
    const t = now();
    await db
      .insertInto('logged_models')
      .values({
        model_id: modelId,
        experiment_id: exp.experiment_id,
        name: input.name || randomName(),
        artifact_location: appendToUri(exp.artifact_location, `models/${modelId}/artifacts`),
        creation_timestamp_ms: t,
        last_updated_timestamp_ms: t,
        status: 'LOGGED_MODEL_PENDING',
        lifecycle_stage: 'active',
        model_type: input.modelType ?? null,
        source_run_id: input.sourceRunId ?? null,
        status_message: null,
      })
      .execute();
    await writeKeyValues(db, 'logged_model_tags', modelId, input.tags, true);
    await writeKeyValues(db, 'logged_model_params', modelId, input.params, false);
  });
  return getLoggedModel(ctx, modelId);
}

async function writeKeyValues(
  db: Db,
  table: 'logged_model_tags' | 'logged_model_params',
  modelId: string,
  items: KeyValue[],
  overwrite: boolean,
): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto(table)
    .values(dedupe(items).map((kv) => ({ model_id: modelId, key: kv.key, value: kv.value })))
    .onConflict((oc) =>
      overwrite
        ? oc.columns(['model_id', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') })
        : oc.columns(['model_id', 'key']).doNothing(),
    )
    .execute();
}

export async function getLoggedModel(ctx: StoreContext, modelId: string): Promise<LoggedModel> {
  return (await hydrate(ctx.db, [await getModelRow(ctx.db, modelId)]))[0]!;
}

export async function finalizeLoggedModel(
  ctx: StoreContext,
  modelId: string,
  status: LoggedModelStatus,
): Promise<LoggedModel> {
  await withTx(ctx, async (db) => {
    await getModelRow(db, modelId);
    await db
      .updateTable('logged_models')
      .set({ status, last_updated_timestamp_ms: now() })
      .where('model_id', '=', modelId)
      .execute();
  });
  return getLoggedModel(ctx, modelId);
}

export async function deleteLoggedModel(ctx: StoreContext, modelId: string): Promise<void> {
  await withTx(ctx, async (db) => {
    await getModelRow(db, modelId);
    await db
      .updateTable('logged_models')
      .set({ lifecycle_stage: 'deleted', last_updated_timestamp_ms: now() })
      .where('model_id', '=', modelId)
      .execute();
  });
}

export async function setLoggedModelTags(
  ctx: StoreContext,
  modelId: string,
  tags: KeyValue[],
): Promise<void> {
  await withTx(ctx, async (db) => {
    await getModelRow(db, modelId);
    await writeKeyValues(db, 'logged_model_tags', modelId, tags, true);
  });
}

export async function deleteLoggedModelTag(ctx: StoreContext, modelId: string, key: string): Promise<void> {
  await withTx(ctx, async (db) => {
    await getModelRow(db, modelId);
    const res = await db
      .deleteFrom('logged_model_tags')
      .where('model_id', '=', modelId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw MlflowError.notFound(`No tag with key '${key}' found for logged model '${modelId}'.`);
    }
  });
}

export async function logLoggedModelParams(
  ctx: StoreContext,
  modelId: string,
  params: KeyValue[],
): Promise<void> {
  await withTx(ctx, async (db) => {
    await getModelRow(db, modelId);
    await writeKeyValues(db, 'logged_model_params', modelId, params, false);
  });
}

/** Metrics logged with a `model_id` (MLflow 3) are also attached to that model. */
export async function logModelMetrics(
  db: Db,
  runId: string,
  points: {
    modelId: string;
    key: string;
    value: number;
    is_nan: number;
    timestamp: number;
    step: number;
    datasetName?: string;
    datasetDigest?: string;
  }[],
): Promise<void> {
  if (points.length === 0) return;
  await db
    .insertInto('logged_model_metrics')
    .values(
      points.map((p) => ({
        model_id: p.modelId,
        key: p.key,
        step: p.step,
        timestamp: p.timestamp,
        value: p.value,
        is_nan: p.is_nan,
        run_uuid: runId,
        dataset_name: p.datasetName ?? '',
        dataset_digest: p.datasetDigest ?? '',
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const ATTRS: Record<string, { column: string; type: 'string' | 'number' }> = {
  name: { column: 'name', type: 'string' },
  model_id: { column: 'model_id', type: 'string' },
  model_type: { column: 'model_type', type: 'string' },
  status: { column: 'status', type: 'string' },
  source_run_id: { column: 'source_run_id', type: 'string' },
  run_id: { column: 'source_run_id', type: 'string' },
  creation_time: { column: 'creation_timestamp_ms', type: 'number' },
  creation_timestamp: { column: 'creation_timestamp_ms', type: 'number' },
  creation_timestamp_ms: { column: 'creation_timestamp_ms', type: 'number' },
  last_updated_timestamp: { column: 'last_updated_timestamp_ms', type: 'number' },
  last_updated_timestamp_ms: { column: 'last_updated_timestamp_ms', type: 'number' },
};

const modelTarget: FilterTarget = {
  attributeNames: Object.keys(ATTRS),
  attribute(key) {
    const a = ATTRS[key];
    return a ? { column: sql.ref(`lm.${a.column}`), type: a.type } : undefined;
  },
  side(entity, key) {
    if (entity === 'metric') {
      return {
        owner: sql.ref('lm.model_id'),
        select: sql`s.model_id FROM logged_model_metrics s WHERE s.key = ${key}`,
        column: sql.ref('s.value'),
        type: 'number',
        notNan: sql`s.is_nan = 0`,
      };
    }
    if (entity === 'param' || entity === 'tag') {
      return {
        owner: sql.ref('lm.model_id'),
        select: sql`s.model_id FROM ${sql.table(entity === 'param' ? 'logged_model_params' : 'logged_model_tags')} s WHERE s.key = ${key}`,
        column: sql.ref('s.value'),
        type: 'string',
      };
    }
    return undefined;
  },
};

export async function searchLoggedModels(
  ctx: StoreContext,
  q: SearchLoggedModelsQuery,
): Promise<Page<LoggedModel>> {
  const filter = parseFilter(q.filter, ['attribute', 'metric', 'param', 'tag']);
  const offset = decodePageToken(q.pageToken);
  const pageSize = q.maxResults ?? 100;
  const expIds = q.experimentIds.map((id) => {
    try {
      return experimentIdToInt(id);
    } catch {
      return -1;
    }
  });
  if (expIds.length === 0) return { items: [] };
  const order = (q.orderBy ?? []).map((o) => {
    const dir = sql.raw(o.ascending === false ? 'DESC' : 'ASC');
    const a = ATTRS[o.field_name];
    if (a) return sql`${sql.ref(`lm.${a.column}`)} ${dir}`;
    const m = /^metrics\.(.+)$/.exec(o.field_name);
    if (m) {
      return sql`(SELECT MAX(s.value) FROM logged_model_metrics s WHERE s.model_id = lm.model_id AND s.key = ${m[1]}) ${dir}`;
    }
    throw MlflowError.invalid(
      `Invalid order_by field_name '${o.field_name}' (valid: ${Object.keys(ATTRS).join(', ')}, metrics.<key>).`,
    );
  });
  order.push(sql`lm.creation_timestamp_ms DESC`, sql`lm.model_id ASC`);
  const where = filter ? compileFilter(filter, modelTarget, ctx.dialect) : sql`1 = 1`;
  const { rows } = await sql<LoggedModelsTable>`SELECT lm.* FROM logged_models lm
    WHERE lm.experiment_id IN (${sql.join(expIds)}) AND lm.lifecycle_stage = 'active' AND ${where}
    ORDER BY ${sql.join(order)} LIMIT ${pageSize + 1} OFFSET ${offset}`.execute(ctx.db);
  const page = rows.slice(0, pageSize);
  return {
    items: await hydrate(ctx.db, page),
    nextPageToken: nextToken(offset, page.length, pageSize, rows.length > pageSize),
  };
}
