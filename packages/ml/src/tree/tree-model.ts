/**
 * What every tree stage shares: reading the training data out of a frame with clear errors, the fitted
 * models' common shape (trees + how their outputs combine), prediction columns, save/load of the trees,
 * featureImportances and toDebugString.
 */
import { float64Column, vectorColumn, type Frame } from '@cauce/frame';
import type { StageReader, StageWriter } from '../io/format.js';
import { Model } from '../pipeline/stage.js';
import * as shared from '../param/shared.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import type { DenseMatrix } from './kernels/binning.js';
import * as tp from './tree-params.js';
import { featureImportances } from './kernels/forest.js';
import {
  parallelPredictionEnabled,
  predictCompiledParallel,
  prepareForPrediction,
  readyForest,
} from './kernels/predict-parallel.js';
import {
  compileForest,
  leafIndices,
  treeDebugString,
  type CompiledForest,
  type Tree,
} from './kernels/tree.js';

export interface TrainingData {
  x: DenseMatrix;
  y: Float64Array;
  w: Float64Array | null;
  /** Classes found (max label + 1) for classification, 0 for regression. */
  numClasses: number;
}

/** Features, label and weights of a frame, checked: NaN labels, bad class labels, negative weights. */
export function readTrainingData(
  uid: string,
  frame: Frame,
  cols: { featuresCol: string; labelCol: string; weightCol?: string | undefined },
  classification: boolean,
): TrainingData {
  if (frame.numRows === 0) {
    throw new MLError('INVALID_DATA', `${uid}: cannot fit on an empty frame`, { stage: uid });
  }
  const v = frame.vectors(cols.featuresCol);
  const y = frame.float64(cols.labelCol);
  let numClasses = 0;
  for (let i = 0; i < y.length; i++) {
    const l = y[i]!;
    if (!Number.isFinite(l)) {
      throw new MLError('INVALID_DATA', `${uid}: label column '${cols.labelCol}' has ${l} at row ${i}`, {
        stage: uid,
        column: cols.labelCol,
        hint: 'drop or impute rows with missing labels before fitting',
      });
    }
    if (classification) {
      if (!Number.isInteger(l) || l < 0) {
        throw new MLError(
          'INVALID_DATA',
          `${uid}: classification labels must be integers 0, 1, …, got ${l} at row ${i} of '${cols.labelCol}'`,
          { stage: uid, column: cols.labelCol, hint: 'index string or arbitrary labels with StringIndexer' },
        );
      }
      if (l + 1 > numClasses) numClasses = l + 1;
    }
  }
  if (classification && numClasses > 1000) {
    throw new MLError('INVALID_DATA', `${uid}: ${numClasses} classes is more than the 1000 supported`, {
      stage: uid,
      column: cols.labelCol,
    });
  }
  let w: Float64Array | null = null;
  if (cols.weightCol) {
    w = frame.float64(cols.weightCol);
    for (let i = 0; i < w.length; i++) {
      if (!(w[i]! >= 0) || !Number.isFinite(w[i]!)) {
        throw new MLError(
          'INVALID_DATA',
          `${uid}: weight ${w[i]} at row ${i} of '${cols.weightCol}' is not >= 0`,
          {
            stage: uid,
            column: cols.weightCol,
          },
        );
      }
    }
  }
  return { x: { data: v.values, nRows: v.rows, nCols: v.size }, y, w, numClasses: Math.max(numClasses, 2) };
}

/** Schema checks of a tree estimator (Spark's `validateAndTransformSchema`). */
export function checkFitSchema(
  uid: string,
  schema: Schema,
  cols: { featuresCol: string; labelCol: string; weightCol?: string | undefined },
): void {
  requireColumn(uid, schema, 'featuresCol', cols.featuresCol, 'vector');
  requireColumn(uid, schema, 'labelCol', cols.labelCol, 'numeric');
  if (cols.weightCol) requireColumn(uid, schema, 'weightCol', cols.weightCol, 'numeric');
}

