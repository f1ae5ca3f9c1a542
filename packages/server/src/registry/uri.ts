/**
 * URI resolution shared by every part that loads a model or an artifact: `models:/name/3`,
 * `models:/name/Production`, `models:/name/latest`, `models:/name@champion` (each optionally followed
 * by `/sub/path`), `runs:/<run_id>/path` and `mlflow-artifacts:/path`. Forms follow MLflow
 * (mlflow/store/artifact/utils/models.py: "only one of suffix or alias can be defined").
 * Resolution returns the storage location (a `mlflow-artifacts:/` URI or whatever the run's
 * artifact root is); it never touches files.
 */
import { MlflowError, RUN_ID_PATTERN } from '@cauce/protocol';
import { appendToUri } from '../store/sql/context.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { validateArtifactPath } from '../security/artifact-path.js';
import type { ModelVersionRecord, RegistryStore } from './registry-store.js';
import { canonicalStage, parseVersion, printable, validateAlias, validateModelName } from './validate.js';

export type ModelsUriRef =
  | { name: string; kind: 'version'; version: string; subPath: string }
  | { name: string; kind: 'stage'; stage: string; subPath: string }
  | { name: string; kind: 'latest'; subPath: string }
  | { name: string; kind: 'alias'; alias: string; subPath: string };

function bad(uri: string, why: string): never {
  throw MlflowError.invalid(
    `Invalid model URI '${printable(uri)}': ${why}. Use models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest or models:/<name>@<alias>.`,
  );
}

/** Parses a `models:/` URI (no store access). */
export function parseModelsUri(uri: string): ModelsUriRef {
  const m = /^models:\/(?!\/)(.*)$/.exec(uri);
  if (!m) bad(uri, "it does not start with 'models:/'");
  const body = m[1]!;
  const at = body.indexOf('@');
  if (at >= 0) {
    const name = body.slice(0, at);
    const [alias = '', ...rest] = body.slice(at + 1).split('/');
    validateModelName(name);
    validateAlias(alias);
    return { name, kind: 'alias', alias, subPath: validateArtifactPath(rest.join('/')) };
  }
  const [name = '', suffix = '', ...rest] = body.split('/');
  if (name === '' || suffix === '') bad(uri, 'it needs a name and a version, stage, latest or @alias');
  validateModelName(name);
  const subPath = validateArtifactPath(rest.join('/'));
  if (/^\d+$/.test(suffix)) return { name, kind: 'version', version: String(parseVersion(suffix)), subPath };
  if (suffix.toLowerCase() === 'latest') return { name, kind: 'latest', subPath };
  return { name, kind: 'stage', stage: canonicalStage(suffix), subPath };
}

/** The model version a `models:/` URI names. */
export async function resolveModelVersion(uri: string, registry: RegistryStore): Promise<ModelVersionRecord> {
  const ref = parseModelsUri(uri);
  switch (ref.kind) {
    case 'version':
      return registry.getModelVersion(ref.name, ref.version);
    case 'alias':
      return registry.getVersionByAlias(ref.name, ref.alias);
    case 'latest':
    case 'stage': {
      const latest = await registry.getLatestVersions(ref.name, ref.kind === 'stage' ? [ref.stage] : []);
      const newest = latest.sort((a, b) => Number(b.version) - Number(a.version))[0];
      if (!newest) {
        throw MlflowError.notFound(
          ref.kind === 'stage'
            ? `No versions of model '${ref.name}' in stage '${ref.stage}'.`
            : `Registered model '${ref.name}' has no versions.`,
        );
      }
      return registry.getModelVersion(ref.name, newest.version);
    }
  }
}

export interface ResolveDeps {
  registry: RegistryStore;
  tracking: Pick<TrackingStore, 'getRun'> & Partial<Pick<TrackingStore, 'getLoggedModel'>>;
}

/** Parses `runs:/<run_id>/<path>`. */
export function parseRunsUri(uri: string): { runId: string; path: string } {
  const m = /^runs:\/(?!\/)([^/]*)(?:\/(.*))?$/.exec(uri);
  if (!m || !RUN_ID_PATTERN.test(m[1] ?? '')) {
    throw MlflowError.invalid(`Invalid run URI '${printable(uri)}': use runs:/<run_id>/<artifact path>.`);
  }
  return { runId: m[1]!, path: validateArtifactPath(m[2] ?? '') };
}

/**
 * Resolves any supported URI to a storage location: `models:/…` to the version's files (plus the
 * sub-path), `runs:/…` to the run's artifact root plus path, `mlflow-artifacts:/…` to itself
 * (normalised). Other schemes are refused.
 */
export async function resolveArtifactUri(uri: string, deps: ResolveDeps): Promise<string> {
  // MLflow 3 names logged models as `models:/<model_id>` (one segment, e.g. models:/m-0123abcd…);
  // its clients register versions with that source.
  const logged = /^models:\/(m-[0-9a-f]{8,64})(?:\/(.*))?$/.exec(uri);
  if (logged && deps.tracking.getLoggedModel) {
    const model = await deps.tracking.getLoggedModel(logged[1]!);
    const sub = validateArtifactPath(logged[2] ?? '');
    return sub ? appendToUri(model.info.artifact_uri, sub) : model.info.artifact_uri;
  }
  if (uri.startsWith('models:')) {
    const ref = parseModelsUri(uri);
    const mv = await resolveModelVersion(uri, deps.registry);
    return ref.subPath ? appendToUri(mv.storage_location, ref.subPath) : mv.storage_location;
  }
  if (uri.startsWith('runs:')) {
    const { runId, path } = parseRunsUri(uri);
    const run = await deps.tracking.getRun(runId);
    return path ? appendToUri(run.info.artifact_uri, path) : run.info.artifact_uri;
  }
  if (uri.startsWith('mlflow-artifacts:')) {
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(uri);
    if (!m)
      throw MlflowError.invalid(`Invalid artifact URI '${printable(uri)}': use mlflow-artifacts:/<path>.`);
    return `mlflow-artifacts:/${validateArtifactPath(m[1])}`;
  }
  throw MlflowError.invalid(
    `Unsupported URI '${printable(uri)}': expected models:/, runs:/ or mlflow-artifacts:/.`,
  );
}
