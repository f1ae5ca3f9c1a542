/**
 * The training-data profile saved beside a logged model (`profile.json`), for drift monitoring: per
 * column, compact mergeable-style summaries rather than the data (the idea of whylogs profiles):
 *  - numeric: count, nulls, mean, std, min, max, quantiles, a histogram (Sturges' number of bins,
 *    as Evidently's PSI binning uses) and a seeded sample of up to 1,000 values (enough for the
 *    two-sample Kolmogorov–Smirnov / Wasserstein tests Evidently picks by default);
 *  - categorical (string, bool): count, nulls, distinct count and the 128 most frequent values;
 *  - vectors: size and per-element mean / std / min / max, from at most 1,000,000 values (the sample's
 *    evenly spaced rows, fewer of them for vectors wider than 100 elements).
 * Above `maxRows` (default 10,000) the statistics come from evenly spaced rows (quantile error ~1 %, far
 * below what drift tests resolve); `numRows`, `count` and `nulls` are always of the whole frame.
 * Format documented in docs/decisions/0008-tuning-model-format-autolog.md.
 */
import { concatColumns, type Frame, type SparseVectorColumn } from '@cauce/frame';

export const PROFILE_FORMAT = 'cauce-profile';
export const PROFILE_VERSION = 1;
const SAMPLE_SIZE = 1000;
const TOP_K = 128;

export interface NumericProfile {
  kind: 'numeric';
  type: string;
  count: number;
  nulls: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  quantiles: Record<string, number | null>;
  histogram: { edges: number[]; counts: number[] };
  distinct: number;
  sample: number[];
}
export interface CategoricalProfile {
  kind: 'categorical';
  type: string;
  count: number;
  nulls: number;
  distinct: number;
  top: Array<{ value: string; count: number }>;
  otherCount: number;
}
export interface VectorProfile {
  kind: 'vector';
  type: 'vector';
  count: number;
  size: number;
  mean: number[];
  std: number[];
  min: number[];
  max: number[];
}
export type ColumnProfile = NumericProfile | CategoricalProfile | VectorProfile;

export interface DataProfile {
  format: typeof PROFILE_FORMAT;
  version: number;
  numRows: number;
  /** Rows the statistics were computed from (numRows, or an evenly spaced sample of maxRows). */
  sampledRows: number;
  createdAt: string;
  columns: Record<string, ColumnProfile>;
}

