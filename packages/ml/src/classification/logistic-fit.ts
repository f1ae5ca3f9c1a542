// Fitting of (multinomial) logistic regression: the numeric core of LogisticRegression, free functions over typed
// arrays. The objective is Spark ML's:
//
//   min  1/W·Σᵢ wᵢ·ℓ(yᵢ, xᵢ) + λ·α·Σ|γ| + λ·(1−α)/2·Σγ²
//
// where ℓ is the binomial log-loss (one coefficient vector) or the multinomial (softmax) log-loss (one vector per
// class), γ = β·σ (features' unbiased std) under standardization and γ = β otherwise; intercepts are never
// penalised. As in Spark, the optimiser works on features scaled by 1/σ without materialising them (each pass
// multiplies the coefficients by 1/σ instead), which is what makes L-BFGS well conditioned.
// L-BFGS for L2 only, OWL-QN when α·λ > 0 (Andrew & Gao 2007).

import { columnStats } from '../linalg/column-stats.js';
import { designMatrix } from '../linalg/design-matrix.js';
import type { Matrix } from '../linalg/matrix.js';
import { minimize } from '../optim/lbfgs.js';

export interface LogisticOptions {
  regParam: number;
  elasticNetParam: number;
  fitIntercept: boolean;
  standardization: boolean;
  maxIter: number;
  tol: number;
  /** true: softmax with one coefficient row per class; false: binomial (labels 0/1). */
  multinomial: boolean;
  numClasses: number;
  onIteration?: (iteration: number, loss: number) => void;
}

export interface LogisticFit {
  /** Row-major K×p (K = 1 for binomial). */
  coefficientMatrix: Float64Array;
  /** Length K. */
  interceptVector: Float64Array;
  numClasses: number;
  objectiveHistory: number[];
  totalIterations: number;
}

