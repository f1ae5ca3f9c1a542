/**
 * Model-registry entities as they travel over the wire (the JSON form of the messages in
 * mlflow/mlflow `mlflow/protos/model_registry.proto`). Field names are MLflow's, verbatim.
 */
import type { KeyValue } from './entities.js';

/** Deprecated in MLflow 2.9 in favour of aliases, still served (courses teach them). */
export type ModelStage = 'None' | 'Staging' | 'Production' | 'Archived';
export const MODEL_STAGES: readonly ModelStage[] = ['None', 'Staging', 'Production', 'Archived'];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
export const MODEL_VERSION_STATUSES: readonly ModelVersionStatus[] = [
  'PENDING_REGISTRATION',
  'FAILED_REGISTRATION',
  'READY',
];

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface ModelVersion {
  name: string;
  /** A decimal string, counting from "1" per registered model. */
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: ModelStage;
  description?: string;
  source: string;
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags: KeyValue[];
  run_link?: string;
  aliases: string[];
  model_id?: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  /** The newest version in each stage (MLflow's `latest_versions`). */
  latest_versions: ModelVersion[];
  tags: KeyValue[];
  aliases: RegisteredModelAlias[];
}

/** MLflow auth's permission levels (mlflow/server/auth/permissions.py). */
export type PermissionLevel = 'READ' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS';
export const PERMISSION_LEVELS: readonly PermissionLevel[] = ['READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'];

export interface ExperimentPermission {
  experiment_id: string;
  user_id: number;
  permission: PermissionLevel;
}

export interface RegisteredModelPermission {
  name: string;
  user_id: number;
  permission: PermissionLevel;
}

export interface User {
  id: number;
  username: string;
  is_admin: boolean;
  experiment_permissions: ExperimentPermission[];
  registered_model_permissions: RegisteredModelPermission[];
}

/** Registry webhook events (MLflow 3 dotted names). */
export type WebhookEvent =
  | 'model_version.created'
  | 'model_version_alias.created'
  | 'model_version.stage_changed'
  | 'model_version_tag.set';
export const WEBHOOK_EVENTS: readonly WebhookEvent[] = [
  'model_version.created',
  'model_version_alias.created',
  'model_version.stage_changed',
  'model_version_tag.set',
];

export interface Webhook {
  webhook_id: string;
  name: string;
  url: string;
  events: WebhookEvent[];
  status: 'ACTIVE' | 'DISABLED';
  description?: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
}

export interface WebhookDelivery {
  delivery_id: string;
  webhook_id: string;
  event: WebhookEvent;
  attempt: number;
  status_code?: number;
  error?: string;
  success: boolean;
  timestamp: number;
}
