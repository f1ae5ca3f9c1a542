/**
 * The training spec of `cauce train` / `cauce tune`: one JSON file that says what data to read, which
 * pipeline to fit (stages by their Spark class names), how to tune it and how to score it. This file
 * reads and checks the file's shape; names (stages, params, columns) are checked against the ml library
 * and the data later, where those are known. Every problem is a CliError that names the JSON path.
 *
 * {
 *   "data": { "path": "houses.csv", "sql": "SELECT * FROM data WHERE price > 0",
 *             "split": { "trainRatio": 0.8, "seed": 42 } },
 *   "label": "price",
 *   "features": ["area", "rooms"],
 *   "pipeline": [ { "stage": "StandardScaler", "params": { "inputCol": "features", "outputCol": "scaled" } },
 *                 { "stage": "LinearRegression", "params": { "featuresCol": "scaled" } } ],
 *   "tuning": { "method": "CrossValidator", "numFolds": 3, "seed": 7, "parallelism": 2,
 *               "grid": { "LinearRegression.regParam": [0.01, 0.1], "1.elasticNetParam": [0, 0.5] } },
 *   "evaluator": { "name": "RegressionEvaluator", "metric": "rmse" }
 * }
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import { suggestHint } from './suggest.js';

export interface DataSpec {
  /** A file or glob (CSV, Parquet, JSON, JSONL), relative to the spec file's folder. */
  path: string;
  /** Overrides the format detected from the extension. */
  format?: 'csv' | 'parquet' | 'json' | 'jsonl';
  /** `{ column: type }` casts applied while reading (double, int, bigint, bool, timestamp, date, string). */
  cast?: Record<string, string>;
  /** DuckDB SQL over the file, which is the table `data`. */
  sql?: string;
  /** Hold out a test set: round(n·trainRatio) rows train, the rest test, shuffled with `seed`. */
  split?: { trainRatio: number; seed: number };
}

export interface StageSpec {
  /** Registered class name, e.g. 'LinearRegression', 'StandardScaler', 'SQLTransformer'. */
  stage: string;
  /** Optional name for grid keys (`"lr.regParam"`), when a class appears twice. */
  name?: string;
  params: Record<string, unknown>;
}

export type TuningMethod = 'CrossValidator' | 'TrainValidationSplit';

export interface TuningSpec {
  method: TuningMethod;
  /** Validator params (numFolds, trainRatio, seed, parallelism, …), checked by the validator itself. */
  params: Record<string, unknown>;
  /** `"stageRef.param": [values]`; stageRef is a stage's name, class name or 0-based index. */
  grid: Record<string, unknown[]>;
}

export interface EvaluatorSpec {
  name: string;
  metric?: string;
  params: Record<string, unknown>;
}

export interface TrainSpec {
  /** The spec file (absolute), for messages. */
  file: string;
  data: DataSpec;
  label?: string;
  features?: string[];
  pipeline: StageSpec[];
  tuning?: TuningSpec;
  evaluator?: EvaluatorSpec;
}

const TOP_KEYS = ['data', 'label', 'features', 'pipeline', 'tuning', 'evaluator', 'description', '$schema'];
const DATA_KEYS = ['path', 'format', 'cast', 'sql', 'split'];
const STAGE_KEYS = ['stage', 'name', 'params'];
const EVALUATOR_KEYS = ['name', 'metric', 'params'];
const FORMATS = ['csv', 'parquet', 'json', 'jsonl'] as const;
export const TUNING_METHODS: readonly TuningMethod[] = ['CrossValidator', 'TrainValidationSplit'];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Errors about the spec name the file and the JSON path of the bad value. */
export class SpecReader {
  constructor(readonly file: string) {}

  fail(path: string, message: string, hint?: string): never {
    throw new CliError(`${this.file}: ${path}: ${message}`, hint);
  }

  object(v: unknown, path: string, keys: readonly string[] | undefined, example: string): Obj {
    if (!isObj(v)) this.fail(path, `must be an object, got ${describe(v)}`, `e.g. ${example}`);
    if (keys) {
      for (const k of Object.keys(v)) {
        if (!keys.includes(k))
          this.fail(path, `unknown key ${JSON.stringify(k)}`, suggestHint(k, keys, 'keys'));
      }
    }
    return v;
  }

  string(v: unknown, path: string, example: string): string {
    if (typeof v !== 'string' || v.trim() === '')
      this.fail(path, `must be a non-empty string, got ${describe(v)}`, `e.g. ${example}`);
    return v;
  }

  number(v: unknown, path: string, example: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v))
      this.fail(path, `must be a number, got ${describe(v)}`, `e.g. ${example}`);
    return v;
  }

  stringArray(v: unknown, path: string, example: string): string[] {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x !== ''))
      this.fail(path, `must be a non-empty array of column names, got ${describe(v)}`, `e.g. ${example}`);
    return v as string[];
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function parseData(r: SpecReader, v: unknown, baseDir: string): DataSpec {
  const o = r.object(v, 'data', DATA_KEYS, '{ "path": "houses.csv" }');
  const data: DataSpec = { path: resolve(baseDir, r.string(o.path, 'data.path', '"houses.csv"')) };
  if (o.format !== undefined) {
    if (!FORMATS.includes(o.format as (typeof FORMATS)[number]))
      r.fail('data.format', `unknown format ${describe(o.format)}`, `use one of ${FORMATS.join(', ')}`);
    data.format = o.format as DataSpec['format'];
  }
  if (o.cast !== undefined) {
    const c = r.object(o.cast, 'data.cast', undefined, '{ "price": "double" }');
    for (const [k, t] of Object.entries(c)) r.string(t, `data.cast.${k}`, '"double"');
    data.cast = c as Record<string, string>;
  }
  if (o.sql !== undefined) data.sql = r.string(o.sql, 'data.sql', '"SELECT * FROM data WHERE price > 0"');
  if (o.split !== undefined) {
    const s = r.object(o.split, 'data.split', ['trainRatio', 'seed'], '{ "trainRatio": 0.8, "seed": 42 }');
    const trainRatio = r.number(s.trainRatio, 'data.split.trainRatio', '0.8');
    if (!(trainRatio > 0 && trainRatio < 1))
      r.fail('data.split.trainRatio', `must be between 0 and 1 (exclusive), got ${trainRatio}`, 'e.g. 0.8');
    const seed = s.seed === undefined ? 42 : r.number(s.seed, 'data.split.seed', '42');
    if (!Number.isInteger(seed)) r.fail('data.split.seed', `must be an integer, got ${seed}`, 'e.g. 42');
    data.split = { trainRatio, seed };
  }
  return data;
}

