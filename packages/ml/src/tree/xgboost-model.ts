/**
 * The fitted (or imported) XGBoost-style models: prediction, feature importances, debug strings, and
 * XGBoost's JSON model format in both directions. The estimators that make them are in xgboost.ts.
 */
import { float64Column, vectorColumn, type Frame } from '@cauce/frame';
import type { StageReader, StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import type { DenseMatrix } from './kernels/binning.js';
import { compiledBooster, predictMargins, transformMargins, type Booster } from './kernels/booster.js';
import { prepareForPrediction, readyForest } from './kernels/predict-parallel.js';
import { featureImportances } from './kernels/forest.js';
import { treeDebugString } from './kernels/tree.js';
import { boosterFromXGBoostJson, boosterToXGBoostJson, XGBoostJsonError } from './kernels/xgboost-json.js';
import { readTrees, writeTrees } from './tree-model.js';

/** Cells equal to `missing` become NaN (a copy only when needed); @internal shared with the estimators. */
export function withMissing(x: DenseMatrix, missing: number): DenseMatrix {
  if (Number.isNaN(missing)) return x;
  let found = false;
  for (let i = 0; i < x.data.length && !found; i++) found = x.data[i] === missing;
  if (!found) return x;
  const data = x.data.map((v) => (v === missing ? NaN : v));
  return { data, nRows: x.nRows, nCols: x.nCols };
}

const EMPTY: Booster = {
  objective: 'reg:squarederror',
  numClass: 0,
  numFeatures: 0,
  baseScore: 0.5,
  trees: [],
  treeInfo: [],
  bestIteration: -1,
  evalHistory: [],
};

/** XGBoost's `missing`, declared by the estimators and their models alike; @internal. */
export const missingSpec: ParamSpec<number> = {
  name: 'missing',
  doc: 'feature value treated as missing, besides NaN',
  type: 'number',
  default: NaN,
};

/** A fitted (or imported) XGBoost-style booster. */
export abstract class XGBoostModelBase extends Model {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly missing = this.declare(missingSpec);

  constructor(readonly booster: Booster = EMPTY) {
    super();
    // A large model compiles now (end of fit, or load), so its first prediction does not pay for it.
    const nodes = booster.trees.reduce((s, t) => s + t.feature.length, 0);
    if (prepareForPrediction(nodes)) readyForest(compiledBooster(booster));
  }

  get numFeatures(): number {
    return this.booster.numFeatures;
  }
  get bestIteration(): number {
    return this.booster.bestIteration;
  }
  /** Validation metric per round (empty without a validation set). */
  get evalHistory(): readonly number[] {
    return this.booster.evalHistory;
  }
  /** Normalised total split gain per feature (XGBoost's `total_gain` importance, normalised). */
  get featureImportances(): Float64Array {
    return featureImportances(this.booster.trees, this.booster.numFeatures, false);
  }

  /** Margins (n × groups) for a dense row-major matrix. */
  predictMargin(x: DenseMatrix): Float64Array {
    this.requireFitted(this.booster.trees.length > 0 || this.booster.numFeatures > 0);
    if (x.nCols !== this.booster.numFeatures) {
      throw new MLError(
        'SCHEMA_MISMATCH',
        `${this.uid}: the model expects ${this.booster.numFeatures} features but got vectors of size ${x.nCols}`,
        { stage: this.uid, column: this.getOrDefault(this.featuresCol) },
      );
    }
    return predictMargins(this.booster, withMissing(x, this.getOrDefault(this.missing)));
  }

  /** Predictions in output space: values, P(y = 1), or n × K class probabilities. */
  predictMatrix(x: DenseMatrix): Float64Array {
    const b = this.booster;
    return transformMargins(b.objective, b.numClass || 1, this.predictMargin(x));
  }

  /** The model in XGBoost's JSON format: `xgb.Booster(model_file=...)` loads it. */
  toXGBoostJson(): string {
    return boosterToXGBoostJson(this.booster);
  }

  toDebugString(): string {
    const b = this.booster;
    const head = `${this.constructor.name} (uid=${this.uid}) objective=${b.objective} base_score=${b.baseScore} with ${b.trees.length} trees`;
    const body = b.trees.map(
      (t, i) => `  Tree ${i} (class ${b.treeInfo[i]}):\n${treeDebugString(t, '    ', (v) => String(v[0]))}`,
    );
    return [head, ...body].join('\n');
  }

  override writeData(w: StageWriter): void {
    const b = this.booster;
    w.json('booster', {
      objective: b.objective,
      numClass: b.numClass,
      numFeatures: b.numFeatures,
      baseScore: b.baseScore,
      treeInfo: b.treeInfo,
      bestIteration: b.bestIteration,
      evalHistory: b.evalHistory,
    });
    writeTrees(w, b.trees);
  }
}

function readBooster(r: StageReader): Booster {
  const m = r.json<Omit<Booster, 'trees'>>('booster');
  return { ...m, trees: readTrees(r) };
}

export class XGBoostRegressionModel extends XGBoostModelBase {
  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'featuresCol', this.getOrDefault(this.featuresCol), 'vector');
    return appendColumn(this.uid, schema, 'predictionCol', {
      name: this.getOrDefault(this.predictionCol),
      type: 'float64',
    });
  }
  protected _transform(frame: Frame): Frame {
    const v = frame.vectors(this.getOrDefault(this.featuresCol));
    const out = this.predictMatrix({ data: v.values, nRows: v.rows, nCols: v.size });
    return frame.withColumn(this.getOrDefault(this.predictionCol), float64Column(out));
  }
  /** Loads a model saved by XGBoost with `save_model('m.json')` (objective reg:squarederror). */
  static fromXGBoostJson(json: string | object): XGBoostRegressionModel {
    const b = parse(json);
    if (b.objective !== 'reg:squarederror') {
      throw new MLError(
        'LOAD_ERROR',
        `the XGBoost model has objective '${b.objective}'; load it with XGBoostClassificationModel.fromXGBoostJson`,
      );
    }
    return new XGBoostRegressionModel(b);
  }
}

