// LogisticRegression's numeric core against scikit-learn (fixtures from test/peers/gen_linear.py; C = 1/(W·λ),
// l1_ratio = elasticNetParam on features scaled by their unbiased std). Tolerance 1e-4 relative (issue 5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitLogistic } from '../src/classification/logistic-fit.js';
import { dense } from '../src/linalg/matrix.js';

interface Case {
  name: string;
  params: Record<string, number | boolean | string>;
  label: 'y' | 'y3';
  weighted: boolean;
  coefficientMatrix: number[];
  interceptVector: number[];
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/logistic.json', import.meta.url), 'utf8')) as {
  X: number[];
  n: number;
  p: number;
  y: number[];
  y3: number[];
  w: number[];
  cases: Case[];
};
const X = Float64Array.from(fx.X);
const w = Float64Array.from(fx.w);

function assertClose(
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
      `${what}[${i}]: got ${actual[i]}, sklearn ${expected[i]} (|err| ${err.toExponential(2)})`,
    );
  }
}

describe('logistic regression vs scikit-learn', () => {
  for (const c of fx.cases) {
    test(`${c.name} within 1e-4`, () => {
      const multinomial = c.params.family === 'multinomial';
      const y = Float64Array.from(c.label === 'y3' ? fx.y3 : fx.y);
      const fit = fitLogistic(dense(X, fx.n, fx.p), y, c.weighted ? w : null, {
        regParam: Number(c.params.regParam ?? 0),
        elasticNetParam: Number(c.params.elasticNetParam ?? 0),
        fitIntercept: c.params.fitIntercept !== false,
        standardization: c.params.standardization !== false,
        maxIter: 10000,
        tol: 1e-15,
        multinomial,
        numClasses: multinomial ? 3 : 2,
      });
      assertClose(fit.coefficientMatrix, c.coefficientMatrix, 1e-4, 'coefficients');
      assertClose(fit.interceptVector, c.interceptVector, 1e-4, 'intercepts');
    });
  }
});
