import type { Frame } from './frame.js';

function cell(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (v instanceof Float64Array) {
    const shown = [...v.subarray(0, 4)].map((x) => fmtNumber(x));
    return `[${shown.join(', ')}${v.length > 4 ? `, …${v.length}` : ''}]`;
  }
  if (typeof v === 'number') return fmtNumber(v);
  const s = String(v);
  return s.length > 24 ? s.slice(0, 23) + '…' : s;
}

function fmtNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e9 || a < 1e-4) ? x.toExponential(4) : String(Number(x.toPrecision(6)));
}

/** A fixed-width text table: names, then types, then up to `maxRows` rows, then a shape line. */
export function formatFrame(frame: Frame, maxRows: number): string {
  const schema = frame.schema;
  const shown = Math.min(frame.numRows, Math.max(0, maxRows));
  const head = frame.head(shown);
  const table: string[][] = [
    schema.map((f) => f.name),
    schema.map((f) => (f.type === 'vector' ? `vector[${f.size}]${f.sparse ? ' sparse' : ''}` : f.type)),
  ];
  for (let i = 0; i < shown; i++) table.push(schema.map((f) => cell(head.column(f.name).get(i))));
  const widths = schema.map((_, j) => Math.max(...table.map((r) => r[j]!.length)));
  const line = (r: string[]): string => r.map((c, j) => c.padEnd(widths[j]!)).join(' │ ');
  const out = [line(table[0]!), line(table[1]!), widths.map((w) => '─'.repeat(w)).join('─┼─')];
  for (const r of table.slice(2)) out.push(line(r));
  const more = frame.numRows > shown ? ` (showing ${shown})` : '';
  out.push(`${frame.numRows} rows × ${schema.length} columns${more}`);
  return out.join('\n');
}
