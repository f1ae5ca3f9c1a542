/**
 * Bucketizer (Spark ML `feature.Bucketizer`): maps numbers to bucket indices given n+1 strictly
 * increasing splits: bucket k holds [splits[k], splits[k+1]), the last bucket also holds its upper
 * bound. Use ±Infinity as outer splits to cover everything. Values outside the splits are always an
 * error. NaN (and null): handleInvalid 'error' raises, 'skip' drops the row, 'keep' puts it in an
 * extra bucket numBuckets. It is also the model QuantileDiscretizer fits, hence a Model.
 */
import { float64Column, type Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { custom } from '../param/validators.js';
import { Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import { SkippedRows, inOutPairs, inOutSchema, withInOutCols } from './in-out-cols.js';

export type BucketizerHandleInvalid = 'error' | 'skip' | 'keep';

const validSplits = (v: readonly number[]): boolean =>
  v.length >= 3 && v.every((x, i) => !Number.isNaN(x) && (i === 0 || x > v[i - 1]!));
const splitsSpec: ParamSpec<readonly number[]> = {
  name: 'splits',
  doc: 'split points for mapping continuous features into buckets (n+1 splits give n buckets)',
  type: 'number[]',
  validator: custom(validSplits, 'at least 3 strictly increasing numbers without NaN'),
};
const splitsArraySpec: ParamSpec<ReadonlyArray<readonly number[]>> = {
  name: 'splitsArray',
  doc: 'the splits of each input column (with inputCols)',
  type: 'number[][]',
  validator: custom(
    (v) => v.length > 0 && v.every(validSplits),
    'arrays of at least 3 strictly increasing numbers',
  ),
};
export const bucketHandleInvalidSpec = shared.handleInvalid<BucketizerHandleInvalid>(
  ['error', 'skip', 'keep'],
  'error',
  "how to handle NaN and null values: 'error' raises, 'skip' drops the row, 'keep' puts them in bucket numBuckets",
);

export interface BucketizerParams {
  inputCol?: string;
  outputCol?: string;
  inputCols?: readonly string[];
  outputCols?: readonly string[];
  splits?: readonly number[];
  splitsArray?: ReadonlyArray<readonly number[]>;
  handleInvalid?: BucketizerHandleInvalid;
}

/** Index of the bucket of x (binary search); −1 when x is outside the splits. */
export function bucketOf(splits: readonly number[], x: number): number {
  const last = splits.length - 1;
  if (x === splits[last]) return last - 1;
  if (x < splits[0]! || x > splits[last]!) return -1;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x >= splits[mid]!) lo = mid;
    else hi = mid;
  }
  return lo;
}

export class Bucketizer extends withInOutCols(Model) {
  readonly splits = this.declare(splitsSpec);
  readonly splitsArray = this.declare(splitsArraySpec);
  readonly handleInvalid = this.declare(bucketHandleInvalidSpec);

  constructor(params: BucketizerParams = {}) {
    super();
    this.setParams(params);
  }
  setSplits(v: readonly number[]): this {
    return this.set(this.splits, v);
  }
  getSplits(): readonly number[] {
    return this.getOrDefault(this.splits);
  }
  setSplitsArray(v: ReadonlyArray<readonly number[]>): this {
    return this.set(this.splitsArray, v);
  }
  setHandleInvalid(v: BucketizerHandleInvalid): this {
    return this.set(this.handleInvalid, v);
  }

  /** The splits of each (input, output) pair, checked against the single/multi-column form. */
  private splitsPerColumn(pairs: Array<[string, string]>): ReadonlyArray<readonly number[]> {
    if (this.isSet(this.inputCols)) {
      const arr = this.get(this.splitsArray);
      if (arr === undefined || this.isSet(this.splits)) {
        throw new MLError(
          'INVALID_PARAM',
          `${this.uid}: with inputCols, set splitsArray (one splits array per column), not splits`,
          {
            stage: this.uid,
            param: 'splitsArray',
          },
        );
      }
      if (arr.length !== pairs.length) {
        throw new MLError(
          'INVALID_PARAM',
          `${this.uid}: splitsArray has ${arr.length} entries but inputCols has ${pairs.length}`,
          {
            stage: this.uid,
            param: 'splitsArray',
          },
        );
      }
      return arr;
    }
    if (this.isSet(this.splitsArray)) {
      throw new MLError('INVALID_PARAM', `${this.uid}: with inputCol, set splits, not splitsArray`, {
        stage: this.uid,
        param: 'splitsArray',
      });
    }
    return [this.getOrDefault(this.splits)];
  }

  transformSchema(schema: Schema): Schema {
    const pairs = inOutPairs(this);
    this.splitsPerColumn(pairs);
    return inOutSchema(this, schema, 'numeric', () => ({ type: 'float64' }));
  }

  protected _transform(frame: Frame): Frame {
    const pairs = inOutPairs(this);
    const all = this.splitsPerColumn(pairs);
    const mode = this.getOrDefault(this.handleInvalid);
    const n = frame.numRows;
    const skipped = new SkippedRows(n);
    const cols: Record<string, ReturnType<typeof float64Column>> = {};
    pairs.forEach(([col, outName], j) => {
      const splits = all[j]!;
      const x = frame.float64(col);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        if (Number.isNaN(v)) {
          if (mode === 'keep') out[i] = splits.length - 1;
          else if (mode === 'skip') skipped.skip(i);
          else {
            throw new MLError('INVALID_DATA', `${this.uid}: column '${col}' has a null or NaN at row ${i}`, {
              stage: this.uid,
              column: col,
              hint: "set handleInvalid to 'skip' or 'keep'",
            });
          }
          continue;
        }
        const b = bucketOf(splits, v);
        if (b < 0) {
          throw new MLError(
            'INVALID_DATA',
            `${this.uid}: value ${v} of column '${col}' at row ${i} is outside the splits [${splits[0]}, ${splits[splits.length - 1]}]`,
            { stage: this.uid, column: col, hint: 'use -Infinity / Infinity as the outer splits' },
          );
        }
        out[i] = b;
      }
      cols[outName] = float64Column(out);
    });
    return skipped.dropFrom(frame.withColumns(cols));
  }
}

registerStage('Bucketizer', Bucketizer);
