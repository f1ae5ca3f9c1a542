/**
 * `cauce import-mlruns DIR`: copies an MLflow FileStore (experiments, runs with params, every metric
 * step, tags and artifacts; registered models with versions, stages, descriptions, tags and aliases)
 * into the tracking store and the artifact directory.
 *
 * Idempotent: experiments are matched by name; runs carry the tag `cauce.import.source_run_id` and
 * a run already imported into the same experiment is skipped; registered models are matched by
 * name and versions by number. A second import of the same directory imports nothing and reports
 * everything as skipped. Artifacts are copied as files (symlinks are skipped); version sources that
 * pointed into the old FileStore are re-pointed at the imported runs (`runs:/<new id>/<path>`).
 */
import { copyFileSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MlflowError, type KeyValue, type ModelStage } from '@cauce/protocol';
import type { RegistryStore } from '../registry/registry-store.js';
import { resolveInside } from '../security/artifact-path.js';
import type { MetricPoint, TrackingStore } from '../store/tracking-store.js';
import { readExperiments, readModels, readRun, type FsRun } from './filestore.js';

export const SOURCE_RUN_TAG = 'cauce.import.source_run_id';

export interface ImportCounts {
  experiments: number;
  runs: number;
  metrics: number;
  params: number;
  tags: number;
  artifacts: number;
  registeredModels: number;
  modelVersions: number;
}

export interface ImportReport {
  imported: ImportCounts;
  skipped: ImportCounts;
  /** Things that could not be imported, with the reason. */
  problems: string[];
}

export interface ImportOptions {
  tracking: TrackingStore;
  registry: RegistryStore;
  /** Local directory behind `mlflow-artifacts:/` (where run artifacts are copied). */
  artifactsDestination: string;
  onProgress?: (message: string) => void;
}

const zero = (): ImportCounts => ({
  experiments: 0,
  runs: 0,
  metrics: 0,
  params: 0,
  tags: 0,
  artifacts: 0,
  registeredModels: 0,
  modelVersions: 0,
});

function isNotFound(err: unknown): boolean {
  return err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST';
}

