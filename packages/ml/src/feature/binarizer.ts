/**
 * Binarizer (Spark ML `feature.Binarizer`): 1.0 where value > threshold, else 0.0 (NaN → 0.0), for
 * number or vector columns; with inputCols, one threshold per column via `thresholds`.
 */
import { float64Column, type Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Schema } from '../util/schema.js';
import { denseVectorColumn, inOutPairs, vectorRows } from './columns.js';
import { denseOf } from './vector-stage.js';

const thresholdSpec: ParamSpec<number> = {
  name: 'threshold',
  doc: 'values greater than the threshold become 1.0, others 0.0',
  type: 'number',
  default: 0,
};
const thresholdsSpec: ParamSpec<readonly number[]> = {
  name: 'thresholds',
  doc: 'one threshold per input column (with inputCols)',
  type: 'number[]',
};

export interface BinarizerParams {
  inputCol?: string;
  outputCol?: string;
  inputCols?: readonly string[];
  outputCols?: readonly string[];
  threshold?: number;
  thresholds?: readonly number[];
}

export class Binarizer extends Transformer {
  readonly inputCol = this.declare(shared.inputCol);
  readonly outputCol = this.declare(shared.outputCol);
  readonly inputCols = this.declare(shared.inputCols);
  readonly outputCols = this.declare(shared.outputCols);
  readonly threshold = this.declare(thresholdSpec);
  readonly thresholds = this.declare(thresholdsSpec);

  constructor(params: BinarizerParams = {}) {
    super();
    this.setParams(params);
  }
  setThreshold(v: number): this {
    return this.set(this.threshold, v);
  }
  setThresholds(v: readonly number[]): this {
    return this.set(this.thresholds, v);
  }
  setInputCol(v: string): this {
    return this.set(this.inputCol, v);
  }
  setOutputCol(v: string): this {
    return this.set(this.outputCol, v);
  }
  setInputCols(v: readonly string[]): this {
    return this.set(this.inputCols, v);
  }
  setOutputCols(v: readonly string[]): this {
    return this.set(this.outputCols, v);
  }

  private thresholdsFor(pairs: Array<[string, string]>): number[] {
    const ts = this.get(this.thresholds);
    if (ts === undefined) return pairs.map(() => this.getOrDefault(this.threshold));
    if (ts.length !== pairs.length) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: thresholds has ${ts.length} entries but there are ${pairs.length} input columns`,
        {
          stage: this.uid,
          param: 'thresholds',
        },
      );
    }
    return [...ts];
  }

  transformSchema(schema: Schema): Schema {
    const pairs = inOutPairs(this);
    this.thresholdsFor(pairs);
    let out = schema;
    for (const [i, o] of pairs) {
      const f = requireColumn(this.uid, schema, pairs.length > 1 ? 'inputCols' : 'inputCol', i, [
        'float64',
        'int32',
        'int64',
        'bool',
        'vector',
      ]);
      out = appendColumn(
        this.uid,
        out,
        pairs.length > 1 ? 'outputCols' : 'outputCol',
        f.type === 'vector'
          ? { name: o, type: 'vector', ...(f.size !== undefined ? { size: f.size } : {}) }
          : { name: o, type: 'float64' },
      );
    }
    return out;
  }

  protected _transform(frame: Frame): Frame {
    const pairs = inOutPairs(this);
    const ts = this.thresholdsFor(pairs);
    const cols: Record<string, ReturnType<typeof float64Column> | ReturnType<typeof denseVectorColumn>> = {};
    pairs.forEach(([col, outName], j) => {
      const t = ts[j]!;
      if (frame.column(col).type === 'vector') {
        const r = vectorRows(frame, col);
        const X = r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!);
        cols[outName] = denseVectorColumn(
          r.size,
          X.map((v) => (v > t ? 1 : 0)),
          r.isNull,
        );
      } else {
        cols[outName] = float64Column(frame.float64(col).map((v) => (v > t ? 1 : 0)));
      }
    });
    return frame.withColumns(cols);
  }
}

registerStage('Binarizer', Binarizer);
