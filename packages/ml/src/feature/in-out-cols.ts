/**
 * The input/output column params of the feature stages, written once: Spark's HasInputCol + HasOutputCol
 * traits (single column) and HasInputCols + HasOutputCols (one or many columns, as OneHotEncoder,
 * StringIndexer, Imputer, Bucketizer … accept), with the checks Spark's `validateAndTransformSchema`
 * helpers share: which form is set, per-column input type, output columns, and a model fitted on as many
 * columns as are now set.
 *
 * The params are mixed into a stage class (`class Binarizer extends withInOutCols(Transformer)`), the
 * TypeScript counterpart of a Scala trait: a stage keeps its `inputCol` … fields and `setInputCol` …
 * setters, declared first and in Spark's order, so saved params and their order stay as they were.
 */
import type { Field, Frame } from '@cauce/frame';
import type { Param, Params } from '../param/param.js';
import * as shared from '../param/shared.js';
import { MLError } from '../util/errors.js';
import { appendColumn, requireColumn, type Accept, type Schema } from '../util/schema.js';

/** A stage class to mix params into; TypeScript's mixin rule wants exactly this `any[]` signature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StageClass<T = Params> = abstract new (...args: any[]) => T;

/** Spark's HasInputCol + HasOutputCol. */
export interface HasInputOutputCol {
  readonly inputCol: Param<string>;
  readonly outputCol: Param<string>;
  setInputCol(v: string): this;
  setOutputCol(v: string): this;
}

/** Spark's HasInputCol(s) + HasOutputCol(s): a stage that takes one column or several. */
export interface HasInOutCols extends HasInputOutputCol {
  readonly inputCols: Param<readonly string[]>;
  readonly outputCols: Param<readonly string[]>;
  setInputCols(v: readonly string[]): this;
  setOutputCols(v: readonly string[]): this;
}

/** `Base` with the params inputCol and outputCol (declared before the stage's own params). */
export function withInputOutputCol<B extends StageClass>(Base: B): B & StageClass<HasInputOutputCol> {
  abstract class WithInputOutputCol extends Base implements HasInputOutputCol {
    readonly inputCol = this.declare(shared.inputCol);
    readonly outputCol = this.declare(shared.outputCol);

    setInputCol(v: string): this {
      return this.set(this.inputCol, v);
    }
    setOutputCol(v: string): this {
      return this.set(this.outputCol, v);
    }
  }
  return WithInputOutputCol;
}

/** `Base` with the params inputCol, outputCol, inputCols and outputCols, in that order. */
export function withInOutCols<B extends StageClass>(Base: B): B & StageClass<HasInOutCols> {
  abstract class WithInOutCols extends withInputOutputCol(Base) implements HasInOutCols {
    readonly inputCols = this.declare(shared.inputCols);
    readonly outputCols = this.declare(shared.outputCols);

    setInputCols(v: readonly string[]): this {
      return this.set(this.inputCols, v);
    }
    setOutputCols(v: readonly string[]): this {
      return this.set(this.outputCols, v);
    }
  }
  return WithInOutCols;
}

/**
 * The (input, output) column pairs of a stage that accepts either the single or the multi-column
 * params (Spark's HasInputCol(s)/HasOutputCol(s) rules: exactly one of the two forms, lengths equal).
 */
export function inOutPairs(stage: Params & HasInOutCols): Array<[string, string]> {
  const single = stage.isSet(stage.inputCol);
  const multi = stage.isSet(stage.inputCols);
  if (single && multi) {
    throw new MLError('INVALID_PARAM', `${stage.uid}: set either inputCol or inputCols, not both`, {
      stage: stage.uid,
      param: 'inputCols',
    });
  }
  if (!single && !multi) {
    throw new MLError('INVALID_PARAM', `${stage.uid}: neither inputCol nor inputCols is set`, {
      stage: stage.uid,
      param: 'inputCol',
      hint: 'call setInputCol(…) or setInputCols([...])',
    });
  }
  if (single) {
    if (stage.isSet(stage.outputCols)) {
      throw new MLError('INVALID_PARAM', `${stage.uid}: inputCol goes with outputCol, not outputCols`, {
        stage: stage.uid,
        param: 'outputCols',
      });
    }
    return [[stage.getOrDefault(stage.inputCol), stage.getOrDefault(stage.outputCol)]];
  }
  const ins = stage.getOrDefault(stage.inputCols);
  if (!stage.isSet(stage.outputCols)) {
    throw new MLError('INVALID_PARAM', `${stage.uid}: inputCols is set but outputCols is not`, {
      stage: stage.uid,
      param: 'outputCols',
      hint: 'give one output column name per input column',
    });
  }
  const outs = stage.getOrDefault(stage.outputCols);
  if (ins.length !== outs.length) {
    throw new MLError(
      'INVALID_PARAM',
      `${stage.uid}: inputCols has ${ins.length} entries but outputCols has ${outs.length}; they must match`,
      { stage: stage.uid, param: 'outputCols' },
    );
  }
  return ins.map((c, i) => [c, outs[i]!]);
}

/**
 * Spark's validateAndTransformSchema for one or many columns: each input column must be of an `accept`ed
 * type, and its output column (`output` gives its type from the input's field and the column's position)
 * must not exist yet. Errors name inputCol/outputCol, or inputCols/outputCols when several are set.
 */
export function inOutSchema(
  stage: Params & HasInOutCols,
  schema: Schema,
  accept: Accept,
  output: (input: Field, j: number) => Omit<Field, 'name'>,
): Schema {
  const pairs = inOutPairs(stage);
  const multi = pairs.length > 1;
  let out = schema;
  pairs.forEach(([i, o], j) => {
    const f = requireColumn(stage.uid, schema, multi ? 'inputCols' : 'inputCol', i, accept);
    out = appendColumn(stage.uid, out, multi ? 'outputCols' : 'outputCol', { name: o, ...output(f, j) });
  });
  return out;
}

/** A model keeps one fitted thing per input column: as many columns must be set as it was fitted on. */
export function requireFittedColumns(stage: Params & HasInOutCols, fitted: number): void {
  const n = inOutPairs(stage).length;
  if (n !== fitted) {
    throw new MLError(
      'INVALID_PARAM',
      `${stage.uid}: the model was fitted on ${fitted} column(s) but ${n} are set`,
      { stage: stage.uid, param: 'inputCols' },
    );
  }
}

/** The rows handleInvalid='skip' drops, gathered over all columns, then removed in one filter. */
export class SkippedRows {
  readonly #numRows: number;
  #keep: Uint8Array | undefined;

  constructor(numRows: number) {
    this.#numRows = numRows;
  }

  skip(row: number): void {
    (this.#keep ??= new Uint8Array(this.#numRows).fill(1))[row] = 0;
  }

  /** `frame` without the skipped rows (itself when none were skipped). */
  dropFrom(frame: Frame): Frame {
    return this.#keep ? frame.filter(this.#keep) : frame;
  }
}
