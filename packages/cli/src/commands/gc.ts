/**
 * `cauce gc`: permanently deletes runs and experiments that are in the `deleted` stage, with their
 * metrics, params, tags and (for artifacts this server stores locally) their artifact files, so the
 * names can be used again. Options follow `mlflow gc`.
 */
import { rm } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { MlflowError } from '@cauce/protocol';
import {
  DEFAULT_ARTIFACTS_DESTINATION,
  DEFAULT_BACKEND_STORE_URI,
  LocalArtifactRepository,
  StoreUriError,
  openStore,
} from '@cauce/server';
import { CliError } from '../cli-error.js';

interface GcFlags {
  backendStoreUri: string;
  artifactsDestination: string;
  olderThan?: string;
  experimentIds?: string;
  runIds?: string;
  keepArtifacts?: boolean;
}

/** `mlflow gc --older-than` format: `#d#h#m#s`, e.g. `1d2h`, `30m`, `45s`. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || text.trim() === '') {
    throw new CliError(
      `--older-than ${JSON.stringify(text)} is not a duration`,
      'write it as #d#h#m#s, e.g. 30d, 1d12h or 90m',
    );
  }
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  return (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}

function ids(flag: string, v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new CliError(`--${flag} is empty`, 'give a comma-separated list of ids');
  return list;
}

async function removeArtifacts(uri: string, destination: string): Promise<void> {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(uri);
  let path: string | undefined;
  if (m && m[1]) path = new LocalArtifactRepository(destination).resolvePath(m[1]);
  else if (uri.startsWith('file://')) path = fileURLToPath(uri);
  else if (isAbsolute(uri)) path = uri;
  if (path && resolve(path) !== resolve(destination)) await rm(path, { recursive: true, force: true });
}

export function registerGc(program: Command): void {
  program
    .command('gc')
    .description(
      'Permanently delete deleted runs and experiments (and their local artifacts) so names can be reused',
    )
    .option(
      '--backend-store-uri <uri>',
      'the tracking store (same forms as `cauce server`)',
      DEFAULT_BACKEND_STORE_URI,
    )
    .option(
      '--artifacts-destination <path>',
      'the server artifact directory, to delete proxied artifacts',
      DEFAULT_ARTIFACTS_DESTINATION,
    )
    .option('--older-than <duration>', 'only what was deleted at least this long ago (#d#h#m#s, e.g. 30d)')
    .option('--experiment-ids <ids>', 'comma-separated experiment ids to remove (must be deleted)')
    .option('--run-ids <ids>', 'comma-separated run ids to remove (must be deleted)')
    .option('--keep-artifacts', 'leave artifact files in place')
    .action(async (flags: GcFlags) => {
      const olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan);
      let store;
      try {
        store = await openStore(flags.backendStoreUri);
      } catch (err) {
        if (err instanceof StoreUriError) throw new CliError(`bad --backend-store-uri: ${err.message}`);
        throw new CliError(`cannot open the backend store: ${(err as Error).message}`);
      }
      try {
        const result = await store.gc({
          olderThanMs,
          experimentIds: ids('experiment-ids', flags.experimentIds),
          runIds: ids('run-ids', flags.runIds),
        });
        if (!flags.keepArtifacts) {
          for (const uri of result.artifactUris) await removeArtifacts(uri, flags.artifactsDestination);
        }
        process.stdout.write(
          `removed ${result.runIds.length} run(s) and ${result.experimentIds.length} experiment(s)` +
            (result.experimentIds.length > 0 ? ` (experiments: ${result.experimentIds.join(', ')})` : '') +
            '\n',
        );
      } catch (err) {
        if (err instanceof MlflowError) throw new CliError(err.message);
        throw err;
      } finally {
        await store.close();
      }
    });
}
