/**
 * Which model-version sources the server accepts (CVE-2023-1177, CVE-2023-2356, CVE-2023-2780,
 * CVE-2024-3573, CVE-2025-11201, CVE-2026-2614): only `runs:/`, `models:/`, `mlflow-artifacts:/`,
 * or a location inside the configured artifact root (a local directory, or the remote prefix the
 * server itself was configured with). Tags on the request never change this — the policy is not
 * even given them.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlflowError } from '@cauce/protocol';
import { resolveArtifactUri, type ResolveDeps } from '../registry/uri.js';
import { printable } from '../registry/validate.js';
import { isInside, validateArtifactPath } from './artifact-path.js';

export interface SourcePolicy {
  /** Local directory behind `mlflow-artifacts:/` (the artifact proxy's destination). */
  artifactsDestination: string;
  /** The server's default artifact root URI (e.g. `mlflow-artifacts:/` or `s3://bucket/prefix`). */
  defaultArtifactRoot?: string;
}

function refuse(source: string, why: string): never {
  throw MlflowError.invalid(
    `Invalid model version source '${printable(source)}': ${why}. Register from runs:/<run_id>/<path>, models:/<name>/<version>, mlflow-artifacts:/<path> or a location inside the server's artifact root.`,
  );
}

/**
 * Checks a storage location (after resolution) against the policy: `mlflow-artifacts:/`, a local
 * path inside the destination, or a remote URI under the configured remote root.
 */
export function checkStorageLocation(location: string, policy: SourcePolicy, shownAs = location): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(location))
    refuse(shownAs, 'it contains control characters or backslashes');
  if (location.startsWith('mlflow-artifacts:')) return location;
  const scheme = /^([a-zA-Z][\w+.-]*):/.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file' || scheme.length === 1) {
    let path: string;
    try {
      path = scheme === 'file' ? fileURLToPath(location) : location;
    } catch {
      refuse(shownAs, 'it is not a valid file: URI');
    }
    if (!path.startsWith('/'))
      refuse(shownAs, 'a local source must be an absolute path inside the artifact root');
    const segments = path.split('/');
    for (const seg of segments) {
      let decoded = seg;
      for (let i = 0; i < 8; i++) {
        let next: string;
        try {
          next = decodeURIComponent(decoded);
        } catch {
          refuse(shownAs, 'it has a malformed percent-encoding');
        }
        if (next === decoded) break;
        decoded = next;
      }
      if (decoded.split(/[/\\]/).includes('..')) refuse(shownAs, "it contains a '..' segment");
    }
    const root = resolve(policy.artifactsDestination);
    const target = resolve(path);
    const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
    if (!isInside(root, target) || !isInside(real(root), real(target))) {
      refuse(shownAs, 'it is a local path outside the artifact root');
    }
    return target;
  }
  const remoteRoot = policy.defaultArtifactRoot;
  if (
    remoteRoot &&
    !remoteRoot.startsWith('mlflow-artifacts:') &&
    /^[a-zA-Z][\w+.-]*:\/\//.test(remoteRoot)
  ) {
    const base = remoteRoot.replace(/\/+$/, '') + '/';
    if (location.startsWith(base)) {
      validateArtifactPath(location.slice(base.length), 'source path');
      return location;
    }
  }
  refuse(shownAs, `the '${scheme}:' scheme is not allowed here`);
}

/**
 * Validates a model-version `source` and returns where its files are. `runs:/` and `models:/`
 * are resolved through the stores, and the result is checked again (a run's artifact URI could be
 * a local path outside the root).
 */
export async function resolveSource(
  source: unknown,
  policy: SourcePolicy,
  deps: ResolveDeps,
): Promise<string> {
  if (typeof source !== 'string' || source === '') {
    throw MlflowError.invalid(`Missing value for required parameter 'source'.`);
  }
  if (source.length > 5000) refuse(source, 'it is longer than 5000 characters');
  if (/^(runs|models|mlflow-artifacts):/.test(source)) {
    const location = await resolveArtifactUri(source, deps);
    return checkStorageLocation(location, policy, source);
  }
  return checkStorageLocation(source, policy);
}
