/**
 * MaxAbsScaler / MaxAbsScalerModel (Spark ML `feature.MaxAbsScaler`): divides each feature by its
 * maximum absolute value, mapping it into [−1, 1] without shifting, so sparse vectors stay sparse.
 * A feature whose max |x| is 0 stays 0.
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import { Estimator, Model } from '../pipeline/stage.js';
import type { Schema } from '../util/schema.js';
import { withInputOutputCol } from './in-out-cols.js';
import { affineTransform, fitColumnStats, vectorSchema } from './vector-stage.js';

export interface MaxAbsScalerParams {
  inputCol?: string;
  outputCol?: string;
}

export class MaxAbsScaler extends withInputOutputCol(Estimator<MaxAbsScalerModel>) {
  constructor(params: MaxAbsScalerParams = {}) {
    super();
    this.setParams(params);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, undefined, 'same');
  }

  protected _fit(frame: Frame): MaxAbsScalerModel {
    const s = fitColumnStats(this, frame);
    return new MaxAbsScalerModel(s.maxAbs);
  }
}

export class MaxAbsScalerModel extends withInputOutputCol(Model) {
  constructor(
    readonly maxAbs: Float64Array,
    params: MaxAbsScalerParams = {},
  ) {
    super();
    this.setParams(params);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, this.maxAbs.length, this.maxAbs.length);
  }

  protected _transform(frame: Frame): Frame {
    const scale = this.maxAbs.map((m) => (m === 0 ? 1 : 1 / m));
    return affineTransform(this, frame, undefined, scale);
  }

  override writeData(w: StageWriter): void {
    w.f64('maxAbs', this.maxAbs);
  }
}

registerStage('MaxAbsScaler', MaxAbsScaler);
registerStage('MaxAbsScalerModel', MaxAbsScalerModel, (r) => new MaxAbsScalerModel(r.f64('maxAbs')));
