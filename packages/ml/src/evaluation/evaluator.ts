/**
 * Evaluator (Spark ML `evaluation.Evaluator`): turns a frame of predictions into one number. Columns are
 * checked before any computation; every evaluation is reported through `mlEvents` ('evaluated') so that
 * autolog can record it. Evaluation is synchronous: it is a single pass over typed arrays.
 */
import type { Frame } from '@cauce/frame';
import { classNameOf } from '../io/registry.js';
import { Params, type ParamMap } from '../param/param.js';
import { mlEvents } from '../pipeline/events.js';
import { requireFrame } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import { requireColumn, type Accept, type Schema } from '../util/schema.js';

export abstract class Evaluator extends Params {
  /** The metric of `frame`; `paramMap` overrides params for this call (e.g. another metricName). */
  evaluate(frame: Frame, paramMap?: ParamMap): number {
    requireFrame(this.uid, frame, 'evaluate');
    const e = paramMap ? this.copy(paramMap) : this;
    e.checkSchema(frame.schema);
    const value = e._evaluate(frame);
    if (mlEvents.hasListeners('evaluated')) {
      mlEvents.emit({
        type: 'evaluated',
        uid: e.uid,
        className: classNameOf(e),
        metricName: e.getMetricName(),
        value,
        isLargerBetter: e.isLargerBetter(),
      });
    }
    return value;
  }

  /** Whether a larger value is better (r2, areaUnderROC) or not (rmse, logLoss); used by tuning. */
  abstract isLargerBetter(): boolean;
  /** Name of the metric computed by `evaluate`. */
  abstract getMetricName(): string;
  /** Checks columns before computing (SCHEMA_MISMATCH naming the evaluator, param and column). */
  protected abstract checkSchema(schema: Schema): void;
  protected abstract _evaluate(frame: Frame): number;

  /** requireColumn for a column param of this evaluator. */
  protected need(schema: Schema, param: string, column: string, accept: Accept): void {
    requireColumn(this.uid, schema, param, column, accept);
  }
}

/** Weights from weightCol (checked: finite, ≥ 0), or undefined for unit weights. */
export function readWeights(
  stage: string,
  frame: Frame,
  weightCol: string | undefined,
): Float64Array | undefined {
  if (weightCol === undefined) return undefined;
  const w = frame.float64(weightCol);
  let total = 0;
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    if (!(v >= 0) || v === Infinity) {
      throw new MLError(
        'INVALID_DATA',
        `${stage}: weight column '${weightCol}' has ${v} at row ${i}; weights must be finite and >= 0`,
        {
          stage,
          column: weightCol,
        },
      );
    }
    total += v;
  }
  if (w.length > 0 && total === 0) {
    throw new MLError('INVALID_DATA', `${stage}: the weights in '${weightCol}' sum to 0; no row counts`, {
      stage,
      column: weightCol,
    });
  }
  return w;
}

/** INVALID_DATA for a NaN/null in a column the metric needs. */
export function requireFinite(stage: string, x: Float64Array, column: string): void {
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!)) {
      throw new MLError('INVALID_DATA', `${stage}: column '${column}' has a null or NaN at row ${i}`, {
        stage,
        column,
        hint: 'drop or impute such rows before evaluating',
      });
    }
  }
}

export function requireNonEmpty(stage: string, n: number): void {
  if (n === 0) throw new MLError('INVALID_DATA', `${stage}: the frame to evaluate has no rows`, { stage });
}
