/**
 * Opening a database from a backend-store URI, the forms `mlflow server --backend-store-uri`
 * takes: `sqlite:///relative/path.db`, `sqlite:////absolute/path.db`, `postgresql://user@host:port/db`
 * (also `postgres://` and `postgresql+psycopg2://`), or a bare file path (taken as SQLite).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import type { DialectName } from './migrations.js';

export interface Connection {
  db: Kysely<Database>;
  /** SQLite only: the better-sqlite3 handle, for the bulk reads that skip the query builder. */
  sqlite?: BetterSqlite3.Database;
  dialect: DialectName;
  /** A description safe to print (no password). */
  display: string;
}

export interface ParsedStoreUri {
  dialect: DialectName;
  /** SQLite: absolute file path or ':memory:'. PostgreSQL: a connection string for pg. */
  target: string;
}

export class StoreUriError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUriError';
  }
}

export function parseStoreUri(uri: string, cwd = process.cwd()): ParsedStoreUri {
  const u = uri.trim();
  if (u === '') throw new StoreUriError('the backend store URI is empty');
  const scheme = /^([a-zA-Z][\w+.-]*):/.exec(u)?.[1]?.toLowerCase();
  if (scheme === undefined || /^[a-zA-Z]$/.test(scheme)) {
    return { dialect: 'sqlite', target: resolve(cwd, u) };
  }
  if (scheme === 'sqlite') {
    // sqlite:///rel.db → rel.db ; sqlite:////abs.db → /abs.db (SQLAlchemy's convention)
    const m = /^sqlite:\/\/\/(.*)$/i.exec(u);
    if (!m || m[1] === undefined || m[1] === '') {
      throw new StoreUriError(`'${uri}' is not a SQLite URI of the form sqlite:///path/to/file.db`);
    }
    const path = m[1].split('?')[0]!;
    if (path === ':memory:') return { dialect: 'sqlite', target: ':memory:' };
    return { dialect: 'sqlite', target: path.startsWith('/') ? path : resolve(cwd, path) };
  }
  if (scheme === 'postgresql' || scheme === 'postgres' || scheme.startsWith('postgresql+')) {
    const rest = u.slice(u.indexOf(':'));
    try {
      const parsed = new URL(`postgresql${rest}`);
      if (!parsed.hostname && !parsed.searchParams.get('host')) throw new Error('no host');
    } catch {
      throw new StoreUriError(
        `'${redact(uri)}' is not a PostgreSQL URI of the form postgresql://user:pass@host:5432/db`,
      );
    }
    return { dialect: 'postgres', target: `postgresql${rest}` };
  }
  throw new StoreUriError(
    `unsupported backend store URI scheme '${scheme}:' (use sqlite:///path/file.db or postgresql://user@host/db)`,
  );
}

export function redact(uri: string): string {
  return uri.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/**
 * Kysely's SQLite driver calls `db.prepare(sql)` for every query it runs, and compiling the SQL
 * text again was ~8% of the server's CPU under the mixed tracking load (bench:tracking). The
 * statements Kysely builds are parameterised, so the same few hundred SQL texts recur: keep the
 * compiled statements, keyed by their text, and reuse them. Safe because the driver runs each
 * statement to completion synchronously (`all`/`run`; we never `stream()`), so a cached statement
 * is never busy when it is handed out again; SQLite re-prepares it itself after a schema change.
 * Bounded (oldest dropped first) since `IN (?, ?, …)` lists make texts of every length.
 */
function cachingPrepare(sqlite: BetterSqlite3.Database, max = 1000): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt === undefined) {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}

export function connect(uri: string): Connection {
  const parsed = parseStoreUri(uri);
  if (parsed.dialect === 'sqlite') {
    let sqlite: BetterSqlite3.Database;
    try {
      if (parsed.target !== ':memory:') mkdirSync(dirname(parsed.target), { recursive: true });
      sqlite = new BetterSqlite3(parsed.target);
    } catch (err) {
      const e = new StoreUriError(
        `cannot create or open the SQLite file ${parsed.target}: ${(err as Error).message}`,
      );
      throw Object.assign(e, { code: (err as { code?: string }).code });
    }
    // WAL lets readers run beside the writer. synchronous=NORMAL in WAL mode keeps every committed
    // transaction across a process crash (SIGKILL): the WAL is written before COMMIT returns and
    // the OS keeps it; only a power cut can lose the last commits (https://sqlite.org/wal.html).
    // One store instance per process: better-sqlite3 is synchronous, so a second connection in the
    // same thread waiting on busy_timeout would block the thread that holds the lock. Several
    // processes (`--workers`) on one file are fine: each waits in its own thread.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('foreign_keys = ON');
    return {
      db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingPrepare(sqlite) }) }),
      sqlite,
      dialect: 'sqlite',
      display: `sqlite:///${parsed.target}`,
    };
  }
  const pool = new pg.Pool({
    connectionString: parsed.target,
    max: 10,
    // JIT off: the tracking queries are many short index probes, and PostgreSQL's cost threshold
    // (jit_above_cost) counts a search-runs page's 1,000 correlated json_agg subqueries as expensive,
    // so it compiled them on every call: ~15 ms of CPU on a ~90 ms hydration (bench:tracking).
    // https://www.postgresql.org/docs/current/jit-decision.html. PGOPTIONS (after it) or an
    // `options` parameter in the URI still override it.
    options: ['-c jit=off', process.env.PGOPTIONS].filter(Boolean).join(' '),
    // int8 (OID 20) arrives as a string by default; our int8 columns are epoch-ms timestamps and
    // steps, which fit a double exactly up to 2^53.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    dialect: 'postgres',
    display: redact(uri),
  };
}
