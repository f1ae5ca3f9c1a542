/**
 * From a checked spec to ml objects: the Pipeline (stages built by class name through the ml package's
 * stage registry, so every registered stage — SQLTransformer of @cauce/data too — is available without
 * a list kept here), the param grid, the evaluator and the tuning estimator. Unknown names get the list
 * of known ones and the nearest match.
 */
import {
  CrossValidator,
  Estimator,
  MLError,
  ParamGridBuilder,
  Pipeline,
  TrainValidationSplit,
  VectorAssembler,
  evaluatorClass,
  registeredEvaluators,
  registeredStages,
  stageClass,
  type Param,
  type ParamMap,
  type PipelineStage,
  type Params,
  type TuningEvaluator,
} from '@cauce/ml';
import { CliError } from '../cli-error.js';
import type { EvaluatorSpec, StageSpec, TrainSpec, TuningSpec } from './spec.js';
import { nearest, suggestHint } from './suggest.js';

/** Classes a spec may not name as a pipeline stage: the spec's own structure stands for them. */
const STRUCTURAL = new Set(['Pipeline', 'CrossValidator', 'TrainValidationSplit']);

/**
 * Stage classes a spec can build: every registered class except fitted models (they hold numbers a
 * fit produced, so they are loaded, not built; Spark names them `…Model`) and the structural ones.
 */
export function buildableStages(): string[] {
  return registeredStages().filter((n) => !STRUCTURAL.has(n) && !n.endsWith('Model'));
}

/** A CliError for an MLError, with the hint on its own line. */
export function cliErrorOf(e: MLError, prefix = ''): CliError {
  const suffix = e.hint !== undefined ? ` (${e.hint})` : '';
  const message = suffix && e.message.endsWith(suffix) ? e.message.slice(0, -suffix.length) : e.message;
  return new CliError(`${prefix}${message}`, e.hint);
}

function setParams(target: Params, values: Record<string, unknown>, where: string, what: string): void {
  for (const [k, v] of Object.entries(values)) {
    if (!target.hasParam(k)) {
      throw new CliError(
        `${where}: ${what} has no param ${JSON.stringify(k)}`,
        suggestHint(
          k,
          target.params.map((p) => p.name),
          `${what}'s params`,
        ),
      );
    }
    try {
      target.set(target.getParam(k), v);
    } catch (e) {
      if (e instanceof MLError) throw cliErrorOf(e, `${where}: `);
      throw e;
    }
  }
}

export interface BuiltStage {
  spec: StageSpec;
  stage: PipelineStage;
}

function buildStage(s: StageSpec, i: number, label: string | undefined): PipelineStage {
  const where = `pipeline[${i}]`;
  const known = buildableStages();
  const Ctor = known.includes(s.stage) ? stageClass(s.stage) : undefined;
  if (Ctor === undefined) {
    const why = STRUCTURAL.has(s.stage)
      ? `${s.stage} is not a pipeline stage here (the spec's "pipeline" and "tuning" sections build it)`
      : s.stage.endsWith('Model') && registeredStages().includes(s.stage)
        ? `${s.stage} is a fitted model; name its estimator instead`
        : `unknown stage ${JSON.stringify(s.stage)}`;
    throw new CliError(`${where}: ${why}`, suggestHint(s.stage, known, 'known stages'));
  }
  const stage = new Ctor();
  // the spec's label is the default labelCol of every stage that reads one (an explicit param wins);
  // RFormula's labelCol is the column it writes (its formula names the label), so it keeps its own
  const readsLabel = stage.hasParam('labelCol') && !stage.hasParam('formula');
  if (label !== undefined && readsLabel && !('labelCol' in s.params))
    stage.set(stage.getParam('labelCol'), label);
  setParams(stage, s.params, where, s.stage);
  return stage;
}

export interface BuiltPipeline {
  pipeline: Pipeline;
  /** The spec's stages (without the VectorAssembler `features` adds), in order. */
  stages: BuiltStage[];
}

/** The pipeline: `features` (when given) assembles into a `features` vector column before the spec's stages. */
export function buildPipeline(spec: TrainSpec): BuiltPipeline {
  const stages = spec.pipeline.map((s, i) => ({ spec: s, stage: buildStage(s, i, spec.label) }));
  const all: PipelineStage[] = stages.map((s) => s.stage);
  if (spec.features !== undefined)
    all.unshift(new VectorAssembler({ inputCols: spec.features, outputCol: 'features' }));
  if (!stages.some((s) => s.stage instanceof Estimator) && spec.tuning !== undefined)
    throw new CliError(
      `${spec.file}: pipeline: no stage is an estimator, so there is nothing to tune`,
      'end the pipeline with a model, e.g. { "stage": "LinearRegression" }',
    );
  return { pipeline: new Pipeline({ stages: all }), stages };
}

