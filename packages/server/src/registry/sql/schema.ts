/**
 * Table shapes of the registry, auth and webhook tables (what Kysely sees). Names follow MLflow's
 * SQL schema (mlflow/store/db_migrations, mlflow/server/auth/db) where one exists. Timestamps are
 * epoch milliseconds; booleans are 0/1.
 */
import type { Generated } from 'kysely';

export interface RegisteredModelsTable {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
}

export interface RegisteredModelTagsTable {
  name: string;
  key: string;
  value: string;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  /** 'None' | 'Staging' | 'Production' | 'Archived', or 'Deleted_Internal' once deleted (numbers are never reused). */
  current_stage: string;
  source: string;
  storage_location: string;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
  model_id: string | null;
}

export interface ModelVersionTagsTable {
  name: string;
  version: number;
  key: string;
  value: string;
}

export interface RegisteredModelAliasesTable {
  name: string;
  alias: string;
  version: number;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  is_admin: number;
}

export interface AccessTokensTable {
  token_id: string;
  user_id: number;
  name: string;
  /** sha256 of the secret part; the secret itself is shown once and never stored. */
  token_hash: string;
  created_time: number;
  expires_time: number | null;
  revoked: number;
}

export interface ExperimentPermissionsTable {
  experiment_id: string;
  user_id: number;
  permission: string;
}

export interface RegisteredModelPermissionsTable {
  name: string;
  user_id: number;
  permission: string;
}

export interface WebhooksTable {
  webhook_id: string;
  name: string;
  url: string;
  events: string;
  secret: string | null;
  description: string | null;
  status: string;
  creation_time: number;
  last_updated_time: number;
}

export interface WebhookDeliveriesTable {
  delivery_id: string;
  webhook_id: string;
  event: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  success: number;
  timestamp: number;
}

export interface RegistryDatabase {
  registered_models: RegisteredModelsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_versions: ModelVersionsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
  users: UsersTable;
  access_tokens: AccessTokensTable;
  experiment_permissions: ExperimentPermissionsTable;
  registered_model_permissions: RegisteredModelPermissionsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
