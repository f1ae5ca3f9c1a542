/**
 * What each route requires, keyed by method and route pattern. Deny by default: a route that is
 * not in this table is for administrators only (API) or for any signed-in user (the UI's static
 * files, GET outside /api), and only the routes in PUBLIC_ROUTES answer without credentials. The
 * mapping follows MLflow's auth app (mlflow/server/auth/__init__.py, BEFORE_REQUEST_VALIDATORS).
 */
import {
  API_PREFIXES,
  AUTH_ENDPOINTS,
  ENDPOINTS,
  REGISTRY_ENDPOINTS,
  WEBHOOK_ENDPOINTS,
  type RegistryEndpointSpec,
} from '@cauce/protocol';
import type { Capability } from './permissions.js';

/** Where the experiment a request touches is named. */
export type ExperimentLocator =
  'experiment_id' | 'experiment_ids' | 'experiment_name' | 'run' | 'run_ids' | 'logged_model' | 'proxy_path';

export type Need =
  | { kind: 'public' }
  | { kind: 'user' }
  | { kind: 'admin' }
  | { kind: 'self' }
  | { kind: 'experiment'; cap: Capability; from: ExperimentLocator }
  | { kind: 'model'; cap: Capability; field: string };

/** Routes that answer without credentials. Keep this list short. */
export const PUBLIC_ROUTES: readonly string[] = ['GET /health', 'HEAD /health'];

const exp = (cap: Capability, from: ExperimentLocator): Need => ({ kind: 'experiment', cap, from });
const model = (cap: Capability, field = 'name'): Need => ({ kind: 'model', cap, field });
const user: Need = { kind: 'user' };
const admin: Need = { kind: 'admin' };

/** @internal exported for the test that every endpoint has a deliberate rule. */
export const BY_NAME: Record<string, Need> = {
  // tracking
  createExperiment: user,
  searchExperiments: user, // results filtered
  getExperiment: exp('read', 'experiment_id'),
  getExperimentByName: exp('read', 'experiment_name'),
  updateExperiment: exp('update', 'experiment_id'),
  deleteExperiment: exp('delete', 'experiment_id'),
  restoreExperiment: exp('delete', 'experiment_id'),
  setExperimentTag: exp('update', 'experiment_id'),
  deleteExperimentTag: exp('update', 'experiment_id'),
  createRun: exp('update', 'experiment_id'),
  updateRun: exp('update', 'run'),
  deleteRun: exp('delete', 'run'),
  restoreRun: exp('delete', 'run'),
  getRun: exp('read', 'run'),
  searchRuns: exp('read', 'experiment_ids'),
  logMetric: exp('update', 'run'),
  logParam: exp('update', 'run'),
  logBatch: exp('update', 'run'),
  setTag: exp('update', 'run'),
  deleteTag: exp('update', 'run'),
  logInputs: exp('update', 'run'),
  logModel: exp('update', 'run'),
  logOutputs: exp('update', 'run'),
  getMetricHistory: exp('read', 'run'),
  getMetricHistoryBulkInterval: exp('read', 'run_ids'),
  listArtifacts: exp('read', 'run'),
  createLoggedModel: exp('update', 'experiment_id'),
  searchLoggedModels: exp('read', 'experiment_ids'),
  getLoggedModel: exp('read', 'logged_model'),
  finalizeLoggedModel: exp('update', 'logged_model'),
  deleteLoggedModel: exp('delete', 'logged_model'),
  setLoggedModelTags: exp('update', 'logged_model'),
  deleteLoggedModelTag: exp('update', 'logged_model'),
  logLoggedModelParams: exp('update', 'logged_model'),
  // registry
  createRegisteredModel: user,
  getRegisteredModel: model('read'),
  renameRegisteredModel: model('update'),
  updateRegisteredModel: model('update'),
  deleteRegisteredModel: model('delete'),
  searchRegisteredModels: user, // results filtered
  getLatestVersions: model('read'),
  setRegisteredModelTag: model('update'),
  deleteRegisteredModelTag: model('update'),
  setRegisteredModelAlias: model('update'),
  deleteRegisteredModelAlias: model('update'),
  getModelVersionByAlias: model('read'),
  createModelVersion: model('update'),
  copyModelVersion: model('read'), // + update on dst_name, checked in the hook
  getModelVersion: model('read'),
  updateModelVersion: model('update'),
  deleteModelVersion: model('delete'),
  searchModelVersions: user, // results filtered
  getModelVersionDownloadUri: model('read'),
  transitionModelVersionStage: model('update'),
  setModelVersionTag: model('update'),
  deleteModelVersionTag: model('update'),
  // users and permissions
  createUser: admin,
  getUser: { kind: 'self' },
  currentUser: user,
  updateUserPassword: { kind: 'self' },
  updateUserAdmin: admin,
  deleteUser: admin,
  createAccessToken: user,
  listAccessTokens: user,
  revokeAccessToken: user,
  createExperimentPermission: exp('manage', 'experiment_id'),
  getExperimentPermission: exp('manage', 'experiment_id'),
  updateExperimentPermission: exp('manage', 'experiment_id'),
  deleteExperimentPermission: exp('manage', 'experiment_id'),
  createRegisteredModelPermission: model('manage'),
  getRegisteredModelPermission: model('manage'),
  updateRegisteredModelPermission: model('manage'),
  deleteRegisteredModelPermission: model('manage'),
};

