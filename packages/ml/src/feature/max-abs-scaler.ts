/**
 * MaxAbsScaler / MaxAbsScalerModel (Spark ML `feature.MaxAbsScaler`): divides each feature by its
 * maximum absolute value, mapping it into [−1, 1] without shifting, so sparse vectors stay sparse.
 * A feature whose max |x| is 0 stays 0.
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import * as shared from '../param/shared.js';
import { Estimator, Model } from '../pipeline/stage.js';
import type { Schema } from '../util/schema.js';
import { requireRows, vectorRows } from './columns.js';
import { affineTransform, vectorSchema } from './vector-stage.js';
import { vectorStats } from './vector-stats.js';

export interface MaxAbsScalerParams {
  inputCol?: string;
  outputCol?: string;
}

export class MaxAbsScaler extends Estimator<MaxAbsScalerModel> {
  readonly inputCol = this.declare(shared.inputCol);
  readonly outputCol = this.declare(shared.outputCol);

  constructor(params: MaxAbsScalerParams = {}) {
    super();
    this.setParams(params);
  }
  setInputCol(v: string): this {
    return this.set(this.inputCol, v);
  }
  setOutputCol(v: string): this {
    return this.set(this.outputCol, v);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, undefined, 'same');
  }

  protected _fit(frame: Frame): MaxAbsScalerModel {
    const s = vectorStats(vectorRows(frame, this.getOrDefault(this.inputCol)));
    requireRows(this.uid, s.count, 'the input column (non-null vectors)');
    return new MaxAbsScalerModel(s.maxAbs);
  }
}

export class MaxAbsScalerModel extends Model {
  readonly inputCol = this.declare(shared.inputCol);
  readonly outputCol = this.declare(shared.outputCol);

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
    return affineTransform(
      frame,
      this.getOrDefault(this.inputCol),
      this.getOrDefault(this.outputCol),
      undefined,
      scale,
    );
  }

  override writeData(w: StageWriter): void {
    w.f64('maxAbs', this.maxAbs);
  }
}

registerStage('MaxAbsScaler', MaxAbsScaler);
registerStage('MaxAbsScalerModel', MaxAbsScalerModel, (r) => new MaxAbsScalerModel(r.f64('maxAbs')));
