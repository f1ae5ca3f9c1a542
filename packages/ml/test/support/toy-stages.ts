/**
 * Two small real stages used to test the core (params, pipeline, save/load) independently of the
 * feature library: AddConstant (a Transformer) and MeanCenter (an Estimator with a model holding numbers).
 */
import { float64Column, type Frame } from '@cauce/frame';
import {
  Estimator,
  Model,
  Transformer,
  appendColumn,
  gtEq,
  registerStage,
  requireColumn,
  sharedParams,
  type FitContext,
  type Schema,
  type StageWriter,
} from '@cauce/ml';

export class AddConstant extends Transformer {
  readonly inputCol = this.declare(sharedParams.inputCol);
  readonly outputCol = this.declare(sharedParams.outputCol);
  readonly value = this.declare<number>({ name: 'value', doc: 'what to add', type: 'number', default: 1 });

  constructor(params: { inputCol?: string; outputCol?: string; value?: number } = {}) {
    super();
    this.setParams(params);
  }
  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'inputCol', this.getOrDefault(this.inputCol), 'numeric');
    return appendColumn(this.uid, schema, 'outputCol', {
      name: this.getOrDefault(this.outputCol),
      type: 'float64',
    });
  }
  protected _transform(frame: Frame): Frame {
    const x = frame.float64(this.getOrDefault(this.inputCol));
    const c = this.getOrDefault(this.value);
    return frame.withColumn(this.getOrDefault(this.outputCol), float64Column(x.map((v) => v + c)));
  }
}
registerStage('AddConstant', AddConstant);

export class MeanCenter extends Estimator<MeanCenterModel> {
  readonly inputCol = this.declare(sharedParams.inputCol);
  readonly outputCol = this.declare(sharedParams.outputCol);
  readonly maxIter = this.declare(sharedParams.maxIter(3));
  readonly scale = this.declare<number>({
    name: 'scale',
    doc: 'multiplier',
    type: 'number',
    validator: gtEq(0),
    default: 1,
  });

  constructor(params: { inputCol?: string; outputCol?: string; maxIter?: number; scale?: number } = {}) {
    super();
    this.setParams(params);
  }
  setScale(v: number): this {
    return this.set(this.scale, v);
  }
  getScale(): number {
    return this.getOrDefault(this.scale);
  }
  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'inputCol', this.getOrDefault(this.inputCol), 'numeric');
    return appendColumn(this.uid, schema, 'outputCol', {
      name: this.getOrDefault(this.outputCol),
      type: 'float64',
    });
  }
  protected _fit(frame: Frame, ctx: FitContext): MeanCenterModel {
    const x = frame.float64(this.getOrDefault(this.inputCol));
    let s = 0;
    for (const v of x) s += v;
    for (let it = 1; it <= this.getOrDefault(this.maxIter); it++) ctx.progress(it, 1 / it);
    return new MeanCenterModel(Float64Array.of(s / x.length, this.getScale()));
  }
}

export class MeanCenterModel extends Model {
  readonly inputCol = this.declare(sharedParams.inputCol);
  readonly outputCol = this.declare(sharedParams.outputCol);

  constructor(readonly stats: Float64Array) {
    super();
  }
  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'inputCol', this.getOrDefault(this.inputCol), 'numeric');
    return appendColumn(this.uid, schema, 'outputCol', {
      name: this.getOrDefault(this.outputCol),
      type: 'float64',
    });
  }
  protected _transform(frame: Frame): Frame {
    const x = frame.float64(this.getOrDefault(this.inputCol));
    const [m, k] = [this.stats[0]!, this.stats[1]!];
    return frame.withColumn(this.getOrDefault(this.outputCol), float64Column(x.map((v) => (v - m) * k)));
  }
  override writeData(w: StageWriter): void {
    w.f64('stats', this.stats);
  }
}
registerStage('MeanCenter', MeanCenter);
registerStage('MeanCenterModel', MeanCenterModel, (r) => new MeanCenterModel(r.f64('stats')));
