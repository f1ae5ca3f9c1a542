/**
 * What autolog reads off estimators and fitted models without knowing their classes: params flattened
 * to MLflow keys, training metrics from summaries, the predicting stage and its columns, weights.
 */
import {
  CrossValidatorModel,
  TrainValidationSplitModel,
  classNameOf,
  type Model,
  type Param,
  type Params,
  type PipelineStage,
} from '@cauce/ml';
import { estimatorStages } from '../model/mlmodel.js';

/** Summary fields logged as `training_<name>` when a model has them (regression and classification). */
const SUMMARY_METRICS = [
  'r2',
  'r2adj',
  'rootMeanSquaredError',
  'meanSquaredError',
  'meanAbsoluteError',
  'explainedVariance',
  'accuracy',
  'weightedPrecision',
  'weightedRecall',
  'weightedTruePositiveRate',
  'weightedFalsePositiveRate',
  'areaUnderROC',
  'areaUnderPR',
  'totalIterations',
] as const;

function isStage(v: unknown): v is PipelineStage {
  return typeof v === 'object' && v !== null && 'transformSchema' in v && 'uid' in v;
}

/** Stages nested in a stage (Pipeline stages, PipelineModel stages, a tuned estimator or best model). */
export function childrenOf(s: unknown): PipelineStage[] {
  const o = s as {
    getStages?: () => readonly PipelineStage[];
    stages?: readonly PipelineStage[];
    bestModel?: PipelineStage;
    getEstimator?: () => unknown;
  };
  if (typeof o.getStages === 'function') return [...o.getStages()];
  if (Array.isArray(o.stages)) return [...(o.stages as PipelineStage[])];
  if (o.bestModel && isStage(o.bestModel)) return [o.bestModel];
  if (typeof o.getEstimator === 'function') {
    // a tuning estimator: the estimator it tunes (unset until configured)
    try {
      const e = o.getEstimator();
      return isStage(e) ? [e] : [];
    } catch {
      return [];
    }
  }
  return [];
}

export function walk(s: PipelineStage): PipelineStage[] {
  return [s, ...childrenOf(s).flatMap(walk)];
}

/** MLflow param keys: the estimator's own params by name, nested stages' as `ClassName.param` (`_2` … on repeats). */
export function stageKeys(root: PipelineStage): Map<string, string> {
  const keys = new Map<string, string>();
  const used = new Map<string, number>();
  for (const s of walk(root)) {
    if (s === root) {
      keys.set(s.uid, '');
      continue;
    }
    const cls = classNameOf(s);
    const n = (used.get(cls) ?? 0) + 1;
    used.set(cls, n);
    keys.set(s.uid, n === 1 ? cls : `${cls}_${n}`);
  }
  return keys;
}

export function paramKey(keys: Map<string, string>, param: Param<unknown>): string {
  const prefix = keys.get(param.parent);
  return prefix ? `${prefix}.${param.name}` : param.name;
}

/**
 * A param's value as logged. Stages are logged by their key, as MLflow's pyspark autolog logs a Pipeline's
 * `stages` and a tuner's `estimator` by indexed class name (their own params are logged beside, under
 * that name); other objects — a tuner's `estimatorParamMaps` — are not logged as params (MLflow skips
 * them too: the child runs and tuning/search_results.json hold the maps).
 */
function loggable(v: unknown, keys: Map<string, string>): unknown {
  if (v === undefined) return undefined;
  const nameOf = (x: unknown): string | undefined => {
    const uid = (x as { uid?: unknown } | null)?.uid;
    return typeof uid === 'string' ? keys.get(uid) || classNameOf(x as object) : undefined;
  };
  if (Array.isArray(v)) {
    if (!v.some((x) => typeof x === 'object' && x !== null)) return v;
    const names = v.map(nameOf);
    return names.every((n) => n !== undefined) ? names : undefined;
  }
  if (typeof v === 'object' && v !== null) return nameOf(v);
  return v;
}

/** Every param in effect (defaults included) of the estimator and the stages inside it. */
export function flattenParams(root: PipelineStage): Record<string, unknown> {
  const keys = stageKeys(root);
  const out: Record<string, unknown> = {};
  for (const s of walk(root)) {
    for (const { param, value } of s.extractParamMap().entries()) {
      const v = loggable(value, keys);
      if (v !== undefined) out[paramKey(keys, param)] = v;
    }
    const ev = (s as { getEvaluator?: () => unknown }).getEvaluator?.();
    if (ev && typeof ev === 'object') {
      out[`${keys.get(s.uid) ? `${keys.get(s.uid)}.` : ''}evaluator`] = classNameOf(ev);
      for (const { param, value } of (ev as Params).extractParamMap?.().entries() ?? []) {
        const v = loggable(value, keys);
        if (v !== undefined) out[`evaluator.${param.name}`] = v;
      }
    }
  }
  return out;
}

