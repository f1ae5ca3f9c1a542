/** Model versions: create (numbered per model), read, describe, delete, search, stages, tags. */
import { sql } from 'kysely';
import { MODEL_VERSION_STATUSES, MlflowError, type KeyValue, type ModelVersion } from '@cauce/protocol';
import { compileFilter, resolveAttribute, type FilterTarget } from '../../search/compile.js';
import { parseFilter, parseOrderBy } from '../../search/parser.js';
import { decodePageToken, nextToken } from '../../store/page-token.js';
import { isUniqueViolation } from '../../store/sql/context.js';
import type { Page } from '../../store/tracking-store.js';
import { validateKey } from '../../validation.js';
import type { CreateModelVersionInput, ModelVersionRecord, SearchRegistryQuery } from '../registry-store.js';
import { canonicalStage, parseVersion, validateAlias, validateModelName } from '../validate.js';
import {
  DELETED_STAGE,
  publicVersion,
  toVersions,
  withTx,
  type RDb,
  type RegistryContext,
} from './context.js';
import { checkDescription, checkTag, pageSize, requireModel } from './registered-models.js';
import type { ModelVersionsTable } from './schema.js';

export const VERSIONS_DEFAULT_PAGE = 10_000;
export const VERSIONS_MAX_PAGE = 200_000;

