/**
 * What `cauce train` and `cauce tune` do with a spec: load the data, build the pipeline, fit it (once, or
 * through CrossValidator / TrainValidationSplit over the grid), score the test split, save and log the
 * model. Returns a plain result that `report.ts` prints as a table or JSON.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError } from '@cauce/data';
import type { Frame } from '@cauce/frame';
import type { PipelineModel } from '@cauce/ml';
import {
  Estimator,
  MLError,
  metricNameOf,
  CrossValidatorModel,
  type Model,
  type TrainValidationSplitModel,
  type Params,
  type TuningEvaluator,
} from '@cauce/ml';
import { CliError } from '../cli-error.js';
import { buildEvaluator, buildGrid, buildPipeline, buildValidator, cliErrorOf } from './build.js';
import { loadData } from './data.js';
import { trainProgress, tuneProgress, type ProgressOptions } from './progress.js';
import type { TrainSpec } from './spec.js';
import { tracked, type Logged, type TrackingFlags } from './tracking.js';

export interface RunFlags extends TrackingFlags {
  output?: string;
  overwrite?: boolean;
  progress: ProgressOptions;
}

export interface TrialRow {
  params: Record<string, unknown>;
  metric: number;
  std?: number;
}

export interface TuneResult {
  command: 'tune';
  spec: string;
  method: string;
  metric: string;
  isLargerBetter: boolean;
  trainRows: number;
  testRows: number | undefined;
  numFolds?: number;
  trials: number;
  results: TrialRow[];
  bestIndex: number;
  bestParams: Record<string, unknown>;
  /** The best map's validation metric (CV: average over folds). */
  bestMetric: number;
  /** Evaluator metric of the refitted best model on the test split. */
  testMetrics: Record<string, number>;
  elapsedMs: number;
  output?: string;
  tracking?: Logged;
}

export interface TrainResult {
  command: 'train';
  spec: string;
  metric?: string;
  trainRows: number;
  testRows: number | undefined;
  /** Evaluator metric on the training rows, and on the test split when there is one. */
  trainMetrics: Record<string, number>;
  testMetrics: Record<string, number>;
  stages: string[];
  elapsedMs: number;
  output?: string;
  tracking?: Logged;
}

/** Turns library errors into CLI errors (never a stack trace for a user's mistake). */
async function userErrors<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof MLError) throw cliErrorOf(e, `${what}: `);
    if (e instanceof DataError) throw new CliError(`${what}: ${e.message}`, e.hint);
    throw e;
  }
}

/** The evaluator reads its labelCol from the input rows: a missing one fails here, not after the trials. */
function checkEvaluatorLabel(ev: TuningEvaluator & Params, frame: Frame, spec: TrainSpec): void {
  if (!ev.hasParam('labelCol')) return;
  const col = ev.getOrDefault(ev.getParam('labelCol')) as string;
  if (!frame.has(col))
    throw new CliError(
      `${spec.file}: evaluator: labelCol ${JSON.stringify(col)} is not in the data`,
      spec.label === undefined
        ? 'set "label" in the spec (or "labelCol" in evaluator.params) to the column to predict'
        : 'set "labelCol" in evaluator.params to a column of the data',
    );
}

async function score(ev: TuningEvaluator, model: Model, frame: Frame): Promise<number> {
  return ev.evaluate(await model.transform(frame));
}

/** Refuses an existing -o directory before any work (not after a long tuning). */
function checkOutput(flags: RunFlags): void {
  if (flags.output === undefined) return;
  const dir = resolve(flags.output);
  if (existsSync(dir) && flags.overwrite !== true)
    throw new CliError(
      `-o ${dir} already exists`,
      'pass --overwrite to replace it, or choose another directory',
    );
}

async function save(model: Model, flags: RunFlags): Promise<string | undefined> {
  if (flags.output === undefined) return undefined;
  const dir = resolve(flags.output);
  await userErrors('saving the model', () => model.save(dir, { overwrite: flags.overwrite === true }));
  return dir;
}

