/**
 * Plots as SVG without a browser: a Vega-Lite spec is compiled to Vega and rendered headless
 * (`renderer: 'none'`, `toSVG()`); without node-canvas text widths are estimated, which only affects
 * label layout. The plot builders used by autolog live in autolog/plots.ts.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { View, parse } from 'vega';
import { ClientError } from './http/errors.js';

export type VegaLiteSpec = TopLevelSpec;

export async function figureToSvg(spec: VegaLiteSpec): Promise<string> {
  let view: View;
  try {
    const vg = compile(spec).spec;
    view = new View(parse(vg), { renderer: 'none' });
  } catch (err) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `the Vega-Lite spec does not compile: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
