/** How `cauce train` / `cauce tune` print their result: a table for people, `--json` for programs. */
import type { TrainResult, TuneResult } from './run.js';

function show(v: unknown): string {
  if (typeof v === 'number') return fmt(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  return a < 1e-4 || a >= 1e9 ? x.toExponential(5) : Number(x.toPrecision(7)).toString();
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[], right: boolean): string =>
    cells
      .map((cell, c) =>
        right && /^[-+\d.eE]+$/.test(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((w, c) => (header[c] === '' ? '' : '-'.repeat(w)));
  return [line(header, false), line(rule, false), ...rows.map((r) => line(r, true))].join('\n');
}

function trackingLines(r: TrainResult | TuneResult): string[] {
  const t = r.tracking;
  if (!t) return [];
  const out = [`run ${t.runId} (experiment ${t.experimentId}) at ${t.trackingUri}`, `model ${t.modelUri}`];
  if (t.registered)
    out.push(
      `registered ${t.registered.name} version ${t.registered.version}` +
        (t.registered.alias !== undefined ? ` (models:/${t.registered.name}@${t.registered.alias})` : ''),
    );
  return out;
}

export function formatTune(r: TuneResult): string {
  const keys = Object.keys(r.bestParams);
  const hasStd = r.results.some((x) => x.std !== undefined);
  const metricHead = r.numFolds !== undefined ? `avg ${r.metric}` : `validation ${r.metric}`;
  const header = ['#', ...keys, metricHead, ...(hasStd ? [`std ${r.metric}`] : []), ''];
  const rows = r.results.map((x, i) => [
    String(i),
    ...keys.map((k) => show(x.params[k])),
    fmt(x.metric),
    ...(hasStd ? [x.std === undefined ? '' : fmt(x.std)] : []),
    i === r.bestIndex ? '← best' : '',
  ]);
  const how = r.numFolds !== undefined ? `${r.numFolds}-fold CrossValidator` : 'TrainValidationSplit';
  const lines = [
    `${how}: ${r.results.length} param maps, ${r.trials} trials on ${r.trainRows} rows in ${(r.elapsedMs / 1000).toFixed(1)} s` +
      ` (${r.metric}, ${r.isLargerBetter ? 'larger' : 'smaller'} is better)`,
    '',
    table(header, rows),
    '',
    `best: ${keys.map((k) => `${k}=${show(r.bestParams[k])}`).join(', ')}  ${metricHead} ${fmt(r.bestMetric)}`,
  ];
  for (const [k, v] of Object.entries(r.testMetrics)) lines.push(`test ${k}: ${fmt(v)} (${r.testRows} rows)`);
  if (r.output !== undefined) lines.push(`saved the best PipelineModel to ${r.output}`);
  lines.push(...trackingLines(r));
  return lines.join('\n') + '\n';
}

export function formatTrain(r: TrainResult): string {
  const lines = [
    `trained ${r.stages.join(' → ')} on ${r.trainRows} rows in ${(r.elapsedMs / 1000).toFixed(1)} s`,
  ];
  if (r.metric !== undefined) {
    const rows = [['train', String(r.trainRows), fmt(r.trainMetrics[r.metric]!)]];
    if (r.testMetrics[r.metric] !== undefined)
      rows.push(['test', String(r.testRows), fmt(r.testMetrics[r.metric]!)]);
    lines.push('', table(['data', 'rows', r.metric], rows), '');
  }
  if (r.output !== undefined) lines.push(`saved the PipelineModel to ${r.output}`);
  lines.push(...trackingLines(r));
  return lines.join('\n') + '\n';
}
