/** What the registry's SQL modules share: the connection, the dialect, row → wire helpers. */
import type { Kysely } from 'kysely';
import type { KeyValue, ModelStage, ModelVersionStatus } from '@cauce/protocol';
import { withTx as trackingWithTx } from '../../store/sql/context.js';
import type { ModelVersionRecord } from '../registry-store.js';
import type { ModelVersionsTable, RegistryDatabase } from './schema.js';

export type RDb = Kysely<RegistryDatabase>;

export interface RegistryContext {
  db: RDb;
  dialect: 'sqlite' | 'postgres';
}

/** One transaction, with the tracking store's rules (BEGIN IMMEDIATE on SQLite). */
export function withTx<T>(ctx: RegistryContext, fn: (db: RDb) => Promise<T>): Promise<T> {
  return trackingWithTx({ db: ctx.db as never, dialect: ctx.dialect, defaultArtifactRoot: '' }, (tx) =>
    fn(tx as unknown as RDb),
  );
}

/** Versions deleted by the user keep their row (and number) with this stage; every read skips them. */
export const DELETED_STAGE = 'Deleted_Internal';

export async function versionTags(
  db: RDb,
  keys: { name: string; version: number }[],
): Promise<Map<string, KeyValue[]>> {
  const out = new Map<string, KeyValue[]>();
  if (keys.length === 0) return out;
  const names = [...new Set(keys.map((k) => k.name))];
  const rows = await db.selectFrom('model_version_tags').selectAll().where('name', 'in', names).execute();
  for (const r of rows) {
    const k = `${r.name}\u0000${r.version}`;
    const list = out.get(k) ?? [];
    list.push({ key: r.key, value: r.value });
    out.set(k, list);
  }
  return out;
}

export async function versionAliases(db: RDb, names: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (names.length === 0) return out;
  const rows = await db
    .selectFrom('registered_model_aliases')
    .selectAll()
    .where('name', 'in', [...new Set(names)])
    .orderBy('alias')
    .execute();
  for (const r of rows) {
    const k = `${r.name}\u0000${r.version}`;
    const list = out.get(k) ?? [];
    list.push(r.alias);
    out.set(k, list);
  }
  return out;
}

export async function toVersions(db: RDb, rows: ModelVersionsTable[]): Promise<ModelVersionRecord[]> {
  const tags = await versionTags(db, rows);
  const aliases = await versionAliases(
    db,
    rows.map((r) => r.name),
  );
  return rows.map((r) => {
    const k = `${r.name}\u0000${r.version}`;
    const mv: ModelVersionRecord = {
      name: r.name,
      version: String(r.version),
      creation_timestamp: Number(r.creation_time),
      last_updated_timestamp: Number(r.last_updated_time),
      current_stage: r.current_stage as ModelStage,
      source: r.source,
      status: r.status as ModelVersionStatus,
      tags: tags.get(k) ?? [],
      aliases: aliases.get(k) ?? [],
      storage_location: r.storage_location,
    };
    if (r.user_id !== null) mv.user_id = r.user_id;
    if (r.description !== null) mv.description = r.description;
    if (r.run_id !== null) mv.run_id = r.run_id;
    if (r.run_link !== null) mv.run_link = r.run_link;
    if (r.status_message !== null) mv.status_message = r.status_message;
    if (r.model_id !== null) mv.model_id = r.model_id;
    return mv;
  });
}

/** Strips the server-side field before a version goes over the wire. */
export function publicVersion(mv: ModelVersionRecord): Omit<ModelVersionRecord, 'storage_location'> {
  const { storage_location: _hidden, ...rest } = mv;
  return rest;
}
