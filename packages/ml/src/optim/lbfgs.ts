// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 two-loop recursion and
// Alg. 7.5) and its orthant-wise extension OWL-QN for an added L1 term (Andrew & Gao, "Scalable training of
// L1-regularized log-linear models", ICML 2007). One routine serves both: with no L1 weights the pseudo-gradient
// is the gradient, no orthant projection happens and the method is plain L-BFGS.
//
// Line search: backtracking from a unit step (scaled on the first iteration) with the Armijo condition on the
// pseudo-gradient (Andrew & Gao, §3.2); curvature pairs with sᵀy ≤ 0 are skipped so the inverse-Hessian
// approximation stays positive definite (N&W §7.2, the usual safeguard when no Wolfe search is used).

/** Smooth part of the objective: returns f(x) and writes ∇f(x) into grad. */
export type DiffFunction = (x: Float64Array, grad: Float64Array) => number;

export interface MinimizeOptions {
  /** Maximum number of iterations (each at least one function evaluation). */
  maxIter: number;
  /** Convergence tolerance on the relative decrease of the objective over the last iterations. */
  tol: number;
  /** Number of curvature pairs kept (10, as Spark/Breeze). */
  memory?: number;
  /** Per-coordinate L1 weights (OWL-QN); zero entries (e.g. intercepts) are not penalised. */
  l1?: Float64Array | null;
  /** Called after each iteration with the objective value (smooth part + L1 term). */
  onIteration?: (iteration: number, loss: number) => void;
}

export interface MinimizeResult {
  x: Float64Array;
  loss: number;
  iterations: number;
  converged: boolean;
  /** Objective at the start and after every iteration (Spark's objectiveHistory). */
  lossHistory: number[];
}

const HISTORY = 10;

export function minimize(fn: DiffFunction, x0: Float64Array, opts: MinimizeOptions): MinimizeResult {
  const n = x0.length;
  const m = opts.memory ?? 10;
  const l1 = opts.l1 ?? null;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const pg = new Float64Array(n);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];

  const l1Term = (v: Float64Array): number => {
    if (!l1) return 0;
    let s = 0;
    for (let i = 0; i < n; i++) s += l1[i]! * Math.abs(v[i]!);
    return s;
  };

  let f = fn(x, g) + l1Term(x);
  const history = [f];
  let iter = 0;
  let converged = false;
  if (!Number.isFinite(f)) return { x, loss: f, iterations: 0, converged: false, lossHistory: history };

  while (iter < opts.maxIter) {
    pseudoGradient(x, g, l1, pg);
    let pgMax = 0;
    for (let i = 0; i < n; i++) pgMax = Math.max(pgMax, Math.abs(pg[i]!));
    if (pgMax <= 1e-12 * Math.max(1, Math.abs(f))) {
      converged = true;
      break;
    }
    // Two-loop recursion: d = -H·pg.
    for (let i = 0; i < n; i++) d[i] = -pg[i]!;
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j]! * dotN(S[j]!, d);
      alpha[j] = a;
      axpyN(-a, Y[j]!, d);
    }
    if (k > 0) {
      const yy = dotN(Y[k - 1]!, Y[k - 1]!);
      const gamma = 1 / (rho[k - 1]! * yy);
      for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    }
    for (let j = 0; j < k; j++) {
      const b = rho[j]! * dotN(Y[j]!, d);
      axpyN(alpha[j]! - b, S[j]!, d);
    }
    if (l1) {
      // Keep only components that agree in sign with the steepest-descent direction (Andrew & Gao, eq. 5).
      for (let i = 0; i < n; i++) if (d[i]! * pg[i]! >= 0) d[i] = 0;
    }
    let slope = dotN(d, pg);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -pg[i]!;
      slope = dotN(d, pg);
      if (!(slope < 0)) {
        converged = true;
        break;
      }
    }
    let step = k === 0 ? Math.min(1, 1 / Math.sqrt(dotN(pg, pg))) : 1;
    let fNew = NaN;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
      if (l1) {
        // Project onto the orthant of x (or of -pg where x is zero).
        for (let i = 0; i < n; i++) {
          const orth = x[i]! !== 0 ? Math.sign(x[i]!) : -Math.sign(pg[i]!);
          if (Math.sign(xNew[i]!) !== orth) xNew[i] = 0;
        }
      }
      fNew = fn(xNew, gNew) + l1Term(xNew);
      let dirDeriv = 0;
      for (let i = 0; i < n; i++) dirDeriv += pg[i]! * (xNew[i]! - x[i]!);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * dirDeriv) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      // No decrease possible at machine precision: we are at the minimum as far as doubles can tell.
      converged = true;
      break;
    }
    iter++;
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      yv[i] = gNew[i]! - g[i]!;
    }
    const sy = dotN(s, yv);
    if (sy > 1e-10 * Math.sqrt(dotN(s, s) * dotN(yv, yv))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
    }
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    history.push(f);
    opts.onIteration?.(iter, f);
    // Relative decrease over the last HISTORY iterations (Breeze's FunctionValuesConverged, as Spark uses).
    const past = history[Math.max(0, history.length - 1 - HISTORY)]!;
    if (history.length > 2 && (past - f) / Math.max(Math.abs(f), 1e-300) <= opts.tol) {
      converged = true;
      break;
    }
  }
  return { x, loss: f, iterations: iter, converged, lossHistory: history };
}

/** OWL-QN pseudo-gradient (Andrew & Gao, eq. 4): the minimum-norm subgradient of f + Σ l1ᵢ|xᵢ|. */
function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array | null, out: Float64Array): void {
  const n = x.length;
  if (!l1) {
    out.set(g);
    return;
  }
  for (let i = 0; i < n; i++) {
    const c = l1[i]!;
    const xi = x[i]!;
    const gi = g[i]!;
    if (c === 0) out[i] = gi;
    else if (xi > 0) out[i] = gi + c;
    else if (xi < 0) out[i] = gi - c;
    else if (gi + c < 0) out[i] = gi + c;
    else if (gi - c > 0) out[i] = gi - c;
    else out[i] = 0;
  }
}

function dotN(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpyN(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + a * x[i]!;
}
