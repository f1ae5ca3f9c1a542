/**
 * The one SQL implementation of `RegistryStore`, for SQLite and PostgreSQL through Kysely. It
 * shares the tracking store's database (same URI, same migration list), so one backup holds both.
 */
import type { Kysely } from 'kysely';
import type { KeyValue } from '@cauce/protocol';
import { connect } from '../../store/sql/connect.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import { migrateToLatest } from '../../store/sql/migrations.js';
import type { CreateModelVersionInput, RegistryStore, SearchRegistryQuery } from '../registry-store.js';
import { parseVersion } from '../validate.js';
import type { RegistryContext } from './context.js';
import * as mv from './model-versions.js';
import * as rm from './registered-models.js';
import type { RegistryDatabase } from './schema.js';

export class SqlRegistryStore implements RegistryStore {
  private constructor(
    /** @internal auth and webhooks keep their tables in the same database. */
    readonly ctx: RegistryContext,
    /** False when the connection belongs to the tracking store (it closes it). */
    private readonly owned: boolean,
  ) {}

  /**
   * A registry on the tracking store's own connection (same database, same migrations). Relies on
   * the SQL tracking store keeping its Kysely handle in `ctx`.
   */
  static sharing(tracking: TrackingStore): SqlRegistryStore {
    const ctx = (tracking as unknown as { ctx?: { db?: unknown; dialect?: 'sqlite' | 'postgres' } }).ctx;
    if (!ctx?.db || !ctx.dialect) {
      throw new Error('the model registry needs a SQL tracking store (or pass `registry` explicitly)');
    }
    return new SqlRegistryStore({ db: ctx.db as Kysely<RegistryDatabase>, dialect: ctx.dialect }, false);
  }

  get db(): Kysely<RegistryDatabase> {
    return this.ctx.db;
  }

  /** Connects to a backend-store URI (see store/sql/connect.ts) and migrates it. */
  static async open(uri: string): Promise<SqlRegistryStore> {
    const conn = connect(uri);
    try {
      await migrateToLatest(conn.db as never, conn.dialect);
    } catch (err) {
      await conn.db.destroy().catch(() => undefined);
      throw err;
    }
    return new SqlRegistryStore(
      {
        db: conn.db as unknown as Kysely<RegistryDatabase>,
        dialect: conn.dialect,
      },
      true,
    );
  }

  createRegisteredModel(
    name: string,
    tags: KeyValue[],
    description: string | undefined,
    userId?: string,
    times?: { creation: number; lastUpdated: number },
  ) {
    return rm.createRegisteredModel(this.ctx, name, tags, description, userId, times);
  }
  getRegisteredModel(name: string) {
    return rm.getRegisteredModel(this.ctx, name);
  }
  renameRegisteredModel(name: string, newName: string) {
    return rm.renameRegisteredModel(this.ctx, name, newName);
  }
  updateRegisteredModel(name: string, description: string) {
    return rm.updateRegisteredModel(this.ctx, name, description);
  }
  deleteRegisteredModel(name: string) {
    return rm.deleteRegisteredModel(this.ctx, name);
  }
  searchRegisteredModels(q: SearchRegistryQuery) {
    return rm.searchRegisteredModels(this.ctx, q);
  }
  getLatestVersions(name: string, stages: string[]) {
    return mv.getLatestVersions(this.ctx, name, stages);
  }
  setRegisteredModelTag(name: string, tag: KeyValue) {
    return rm.setRegisteredModelTag(this.ctx, name, tag);
  }
  deleteRegisteredModelTag(name: string, key: string) {
    return rm.deleteRegisteredModelTag(this.ctx, name, key);
  }
  setAlias(name: string, alias: string, version: string) {
    return rm.setAlias(this.ctx, name, alias, parseVersion(version));
  }
  deleteAlias(name: string, alias: string) {
    return rm.deleteAlias(this.ctx, name, alias);
  }
  getVersionByAlias(name: string, alias: string) {
    return mv.getVersionByAlias(this.ctx, name, alias);
  }
  createModelVersion(input: CreateModelVersionInput) {
    return mv.createModelVersion(this.ctx, input);
  }
  getModelVersion(name: string, version: string) {
    return mv.getModelVersion(this.ctx, name, version);
  }
  updateModelVersion(name: string, version: string, description: string) {
    return mv.updateModelVersion(this.ctx, name, version, description);
  }
  deleteModelVersion(name: string, version: string) {
    return mv.deleteModelVersion(this.ctx, name, version);
  }
  searchModelVersions(q: SearchRegistryQuery) {
    return mv.searchModelVersions(this.ctx, q);
  }
  transitionStage(name: string, version: string, stage: string, archiveExisting: boolean) {
    return mv.transitionStage(this.ctx, name, version, stage, archiveExisting);
  }
  setModelVersionTag(name: string, version: string, tag: KeyValue) {
    return mv.setModelVersionTag(this.ctx, name, version, tag);
  }
  deleteModelVersionTag(name: string, version: string, key: string) {
    return mv.deleteModelVersionTag(this.ctx, name, version, key);
  }
  async close(): Promise<void> {
    if (this.owned) await this.ctx.db.destroy();
  }
}
