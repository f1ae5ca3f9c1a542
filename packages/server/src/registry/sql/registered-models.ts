/** Registered models: create, read, rename, describe, delete, search, tags, aliases. */
import { sql } from 'kysely';
import { MlflowError, type KeyValue, type ModelVersion, type RegisteredModel } from '@cauce/protocol';
import { compileFilter, resolveAttribute, type FilterTarget } from '../../search/compile.js';
import { parseFilter, parseOrderBy } from '../../search/parser.js';
import { decodePageToken, nextToken } from '../../store/page-token.js';
import { isUniqueViolation } from '../../store/sql/context.js';
import type { Page } from '../../store/tracking-store.js';
import { validateKey } from '../../validation.js';
import type { SearchRegistryQuery } from '../registry-store.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_REGISTRY_TAG_VALUE_LENGTH,
  validateAlias,
  validateModelName,
} from '../validate.js';
import {
  DELETED_STAGE,
  publicVersion,
  toVersions,
  withTx,
  type RDb,
  type RegistryContext,
} from './context.js';
import type { RegisteredModelsTable } from './schema.js';

export const REGISTERED_MODELS_DEFAULT_PAGE = 100;
export const REGISTERED_MODELS_MAX_PAGE = 1000;

export async function requireModel(db: RDb, name: string): Promise<RegisteredModelsTable> {
  const row = await db
    .selectFrom('registered_models')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw MlflowError.notFound(`Registered Model with name=${name} not found`);
  return row;
}

export function checkDescription(d: string | undefined): string | undefined {
  if (d !== undefined && d.length > MAX_DESCRIPTION_LENGTH) {
    throw MlflowError.invalid(
      `description is ${d.length} characters long; the limit is ${MAX_DESCRIPTION_LENGTH}.`,
    );
  }
  return d;
}

export function checkTag(tag: KeyValue): KeyValue {
  validateKey('model tag', tag.key);
  const value = tag.value ?? '';
  if (typeof value !== 'string') throw MlflowError.invalid(`Tag '${tag.key}' must have a string value.`);
  if (value.length > MAX_REGISTRY_TAG_VALUE_LENGTH) {
    throw MlflowError.invalid(
      `Tag '${tag.key}' value is ${value.length} characters long; the limit is ${MAX_REGISTRY_TAG_VALUE_LENGTH}.`,
    );
  }
  return { key: tag.key, value };
}

async function build(db: RDb, rows: RegisteredModelsTable[]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const names = rows.map((r) => r.name);
  const [tags, aliases, latestRows] = await Promise.all([
    db.selectFrom('registered_model_tags').selectAll().where('name', 'in', names).orderBy('key').execute(),
    db
      .selectFrom('registered_model_aliases')
      .selectAll()
      .where('name', 'in', names)
      .orderBy('alias')
      .execute(),
    // latest version per (model, stage): the greatest number among live versions.
    db
      .selectFrom('model_versions as v')
      .selectAll('v')
      .where('v.name', 'in', names)
      .where('v.current_stage', '<>', DELETED_STAGE)
      .where(({ eb, selectFrom }) =>
        eb(
          'v.version',
          '=',
          selectFrom('model_versions as w')
            .select((w) => w.fn.max('w.version').as('m'))
            .whereRef('w.name', '=', 'v.name')
            .whereRef('w.current_stage', '=', 'v.current_stage'),
        ),
      )
      .execute(),
  ]);
  const latest = await toVersions(db, latestRows);
  return rows.map((r) => {
    const m: RegisteredModel = {
      name: r.name,
      creation_timestamp: Number(r.creation_time),
      last_updated_timestamp: Number(r.last_updated_time),
      latest_versions: latest
        .filter((v) => v.name === r.name)
        .sort((a, b) => Number(a.version) - Number(b.version))
        .map((v) => publicVersion(v) as ModelVersion),
      tags: tags.filter((t) => t.name === r.name).map((t) => ({ key: t.key, value: t.value })),
      aliases: aliases
        .filter((a) => a.name === r.name)
        .map((a) => ({ alias: a.alias, version: String(a.version) })),
    };
    if (r.description !== null) m.description = r.description;
    if (r.user_id !== null) m.user_id = r.user_id;
    return m;
  });
}

