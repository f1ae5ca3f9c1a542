/**
 * Migrations of the registry, auth and webhook tables. They are named 0100_…, 0101_…, 0102_… so
 * they sort after the tracking migrations ('000N_…') in the one Kysely migration list
 * (store/sql/migrations.ts spreads them in). Never edit a shipped migration: add the next one.
 */
import type { Kysely, Migration } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

export function registryMigrations(dialect: Dialect): Record<string, Migration> {
  const big = 'bigint';
  const idType = dialect === 'sqlite' ? 'integer' : 'serial';
  return {
    '0100_registry': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('registered_models')
          .addColumn('name', 'varchar(256)', (c) => c.primaryKey())
          .addColumn('creation_time', big, (c) => c.notNull())
          .addColumn('last_updated_time', big, (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('user_id', 'varchar(256)')
          .execute();
        await db.schema
          .createTable('registered_model_tags')
          .addColumn('name', 'varchar(256)', (c) =>
            c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'),
          )
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('registered_model_tags_pk', ['name', 'key'])
          .execute();
        await db.schema
          .createTable('model_versions')
          .addColumn('name', 'varchar(256)', (c) =>
            c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'),
          )
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('creation_time', big, (c) => c.notNull())
          .addColumn('last_updated_time', big, (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('user_id', 'varchar(256)')
          .addColumn('current_stage', 'varchar(20)', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('storage_location', 'text', (c) => c.notNull())
          .addColumn('run_id', 'varchar(64)')
          .addColumn('run_link', 'text')
          .addColumn('status', 'varchar(32)', (c) => c.notNull())
          .addColumn('status_message', 'text')
          .addColumn('model_id', 'varchar(64)')
          .addPrimaryKeyConstraint('model_versions_pk', ['name', 'version'])
          .execute();
        await db.schema.createIndex('model_versions_run').on('model_versions').column('run_id').execute();
        await db.schema
          .createTable('model_version_tags')
          .addColumn('name', 'varchar(256)', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('key', 'varchar(250)', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('model_version_tags_pk', ['name', 'version', 'key'])
          .addForeignKeyConstraint(
            'model_version_tags_fk',
            ['name', 'version'],
            'model_versions',
            ['name', 'version'],
            (fk) => fk.onDelete('cascade').onUpdate('cascade'),
          )
          .execute();
        await db.schema
          .createTable('registered_model_aliases')
          .addColumn('name', 'varchar(256)', (c) =>
            c.notNull().references('registered_models.name').onDelete('cascade').onUpdate('cascade'),
          )
          .addColumn('alias', 'varchar(256)', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('registered_model_aliases_pk', ['name', 'alias'])
          .execute();
      },
    },
    '0101_auth': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', idType, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('username', 'varchar(256)', (c) => c.notNull().unique())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('is_admin', 'smallint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('access_tokens')
          .addColumn('token_id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'varchar(256)', (c) => c.notNull())
          .addColumn('token_hash', 'varchar(128)', (c) => c.notNull())
          .addColumn('created_time', big, (c) => c.notNull())
          .addColumn('expires_time', big)
          .addColumn('revoked', 'smallint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('experiment_permissions')
          .addColumn('experiment_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('permission', 'varchar(32)', (c) => c.notNull())
          .addPrimaryKeyConstraint('experiment_permissions_pk', ['experiment_id', 'user_id'])
          .execute();
        await db.schema
          .createTable('registered_model_permissions')
          .addColumn('name', 'varchar(256)', (c) => c.notNull())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('permission', 'varchar(32)', (c) => c.notNull())
          .addPrimaryKeyConstraint('registered_model_permissions_pk', ['name', 'user_id'])
          .execute();
      },
    },
    '0102_webhooks': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('webhooks')
          .addColumn('webhook_id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('name', 'varchar(256)', (c) => c.notNull())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('secret', 'text')
          .addColumn('description', 'text')
          .addColumn('status', 'varchar(16)', (c) => c.notNull())
          .addColumn('creation_time', big, (c) => c.notNull())
          .addColumn('last_updated_time', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('webhook_deliveries')
          .addColumn('delivery_id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('webhook_id', 'varchar(64)', (c) =>
            c.notNull().references('webhooks.webhook_id').onDelete('cascade'),
          )
          .addColumn('event', 'varchar(64)', (c) => c.notNull())
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('status_code', 'integer')
          .addColumn('error', 'text')
          .addColumn('success', 'smallint', (c) => c.notNull())
          .addColumn('timestamp', big, (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_hook')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'timestamp'])
          .execute();
      },
    },
  };
}
