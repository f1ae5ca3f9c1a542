import type { Frame } from '@cauce/frame';
import { DataError } from '../errors.js';
import { histogram, moments, numericStats, pearsonMatrix, type Moments, type NumericStats } from './stats.js';
import { statsInWorker } from './worker-pool.js';

export interface Outliers {
  /** Tukey's fences: Q1 − 1.5·IQR and Q3 + 1.5·IQR (Tukey, Exploratory Data Analysis, 1977). */
  lowFence: number;
  highFence: number;
  count: number;
  share: number;
}

export interface ColumnSummary {
  name: string;
  type: string;
  count: number;
  nulls: number;
  nullShare: number;
  /** What to do about the nulls, in words. */
  nullStrategy: string;
  distinct: number;
  mean?: number;
  std?: number;
  min?: number;
  q1?: number;
  median?: number;
  q3?: number;
  max?: number;
  outliers?: Outliers;
  /** Most frequent values (strings and booleans), most frequent first. */
  top?: { value: string; count: number }[];
}

export interface Bin {
  start: number;
  end: number;
  count: number;
}

export interface TargetSummary {
  name: string;
  kind: 'numeric' | 'categorical';
  histogram?: Bin[];
  /** Histogram of log10 of the positive values (the course plots prices this way). */
  logHistogram?: Bin[];
  nonPositive?: number;
  classes?: { value: string; count: number }[];
}

export interface EdaSummary {
  rows: number;
  columns: ColumnSummary[];
  target?: TargetSummary;
  correlation?: { columns: string[]; matrix: number[][] };
  monthly?: {
    dateColumn: string;
    valueColumn?: string;
    months: { month: string; count: number; sum?: number }[];
  };
  /** Rows a reader left out as malformed (filled in by the caller). */
  skippedRows?: number;
}

export interface DescribeOptions {
  target?: string;
  /** Timestamp column for monthly counts (default: the first timestamp column). */
  dateColumn?: string;
  /** Column summed per month (default: the target when numeric). */
  valueColumn?: string;
  /** Most numeric columns in the correlation matrix (default 40). */
  maxCorrelationColumns?: number;
  topK?: number;
}

const NUMERIC = new Set(['float64', 'int32', 'int64', 'bool', 'timestamp']);

function nullStrategy(type: string, share: number): string {
  if (share === 0) return 'none needed';
  if (share >= 0.5) return `drop the column (${(share * 100).toFixed(0)}% missing)`;
  const numeric = type === 'float64' || type === 'int32' || type === 'int64';
  if (share < 0.05) return numeric ? 'impute the median' : 'impute the most frequent value';
  return numeric ? 'impute the median and add a was-missing indicator' : 'keep as its own "missing" category';
}

function topOf(
  codes: Int32Array,
  dictionary: readonly string[],
  k: number,
): { counts: Float64Array; top: { value: string; count: number }[] } {
  const counts = new Float64Array(dictionary.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c >= 0) counts[c]!++;
  }
  const order = Array.from(counts.keys())
    .filter((c) => counts[c]! > 0)
    .sort((a, b) => counts[b]! - counts[a]! || (dictionary[a]! < dictionary[b]! ? -1 : 1));
  return { counts, top: order.slice(0, k).map((c) => ({ value: dictionary[c]!, count: counts[c]! })) };
}

interface Precomputed {
  stats: Map<string, NumericStats>;
  correlation?: EdaSummary['correlation'] | null;
}

/** Per-column statistics, target distribution, correlations and monthly trends of a frame. */
export function describeFrame(frame: Frame, opts: DescribeOptions = {}): EdaSummary {
  return summarise(frame, opts, { stats: new Map() });
}

/**
 * `describeFrame` with the per-column sorts in worker threads while this thread computes the correlation
 * matrix; the same numbers, faster on several cores. Falls back to the single-threaded path if workers
 * cannot start.
 */
