// The optimisers on problems with known minimisers: L-BFGS on the Rosenbrock function, OWL-QN and coordinate
// descent on a lasso whose solution is the soft-thresholded least-squares solution (orthogonal design).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimize } from './lbfgs.js';
import { elasticNetCD } from './coordinate-descent.js';

test('L-BFGS finds the Rosenbrock minimum (1, 1) and reports progress', () => {
  const seen: number[] = [];
  const res = minimize(
    (x, g) => {
      const a = x[0]!;
      const b = x[1]!;
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    },
    new Float64Array([-1.2, 1]),
    { maxIter: 500, tol: 1e-15, onIteration: (_i, loss) => seen.push(loss) },
  );
  assert.ok(Math.abs(res.x[0]! - 1) < 1e-6 && Math.abs(res.x[1]! - 1) < 1e-6, `x = ${res.x.join(', ')}`);
  assert.ok(seen.length === res.iterations && seen.length > 10);
});

// Orthogonal design: ½βᵀβ − cᵀβ + l1·|β|₁ + ½·l2·|β|²  has βⱼ = S(cⱼ, l1)/(1 + l2).
const c = new Float64Array([3, -0.5, 1.2, -2, 0.1]);
const l1v = 0.6;
const l2v = 0.4;
const expected = Array.from(c, (cj) => (Math.sign(cj) * Math.max(Math.abs(cj) - l1v, 0)) / (1 + l2v));

test('OWL-QN solves an elastic-net problem exactly, zeros included', () => {
  const p = c.length;
  const res = minimize(
    (x, g) => {
      let f = 0;
      for (let j = 0; j < p; j++) {
        g[j] = x[j]! - c[j]! + l2v * x[j]!;
        f += 0.5 * x[j]! * x[j]! - c[j]! * x[j]! + 0.5 * l2v * x[j]! * x[j]!;
      }
      return f;
    },
    new Float64Array(p),
    { maxIter: 200, tol: 1e-15, l1: new Float64Array(p).fill(l1v) },
  );
  for (let j = 0; j < p; j++) assert.ok(Math.abs(res.x[j]! - expected[j]!) < 1e-9, `β${j}`);
  assert.equal(res.x[1], 0);
  assert.equal(res.x[4], 0);
});

test('coordinate descent solves the same problem and respects pinned coordinates', () => {
  const p = c.length;
  const q = new Float64Array(p * p);
  for (let j = 0; j < p; j++) q[j * p + j] = 1;
  const res = elasticNetCD(q, c, p, new Float64Array(p).fill(l1v), new Float64Array(p).fill(l2v), {
    maxSweeps: 100,
    tol: 1e-14,
  });
  for (let j = 0; j < p; j++) assert.ok(Math.abs(res.beta[j]! - expected[j]!) < 1e-12);
  assert.ok(res.converged);
  const active = new Uint8Array(p).fill(1);
  active[0] = 0;
  const pinned = elasticNetCD(
    q,
    c,
    p,
    new Float64Array(p).fill(l1v),
    new Float64Array(p).fill(l2v),
    { maxSweeps: 100, tol: 1e-14 },
    active,
  );
  assert.equal(pinned.beta[0], 0);
});