async function requireVersion(db: RDb, name: string, version: number): Promise<ModelVersionsTable> {
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('name', '=', name)
    .where('version', '=', version)
    .where('current_stage', '<>', DELETED_STAGE)
    .executeTakeFirst();
  if (!row) {
    await requireModel(db, name);
    throw MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`);
  }
  return row;
}

export async function getModelVersion(
  ctx: RegistryContext,
  name: string,
  version: string,
): Promise<ModelVersionRecord> {
  validateModelName(name);
  const row = await requireVersion(ctx.db, name, parseVersion(version));
  return (await toVersions(ctx.db, [row]))[0]!;
}

export async function createModelVersion(
  ctx: RegistryContext,
  input: CreateModelVersionInput,
): Promise<ModelVersionRecord> {
  validateModelName(input.name);
  const tags = input.tags.map(checkTag);
  checkDescription(input.description);
  if (input.status !== undefined && !MODEL_VERSION_STATUSES.includes(input.status)) {
    throw MlflowError.invalid(`Invalid model version status '${String(input.status)}'.`);
  }
  // Two writers may pick the same next number; the primary key refuses the second, which retries.
  for (let attempt = 0; ; attempt++) {
    try {
      const version = await withTx(ctx, async (db) => {
        await requireModel(db, input.name);
        let v = input.version;
        if (v === undefined) {
          const max = await db
            .selectFrom('model_versions')
            .select((eb) => eb.fn.max('version').as('m'))
            .where('name', '=', input.name)
            .executeTakeFirst();
          v = Number(max?.m ?? 0) + 1;
        }
        const t = Date.now();
        await db
          .insertInto('model_versions')
          .values({
            name: input.name,
            version: v,
            creation_time: input.creationTime ?? t,
            last_updated_time: input.lastUpdatedTime ?? t,
            description: input.description ?? null,
            user_id: input.userId ?? null,
            current_stage: input.stage ?? 'None',
            source: input.source,
            storage_location: input.storageLocation,
            run_id: input.runId ?? null,
            run_link: input.runLink ?? null,
            status: input.status ?? 'READY',
            status_message: null,
            model_id: input.modelId ?? null,
          })
          .execute();
        const unique = new Map(tags.map((x) => [x.key, x.value]));
        if (unique.size > 0) {
          await db
            .insertInto('model_version_tags')
            .values([...unique].map(([key, value]) => ({ name: input.name, version: v, key, value })))
            .execute();
        }
        await db
          .updateTable('registered_models')
          .set({ last_updated_time: t })
          .where('name', '=', input.name)
          .execute();
        return v;
      });
      return getModelVersion(ctx, input.name, String(version));
    } catch (err) {
      if (isUniqueViolation(err)) {
        if (input.version !== undefined) {
          throw MlflowError.exists(
            `Model Version (name=${input.name}, version=${input.version}) already exists.`,
          );
        }
        if (attempt < 10) continue;
      }
      throw err;
    }
  }
}

export async function updateModelVersion(
  ctx: RegistryContext,
  name: string,
  version: string,
  description: string,
): Promise<ModelVersionRecord> {
  validateModelName(name);
  const v = parseVersion(version);
  checkDescription(description);
  await withTx(ctx, async (db) => {
    await requireVersion(db, name, v);
    await db
      .updateTable('model_versions')
      .set({ description, last_updated_time: Date.now() })
      .where('name', '=', name)
      .where('version', '=', v)
      .execute();
  });
  return getModelVersion(ctx, name, version);
}

export async function deleteModelVersion(ctx: RegistryContext, name: string, version: string): Promise<void> {
  validateModelName(name);
  const v = parseVersion(version);
  await withTx(ctx, async (db) => {
    await requireVersion(db, name, v);
    await db
      .deleteFrom('registered_model_aliases')
      .where('name', '=', name)
      .where('version', '=', v)
      .execute();
    await db.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', v).execute();
    // The row stays as a tombstone so the number is never handed out again.
    await db
      .updateTable('model_versions')
      .set({ current_stage: DELETED_STAGE, description: null, last_updated_time: Date.now() })
      .where('name', '=', name)
      .where('version', '=', v)
      .execute();
  });
}

export async function transitionStage(
  ctx: RegistryContext,
  name: string,
  version: string,
  stageText: string,
  archiveExisting: boolean,
): Promise<ModelVersionRecord> {
  validateModelName(name);
  const v = parseVersion(version);
  const stage = canonicalStage(stageText);
  if (archiveExisting && stage !== 'Staging' && stage !== 'Production') {
    throw MlflowError.invalid(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are Staging, Production.`,
    );
  }
  await withTx(ctx, async (db) => {
    await requireVersion(db, name, v);
    const t = Date.now();
    if (archiveExisting) {
      await db
        .updateTable('model_versions')
        .set({ current_stage: 'Archived', last_updated_time: t })
        .where('name', '=', name)
        .where('current_stage', '=', stage)
        .where('version', '<>', v)
        .execute();
    }
    await db
      .updateTable('model_versions')
      .set({ current_stage: stage, last_updated_time: t })
      .where('name', '=', name)
      .where('version', '=', v)
      .execute();
    await db
      .updateTable('registered_models')
      .set({ last_updated_time: t })
      .where('name', '=', name)
      .execute();
  });
  return getModelVersion(ctx, name, version);
}

export async function getLatestVersions(
  ctx: RegistryContext,
  name: string,
  stages: string[],
): Promise<ModelVersion[]> {
  validateModelName(name);
  const wanted = stages.map(canonicalStage);
  await requireModel(ctx.db, name);
  let q = ctx.db
    .selectFrom('model_versions')
    .selectAll()
    .where('name', '=', name)
    .where('current_stage', '<>', DELETED_STAGE);
  if (wanted.length > 0) q = q.where('current_stage', 'in', wanted);
  const rows = await q.orderBy('version', 'desc').execute();
  const seen = new Set<string>();
  const latest = rows.filter((r) => (seen.has(r.current_stage) ? false : (seen.add(r.current_stage), true)));
  latest.sort((a, b) => a.version - b.version);
  return (await toVersions(ctx.db, latest)).map((x) => publicVersion(x) as ModelVersion);
}

export async function setModelVersionTag(
  ctx: RegistryContext,
  name: string,
  version: string,
  tag: KeyValue,
): Promise<void> {
  validateModelName(name);
  const v = parseVersion(version);
  const t = checkTag(tag);
  await withTx(ctx, async (db) => {
    await requireVersion(db, name, v);
    await db
      .deleteFrom('model_version_tags')
      .where('name', '=', name)
      .where('version', '=', v)
      .where('key', '=', t.key)
      .execute();
    await db
      .insertInto('model_version_tags')
      .values({ name, version: v, key: t.key, value: t.value })
      .execute();
  });
}