export async function describeFrameParallel(frame: Frame, opts: DescribeOptions = {}): Promise<EdaSummary> {
  checkTarget(frame, opts);
  const numeric = frame.schema.filter((f) => f.type !== 'string' && f.type !== 'vector').map((f) => f.name);
  if (numeric.length < 2 || frame.numRows < 50_000) return describeFrame(frame, opts);
  let pending: Promise<[string, NumericStats][]>;
  try {
    pending = Promise.all(
      numeric.map(async (n) => [n, await statsInWorker(frame.float64(n))] as [string, NumericStats]),
    );
  } catch {
    return describeFrame(frame, opts);
  }
  const correlation = correlationOf(frame, opts);
  try {
    return summarise(frame, opts, { stats: new Map(await pending), correlation: correlation ?? null });
  } catch {
    return summarise(frame, opts, { stats: new Map(), correlation: correlation ?? null });
  }
}

function checkTarget(frame: Frame, opts: DescribeOptions): void {
  if (opts.target !== undefined && !frame.has(opts.target)) {
    throw new DataError(
      'INVALID_ARGUMENT',
      `--target ${JSON.stringify(opts.target)} is not a column`,
      `columns: ${frame.columnNames.join(', ')}`,
    );
  }
}

/** Pearson matrix of the numeric (non-timestamp) columns that vary, or undefined when fewer than two. */
function correlationOf(frame: Frame, opts: DescribeOptions): EdaSummary['correlation'] {
  const cols: string[] = [];
  const values: Float64Array[] = [];
  const stats: Moments[] = [];
  for (const f of frame.schema) {
    if (f.type === 'string' || f.type === 'vector' || f.type === 'timestamp') continue;
    if (cols.length >= (opts.maxCorrelationColumns ?? 40)) break;
    const x = frame.float64(f.name);
    const m = moments(x);
    if (m.count > 1 && m.std > 0) {
      cols.push(f.name);
      values.push(x);
      stats.push(m);
    }
  }
  return cols.length >= 2 ? { columns: cols, matrix: pearsonMatrix(values, stats) } : undefined;
}

function summarise(frame: Frame, opts: DescribeOptions, pre: Precomputed): EdaSummary {
  const n = frame.numRows;
  const k = opts.topK ?? 10;
  if (opts.target !== undefined && !frame.has(opts.target)) {
    throw new DataError(
      'INVALID_ARGUMENT',
      `--target ${JSON.stringify(opts.target)} is not a column`,
      `columns: ${frame.columnNames.join(', ')}`,
    );
  }
  const columns: ColumnSummary[] = [];
  for (const f of frame.schema) {
    const col = frame.column(f.name);
    const nulls = col.nullCount();
    const base = {
      name: f.name,
      type: f.type === 'vector' ? `vector[${f.size}]` : f.type,
      count: n - nulls,
      nulls,
      nullShare: n === 0 ? 0 : nulls / n,
      nullStrategy: nullStrategy(f.type, n === 0 ? 0 : nulls / n),
    };
    if (col.type === 'string') {
      const { codes, dictionary } = frame.strings(f.name);
      const { counts, top } = topOf(codes, dictionary, k);
      let distinct = 0;
      for (const c of counts) if (c > 0) distinct++;
      columns.push({ ...base, distinct, top });
      continue;
    }
    if (col.type === 'vector') {
      columns.push({ ...base, distinct: NaN });
      continue;
    }
    const x = frame.float64(f.name);
    const st = pre.stats.get(f.name) ?? numericStats(x);
    pre.stats.set(f.name, st); // the target summary reuses it
    const m = st.moments;
    const summary: ColumnSummary = {
      ...base,
      distinct: st.distinct,
      mean: m.mean,
      std: m.std,
      min: m.min,
      q1: st.q1,
      median: st.median,
      q3: st.q3,
      max: m.max,
    };
    if (f.type === 'bool') {
      summary.top = [
        { value: 'true', count: Math.round(m.sum) },
        { value: 'false', count: m.count - Math.round(m.sum) },
      ].sort((a, b) => b.count - a.count);
    } else if (f.type !== 'timestamp') {
      summary.outliers = {
        lowFence: st.lowFence,
        highFence: st.highFence,
        count: st.outliers,
        share: st.finite === 0 ? 0 : st.outliers / st.finite,
      };
    }
    columns.push(summary);
  }

  const result: EdaSummary = { rows: n, columns };
  if (opts.target !== undefined)
    result.target = targetSummary(frame, opts.target, k, pre.stats.get(opts.target));

  const correlation = pre.correlation === undefined ? correlationOf(frame, opts) : pre.correlation;
  if (correlation) result.correlation = correlation;

  const dateColumn = opts.dateColumn ?? frame.schema.find((f) => f.type === 'timestamp')?.name;
  if (dateColumn !== undefined) {
    if (!frame.has(dateColumn) || frame.column(dateColumn).type !== 'timestamp') {
      throw new DataError(
        'INVALID_ARGUMENT',
        `--date-col ${JSON.stringify(dateColumn)} is not a timestamp column`,
        'cast it with --cast col=timestamp when reading',
      );
    }
    let valueColumn = opts.valueColumn;
    if (valueColumn === undefined && opts.target !== undefined && NUMERIC.has(frame.column(opts.target).type))
      valueColumn = opts.target;
    result.monthly = monthly(frame, dateColumn, valueColumn);
  }
  return result;
}

