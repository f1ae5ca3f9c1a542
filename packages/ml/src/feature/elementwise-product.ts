/**
 * ElementwiseProduct (Spark ML `feature.ElementwiseProduct`): multiplies each vector element-wise by
 * a fixed scaling vector (the Hadamard product). Sparse input stays sparse.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { arrayLengthGt } from '../param/validators.js';
import { Transformer } from '../pipeline/stage.js';
import type { Schema } from '../util/schema.js';
import { withInputOutputCol } from './in-out-cols.js';
import { affineTransform, vectorSchema } from './vector-stage.js';

const scalingVecSpec: ParamSpec<readonly number[]> = {
  name: 'scalingVec',
  doc: 'the vector to multiply with input vectors',
  type: 'number[]',
  validator: arrayLengthGt(0),
};

export interface ElementwiseProductParams {
  inputCol?: string;
  outputCol?: string;
  scalingVec?: readonly number[];
}

export class ElementwiseProduct extends withInputOutputCol(Transformer) {
  readonly scalingVec = this.declare(scalingVecSpec);

  constructor(params: ElementwiseProductParams = {}) {
    super();
    this.setParams(params);
  }
  setScalingVec(v: readonly number[]): this {
    return this.set(this.scalingVec, v);
  }
  getScalingVec(): readonly number[] {
    return this.getOrDefault(this.scalingVec);
  }

  transformSchema(schema: Schema): Schema {
    const n = this.getScalingVec().length;
    return vectorSchema(this, schema, n, n);
  }

  protected _transform(frame: Frame): Frame {
    const scale = Float64Array.from(this.getScalingVec());
    return affineTransform(this, frame, undefined, scale);
  }
}

registerStage('ElementwiseProduct', ElementwiseProduct);
