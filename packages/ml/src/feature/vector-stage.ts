/**
 * Shared shape of the vector → vector feature stages (scalers, Normalizer, PCA …), whose inputCol /
 * outputCol params come from in-out-cols.ts: schema check (input is a vector; output a vector of known or
 * unknown size), the per-feature statistics scalers fit on, and the element-wise affine transform kernel
 * `y = (x − shift) · scale` over dense or CSR rows.
 */
import type { Frame } from '@cauce/frame';
import type { Param, Params } from '../param/param.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import { denseVectorColumn, requireRows, sparseColumn, vectorRows } from './columns.js';
import type { HasInputOutputCol } from './in-out-cols.js';
import { vectorStats, type VectorStats } from './vector-stats.js';

/**
 * Checks inputCol is a vector (of `expectedSize` when the model knows it) and appends the output vector
 * column (`outSize`: its size when known).
 */
export function vectorSchema(
  stage: Params & { outputCol: Param<string> },
  schema: Schema,
  expectedSize?: number,
  outSize?: number | 'same',
  inputParam: Param<string> = (stage as Params & HasInputOutputCol).inputCol,
): Schema {
  const col = stage.getOrDefault(inputParam);
  const f = requireColumn(stage.uid, schema, inputParam.name, col, 'vector');
  if (expectedSize !== undefined && f.size !== undefined && f.size !== expectedSize) {
    throw new MLError(
      'SCHEMA_MISMATCH',
      `${stage.uid}: ${inputParam.name} column '${col}' has vectors of size ${f.size}, but the model was fitted on size ${expectedSize}`,
      { stage: stage.uid, param: inputParam.name, column: col },
    );
  }
  const size = outSize === 'same' ? f.size : outSize;
  return appendColumn(stage.uid, schema, 'outputCol', {
    name: stage.getOrDefault(stage.outputCol),
    type: 'vector',
    ...(size !== undefined ? { size } : {}),
  });
}

/** The per-feature statistics a scaler fits on: those of the inputCol vectors, of which one must be non-null. */
export function fitColumnStats(stage: Params & HasInputOutputCol, frame: Frame): VectorStats {
  const s = vectorStats(vectorRows(frame, stage.getOrDefault(stage.inputCol)));
  requireRows(stage.uid, s.count, 'the input column (non-null vectors)');
  return s;
}

/**
 * inputCol → outputCol, element-wise `(x − shift[j]) · scale[j]`; keeps CSR when shift is absent and the
 * input is sparse.
 */
export function affineTransform(
  stage: Params & HasInputOutputCol,
  frame: Frame,
  shift: Float64Array | undefined,
  scale: Float64Array | undefined,
): Frame {
  const outputCol = stage.getOrDefault(stage.outputCol);
  const r = vectorRows(frame, stage.getOrDefault(stage.inputCol));
  const { n, size } = r;
  if (r.dense || shift) {
    const src = r.dense ?? denseOf(r.n, size, r.indptr!, r.indices!, r.values!);
    const out = new Float64Array(n * size);
    for (let i = 0; i < n; i++) {
      const o = i * size;
      for (let j = 0; j < size; j++) {
        let v = src[o + j]!;
        if (shift) v -= shift[j]!;
        if (scale) v *= scale[j]!;
        out[o + j] = v;
      }
    }
    if (r.isNull) for (let i = 0; i < n; i++) if (r.isNull[i]) out.fill(NaN, i * size, (i + 1) * size);
    return frame.withColumn(outputCol, denseVectorColumn(size, out, r.isNull));
  }
  const values = new Float64Array(r.values!.length);
  const ix = r.indices!;
  for (let k = 0; k < values.length; k++) values[k] = scale ? r.values![k]! * scale[ix[k]!]! : r.values![k]!;
  return frame.withColumn(outputCol, sparseColumn(size, r.indptr!.slice(), ix.slice(), values, r.isNull));
}

export function denseOf(
  n: number,
  size: number,
  ip: Int32Array,
  ix: Int32Array,
  vx: Float64Array,
): Float64Array {
  const out = new Float64Array(n * size);
  for (let i = 0; i < n; i++) for (let k = ip[i]!; k < ip[i + 1]!; k++) out[i * size + ix[k]!] = vx[k]!;
  return out;
}

/** The features `idx` (in that order) of vector column `inputCol`, as a dense vector column `outputCol`. */
export function sliceFeatures(
  frame: Frame,
  inputCol: string,
  outputCol: string,
  idx: readonly number[],
): Frame {
  const r = vectorRows(frame, inputCol);
  const m = idx.length;
  const X = r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!);
  const out = new Float64Array(r.n * m);
  for (let i = 0; i < r.n; i++) for (let c = 0; c < m; c++) out[i * m + c] = X[i * r.size + idx[c]!]!;
  if (r.isNull) for (let i = 0; i < r.n; i++) if (r.isNull[i]) out.fill(NaN, i * m, (i + 1) * m);
  return frame.withColumn(outputCol, denseVectorColumn(m, out, r.isNull));
}