function targetSummary(frame: Frame, name: string, k: number, stats?: NumericStats): TargetSummary {
  const col = frame.column(name);
  if (col.type === 'string' || col.type === 'bool') {
    const classes =
      col.type === 'string'
        ? topOf(frame.strings(name).codes, frame.strings(name).dictionary, Math.max(k, 50)).top
        : undefined;
    return { name, kind: 'categorical', classes: classes ?? [] };
  }
  if (col.type === 'vector')
    throw new DataError('INVALID_ARGUMENT', `the target ${JSON.stringify(name)} is a vector column`);
  // Everything below is counted in passes over the values (no sort: the per-column statistics already
  // sorted this column once, in a worker).
  const x = frame.float64(name);
  const st = stats ?? numericStats(x);
  if (st.distinct <= 20) {
    const classes = new Map<number, number>();
    let integers = true;
    for (let i = 0; i < x.length && integers; i++) {
      const v = x[i]!;
      if (v !== v) continue;
      if (!Number.isInteger(v)) integers = false;
      else classes.set(v === 0 ? 0 : v, (classes.get(v === 0 ? 0 : v) ?? 0) + 1);
    }
    if (integers) {
      return {
        name,
        kind: 'categorical',
        classes: [...classes].sort((a, b) => a[0] - b[0]).map(([v, c]) => ({ value: String(v), count: c })),
      };
    }
  }
  const lo = st.finite > 0 ? st.moments.min : 0;
  const hi = st.finite > 0 ? st.moments.max : 0;
  let positive = 0;
  let minLog = Infinity;
  let maxLog = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v > 0)) continue;
    positive++;
    const l = Math.log10(v);
    if (l < minLog) minLog = l;
    if (l > maxLog) maxLog = l;
  }
  const logs = new Float64Array(positive);
  for (let i = 0, k = 0; i < x.length; i++) if (x[i]! > 0) logs[k++] = Math.log10(x[i]!);
  return {
    name,
    kind: 'numeric',
    histogram: histogram(x, 40, lo, hi),
    logHistogram: positive > 0 ? histogram(logs, 40, minLog, maxLog) : [],
    nonPositive: st.finite - positive,
  };
}

function monthly(frame: Frame, dateColumn: string, valueColumn?: string): NonNullable<EdaSummary['monthly']> {
  const t = frame.float64(dateColumn);
  const v = valueColumn === undefined ? undefined : frame.float64(valueColumn);
  const counts = new Map<number, { count: number; sum: number }>();
  for (let i = 0; i < t.length; i++) {
    const ms = t[i]!;
    if (ms !== ms) continue;
    const d = new Date(ms);
    const key = d.getUTCFullYear() * 12 + d.getUTCMonth();
    let e = counts.get(key);
    if (e === undefined) counts.set(key, (e = { count: 0, sum: 0 }));
    e.count++;
    if (v !== undefined && v[i] === v[i]) e.sum += v[i]!;
  }
  const months = [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, e]) => {
      const month = `${Math.floor(key / 12)}-${String((key % 12) + 1).padStart(2, '0')}`;
      return v === undefined ? { month, count: e.count } : { month, count: e.count, sum: e.sum };
    });
  return valueColumn === undefined ? { dateColumn, months } : { dateColumn, valueColumn, months };
}
