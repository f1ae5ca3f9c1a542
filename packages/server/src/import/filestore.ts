/**
 * Reading an MLflow FileStore directory (`mlruns/`, the layout of mlflow/store/tracking/file_store.py
 * and mlflow/store/model_registry/file_store.py):
 *   <exp_id>/meta.yaml                    experiment (name, artifact_location, lifecycle_stage, times)
 *   <exp_id>/tags/<key>                   experiment tags (keys with '/' are nested directories)
 *   <exp_id>/<run_id>/meta.yaml           run (run_name, user_id, status 1-5, times, lifecycle_stage)
 *   <exp_id>/<run_id>/{params,tags}/<key> raw values
 *   <exp_id>/<run_id>/metrics/<key>       lines "<timestamp_ms> <value> [<step>]"
 *   <exp_id>/<run_id>/artifacts/…         the run's files
 *   models/<name>/meta.yaml, tags/, aliases/, version-<n>/{meta.yaml,tags/}
 * Symbolic links are never followed: an import reads only what is really inside the directory.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface FsExperiment {
  id: string;
  dir: string;
  name: string;
  lifecycleStage: string;
  creationTime?: number;
  tags: { key: string; value: string }[];
  runIds: string[];
}

export interface FsRun {
  id: string;
  dir: string;
  experimentId: string;
  name: string;
  userId: string;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
  startTime: number;
  endTime?: number;
  lifecycleStage: string;
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
  metrics: { key: string; value: number; timestamp: number; step: number }[];
  artifactsDir?: string;
}

export interface FsModelVersion {
  version: number;
  stage: string;
  description?: string;
  source: string;
  runId?: string;
  status: string;
  creationTime?: number;
  lastUpdatedTime?: number;
  userId?: string;
  tags: { key: string; value: string }[];
}

export interface FsModel {
  name: string;
  description?: string;
  creationTime?: number;
  lastUpdatedTime?: number;
  tags: { key: string; value: string }[];
  aliases: { alias: string; version: number }[];
  versions: FsModelVersion[];
}

const STATUS = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;

function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
}

/** A YAML file as an object; unreadable or invalid files give {} and a line in `problems`. */
export function readYaml(p: string, problems: string[] = []): Record<string, unknown> {
  if (!isFile(p)) return {};
  try {
    const doc = parseYaml(readFileSync(p, 'utf8')) as unknown;
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
  } catch (err) {
    problems.push(`${p}: not valid YAML (${(err as Error).message.split('\n')[0]}); skipped`);
    return {};
  }
}

/** Files under `dir` as `relative/key` → content, recursing into sub-directories (nested keys). */
export function readKeyFiles(dir: string, prefix = ''): { key: string; value: string }[] {
  if (!isDir(dir)) return [];
  const out: { key: string; value: string }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const key = prefix ? `${prefix}/${name}` : name;
    if (isDir(p)) out.push(...readKeyFiles(p, key));
    else if (isFile(p)) out.push({ key, value: readFileSync(p, 'utf8') });
  }
  return out;
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

function parseMetricValue(s: string): number {
  const t = s.toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return Number(s);
}

export function readRun(dir: string, experimentId: string, problems: string[] = []): FsRun | undefined {
  const meta = readYaml(join(dir, 'meta.yaml'), problems);
  const id = String(meta.run_id ?? meta.run_uuid ?? '');
  if (!id) return undefined;
  const metrics: FsRun['metrics'] = [];
  for (const { key, value } of readKeyFiles(join(dir, 'metrics'))) {
    for (const line of value.split('\n')) {
      const parts = line.trim().split(/\s+/);
      if (parts.length < 2) continue;
      metrics.push({
        key,
        timestamp: Number(parts[0]),
        value: parseMetricValue(parts[1]!),
        step: Number(parts[2] ?? 0),
      });
    }
  }
  const status = num(meta.status);
  return {
    id,
    dir,
    experimentId,
    name: typeof meta.run_name === 'string' ? meta.run_name : '',
    userId: typeof meta.user_id === 'string' ? meta.user_id : 'unknown',
    status: status !== undefined && status >= 1 && status <= 5 ? STATUS[status - 1]! : 'FINISHED',
    startTime: num(meta.start_time) ?? 0,
    endTime: num(meta.end_time),
    lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    params: readKeyFiles(join(dir, 'params')),
    tags: readKeyFiles(join(dir, 'tags')),
    metrics: metrics.filter((m) => Number.isFinite(m.timestamp) && Number.isFinite(m.step)),
    artifactsDir: isDir(join(dir, 'artifacts')) ? join(dir, 'artifacts') : undefined,
  };
}

