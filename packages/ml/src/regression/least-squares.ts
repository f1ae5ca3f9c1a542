// Fitting of linear models with squared-error loss: the numeric core of LinearRegression, free functions over
// typed arrays. The objective is Spark ML's (LinearRegression, both solvers; see docs/decisions/0005):
//
//   min_β,b  1/(2W)·Σᵢ wᵢ(yᵢ − xᵢβ − b)² + λ·α·Σⱼ|γⱼ| + λ·(1−α)/(2σ_y)·Σⱼ γⱼ²
//
// with W = Σw, λ = regParam, α = elasticNetParam, γⱼ = βⱼ·σⱼ when standardization is on (γⱼ = βⱼ otherwise), σⱼ the
// unbiased weighted standard deviation of feature j and σ_y that of the label. The 1/σ_y on the L2 term is the
// footprint of Spark (and glmnet) solving in label-standardised units; the intercept is never penalised.
// Features with σⱼ = 0 get a zero coefficient (Spark and glmnet do the same) unless the fit is unregularised
// and has no intercept, where a constant column is a legitimate regressor.

import { choleskyInPlace, choleskySolveInPlace, inverseDiagonal } from '../linalg/cholesky.js';
import { columnStats } from '../linalg/column-stats.js';
import { designMatrix } from '../linalg/design-matrix.js';
import { dense, type Matrix } from '../linalg/matrix.js';
import { augmentedGram, type GramStats } from '../linalg/gram.js';
import { elasticNetCD } from '../optim/coordinate-descent.js';
import { minimize } from '../optim/lbfgs.js';

export interface LeastSquaresOptions {
  regParam: number;
  elasticNetParam: number;
  fitIntercept: boolean;
  standardization: boolean;
  maxIter: number;
  tol: number;
  onIteration?: (iteration: number, loss: number) => void;
}

export interface LinearFit {
  coefficients: Float64Array;
  intercept: number;
  /** Which algorithm produced the fit: 'cholesky' and 'coordinate-descent' are the normal solver's two paths. */
  algorithm: 'cholesky' | 'coordinate-descent' | 'l-bfgs' | 'owl-qn' | 'constant-label';
  objectiveHistory: number[];
  totalIterations: number;
  /**
   * Diagonal of (XᵀWX + penalty)⁻¹ for the coefficients followed by the intercept's entry (when fitted), in the
   * original feature units; multiplied by the residual variance it gives the squared standard errors.
   * Only from the Cholesky path (no L1 term). Computed on the first call (O(k³), as much as the solve);
   * until then the fit keeps its Cholesky factor (k² doubles).
   */
  diagInvAtWA: (() => Float64Array) | null;
}

/** `f` computed on the first call only (its captures released then). */
function lazy<T>(f: () => T): () => T {
  let fn: (() => T) | undefined = f;
  let value: T | undefined;
  return () => {
    if (fn) {
      value = fn();
      fn = undefined;
    }
    return value!;
  };
}

interface LabelInfo {
  mean: number;
  std: number;
}

/** Handles a constant label the way Spark does; returns null when a real fit is needed. */
function constantLabel(p: number, label: LabelInfo, o: LeastSquaresOptions): LinearFit | null {
  if (label.std > 0) return null;
  if (o.fitIntercept || label.mean === 0) {
    return {
      coefficients: new Float64Array(p),
      intercept: o.fitIntercept ? label.mean : 0,
      algorithm: 'constant-label',
      objectiveHistory: [0],
      totalIterations: 0,
      diagInvAtWA: null,
    };
  }
  if (o.regParam !== 0) {
    throw new RangeError(
      'The label is constant and fitIntercept is false, so the model cannot be regularised: set regParam to 0 or fitIntercept to true.',
    );
  }
  return null;
}

/** Normal-equation solver: one Gram pass, then Cholesky (L2 only) or covariance coordinate descent (L1). */
export function fitNormal(
  X: Matrix,
  y: Float64Array,
  w: Float64Array | null,
  o: LeastSquaresOptions,
): LinearFit {
  return fitNormalFromGram(augmentedGram(X, y, w), X.n, w, o);
}