export async function runTune(spec: TrainSpec, flags: RunFlags): Promise<TuneResult> {
  const started = performance.now();
  checkOutput(flags);
  if (spec.tuning === undefined)
    throw new CliError(
      `${spec.file}: has no "tuning" section`,
      'add "tuning": { "grid": { "LinearRegression.regParam": [0.01, 0.1] } }, or fit it once with `cauce train`',
    );
  if (spec.evaluator === undefined)
    throw new CliError(
      `${spec.file}: tuning needs an "evaluator" to compare the param maps`,
      'add "evaluator": { "name": "RegressionEvaluator", "metric": "rmse" }',
    );
  const tuning = spec.tuning;
  const { pipeline, stages } = buildPipeline(spec);
  const grid = buildGrid(tuning, stages);
  const evaluator = buildEvaluator(spec.evaluator, spec.label);
  const validator = buildValidator(tuning, pipeline, grid.maps, evaluator);
  const data = await loadData(spec);
  checkEvaluatorLabel(evaluator, data.train, spec);
  const numFolds = 'getNumFolds' in validator ? validator.getNumFolds() : undefined;
  const metric = metricNameOf(evaluator);
  const larger = evaluator.isLargerBetter();
  // schema problems (a missing column, a wrong type) are found here, before any fit or run
  await userErrors('the pipeline does not fit the data', async () =>
    validator.transformSchema(data.train.schema),
  );
  const { result, logged } = await tracked(flags, spec.file, data.train, async () => {
    const progress = tuneProgress(flags.progress, {
      validatorUid: validator.uid,
      totalTrials: grid.maps.length * (numFolds ?? 1),
      metricName: metric,
      larger,
    });
    let tuned: CrossValidatorModel | TrainValidationSplitModel;
    try {
      tuned = await userErrors(
        'tuning failed',
        async (): Promise<CrossValidatorModel | TrainValidationSplitModel> => validator.fit(data.train),
      );
    } finally {
      progress.stop();
    }
    const cv = tuned instanceof CrossValidatorModel ? tuned : undefined;
    const metrics: readonly number[] = cv
      ? cv.avgMetrics
      : (tuned as TrainValidationSplitModel).validationMetrics;
    const results: TrialRow[] = grid.maps.map((m, i) => {
      const row: TrialRow = {
        params: Object.fromEntries(grid.keys.map(({ key, param }) => [key, m.get(param)])),
        metric: metrics[i]!,
      };
      if (cv) row.std = cv.stdMetrics[i]!;
      return row;
    });
    const best = tuned.bestIndex;
    const testMetrics: Record<string, number> = {};
    if (data.test)
      testMetrics[metric] = await userErrors('scoring the test split', () =>
        score(evaluator, tuned.bestModel, data.test!),
      );
    const r: TuneResult = {
      command: 'tune',
      spec: spec.file,
      method: tuning.method,
      metric,
      isLargerBetter: larger,
      trainRows: data.train.numRows,
      testRows: data.test?.numRows,
      trials: grid.maps.length * (numFolds ?? 1),
      results,
      bestIndex: best,
      bestParams: results[best]!.params,
      bestMetric: metrics[best]!,
      testMetrics,
      elapsedMs: 0,
    };
    if (numFolds !== undefined) r.numFolds = numFolds;
    const output = await save(tuned.bestModel, flags);
    if (output !== undefined) r.output = output;
    return {
      result: r,
      model: tuned.bestModel,
      metrics: Object.fromEntries(Object.entries(testMetrics).map(([k, v]) => [`test_${k}`, v])),
    };
  });
  if (logged) result.tracking = logged;
  result.elapsedMs = performance.now() - started;
  return result;
}

export async function runTrain(spec: TrainSpec, flags: RunFlags): Promise<TrainResult> {
  const started = performance.now();
  checkOutput(flags);
  if (spec.tuning !== undefined && flags.progress.enabled)
    process.stderr.write(
      'note: `cauce train` fits the params as written; the spec\'s "tuning" is for `cauce tune`\n',
    );
  const { pipeline, stages } = buildPipeline(spec);
  const evaluator = spec.evaluator ? buildEvaluator(spec.evaluator, spec.label) : undefined;
  const data = await loadData(spec);
  if (evaluator) checkEvaluatorLabel(evaluator, data.train, spec);
  await userErrors('the pipeline does not fit the data', async () =>
    pipeline.transformSchema(data.train.schema),
  );
  const { result, logged } = await tracked(flags, spec.file, data.train, async () => {
    const estimators = pipeline.getStages().filter((s) => s instanceof Estimator).length;
    const progress = trainProgress(flags.progress, pipeline.uid, estimators);
    let model: PipelineModel;
    try {
      model = await userErrors('training failed', () => pipeline.fit(data.train));
    } finally {
      progress.stop();
    }
    const trainMetrics: Record<string, number> = {};
    const testMetrics: Record<string, number> = {};
    const metric = evaluator ? metricNameOf(evaluator) : undefined;
    if (evaluator && metric !== undefined) {
      trainMetrics[metric] = await userErrors('scoring the training rows', () =>
        score(evaluator, model, data.train),
      );
      if (data.test)
        testMetrics[metric] = await userErrors('scoring the test split', () =>
          score(evaluator, model, data.test!),
        );
    }
    const r: TrainResult = {
      command: 'train',
      spec: spec.file,
      trainRows: data.train.numRows,
      testRows: data.test?.numRows,
      trainMetrics,
      testMetrics,
      stages: stages.map((s) => s.spec.stage),
      elapsedMs: 0,
    };
    if (metric !== undefined) r.metric = metric;
    const output = await save(model, flags);
    if (output !== undefined) r.output = output;
    return {
      result: r,
      model,
      metrics: Object.fromEntries(Object.entries(testMetrics).map(([k, v]) => [`test_${k}`, v])),
    };
  });
  if (logged) result.tracking = logged;
  result.elapsedMs = performance.now() - started;
  return result;
}
