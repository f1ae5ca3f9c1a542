/**
 * MinMaxScaler / MinMaxScalerModel (Spark ML `feature.MinMaxScaler`): rescales each feature to
 * [min, max] (default [0, 1]) using the column's observed range: (x − Emin)/(Emax − Emin)·(max − min) + min,
 * and 0.5·(max + min) for a constant feature. Output is dense.
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { denseVectorColumn, vectorRows } from './columns.js';
import { withInputOutputCol } from './in-out-cols.js';
import { denseOf, fitColumnStats, vectorSchema } from './vector-stage.js';

const minSpec: ParamSpec<number> = {
  name: 'min',
  doc: 'lower bound of the output range',
  type: 'number',
  default: 0,
};
const maxSpec: ParamSpec<number> = {
  name: 'max',
  doc: 'upper bound of the output range',
  type: 'number',
  default: 1,
};

export interface MinMaxScalerParams {
  inputCol?: string;
  outputCol?: string;
  min?: number;
  max?: number;
}

function checkRange(stage: MinMaxScaler | MinMaxScalerModel): void {
  const lo = stage.getOrDefault(stage.min);
  const hi = stage.getOrDefault(stage.max);
  if (!(lo < hi)) {
    throw new MLError('INVALID_PARAM', `${stage.uid}: min (${lo}) must be smaller than max (${hi})`, {
      stage: stage.uid,
      param: 'min',
    });
  }
}

export class MinMaxScaler extends withInputOutputCol(Estimator<MinMaxScalerModel>) {
  readonly min = this.declare(minSpec);
  readonly max = this.declare(maxSpec);

  constructor(params: MinMaxScalerParams = {}) {
    super();
    this.setParams(params);
  }
  setMin(v: number): this {
    return this.set(this.min, v);
  }
  setMax(v: number): this {
    return this.set(this.max, v);
  }

  transformSchema(schema: Schema): Schema {
    checkRange(this);
    return vectorSchema(this, schema, undefined, 'same');
  }

  protected _fit(frame: Frame): MinMaxScalerModel {
    const s = fitColumnStats(this, frame);
    return new MinMaxScalerModel(s.min, s.max);
  }
}

export class MinMaxScalerModel extends withInputOutputCol(Model) {
  readonly min = this.declare(minSpec);
  readonly max = this.declare(maxSpec);

  constructor(
    readonly originalMin: Float64Array,
    readonly originalMax: Float64Array,
    params: MinMaxScalerParams = {},
  ) {
    super();
    this.setParams(params);
  }

  transformSchema(schema: Schema): Schema {
    checkRange(this);
    return vectorSchema(this, schema, this.originalMin.length, this.originalMin.length);
  }

  protected _transform(frame: Frame): Frame {
    const r = vectorRows(frame, this.getOrDefault(this.inputCol));
    const { n, size } = r;
    const lo = this.getOrDefault(this.min);
    const hi = this.getOrDefault(this.max);
    const src = r.dense ?? denseOf(n, size, r.indptr!, r.indices!, r.values!);
    const out = new Float64Array(n * size);
    const scale = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      const range = this.originalMax[j]! - this.originalMin[j]!;
      scale[j] = range === 0 ? 0 : (hi - lo) / range;
    }
    const mid = 0.5 * (hi + lo);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      for (let j = 0; j < size; j++) {
        out[o + j] = scale[j] === 0 ? mid : (src[o + j]! - this.originalMin[j]!) * scale[j]! + lo;
      }
    }
    if (r.isNull) for (let i = 0; i < n; i++) if (r.isNull[i]) out.fill(NaN, i * size, (i + 1) * size);
    return frame.withColumn(this.getOrDefault(this.outputCol), denseVectorColumn(size, out, r.isNull));
  }

  override writeData(w: StageWriter): void {
    w.f64('originalMin', this.originalMin);
    w.f64('originalMax', this.originalMax);
  }
}

registerStage('MinMaxScaler', MinMaxScaler);
registerStage(
  'MinMaxScalerModel',
  MinMaxScalerModel,
  (r) => new MinMaxScalerModel(r.f64('originalMin'), r.f64('originalMax')),
);
