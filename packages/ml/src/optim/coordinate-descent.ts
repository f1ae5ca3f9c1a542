// Cyclic coordinate descent for the elastic net in covariance form (Friedman, Hastie & Tibshirani,
// "Regularization Paths for Generalized Linear Models via Coordinate Descent", J. Stat. Softw. 33(1), 2010,
// §2.2 "covariance updates"). Given the (scaled, centred) Gram matrix Q and c = Xᵀy, it minimises
//   ½·βᵀQβ − cᵀβ + Σⱼ l1ⱼ·|βⱼ| + ½·Σⱼ l2ⱼ·βⱼ²
// with the soft-threshold update βⱼ ← S(cⱼ − Σₖ≠ⱼ Qⱼₖβₖ, l1ⱼ) / (Qⱼⱼ + l2ⱼ). Each sweep costs O(p²) and never
// touches the rows, so after one Gram pass lasso and elastic net cost about what ridge costs.

export interface CoordinateDescentOptions {
  maxSweeps: number;
  /** Stop when the largest weighted coordinate change √(Qⱼⱼ)·|Δβⱼ| falls below this. */
  tol: number;
  onIteration?: (sweep: number, loss: number) => void;
}

export interface CoordinateDescentResult {
  beta: Float64Array;
  sweeps: number;
  converged: boolean;
  lossHistory: number[];
}

/** Q is row-major p×p symmetric; `active[j] = 0` pins βⱼ at zero (constant features). */
export function elasticNetCD(
  q: Float64Array,
  c: Float64Array,
  p: number,
  l1: Float64Array,
  l2: Float64Array,
  opts: CoordinateDescentOptions,
  active?: Uint8Array,
): CoordinateDescentResult {
  const beta = new Float64Array(p);
  // grad[j] = cⱼ − (Qβ)ⱼ, kept up to date after every coordinate change (O(p) per change).
  const grad = Float64Array.from(c);
  const history: number[] = [objective(q, c, p, l1, l2, beta)];
  let sweep = 0;
  let converged = false;
  while (sweep < opts.maxSweeps) {
    sweep++;
    let maxDelta = 0;
    for (let j = 0; j < p; j++) {
      if (active && active[j] === 0) continue;
      const qjj = q[j * p + j]!;
      const denom = qjj + l2[j]!;
      if (!(denom > 0)) continue;
      const old = beta[j]!;
      const z = grad[j]! + qjj * old;
      const t = l1[j]!;
      const nb = z > t ? (z - t) / denom : z < -t ? (z + t) / denom : 0;
      const delta = nb - old;
      if (delta !== 0) {
        beta[j] = nb;
        const row = j * p;
        for (let k = 0; k < p; k++) grad[k] = grad[k]! - q[row + k]! * delta;
        const w = Math.abs(delta) * Math.sqrt(qjj);
        if (w > maxDelta) maxDelta = w;
      }
    }
    const loss = objective(q, c, p, l1, l2, beta);
    history.push(loss);
    opts.onIteration?.(sweep, loss);
    if (maxDelta <= opts.tol) {
      converged = true;
      break;
    }
  }
  return { beta, sweeps: sweep, converged, lossHistory: history };
}

function objective(
  q: Float64Array,
  c: Float64Array,
  p: number,
  l1: Float64Array,
  l2: Float64Array,
  beta: Float64Array,
): number {
  let quad = 0;
  let lin = 0;
  let pen = 0;
  for (let j = 0; j < p; j++) {
    const bj = beta[j]!;
    if (bj === 0) continue;
    let s = 0;
    const row = j * p;
    for (let k = 0; k < p; k++) s += q[row + k]! * beta[k]!;
    quad += bj * s;
    lin += c[j]! * bj;
    pen += l1[j]! * Math.abs(bj) + 0.5 * l2[j]! * bj * bj;
  }
  return 0.5 * quad - lin + pen;
}