export function readExperiments(root: string, problems: string[] = []): FsExperiment[] {
  const out: FsExperiment[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (name === 'models' || name.startsWith('.') || !isDir(dir) || !isFile(join(dir, 'meta.yaml'))) continue;
    const meta = readYaml(join(dir, 'meta.yaml'), problems);
    if (typeof meta.name !== 'string') continue;
    out.push({
      id: String(meta.experiment_id ?? name),
      dir,
      name: meta.name,
      lifecycleStage: meta.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
      creationTime: num(meta.creation_time),
      tags: readKeyFiles(join(dir, 'tags')),
      runIds: readdirSync(dir)
        .filter((r) => r !== 'tags' && isDir(join(dir, r)) && isFile(join(dir, r, 'meta.yaml')))
        .sort(),
    });
  }
  return out;
}

export function readModels(root: string, problems: string[] = []): FsModel[] {
  const modelsDir = join(root, 'models');
  if (!isDir(modelsDir)) return [];
  const out: FsModel[] = [];
  for (const name of readdirSync(modelsDir).sort()) {
    const dir = join(modelsDir, name);
    if (!isDir(dir) || !isFile(join(dir, 'meta.yaml'))) continue;
    const meta = readYaml(join(dir, 'meta.yaml'), problems);
    const aliases: FsModel['aliases'] = [];
    const metaAliases = meta.aliases;
    if (metaAliases && typeof metaAliases === 'object' && !Array.isArray(metaAliases)) {
      for (const [alias, v] of Object.entries(metaAliases))
        if (num(v) !== undefined) aliases.push({ alias, version: num(v)! });
    }
    for (const { key, value } of readKeyFiles(join(dir, 'aliases'))) {
      if (num(value.trim()) !== undefined) aliases.push({ alias: key, version: num(value.trim())! });
    }
    const versions: FsModelVersion[] = [];
    for (const v of readdirSync(dir).filter((d) => /^version-\d+$/.test(d))) {
      const vm = readYaml(join(dir, v, 'meta.yaml'), problems);
      if (Object.keys(vm).length === 0) continue;
      const version = num(vm.version) ?? Number(v.slice(8));
      versions.push({
        version,
        stage: typeof vm.current_stage === 'string' ? vm.current_stage : 'None',
        description: typeof vm.description === 'string' && vm.description !== '' ? vm.description : undefined,
        source: typeof vm.source === 'string' ? vm.source : '',
        runId: typeof vm.run_id === 'string' && vm.run_id !== '' ? vm.run_id : undefined,
        status: typeof vm.status === 'string' ? vm.status : 'READY',
        creationTime: num(vm.creation_timestamp),
        lastUpdatedTime: num(vm.last_updated_timestamp),
        userId: typeof vm.user_id === 'string' ? vm.user_id : undefined,
        tags: readKeyFiles(join(dir, v, 'tags')),
      });
    }
    versions.sort((a, b) => a.version - b.version);
    out.push({
      name: typeof meta.name === 'string' ? meta.name : name,
      description:
        typeof meta.description === 'string' && meta.description !== '' ? meta.description : undefined,
      creationTime: num(meta.creation_timestamp),
      lastUpdatedTime: num(meta.last_updated_timestamp),
      tags: readKeyFiles(join(dir, 'tags')),
      aliases,
      versions,
    });
  }
  return out;
}

export function isFileStore(root: string): boolean {
  return existsSync(root) && isDir(root);
}
