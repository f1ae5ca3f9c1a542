/**
 * VectorAssembler (Spark ML `feature.VectorAssembler`): concatenates numeric, boolean and vector
 * columns into one vector column. Null or NaN values: 'error' (default) raises naming the column and
 * row, 'skip' drops the row, 'keep' writes NaN.
 *
 * The output is dense unless it is sparse enough to pay (Spark's `Vectors.compressed` rule:
 * CSR when 1.5 × (nnz + rows) < rows × size), e.g. a few numeric columns next to wide one-hot vectors.
 * Both paths fill typed arrays column by column; no per-row objects.
 */
import { type Column, type Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import * as shared from '../param/shared.js';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import { denseVectorColumn, sparseColumn, vectorRows, type VectorRows } from './columns.js';

export type VectorAssemblerHandleInvalid = 'error' | 'skip' | 'keep';

const handleInvalidSpec = shared.handleInvalid<VectorAssemblerHandleInvalid>(
  ['error', 'skip', 'keep'],
  'error',
  "how to handle null and NaN values: 'error' raises, 'skip' drops the row, 'keep' outputs NaN",
);

export interface VectorAssemblerParams {
  inputCols?: readonly string[];
  outputCol?: string;
  handleInvalid?: VectorAssemblerHandleInvalid;
}

type Part = { name: string; offset: number; size: number } & (
  { kind: 'scalar'; x: Float64Array } | { kind: 'vector'; rows: VectorRows }
);

export class VectorAssembler extends Transformer {
  readonly inputCols = this.declare(shared.inputCols);
  readonly outputCol = this.declare(shared.outputCol);
  readonly handleInvalid = this.declare(handleInvalidSpec);

  constructor(params: VectorAssemblerParams = {}) {
    super();
    this.setParams(params);
  }
  setInputCols(v: readonly string[]): this {
    return this.set(this.inputCols, v);
  }
  getInputCols(): readonly string[] {
    return this.getOrDefault(this.inputCols);
  }
  setOutputCol(v: string): this {
    return this.set(this.outputCol, v);
  }
  setHandleInvalid(v: VectorAssemblerHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }

  transformSchema(schema: Schema): Schema {
    let size: number | undefined = 0;
    for (const c of this.getInputCols()) {
      const f = requireColumn(this.uid, schema, 'inputCols', c, 'any');
      if (f.type === 'string') {
        throw new MLError(
          'SCHEMA_MISMATCH',
          `${this.uid}: inputCols column '${c}' is string; VectorAssembler takes numbers and vectors`,
          {
            stage: this.uid,
            param: 'inputCols',
            column: c,
            hint: 'index it with StringIndexer (and OneHotEncoder) first',
          },
        );
      }
      if (f.type === 'vector') size = f.size === undefined || size === undefined ? undefined : size + f.size;
      else if (size !== undefined) size += 1;
    }
    return appendColumn(this.uid, schema, 'outputCol', {
      name: this.getOrDefault(this.outputCol),
      type: 'vector',
      ...(size !== undefined ? { size } : {}),
    });
  }

  protected _transform(frame: Frame): Frame {
    const mode = this.getOrDefault(this.handleInvalid);
    const n0 = frame.numRows;
    let parts = this.readParts(frame);
    if (mode !== 'keep') {
      // Find invalid rows once: error names the first, skip filters them all and re-reads.
      let bad: Uint8Array | undefined;
      for (const p of parts) {
        for (let i = 0; i < n0; i++) {
          if (!rowHasInvalid(p, i)) continue;
          if (mode === 'error') {
            throw new MLError(
              'INVALID_DATA',
              `${this.uid}: column '${p.name}' has a null or NaN at row ${i}`,
              {
                stage: this.uid,
                column: p.name,
                hint: "set handleInvalid to 'skip' (drop rows) or 'keep' (NaN)",
              },
            );
          }
          (bad ??= new Uint8Array(n0).fill(1))[i] = 0;
        }
      }
      if (bad) {
        frame = frame.filter(bad);
        parts = this.readParts(frame);
      }
    }
    const n = frame.numRows;
    const size = parts.reduce((s, p) => s + p.size, 0);
    const out = this.getOrDefault(this.outputCol);

    let nnz = 0;
    for (const p of parts) nnz += partNnz(p, n);
    if (1.5 * (nnz + n) < n * size) return frame.withColumn(out, this.assembleSparse(parts, n, size));
    return frame.withColumn(out, this.assembleDense(parts, n, size));
  }

  private readParts(frame: Frame): Part[] {
    let offset = 0;
    return this.getInputCols().map((name) => {
      const col = frame.column(name) as Column;
      let part: Part;
      if (col.type === 'vector') {
        const rows = vectorRows(frame, name);
        part = { name, offset, size: rows.size, kind: 'vector', rows };
      } else {
        part = { name, offset, size: 1, kind: 'scalar', x: frame.float64(name) };
      }
      offset += part.size;
      return part;
    });
  }

  private assembleDense(parts: Part[], n: number, size: number) {
    const data = new Float64Array(n * size);
    for (const p of parts) {
      const off = p.offset;
      if (p.kind === 'scalar') {
        const x = p.x;
        for (let i = 0, o = off; i < n; i++, o += size) data[o] = x[i]!;
      } else if (p.rows.dense) {
        const src = p.rows.dense;
        const w = p.size;
        for (let i = 0; i < n; i++) data.set(src.subarray(i * w, i * w + w), i * size + off);
      } else {
        const { indptr, indices, values, isNull } = p.rows;
        for (let i = 0; i < n; i++) {
          const base = i * size + off;
          if (isNull?.[i]) {
            data.fill(NaN, base, base + p.size);
            continue;
          }
          for (let k = indptr![i]!; k < indptr![i + 1]!; k++) data[base + indices![k]!] = values![k]!;
        }
      }
    }
    return denseVectorColumn(size, data);
  }

  private assembleSparse(parts: Part[], n: number, size: number) {
    // Row lengths, then a cursor per row; columns are visited in output order so indices stay sorted.
    const indptr = new Int32Array(n + 1);
    for (const p of parts) forEachRowNnz(p, n, (i, c) => (indptr[i + 1]! += c));
    for (let i = 0; i < n; i++) indptr[i + 1]! += indptr[i]!;
    const total = indptr[n]!;
    const indices = new Int32Array(total);
    const values = new Float64Array(total);
    const cur = indptr.slice(0, n);
    for (const p of parts) {
      const off = p.offset;
      if (p.kind === 'scalar') {
        const x = p.x;
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          if (v !== 0) {
            const k = cur[i]!++;
            indices[k] = off;
            values[k] = v;
          }
        }
      } else if (p.rows.dense) {
        const src = p.rows.dense;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < p.size; j++) {
            const v = src[i * p.size + j]!;
            if (v !== 0) {
              const k = cur[i]!++;
              indices[k] = off + j;
              values[k] = v;
            }
          }
        }
      } else {
        const { indptr: ip, indices: ix, values: vx, isNull } = p.rows;
        for (let i = 0; i < n; i++) {
          if (isNull?.[i]) {
            for (let j = 0; j < p.size; j++) {
              const k = cur[i]!++;
              indices[k] = off + j;
              values[k] = NaN;
            }
            continue;
          }
          for (let q = ip![i]!; q < ip![i + 1]!; q++) {
            const v = vx![q]!;
            if (v !== 0) {
              const k = cur[i]!++;
              indices[k] = off + ix![q]!;
              values[k] = v;
            }
          }
        }
      }
    }
    return sparseColumn(size, indptr, indices, values);
  }
}

