/**
 * What CrossValidator and TrainValidationSplit share (Spark's ValidatorParams): the estimator, its grid of
 * param maps, the evaluator, seed, parallelism and collectSubModels; the schema check over every map;
 * running the trials with bounded concurrency; and saving param maps by (stage uid, param name).
 */
import { Frame } from '@cauce/frame';
import type { StageReader, StageWriter } from '../io/format.js';
import { ParamMap, Params, type ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { custom, gtEq } from '../param/validators.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { Estimator, type FitContext, type Model, type PipelineStage } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import {
  decodeEvaluator,
  encodeEvaluator,
  isTuningEvaluator,
  type SavedEvaluator,
  type TuningEvaluator,
} from './evaluator-ref.js';
import './builtin-evaluators.js';
import './linear-regression-multi.js';
import { fitMultiple, hasFitMultiple } from './fit-multiple.js';
import { runTrialsOnWorkers } from './worker-trials.js';
import { scoredColumns, scoredSample, validationSamples } from './validation-sample.js';
import { mlEvents } from '../pipeline/events.js';

export const estimatorSpec: ParamSpec<Estimator> = {
  name: 'estimator',
  doc: 'estimator to tune (an Estimator or a Pipeline)',
  type: 'object',
  validator: custom<Estimator>((v) => v instanceof Estimator, 'an Estimator'),
};
export const estimatorParamMapsSpec: ParamSpec<readonly ParamMap[]> = {
  name: 'estimatorParamMaps',
  doc: 'param maps to try, e.g. new ParamGridBuilder().addGrid(lr.regParam, [0.01, 0.1]).build()',
  type: 'object',
  validator: custom<readonly ParamMap[]>(
    (v) => Array.isArray(v) && v.length > 0 && v.every((m) => m instanceof ParamMap),
    'a non-empty array of ParamMaps',
  ),
};
export const evaluatorSpec: ParamSpec<TuningEvaluator> = {
  name: 'evaluator',
  doc: 'evaluator that scores the validation predictions (e.g. a RegressionEvaluator)',
  type: 'object',
  validator: custom<TuningEvaluator>(
    isTuningEvaluator,
    'an Evaluator (with evaluate() and isLargerBetter())',
  ),
};
export const parallelismSpec: ParamSpec<number> = {
  name: 'parallelism',
  doc: 'how many trials (fits) may run at once; above 1 they run on worker threads when the estimator and evaluator can be shipped there',
  type: 'int',
  validator: gtEq(1),
  default: 1,
};
export const collectSubModelsSpec: ParamSpec<boolean> = {
  name: 'collectSubModels',
  doc: 'keep every model fitted during tuning (memory grows with folds × param maps)',
  type: 'boolean',
  default: false,
};

export interface ValidatorParamValues {
  estimator?: Estimator;
  estimatorParamMaps?: readonly ParamMap[];
  evaluator?: TuningEvaluator;
  seed?: number;
  parallelism?: number;
  collectSubModels?: boolean;
}

/** Spark's ValidatorParams, as a mixin-free base: both tuning estimators extend it. */
export abstract class ValidatorBase<M extends Model> extends Estimator<M> {
  readonly estimator = this.declare(estimatorSpec);
  readonly estimatorParamMaps = this.declare(estimatorParamMapsSpec);
  readonly evaluator = this.declare(evaluatorSpec);
  readonly seed = this.declare(shared.seed);
  readonly parallelism = this.declare(parallelismSpec);
  readonly collectSubModels = this.declare(collectSubModelsSpec);

  setEstimator(v: Estimator): this {
    return this.set(this.estimator, v);
  }
  getEstimator(): Estimator {
    return this.getOrDefault(this.estimator);
  }
  setEstimatorParamMaps(v: readonly ParamMap[]): this {
    return this.set(this.estimatorParamMaps, v);
  }
  getEstimatorParamMaps(): readonly ParamMap[] {
    return this.getOrDefault(this.estimatorParamMaps);
  }
  setEvaluator(v: TuningEvaluator): this {
    return this.set(this.evaluator, v);
  }
  getEvaluator(): TuningEvaluator {
    return this.getOrDefault(this.evaluator);
  }
  setSeed(v: number): this {
    return this.set(this.seed, v);
  }
  getSeed(): number {
    return this.getOrDefault(this.seed);
  }
  setParallelism(v: number): this {
    return this.set(this.parallelism, v);
  }
  getParallelism(): number {
    return this.getOrDefault(this.parallelism);
  }
  setCollectSubModels(v: boolean): this {
    return this.set(this.collectSubModels, v);
  }
  getCollectSubModels(): boolean {
    return this.getOrDefault(this.collectSubModels);
  }