/** Trees packed into flat arrays for the save format (one entry per node, trees one after another). */
export function writeTrees(w: StageWriter, trees: readonly Tree[], prefix = 'trees'): void {
  const sizes = trees.map((t) => t.feature.length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const V = trees[0]?.valueDim ?? 1;
  const feature = new Int32Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const defaultLeft = new Uint8Array(total);
  const threshold = new Float64Array(total);
  const gain = new Float64Array(total);
  const cover = new Float64Array(total);
  const value = new Float64Array(total * V);
  let o = 0;
  for (const t of trees) {
    feature.set(t.feature, o);
    left.set(t.left, o);
    right.set(t.right, o);
    defaultLeft.set(t.defaultLeft, o);
    threshold.set(t.threshold, o);
    gain.set(t.gain, o);
    cover.set(t.cover, o);
    value.set(t.value, o * V);
    o += t.feature.length;
  }
  w.json(`${prefix}.shape`, { sizes, valueDim: V });
  w.i32(`${prefix}.feature`, feature);
  w.i32(`${prefix}.left`, left);
  w.i32(`${prefix}.right`, right);
  w.u8(`${prefix}.defaultLeft`, defaultLeft);
  w.f64(`${prefix}.threshold`, threshold);
  w.f64(`${prefix}.gain`, gain);
  w.f64(`${prefix}.cover`, cover);
  w.f64(`${prefix}.value`, value);
}

export function readTrees(r: StageReader, prefix = 'trees'): Tree[] {
  const { sizes, valueDim: V } = r.json<{ sizes: number[]; valueDim: number }>(`${prefix}.shape`);
  const feature = r.i32(`${prefix}.feature`);
  const left = r.i32(`${prefix}.left`);
  const right = r.i32(`${prefix}.right`);
  const defaultLeft = r.u8(`${prefix}.defaultLeft`);
  const threshold = r.f64(`${prefix}.threshold`);
  const gain = r.f64(`${prefix}.gain`);
  const cover = r.f64(`${prefix}.cover`);
  const value = r.f64(`${prefix}.value`);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (feature.length !== total || value.length !== total * V) {
    throw new MLError(
      'LOAD_ERROR',
      `saved trees are inconsistent: ${feature.length} nodes for sizes summing to ${total}`,
      {
        hint: 'the saved model is damaged; save it again',
      },
    );
  }
  const trees: Tree[] = [];
  let o = 0;
  for (const n of sizes) {
    const t: Tree = {
      feature: feature.slice(o, o + n),
      left: left.slice(o, o + n),
      right: right.slice(o, o + n),
      defaultLeft: defaultLeft.slice(o, o + n),
      threshold: threshold.slice(o, o + n),
      gain: gain.slice(o, o + n),
      cover: cover.slice(o, o + n),
      value: value.slice(o * V, (o + n) * V),
      valueDim: V,
    };
    for (let i = 0; i < n; i++) {
      if (t.feature[i]! >= 0 && !(t.left[i]! > i && t.left[i]! < n && t.right[i]! > i && t.right[i]! < n)) {
        throw new MLError('LOAD_ERROR', `saved tree node ${i} points outside its tree`, {
          hint: 'the saved model is damaged; save it again',
        });
      }
    }
    trees.push(t);
    o += n;
  }
  return trees;
}

/**
 * How the trees' leaf values combine into the model's raw output:
 * - 'regMean' (random forest regression): mean of the trees;
 * - 'regSum' (GBT regression, single tree): Σ weight × tree;
 * - 'classVotes' (decision tree / random forest classification): Σ of each tree's normalised leaf class
 *   distribution (a single tree keeps the raw counts, as Spark's rawPrediction does);
 * - 'gbtLogistic' (GBT classification): margin F = Σ weight × tree, raw = (−F, F), P(1) = 1/(1 + e^(−2F)).
 */
export type Combine = 'regMean' | 'regSum' | 'classVotes' | 'gbtLogistic';

/** Base of every fitted tree model. */
export abstract class TreeEnsembleModelBase extends Model {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly leafCol = this.declare(tp.leafCol);

  constructor(
    readonly trees: readonly Tree[],
    readonly treeWeights: readonly number[],
    readonly numFeatures: number,
    /** Number of classes (0 for regression). */
    readonly numClasses: number,
    private readonly combine: Combine,
  ) {
    super();
    // A large model compiles now (end of fit, or load), so its first prediction does not pay for it.
    if (prepareForPrediction(this.totalNumNodes)) this.compiled = readyForest(this.compile());
  }

  get getNumTrees(): number {
    return this.trees.length;
  }
  get totalNumNodes(): number {
    return this.trees.reduce((s, t) => s + t.feature.length, 0);
  }
  /** Spark's featureImportances: normalised total gain × node weight per feature. */
  get featureImportances(): Float64Array {
    return featureImportances(this.trees, this.numFeatures);
  }

  private checkWidth(x: DenseMatrix): void {
    if (x.nCols !== this.numFeatures) {
      throw new MLError(
        'SCHEMA_MISMATCH',
        `${this.uid}: the model was fitted on ${this.numFeatures} features but '${this.getOrDefault(this.featuresCol)}' has ${x.nCols}`,
        { stage: this.uid, column: this.getOrDefault(this.featuresCol) },
      );
    }
  }

  /** Raw outputs: n values (regression), or n × numClasses (classification). */
  predictRaw(x: DenseMatrix): Float64Array {
    this.checkWidth(x);
    const n = x.nRows;
    const cf = (this.compiled ??= this.compile());
    if (this.combine !== 'classVotes') {
      const out = new Float64Array(n);
      predictCompiledParallel(cf, x.data, n, x.nCols, out, 1);
      if (this.combine !== 'gbtLogistic') return out;
      const raw = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        raw[2 * i] = -out[i]!;
        raw[2 * i + 1] = out[i]!;
      }
      return raw;
    }
    const raw = new Float64Array(n * this.numClasses);
    predictCompiledParallel(cf, x.data, n, x.nCols, raw, this.numClasses);
    return raw;
  }

  private compiled: CompiledForest | undefined;

  setLeafCol(v: string): this {
    return this.set(this.leafCol, v);
  }
  getLeafCol(): string {
    return this.getOrDefault(this.leafCol);
  }

  /** Spark's leaf indices: per row, the pre-order index of the leaf it reaches in each tree (n × numTrees). */
  predictLeaf(x: DenseMatrix): Float64Array {
    this.checkWidth(x);
    return leafIndices(this.trees, x.data, x.nRows, x.nCols);
  }

  /** The leafCol column when leafCol is set (Spark: '' = no column). */
  protected leafColumns(x: DenseMatrix): Record<string, ReturnType<typeof vectorColumn>> {
    const name = this.getLeafCol();
    return name ? { [name]: vectorColumn(this.trees.length, this.predictLeaf(x)) } : {};
  }

  /** Adds the leafCol field to a schema when leafCol is set. */
  protected withLeafField(schema: Schema): Schema {
    const name = this.getLeafCol();
    if (!name) return schema;
    return appendColumn(this.uid, schema, 'leafCol', { name, type: 'vector', size: this.trees.length });
  }

  /** Leaf values folded with the combination rule, so prediction is one pass of additions. */
  private compile(): CompiledForest {
    const shared = parallelPredictionEnabled();
    switch (this.combine) {
      case 'regMean':
        return compileForest(this.trees, { scale: 1 / this.trees.length, shared });
      case 'regSum':
      case 'gbtLogistic':
        return compileForest(this.trees, { scale: this.treeWeights, shared });
      case 'classVotes':
        // A single tree keeps its raw class weights (Spark's rawPrediction); a forest sums distributions.
        return compileForest(this.trees, { normalize: this.trees.length > 1, shared });
    }
  }

  /** Raw outputs → class probabilities, in place. */
  protected rawToProbability(raw: Float64Array): Float64Array {
    const K = this.numClasses;
    if (this.combine === 'gbtLogistic') {
      for (let i = 0; i < raw.length; i += 2) {
        const p1 = 1 / (1 + Math.exp(-2 * raw[i + 1]!));
        raw[i] = 1 - p1;
        raw[i + 1] = p1;
      }
      return raw;
    }
    for (let i = 0; i < raw.length; i += K) {
      let s = 0;
      for (let k = 0; k < K; k++) s += raw[i + k]!;
      for (let k = 0; k < K; k++) raw[i + k] = s > 0 ? raw[i + k]! / s : 1 / K;
    }
    return raw;
  }

  /** Spark-style description of every tree. */
  toDebugString(featureNames?: readonly string[]): string {
    const name = (f: number): string => (featureNames?.[f] !== undefined ? featureNames[f] : `feature ${f}`);
    const fmt = (v: Float64Array): string => {
      if (v.length === 1) return String(v[0]);
      const arr = Array.from(v);
      return `${arr.indexOf(Math.max(...arr))} (class weights ${arr.join(', ')})`;
    };
    const head = `${this.constructor.name} (uid=${this.uid}) with ${this.trees.length} tree(s), ${this.totalNumNodes} nodes`;
    if (this.trees.length === 1) return `${head}\n${treeDebugString(this.trees[0]!, '  ', fmt, name)}`;
    const body = this.trees.map(
      (t, i) => `  Tree ${i} (weight ${this.treeWeights[i]}):\n${treeDebugString(t, '    ', fmt, name)}`,
    );
    return `${head}\n${body.join('\n')}`;
  }

  override writeData(w: StageWriter): void {
    w.json('model', {
      numFeatures: this.numFeatures,
      numClasses: this.numClasses,
      treeWeights: this.treeWeights,
    });
    writeTrees(w, this.trees);
  }
}

