/**
 * Interaction (Spark ML `feature.Interaction`): the products of one value from each input column
 * (numbers count as size-1 vectors), i.e. the flattened outer product; the last column varies fastest.
 * For inputs a (size 2) and b (size 3): (a0·b0, a0·b1, a0·b2, a1·b0, a1·b1, a1·b2).
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import * as shared from '../param/shared.js';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import { denseVectorColumn, vectorRows } from './columns.js';
import { denseOf } from './vector-stage.js';

export interface InteractionParams {
  inputCols?: readonly string[];
  outputCol?: string;
}

export class Interaction extends Transformer {
  readonly inputCols = this.declare(shared.inputCols);
  readonly outputCol = this.declare(shared.outputCol);

  constructor(params: InteractionParams = {}) {
    super();
    this.setParams(params);
  }
  setInputCols(v: readonly string[]): this {
    return this.set(this.inputCols, v);
  }
  setOutputCol(v: string): this {
    return this.set(this.outputCol, v);
  }

  transformSchema(schema: Schema): Schema {
    const cols = this.getOrDefault(this.inputCols);
    if (cols.length < 2) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: Interaction needs at least 2 inputCols, got ${cols.length}`,
        {
          stage: this.uid,
          param: 'inputCols',
        },
      );
    }
    let size: number | undefined = 1;
    for (const c of cols) {
      const f = requireColumn(this.uid, schema, 'inputCols', c, [
        'float64',
        'int32',
        'int64',
        'bool',
        'vector',
      ]);
      const s = f.type === 'vector' ? f.size : 1;
      size = size === undefined || s === undefined ? undefined : size * s;
    }
    return appendColumn(this.uid, schema, 'outputCol', {
      name: this.getOrDefault(this.outputCol),
      type: 'vector',
      ...(size !== undefined ? { size } : {}),
    });
  }

  protected _transform(frame: Frame): Frame {
    const n = frame.numRows;
    const parts = this.getOrDefault(this.inputCols).map((c) => {
      if (frame.column(c).type !== 'vector') return { size: 1, x: frame.float64(c), isNull: undefined };
      const r = vectorRows(frame, c);
      return {
        size: r.size,
        x: r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!),
        isNull: r.isNull,
      };
    });
    const m = parts.reduce((s, p) => s * p.size, 1);
    const out = new Float64Array(n * m);
    let cur = new Float64Array(m);
    let next = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      // Grow the product one column at a time: len entries × size of the next column.
      cur[0] = 1;
      let len = 1;
      for (const p of parts) {
        const base = i * p.size;
        for (let a = 0; a < len; a++) {
          const ca = cur[a]!;
          for (let b = 0; b < p.size; b++) next[a * p.size + b] = ca * p.x[base + b]!;
        }
        len *= p.size;
        [cur, next] = [next, cur];
      }
      out.set(cur.subarray(0, m), i * m);
      if (parts.some((p) => p.isNull?.[i])) out.fill(NaN, i * m, (i + 1) * m);
    }
    return frame.withColumn(this.getOrDefault(this.outputCol), denseVectorColumn(m, out));
  }
}

registerStage('Interaction', Interaction);