/** Copies regular files below `from` into `to`; symlinks and special files are skipped. */
function copyTree(from: string, to: string): number {
  let n = 0;
  mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const st = lstatSync(src);
    if (st.isDirectory()) n += copyTree(src, join(to, name));
    else if (st.isFile()) {
      copyFileSync(src, join(to, name));
      n++;
    }
  }
  return n;
}

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function importMlruns(dir: string, options: ImportOptions): Promise<ImportReport> {
  const root = resolve(dir);
  let st;
  try {
    st = lstatSync(root);
  } catch {
    throw MlflowError.invalid(`'${dir}' does not exist. Give the path of an MLflow mlruns/ directory.`);
  }
  if (!st.isDirectory())
    throw MlflowError.invalid(`'${dir}' is not a directory. Give the path of an mlruns/ directory.`);
  const { tracking, registry } = options;
  const say = options.onProgress ?? (() => undefined);
  const report: ImportReport = { imported: zero(), skipped: zero(), problems: [] };
  /** old run id → new run (id and artifact URI). */
  const runMap = new Map<string, { id: string; artifactUri: string }>();

  const experiments = readExperiments(root, report.problems);
  for (const exp of experiments) {
    let expId: string;
    try {
      expId = (await tracking.getExperimentByName(exp.name)).experiment_id;
      report.skipped.experiments++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      expId = await tracking.createExperiment(exp.name, undefined, exp.tags);
      report.imported.experiments++;
      report.imported.tags += exp.tags.length;
      if (exp.lifecycleStage === 'deleted') await tracking.deleteExperiment(expId);
    }
    say(`experiment '${exp.name}': ${exp.runIds.length} runs`);
    for (const oldRunId of exp.runIds) {
      const run = readRun(join(exp.dir, oldRunId), exp.id, report.problems);
      if (!run) {
        report.problems.push(`run directory ${oldRunId} has no readable meta.yaml`);
        continue;
      }
      const existing = await tracking.searchRuns({
        experimentIds: [expId],
        filter: `tags.\`${SOURCE_RUN_TAG}\` = '${run.id.replace(/'/g, '')}'`,
        viewType: 'ALL',
        maxResults: 1,
      });
      const found = existing.items[0];
      if (found) {
        runMap.set(run.id, { id: found.info.run_id, artifactUri: found.info.artifact_uri });
        report.skipped.runs++;
        continue;
      }
      try {
        runMap.set(run.id, await importRun(run, expId, options, report));
      } catch (err) {
        report.problems.push(`run ${run.id}: ${(err as Error).message}`);
      }
    }
  }

  for (const model of readModels(root, report.problems)) {
    try {
      await registry.getRegisteredModel(model.name);
      report.skipped.registeredModels++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await registry.createRegisteredModel(model.name, model.tags, model.description, undefined, {
        creation: model.creationTime ?? Date.now(),
        lastUpdated: model.lastUpdatedTime ?? Date.now(),
      });
      report.imported.registeredModels++;
    }
    for (const v of model.versions) {
      try {
        await registry.getModelVersion(model.name, String(v.version));
        report.skipped.modelVersions++;
        continue;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      // Sources pointed into the old store (file:///…/<exp>/<run>/artifacts/<path>): re-point them at
      // the imported run. Anything else cannot be trusted to exist, so it is reported, not imported.
      const newRun = v.runId ? runMap.get(v.runId) : undefined;
      const sub =
        /\/artifacts\/(.*)$/.exec(v.source)?.[1] ??
        (v.source.startsWith('runs:/') ? v.source.split('/').slice(2).join('/') : undefined);
      if (!newRun || sub === undefined) {
        report.problems.push(
          `model '${model.name}' version ${v.version}: source '${v.source}' is not in an imported run; skipped`,
        );
        report.skipped.modelVersions++;
        continue;
      }
      const stage = (
        ['None', 'Staging', 'Production', 'Archived'].includes(v.stage) ? v.stage : 'None'
      ) as ModelStage;
      await registry.createModelVersion({
        name: model.name,
        version: v.version,
        source: `runs:/${newRun.id}/${sub}`,
        storageLocation: `${newRun.artifactUri.replace(/\/+$/, '')}/${sub}`,
        runId: newRun.id,
        description: v.description,
        tags: v.tags,
        userId: v.userId,
        stage,
        status:
          v.status === 'FAILED_REGISTRATION' || v.status === 'PENDING_REGISTRATION' ? v.status : 'READY',
        creationTime: v.creationTime,
        lastUpdatedTime: v.lastUpdatedTime,
      });
      report.imported.modelVersions++;
    }
    for (const a of model.aliases) {
      try {
        await registry.setAlias(model.name, a.alias, String(a.version));
      } catch (err) {
        report.problems.push(`model '${model.name}' alias ${a.alias}: ${(err as Error).message}`);
      }
    }
  }
  return report;
}

async function importRun(
  run: FsRun,
  experimentId: string,
  options: ImportOptions,
  report: ImportReport,
): Promise<{ id: string; artifactUri: string }> {
  const { tracking } = options;
  const created = await tracking.createRun({
    experimentId,
    userId: run.userId,
    runName: run.name || undefined,
    startTime: run.startTime,
    tags: [{ key: SOURCE_RUN_TAG, value: run.id }],
  });
  const id = created.info.run_id;
  const tags: KeyValue[] = run.tags.filter((t) => t.key !== SOURCE_RUN_TAG);
  for (const part of chunked(run.params, 100)) await tracking.logBatch(id, [], part, []);
  for (const part of chunked(tags, 100)) await tracking.logBatch(id, [], [], part);
  const points: MetricPoint[] = run.metrics;
  for (const part of chunked(points, 1000)) await tracking.logBatch(id, part, [], []);
  report.imported.params += run.params.length;
  report.imported.tags += tags.length;
  report.imported.metrics += points.length;
  if (run.artifactsDir) {
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(created.info.artifact_uri);
    if (m) {
      const target = resolveInside(options.artifactsDestination, m[1]!);
      report.imported.artifacts += copyTree(run.artifactsDir, target);
    } else {
      report.problems.push(
        `run ${run.id}: artifacts not copied (the run's artifact URI is not served by this server)`,
      );
    }
  }
  await tracking.updateRun(id, { status: run.status, endTime: run.endTime });
  if (run.lifecycleStage === 'deleted') await tracking.deleteRun(id);
  report.imported.runs++;
  return { id, artifactUri: created.info.artifact_uri };
}