/** Labels must be 0..numClasses−1 (validated by the caller). */
export function fitLogistic(
  Xm: Matrix,
  y: Float64Array,
  w: Float64Array | null,
  o: LogisticOptions,
): LogisticFit {
  const { n, p } = Xm;
  const K = o.multinomial ? o.numClasses : 1;
  const fs = columnStats(Xm, w);
  const W = fs.weightSum;
  const invStd = new Float64Array(p);
  for (let j = 0; j < p; j++) invStd[j] = fs.std[j]! > 0 ? 1 / fs.std[j]! : 0;
  if (o.regParam === 0 && !o.fitIntercept) {
    // Unregularised and without intercept, a constant column is a real regressor: scale it by its magnitude.
    for (let j = 0; j < p; j++)
      if (invStd[j] === 0 && fs.mean[j] !== 0) invStd[j] = 1 / Math.abs(fs.mean[j]!);
  }
  const stride = p + (o.fitIntercept ? 1 : 0);
  const dim = K * stride;
  const l1 = new Float64Array(dim);
  const l2 = new Float64Array(dim);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < p; j++) {
      const f = o.standardization ? 1 : invStd[j]!;
      l1[k * stride + j] = o.regParam * o.elasticNetParam * f;
      l2[k * stride + j] = o.regParam * (1 - o.elasticNetParam) * f * f;
    }
  }
  // Class weights for the initial intercepts (Spark starts binomial at the log-odds, multinomial at the centred
  // log class frequencies); this saves the first iterations and is exact for intercept-only models.
  const classW = new Float64Array(Math.max(2, o.numClasses));
  for (let i = 0; i < n; i++) classW[y[i]!] = classW[y[i]!]! + (w ? w[i]! : 1);
  const theta0 = new Float64Array(dim);
  if (o.fitIntercept) {
    if (K === 1) {
      const pos = classW[1]!;
      const neg = classW[0]!;
      if (pos > 0 && neg > 0) theta0[p] = Math.log(pos / neg);
    } else if (classW.every((v) => v > 0)) {
      let meanLog = 0;
      for (let k = 0; k < K; k++) meanLog += Math.log(classW[k]!) / K;
      for (let k = 0; k < K; k++) theta0[k * stride + p] = Math.log(classW[k]!) - meanLog;
    }
  }
  const X = designMatrix(Xm);
  const u = new Float64Array(p);
  const margins = new Float64Array(K > 1 ? K * n : 0); // the binomial path needs no per-row buffers
  const tmp = new Float64Array(K > 1 ? n : 0);
  const gRaw = new Float64Array(p);
  // Binomial: one fused pass per evaluation (margin, loss, gradient weight and Xᵀe row by row).
  let bLoss = 0;
  let bESum = 0;
  const binomialLink = (i: number, m: number): number => {
    const wi = w ? w[i]! : 1;
    const yi = y[i]!;
    // log(1 + e^m) − y·m and σ(m) from one exponential, without overflow.
    const ex = Math.exp(-Math.abs(m));
    bLoss += wi * ((m > 0 ? m : 0) + Math.log1p(ex) - yi * m);
    const prob = m >= 0 ? 1 / (1 + ex) : ex / (1 + ex);
    const e = (wi * (prob - yi)) / W;
    bESum += e;
    return e;
  };
  const binomial = (theta: Float64Array, grad: Float64Array): number => {
    for (let j = 0; j < p; j++) u[j] = theta[j]! * invStd[j]!;
    bLoss = 0;
    bESum = 0;
    X.multiplyLinkTranspose(u, o.fitIntercept ? theta[p]! : 0, binomialLink, gRaw);
    let loss = bLoss / W;
    for (let j = 0; j < p; j++) {
      const t = theta[j]!;
      grad[j] = gRaw[j]! * invStd[j]! + l2[j]! * t;
      loss += 0.5 * l2[j]! * t * t;
    }
    if (o.fitIntercept) grad[p] = bESum;
    return loss;
  };
  const multinomial = (theta: Float64Array, grad: Float64Array): number => {
    for (let k = 0; k < K; k++) {
      const off = k * stride;
      for (let j = 0; j < p; j++) u[j] = theta[off + j]! * invStd[j]!;
      X.multiply(u, tmp);
      const b = o.fitIntercept ? theta[off + p]! : 0;
      for (let i = 0; i < n; i++) margins[k * n + i] = tmp[i]! + b;
    }
    let loss = 0;
    // Multinomial: overwrite margins with dℓ/dmargin · w / W.
    for (let i = 0; i < n; i++) {
      let mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, margins[k * n + i]!);
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.exp(margins[k * n + i]! - mx);
      const lse = mx + Math.log(s);
      const wi = w ? w[i]! : 1;
      const yi = y[i]!;
      loss += wi * (lse - margins[yi * n + i]!);
      for (let k = 0; k < K; k++) {
        const prob = Math.exp(margins[k * n + i]! - lse);
        margins[k * n + i] = (wi * (prob - (k === yi ? 1 : 0))) / W;
      }
    }
    loss /= W;
    for (let k = 0; k < K; k++) {
      const off = k * stride;
      const e = margins.subarray(k * n, (k + 1) * n);
      X.multiplyTranspose(e, gRaw);
      for (let j = 0; j < p; j++) {
        const t = theta[off + j]!;
        grad[off + j] = gRaw[j]! * invStd[j]! + l2[off + j]! * t;
        loss += 0.5 * l2[off + j]! * t * t;
      }
      if (o.fitIntercept) {
        let s = 0;
        for (let i = 0; i < n; i++) s += e[i]!;
        grad[off + p] = s;
      }
    }
    return loss;
  };
  const useL1 = o.regParam * o.elasticNetParam > 0;
  const res = minimize(K === 1 ? binomial : multinomial, theta0, {
    maxIter: o.maxIter,
    tol: o.tol,
    l1: useL1 ? l1 : null,
    ...(o.onIteration ? { onIteration: o.onIteration } : {}),
  });
  const coefficientMatrix = new Float64Array(K * p);
  const interceptVector = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < p; j++) coefficientMatrix[k * p + j] = res.x[k * stride + j]! * invStd[j]!;
    if (o.fitIntercept) interceptVector[k] = res.x[k * stride + p]!;
  }
  if (K > 1 && o.regParam === 0) {
    // Without regularisation the softmax parameters are identified only up to a shift per feature; Spark
    // reports the centred solution (Σₖ βₖⱼ = 0), and so do we.
    for (let j = 0; j < p; j++) {
      let mean = 0;
      for (let k = 0; k < K; k++) mean += coefficientMatrix[k * p + j]! / K;
      for (let k = 0; k < K; k++) coefficientMatrix[k * p + j] = coefficientMatrix[k * p + j]! - mean;
    }
  }
  if (K > 1 && o.fitIntercept) {
    // Intercepts are never penalised, so they are always only identified up to a shift: centre them (Spark).
    let mean = 0;
    for (let k = 0; k < K; k++) mean += interceptVector[k]! / K;
    for (let k = 0; k < K; k++) interceptVector[k] = interceptVector[k]! - mean;
  }
  return {
    coefficientMatrix,
    interceptVector,
    numClasses: o.numClasses,
    objectiveHistory: res.lossHistory,
    totalIterations: res.iterations,
  };
}
