/**
 * Artifact paths come from clients and end up as file-system paths, so each one is checked before
 * use. Rejected: `..` segments (also when percent-encoded, since some routes see decoded and some
 * raw text), absolute paths, drive letters, backslashes, NUL and other control characters. The
 * local repository also re-checks that the resolved path stays under its root.
 * Background: MLflow's path-traversal CVEs (e.g. CVE-2023-1177, CVE-2023-6909) came from missing
 * one of these forms; see mlflow/utils/uri.py `validate_path_is_safe`.
 */
import { MlflowError } from '@cauce/protocol';

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL = /[\x00-\x1f]/;
// eslint-disable-next-line no-control-regex -- same set, for redacting them in messages
const CONTROL_ALL = /[\x00-\x1f]/g;

export function validateArtifactPath(path: string): string {
  let decoded = path;
  // Decode repeatedly (bounded) so %252e%252e is caught too.
  for (let i = 0; i < 3 && /%[0-9a-fA-F]{2}/.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      throw invalid(path);
    }
  }
  for (const p of [path, decoded]) {
    if (
      p.includes('\\') ||
      CONTROL.test(p) ||
      p.startsWith('/') ||
      /^[a-zA-Z]:/.test(p) ||
      /^[a-zA-Z][\w+.-]*:\/\//.test(p) ||
      p.split('/').some((seg) => seg === '..' || seg === '.')
    ) {
      throw invalid(path);
    }
  }
  return path.replace(/\/+$/, '');
}

function invalid(path: string): MlflowError {
  return MlflowError.invalid(
    `Invalid path '${path.slice(0, 200).replace(CONTROL_ALL, '?')}': artifact paths must be relative, without '..' or '.' segments, backslashes or control characters.`,
  );
}
