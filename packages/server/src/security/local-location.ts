/** Maps a storage location to a local file path the server may read, or refuses. */
import { fileURLToPath } from 'node:url';
import { MlflowError } from '@cauce/protocol';
import { resolveInside } from './artifact-path.js';
import { checkStorageLocation, type SourcePolicy } from './source-policy.js';
import { relative, resolve } from 'node:path';

/**
 * The local directory/file behind `location` joined with `subPath`, always inside the artifacts
 * destination. Remote locations cannot be read through this function.
 */
export function localPathFor(location: string, subPath: string, policy: SourcePolicy): string {
  const root = resolve(policy.artifactsDestination);
  if (location.startsWith('mlflow-artifacts:')) {
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(location);
    const base = m?.[1] ?? '';
    return resolveInside(root, [base, subPath].filter((s) => s !== '').join('/'));
  }
  const checked = checkStorageLocation(location, policy);
  if (/^[a-zA-Z][\w+.-]*:\/\//.test(checked) && !checked.startsWith('file:')) {
    throw MlflowError.invalid(
      `The files of this model version live at a remote location; download them from there directly.`,
    );
  }
  const abs = checked.startsWith('file:') ? fileURLToPath(checked) : checked;
  return resolveInside(root, [relative(root, abs), subPath].filter((s) => s !== '').join('/'));
}
