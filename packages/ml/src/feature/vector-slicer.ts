/**
 * VectorSlicer (Spark ML `feature.VectorSlicer`): a sub-vector of the given feature indices, in the
 * order given. Selection by feature names needs column attribute metadata, which frames do not carry,
 * so only `indices` is supported.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { custom } from '../param/validators.js';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { findField, type Schema } from '../util/schema.js';
import { denseVectorColumn, vectorRows } from './columns.js';
import { withInputOutputCol } from './in-out-cols.js';
import { denseOf, vectorSchema } from './vector-stage.js';

const indicesSpec: ParamSpec<readonly number[]> = {
  name: 'indices',
  doc: 'the feature indices to select, in output order',
  type: 'int[]',
  validator: custom(
    (v) => v.length > 0 && v.every((i) => i >= 0) && new Set(v).size === v.length,
    'distinct integers >= 0 (at least one)',
  ),
};

export interface VectorSlicerParams {
  inputCol?: string;
  outputCol?: string;
  indices?: readonly number[];
}

export class VectorSlicer extends withInputOutputCol(Transformer) {
  readonly indices = this.declare(indicesSpec);

  constructor(params: VectorSlicerParams = {}) {
    super();
    this.setParams(params);
  }
  setIndices(v: readonly number[]): this {
    return this.set(this.indices, v);
  }
  getIndices(): readonly number[] {
    return this.getOrDefault(this.indices);
  }

  private checkIndices(size: number | undefined): void {
    const idx = this.getIndices();
    const bad = size === undefined ? undefined : idx.find((i) => i >= size);
    if (bad !== undefined) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: index ${bad} is out of range for vectors of size ${size}`,
        {
          stage: this.uid,
          param: 'indices',
        },
      );
    }
  }

  transformSchema(schema: Schema): Schema {
    const out = vectorSchema(this, schema, undefined, this.getIndices().length);
    this.checkIndices(findField(schema, this.getOrDefault(this.inputCol))!.size);
    return out;
  }

  protected _transform(frame: Frame): Frame {
    const r = vectorRows(frame, this.getOrDefault(this.inputCol));
    this.checkIndices(r.size);
    const idx = this.getIndices();
    const m = idx.length;
    const X = r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!);
    const out = new Float64Array(r.n * m);
    for (let i = 0; i < r.n; i++) for (let c = 0; c < m; c++) out[i * m + c] = X[i * r.size + idx[c]!]!;
    if (r.isNull) for (let i = 0; i < r.n; i++) if (r.isNull[i]) out.fill(NaN, i * m, (i + 1) * m);
    return frame.withColumn(this.getOrDefault(this.outputCol), denseVectorColumn(m, out, r.isNull));
  }
}

registerStage('VectorSlicer', VectorSlicer);