/** Reads what `writeData` wrote: the constructor arguments of a model. */
export function readModelData(r: StageReader): {
  trees: Tree[];
  treeWeights: number[];
  numFeatures: number;
  numClasses: number;
} {
  const m = r.json<{ numFeatures: number; numClasses: number; treeWeights: number[] }>('model');
  const trees = readTrees(r);
  if (trees.length !== m.treeWeights.length) {
    throw new MLError(
      'LOAD_ERROR',
      `saved model has ${trees.length} trees but ${m.treeWeights.length} weights`,
      {
        hint: 'the saved model is damaged; save it again',
      },
    );
  }
  return { trees, treeWeights: m.treeWeights, numFeatures: m.numFeatures, numClasses: m.numClasses };
}

/** Regression models: one prediction column. */
export abstract class TreeRegressionModelBase extends TreeEnsembleModelBase {
  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'featuresCol', this.getOrDefault(this.featuresCol), 'vector');
    const out = appendColumn(this.uid, schema, 'predictionCol', {
      name: this.getOrDefault(this.predictionCol),
      type: 'float64',
    });
    return this.withLeafField(out);
  }
  protected _transform(frame: Frame): Frame {
    const v = frame.vectors(this.getOrDefault(this.featuresCol));
    const x = { data: v.values, nRows: v.rows, nCols: v.size };
    const out = this.predictRaw(x);
    return frame.withColumns({
      [this.getOrDefault(this.predictionCol)]: float64Column(out),
      ...this.leafColumns(x),
    });
  }
  /** Predictions for a dense row-major matrix (no frame). */
  predictMatrix(x: DenseMatrix): Float64Array {
    return this.predictRaw(x);
  }
}

