/** What every part of the SQL store shares: the connection, the dialect, and helpers. */
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import { INFINITY_SURROGATE, MlflowError, type Metric, type WireDouble } from '@cauce/protocol';
import type { Database } from './schema.js';
import type { DialectName } from './migrations.js';

export type Db = Kysely<Database> | Transaction<Database>;

export interface StoreContext {
  db: Kysely<Database>;
  /** SQLite only: the raw better-sqlite3 handle (same connection as `db`). */
  sqlite?: BetterSqlite3.Database;
  dialect: DialectName;
  /** Root under which experiments without an explicit location store artifacts. */
  defaultArtifactRoot: string;
}

/**
 * Runs `fn` in one transaction. On SQLite the transaction starts with BEGIN IMMEDIATE: it takes the
 * write lock up front, so a transaction that reads then writes never fails half-way with
 * SQLITE_BUSY when another process (a `--workers` sibling) writes too; busy_timeout makes it wait.
 */
export async function withTx<T>(ctx: StoreContext, fn: (db: Db) => Promise<T>): Promise<T> {
  if (ctx.dialect === 'postgres') return ctx.db.transaction().execute(fn);
  return ctx.db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const out = await fn(conn);
      await sql`COMMIT`.execute(conn);
      return out;
    } catch (err) {
      await sql`ROLLBACK`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

export function now(): number {
  return Date.now();
}

/** MLflow's storage of metric values: NaN as (0, is_nan=1), ±Inf as ±DBL_MAX. */
export function encodeMetricValue(v: number): { value: number; is_nan: number } {
  if (Number.isNaN(v)) return { value: 0, is_nan: 1 };
  if (v === Infinity) return { value: INFINITY_SURROGATE, is_nan: 0 };
  if (v === -Infinity) return { value: -INFINITY_SURROGATE, is_nan: 0 };
  return { value: v, is_nan: 0 };
}

export function decodeMetricValue(value: number, isNan: number | boolean): WireDouble {
  return isNan ? 'NaN' : Number(value);
}

export function toWireMetric(r: {
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
}): Metric {
  return {
    key: r.key,
    value: decodeMetricValue(r.value, r.is_nan),
    timestamp: Number(r.timestamp),
    step: Number(r.step),
  };
}

/** Experiment ids are decimal integers in the SQL store; anything else names no experiment. */
export function experimentIdToInt(id: string): number {
  if (!/^\d{1,10}$/.test(id) || Number(id) > 2147483647) {
    throw MlflowError.notFound(`No Experiment with id=${id} exists`);
  }
  return Number(id);
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** Rows per multi-row INSERT, so a statement stays under both dialects' bind-parameter limits. */
export const INSERT_CHUNK = 1000;

export function chunks<T>(items: T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const ADJECTIVES = [
  'able',
  'bold',
  'brave',
  'bright',
  'calm',
  'clever',
  'crisp',
  'dapper',
  'eager',
  'fair',
  'fancy',
  'gentle',
  'glad',
  'grand',
  'happy',
  'jolly',
  'keen',
  'kind',
  'lively',
  'lucky',
  'merry',
  'neat',
  'nimble',
  'proud',
  'quick',
  'quiet',
  'rare',
  'sharp',
  'shy',
  'smart',
  'snappy',
  'sunny',
  'swift',
  'tidy',
  'vivid',
  'wise',
];
const NOUNS = [
  'ant',
  'bat',
  'bear',
  'bee',
  'bird',
  'carp',
  'cat',
  'colt',
  'crab',
  'crow',
  'deer',
  'doe',
  'duck',
  'eel',
  'fawn',
  'finch',
  'fox',
  'frog',
  'gnu',
  'goat',
  'hare',
  'hawk',
  'jay',
  'kite',
  'lark',
  'lynx',
  'mole',
  'moth',
  'newt',
  'owl',
  'panda',
  'ram',
  'seal',
  'shrew',
  'slug',
  'snail',
  'stork',
  'swan',
  'toad',
  'trout',
  'wasp',
  'wolf',
];

/** A readable default run/model name, in MLflow's `adjective-noun-NNN` style. */
export function randomName(): string {
  const pick = <T>(a: T[]): T => a[Math.floor(Math.random() * a.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}

/** Joins a URI and a path segment with exactly one slash. */
export function appendToUri(base: string, segment: string): string {
  return `${base.replace(/\/+$/, '')}/${segment.replace(/^\/+/, '')}`;
}