function rowHasInvalid(p: Part, i: number): boolean {
  if (p.kind === 'scalar') return Number.isNaN(p.x[i]!);
  const r = p.rows;
  if (r.isNull?.[i]) return true;
  if (r.dense) {
    for (let j = i * p.size; j < (i + 1) * p.size; j++) if (Number.isNaN(r.dense[j]!)) return true;
    return false;
  }
  for (let k = r.indptr![i]!; k < r.indptr![i + 1]!; k++) if (Number.isNaN(r.values![k]!)) return true;
  return false;
}

/** Calls f(row, nonzeros in this part) for each row with any (null vectors count as all-NaN). */
function forEachRowNnz(p: Part, n: number, f: (i: number, c: number) => void): void {
  if (p.kind === 'scalar') {
    for (let i = 0; i < n; i++) if (p.x[i] !== 0) f(i, 1);
    return;
  }
  const r = p.rows;
  for (let i = 0; i < n; i++) {
    if (r.isNull?.[i]) {
      f(i, p.size);
      continue;
    }
    let c = 0;
    if (r.dense) {
      for (let j = i * p.size; j < (i + 1) * p.size; j++) if (r.dense[j] !== 0) c++;
    } else {
      for (let k = r.indptr![i]!; k < r.indptr![i + 1]!; k++) if (r.values![k] !== 0) c++;
    }
    if (c) f(i, c);
  }
}

function partNnz(p: Part, n: number): number {
  let total = 0;
  forEachRowNnz(p, n, (_i, c) => (total += c));
  return total;
}

registerStage('VectorAssembler', VectorAssembler);
