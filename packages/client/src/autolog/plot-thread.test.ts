// The plot thread draws what the logging thread would have drawn itself (the same SVG), and a plot
// thread that cannot run hands its plots back to in-place drawing with a warning: no plot is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figureToSvg } from '../figures.js';
import { PlotThread } from './plot-thread.js';
import { residualsPlot, weightsPlot } from './plots.js';

const specs = [
  residualsPlot(
    Array.from({ length: 40 }, (_, i) => i + (i % 3)),
    Array.from({ length: 40 }, (_, i) => i),
  ),
  weightsPlot([0.5, -1.25, 2], 'Coefficients', ['a', 'b', 'c']),
];

test('plots drawn on the plot thread are the SVG figureToSvg draws in place', async () => {
  const warnings: string[] = [];
  const plots = new PlotThread((m) => warnings.push(m));
  const drawn = await Promise.all(specs.map((s) => plots.draw(s)));
  for (const [i, spec] of specs.entries()) assert.equal(drawn[i], await figureToSvg(spec));
  assert.deepEqual(warnings, []);
});

test('a plot thread that cannot start draws in place and says so', async () => {
  const warnings: string[] = [];
  const plots = new PlotThread((m) => warnings.push(m), 2, 'no-such-plot-worker');
  const drawn = await Promise.all(specs.map((s) => plots.draw(s)));
  for (const [i, spec] of specs.entries()) assert.equal(drawn[i], await figureToSvg(spec));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /the plot thread failed .*; plots are drawn on the logging thread/);
  // later plots go straight to in-place drawing
  assert.equal(await plots.draw(specs[1]!), drawn[1]);
  assert.equal(warnings.length, 1);
});

test('a spec the plot thread cannot draw is reported as the error it is', async () => {
  const plots = new PlotThread(() => undefined);
  await assert.rejects(
    plots.draw({ mark: 'no-such-mark', data: { values: [{ a: 1 }] } } as never),
    /the Vega-Lite spec does not compile/,
  );
});