/** Classification models: rawPrediction, probability and prediction columns. */
export abstract class TreeClassificationModelBase extends TreeEnsembleModelBase {
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly probabilityCol = this.declare(shared.probabilityCol);
  readonly thresholds = this.declare(shared.thresholds);

  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'featuresCol', this.getOrDefault(this.featuresCol), 'vector');
    let out: Schema = schema;
    const K = this.numClasses;
    out = appendColumn(this.uid, out, 'rawPredictionCol', {
      name: this.getOrDefault(this.rawPredictionCol),
      type: 'vector',
      size: K,
    });
    out = appendColumn(this.uid, out, 'probabilityCol', {
      name: this.getOrDefault(this.probabilityCol),
      type: 'vector',
      size: K,
    });
    out = appendColumn(this.uid, out, 'predictionCol', {
      name: this.getOrDefault(this.predictionCol),
      type: 'float64',
    });
    return this.withLeafField(out);
  }
  setThresholds(v: readonly number[]): this {
    return this.set(this.thresholds, v);
  }
  getThresholds(): readonly number[] | undefined {
    return this.get(this.thresholds);
  }
  protected _transform(frame: Frame): Frame {
    const v = frame.vectors(this.getOrDefault(this.featuresCol));
    const x = { data: v.values, nRows: v.rows, nCols: v.size };
    const raw = this.predictRaw(x);
    const prob = this.rawToProbability(raw.slice());
    const K = this.numClasses;
    const t = this.get(this.thresholds);
    if (t && t.length !== K) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: thresholds has ${t.length} values but the model has ${K} classes`,
        { stage: this.uid, param: 'thresholds', hint: `give one threshold per class (${K} values)` },
      );
    }
    const pred = new Float64Array(v.rows);
    for (let i = 0; i < v.rows; i++) {
      let best = 0;
      let bestV = -Infinity;
      for (let k = 0; k < K; k++) {
        // Spark's probability2prediction: argmax of p_k / t_k, where t_k = 0 counts as +Infinity.
        const p = prob[i * K + k]!;
        const s = t ? (t[k] === 0 ? Infinity : p / t[k]!) : p;
        if (s > bestV) {
          bestV = s;
          best = k;
        }
      }
      pred[i] = best;
    }
    return frame.withColumns({
      [this.getOrDefault(this.rawPredictionCol)]: vectorColumn(K, raw),
      [this.getOrDefault(this.probabilityCol)]: vectorColumn(K, prob),
      [this.getOrDefault(this.predictionCol)]: float64Column(pred),
      ...this.leafColumns(x),
    });
  }
  /** Class probabilities (n × numClasses) for a dense row-major matrix (no frame). */
  predictProbability(x: DenseMatrix): Float64Array {
    return this.rawToProbability(this.predictRaw(x));
  }
}
