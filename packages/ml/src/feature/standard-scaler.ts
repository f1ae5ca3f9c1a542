/**
 * StandardScaler / StandardScalerModel (Spark ML `feature.StandardScaler`): scales each feature of a
 * vector column to unit standard deviation and, with withMean, centers it. The std is Spark's
 * corrected sample std (n − 1 denominator; scikit-learn's StandardScaler uses n). A feature with
 * zero std maps to 0.0 when withStd. withMean turns sparse input into dense output.
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { Estimator, Model } from '../pipeline/stage.js';
import type { Schema } from '../util/schema.js';
import { withInputOutputCol } from './in-out-cols.js';
import { affineTransform, fitColumnStats, vectorSchema } from './vector-stage.js';

const withMeanSpec: ParamSpec<boolean> = {
  name: 'withMean',
  doc: 'whether to center the data with the mean before scaling (dense output)',
  type: 'boolean',
  default: false,
};
const withStdSpec: ParamSpec<boolean> = {
  name: 'withStd',
  doc: 'whether to scale the data to unit standard deviation',
  type: 'boolean',
  default: true,
};

export interface StandardScalerParams {
  inputCol?: string;
  outputCol?: string;
  withMean?: boolean;
  withStd?: boolean;
}

export class StandardScaler extends withInputOutputCol(Estimator<StandardScalerModel>) {
  readonly withMean = this.declare(withMeanSpec);
  readonly withStd = this.declare(withStdSpec);

  constructor(params: StandardScalerParams = {}) {
    super();
    this.setParams(params);
  }
  setWithMean(v: boolean): this {
    return this.set(this.withMean, v);
  }
  getWithMean(): boolean {
    return this.getOrDefault(this.withMean);
  }
  setWithStd(v: boolean): this {
    return this.set(this.withStd, v);
  }
  getWithStd(): boolean {
    return this.getOrDefault(this.withStd);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, undefined, 'same');
  }

  protected _fit(frame: Frame): StandardScalerModel {
    const s = fitColumnStats(this, frame);
    return new StandardScalerModel(s.mean, s.variance.map(Math.sqrt));
  }
}

export class StandardScalerModel extends withInputOutputCol(Model) {
  readonly withMean = this.declare(withMeanSpec);
  readonly withStd = this.declare(withStdSpec);

  /** @param mean per-feature mean; @param std per-feature corrected sample std. */
  constructor(
    readonly mean: Float64Array,
    readonly std: Float64Array,
    params: StandardScalerParams = {},
  ) {
    super();
    this.setParams(params);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, this.mean.length, this.mean.length);
  }

  protected _transform(frame: Frame): Frame {
    const scale = this.getOrDefault(this.withStd) ? this.std.map((s) => (s === 0 ? 0 : 1 / s)) : undefined;
    const shift = this.getOrDefault(this.withMean) ? this.mean : undefined;
    return affineTransform(this, frame, shift, scale);
  }

  override writeData(w: StageWriter): void {
    w.f64('mean', this.mean);
    w.f64('std', this.std);
  }
}

registerStage('StandardScaler', StandardScaler);
registerStage(
  'StandardScalerModel',
  StandardScalerModel,
  (r) => new StandardScalerModel(r.f64('mean'), r.f64('std')),
);