function parseStage(r: SpecReader, v: unknown, i: number): StageSpec {
  const path = `pipeline[${i}]`;
  if (typeof v === 'string') return { stage: r.string(v, path, '"StandardScaler"'), params: {} };
  const o = r.object(v, path, STAGE_KEYS, '{ "stage": "LinearRegression", "params": { "maxIter": 50 } }');
  const stage: StageSpec = {
    stage: r.string(o.stage, `${path}.stage`, '"LinearRegression"'),
    params:
      o.params === undefined ? {} : r.object(o.params, `${path}.params`, undefined, '{ "regParam": 0.1 }'),
  };
  if (o.name !== undefined) stage.name = r.string(o.name, `${path}.name`, '"lr"');
  return stage;
}

function parseTuning(r: SpecReader, v: unknown): TuningSpec {
  const o = r.object(v, 'tuning', undefined, '{ "method": "CrossValidator", "numFolds": 3, "grid": { … } }');
  const { method = 'CrossValidator', grid, ...params } = o;
  if (!TUNING_METHODS.includes(method as TuningMethod))
    r.fail(
      'tuning.method',
      `unknown method ${describe(method)}`,
      suggestHint(String(method), TUNING_METHODS, 'methods'),
    );
  const g = r.object(grid, 'tuning.grid', undefined, '{ "LinearRegression.regParam": [0.01, 0.1] }');
  if (Object.keys(g).length === 0)
    r.fail('tuning.grid', 'is empty: nothing to tune', 'e.g. { "LinearRegression.regParam": [0.01, 0.1] }');
  for (const [k, vals] of Object.entries(g)) {
    if (!Array.isArray(vals) || vals.length === 0)
      r.fail(
        `tuning.grid.${k}`,
        `must be a non-empty array of values to try, got ${describe(vals)}`,
        'e.g. [0.01, 0.1, 1]',
      );
  }
  return { method: method as TuningMethod, params, grid: g as Record<string, unknown[]> };
}

function parseEvaluator(r: SpecReader, v: unknown): EvaluatorSpec {
  const o = r.object(v, 'evaluator', EVALUATOR_KEYS, '{ "name": "RegressionEvaluator", "metric": "rmse" }');
  const e: EvaluatorSpec = {
    name: r.string(o.name, 'evaluator.name', '"RegressionEvaluator"'),
    params:
      o.params === undefined ? {} : r.object(o.params, 'evaluator.params', undefined, '{ "labelCol": "y" }'),
  };
  if (o.metric !== undefined) e.metric = r.string(o.metric, 'evaluator.metric', '"rmse"');
  return e;
}

/** Checks a parsed JSON value as a spec; relative data paths resolve against `baseDir`. */
export function parseSpec(json: unknown, file: string, baseDir: string): TrainSpec {
  const r: SpecReader = new SpecReader(file);
  const o = r.object(json, '(top level)', TOP_KEYS, '{ "data": …, "pipeline": […], "evaluator": … }');
  if (o.data === undefined) r.fail('data', 'is missing', 'add "data": { "path": "your.csv" }');
  const stages: unknown = o.pipeline;
  if (!Array.isArray(stages) || stages.length === 0)
    r.fail(
      'pipeline',
      `must be a non-empty array of stages, got ${describe(o.pipeline)}`,
      'e.g. [{ "stage": "LinearRegression" }]',
    );
  const spec: TrainSpec = {
    file,
    data: parseData(r, o.data, baseDir),
    pipeline: stages.map((s: unknown, i) => parseStage(r, s, i)),
  };
  if (o.label !== undefined) spec.label = r.string(o.label, 'label', '"price"');
  if (o.features !== undefined) spec.features = r.stringArray(o.features, 'features', '["area", "rooms"]');
  if (o.tuning !== undefined) spec.tuning = parseTuning(r, o.tuning);
  if (o.evaluator !== undefined) spec.evaluator = parseEvaluator(r, o.evaluator);
  const names = spec.pipeline.flatMap((s) => (s.name === undefined ? [] : [s.name]));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined)
    r.fail('pipeline', `two stages are named ${JSON.stringify(dup)}`, 'give each stage its own name');
  return spec;
}

/** Reads and checks a spec file. */
export function readSpec(file: string): TrainSpec {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read the spec ${abs}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`,
      'pass the path of a JSON spec file (see `cauce tune --help` for its format)',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `${abs} is not valid JSON: ${(e as Error).message}`,
      'fix the JSON (a trailing comma? a missing quote?)',
    );
  }
  return parseSpec(json, abs, dirname(abs));
}