  /** Checks that estimator, maps and evaluator are set and that every map fits the input schema. */
  protected validateAndTransformSchema(schema: Schema): Schema {
    for (const name of ['estimator', 'estimatorParamMaps', 'evaluator'] as const) {
      if (this.get(this.getParam(name)) === undefined) {
        throw new MLError('INVALID_PARAM', `${this.uid}: param ${name} is not set`, {
          stage: this.uid,
          param: name,
          hint: `call set${name.charAt(0).toUpperCase()}${name.slice(1)}(…) before fit`,
        });
      }
    }
    try {
      return this.checkTuning(schema);
    } catch (e) {
      // name the tuning stage too: the column error comes from a stage inside it
      if (e instanceof MLError && e.code === 'SCHEMA_MISMATCH' && !e.message.includes(this.uid)) {
        throw new MLError(
          'SCHEMA_MISMATCH',
          `${this.uid}: the tuned estimator cannot fit these columns: ${e.message}`,
          { stage: this.uid, column: e.column },
          { cause: e },
        );
      }
      throw e;
    }
  }

  private checkTuning(schema: Schema): Schema {
    const est = this.getEstimator();
    const owners = new Set(collectStages(est).map((s) => s.uid));
    owners.add(this.getEvaluator().uid);
    for (const [i, m] of this.getEstimatorParamMaps().entries()) {
      for (const { param } of m.entries()) {
        if (!owners.has(param.parent)) {
          throw new MLError(
            'INVALID_PARAM',
            `${this.uid}: estimatorParamMaps[${i}] sets ${param.toString()}, which belongs to no stage of the estimator`,
            {
              stage: this.uid,
              param: 'estimatorParamMaps',
              hint: "build the grid from the tuned estimator's own params",
            },
          );
        }
      }
      est.copy(m).transformSchema(schema);
    }
    return est.transformSchema(schema);
  }

  /**
   * Fits and scores every (split, param map) trial. With parallelism > 1 the trials run on worker threads
   * when everything can be shipped there (registered stages and evaluator, no sub-models kept, no shared
   * fitMultiple path, which is faster still); otherwise split by split on this thread.
   */
  protected async runSplits(
    frame: Frame,
    splits: Array<{ train: Int32Array; validation: Int32Array }>,
    ctx: FitContext,
    onTrial: (split: number, paramIndex: number, metric: number, model: Model | undefined) => void,
  ): Promise<void> {
    const est = this.getEstimator();
    const threads = this.getParallelism();
    // the sampled validation predictions, reported only while someone listens (autolog's plots)
    const samples = mlEvents.hasListeners('validationScored')
      ? validationSamples(frame.numRows, splits)
      : undefined;
    const scored = (s: number, i: number, sample: Frame, model?: Model): void =>
      mlEvents.emit({
        type: 'validationScored',
        uid: this.uid,
        split: s,
        paramIndex: i,
        rows: samples![s]!.rows,
        predictions: sample,
        model,
      });
    if (threads > 1 && !this.getCollectSubModels() && !hasFitMultiple(est)) {
      const shipped = await runTrialsOnWorkers({
        owner: this.uid,
        estimator: est,
        evaluator: this.getEvaluator(),
        maps: this.getEstimatorParamMaps(),
        frame,
        splits,
        threads,
        samples: samples?.map((x) => x.positions),
        onTrial: (s, i, metric, sample) => {
          this.checkMetric(i, metric);
          if (sample) scored(s, i, sample);
          onTrial(s, i, metric, undefined);
        },
      });
      if (shipped) return;
    }
    const owners = [...collectStages(est), this.getEvaluator()];
    for (const [s, split] of splits.entries()) {
      const { train, validation } = foldFrames(frame, split, this.getEstimatorParamMaps().length);
      const sample = samples?.[s];
      await this.runSplit(
        train,
        validation,
        ctx,
        (i, metric, model) => onTrial(s, i, metric, model),
        sample
          ? (i, pred, model) =>
              scored(s, i, scoredSample(pred, sample.positions, scoredColumns(owners, pred)), model)
          : undefined,
      );
    }
  }

