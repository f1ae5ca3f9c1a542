// Spark's LinearRegressionSummary / LinearRegressionTrainingSummary: metrics of a fitted linear model on a frame
// (weighted when the model has a weightCol, as Spark's RegressionMetrics is), and for the normal solver the
// coefficients' standard errors, t-values and p-values (classical OLS inference: Var(β̂) = σ̂²·(XᵀWX)⁻¹ with
// σ̂² = Σwr²/(n − p − 1); Greene, Econometric Analysis, §4.4). Order of those arrays: coefficients, then the
// intercept (Spark's order).

import { Frame, float64Column } from '@cauce/frame';
import { MLError } from '../util/errors.js';
import { studentTTwoSidedP } from '../util/distributions.js';
import { regressionMetrics } from '../evaluation/regression-evaluator.js';

export interface SummaryInput {
  stage: string;
  predictions: Frame;
  predictionCol: string;
  labelCol: string;
  featuresCol: string;
  label: Float64Array;
  prediction: Float64Array;
  weight: Float64Array | null;
  numFeatures: number;
  fitIntercept: boolean;
  coefficients: Float64Array;
  intercept: number;
  /** From the normal solver's Cholesky path; null otherwise. */
  /** The diagonal for the standard errors, computed on first call (least-squares.ts); null when unavailable. */
  diagInvAtWA: (() => Float64Array) | null;
  objectiveHistory: number[];
  totalIterations: number;
}

export class LinearRegressionSummary {
  /** The frame with the model's predictions (Spark's `predictions`). */
  readonly predictions: Frame;
  readonly predictionCol: string;
  readonly labelCol: string;
  readonly featuresCol: string;
  readonly numInstances: number;
  /** numInstances − numFeatures − (1 if an intercept was fitted). */
  readonly degreesOfFreedom: number;
  readonly explainedVariance: number;
  readonly meanAbsoluteError: number;
  readonly meanSquaredError: number;
  readonly rootMeanSquaredError: number;
  readonly r2: number;
  readonly r2adj: number;
  readonly #input: SummaryInput;
  #residuals: Float64Array | undefined;
  #inference: { se: Float64Array; t: Float64Array; p: Float64Array } | undefined;

  constructor(input: SummaryInput) {
    this.#input = input;
    const { label: y, prediction: pred, weight: w } = input;
    const n = y.length;
    this.predictions = input.predictions;
    this.predictionCol = input.predictionCol;
    this.labelCol = input.labelCol;
    this.featuresCol = input.featuresCol;
    this.numInstances = n;
    this.degreesOfFreedom = n - input.numFeatures - (input.fitIntercept ? 1 : 0);
    // the evaluator's metrics, the same sums in the same order (so the same doubles): code that a tuning's
    // trials have already made hot, where a loop of this constructor's own, run once per fit, ran cold
    // (issue 8: autolog reads the training summary while the caller waits). Without an intercept, R² is
    // measured through the origin (Spark's RegressionMetrics throughOrigin).
    const m = regressionMetrics(y, pred, w ?? undefined, !input.fitIntercept);
    this.meanSquaredError = m.mse;
    this.rootMeanSquaredError = m.rmse;
    this.meanAbsoluteError = m.mae;
    this.explainedVariance = m.var;
    this.r2 = m.r2;
    const icpt = input.fitIntercept ? 1 : 0;
    this.r2adj = 1 - ((1 - this.r2) * (n - icpt)) / (n - input.numFeatures - icpt);
  }

  /** label − prediction, one per row (computed on first use). */
  get residualValues(): Float64Array {
    if (!this.#residuals) {
      const { label: y, prediction: pred } = this.#input;
      this.#residuals = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) this.#residuals[i] = y[i]! - pred[i]!;
    }
    return this.#residuals;
  }

  /** Residuals as a one-column frame named 'residuals' (Spark's `summary.residuals`). */
  get residuals(): Frame {
    return Frame.fromColumns({ residuals: float64Column(this.residualValues) });
  }

  get objectiveHistory(): number[] {
    return this.#input.objectiveHistory;
  }
  get totalIterations(): number {
    return this.#input.totalIterations;
  }

  /** Standard errors of the coefficients and then the intercept (normal solver without L1 only). */
  get coefficientStandardErrors(): Float64Array {
    return this.#inferenceStats().se;
  }
  get tValues(): Float64Array {
    return this.#inferenceStats().t;
  }
  get pValues(): Float64Array {
    return this.#inferenceStats().p;
  }

  #inferenceStats(): { se: Float64Array; t: Float64Array; p: Float64Array } {
    if (this.#inference) return this.#inference;
    const inp = this.#input;
    if (!inp.diagInvAtWA) {
      throw new MLError(
        'NOT_FITTED',
        `${inp.stage}: no standard errors are available for this model: they come from the normal solver without an L1 term`,
        {
          stage: inp.stage,
          param: 'solver',
          hint: "fit with solver 'normal' (or 'auto') and elasticNetParam 0 to get them",
        },
      );
    }
    if (this.degreesOfFreedom <= 0) {
      throw new MLError(
        'INVALID_DATA',
        `${inp.stage}: ${this.numInstances} rows leave ${this.degreesOfFreedom} degrees of freedom for ${inp.numFeatures} features; standard errors need more rows than parameters`,
        { stage: inp.stage },
      );
    }
    let sse = 0;
    const w = inp.weight;
    for (let i = 0; i < this.residualValues.length; i++) {
      const r = this.residualValues[i]!;
      sse += (w ? w[i]! : 1) * r * r;
    }
    const sigma2 = sse / this.degreesOfFreedom;
    const d = inp.diagInvAtWA();
    const se = new Float64Array(d.length);
    const t = new Float64Array(d.length);
    const p = new Float64Array(d.length);
    for (let j = 0; j < d.length; j++) {
      se[j] = Math.sqrt(d[j]! * sigma2);
      const est = j < inp.numFeatures ? inp.coefficients[j]! : inp.intercept;
      t[j] = est / se[j]!;
      p[j] = studentTTwoSidedP(t[j]!, this.degreesOfFreedom);
    }
    this.#inference = { se, t, p };
    return this.#inference;
  }
}
