/**
 * PolynomialExpansion (Spark ML `feature.PolynomialExpansion`): all monomials of the features up to
 * `degree` (without the constant), in Spark's order — e.g. (x, y) at degree 2 gives
 * (x, x², y, x·y, y²): monomials are grouped by the power of the last feature, recursively. The output
 * has C(n + d, d) − 1 entries. scikit-learn's PolynomialFeatures orders them differently (the tests map
 * columns through its `powers_`).
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { gtEq } from '../param/validators.js';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { findField, type Schema } from '../util/schema.js';
import { denseVectorColumn, vectorRows } from './columns.js';
import { withInputOutputCol } from './in-out-cols.js';
import { denseOf, vectorSchema } from './vector-stage.js';

const degreeSpec: ParamSpec<number> = {
  name: 'degree',
  doc: 'the polynomial degree to expand, >= 1',
  type: 'int',
  validator: gtEq(1),
  default: 2,
};

/** C(n + d, d): the number of monomials of degree ≤ d in n variables, the constant included. */
function polySize(n: number, d: number): number {
  let r = 1;
  for (let i = 1; i <= d; i++) r = (r * (n + i)) / i;
  return Math.round(r);
}

/** Output size for `n` features at `degree` (constant excluded). */
export function expandedSize(n: number, degree: number): number {
  return polySize(n, degree) - 1;
}

/**
 * Writes the monomials of x[0..last] with total degree ≤ `degree`, times `mult`, starting at output index
 * `cur` (−1 is the dropped constant). Returns the index after the last one written. Zero multipliers
 * still advance the index, so every row has the same layout.
 */
function expand(
  x: Float64Array,
  xo: number,
  last: number,
  degree: number,
  mult: number,
  out: Float64Array,
  oo: number,
  cur: number,
): number {
  if (mult !== 0) {
    if (degree === 0 || last < 0) {
      if (cur >= 0) out[oo + cur] = mult;
    } else {
      const v = x[xo + last]!;
      let alpha = mult;
      let start = cur;
      for (let i = 0; i <= degree && alpha !== 0; i++) {
        start = expand(x, xo, last - 1, degree - i, alpha, out, oo, start);
        alpha *= v;
      }
    }
  }
  return cur + polySize(last + 1, degree);
}

export interface PolynomialExpansionParams {
  inputCol?: string;
  outputCol?: string;
  degree?: number;
}

export class PolynomialExpansion extends withInputOutputCol(Transformer) {
  readonly degree = this.declare(degreeSpec);

  constructor(params: PolynomialExpansionParams = {}) {
    super();
    this.setParams(params);
  }
  setDegree(v: number): this {
    return this.set(this.degree, v);
  }
  getDegree(): number {
    return this.getOrDefault(this.degree);
  }

  transformSchema(schema: Schema): Schema {
    const f = findField(schema, this.getOrDefault(this.inputCol));
    const size = f?.size;
    const out = size !== undefined ? expandedSize(size, this.getDegree()) : undefined;
    if (out !== undefined && out > 1e6) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: degree ${this.getDegree()} on ${size} features gives ${out} outputs`,
        {
          stage: this.uid,
          param: 'degree',
          hint: 'lower the degree or select fewer features',
        },
      );
    }
    return vectorSchema(this, schema, undefined, out);
  }

  protected _transform(frame: Frame): Frame {
    const r = vectorRows(frame, this.getOrDefault(this.inputCol));
    const d = this.getDegree();
    const m = expandedSize(r.size, d);
    const X = r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!);
    const out = new Float64Array(r.n * m);
    for (let i = 0; i < r.n; i++) {
      if (r.isNull?.[i]) out.fill(NaN, i * m, (i + 1) * m);
      else expand(X, i * r.size, r.size - 1, d, 1, out, i * m, -1);
    }
    return frame.withColumn(this.getOrDefault(this.outputCol), denseVectorColumn(m, out, r.isNull));
  }
}

registerStage('PolynomialExpansion', PolynomialExpansion);
