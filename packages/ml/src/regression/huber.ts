// Robust linear regression with the Huber loss and a jointly estimated scale σ (Owen, "A robust hybrid of lasso
// and ridge regression", 2007, §3; the same objective as scikit-learn's HuberRegressor and Spark's
// LinearRegression(loss='huber')):
//
//   min_β,b,σ>0  1/(2W)·Σᵢ wᵢ·(σ + H_ε((yᵢ − xᵢβ − b)/σ)·σ) + ½·λ·Σⱼ γⱼ²,
//   H_ε(z) = z² if |z| ≤ ε, 2ε|z| − ε² otherwise,
//
// with γⱼ = βⱼσⱼ under standardization (features scaled, not centred, as Spark's HuberAggregator does). Only L2
// regularisation is defined (Spark rejects elasticNetParam > 0 with huber). σ is optimised as log σ, which keeps
// it positive without a bound-constrained solver; the objective is jointly convex in (β, b, σ) and exp is
// monotone, so the minimiser is unchanged.

import { columnStats } from '../linalg/column-stats.js';
import { designMatrix } from '../linalg/design-matrix.js';
import type { Matrix } from '../linalg/matrix.js';
import { minimize } from '../optim/lbfgs.js';
import type { LinearFit } from './least-squares.js';

export interface HuberOptions {
  regParam: number;
  fitIntercept: boolean;
  standardization: boolean;
  epsilon: number;
  maxIter: number;
  tol: number;
  onIteration?: (iteration: number, loss: number) => void;
}

export function fitHuber(
  Xm: Matrix,
  y: Float64Array,
  w: Float64Array | null,
  o: HuberOptions,
): LinearFit & { scale: number } {
  const { n, p } = Xm;
  const fs = columnStats(Xm, w);
  const W = fs.weightSum;
  const invStd = new Float64Array(p);
  for (let j = 0; j < p; j++) invStd[j] = fs.std[j]! > 0 ? 1 / fs.std[j]! : 0;
  const l2 = new Float64Array(p);
  for (let j = 0; j < p; j++) l2[j] = o.regParam * (o.standardization ? 1 : invStd[j]! * invStd[j]!);
  const X = designMatrix(Xm);
  const eps = o.epsilon;
  const iB = p;
  const iS = o.fitIntercept ? p + 1 : p;
  const dim = iS + 1;
  const u = new Float64Array(p);
  const r = new Float64Array(n);
  const gRaw = new Float64Array(p);
  const fn = (theta: Float64Array, grad: Float64Array): number => {
    for (let j = 0; j < p; j++) u[j] = theta[j]! * invStd[j]!;
    const b = o.fitIntercept ? theta[iB]! : 0;
    const sigma = Math.exp(theta[iS]!);
    X.multiply(u, r);
    let loss = 0;
    let dSigma = 0;
    let dB = 0;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      const res = y[i]! - r[i]! - b;
      const z = res / sigma;
      let dRes: number;
      if (Math.abs(z) <= eps) {
        loss += wi * (sigma + (res * res) / sigma);
        dRes = (2 * res) / sigma;
        dSigma += wi * (1 - z * z);
      } else {
        loss += wi * (sigma + 2 * eps * Math.abs(res) - eps * eps * sigma);
        dRes = 2 * eps * Math.sign(res);
        dSigma += wi * (1 - eps * eps);
      }
      // d loss / d prediction = −dRes; store the weighted, normalised value for Xᵀ·r.
      const e = (-wi * dRes) / (2 * W);
      r[i] = e;
      dB += e;
    }
    loss /= 2 * W;
    X.multiplyTranspose(r, gRaw);
    for (let j = 0; j < p; j++) {
      const tj = theta[j]!;
      grad[j] = gRaw[j]! * invStd[j]! + l2[j]! * tj;
      loss += 0.5 * l2[j]! * tj * tj;
    }
    if (o.fitIntercept) grad[iB] = dB;
    grad[iS] = (dSigma / (2 * W)) * sigma;
    return loss;
  };
  const theta0 = new Float64Array(dim);
  const res = minimize(fn, theta0, {
    maxIter: o.maxIter,
    tol: o.tol,
    ...(o.onIteration ? { onIteration: o.onIteration } : {}),
  });
  const coefficients = new Float64Array(p);
  for (let j = 0; j < p; j++) coefficients[j] = res.x[j]! * invStd[j]!;
  return {
    coefficients,
    intercept: o.fitIntercept ? res.x[iB]! : 0,
    scale: Math.exp(res.x[iS]!),
    algorithm: 'l-bfgs',
    objectiveHistory: res.lossHistory,
    totalIterations: res.iterations,
    diagInvAtWA: null,
  };
}
