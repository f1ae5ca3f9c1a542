/**
 * PCA / PCAModel (Spark ML `feature.PCA`): projects vectors onto the top-k principal components.
 * Fit: the sample covariance matrix of the (centered) features, then its eigenvectors (util/eigen.ts).
 * As in Spark, transform does NOT center the data: y = pcᵀ·x. `explainedVariance` holds each component's
 * share of the total variance (scikit-learn's explained_variance_ratio_). Components are defined up to
 * sign; we make the entry of largest magnitude of each component positive, so fits are reproducible.
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { gtEq } from '../param/validators.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { symmetricEigen } from '../util/eigen.js';
import { findField, type Schema } from '../util/schema.js';
import { denseVectorColumn, requireRows, vectorRows } from './columns.js';
import { withInputOutputCol } from './in-out-cols.js';
import { denseOf, vectorSchema } from './vector-stage.js';

const kSpec: ParamSpec<number> = {
  name: 'k',
  doc: 'the number of principal components (required)',
  type: 'int',
  validator: gtEq(1),
};

export interface PCAParams {
  inputCol?: string;
  outputCol?: string;
  k?: number;
}

export class PCA extends withInputOutputCol(Estimator<PCAModel>) {
  readonly k = this.declare(kSpec);

  constructor(params: PCAParams = {}) {
    super();
    this.setParams(params);
  }
  setK(v: number): this {
    return this.set(this.k, v);
  }
  getK(): number {
    return this.getOrDefault(this.k);
  }

  transformSchema(schema: Schema): Schema {
    const k = this.getK();
    const out = vectorSchema(this, schema, undefined, k);
    const size = findField(schema, this.getOrDefault(this.inputCol))!.size;
    if (size !== undefined && k > size) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: k = ${k} is larger than the number of features (${size})`,
        {
          stage: this.uid,
          param: 'k',
        },
      );
    }
    return out;
  }

  protected _fit(frame: Frame): PCAModel {
    const r = vectorRows(frame, this.getOrDefault(this.inputCol));
    const { size: p } = r;
    const X = r.dense ?? denseOf(r.n, p, r.indptr!, r.indices!, r.values!);
    const k = this.getK();
    if (k > p) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: k = ${k} is larger than the number of features (${p})`,
        {
          stage: this.uid,
          param: 'k',
        },
      );
    }
    let n = 0;
    const mean = new Float64Array(p);
    for (let i = 0; i < r.n; i++) {
      if (r.isNull?.[i]) continue;
      n++;
      for (let j = 0; j < p; j++) {
        const x = X[i * p + j]!;
        if (Number.isNaN(x)) {
          throw new MLError('INVALID_DATA', `${this.uid}: the vector at row ${i} has a NaN (feature ${j})`, {
            stage: this.uid,
            column: this.getOrDefault(this.inputCol),
            hint: 'impute missing values (Imputer) before PCA',
          });
        }
        mean[j]! += x;
      }
    }
    requireRows(this.uid, n > 1 ? n : 0, 'the input column (needs at least 2 non-null vectors)');
    for (let j = 0; j < p; j++) mean[j]! /= n;
    const cov = new Float64Array(p * p);
    const d = new Float64Array(p);
    for (let i = 0; i < r.n; i++) {
      if (r.isNull?.[i]) continue;
      for (let j = 0; j < p; j++) d[j] = X[i * p + j]! - mean[j]!;
      for (let a = 0; a < p; a++) {
        const da = d[a]!;
        if (da === 0) continue;
        for (let b = a; b < p; b++) cov[a * p + b]! += da * d[b]!;
      }
    }
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        const v = cov[a * p + b]! / (n - 1);
        cov[a * p + b] = v;
        cov[b * p + a] = v;
      }
    }
    const { values, vectors } = symmetricEigen(cov, p);
    let total = 0;
    for (let j = 0; j < p; j++) total += Math.max(0, values[j]!);
    const pc = new Float64Array(p * k); // p × k row-major, column c = component c
    const explained = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let big = 0;
      for (let i = 0; i < p; i++)
        if (Math.abs(vectors[i * p + c]!) > Math.abs(big)) big = vectors[i * p + c]!;
      const sign = big < 0 ? -1 : 1;
      for (let i = 0; i < p; i++) pc[i * k + c] = sign * vectors[i * p + c]!;
      explained[c] = total > 0 ? Math.max(0, values[c]!) / total : 0;
    }
    return new PCAModel(pc, k, explained);
  }
}

export class PCAModel extends withInputOutputCol(Model) {
  readonly k = this.declare(kSpec);

  /**
   * @param pc principal components, numFeatures × k, row-major (column c is component c)
   * @param explainedVariance each component's share of the total variance
   */
  constructor(
    readonly pc: Float64Array,
    readonly numComponents: number,
    readonly explainedVariance: Float64Array,
    params: PCAParams = {},
  ) {
    super();
    this.setParams(params);
  }

  get numFeatures(): number {
    return this.pc.length / this.numComponents;
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, this.numFeatures, this.numComponents);
  }

  protected _transform(frame: Frame): Frame {
    const r = vectorRows(frame, this.getOrDefault(this.inputCol));
    const k = this.numComponents;
    const p = this.numFeatures;
    const out = new Float64Array(r.n * k);
    const pc = this.pc;
    for (let i = 0; i < r.n; i++) {
      const o = i * k;
      if (r.dense) {
        for (let j = 0; j < p; j++) {
          const x = r.dense[i * p + j]!;
          if (x === 0) continue;
          for (let c = 0; c < k; c++) out[o + c]! += x * pc[j * k + c]!;
        }
      } else {
        for (let q = r.indptr![i]!; q < r.indptr![i + 1]!; q++) {
          const j = r.indices![q]!;
          const x = r.values![q]!;
          for (let c = 0; c < k; c++) out[o + c]! += x * pc[j * k + c]!;
        }
      }
      if (r.isNull?.[i]) out.fill(NaN, o, o + k);
    }
    return frame.withColumn(this.getOrDefault(this.outputCol), denseVectorColumn(k, out, r.isNull));
  }

  override writeData(w: StageWriter): void {
    w.f64('pc', this.pc);
    w.json('numComponents', this.numComponents);
    w.f64('explainedVariance', this.explainedVariance);
  }
}

registerStage('PCA', PCA);
registerStage(
  'PCAModel',
  PCAModel,
  (r) => new PCAModel(r.f64('pc'), r.json<number>('numComponents'), r.f64('explainedVariance')),
);
