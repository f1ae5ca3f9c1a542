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
      // Find invalid rows once per column (tight loops): error names the first, skip filters them all.
      let bad: Uint8Array | undefined;
      for (const p of parts) {
        const mask = bad ?? new Uint8Array(n0);
        const first = markInvalid(p, n0, mask);
        if (first < 0) continue;
        if (mode === 'error') {
          throw new MLError(
            'INVALID_DATA',
            `${this.uid}: column '${p.name}' has a null or NaN at row ${first}`,
            {
              stage: this.uid,
              column: p.name,
              hint: "set handleInvalid to 'skip' (drop rows) or 'keep' (NaN)",
            },
          );
        }
        bad = mask;
      }
      if (bad) {
        for (let i = 0; i < n0; i++) bad[i] = bad[i]! ^ 1; // now a keep mask
        frame = frame.filter(bad);
        parts = this.readParts(frame);
      }
    }
    const n = frame.numRows;
    const size = parts.reduce((s, p) => s + p.size, 0);
    const out = this.getOrDefault(this.outputCol);

    // The number of nonzeros decides dense vs sparse; row lengths are only needed for CSR output.
    let nnz = 0;
    for (const p of parts) nnz += countNnz(p, n, undefined);
    if (1.5 * (nnz + n) < n * size) {
      const rowNnz = new Int32Array(n);
      for (const p of parts) countNnz(p, n, rowNnz);
      return frame.withColumn(out, this.assembleSparse(parts, n, size, rowNnz));
    }
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

  private assembleSparse(parts: Part[], n: number, size: number, rowNnz: Int32Array) {
    // Prefix sums of the row lengths, then a cursor per row; columns are visited in output order so the
    // indices of each row stay sorted.
    const indptr = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i]! + rowNnz[i]!;
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
        const w = p.size;
        for (let i = 0, o = 0; i < n; i++, o += w) {
          let k = cur[i]!;
          for (let j = 0; j < w; j++) {
            const v = src[o + j]!;
            if (v !== 0) {
              indices[k] = off + j;
              values[k++] = v;
            }
          }
          cur[i] = k;
        }
      } else {
        const { isNull } = p.rows;
        const ip = p.rows.indptr!;
        const ix = p.rows.indices!;
        const vx = p.rows.values!;
        const w = p.size;
        for (let i = 0; i < n; i++) {
          let k = cur[i]!;
          if (isNull !== undefined && isNull[i] === 1) {
            for (let j = 0; j < w; j++) {
              indices[k] = off + j;
              values[k++] = NaN;
            }
          } else {
            for (let q = ip[i]!, e = ip[i + 1]!; q < e; q++) {
              const v = vx[q]!;
              if (v !== 0) {
                indices[k] = off + ix[q]!;
                values[k++] = v;
              }
            }
          }
          cur[i] = k;
        }
      }
    }
    return sparseColumn(size, indptr, indices, values);
  }
}

/** Sets mask[i] = 1 for rows with a null or NaN in this part; returns the first such row or −1. */
function markInvalid(p: Part, n: number, mask: Uint8Array): number {
  let first = -1;
  if (p.kind === 'scalar') {
    const x = p.x;
    for (let i = 0; i < n; i++) {
      if (x[i] !== x[i]) {
        mask[i] = 1;
        if (first < 0) first = i;
      }
    }
    return first;
  }
  const r = p.rows;
  const w = p.size;
  for (let i = 0; i < n; i++) {
    let bad = r.isNull !== undefined && r.isNull[i] === 1;
    if (!bad && r.dense) {
      const d = r.dense;
      for (let j = i * w, e = j + w; j < e; j++) {
        if (d[j] !== d[j]) {
          bad = true;
          break;
        }
      }
    } else if (!bad) {
      const v = r.values!;
      for (let k = r.indptr![i]!, e = r.indptr![i + 1]!; k < e; k++) {
        if (v[k] !== v[k]) {
          bad = true;
          break;
        }
      }
    }
    if (bad) {
      mask[i] = 1;
      if (first < 0) first = i;
    }
  }
  return first;
}

/**
 * Nonzeros of this part (a null vector counts as `size` NaNs); when `rowNnz` is given, each row's count is
 * added to it.
 */
function countNnz(p: Part, n: number, rowNnz: Int32Array | undefined): number {
  let total = 0;
  if (p.kind === 'scalar') {
    const x = p.x;
    if (rowNnz === undefined) {
      for (let i = 0; i < n; i++) if (x[i] !== 0) total++;
      return total;
    }
    for (let i = 0; i < n; i++) {
      if (x[i] !== 0) {
        rowNnz[i]!++;
        total++;
      }
    }
    return total;
  }
  const r = p.rows;
  const w = p.size;
  for (let i = 0; i < n; i++) {
    let c = 0;
    if (r.isNull !== undefined && r.isNull[i] === 1) c = w;
    else if (r.dense) {
      const d = r.dense;
      for (let j = i * w, e = j + w; j < e; j++) if (d[j] !== 0) c++;
    } else {
      const v = r.values!;
      for (let k = r.indptr![i]!, e = r.indptr![i + 1]!; k < e; k++) if (v[k] !== 0) c++;
    }
    if (rowNnz !== undefined) rowNnz[i]! += c;
    total += c;
  }
  return total;
}

registerStage('VectorAssembler', VectorAssembler);
