// LinearRegression's numeric core against scikit-learn's coefficients on the same data (fixtures written by
// test/peers/gen_linear.py, which documents the mapping of Spark's regParam/elasticNetParam/standardization onto
// sklearn's alpha/l1_ratio). Tolerances from issue 5: OLS and ridge 1e-6 relative, lasso/elastic net/huber 1e-4.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitNormal, fitLbfgs } from '../src/regression/least-squares.js';
import { fitHuber } from '../src/regression/huber.js';
import { dense } from '../src/linalg/matrix.js';

interface Case {
  name: string;
  params: Record<string, number | boolean | string>;
  weighted: boolean;
  coefficients: number[];
  intercept: number;
  scale?: number;
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/linear.json', import.meta.url), 'utf8')) as {
  X: number[];
  n: number;
  p: number;
  y: number[];
  w: number[];
  cases: Case[];
};
const X = Float64Array.from(fx.X);
const y = Float64Array.from(fx.y);
const w = Float64Array.from(fx.w);

/** Relative error measured against the size of the whole coefficient vector (so exact zeros are fine). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  what: string,
): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    const tolI = rel * Math.max(Math.abs(expected[i]!), scale * 1e-3, 1e-12);
    assert.ok(
      err <= tolI,
      `${what}[${i}]: got ${actual[i]}, sklearn ${expected[i]} (|err| ${err.toExponential(2)} > ${tolI.toExponential(2)})`,
    );
  }
}

function options(c: Case, solverTol: number) {
  return {
    regParam: Number(c.params.regParam ?? 0),
    elasticNetParam: Number(c.params.elasticNetParam ?? 0),
    fitIntercept: c.params.fitIntercept !== false,
    standardization: c.params.standardization !== false,
    maxIter: 5000,
    tol: solverTol,
  };
}

describe('least squares vs scikit-learn', () => {
  for (const c of fx.cases) {
    if (c.params.loss === 'huber') continue;
    const exact = Number(c.params.elasticNetParam ?? 0) === 0 || Number(c.params.regParam ?? 0) === 0;
    const rel = exact ? 1e-6 : 1e-4;
    test(`${c.name}: normal solver within ${rel}`, () => {
      const fit = fitNormal(dense(X, fx.n, fx.p), y, c.weighted ? w : null, options(c, 1e-12));
      assertClose(fit.coefficients, c.coefficients, rel, 'coefficients');
      assertClose([fit.intercept], [c.intercept], rel, 'intercept');
    });
    test(`${c.name}: l-bfgs solver within 1e-4`, () => {
      const fit = fitLbfgs(dense(X, fx.n, fx.p), y, c.weighted ? w : null, options(c, 1e-15));
      assertClose(fit.coefficients, c.coefficients, 1e-4, 'coefficients');
      assertClose([fit.intercept], [c.intercept], 1e-4, 'intercept');
    });
  }
  const hub = fx.cases.find((c) => c.params.loss === 'huber')!;
  test('huber (joint scale) within 1e-4', () => {
    const fit = fitHuber(dense(X, fx.n, fx.p), y, null, {
      ...options(hub, 1e-15),
      epsilon: Number(hub.params.epsilon),
    });
    assertClose(fit.coefficients, hub.coefficients, 1e-4, 'coefficients');
    assertClose([fit.intercept, fit.scale], [hub.intercept, hub.scale!], 1e-4, 'intercept, scale');
  });
});