/** The normal solver from an already computed Gram matrix (e.g. the multi-threaded pass of gram-parallel.ts). */
export function fitNormalFromGram(
  gram: GramStats,
  n: number,
  w: Float64Array | null,
  o: LeastSquaresOptions,
): LinearFit {
  const { m, q, p } = gram;
  const W = m[p * q + p]!;
  let ws2 = n;
  if (w) {
    ws2 = 0;
    for (let i = 0; i < n; i++) ws2 += w[i]! * w[i]!;
  }
  const denom = W - ws2 / W;
  const iy = p + 1;
  const yMean = m[p * q + iy]! / W;
  const yVar = (m[iy * q + iy]! - W * yMean * yMean) / denom;
  const label = { mean: yMean, std: denom > 0 && yVar > 0 ? Math.sqrt(yVar) : 0 };
  const trivial = constantLabel(p, label, o);
  if (trivial) return trivial;
  const yStd = label.std > 0 ? label.std : Math.abs(label.mean);

  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  const active = new Uint8Array(p);
  const lambda = o.regParam;
  for (let j = 0; j < p; j++) {
    mean[j] = m[j * q + p]! / W;
    const v = (m[j * q + j]! - W * mean[j]! * mean[j]!) / denom;
    const sd = denom > 0 && v > 1e-300 ? Math.sqrt(v) : 0;
    const constant = sd <= 1e-12 * Math.max(1, Math.abs(mean[j]!));
    if (constant && (o.fitIntercept || lambda > 0)) {
      scale[j] = 1;
      active[j] = 0;
    } else {
      scale[j] = constant ? Math.max(Math.abs(mean[j]!), 1) : sd;
      active[j] = 1;
    }
  }
  // Q = S⁻¹·C·S⁻¹ / W and c = S⁻¹·(Xᵀwy − W·x̄·ȳ) / W, with C the (centred, if fitIntercept) weighted Gram matrix.
  const qm = new Float64Array(p * p);
  const c = new Float64Array(p);
  const cm = o.fitIntercept ? 1 : 0;
  for (let j = 0; j < p; j++) {
    if (!active[j]) continue;
    for (let k = j; k < p; k++) {
      if (!active[k]) continue;
      const v = (m[j * q + k]! - cm * W * mean[j]! * mean[k]!) / (scale[j]! * scale[k]! * W);
      qm[j * p + k] = v;
      qm[k * p + j] = v;
    }
    c[j] = (m[j * q + iy]! - cm * W * mean[j]! * yMean) / (scale[j]! * W);
  }
  const l1 = new Float64Array(p);
  const l2 = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    // In the γ = β·scale coordinates of this system: with standardization the penalty is on γ itself,
    // otherwise on β = γ/scale.
    const f = o.standardization ? 1 : 1 / scale[j]!;
    l1[j] = lambda * o.elasticNetParam * f;
    l2[j] = ((lambda * (1 - o.elasticNetParam)) / yStd) * f * f;
  }
  const idx: number[] = [];
  for (let j = 0; j < p; j++) if (active[j]) idx.push(j);
  const k = idx.length;
  let gamma: Float64Array | null = null;
  let diag: (() => Float64Array) | null = null;
  let algorithm: LinearFit['algorithm'] = 'cholesky';
  let history = [0];
  let iterations = 0;
  if (lambda * o.elasticNetParam === 0) {
    const a = new Float64Array(k * k);
    const b = new Float64Array(k);
    for (let r = 0; r < k; r++) {
      const jr = idx[r]!;
      for (let s = 0; s < k; s++) a[r * k + s] = qm[jr * p + idx[s]!]!;
      a[r * k + r] = a[r * k + r]! + l2[jr]!;
      b[r] = c[jr]!;
    }
    if (choleskyInPlace(a, k)) {
      choleskySolveInPlace(a, k, b);
      gamma = new Float64Array(p);
      for (let r = 0; r < k; r++) gamma[idx[r]!] = b[r]!;
      // the standard errors' diagonal costs as much as the solve (O(k³)): computed on first use only —
      // a tuning fit's trial models never use it (issue 8: ~15 % of the tuning bench's fit)
      diag = lazy(() => covarianceDiagonal(a, k, idx, p, scale, mean, W, o.fitIntercept));
      iterations = 1;
    }
  }
  if (!gamma) {
    // L1 term, or a singular system (collinear features without L2): coordinate descent on the same
    // quadratic. It costs O(p²) per sweep and never touches the rows again, so it runs to a tight tolerance.
    algorithm = 'coordinate-descent';
    const res = elasticNetCD(
      qm,
      c,
      p,
      l1,
      l2,
      {
        maxSweeps: Math.max(o.maxIter, 1000),
        tol: Math.min(o.tol, 1e-10),
        ...(o.onIteration ? { onIteration: o.onIteration } : {}),
      },
      active,
    );
    gamma = res.beta;
    history = res.lossHistory;
    iterations = res.sweeps;
  }
  const coefficients = new Float64Array(p);
  let intercept = o.fitIntercept ? yMean : 0;
  for (let j = 0; j < p; j++) {
    coefficients[j] = gamma[j]! / scale[j]!;
    if (o.fitIntercept) intercept -= coefficients[j]! * mean[j]!;
  }
  return {
    coefficients,
    intercept,
    algorithm,
    objectiveHistory: history,
    totalIterations: iterations,
    diagInvAtWA: diag,
  };
}

