/**
 * ParamGridBuilder (Spark ML's org.apache.spark.ml.tuning.ParamGridBuilder): the cartesian product of
 * value lists for some params, each combination a ParamMap handed to `estimator.fit(frame, paramMap)`.
 * `baseOn` fixes values shared by every map. The order matches Spark's: the grid grows param by param,
 * so the last param added varies slowest (each new param multiplies the maps built so far).
 */
import { MLError, showValue } from '../util/errors.js';
import { Param, ParamMap } from '../param/param.js';

export class ParamGridBuilder {
  readonly #grid = new Map<string, { param: Param<unknown>; values: readonly unknown[] }>();

  /** Fixes `param` to `value` in every map of the grid (Spark's baseOn). */
  baseOn<T>(param: Param<T>, value: T): this;
  baseOn(paramMap: ParamMap): this;
  baseOn<T>(a: Param<T> | ParamMap, value?: T): this {
    if (a instanceof ParamMap) {
      for (const { param, value: v } of a.entries()) this.addGrid(param, [v]);
      return this;
    }
    return this.addGrid(a, [value as T]);
  }

  /** Adds a param and the values to try; adding the same param again replaces its values. */
  addGrid<T>(param: Param<T>, values: readonly T[]): this {
    if (!(param instanceof Param)) {
      throw new MLError(
        'INVALID_PARAM',
        `ParamGridBuilder.addGrid: expected a stage's Param, got ${showValue(param)}`,
        {
          hint: 'pass the param object of the stage, e.g. addGrid(lr.regParam, [0.01, 0.1])',
        },
      );
    }
    if (!Array.isArray(values) || values.length === 0) {
      throw new MLError(
        'INVALID_PARAM',
        `ParamGridBuilder.addGrid(${param.toString()}): values must be a non-empty array, got ${showValue(values)}`,
        { param: param.name, hint: 'give at least one value to try' },
      );
    }
    this.#grid.set(param.toString(), { param: param as Param<unknown>, values: [...values] });
    return this;
  }

  /** Every combination as a ParamMap (one empty map when nothing was added, like Spark). */
  build(): ParamMap[] {
    let maps: ParamMap[] = [new ParamMap()];
    for (const { param, values } of this.#grid.values()) {
      const next: ParamMap[] = [];
      for (const v of values) for (const m of maps) next.push(m.copy().put(param, v));
      maps = next;
    }
    return maps;
  }
}
