/**
 * The model-registry, auth and webhook endpoint table, in the same shape as the tracking table
 * (endpoints.ts): method(s), path below `/api/2.0` (also `/ajax-api/2.0`), and field types.
 * Sources: mlflow/mlflow `mlflow/protos/model_registry.proto` (registry RPCs),
 * `mlflow/server/auth/routes.py` (users and permissions), `mlflow/protos/webhooks.proto` (webhooks).
 */
import type { FieldType, HttpMethod } from './endpoints.js';

export interface RegistryEndpointSpec {
  name: string;
  methods: readonly HttpMethod[];
  path: string;
  fields: Readonly<Record<string, FieldType>>;
  required: readonly string[];
}

const page = { max_results: 'int64', page_token: 'string', filter: 'string', order_by: 'string[]' } as const;
const mv = { name: 'string', version: 'string' } as const;

export const REGISTRY_ENDPOINTS: readonly RegistryEndpointSpec[] = [
  // registered models
  {
    name: 'createRegisteredModel',
    methods: ['POST'],
    path: 'mlflow/registered-models/create',
    fields: { name: 'string', tags: 'object[]', description: 'string' },
    required: ['name'],
  },
  {
    name: 'renameRegisteredModel',
    methods: ['POST'],
    path: 'mlflow/registered-models/rename',
    fields: { name: 'string', new_name: 'string' },
    required: ['name', 'new_name'],
  },
  {
    name: 'updateRegisteredModel',
    methods: ['PATCH'],
    path: 'mlflow/registered-models/update',
    fields: { name: 'string', description: 'string' },
    required: ['name'],
  },
  {
    name: 'deleteRegisteredModel',
    methods: ['DELETE'],
    path: 'mlflow/registered-models/delete',
    fields: { name: 'string' },
    required: ['name'],
  },
  {
    name: 'getRegisteredModel',
    methods: ['GET'],
    path: 'mlflow/registered-models/get',
    fields: { name: 'string' },
    required: ['name'],
  },
  {
    name: 'searchRegisteredModels',
    methods: ['GET', 'POST'],
    path: 'mlflow/registered-models/search',
    fields: page,
    required: [],
  },
  {
    name: 'getLatestVersions',
    methods: ['POST', 'GET'],
    path: 'mlflow/registered-models/get-latest-versions',
    fields: { name: 'string', stages: 'string[]' },
    required: ['name'],
  },
  {
    name: 'setRegisteredModelTag',
    methods: ['POST'],
    path: 'mlflow/registered-models/set-tag',
    fields: { name: 'string', key: 'string', value: 'string' },
    required: ['name', 'key'],
  },
  {
    name: 'deleteRegisteredModelTag',
    methods: ['DELETE'],
    path: 'mlflow/registered-models/delete-tag',
    fields: { name: 'string', key: 'string' },
    required: ['name', 'key'],
  },
  {
    name: 'setRegisteredModelAlias',
    methods: ['POST'],
    path: 'mlflow/registered-models/alias',
    fields: { name: 'string', alias: 'string', version: 'string' },
    required: ['name', 'alias', 'version'],
  },
  {
    name: 'deleteRegisteredModelAlias',
    methods: ['DELETE'],
    path: 'mlflow/registered-models/alias',
    fields: { name: 'string', alias: 'string' },
    required: ['name', 'alias'],
  },
  {
    name: 'getModelVersionByAlias',
    methods: ['GET'],
    path: 'mlflow/registered-models/alias',
    fields: { name: 'string', alias: 'string' },
    required: ['name', 'alias'],
  },
  // model versions
  {
    name: 'createModelVersion',
    methods: ['POST'],
    path: 'mlflow/model-versions/create',
    fields: {
      name: 'string',
      source: 'string',
      run_id: 'string',
      tags: 'object[]',
      run_link: 'string',
      description: 'string',
      model_id: 'string',
    },
    required: ['name', 'source'],
  },
  {
    name: 'updateModelVersion',
    methods: ['PATCH'],
    path: 'mlflow/model-versions/update',
    fields: { ...mv, description: 'string' },
    required: ['name', 'version'],
  },
  {
    name: 'deleteModelVersion',
    methods: ['DELETE'],
    path: 'mlflow/model-versions/delete',
    fields: mv,
    required: ['name', 'version'],
  },
  {
    name: 'getModelVersion',
    methods: ['GET'],
    path: 'mlflow/model-versions/get',
    fields: mv,
    required: ['name', 'version'],
  },
  {
    name: 'searchModelVersions',
    methods: ['GET', 'POST'],
    path: 'mlflow/model-versions/search',
    fields: page,
    required: [],
  },
  {
    name: 'getModelVersionDownloadUri',
    methods: ['GET'],
    path: 'mlflow/model-versions/get-download-uri',
    fields: mv,
    required: ['name', 'version'],
  },
  {
    name: 'transitionModelVersionStage',
    methods: ['POST'],
    path: 'mlflow/model-versions/transition-stage',
    fields: { ...mv, stage: 'string', archive_existing_versions: 'bool' },
    required: ['name', 'version', 'stage'],
  },
  {
    name: 'setModelVersionTag',
    methods: ['POST'],
    path: 'mlflow/model-versions/set-tag',
    fields: { ...mv, key: 'string', value: 'string' },
    required: ['name', 'version', 'key'],
  },
  {
    name: 'deleteModelVersionTag',
    methods: ['DELETE'],
    path: 'mlflow/model-versions/delete-tag',
    fields: { ...mv, key: 'string' },
    required: ['name', 'version', 'key'],
  },
  {
    // Cauce's one addition: promote a version into another registered model (MLflow's client does
    // this as create-model-version with source `models:/<src>/<version>`, which we also accept).
    name: 'copyModelVersion',
    methods: ['POST'],
    path: 'mlflow/model-versions/copy',
    fields: { ...mv, dst_name: 'string' },
    required: ['name', 'version', 'dst_name'],
  },
];