/** diag of the inverse of the (regularised) weighted cross-product matrix, in original units, plus intercept. */
function covarianceDiagonal(
  l: Float64Array,
  k: number,
  idx: number[],
  p: number,
  scale: Float64Array,
  mean: Float64Array,
  W: number,
  fitIntercept: boolean,
): Float64Array {
  const inv = inverseDiagonal(l, k);
  // Features left out of the fit (constant columns) have no standard error: NaN, so their t and p are NaN too.
  const out = new Float64Array(p + (fitIntercept ? 1 : 0)).fill(NaN);
  for (let r = 0; r < k; r++) {
    const j = idx[r]!;
    out[j] = inv[r]! / (W * scale[j]! * scale[j]!);
  }
  if (fitIntercept) {
    // Var(b)/σ² = 1/W + x̄ᵀ·M⁻¹·x̄ with M the centred cross-product matrix (the intercept absorbs the means).
    const v = new Float64Array(k);
    for (let r = 0; r < k; r++) v[r] = mean[idx[r]!]! / scale[idx[r]!]!;
    const sol = Float64Array.from(v);
    choleskySolveInPlace(l, k, sol);
    let s = 0;
    for (let r = 0; r < k; r++) s += v[r]! * sol[r]!;
    out[p] = 1 / W + s / W;
  }
  return out;
}

/** L-BFGS (OWL-QN with an L1 term) over the rows, in Spark's standardised space (LeastSquaresAggregator). */
export function fitLbfgs(
  Xm: Matrix,
  y: Float64Array,
  w: Float64Array | null,
  o: LeastSquaresOptions,
): LinearFit {
  const { n, p } = Xm;
  const fs = columnStats(Xm, w);
  const ls = columnStats(dense(y, n, 1), w);
  const label = { mean: ls.mean[0]!, std: ls.std[0]! };
  const trivial = constantLabel(p, label, o);
  if (trivial) return trivial;
  const yStd = label.std > 0 ? label.std : Math.abs(label.mean);
  const W = fs.weightSum;
  const xMean = o.fitIntercept ? fs.mean : new Float64Array(p);
  const yMean = o.fitIntercept ? label.mean : 0;
  const invStd = new Float64Array(p);
  for (let j = 0; j < p; j++) invStd[j] = fs.std[j]! > 0 ? 1 / fs.std[j]! : 0;
  if (!o.fitIntercept && o.regParam === 0) {
    // Unregularised and without intercept, a constant column is a real regressor: scale it by its magnitude.
    for (let j = 0; j < p; j++)
      if (invStd[j] === 0 && fs.mean[j] !== 0) invStd[j] = 1 / Math.abs(fs.mean[j]!);
  }
  const lEff = o.regParam / yStd;
  const l2 = new Float64Array(p);
  const l1 = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const f = o.standardization ? 1 : invStd[j]!;
    l2[j] = lEff * (1 - o.elasticNetParam) * f * f;
    l1[j] = lEff * o.elasticNetParam * f;
  }
  const useL1 = o.regParam * o.elasticNetParam > 0;
  const X = designMatrix(Xm);
  const u = new Float64Array(p);
  const gRaw = new Float64Array(p);
  // One fused pass per evaluation: residual, loss and Xᵀ·(w·residual) row by row.
  let sLoss = 0;
  let eSum = 0;
  const link = (i: number, m: number): number => {
    const err = m - (y[i]! - yMean) / yStd;
    const wi = w ? w[i]! : 1;
    sLoss += wi * err * err;
    const e = (wi * err) / W;
    eSum += e;
    return e;
  };
  const fn = (beta: Float64Array, grad: Float64Array): number => {
    let off = 0;
    for (let j = 0; j < p; j++) {
      u[j] = beta[j]! * invStd[j]!;
      off += u[j]! * xMean[j]!;
    }
    sLoss = 0;
    eSum = 0;
    X.multiplyLinkTranspose(u, -off, link, gRaw);
    let loss = sLoss / (2 * W);
    for (let j = 0; j < p; j++) {
      const bj = beta[j]!;
      grad[j] = (gRaw[j]! - xMean[j]! * eSum) * invStd[j]! + l2[j]! * bj;
      loss += 0.5 * l2[j]! * bj * bj;
    }
    return loss;
  };
  const res = minimize(fn, new Float64Array(p), {
    maxIter: o.maxIter,
    tol: o.tol,
    l1: useL1 ? l1 : null,
    ...(o.onIteration ? { onIteration: o.onIteration } : {}),
  });
  const coefficients = new Float64Array(p);
  let intercept = o.fitIntercept ? label.mean : 0;
  for (let j = 0; j < p; j++) {
    coefficients[j] = res.x[j]! * yStd * invStd[j]!;
    if (o.fitIntercept) intercept -= coefficients[j]! * fs.mean[j]!;
  }
  return {
    coefficients,
    intercept,
    algorithm: useL1 ? 'owl-qn' : 'l-bfgs',
    objectiveHistory: res.lossHistory,
    totalIterations: res.iterations,
    diagInvAtWA: null,
  };
}
