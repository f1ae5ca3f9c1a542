/**
 * The model-registry store contract (MLflow `mlflow/store/model_registry/abstract_store.py`). One
 * SQL implementation serves SQLite and PostgreSQL (sql/sql-registry-store.ts).
 *
 * Errors: methods throw `MlflowError` — RESOURCE_DOES_NOT_EXIST for a missing model, version or
 * alias; RESOURCE_ALREADY_EXISTS for a name clash; INVALID_PARAMETER_VALUE for bad input (names,
 * stages, filters, page tokens).
 *
 * Versions: integers counting from 1 per registered model, never reused — a deleted version keeps
 * its number (MLflow's SQL store does the same), so `models:/x/3` never silently changes meaning.
 * Concurrent creates on one model get distinct numbers (primary key + retry).
 *
 * Stages: None/Staging/Production/Archived, accepted in any letter case and stored canonically.
 * `archive_existing_versions` (only with Staging/Production) moves the other versions in that stage
 * to Archived in the same transaction.
 *
 * Paging: `maxResults` + opaque `pageToken` (MLflow's base64 `{"offset": N}`), `nextPageToken`
 * only when more rows follow. Registered models order by `name ASC` by default; versions by
 * `name ASC, version DESC`. Order-by clauses apply first, the default breaks ties.
 *
 * Filters (MLflow's grammar, with OR / parentheses): registered models — `name`, `tags.<key>`;
 * versions — `name`, `version_number`, `run_id`, `source_path`, `current_stage`, `tags.<key>`.
 *
 * Sources: the store records `source` as given and `storage_location` as resolved by the caller;
 * validating sources is the caller's job (security/source-policy.ts), so the store never trusts a
 * path on its own.
 */
import type {
  KeyValue,
  ModelStage,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
} from '@cauce/protocol';
import type { Page } from '../store/tracking-store.js';

export interface SearchRegistryQuery {
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface CreateModelVersionInput {
  name: string;
  source: string;
  /** Where the files really are (resolved from `source`). */
  storageLocation: string;
  runId?: string;
  runLink?: string;
  description?: string;
  tags: KeyValue[];
  userId?: string;
  modelId?: string;
  status?: ModelVersionStatus;
  /** Import only: keep the original number/stage/timestamps. */
  version?: number;
  stage?: ModelStage;
  creationTime?: number;
  lastUpdatedTime?: number;
}

export interface ModelVersionRecord extends ModelVersion {
  /** Resolved location of the files; never sent to clients (download-uri gives it on request). */
  storage_location: string;
}

export interface RegistryStore {
  createRegisteredModel(
    name: string,
    tags: KeyValue[],
    description: string | undefined,
    userId?: string,
    times?: { creation: number; lastUpdated: number },
  ): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  /** Irreversible: removes the model, its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(q: SearchRegistryQuery): Promise<Page<RegisteredModel>>;
  /** The newest version per stage (all stages when `stages` is empty). */
  getLatestVersions(name: string, stages: string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, tag: KeyValue): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  setAlias(name: string, alias: string, version: string): Promise<void>;
  deleteAlias(name: string, alias: string): Promise<void>;
  getVersionByAlias(name: string, alias: string): Promise<ModelVersionRecord>;

  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersionRecord>;
  getModelVersion(name: string, version: string): Promise<ModelVersionRecord>;
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersionRecord>;
  /** Irreversible; also drops the aliases pointing at it. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  searchModelVersions(q: SearchRegistryQuery): Promise<Page<ModelVersion>>;
  transitionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting: boolean,
  ): Promise<ModelVersionRecord>;
  setModelVersionTag(name: string, version: string, tag: KeyValue): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  close(): Promise<void>;
}
