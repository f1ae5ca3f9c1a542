/**
 * RegressionEvaluator (Spark ML): rmse (default), mse, r2, mae, var, optionally weighted.
 * Definitions follow Spark's RegressionMetrics, with weights w (1 when weightCol is unset) and e = ŷ − y:
 *   mse = Σw·e² / Σw, rmse = √mse, mae = Σw·|e| / Σw,
 *   r2 = 1 − Σw·e² / Σw·(y − ȳ)²   (throughOrigin: 1 − Σw·e² / Σw·y²),
 *   var (explained variance) = Σw·(ŷ − ȳ)² / Σw   — not scikit-learn's explained_variance_score.
 */
import type { Frame } from '@cauce/frame';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { inArray } from '../param/validators.js';
import type { Schema } from '../util/schema.js';
import { Evaluator, readWeights, requireFinite, requireNonEmpty } from './evaluator.js';

export type RegressionMetric = 'rmse' | 'mse' | 'r2' | 'mae' | 'var';

const metricNameSpec: ParamSpec<RegressionMetric> = {
  name: 'metricName',
  doc: 'metric name in evaluation: rmse, mse, r2, mae or var',
  type: 'string',
  validator: inArray(['rmse', 'mse', 'r2', 'mae', 'var']),
  default: 'rmse',
};
const throughOriginSpec: ParamSpec<boolean> = {
  name: 'throughOrigin',
  doc: 'whether the regression is through the origin (changes the r2 denominator)',
  type: 'boolean',
  default: false,
};

export interface RegressionEvaluatorParams {
  predictionCol?: string;
  labelCol?: string;
  metricName?: RegressionMetric;
  weightCol?: string;
  throughOrigin?: boolean;
}

/** All regression metrics of predictions `p` against labels `y` (optional weights). */
export function regressionMetrics(
  y: Float64Array,
  p: Float64Array,
  w?: Float64Array,
  throughOrigin = false,
): Record<RegressionMetric, number> {
  const n = y.length;
  let sw = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    sw += wi;
    sy += wi * y[i]!;
  }
  const ybar = sy / sw;
  let se = 0;
  let ae = 0;
  let tot = 0;
  let y2 = 0;
  let reg = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    const e = p[i]! - y[i]!;
    se += wi * e * e;
    ae += wi * Math.abs(e);
    const dy = y[i]! - ybar;
    tot += wi * dy * dy;
    y2 += wi * y[i]! * y[i]!;
    const dp = p[i]! - ybar;
    reg += wi * dp * dp;
  }
  const mse = se / sw;
  return {
    mse,
    rmse: Math.sqrt(mse),
    mae: ae / sw,
    r2: 1 - se / (throughOrigin ? y2 : tot),
    var: reg / sw,
  };
}

export class RegressionEvaluator extends Evaluator {
  readonly predictionCol = this.declare(shared.predictionCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly metricName = this.declare(metricNameSpec);
  readonly weightCol = this.declare(shared.weightCol);
  readonly throughOrigin = this.declare(throughOriginSpec);

  constructor(params: RegressionEvaluatorParams = {}) {
    super();
    this.setParams(params);
  }
  setMetricName(v: RegressionMetric): this {
    return this.set(this.metricName, v);
  }
  getMetricName(): RegressionMetric {
    return this.getOrDefault(this.metricName);
  }
  setPredictionCol(v: string): this {
    return this.set(this.predictionCol, v);
  }
  setLabelCol(v: string): this {
    return this.set(this.labelCol, v);
  }
  setWeightCol(v: string): this {
    return this.set(this.weightCol, v);
  }
  setThroughOrigin(v: boolean): this {
    return this.set(this.throughOrigin, v);
  }

  isLargerBetter(): boolean {
    const m = this.getMetricName();
    return m === 'r2' || m === 'var';
  }

  protected checkSchema(schema: Schema): void {
    this.need(schema, 'predictionCol', this.getOrDefault(this.predictionCol), 'numeric');
    this.need(schema, 'labelCol', this.getOrDefault(this.labelCol), 'numeric');
    const wc = this.get(this.weightCol);
    if (wc !== undefined) this.need(schema, 'weightCol', wc, 'numeric');
  }

  protected _evaluate(frame: Frame): number {
    requireNonEmpty(this.uid, frame.numRows);
    const pc = this.getOrDefault(this.predictionCol);
    const lc = this.getOrDefault(this.labelCol);
    const p = frame.float64(pc);
    const y = frame.float64(lc);
    requireFinite(this.uid, p, pc);
    requireFinite(this.uid, y, lc);
    const w = readWeights(this.uid, frame, this.get(this.weightCol));
    return regressionMetrics(y, p, w, this.getOrDefault(this.throughOrigin))[this.getMetricName()];
  }
}
