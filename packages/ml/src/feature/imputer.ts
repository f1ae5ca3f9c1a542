/**
 * Imputer / ImputerModel (Spark ML `feature.Imputer`): fills missing values of numeric columns with the
 * column's mean, median or mode computed on the fitting data. Missing = null, or equal to missingValue
 * (default NaN; NaN counts as equal to NaN, as in Spark SQL). Values that are missing are ignored when
 * fitting; NaN is ignored too whatever missingValue is.
 * Median: Spark's approxQuantile element at rank ceil(n/2), computed exactly (util/quantile.ts).
 * Mode: the most frequent value, the smallest one on ties (Spark's rule).
 */
import { Frame, float64Column } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { inArray } from '../param/validators.js';
import { Estimator, Model } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { quantileRank, selectKth } from '../util/quantile.js';
import type { Schema } from '../util/schema.js';
import { inOutPairs, inOutSchema, requireFittedColumns, withInOutCols } from './in-out-cols.js';

export type ImputerStrategy = 'mean' | 'median' | 'mode';

const strategySpec: ParamSpec<ImputerStrategy> = {
  name: 'strategy',
  doc: 'the imputation strategy: mean, median or mode of the non-missing values',
  type: 'string',
  validator: inArray(['mean', 'median', 'mode']),
  default: 'mean',
};
const missingValueSpec: ParamSpec<number> = {
  name: 'missingValue',
  doc: 'the placeholder for missing values; all its occurrences (and nulls) are imputed',
  type: 'number',
  default: NaN,
};

export interface ImputerParams {
  inputCol?: string;
  outputCol?: string;
  inputCols?: readonly string[];
  outputCols?: readonly string[];
  strategy?: ImputerStrategy;
  missingValue?: number;
  relativeError?: number;
}

function imputerSchema(stage: Imputer | ImputerModel, schema: Schema): Schema {
  return inOutSchema(stage, schema, 'numeric', () => ({ type: 'float64' }));
}

/** Non-missing values of a column (NaN always excluded), as a new array the caller may reorder. */
function present(x: Float64Array, missing: number): Float64Array {
  const out = new Float64Array(x.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v === v && v !== missing) out[m++] = v;
  }
  return out.subarray(0, m);
}

function mode(v: Float64Array): number {
  const s = v.slice().sort();
  let best = s[0]!;
  let bestCount = 0;
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j < s.length && s[j] === s[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = s[i]!;
    }
    i = j;
  }
  return best;
}

export class Imputer extends withInOutCols(Estimator<ImputerModel>) {
  readonly strategy = this.declare(strategySpec);
  readonly missingValue = this.declare(missingValueSpec);
  readonly relativeError = this.declare(shared.relativeError);

  constructor(params: ImputerParams = {}) {
    super();
    this.setParams(params);
  }
  setStrategy(v: ImputerStrategy): this {
    return this.set(this.strategy, v);
  }
  getStrategy(): ImputerStrategy {
    return this.getOrDefault(this.strategy);
  }
  setMissingValue(v: number): this {
    return this.set(this.missingValue, v);
  }
  getMissingValue(): number {
    return this.getOrDefault(this.missingValue);
  }
  setRelativeError(v: number): this {
    return this.set(this.relativeError, v);
  }

  transformSchema(schema: Schema): Schema {
    return imputerSchema(this, schema);
  }

  protected _fit(frame: Frame): ImputerModel {
    const strategy = this.getStrategy();
    const missing = this.getMissingValue();
    const surrogates = inOutPairs(this).map(([col]) => {
      const v = present(frame.float64(col), missing);
      if (v.length === 0) {
        throw new MLError(
          'INVALID_DATA',
          `${this.uid}: column '${col}' has no non-missing values to compute the ${strategy}`,
          {
            stage: this.uid,
            column: col,
            hint: 'drop the column or fill it another way',
          },
        );
      }
      if (strategy === 'mean') {
        let s = 0;
        for (let i = 0; i < v.length; i++) s += v[i]!;
        return s / v.length;
      }
      if (strategy === 'median') return selectKth(v, quantileRank(0.5, v.length)); // v is our own copy
      return mode(v);
    });
    return new ImputerModel(surrogates);
  }
}

export class ImputerModel extends withInOutCols(Model) {
  readonly strategy = this.declare(strategySpec);
  readonly missingValue = this.declare(missingValueSpec);
  readonly relativeError = this.declare(shared.relativeError);
  /** The value that replaces missing ones, per input column (Spark's surrogateDF). */
  readonly surrogates: readonly number[];

  constructor(surrogates: readonly number[], params: ImputerParams = {}) {
    super();
    this.surrogates = Object.freeze([...surrogates]);
    this.setParams(params);
  }

  /** Spark's surrogateDF: a one-row frame with the surrogate of each input column. */
  get surrogateDF(): Frame {
    const cols = inOutPairs(this).map(([c]) => c);
    return Frame.fromColumns(
      Object.fromEntries(cols.map((c, j) => [c, Float64Array.of(this.surrogates[j]!)])),
    );
  }

  transformSchema(schema: Schema): Schema {
    requireFittedColumns(this, this.surrogates.length);
    return imputerSchema(this, schema);
  }

  protected _transform(frame: Frame): Frame {
    const missing = this.getOrDefault(this.missingValue);
    const nanMissing = Number.isNaN(missing);
    const cols: Record<string, ReturnType<typeof float64Column>> = {};
    inOutPairs(this).forEach(([col, outName], j) => {
      const x = frame.float64(col); // nulls arrive as NaN
      const s = this.surrogates[j]!;
      const out = new Float64Array(x.length);
      const nullCol = frame.column(col);
      const hasNulls = nullCol.validity !== undefined;
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        const isMissing = v === missing || (v !== v && (nanMissing || (hasNulls && nullCol.isNull(i))));
        out[i] = isMissing ? s : v;
      }
      cols[outName] = float64Column(out);
    });
    return frame.withColumns(cols);
  }

  override writeData(w: StageWriter): void {
    w.f64('surrogates', Float64Array.from(this.surrogates));
  }
}

registerStage('Imputer', Imputer);
registerStage('ImputerModel', ImputerModel, (r) => new ImputerModel([...r.f64('surrogates')]));
