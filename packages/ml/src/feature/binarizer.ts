/**
 * Binarizer (Spark ML `feature.Binarizer`): 1.0 where value > threshold, else 0.0 (NaN → 0.0), for
 * number or vector columns; with inputCols, one threshold per column via `thresholds`.
 */
import { float64Column, type Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { denseVectorColumn, vectorRows } from './columns.js';
import { inOutPairs, inOutSchema, withInOutCols } from './in-out-cols.js';
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

export class Binarizer extends withInOutCols(Transformer) {
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
    this.thresholdsFor(inOutPairs(this));
    return inOutSchema(this, schema, ['float64', 'int32', 'int64', 'bool', 'vector'], (f) =>
      f.type === 'vector'
        ? { type: 'vector', ...(f.size !== undefined ? { size: f.size } : {}) }
        : { type: 'float64' },
    );
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