function readNumber(o: object, name: string): number | undefined {
  try {
    const v = (o as Record<string, unknown>)[name];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined; // e.g. a multiclass summary has no areaUnderROC
  }
}

/** `training_*` metrics from the summaries of the models inside `model`. */
export function trainingMetrics(model: Model): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of walk(model)) {
    const m = s as { hasSummary?: boolean; summary?: unknown };
    if (m.hasSummary === false) continue;
    let summary: unknown;
    try {
      summary = m.summary;
    } catch {
      continue;
    }
    if (!summary || typeof summary !== 'object') continue;
    for (const name of SUMMARY_METRICS) {
      const v = readNumber(summary, name);
      if (v !== undefined) out[`training_${name}`] = v;
    }
  }
  return out;
}

/** The first tuning model inside `model`, if any. */
export function tuningModelOf(model: Model): CrossValidatorModel | TrainValidationSplitModel | undefined {
  for (const s of walk(model)) {
    if (s instanceof CrossValidatorModel || s instanceof TrainValidationSplitModel) return s;
  }
  return undefined;
}

function strParam(s: Params | undefined, name: string): string | undefined {
  if (!s || !s.hasParam(name)) return undefined;
  const v = s.get(s.getParam(name));
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** What a predicting stage answers in: its kind and columns (what evaluation plots read). */
export interface Answer {
  kind: 'classification' | 'regression';
  labelCol: string | undefined;
  predictionCol: string;
  probabilityCol: string | undefined;
}

/** The answer of an estimator's last predicting stage (inside a Pipeline or a validator), before it is fitted. */
export function estimatorAnswer(est: PipelineStage): Answer | undefined {
  const inner = (s: PipelineStage) =>
    typeof (s as { getStages?: unknown }).getStages === 'function' ||
    typeof (s as { getEstimator?: unknown }).getEstimator === 'function';
  const stage = estimatorStages(est)
    .reverse()
    .find((s) => s.hasParam('predictionCol') && !inner(s));
  if (!stage) return undefined;
  const probabilityCol = strParam(stage, 'probabilityCol');
  return {
    kind:
      probabilityCol !== undefined || stage.hasParam('rawPredictionCol') ? 'classification' : 'regression',
    labelCol: strParam(stage, 'labelCol'),
    predictionCol: strParam(stage, 'predictionCol') ?? 'prediction',
    probabilityCol,
  };
}

export interface Predictor {
  stage: PipelineStage;
  kind: 'classification' | 'regression';
  labelCol: string | undefined;
  predictionCol: string;
  probabilityCol: string | undefined;
  featuresCol: string | undefined;
  weights: { values: Float64Array; title: string } | undefined;
  featureNames: string[] | undefined;
}

/** The last stage that predicts (has a predictionCol), with what plots need. */
export function predictorOf(model: Model): Predictor | undefined {
  const stages = walk(model);
  const stage = [...stages].reverse().find((s) => s.hasParam('predictionCol') && childrenOf(s).length === 0);
  if (!stage) return undefined;
  const parent = (stage as Model).parent;
  const predictionCol = strParam(stage, 'predictionCol') ?? 'prediction';
  const probabilityCol = strParam(stage, 'probabilityCol');
  const numClasses = (stage as { numClasses?: unknown }).numClasses;
  const kind =
    probabilityCol !== undefined || typeof numClasses === 'number' ? 'classification' : 'regression';
  let weights: Predictor['weights'];
  for (const [prop, title] of [
    ['featureImportances', 'Feature importances'],
    ['coefficients', 'Coefficients'],
  ] as const) {
    try {
      const v = (stage as unknown as Record<string, unknown>)[prop];
      if (v instanceof Float64Array && v.length > 0) {
        weights = { values: v, title };
        break;
      }
      // importances may come as a vector object with values
      const vals = (v as { values?: unknown } | undefined)?.values;
      if (vals instanceof Float64Array) {
        weights = { values: vals, title };
        break;
      }
    } catch {
      // multinomial models have no single coefficient vector
    }
  }
  const featuresCol = strParam(stage, 'featuresCol');
  // names of the assembled features, when a VectorAssembler of plain numeric inputs built the vector
  let featureNames: string[] | undefined;
  for (const s of stages) {
    if (strParam(s, 'outputCol') === featuresCol && s.hasParam('inputCols')) {
      const cols = s.get(s.getParam('inputCols'));
      if (Array.isArray(cols) && weights && cols.length === weights.values.length)
        featureNames = cols as string[];
    }
  }
  return {
    stage,
    kind,
    labelCol: strParam(stage, 'labelCol') ?? strParam(parent, 'labelCol'),
    predictionCol,
    probabilityCol,
    featuresCol,
    weights,
    featureNames,
  };
}
