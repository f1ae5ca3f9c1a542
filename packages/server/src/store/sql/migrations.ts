/**
 * Versioned schema migrations, kept in code (no files to ship). Kysely's Migrator records applied
 * versions in `kysely_migration` and takes a lock while migrating (a PostgreSQL advisory lock), so
 * several server processes starting at once on one database migrate it exactly once.
 * Never edit a migration that has shipped: add the next one.
 */
import {
  Migrator,
  sql,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
} from 'kysely';
import { registryMigrations } from '../../registry/sql/migrations.js';

export type DialectName = 'sqlite' | 'postgres';

function migrations(dialect: DialectName): Record<string, Migration> {
  const idType = dialect === 'sqlite' ? 'integer' : 'serial';
  const big = 'bigint';
  return {
    '0001_tracking': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('experiments')
          .addColumn('experiment_id', idType, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('name', 'varchar(500)', (c) => c.notNull().unique())
          .addColumn('artifact_location', 'text', (c) => c.notNull())
          .addColumn('lifecycle_stage', 'varchar(32)', (c) => c.notNull())
          .addColumn('creation_time', big, (c) => c.notNull())
          .addColumn('last_update_time', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('experiment_tags')
          .addColumn('experiment_id', 'integer', (c) =>
            c.notNull().references('experiments.experiment_id').onDelete('cascade'),
          )
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('experiment_tags_pk', ['experiment_id', 'key'])
          .execute();
        await db.schema
          .createTable('runs')
          .addColumn('run_uuid', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('name', 'varchar(250)', (c) => c.notNull())
          .addColumn('experiment_id', 'integer', (c) =>
            c.notNull().references('experiments.experiment_id').onDelete('cascade'),
          )
          .addColumn('user_id', 'varchar(256)', (c) => c.notNull())
          .addColumn('status', 'varchar(20)', (c) => c.notNull())
          .addColumn('start_time', big, (c) => c.notNull())
          .addColumn('end_time', big)
          .addColumn('deleted_time', big)
          .addColumn('lifecycle_stage', 'varchar(20)', (c) => c.notNull())
          .addColumn('artifact_uri', 'text', (c) => c.notNull())
          .execute();
        // search-runs: experiment + lifecycle, newest first (the default order).
        await db.schema
          .createIndex('runs_experiment_start')
          .on('runs')
          .columns(['experiment_id', 'lifecycle_stage', 'start_time'])
          .execute();
        for (const t of ['params', 'tags']) {
          await db.schema
            .createTable(t)
            .addColumn('run_uuid', 'varchar(64)', (c) =>
              c.notNull().references('runs.run_uuid').onDelete('cascade'),
            )
            .addColumn('key', 'varchar(250)', (c) => c.notNull())
            .addColumn('value', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint(`${t}_pk`, ['run_uuid', 'key'])
            .execute();
          // filters like `params.alpha = '0.1'` probe by (key, value) first.
          if (t === 'params') {
            await db.schema.createIndex(`${t}_key_value`).on(t).columns(['key', 'value']).execute();
          }
        }
        // metrics: the primary key (run, key, step, timestamp, value, is_nan) is MLflow's
        // de-duplication rule (an identical point logged twice is stored once) and, in this column
        // order, the index that history and sampled-history reads walk. On SQLite the table is
        // WITHOUT ROWID, so the rows live in that index and a history read touches one b-tree.
        const metrics = db.schema
          .createTable('metrics')
          .addColumn('run_uuid', 'varchar(64)', (c) =>
            c.notNull().references('runs.run_uuid').onDelete('cascade'),
          )
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('step', big, (c) => c.notNull())
          .addColumn('timestamp', big, (c) => c.notNull())
          .addColumn('value', 'double precision', (c) => c.notNull())
          .addColumn('is_nan', 'smallint', (c) => c.notNull())
          .addPrimaryKeyConstraint('metrics_pk', ['run_uuid', 'key', 'step', 'timestamp', 'value', 'is_nan']);
        await (dialect === 'sqlite' ? metrics.modifyEnd(sql`without rowid`) : metrics).execute();
        await db.schema
          .createTable('latest_metrics')
          .addColumn('run_uuid', 'varchar(64)', (c) =>
            c.notNull().references('runs.run_uuid').onDelete('cascade'),
          )
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('step', big, (c) => c.notNull())
          .addColumn('timestamp', big, (c) => c.notNull())
          .addColumn('value', 'double precision', (c) => c.notNull())
          .addColumn('is_nan', 'smallint', (c) => c.notNull())
          .addPrimaryKeyConstraint('latest_metrics_pk', ['run_uuid', 'key'])
          .execute();
        // filters like `metrics.rmse < 1` probe by (key, value).
        await db.schema
          .createIndex('latest_metrics_key_value')
          .on('latest_metrics')
          .columns(['key', 'value'])
          .execute();
        await db.schema
          .createTable('datasets')
          .addColumn('dataset_uuid', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('experiment_id', 'integer', (c) =>
            c.notNull().references('experiments.experiment_id').onDelete('cascade'),
          )
          .addColumn('name', 'varchar(500)', (c) => c.notNull())
          .addColumn('digest', 'varchar(36)', (c) => c.notNull())
          .addColumn('dataset_source_type', 'varchar(36)', (c) => c.notNull())
          .addColumn('dataset_source', 'text', (c) => c.notNull())
          .addColumn('dataset_schema', 'text')
          .addColumn('dataset_profile', 'text')
          .addUniqueConstraint('datasets_exp_name_digest', ['experiment_id', 'name', 'digest'])
          .execute();
        await db.schema
          .createTable('run_inputs')
          .addColumn('run_uuid', 'varchar(64)', (c) =>
            c.notNull().references('runs.run_uuid').onDelete('cascade'),
          )
          .addColumn('dataset_uuid', 'varchar(64)', (c) =>
            c.notNull().references('datasets.dataset_uuid').onDelete('cascade'),
          )
          .addColumn('context', 'varchar(500)')
          .addColumn('tags_json', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('run_inputs_pk', ['run_uuid', 'dataset_uuid'])
          .execute();
        await db.schema
          .createTable('run_model_io')
          .addColumn('run_uuid', 'varchar(64)', (c) =>
            c.notNull().references('runs.run_uuid').onDelete('cascade'),
          )
          .addColumn('model_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('direction', 'varchar(8)', (c) => c.notNull())
          .addColumn('step', big, (c) => c.notNull())
          .addPrimaryKeyConstraint('run_model_io_pk', ['run_uuid', 'direction', 'model_id'])
          .execute();
        await db.schema
          .createTable('logged_models')
          .addColumn('model_id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('experiment_id', 'integer', (c) =>
            c.notNull().references('experiments.experiment_id').onDelete('cascade'),
          )
          .addColumn('name', 'varchar(500)', (c) => c.notNull())
          .addColumn('artifact_location', 'text', (c) => c.notNull())
          .addColumn('creation_timestamp_ms', big, (c) => c.notNull())
          .addColumn('last_updated_timestamp_ms', big, (c) => c.notNull())
          .addColumn('status', 'varchar(40)', (c) => c.notNull())
          .addColumn('lifecycle_stage', 'varchar(20)', (c) => c.notNull())
          .addColumn('model_type', 'varchar(500)')
          .addColumn('source_run_id', 'varchar(64)')
          .addColumn('status_message', 'text')
          .execute();
        await db.schema
          .createIndex('logged_models_experiment')
          .on('logged_models')
          .columns(['experiment_id', 'creation_timestamp_ms'])
          .execute();
        for (const t of ['logged_model_tags', 'logged_model_params']) {
          await db.schema
            .createTable(t)
            .addColumn('model_id', 'varchar(64)', (c) =>
              c.notNull().references('logged_models.model_id').onDelete('cascade'),
            )
            .addColumn('key', 'varchar(250)', (c) => c.notNull())
            .addColumn('value', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint(`${t}_pk`, ['model_id', 'key'])
            .execute();
        }
        await db.schema
          .createTable('logged_model_metrics')
          .addColumn('model_id', 'varchar(64)', (c) =>
            c.notNull().references('logged_models.model_id').onDelete('cascade'),
          )
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('step', big, (c) => c.notNull())
          .addColumn('timestamp', big, (c) => c.notNull())
          .addColumn('value', 'double precision', (c) => c.notNull())
          .addColumn('is_nan', 'smallint', (c) => c.notNull())
          .addColumn('run_uuid', 'varchar(64)', (c) => c.notNull())
          .addColumn('dataset_name', 'varchar(500)', (c) => c.notNull())
          .addColumn('dataset_digest', 'varchar(36)', (c) => c.notNull())
          .addPrimaryKeyConstraint('logged_model_metrics_pk', [
            'model_id',
            'key',
            'step',
            'timestamp',
            'run_uuid',
            'dataset_name',
            'dataset_digest',
          ])
          .execute();
      },
    },
    // search-runs filters (`metrics.m > x`, `params.p = 'v'`) compile to `run_uuid IN (SELECT
    // run_uuid FROM side WHERE key = ? AND value … [AND is_nan = 0])`. With a (key, value) index each
    // matching entry costs a second lookup into the table for run_uuid; making the index cover the
    // subquery (an index-only scan) cut the page query of the 10,000-run benchmark from ~47 to ~27 ms
    // CPU on SQLite. The new indexes have the old ones as a prefix, so the old ones are dropped
    // (every write would otherwise maintain both). Indexes only: no table changes.
    '0003_search_covering_indexes': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createIndex('latest_metrics_key_value_run')
          .on('latest_metrics')
          .columns(['key', 'value', 'is_nan', 'run_uuid'])
          .execute();
        await db.schema
          .createIndex('params_key_value_run')
          .on('params')
          .columns(['key', 'value', 'run_uuid'])
          .execute();
        await db.schema.dropIndex('latest_metrics_key_value').ifExists().execute();
        await db.schema.dropIndex('params_key_value').ifExists().execute();
      },
    },
    '0004_clustered_run_children': {
      up: (db: Kysely<unknown>) => (dialect === 'sqlite' ? clusterRunChildren(db) : Promise.resolve()),
    },
    // 0005, PostgreSQL only: multivariate MCV statistics on (key, value) of params and tags
    // (https://www.postgresql.org/docs/current/planner-stats.html#PLANNER-STATS-EXTENDED). A filter
    // `params.p0 = 'a'` probes `key = 'p0' AND value = 'a'`; estimated as independent columns it came
    // out 10x too low (495 of 5,020 runs in bench:tracking), so the page query probed the metric
    // filter once per run in a nested loop instead of hashing it: ~28 -> ~19 ms. Filled by ANALYZE.
    '0005_pg_key_value_statistics': {
      async up(db: Kysely<unknown>) {
        if (dialect !== 'postgres') return;
        for (const table of ['params', 'tags'])
          await sql`CREATE STATISTICS IF NOT EXISTS ${sql.id(`${table}_key_value_mcv`)} (mcv)
            ON key, value FROM ${sql.table(table)}`.execute(db);
      },
    },
    ...registryMigrations(dialect), // registry/auth (H7): '0100_registry', '0101_auth', '0102_webhooks'
  };
}

/**
 * 0004, SQLite only: `latest_metrics`, `params` and `tags` become WITHOUT ROWID tables, i.e. their
 * rows live in the (run_uuid, key) primary-key b-tree, as `metrics` already does
 * (https://sqlite.org/withoutrowid.html). Every read of these tables is by run (hydrating a page of
 * runs, the order_by LEFT JOIN of search-runs, get-run), and a rowid table answers each with a seek
 * in the primary-key index and then a second seek into the table. Measured on the bench:tracking data
 * set (10,000 runs × 20 metrics × 10 params): hydrating 1,000 runs' latest metrics 32 → 27 ms CPU,
 * params 12.6 → 11 ms, the search page query 29.5 → 23 ms.
 * SQLite cannot change a table to WITHOUT ROWID in place, so each table is rebuilt (create, copy,
 * drop, rename, recreate its indexes). Kysely runs SQLite migrations outside a transaction, so this
 * one takes its own (BEGIN IMMEDIATE … COMMIT): a crash half-way leaves the old tables intact. A table
 * that is already WITHOUT ROWID is skipped, so running it again after a crash between COMMIT and
 * Kysely's bookkeeping is harmless.
 * PostgreSQL: nothing. Its tables are heaps and CLUSTER is a one-off reordering that writes do not
 * maintain; the (run_uuid, key) primary-key indexes already serve these reads.
 */
async function clusterRunChildren(db: Kysely<unknown>): Promise<void> {
  const big = 'bigint';
  const tables: { name: string; columns: string[]; create: (name: string) => CreateTableBuilder<string> }[] =
    [
      {
        name: 'latest_metrics',
        columns: ['run_uuid', 'key', 'step', 'timestamp', 'value', 'is_nan'],
        create: (name) =>
          db.schema
            .createTable(name)
            .addColumn('run_uuid', 'varchar(64)', (c) =>
              c.notNull().references('runs.run_uuid').onDelete('cascade'),
            )
            .addColumn('key', 'varchar(250)', (c) => c.notNull())
            .addColumn('step', big, (c) => c.notNull())
            .addColumn('timestamp', big, (c) => c.notNull())
            .addColumn('value', 'double precision', (c) => c.notNull())
            .addColumn('is_nan', 'smallint', (c) => c.notNull())
            .addPrimaryKeyConstraint('latest_metrics_pk', ['run_uuid', 'key']),
      },
      ...['params', 'tags'].map((t) => ({
        name: t,
        columns: ['run_uuid', 'key', 'value'],
        create: (name: string) =>
          db.schema
            .createTable(name)
            .addColumn('run_uuid', 'varchar(64)', (c) =>
              c.notNull().references('runs.run_uuid').onDelete('cascade'),
            )
            .addColumn('key', 'varchar(250)', (c) => c.notNull())
            .addColumn('value', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint(`${t}_pk`, ['run_uuid', 'key']),
      })),
    ];
  await sql`BEGIN IMMEDIATE`.execute(db);
  try {
    for (const t of tables) {
      const { rows } = await sql<{
        sql: string;
      }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${t.name}`.execute(db);
      if (/without\s+rowid\s*$/i.test(rows[0]?.sql ?? '')) continue;
      // The table's own indexes (0003's covering search indexes, and any an operator added), to
      // recreate on the rebuilt table; autoindexes (sql IS NULL) come back with the primary key.
      const indexes = await sql<{ sql: string }>`SELECT sql FROM sqlite_master
        WHERE type = 'index' AND tbl_name = ${t.name} AND sql IS NOT NULL`.execute(db);
      const tmp = `${t.name}_0004`;
      await t
        .create(tmp)
        .modifyEnd(sql`without rowid`)
        .execute();
      const cols = sql.join(t.columns.map((c) => sql.ref(c)));
      await sql`INSERT INTO ${sql.table(tmp)} (${cols}) SELECT ${cols} FROM ${sql.table(t.name)}`.execute(db);
      await sql`DROP TABLE ${sql.table(t.name)}`.execute(db);
      await sql`ALTER TABLE ${sql.table(tmp)} RENAME TO ${sql.table(t.name)}`.execute(db);
      for (const ix of indexes.rows) await sql.raw(ix.sql).execute(db);
    }
    await sql`COMMIT`.execute(db);
  } catch (err) {
    await sql`ROLLBACK`.execute(db).catch(() => undefined);
    throw err;
  }
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.dialect));
  }
}

/**
 * Brings the schema to the newest version, or only up to the migration named `upTo` (inclusive; tests
 * use it to build a database of an older version). Throws with the failing migration's name.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: DialectName,
  upTo?: string,
): Promise<void> {
  // Unordered: each part numbers its own migrations ('000N_' tracking, '01NN_' registry), so a new
  // tracking migration may sort before registry ones a database already has.
  const migrator = new Migrator({
    db,
    provider: new InCodeProvider(dialect),
    allowUnorderedMigrations: true,
  });
  const { error, results } = await (upTo === undefined
    ? migrator.migrateToLatest()
    : migrator.migrateTo(upTo));
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    // No failed migration means the database could not be reached or read at all.
    const err = new Error(failed ? `database migration ${failed} failed: ${reason}` : reason, {
      cause: error,
    });
    (err as { code?: unknown }).code = (error as { code?: unknown }).code;
    throw err;
  }
}