function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  // linear interpolation between closest ranks (numpy's default 'linear' method)
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function numericProfile(values: Float64Array, type: string, seed: number): NumericProfile {
  // typed arrays throughout: this runs once per fit on autolog's logging thread, mostly not yet optimised,
  // where a boxed index array and per-element callbacks cost several ms on a 10,000-row sample
  let n = 0;
  const kept = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) kept[n++] = values[i]!;
  const finite = kept.subarray(0, n);
  const sorted = finite.slice().sort();
  let mean = 0;
  for (let i = 0; i < n; i++) mean += finite[i]!;
  mean = n ? mean / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (finite[i]! - mean) * (finite[i]! - mean);
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const min = n ? sorted[0]! : null;
  const max = n ? sorted[n - 1]! : null;
  const bins = n > 0 ? Math.max(1, Math.ceil(Math.log2(n)) + 1) : 0;
  const edges: number[] = [];
  const counts = new Array<number>(bins).fill(0);
  if (n > 0) {
    const lo = min!;
    const width = (max! - lo) / bins || 1;
    for (let b = 0; b <= bins; b++) edges.push(b === bins ? max! : lo + b * width);
    for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((finite[i]! - lo) / width))]!++;
  }
  // seeded sample without replacement (partial Fisher–Yates over indices, LCG for reproducibility)
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let s = seed >>> 0;
  const k = Math.min(SAMPLE_SIZE, n);
  for (let i = 0; i < k; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = i + (s % (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  const sample = Array.from(idx.subarray(0, k), (i) => finite[i]!);
  return {
    kind: 'numeric',
    type,
    count: values.length,
    nulls: values.length - n,
    mean: n ? mean : null,
    std: n > 1 ? Math.sqrt(ss / (n - 1)) : null,
    min,
    max,
    quantiles: Object.fromEntries(
      [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99].map((q) => [String(q), quantile(sorted, q)]),
    ),
    histogram: { edges, counts },
    distinct,
    sample,
  };
}

function categoricalProfile(values: Array<string | null>, type: string): CategoricalProfile {
  const counts = new Map<string, number>();
  let nulls = 0;
  for (const v of values) {
    if (v === null) nulls++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = sorted.slice(0, TOP_K).map(([value, count]) => ({ value, count }));
  const otherCount = sorted.slice(TOP_K).reduce((s, [, c]) => s + c, 0);
  return { kind: 'categorical', type, count: values.length, nulls, distinct: counts.size, top, otherCount };
}

function denseVectorProfile(rows: number, size: number, values: Float64Array): VectorProfile {
  const mean = new Array<number>(size).fill(0);
  const m2 = new Array<number>(size).fill(0);
  const min = new Array<number>(size).fill(Infinity);
  const max = new Array<number>(size).fill(-Infinity);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < size; j++) {
      const v = values[i * size + j]!;
      // Welford's update per element
      const d = v - mean[j]!;
      mean[j]! += d / (i + 1);
      m2[j]! += d * (v - mean[j]!);
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  return {
    kind: 'vector',
    type: 'vector',
    count: rows,
    size,
    mean,
    std: m2.map((s) => (rows > 1 ? Math.sqrt(s / (rows - 1)) : 0)),
    min,
    max,
  };
}

/**
 * The same statistics from CSR storage without densifying (issue 8, autolog overhead): assembled
 * features are mostly one-hot zeros, and densifying the 10,000-row sample of the tuning bench's
 * 252-wide vectors (then a Welford update per element) was the largest part of logging its model.
 * Two passes over the stored entries — mean, then the centred sum of squares with the implicit zeros
 * added as (n − stored)·mean² — as accurate as Welford's update (Chan, Golub & LeVeque, "Algorithms for
 * computing the sample variance", 1983); the results agree with the dense path to rounding.
 */
function sparseVectorProfile(csr: SparseSample): VectorProfile {
  const { size, indptr, indices, values, rows } = csr;
  const sum = new Float64Array(size);
  const stored = new Int32Array(size);
  const min = new Float64Array(size).fill(Infinity);
  const max = new Float64Array(size).fill(-Infinity);
  for (let i = 0; i < rows; i++) {
    for (let k = indptr[i]!, end = indptr[i + 1]!; k < end; k++) {
      const j = indices[k]!;
      const v = values[k]!;
      sum[j] = sum[j]! + v;
      stored[j] = stored[j]! + 1;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  const mean = Array.from(sum, (s) => s / rows);
  const ss = new Float64Array(size);
  for (let i = 0; i < rows; i++) {
    for (let k = indptr[i]!, end = indptr[i + 1]!; k < end; k++) {
      const j = indices[k]!;
      const d = values[k]! - mean[j]!;
      ss[j] = ss[j]! + d * d;
    }
  }
  const std: number[] = [];
  for (let j = 0; j < size; j++) {
    const zeros = rows - stored[j]!;
    if (zeros > 0) {
      ss[j] = ss[j]! + zeros * mean[j]! * mean[j]!;
      if (min[j]! > 0) min[j] = 0;
      if (max[j]! < 0) max[j] = 0;
    }
    std.push(rows > 1 ? Math.sqrt(ss[j]! / (rows - 1)) : 0);
  }
  return {
    kind: 'vector',
    type: 'vector',
    count: rows,
    size,
    mean,
    std,
    min: Array.from(min),
    max: Array.from(max),
  };
}

/**
 * What the statistics are computed from, as plain arrays: the evenly spaced sample rows of each column,
 * copied out compact, plus the whole frame's row and null counts. Cheap to build (one pass over the
 * sample) and structured-cloneable, so autolog builds it on the fit's thread when the fit starts and its
 * logging thread computes the profile while the fit runs (issue 8); `profileFrame` is the two in a row.
 */
export interface ProfileInput {
  numRows: number;
  sampledRows: number;
  seed: number;
  columns: Array<
    | { name: string; kind: 'numeric'; type: string; nulls: number; values: Float64Array }
    | { name: string; kind: 'categorical'; type: string; nulls: number; values: Array<string | null> }
    | { name: string; kind: 'dense'; rows: number; size: number; values: Float64Array }
    | ({ name: string; kind: 'sparse' } & SparseSample)
  >;
}

interface SparseSample {
  rows: number;
  size: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * The sample rows of a sparse column as compact CSR arrays of their own (its storage may be shared with a
 * larger frame): @cauce/frame's concat of the one column gathers them in a single pass.
 */
function sparseSample(name: string, col: SparseVectorColumn): SparseSample {
  const c = concatColumns(name, [col]) as SparseVectorColumn;
  return { rows: c.length, size: c.size, indptr: c.indptr, indices: c.indices, values: c.values };
}

/** Values a dense vector column's statistics are computed from, at most (rows = this / the vector size). */
export const VECTOR_CELLS = 1_000_000;

/** `m` evenly spaced row numbers out of `n`. */
function evenlySpaced(n: number, m: number): Int32Array {
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = Math.floor((i * n) / m);
  return out;
}

/**
 * The sample of every column of `frame` (or those named), from at most `maxRows` evenly spaced rows. Every
 * typed array in it is its own (never the frame's storage), so it can be transferred to another thread
 * (`profileBuffers`).
 */
export function profileInput(
  frame: Frame,
  columns?: readonly string[],
  options: { seed?: number; maxRows?: number } = {},
): ProfileInput {
  const seed = options.seed ?? 42;
  const maxRows = options.maxRows ?? 10_000;
  const n = frame.numRows;
  const sample = n > maxRows ? frame.take(evenlySpaced(n, maxRows)) : frame;
  const out: ProfileInput['columns'] = [];
  for (const name of columns ?? frame.columnNames) {
    const f = sample.field(name)!;
    // null counts of the whole frame, whatever the sample
    const nulls = frame.column(name).nullCount();
    if (f.type === 'vector') {
      // per-element statistics from at most VECTOR_CELLS values: a wide vector's sample is the largest
      // copy the fit's thread makes for autolog (issue 8). A view's rows are gathered into arrays of their
      // own, so only the frame's storage itself is copied again.
      const whole = sample.column(name);
      const size = whole.type === 'vector' ? whole.size : 1;
      const cap = Math.max(1, Math.floor(VECTOR_CELLS / Math.max(1, size)));
      const rowsOf = sample.numRows > cap ? sample.take(evenlySpaced(sample.numRows, cap)) : sample;
      const col = rowsOf.column(name);
      if (col.type === 'vector' && col.sparse && col.validity === undefined && col.length > 0) {
        out.push({ name, kind: 'sparse', ...sparseSample(name, col) });
      } else {
        const { rows, values } = rowsOf.vectors(name);
        out.push({ name, kind: 'dense', rows, size, values: rowsOf === frame ? values.slice() : values });
      }
    } else if (f.type === 'string') {
      const { codes, dictionary } = sample.strings(name);
      const values = Array.from(codes, (c) => (c < 0 ? null : dictionary[c]!));
      out.push({ name, kind: 'categorical', type: 'string', nulls, values });
    } else if (f.type === 'bool') {
      const col = sample.column(name);
      const values = Array.from({ length: sample.numRows }, (_, i) =>
        col.isNull(i) ? null : String(col.get(i)),
      );
      out.push({ name, kind: 'categorical', type: 'bool', nulls, values });
    } else {
      // an array of its own (the frame's storage when nothing was sampled): the input may be transferred
      const values = sample === frame ? sample.float64(name).slice() : sample.float64(name);
      out.push({ name, kind: 'numeric', type: f.type, nulls, values });
    }
  }
  return { numRows: n, sampledRows: sample.numRows, seed, columns: out };
}

/** The buffers of a prepared sample, for a zero-copy postMessage. */
export function profileBuffers(input: ProfileInput): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const c of input.columns) {
    if (c.kind === 'sparse')
      for (const a of [c.indptr, c.indices, c.values]) out.add(a.buffer as ArrayBuffer);
    else if (c.kind !== 'categorical') out.add(c.values.buffer as ArrayBuffer);
  }
  return [...out];
}

/** The profile of a prepared sample (`profileInput`); `columns` keeps only those named, in that order. */
export function profileOfInput(input: ProfileInput, columns?: readonly string[]): DataProfile {
  const out: Record<string, ColumnProfile> = {};
  const byName = new Map(input.columns.map((c) => [c.name, c]));
  for (const name of columns ?? input.columns.map((c) => c.name)) {
    const c = byName.get(name);
    if (!c) continue;
    let p: ColumnProfile;
    if (c.kind === 'sparse') p = sparseVectorProfile(c);
    else if (c.kind === 'dense') p = denseVectorProfile(c.rows, c.size, c.values);
    else if (c.kind === 'categorical') p = categoricalProfile(c.values, c.type);
    else p = numericProfile(c.values, c.type, input.seed);
    p.count = input.numRows;
    if (p.kind !== 'vector' && c.kind !== 'sparse' && c.kind !== 'dense') p.nulls = c.nulls;
    out[name] = p;
  }
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    numRows: input.numRows,
    sampledRows: input.sampledRows,
    createdAt: new Date().toISOString(),
    columns: out,
  };
}

/** The profile restricted to `columns` (those it has), in that order. */
export function selectProfileColumns(profile: DataProfile, columns: readonly string[]): DataProfile {
  const picked: Record<string, ColumnProfile> = {};
  for (const c of columns) if (profile.columns[c]) picked[c] = profile.columns[c];
  return { ...profile, columns: picked };
}

/** Profiles every column of `frame` (or those named), from at most `maxRows` evenly spaced rows. */
export function profileFrame(
  frame: Frame,
  columns?: readonly string[],
  options: { seed?: number; maxRows?: number } = {},
): DataProfile {
  return profileOfInput(profileInput(frame, columns, options));
}
