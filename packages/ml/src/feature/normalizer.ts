/**
 * Normalizer (Spark ML `feature.Normalizer`): scales each vector to unit p-norm (p ≥ 1, default 2;
 * p = Infinity is the max norm). A zero vector stays zero. Sparse rows stay sparse.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { gtEq } from '../param/validators.js';
import { Transformer } from '../pipeline/stage.js';
import type { Schema } from '../util/schema.js';
import { denseVectorColumn, sparseColumn, vectorRows } from './columns.js';
import { withInputOutputCol } from './in-out-cols.js';
import { vectorSchema } from './vector-stage.js';

const pSpec: ParamSpec<number> = {
  name: 'p',
  doc: 'the p of the p-norm used to normalize (Infinity = max norm)',
  type: 'number',
  validator: gtEq(1),
  default: 2,
};

export interface NormalizerParams {
  inputCol?: string;
  outputCol?: string;
  p?: number;
}

function norm(v: Float64Array, from: number, to: number, p: number): number {
  let s = 0;
  if (p === 1) for (let k = from; k < to; k++) s += Math.abs(v[k]!);
  else if (p === 2) {
    for (let k = from; k < to; k++) s += v[k]! * v[k]!;
    s = Math.sqrt(s);
  } else if (p === Infinity) for (let k = from; k < to; k++) s = Math.max(s, Math.abs(v[k]!));
  else {
    for (let k = from; k < to; k++) s += Math.abs(v[k]!) ** p;
    s = s ** (1 / p);
  }
  return s;
}

export class Normalizer extends withInputOutputCol(Transformer) {
  readonly p = this.declare(pSpec);

  constructor(params: NormalizerParams = {}) {
    super();
    this.setParams(params);
  }
  setP(v: number): this {
    return this.set(this.p, v);
  }
  getP(): number {
    return this.getOrDefault(this.p);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, undefined, 'same');
  }

  protected _transform(frame: Frame): Frame {
    const r = vectorRows(frame, this.getOrDefault(this.inputCol));
    const p = this.getP();
    const outCol = this.getOrDefault(this.outputCol);
    if (r.dense) {
      const out = r.dense.slice();
      for (let i = 0; i < r.n; i++) {
        const a = i * r.size;
        const s = norm(out, a, a + r.size, p);
        if (s > 0) for (let k = a; k < a + r.size; k++) out[k]! /= s;
      }
      return frame.withColumn(outCol, denseVectorColumn(r.size, out, r.isNull));
    }
    const values = r.values!.slice();
    for (let i = 0; i < r.n; i++) {
      const a = r.indptr![i]!;
      const b = r.indptr![i + 1]!;
      const s = norm(values, a, b, p);
      if (s > 0) for (let k = a; k < b; k++) values[k]! /= s;
    }
    return frame.withColumn(outCol, sparseColumn(r.size, r.indptr!, r.indices!, values, r.isNull));
  }
}

registerStage('Normalizer', Normalizer);