export async function getRegisteredModel(ctx: RegistryContext, name: string): Promise<RegisteredModel> {
  validateModelName(name);
  const row = await requireModel(ctx.db, name);
  return (await build(ctx.db, [row]))[0]!;
}

export async function createRegisteredModel(
  ctx: RegistryContext,
  name: string,
  tags: KeyValue[],
  description: string | undefined,
  userId: string | undefined,
  times?: { creation: number; lastUpdated: number },
): Promise<RegisteredModel> {
  validateModelName(name);
  const clean = tags.map(checkTag);
  checkDescription(description);
  const t = Date.now();
  try {
    await withTx(ctx, async (db) => {
      await db
        .insertInto('registered_models')
        .values({
          name,
          creation_time: times?.creation ?? t,
          last_updated_time: times?.lastUpdated ?? t,
          description: description ?? null,
          user_id: userId ?? null,
        })
        .execute();
      const unique = new Map(clean.map((x) => [x.key, x.value]));
      if (unique.size > 0) {
        await db
          .insertInto('registered_model_tags')
          .values([...unique].map(([key, value]) => ({ name, key, value })))
          .execute();
      }
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw MlflowError.exists(`Registered Model (name=${name}) already exists.`);
    throw err;
  }
  return getRegisteredModel(ctx, name);
}

export async function renameRegisteredModel(
  ctx: RegistryContext,
  name: string,
  newName: string,
): Promise<RegisteredModel> {
  validateModelName(name);
  validateModelName(newName, 'new_name');
  try {
    await withTx(ctx, async (db) => {
      await requireModel(db, name);
      if (name === newName) return;
      // Foreign keys cascade the new name to versions, tags and aliases (ON UPDATE CASCADE).
      await db
        .updateTable('registered_models')
        .set({ name: newName, last_updated_time: Date.now() })
        .where('name', '=', name)
        .execute();
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw MlflowError.exists(`Registered Model (name=${newName}) already exists.`);
    throw err;
  }
  return getRegisteredModel(ctx, newName);
}

export async function updateRegisteredModel(
  ctx: RegistryContext,
  name: string,
  description: string,
): Promise<RegisteredModel> {
  validateModelName(name);
  checkDescription(description);
  await withTx(ctx, async (db) => {
    await requireModel(db, name);
    await db
      .updateTable('registered_models')
      .set({ description, last_updated_time: Date.now() })
      .where('name', '=', name)
      .execute();
  });
  return getRegisteredModel(ctx, name);
}

export async function deleteRegisteredModel(ctx: RegistryContext, name: string): Promise<void> {
  validateModelName(name);
  await withTx(ctx, async (db) => {
    await requireModel(db, name);
    await db.deleteFrom('model_version_tags').where('name', '=', name).execute();
    await db.deleteFrom('model_versions').where('name', '=', name).execute();
    await db.deleteFrom('registered_model_aliases').where('name', '=', name).execute();
    await db.deleteFrom('registered_model_tags').where('name', '=', name).execute();
    await db.deleteFrom('registered_models').where('name', '=', name).execute();
  });
}

const modelTarget: FilterTarget = {
  attributeNames: ['name', 'creation_timestamp', 'last_updated_timestamp', 'description'],
  attribute(key) {
    switch (key) {
      case 'name':
      case 'description':
        return { column: sql.ref(`m.${key}`), type: 'string' };
      case 'creation_timestamp':
        return { column: sql.ref('m.creation_time'), type: 'number' };
      case 'timestamp':
      case 'last_updated_timestamp':
        return { column: sql.ref('m.last_updated_time'), type: 'number' };
      default:
        return undefined;
    }
  },
  side(entity, key) {
    if (entity !== 'tag') return undefined;
    return {
      from: sql`registered_model_tags s WHERE s.name = m.name AND s.key = ${key}`,
      column: sql.ref('s.value'),
      type: 'string',
    };
  },
};

export function pageSize(q: SearchRegistryQuery, def: number, max: number): number {
  const n = q.maxResults ?? def;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw MlflowError.invalid(
      `Invalid value ${n} for parameter 'max_results': it must be between 1 and ${max}.`,
    );
  }
  return n;
}

export async function searchRegisteredModels(
  ctx: RegistryContext,
  q: SearchRegistryQuery,
): Promise<Page<RegisteredModel>> {
  const filter = parseFilter(q.filter, ['attribute', 'tag']);
  const size = pageSize(q, REGISTERED_MODELS_DEFAULT_PAGE, REGISTERED_MODELS_MAX_PAGE);
  const offset = decodePageToken(q.pageToken);
  const order = (q.orderBy ?? []).map((text) => {
    const c = parseOrderBy(text, ['attribute']);
    const a = resolveAttribute(c.id, modelTarget);
    return sql`${a.column} ${sql.raw(c.ascending ? 'ASC' : 'DESC')}`;
  });
  order.push(sql`m.name ASC`);
  const where = filter ? compileFilter(filter, modelTarget, ctx.dialect) : sql`1 = 1`;
  const { rows } = await sql<RegisteredModelsTable>`SELECT m.* FROM registered_models m WHERE ${where}
    ORDER BY ${sql.join(order)} LIMIT ${size + 1} OFFSET ${offset}`.execute(ctx.db);
  const pageRows = rows.slice(0, size);
  return {
    items: await build(ctx.db, pageRows),
    nextPageToken: nextToken(offset, pageRows.length, size, rows.length > size),
  };
}

export async function setRegisteredModelTag(
  ctx: RegistryContext,
  name: string,
  tag: KeyValue,
): Promise<void> {
  validateModelName(name);
  const t = checkTag(tag);
  await withTx(ctx, async (db) => {
    await requireModel(db, name);
    await db.deleteFrom('registered_model_tags').where('name', '=', name).where('key', '=', t.key).execute();
    await db.insertInto('registered_model_tags').values({ name, key: t.key, value: t.value }).execute();
  });
}

export async function deleteRegisteredModelTag(
  ctx: RegistryContext,
  name: string,
  key: string,
): Promise<void> {
  validateModelName(name);
  validateKey('model tag', key);
  await withTx(ctx, async (db) => {
    await requireModel(db, name);
    const r = await db
      .deleteFrom('registered_model_tags')
      .where('name', '=', name)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) {
      throw MlflowError.notFound(`No tag with name: ${key} in registered model ${name}.`);
    }
  });
}

export async function setAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
  version: number,
): Promise<void> {
  validateModelName(name);
  validateAlias(alias);
  await withTx(ctx, async (db) => {
    await requireModel(db, name);
    const v = await db
      .selectFrom('model_versions')
      .select('version')
      .where('name', '=', name)
      .where('version', '=', version)
      .where('current_stage', '<>', DELETED_STAGE)
      .executeTakeFirst();
    if (!v) throw MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`);
    // An alias names exactly one version: reassigning moves it.
    await db
      .deleteFrom('registered_model_aliases')
      .where('name', '=', name)
      .where('alias', '=', alias)
      .execute();
    await db.insertInto('registered_model_aliases').values({ name, alias, version }).execute();
  });
}

export async function deleteAlias(ctx: RegistryContext, name: string, alias: string): Promise<void> {
  validateModelName(name);
  validateAlias(alias);
  await withTx(ctx, async (db) => {
    await requireModel(db, name);
    const r = await db
      .deleteFrom('registered_model_aliases')
      .where('name', '=', name)
      .where('alias', '=', alias)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0)
      throw MlflowError.notFound(`Registered model alias ${alias} not found.`);
  });
}
