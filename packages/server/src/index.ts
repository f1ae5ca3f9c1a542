export {
  buildApp,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  SERVER_VERSION,
} from './app.js';
export type { BuildAppOptions } from './app.js';
export {
  startServer,
  resolveDefaultArtifactRoot,
  DEFAULT_BACKEND_STORE_URI,
  DEFAULT_ARTIFACTS_DESTINATION,
} from './start-server.js';
export type { StartServerOptions, RunningServer } from './start-server.js';
export { openStore, SqlTrackingStore } from './store/sql/sql-tracking-store.js';
export type { OpenStoreOptions } from './store/sql/sql-tracking-store.js';
export { parseStoreUri, StoreUriError, redact } from './store/sql/connect.js';
export type {
  TrackingStore,
  MetricPoint,
  Page,
  SearchRunsQuery,
  SearchExperimentsQuery,
  SearchLoggedModelsQuery,
  CreateRunInput,
  CreateLoggedModelInput,
  GcOptions,
  GcResult,
} from './store/tracking-store.js';
export type { ArtifactRepository } from './artifacts/artifact-repository.js';
export { LocalArtifactRepository } from './artifacts/local-artifact-repository.js';
export { validateArtifactPath } from './artifacts/safe-path.js';
export { parseFilter, parseOrderBy } from './search/parser.js';
export type { FilterExpr, OrderByClause, Entity, CompareOp } from './search/ast.js';
// registry/auth (H7)
export type {
  RegistryStore,
  ModelVersionRecord,
  SearchRegistryQuery,
  CreateModelVersionInput,
} from './registry/registry-store.js';
export { SqlRegistryStore } from './registry/sql/sql-registry-store.js';
export { installRegistry } from './registry/install.js';
export type { RegistryAppOptions, RegistryHandles } from './registry/install.js';
export { resolveArtifactUri, resolveModelVersion, parseModelsUri, parseRunsUri } from './registry/uri.js';
export type { ModelsUriRef, ResolveDeps } from './registry/uri.js';
export {
  validateArtifactPath as validateArtifactPathStrict,
  resolveInside,
} from './security/artifact-path.js';
export { resolveSource, checkStorageLocation } from './security/source-policy.js';
export type { SourcePolicy } from './security/source-policy.js';
export { isPrivateAddress } from './security/ip-ranges.js';
export { signBody } from './webhooks/dispatcher.js';
export { checkWebhookUrl } from './webhooks/url-policy.js';
export type { AuthOptions } from './auth/install.js';
export { AuthStore } from './auth/auth-store.js';
export { PUBLIC_ROUTES } from './auth/rules.js';
export { importMlruns, SOURCE_RUN_TAG } from './import/import-mlruns.js';
export type { ImportReport, ImportCounts, ImportOptions } from './import/import-mlruns.js';
