/**
 * QuantileDiscretizer (Spark ML `feature.QuantileDiscretizer`): fits a Bucketizer whose splits are the
 * column's quantiles at 1/numBuckets, 2/numBuckets, … with −∞ and +∞ as outer splits; duplicate splits
 * (heavy ties) are merged, so fewer buckets may result, as in Spark. NaN values are ignored when fitting.
 * Quantiles are Spark's rank-ceil(q·n) elements, computed exactly (util/quantile.ts).
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { custom, gtEq } from '../param/validators.js';
import { Estimator } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { quantiles } from '../util/quantile.js';
import type { Schema } from '../util/schema.js';
import { Bucketizer, bucketHandleInvalidSpec, type BucketizerHandleInvalid } from './bucketizer.js';
import { inOutPairs, inOutSchema, withInOutCols } from './in-out-cols.js';

const numBucketsSpec: ParamSpec<number> = {
  name: 'numBuckets',
  doc: 'maximum number of buckets (quantiles) to bin the data into; must be >= 2',
  type: 'int',
  validator: gtEq(2),
  default: 2,
};
const numBucketsArraySpec: ParamSpec<readonly number[]> = {
  name: 'numBucketsArray',
  doc: 'number of buckets of each input column (with inputCols)',
  type: 'int[]',
  validator: custom((v) => v.length > 0 && v.every((k) => k >= 2), 'a non-empty array of integers >= 2'),
};

export interface QuantileDiscretizerParams {
  inputCol?: string;
  outputCol?: string;
  inputCols?: readonly string[];
  outputCols?: readonly string[];
  numBuckets?: number;
  numBucketsArray?: readonly number[];
  relativeError?: number;
  handleInvalid?: BucketizerHandleInvalid;
}

export class QuantileDiscretizer extends withInOutCols(Estimator<Bucketizer>) {
  readonly numBuckets = this.declare(numBucketsSpec);
  readonly numBucketsArray = this.declare(numBucketsArraySpec);
  readonly relativeError = this.declare(shared.relativeError);
  readonly handleInvalid = this.declare(bucketHandleInvalidSpec);

  constructor(params: QuantileDiscretizerParams = {}) {
    super();
    this.setParams(params);
  }
  setNumBuckets(v: number): this {
    return this.set(this.numBuckets, v);
  }
  getNumBuckets(): number {
    return this.getOrDefault(this.numBuckets);
  }
  setNumBucketsArray(v: readonly number[]): this {
    return this.set(this.numBucketsArray, v);
  }
  setRelativeError(v: number): this {
    return this.set(this.relativeError, v);
  }
  setHandleInvalid(v: BucketizerHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }

  private bucketsPerColumn(pairs: Array<[string, string]>): number[] {
    const arr = this.get(this.numBucketsArray);
    if (arr === undefined) return pairs.map(() => this.getNumBuckets());
    if (!this.isSet(this.inputCols) || arr.length !== pairs.length) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: numBucketsArray goes with inputCols and needs one entry per column (${pairs.length})`,
        { stage: this.uid, param: 'numBucketsArray' },
      );
    }
    return [...arr];
  }

  transformSchema(schema: Schema): Schema {
    this.bucketsPerColumn(inOutPairs(this));
    return inOutSchema(this, schema, 'numeric', () => ({ type: 'float64' }));
  }

  protected _fit(frame: Frame): Bucketizer {
    const pairs = inOutPairs(this);
    const buckets = this.bucketsPerColumn(pairs);
    const splitsArray = pairs.map(([col], j) => {
      const k = buckets[j]!;
      const qs = quantiles(
        frame.float64(col),
        Array.from({ length: k - 1 }, (_, i) => (i + 1) / k),
      );
      if (qs.some((q) => Number.isNaN(q))) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: column '${col}' has no non-NaN values to compute quantiles`,
          {
            stage: this.uid,
            column: col,
          },
        );
      }
      const splits = [-Infinity, ...qs, Infinity];
      return splits.filter((s, i) => i === 0 || s !== splits[i - 1]);
    });
    const b = new Bucketizer({ handleInvalid: this.getOrDefault(this.handleInvalid) });
    if (this.isSet(this.inputCols)) b.setSplitsArray(splitsArray);
    else b.setSplits(splitsArray[0]!);
    return b;
  }
}

registerStage('QuantileDiscretizer', QuantileDiscretizer);
