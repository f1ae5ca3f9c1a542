import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Frame } from '@cauce/frame';
import { tempPathFor } from '../io/write.js';
import { barSpec, heatmapSpec, histogramSpec, monthlySpec, nullsSpec, renderSvg } from './charts.js';
import {
  describeFrameParallel,
  type ColumnSummary,
  type DescribeOptions,
  type EdaSummary,
} from './describe.js';

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function num(x: number | undefined, type?: string): string {
  if (x === undefined || Number.isNaN(x)) return '';
  if (type === 'timestamp')
    return new Date(x).toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e9 || a < 1e-3)
    ? x.toExponential(3)
    : x.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 1)}%`;
}

function columnRow(c: ColumnSummary): string {
  const top =
    c.top
      ?.slice(0, 3)
      .map((t) => `${esc(t.value)} (${num(t.count)})`)
      .join(', ') ?? '';
  const out = c.outliers === undefined ? '' : `${num(c.outliers.count)} (${pct(c.outliers.share)})`;
  const isTs = c.type === 'timestamp';
  const stdShown = isTs && c.std !== undefined ? c.std / 86_400_000 : c.std;
  const cells = [
    `<th>${esc(c.name)}</th>`,
    `<td>${esc(c.type)}</td>`,
    `<td>${num(c.count)}</td>`,
    `<td class="${c.nulls > 0 ? 'warn' : ''}">${num(c.nulls)} (${pct(c.nullShare)})</td>`,
    `<td>${esc(c.nullStrategy)}</td>`,
    `<td>${num(c.distinct)}</td>`,
    // A timestamp's std in milliseconds means little to a reader: show it in days.
    ...[c.mean, stdShown, c.min, c.q1, c.median, c.q3, c.max].map(
      (v, i) =>
        `<td>${num(v, i === 1 ? undefined : c.type)}${i === 1 && isTs && v !== undefined ? ' d' : ''}</td>`,
    ),
    `<td>${out}</td>`,
    `<td class="top">${top}</td>`,
  ];
  return `<tr>${cells.join('')}</tr>`;
}

/** A self-contained HTML page (inline CSS and SVG, no scripts, no CDN) for an EDA summary. */
export async function renderReport(s: EdaSummary, title: string): Promise<string> {
  const sections: string[] = [];
  const nullCols = s.columns.filter((c) => c.nulls > 0);
  sections.push(`<h2>Columns</h2>
<div class="scroll"><table>
<thead><tr><th>column</th><th>type</th><th>count</th><th>nulls</th><th>null strategy</th><th>distinct</th><th>mean</th><th>std</th><th>min</th><th>25%</th><th>50%</th><th>75%</th><th>max</th><th>IQR outliers</th><th>top values</th></tr></thead>
<tbody>${s.columns.map(columnRow).join('\n')}</tbody></table></div>`);
  if (nullCols.length > 0) sections.push(`<h2>Nulls</h2>${await renderSvg(nullsSpec(nullCols))}`);
  if (s.target !== undefined) {
    const t = s.target;
    const parts = [`<h2>Target: ${esc(t.name)}</h2>`];
    if (t.kind === 'numeric') {
      parts.push(await renderSvg(histogramSpec(t.histogram ?? [], `${t.name} (linear scale)`, t.name)));
      if ((t.logHistogram ?? []).length > 0) {
        parts.push(
          await renderSvg(histogramSpec(t.logHistogram!, `${t.name} (log10 scale)`, `log10(${t.name})`)),
        );
      }
      if ((t.nonPositive ?? 0) > 0)
        parts.push(
          `<p class="note">${num(t.nonPositive)} values ≤ 0 are left out of the log-scale plot.</p>`,
        );
    } else {
      parts.push(await renderSvg(barSpec(t.classes ?? [], `${t.name}: classes`)));
    }
    sections.push(parts.join('\n'));
  }
  const outl = s.columns.filter((c) => c.outliers !== undefined && c.outliers.count > 0);
  if (outl.length > 0) {
    sections.push(`<h2>IQR outliers</h2><p class="note">Values outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR] (Tukey's fences).</p>
<table><thead><tr><th>column</th><th>low fence</th><th>high fence</th><th>outliers</th><th>share</th></tr></thead><tbody>
${outl.map((c) => `<tr><th>${esc(c.name)}</th><td>${num(c.outliers!.lowFence)}</td><td>${num(c.outliers!.highFence)}</td><td>${num(c.outliers!.count)}</td><td>${pct(c.outliers!.share)}</td></tr>`).join('\n')}
</tbody></table>`);
  }
  if (s.correlation !== undefined)
    sections.push(`<h2>Correlations</h2>${await renderSvg(heatmapSpec(s.correlation))}`);
  if (s.monthly !== undefined && s.monthly.months.length > 0) {
    const charts = [await renderSvg(monthlySpec(s.monthly, 'count'))];
    if (s.monthly.valueColumn !== undefined) charts.push(await renderSvg(monthlySpec(s.monthly, 'sum')));
    sections.push(`<h2>Trend by month</h2>${charts.join('\n')}`);
  }
  const cats = s.columns.filter((c) => c.type === 'string' && (c.top?.length ?? 0) > 0).slice(0, 12);
  if (cats.length > 0) {
    const charts: string[] = [];
    for (const c of cats)
      charts.push(
        `<figure>${await renderSvg(barSpec(c.top!, `${c.name}: top ${c.top!.length} of ${num(c.distinct)}`))}</figure>`,
      );
    sections.push(`<h2>Categories</h2><div class="grid">${charts.join('\n')}</div>`);
  }
  const skipped =
    s.skippedRows !== undefined && s.skippedRows > 0 ? ` · ${num(s.skippedRows)} malformed rows skipped` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta{color:#666}.note{color:#666;font-size:.9rem}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.82rem}th,td{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
thead th{background:#f6f6f6;position:sticky;top:0}tbody th{text-align:left}td.top{text-align:left;white-space:normal;min-width:14rem}
td.warn{color:#b45309}.grid{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}svg{max-width:100%;height:auto}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">${num(s.rows)} rows × ${s.columns.length} columns${skipped} · generated ${new Date().toISOString()} by cauce eda</p>
${sections.join('\n')}
</body></html>
`;
}

export interface EdaOptions extends DescribeOptions {
  /** Where to write the HTML report. */
  html?: string;
  /** Where to write the JSON summary. */
  json?: string;
  title?: string;
  skippedRows?: number;
}

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Summarises a frame and writes the HTML and/or JSON report; returns the summary. */
export async function eda(frame: Frame, opts: EdaOptions = {}): Promise<EdaSummary> {
  const summary = await describeFrameParallel(frame, opts);
  if (opts.skippedRows !== undefined) summary.skippedRows = opts.skippedRows;
  if (opts.json !== undefined)
    writeAtomic(
      opts.json,
      JSON.stringify(
        summary,
        (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      ),
    );
  if (opts.html !== undefined)
    writeAtomic(opts.html, await renderReport(summary, opts.title ?? 'Exploratory data analysis'));
  return summary;
}
