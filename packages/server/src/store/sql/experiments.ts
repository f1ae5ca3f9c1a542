/** Experiments in the SQL store. */
import { sql } from 'kysely';
import { MlflowError, type Experiment, type KeyValue } from '@cauce/protocol';
import { parseFilter, parseOrderBy } from '../../search/parser.js';
import { compileFilter, resolveAttribute, type FilterTarget } from '../../search/compile.js';
import { decodePageToken, nextToken } from '../page-token.js';
import type { Page, SearchExperimentsQuery } from '../tracking-store.js';
import {
  appendToUri,
  experimentIdToInt,
  isUniqueViolation,
  now,
  withTx,
  type Db,
  type StoreContext,
} from './context.js';
import type { ExperimentsTable } from './schema.js';

type ExperimentRow = Omit<ExperimentsTable, 'experiment_id'> & { experiment_id: number };

export const DEFAULT_EXPERIMENT_ID = '0';

async function loadTags(db: Db, ids: number[]): Promise<Map<number, KeyValue[]>> {
  const out = new Map<number, KeyValue[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('experiment_tags')
    .select(['experiment_id', 'key', 'value'])
    .where('experiment_id', 'in', ids)
    .orderBy('key')
    .execute();
  for (const r of rows) {
    const list = out.get(r.experiment_id) ?? [];
    list.push({ key: r.key, value: r.value });
    out.set(r.experiment_id, list);
  }
  return out;
}

function toWire(r: ExperimentRow, tags: KeyValue[]): Experiment {
  return {
    experiment_id: String(r.experiment_id),
    name: r.name,
    artifact_location: r.artifact_location,
    lifecycle_stage: r.lifecycle_stage as Experiment['lifecycle_stage'],
    last_update_time: Number(r.last_update_time),
    creation_time: Number(r.creation_time),
    tags,
  };
}

export async function ensureDefaultExperiment(ctx: StoreContext): Promise<void> {
  const t = now();
  await ctx.db
    .insertInto('experiments')
    .values({
      experiment_id: 0,
      name: 'Default',
      artifact_location: appendToUri(ctx.defaultArtifactRoot, '0'),
      lifecycle_stage: 'active',
      creation_time: t,
      last_update_time: t,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function getExperimentRow(db: Db, id: string): Promise<ExperimentRow> {
  const row = await db
    .selectFrom('experiments')
    .selectAll()
    .where('experiment_id', '=', experimentIdToInt(id))
    .executeTakeFirst();
  if (!row) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
  return row;
}

export async function requireActiveExperiment(db: Db, id: string): Promise<ExperimentRow> {
  const row = await getExperimentRow(db, id);
  if (row.lifecycle_stage !== 'active') {
    throw MlflowError.invalid(
      `The experiment ${id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
    );
  }
  return row;
}

export async function createExperiment(
  ctx: StoreContext,
  name: string,
  artifactLocation: string | undefined,
  tags: KeyValue[],
): Promise<string> {
  try {
    return await withTx(ctx, async (db) => {
      const t = now();
      const inserted = await db
        .insertInto('experiments')
        .values({
          name,
          artifact_location: artifactLocation ?? '',
          lifecycle_stage: 'active',
          creation_time: t,
          last_update_time: t,
        })
        .returning('experiment_id')
        .executeTakeFirstOrThrow();
      const id = inserted.experiment_id;
      if (!artifactLocation) {
        await db
          .updateTable('experiments')
          .set({ artifact_location: appendToUri(ctx.defaultArtifactRoot, String(id)) })
          .where('experiment_id', '=', id)
          .execute();
      }
      if (tags.length > 0) {
        await db
          .insertInto('experiment_tags')
          .values(dedupe(tags).map((tg) => ({ experiment_id: id, key: tg.key, value: tg.value })))
          .execute();
      }
      return String(id);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw MlflowError.exists(`Experiment(name=${name}) already exists.`);
    throw err;
  }
}

/** Last value wins for a key repeated in one request. */
export function dedupe(tags: KeyValue[]): KeyValue[] {
  const m = new Map<string, string>();
  for (const t of tags) m.set(t.key, t.value);
  return [...m].map(([key, value]) => ({ key, value }));
}

export async function getExperiment(ctx: StoreContext, id: string): Promise<Experiment> {
  const row = await getExperimentRow(ctx.db, id);
  const tags = await loadTags(ctx.db, [row.experiment_id]);
  return toWire(row, tags.get(row.experiment_id) ?? []);
}

export async function getExperimentByName(ctx: StoreContext, name: string): Promise<Experiment> {
  const row = await ctx.db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw MlflowError.notFound(`Could not find experiment with name '${name}'`);
  const tags = await loadTags(ctx.db, [row.experiment_id]);
  return toWire(row, tags.get(row.experiment_id) ?? []);
}

const experimentTarget: FilterTarget = {
  attributeNames: ['name', 'experiment_id', 'creation_time', 'last_update_time', 'artifact_location'],
  attribute(key) {
    switch (key) {
      case 'name':
      case 'artifact_location':
        return { column: sql.ref(`e.${key}`), type: 'string' };
      case 'experiment_id':
        return { column: sql`CAST(e.experiment_id AS VARCHAR(20))`, type: 'string' };
      case 'creation_time':
      case 'last_update_time':
        return { column: sql.ref(`e.${key}`), type: 'number' };
      default:
        return undefined;
    }
  },
  side(entity, key) {
    if (entity !== 'tag') return undefined;
    return {
      owner: sql.ref('e.experiment_id'),
      select: sql`s.experiment_id FROM experiment_tags s WHERE s.key = ${key}`,
      column: sql.ref('s.value'),
      type: 'string',
    };
  },
};

export async function searchExperiments(
  ctx: StoreContext,
  q: SearchExperimentsQuery,
): Promise<Page<Experiment>> {
  const filter = parseFilter(q.filter, ['attribute', 'tag']);
  const offset = decodePageToken(q.pageToken);
  const pageSize = q.maxResults ?? 1000;
  const stage =
    q.viewType === 'ALL'
      ? sql`1 = 1`
      : sql`e.lifecycle_stage = ${q.viewType === 'DELETED_ONLY' ? 'deleted' : 'active'}`;
  const order = (q.orderBy ?? []).map((text) => {
    const c = parseOrderBy(text, ['attribute']);
    const a = resolveAttribute(c.id, experimentTarget);
    return sql`${a.column} ${sql.raw(c.ascending ? 'ASC' : 'DESC')}`;
  });
  order.push(sql`e.creation_time DESC`, sql`e.experiment_id ASC`);
  const where = filter ? sql`${stage} AND ${compileFilter(filter, experimentTarget, ctx.dialect)}` : stage;
  const { rows } = await sql<ExperimentRow>`SELECT e.* FROM experiments e WHERE ${where}
    ORDER BY ${sql.join(order)} LIMIT ${pageSize + 1} OFFSET ${offset}`.execute(ctx.db);
  const page = rows.slice(0, pageSize);
  const tags = await loadTags(
    ctx.db,
    page.map((r) => r.experiment_id),
  );
  return {
    items: page.map((r) => toWire(r, tags.get(r.experiment_id) ?? [])),
    nextPageToken: nextToken(offset, page.length, pageSize, rows.length > pageSize),
  };
}

export async function renameExperiment(ctx: StoreContext, id: string, newName: string): Promise<void> {
  try {
    await withTx(ctx, async (db) => {
      const row = await getExperimentRow(db, id);
      if (row.lifecycle_stage !== 'active')
        throw MlflowError.invalid('Cannot rename a non-active experiment.');
      await db
        .updateTable('experiments')
        .set({ name: newName, last_update_time: now() })
        .where('experiment_id', '=', row.experiment_id)
        .execute();
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw MlflowError.exists(`Experiment(name=${newName}) already exists.`);
    throw err;
  }
}

export async function setExperimentLifecycle(
  ctx: StoreContext,
  id: string,
  stage: 'active' | 'deleted',
): Promise<void> {
  if (stage === 'deleted' && id === DEFAULT_EXPERIMENT_ID) {
    throw MlflowError.invalid("Cannot delete the default experiment '0'.");
  }
  await withTx(ctx, async (db) => {
    const row = await getExperimentRow(db, id);
    const t = now();
    await db
      .updateTable('experiments')
      .set({ lifecycle_stage: stage, last_update_time: t })
      .where('experiment_id', '=', row.experiment_id)
      .execute();
    // The experiment's runs follow it into (and out of) the bin, as MLflow's SQL store does.
    await db
      .updateTable('runs')
      .set({ lifecycle_stage: stage, deleted_time: stage === 'deleted' ? t : null })
      .where('experiment_id', '=', row.experiment_id)
      .where('lifecycle_stage', '=', stage === 'deleted' ? 'active' : 'deleted')
      .execute();
  });
}

export async function setExperimentTag(ctx: StoreContext, id: string, tag: KeyValue): Promise<void> {
  await withTx(ctx, async (db) => {
    const row = await requireActiveExperiment(db, id);
    await db
      .insertInto('experiment_tags')
      .values({ experiment_id: row.experiment_id, key: tag.key, value: tag.value })
      .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
      .execute();
    await db
      .updateTable('experiments')
      .set({ last_update_time: now() })
      .where('experiment_id', '=', row.experiment_id)
      .execute();
  });
}

export async function deleteExperimentTag(ctx: StoreContext, id: string, key: string): Promise<void> {
  await withTx(ctx, async (db) => {
    const row = await requireActiveExperiment(db, id);
    const res = await db
      .deleteFrom('experiment_tags')
      .where('experiment_id', '=', row.experiment_id)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) {
      throw MlflowError.notFound(`No tag with name: ${key} in experiment with id ${id}`);
    }
  });
}
