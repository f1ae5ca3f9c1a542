/**
 * `cauce import-mlruns DIR`: copies an MLflow FileStore (`mlruns/`) — experiments, runs with params,
 * every metric step, tags and artifacts, registered models with versions, stages, descriptions and
 * aliases — into a Cauce store. Safe to run again: what is already there is skipped and counted.
 */
import type { Command } from 'commander';
import { MlflowError } from '@cauce/protocol';
import {
  DEFAULT_ARTIFACTS_DESTINATION,
  DEFAULT_BACKEND_STORE_URI,
  SqlRegistryStore,
  StoreUriError,
  importMlruns,
  openStore,
  redact,
  type ImportCounts,
} from '@cauce/server';
import { CliError } from '../cli-error.js';

interface ImportFlags {
  backendStoreUri: string;
  artifactsDestination: string;
  quiet?: boolean;
}

function line(label: string, c: ImportCounts): string {
  return (
    `${label}: ${c.experiments} experiments, ${c.runs} runs, ${c.metrics} metric points, ${c.params} params, ` +
    `${c.tags} tags, ${c.artifacts} artifact files, ${c.registeredModels} registered models, ${c.modelVersions} model versions`
  );
}

export function registerImportMlruns(program: Command): void {
  program
    .command('import-mlruns')
    .description(
      'Import an MLflow FileStore directory (mlruns/) into the tracking store and artifact directory',
    )
    .argument('<dir>', 'the mlruns/ directory to read')
    .option(
      '--backend-store-uri <uri>',
      'store to import into (as for `cauce server`)',
      DEFAULT_BACKEND_STORE_URI,
    )
    .option(
      '--artifacts-destination <path>',
      'directory that holds proxied artifacts',
      DEFAULT_ARTIFACTS_DESTINATION,
    )
    .option('-q, --quiet', 'print only the summary')
    .action(async (dir: string, flags: ImportFlags) => {
      let tracking;
      try {
        tracking = await openStore(flags.backendStoreUri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
      } catch (err) {
        if (err instanceof StoreUriError) {
          throw new CliError(
            `bad --backend-store-uri: ${err.message}`,
            'use sqlite:///path.db or postgresql://user@host/db',
          );
        }
        throw new CliError(
          `cannot open the backend store ${redact(flags.backendStoreUri)}: ${(err as Error).message}`,
          'check the URI and that the database is reachable',
        );
      }
      try {
        const registry = SqlRegistryStore.sharing(tracking);
        const report = await importMlruns(dir, {
          tracking,
          registry,
          artifactsDestination: flags.artifactsDestination,
          onProgress: flags.quiet ? undefined : (m) => process.stdout.write(`${m}\n`),
        });
        process.stdout.write(`${line('imported', report.imported)}\n${line('skipped', report.skipped)}\n`);
        for (const p of report.problems) process.stderr.write(`warning: ${p}\n`);
      } catch (err) {
        if (err instanceof MlflowError)
          throw new CliError(err.message, 'give the path of an MLflow mlruns/ directory');
        throw err;
      } finally {
        await tracking.close();
      }
    });
}
