// figureToSvg reuses the compiled and parsed spec of a plot shape and feeds it the new data: the SVG must
// be the one a fresh Vega-Lite compile draws, for every plot kind autolog makes, drawn twice with other data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { View, parse } from 'vega';
import { figureToSvg, type VegaLiteSpec } from './figures.js';
import {
  binaryCurves,
  confusionMatrix,
  confusionMatrixPlot,
  metricPerParamPlot,
  prPlot,
  residualsPlot,
  rocPlot,
  weightsPlot,
} from './autolog/plots.js';

async function fresh(spec: VegaLiteSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Vega numbers gradients with a process-wide counter; everything else must match. */
const normalise = (svg: string): string => svg.replace(/gradient_\d+/g, 'gradient_N');

function plots(seed: number): Record<string, VegaLiteSpec> {
  const n = 40 * seed;
  const label = Float64Array.from({ length: n }, (_, i) => Math.sin(i * seed) * 10 + i / 10);
  const pred = Float64Array.from({ length: n }, (_, i) => i / 10 + seed);
  const y = Float64Array.from({ length: n }, (_, i) => (Math.sin(i * seed) > 0 ? 1 : 0));
  const score = Float64Array.from({ length: n }, (_, i) => (Math.sin(i * seed) + Math.cos(i)) / 4 + 0.5);
  const curves = binaryCurves(y, score);
  const cm = confusionMatrix(
    y,
    score.map((v) => (v > 0.5 ? 1 : 0)),
  );
  return {
    residuals: residualsPlot(label, pred, { maxPoints: 50 }),
    weights: weightsPlot(
      Float64Array.from({ length: 12 }, (_, i) => Math.cos(i * seed)),
      'Coefficients',
    ),
    tuning: metricPerParamPlot(
      'regParam',
      'avg_rmse',
      [0.01, 0.1, 1, 10].map((v, i) => ({ value: v * seed, metric: 3 + i / seed, std: 0.1 })),
    ),
    nominal: metricPerParamPlot('fitIntercept', 'avg_rmse', [
      { value: 'true', metric: 1 + seed },
      { value: 'false', metric: 2 },
    ]),
    confusion: confusionMatrixPlot(cm.labels, cm.matrix),
    roc: rocPlot(curves.roc, curves.auc),
    pr: prPlot(curves.pr),
  };
}

test('a cached plot shape draws the same SVG as a fresh compile, whatever the data', async () => {
  for (const seed of [1, 2]) {
    const a = plots(seed);
    const b = plots(seed); // the same numbers in fresh objects (Vega tags the data it ingests)
    for (const [kind, spec] of Object.entries(a)) {
      const svg = await figureToSvg(spec);
      assert.match(svg, /^<svg/);
      assert.equal(normalise(svg), normalise(await fresh(b[kind]!)), `${kind}, data set ${seed}`);
    }
  }
});

test('specs whose inline data Vega-Lite rewrites (primitives, a format) draw as a fresh compile does', async () => {
  const specs = [
    {
      data: { values: [3, 1, 2] },
      mark: 'bar',
      encoding: { y: { field: 'data', type: 'quantitative' }, x: { field: 'data', type: 'ordinal' } },
    },
    {
      data: { values: [{ a: '1' }, { a: '4' }], format: { parse: { a: 'number' } } },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' } },
    },
  ] as unknown as VegaLiteSpec[];
  for (const spec of specs) {
    for (let round = 0; round < 2; round++) {
      assert.equal(
        normalise(await figureToSvg(structuredClone(spec))),
        normalise(await fresh(structuredClone(spec))),
      );
    }
  }
});

test('the residual scatter draws at most maxPoints, evenly spaced, and says so', async () => {
  const n = 1000;
  const spec = residualsPlot(
    Float64Array.from({ length: n }, (_, i) => i + (i % 3)),
    Float64Array.from({ length: n }, (_, i) => i),
    { maxPoints: 100, ofRows: 80_000 },
  ) as { data: { values: Array<{ prediction: number }> }; title: { subtitle: string } };
  assert.equal(spec.data.values.length, 100);
  assert.deepEqual(
    spec.data.values.slice(0, 3).map((v) => v.prediction),
    [0, 10, 20],
  );
  assert.equal(spec.title.subtitle, '100 of 80,000 rows, evenly spaced');
  assert.match(await figureToSvg(spec as VegaLiteSpec), /100 of 80,000 rows/);
});

test('a spec that does not compile is a clear INVALID_ARGUMENT error', async () => {
  await assert.rejects(
    figureToSvg({ mark: 'no-such-mark', data: { values: [{ a: 1 }] } } as unknown as VegaLiteSpec),
    (err: Error & { code?: string }) =>
      err.code === 'INVALID_ARGUMENT' && /does not compile/.test(err.message),
  );
});