/** Users and permissions (MLflow's basic-auth app, mlflow/server/auth/routes.py). */
export const AUTH_ENDPOINTS: readonly RegistryEndpointSpec[] = [
  {
    name: 'createUser',
    methods: ['POST'],
    path: 'mlflow/users/create',
    fields: { username: 'string', password: 'string' },
    required: ['username', 'password'],
  },
  {
    name: 'getUser',
    methods: ['GET'],
    path: 'mlflow/users/get',
    fields: { username: 'string' },
    required: ['username'],
  },
  { name: 'currentUser', methods: ['GET'], path: 'mlflow/users/current', fields: {}, required: [] },
  {
    name: 'updateUserPassword',
    methods: ['PATCH'],
    path: 'mlflow/users/update-password',
    fields: { username: 'string', password: 'string' },
    required: ['username', 'password'],
  },
  {
    name: 'updateUserAdmin',
    methods: ['PATCH'],
    path: 'mlflow/users/update-admin',
    fields: { username: 'string', is_admin: 'bool' },
    required: ['username', 'is_admin'],
  },
  {
    name: 'deleteUser',
    methods: ['DELETE'],
    path: 'mlflow/users/delete',
    fields: { username: 'string' },
    required: ['username'],
  },
  {
    name: 'createAccessToken',
    methods: ['POST'],
    path: 'mlflow/users/tokens/create',
    fields: { name: 'string', expires_in_days: 'int64' },
    required: [],
  },
  { name: 'listAccessTokens', methods: ['GET'], path: 'mlflow/users/tokens/list', fields: {}, required: [] },
  {
    name: 'revokeAccessToken',
    methods: ['DELETE'],
    path: 'mlflow/users/tokens/revoke',
    fields: { token_id: 'string' },
    required: ['token_id'],
  },
  ...(['experiments', 'registered-models'] as const).flatMap((kind) => {
    const id = kind === 'experiments' ? 'experiment_id' : 'name';
    const prefix = kind === 'experiments' ? 'Experiment' : 'RegisteredModel';
    const base = { [id]: 'string', username: 'string' } as Record<string, FieldType>;
    return [
      {
        name: `create${prefix}Permission`,
        methods: ['POST'] as const,
        path: `mlflow/${kind}/permissions/create`,
        fields: { ...base, permission: 'string' as const },
        required: [id, 'username', 'permission'],
      },
      {
        name: `get${prefix}Permission`,
        methods: ['GET'] as const,
        path: `mlflow/${kind}/permissions/get`,
        fields: base,
        required: [id, 'username'],
      },
      {
        name: `update${prefix}Permission`,
        methods: ['PATCH'] as const,
        path: `mlflow/${kind}/permissions/update`,
        fields: { ...base, permission: 'string' as const },
        required: [id, 'username', 'permission'],
      },
      {
        name: `delete${prefix}Permission`,
        methods: ['DELETE'] as const,
        path: `mlflow/${kind}/permissions/delete`,
        fields: base,
        required: [id, 'username'],
      },
    ];
  }),
];

/** Registry webhooks (MLflow 3 `webhooks.proto`). */
export const WEBHOOK_ENDPOINTS: readonly RegistryEndpointSpec[] = [
  {
    name: 'createWebhook',
    methods: ['POST'],
    path: 'mlflow/webhooks',
    fields: {
      name: 'string',
      url: 'string',
      events: 'string[]',
      secret: 'string',
      description: 'string',
      status: 'string',
    },
    required: ['name', 'url', 'events'],
  },
  {
    name: 'listWebhooks',
    methods: ['GET'],
    path: 'mlflow/webhooks',
    fields: { max_results: 'int64', page_token: 'string' },
    required: [],
  },
  {
    name: 'getWebhook',
    methods: ['GET'],
    path: 'mlflow/webhooks/:webhook_id',
    fields: { webhook_id: 'string' },
    required: ['webhook_id'],
  },
  {
    name: 'updateWebhook',
    methods: ['PATCH'],
    path: 'mlflow/webhooks/:webhook_id',
    fields: {
      webhook_id: 'string',
      name: 'string',
      url: 'string',
      events: 'string[]',
      secret: 'string',
      status: 'string',
      description: 'string',
    },
    required: ['webhook_id'],
  },
  {
    name: 'deleteWebhook',
    methods: ['DELETE'],
    path: 'mlflow/webhooks/:webhook_id',
    fields: { webhook_id: 'string' },
    required: ['webhook_id'],
  },
  {
    name: 'listWebhookDeliveries',
    methods: ['GET'],
    path: 'mlflow/webhooks/:webhook_id/deliveries',
    fields: { webhook_id: 'string' },
    required: ['webhook_id'],
  },
];