export async function deleteModelVersionTag(
  ctx: RegistryContext,
  name: string,
  version: string,
  key: string,
): Promise<void> {
  validateModelName(name);
  const v = parseVersion(version);
  validateKey('model tag', key);
  await withTx(ctx, async (db) => {
    await requireVersion(db, name, v);
    const r = await db
      .deleteFrom('model_version_tags')
      .where('name', '=', name)
      .where('version', '=', v)
      .where('key', '=', key)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) {
      throw MlflowError.notFound(`No tag with name: ${key} for model version ${name} version ${version}.`);
    }
  });
}

export async function getVersionByAlias(
  ctx: RegistryContext,
  name: string,
  alias: string,
): Promise<ModelVersionRecord> {
  validateModelName(name);
  validateAlias(alias);
  const row = await ctx.db
    .selectFrom('registered_model_aliases')
    .select('version')
    .where('name', '=', name)
    .where('alias', '=', alias)
    .executeTakeFirst();
  if (!row) {
    await requireModel(ctx.db, name);
    throw MlflowError.notFound(`Registered model alias ${alias} not found.`);
  }
  return getModelVersion(ctx, name, String(row.version));
}

const versionTarget: FilterTarget = {
  attributeNames: [
    'name',
    'version_number',
    'run_id',
    'source_path',
    'current_stage',
    'creation_timestamp',
    'last_updated_timestamp',
  ],
  attribute(key) {
    switch (key) {
      case 'name':
      case 'run_id':
      case 'current_stage':
        return { column: sql.ref(`v.${key}`), type: 'string' };
      case 'source_path':
        return { column: sql.ref('v.source'), type: 'string' };
      case 'version':
      case 'version_number':
        return { column: sql.ref('v.version'), type: 'number' };
      case 'creation_timestamp':
        return { column: sql.ref('v.creation_time'), type: 'number' };
      case 'timestamp':
      case 'last_updated_timestamp':
        return { column: sql.ref('v.last_updated_time'), type: 'number' };
      default:
        return undefined;
    }
  },
  side(entity, key) {
    if (entity !== 'tag') return undefined;
    return {
      from: sql`model_version_tags s WHERE s.name = v.name AND s.version = v.version AND s.key = ${key}`,
      column: sql.ref('s.value'),
      type: 'string',
    };
  },
};

export async function searchModelVersions(
  ctx: RegistryContext,
  q: SearchRegistryQuery,
): Promise<Page<ModelVersion>> {
  const filter = parseFilter(q.filter, ['attribute', 'tag']);
  const size = pageSize(q, VERSIONS_DEFAULT_PAGE, VERSIONS_MAX_PAGE);
  const offset = decodePageToken(q.pageToken);
  const order = (q.orderBy ?? []).map((text) => {
    const c = parseOrderBy(text, ['attribute']);
    const a = resolveAttribute(c.id, versionTarget);
    return sql`${a.column} ${sql.raw(c.ascending ? 'ASC' : 'DESC')}`;
  });
  order.push(sql`v.name ASC`, sql`v.version DESC`);
  const live = sql`v.current_stage <> ${DELETED_STAGE}`;
  const where = filter ? sql`${live} AND ${compileFilter(filter, versionTarget, ctx.dialect)}` : live;
  const { rows } = await sql<ModelVersionsTable>`SELECT v.* FROM model_versions v WHERE ${where}
    ORDER BY ${sql.join(order)} LIMIT ${size + 1} OFFSET ${offset}`.execute(ctx.db);
  const pageRows = rows.slice(0, size);
  return {
    items: (await toVersions(ctx.db, pageRows)).map((x) => publicVersion(x) as ModelVersion),
    nextPageToken: nextToken(offset, pageRows.length, size, rows.length > size),
  };
}