/** Finds the stage a grid key refers to: by its name, its class name (when unique) or its index. */
function stageFor(ref: string, stages: BuiltStage[], key: string): BuiltStage {
  const listing = stages
    .map((s, i) => `${i} ${s.spec.stage}${s.spec.name !== undefined ? ` (${s.spec.name})` : ''}`)
    .join(', ');
  const where = `tuning.grid ${JSON.stringify(key)}`;
  if (/^\d+$/.test(ref)) {
    const s = stages[Number(ref)];
    if (s === undefined)
      throw new CliError(
        `${where}: there is no stage ${ref}`,
        `stages (by name, class name or index): ${listing}`,
      );
    return s;
  }
  const named = stages.find((s) => s.spec.name === ref);
  if (named) return named;
  const byClass = stages.filter((s) => s.spec.stage === ref);
  if (byClass.length === 1) return byClass[0]!;
  if (byClass.length > 1)
    throw new CliError(
      `${where}: ${byClass.length} stages are ${ref}s`,
      `address one by index or give it a "name"; stages: ${listing}`,
    );
  const refs = stages.flatMap((s) =>
    s.spec.name !== undefined ? [s.spec.name, s.spec.stage] : [s.spec.stage],
  );
  const near = nearest(ref, refs);
  throw new CliError(
    `${where} matches no stage of the pipeline`,
    `${near !== undefined ? `did you mean ${JSON.stringify(near)}? ` : ''}address a stage by name, class name or index: ${listing}`,
  );
}

export interface BuiltGrid {
  maps: ParamMap[];
  /** The grid's keys as the spec wrote them, with the param each one tunes (to report the maps). */
  keys: Array<{ key: string; param: Param<unknown> }>;
}

/** The grid as ParamMaps over the pipeline's stages; `grid` keys are `stageRef.param`. */
export function buildGrid(tuning: TuningSpec, stages: BuiltStage[]): BuiltGrid {
  const builder = new ParamGridBuilder();
  const keys: BuiltGrid['keys'] = [];
  for (const [key, values] of Object.entries(tuning.grid)) {
    const dot = key.lastIndexOf('.');
    if (dot <= 0 || dot === key.length - 1)
      throw new CliError(
        `tuning.grid: key ${JSON.stringify(key)} is not "stage.param"`,
        'e.g. "LinearRegression.regParam", "lr.regParam" (a stage name) or "1.regParam" (a stage index)',
      );
    const { spec, stage } = stageFor(key.slice(0, dot), stages, key);
    const name = key.slice(dot + 1);
    if (!stage.hasParam(name))
      throw new CliError(
        `tuning.grid ${JSON.stringify(key)}: ${spec.stage} has no param ${JSON.stringify(name)}`,
        suggestHint(
          name,
          stage.params.map((p) => p.name),
          `${spec.stage}'s params`,
        ),
      );
    const param = stage.getParam(name);
    for (const v of values) {
      try {
        stage.validateValue(param, v);
      } catch (e) {
        if (e instanceof MLError) throw cliErrorOf(e, `tuning.grid ${JSON.stringify(key)}: `);
        throw e;
      }
    }
    builder.addGrid(param, values);
    keys.push({ key, param });
  }
  return { maps: builder.build(), keys };
}

/** The evaluator by registered class name, with the spec's metric and the label as its labelCol. */
export function buildEvaluator(e: EvaluatorSpec, label: string | undefined): TuningEvaluator & Params {
  const known = registeredEvaluators();
  const Ctor = evaluatorClass(e.name);
  if (Ctor === undefined)
    throw new CliError(
      `evaluator: unknown evaluator ${JSON.stringify(e.name)}`,
      suggestHint(e.name, known, 'evaluators'),
    );
  const ev = new Ctor() as TuningEvaluator & Params;
  if (label !== undefined && ev.hasParam('labelCol') && !('labelCol' in e.params))
    ev.set(ev.getParam('labelCol'), label);
  const values: Record<string, unknown> = { ...e.params };
  if (e.metric !== undefined) {
    const metricParam = ev.getParam('metricName');
    const allowed = metricParam.spec.validator?.expect;
    try {
      ev.validateValue(metricParam, e.metric);
    } catch {
      throw new CliError(
        `evaluator: ${e.name} has no metric ${JSON.stringify(e.metric)}`,
        `metricName must be ${allowed ?? 'one of its metrics'}`,
      );
    }
    values.metricName = e.metric;
  }
  setParams(ev, values, 'evaluator', e.name);
  return ev;
}

/** The tuning estimator (CrossValidator or TrainValidationSplit) with the spec's validator params. */
export function buildValidator(
  tuning: TuningSpec,
  estimator: Pipeline,
  maps: ParamMap[],
  evaluator: TuningEvaluator,
): CrossValidator | TrainValidationSplit {
  const v = tuning.method === 'CrossValidator' ? new CrossValidator() : new TrainValidationSplit();
  v.setEstimator(estimator).setEstimatorParamMaps(maps).setEvaluator(evaluator);
  const blocked = ['estimator', 'estimatorParamMaps', 'evaluator'];
  for (const k of Object.keys(tuning.params)) {
    if (blocked.includes(k))
      throw new CliError(
        `tuning.${k}: set by the spec's pipeline, grid and evaluator sections`,
        `remove "${k}" from "tuning"`,
      );
  }
  setParams(v, tuning.params, 'tuning', tuning.method);
  return v;
}