  private checkMetric(i: number, metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) {
      throw new MLError(
        'INVALID_DATA',
        `${this.uid}: the evaluator returned ${String(metric)} for param map ${i}`,
        {
          stage: this.uid,
          hint: 'check the validation predictions (NaN labels or predictions?) and the evaluator settings',
        },
      );
    }
  }

  /**
   * Fits and scores one (train, validation) split for every param map, `parallelism` at a time. Fits are
   * nested under this fit (parentUid) so listeners (autolog, progress bars) can group them.
   */
  private async runSplit(
    train: Frame,
    validation: Frame,
    ctx: FitContext,
    onTrial: (paramIndex: number, metric: number, model: Model) => void,
    onScored?: (paramIndex: number, predictions: Frame, model: Model) => void,
  ): Promise<void> {
    const est = this.getEstimator();
    const maps = this.getEstimatorParamMaps();
    const evaluator = this.getEvaluator();
    // estimators that can share work across the maps (Spark's fitMultiple) fit them all in one go
    const shared = await fitMultiple(est, train, maps, ctx.uid);
    await runPool(maps.length, shared ? 1 : this.getParallelism(), async (i) => {
      const m = maps[i]!;
      const model = shared ? shared[i]! : await est.fitWith(train, { paramMap: m, parentUid: ctx.uid });
      const pred = await model.transform(validation);
      const metric = await evaluator.evaluate(pred);
      this.checkMetric(i, metric);
      onScored?.(i, pred, model);
      onTrial(i, metric, model);
      // A turn of the event loop after every trial: a fit is synchronous between awaits and awaits of
      // settled promises never leave the microtask queue, so without this a SIGINT/SIGTERM handler (which
      // ends tracked runs KILLED, @cauce/client) or a timer could only run once the whole tuning is over.
      // Costs a few microseconds per trial.
      await new Promise<void>((r) => setImmediate(r));
    });
  }

  /** The index of the best metric (first one on ties, like Spark's argmax). */
  protected bestIndex(metrics: readonly number[]): number {
    const larger = this.getEvaluator().isLargerBetter();
    let best = 0;
    for (let i = 1; i < metrics.length; i++) {
      if (larger ? metrics[i]! > metrics[best]! : metrics[i]! < metrics[best]!) best = i;
    }
    return best;
  }
}

/**
 * The (train, validation) frames of a split: index views of `frame`. With several param maps each view
 * would be copied out again by every fit and every transform (a model reads its features as one matrix),
 * so then the rows are compacted once per split instead (Frame.concat of the view: one copy, sparse
 * vectors stay sparse).
 */
export function foldFrames(
  frame: Frame,
  split: { train: Int32Array; validation: Int32Array },
  numMaps: number,
): { train: Frame; validation: Frame } {
  const train = frame.take(split.train);
  const validation = frame.take(split.validation);
  if (numMaps < 2) return { train, validation };
  return { train: Frame.concat([train]), validation: Frame.concat([validation]) };
}

/** Runs `task(0..n-1)` with at most `limit` in flight; the first failure rejects (others finish first). */
export async function runPool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < n && !failed) {
      const i = next++;
      try {
        await task(i);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  if (failed) throw failed.error;
}

/** The estimator and every stage inside it (Pipeline stages, recursively). */
export function collectStages(est: PipelineStage): PipelineStage[] {
  const out: PipelineStage[] = [est];
  if (est instanceof Pipeline) for (const s of est.getStages()) out.push(...collectStages(s));
  return out;
}

interface SavedPair {
  stage: string;
  param: string;
  value: unknown;
}

/** @internal */
export function writeTuning(
  w: StageWriter,
  estimator: Estimator,
  maps: readonly ParamMap[],
  evaluator: TuningEvaluator,
  owner: string,
): void {
  w.stage('estimator', estimator);
  w.json('evaluator', encodeEvaluator(evaluator, owner));
  w.json(
    'estimatorParamMaps',
    maps.map((m) =>
      m.entries().map(({ param, value }): SavedPair => ({
        stage: param.parent,
        param: param.name,
        value,
      })),
    ),
  );
}

/** @internal */
export async function readTuning(
  r: StageReader,
): Promise<{ estimator: Estimator; evaluator: TuningEvaluator; maps: ParamMap[] }> {
  const estimator = await r.stage('estimator');
  if (!(estimator instanceof Estimator)) {
    throw new MLError('LOAD_ERROR', `${r.where}: the saved estimator ${estimator.uid} is not an Estimator`);
  }
  const evaluator = decodeEvaluator(r.json<SavedEvaluator>('evaluator'), r.where);
  const owners = new Map<string, Params>();
  for (const s of collectStages(estimator)) owners.set(s.uid, s);
  if (evaluator instanceof Params) owners.set(evaluator.uid, evaluator);
  const maps = r.json<SavedPair[][]>('estimatorParamMaps').map((pairs) => {
    const m = new ParamMap();
    for (const p of pairs) {
      const owner = owners.get(p.stage);
      if (!owner)
        throw new MLError('LOAD_ERROR', `${r.where}: a param map refers to unknown stage ${p.stage}`);
      m.put(owner.getParam(p.param), p.value);
    }
    return m;
  });
  return { estimator, evaluator, maps };
}