export class XGBoostClassificationModel extends XGBoostModelBase {
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);

  get numClasses(): number {
    return this.booster.objective === 'multi:softprob' ? this.booster.numClass : 2;
  }
  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'featuresCol', this.getOrDefault(this.featuresCol), 'vector');
    let out: Schema = appendColumn(this.uid, schema, 'rawPredictionCol', {
      name: this.getOrDefault(this.rawPredictionCol),
      type: 'vector',
      size: this.numClasses,
    });
    out = appendColumn(this.uid, out, 'probabilityCol', {
      name: this.getOrDefault(this.probabilityCol),
      type: 'vector',
      size: this.numClasses,
    });
    return appendColumn(this.uid, out, 'predictionCol', {
      name: this.getOrDefault(this.predictionCol),
      type: 'float64',
    });
  }
  protected _transform(frame: Frame): Frame {
    const v = frame.vectors(this.getOrDefault(this.featuresCol));
    const n = v.rows;
    const K = this.numClasses;
    const margin = this.predictMargin({ data: v.values, nRows: n, nCols: v.size });
    let raw: Float64Array;
    let prob: Float64Array;
    if (this.booster.objective === 'binary:logistic') {
      // rawPrediction (−margin, margin) as Spark's binary classifiers; probability (1 − p, p).
      raw = new Float64Array(2 * n);
      prob = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const p = 1 / (1 + Math.exp(-margin[i]!));
        raw[2 * i] = -margin[i]!;
        raw[2 * i + 1] = margin[i]!;
        prob[2 * i] = 1 - p;
        prob[2 * i + 1] = p;
      }
    } else {
      raw = margin;
      prob = transformMargins('multi:softprob', K, margin.slice());
    }
    const pred = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (prob[i * K + k]! > prob[i * K + best]!) best = k;
      pred[i] = best;
    }
    return frame.withColumns({
      [this.getOrDefault(this.rawPredictionCol)]: vectorColumn(K, raw),
      [this.getOrDefault(this.probabilityCol)]: vectorColumn(K, prob),
      [this.getOrDefault(this.predictionCol)]: float64Column(pred),
    });
  }
  /** Loads a model saved by XGBoost with `save_model('m.json')` (binary:logistic or multi:softprob). */
  static fromXGBoostJson(json: string | object): XGBoostClassificationModel {
    const b = parse(json);
    if (b.objective === 'reg:squarederror') {
      throw new MLError(
        'LOAD_ERROR',
        `the XGBoost model is a regression model; load it with XGBoostRegressionModel.fromXGBoostJson`,
      );
    }
    return new XGBoostClassificationModel(b);
  }
}

function parse(json: string | object): Booster {
  try {
    return boosterFromXGBoostJson(json);
  } catch (e) {
    if (e instanceof XGBoostJsonError) {
      throw new MLError('LOAD_ERROR', `cannot load the XGBoost JSON model: ${e.message}`, {
        hint: "save it from Python with booster.save_model('m.json') (JSON, not the binary .model format)",
      });
    }
    throw e;
  }
}

/** Loads an XGBoost JSON model as the right model class for its objective. */
export function loadXGBoostJson(json: string | object): XGBoostRegressionModel | XGBoostClassificationModel {
  const b = parse(json);
  return b.objective === 'reg:squarederror'
    ? new XGBoostRegressionModel(b)
    : new XGBoostClassificationModel(b);
}

registerStage(
  'XGBoostRegressionModel',
  XGBoostRegressionModel,
  (r) => new XGBoostRegressionModel(readBooster(r)),
);
registerStage(
  'XGBoostClassificationModel',
  XGBoostClassificationModel,
  (r) => new XGBoostClassificationModel(readBooster(r)),
);
