// Vega-Lite specs rendered to SVG strings at build time (headless: renderer 'none', no canvas), so the
// report carries its pictures inline and opens offline. Without canvas, text widths are estimated.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Bin, EdaSummary } from './describe.js';

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
const config = {
  font: FONT,
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  view: { stroke: null },
  background: 'white',
};

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile({ ...spec, config } as TopLevelSpec).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function histogramSpec(bins: Bin[], title: string, xTitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 520,
    height: 220,
    data: { values: bins.map((b) => ({ start: b.start, end: b.end, count: b.count })) },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      x: { field: 'start', type: 'quantitative', bin: { binned: true }, title: xTitle },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: 'rows' },
    },
  };
}

export function barSpec(rows: { value: string; count: number }[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: { step: 16 },
    data: { values: rows },
    mark: { type: 'bar', color: '#72b7b2' },
    encoding: {
      y: { field: 'value', type: 'nominal', sort: '-x', title: null },
      x: { field: 'count', type: 'quantitative', title: 'rows' },
    },
  };
}

export function heatmapSpec(corr: NonNullable<EdaSummary['correlation']>): TopLevelSpec {
  const values: { a: string; b: string; r: number | null }[] = [];
  corr.columns.forEach((a, i) =>
    corr.columns.forEach((b, j) => {
      const r = corr.matrix[i]![j]!;
      values.push({ a, b, r: Number.isFinite(r) ? Math.round(r * 100) / 100 : null });
    }),
  );
  const step = Math.max(12, Math.min(28, Math.floor(560 / corr.columns.length)));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Pearson correlation',
    width: { step },
    height: { step },
    data: { values },
    encoding: {
      x: { field: 'a', type: 'nominal', sort: corr.columns, title: null },
      y: { field: 'b', type: 'nominal', sort: corr.columns, title: null },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'r',
            type: 'quantitative',
            scale: { scheme: 'redblue', domain: [-1, 1], reverse: true },
            title: 'r',
          },
        },
      },
      ...(corr.columns.length <= 16
        ? [
            {
              mark: { type: 'text' as const, fontSize: 9 },
              encoding: { text: { field: 'r', type: 'quantitative' as const, format: '.2f' } },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
}

export function monthlySpec(m: NonNullable<EdaSummary['monthly']>, field: 'count' | 'sum'): TopLevelSpec {
  const title = field === 'count' ? `Rows per month (${m.dateColumn})` : `Sum of ${m.valueColumn} per month`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 560,
    height: 200,
    data: {
      values: m.months.map((x) => ({
        month: `${x.month}-01`,
        value: field === 'count' ? x.count : (x.sum ?? 0),
      })),
    },
    mark: { type: 'line', point: true, color: '#e45756' },
    encoding: {
      x: { field: 'month', type: 'temporal', timeUnit: 'utcyearmonth', title: 'month' },
      y: { field: 'value', type: 'quantitative', title: field === 'count' ? 'rows' : 'sum' },
    },
  };
}

export function nullsSpec(cols: { name: string; nullShare: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Share of nulls per column',
    width: 420,
    height: { step: 14 },
    data: { values: cols.map((c) => ({ name: c.name, share: c.nullShare })) },
    mark: { type: 'bar', color: '#f58518' },
    encoding: {
      y: { field: 'name', type: 'nominal', sort: '-x', title: null },
      x: {
        field: 'share',
        type: 'quantitative',
        axis: { format: '%' },
        scale: { domain: [0, 1] },
        title: 'nulls',
      },
    },
  };
}