export interface RouteRule {
  name: string;
  need: Need;
}

/** `METHOD /full/pattern` → rule, for every endpoint of every table under both prefixes. */
export function buildRuleTable(): Map<string, RouteRule> {
  const table = new Map<string, RouteRule>();
  const specs: readonly RegistryEndpointSpec[] = [
    ...(ENDPOINTS as readonly RegistryEndpointSpec[]),
    ...REGISTRY_ENDPOINTS,
    ...AUTH_ENDPOINTS,
    ...WEBHOOK_ENDPOINTS,
  ];
  for (const spec of specs) {
    const need = BY_NAME[spec.name] ?? admin; // webhooks and anything unlisted: administrators
    for (const prefix of API_PREFIXES) {
      for (const m of spec.methods) table.set(`${m} ${prefix}${spec.path}`, { name: spec.name, need });
    }
  }
  for (const p of ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts']) {
    table.set(`GET ${p}`, { name: 'listProxyArtifacts', need: exp('read', 'proxy_path') });
    table.set(`GET ${p}/*`, { name: 'downloadArtifact', need: exp('read', 'proxy_path') });
    table.set(`PUT ${p}/*`, { name: 'uploadArtifact', need: exp('update', 'proxy_path') });
    table.set(`DELETE ${p}/*`, { name: 'deleteArtifact', need: exp('delete', 'proxy_path') });
  }
  for (const p of ['/get-artifact', '/ajax-api/2.0/mlflow/get-artifact', '/api/2.0/mlflow/get-artifact']) {
    table.set(`GET ${p}`, { name: 'getRunArtifact', need: exp('read', 'run') });
  }
  for (const p of [
    '/model-versions/get-artifact',
    ...API_PREFIXES.map((x) => `${x}mlflow/model-versions/get-artifact`),
  ]) {
    table.set(`GET ${p}`, { name: 'getModelVersionArtifact', need: model('read') });
  }
  for (const r of PUBLIC_ROUTES) table.set(r, { name: 'public', need: { kind: 'public' } });
  return table;
}

/** The rule for a matched route; unknown routes fall back to the deny-by-default rules above. */
export function ruleFor(
  table: Map<string, RouteRule>,
  method: string,
  pattern: string | undefined,
): RouteRule {
  if (pattern !== undefined) {
    const hit =
      table.get(`${method} ${pattern}`) ?? (method === 'HEAD' ? table.get(`GET ${pattern}`) : undefined);
    if (hit) return hit;
    if ((method === 'GET' || method === 'HEAD') && !/^\/(ajax-)?api\//.test(pattern)) {
      return { name: 'static', need: user };
    }
  }
  return { name: 'unlisted', need: admin };
}
