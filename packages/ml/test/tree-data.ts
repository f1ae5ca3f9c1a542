/**
 * Data for the tree tests, regenerated bit for bit from the integer hash that
 * test/peers/gen_trees.py uses for the peer fixtures (see `make_data` there).
 */
import { Frame, float64Column, vectorColumn } from '@cauce/frame';

export function fmix32(h0: number): number {
  let h = h0 >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashUniform(seed: number, i: number, j: number): number {
  const a = fmix32((Math.imul(seed, 0x9e3779b9) + i) >>> 0);
  return fmix32((a ^ Math.imul(j, 0x85ebca6b)) >>> 0) / 4294967296;
}

export type Task = 'regression' | 'binary' | 'multi';

export interface Data {
  x: Float64Array;
  y: Float64Array;
  n: number;
  p: number;
}

export function makeData(seed: number, n: number, p: number, task: Task, missing = 0): Data {
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) x[i * p + j] = 2 * hashUniform(seed, i, j) - 1;
    const r = x.subarray(i * p, (i + 1) * p);
    const noise = hashUniform(seed + 1, i, 0) + hashUniform(seed + 1, i, 1) - 1;
    const f = 2 * r[0]! + (r[1]! > 0 ? 1.5 : -0.5) + r[2]! * r[3]! * 3 + Math.abs(r[4]!) * 2;
    if (missing > 0) {
      for (let j = 1; j < p; j++) if (hashUniform(seed + 2, i, j) < missing) r[j] = NaN;
    }
    if (task === 'regression') y[i] = 10 + 3 * f + 2 * noise;
    else if (task === 'binary') y[i] = f + 1.5 * noise > 1 ? 1 : 0;
    else {
      const v = f + noise;
      y[i] = v < 0.5 ? 0 : v < 2 ? 1 : 2;
    }
  }
  return { x, y, n, p };
}

/** The fixture split: row i is a test row when fmix32(i + 42·0x9E3779B9) mod 5 = 0. */
export function split(d: Data): { train: Data; test: Data } {
  const tr: number[] = [];
  const te: number[] = [];
  for (let i = 0; i < d.n; i++)
    ((fmix32((i + Math.imul(42, 0x9e3779b9)) >>> 0) % 5 === 0 ? te : tr) as number[]).push(i);
  const pick = (rows: number[]): Data => {
    const x = new Float64Array(rows.length * d.p);
    rows.forEach((r, k) => x.set(d.x.subarray(r * d.p, (r + 1) * d.p), k * d.p));
    return { x, y: Float64Array.from(rows, (r) => d.y[r]!), n: rows.length, p: d.p };
  };
  return { train: pick(tr), test: pick(te) };
}

export function toFrame(d: Data, extra: Record<string, Float64Array> = {}): Frame {
  const cols: Record<string, ReturnType<typeof float64Column> | ReturnType<typeof vectorColumn>> = {
    features: vectorColumn(d.p, d.x),
    label: float64Column(d.y),
  };
  for (const [k, v] of Object.entries(extra)) cols[k] = float64Column(v);
  return Frame.fromColumns(cols);
}

export function r2(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let mu = 0;
  for (let i = 0; i < y.length; i++) mu += y[i]!;
  mu /= y.length;
  let ss = 0;
  let st = 0;
  for (let i = 0; i < y.length; i++) {
    ss += (pred[i]! - y[i]!) ** 2;
    st += (y[i]! - mu) ** 2;
  }
  return 1 - ss / st;
}

/** Exact AUC (Mann–Whitney with midranks). */
export function auc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  const rank = new Float64Array(y.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]!] === score[idx[i]!]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      pos++;
      sum += rank[i]!;
    }
  }
  const neg = y.length - pos;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Column of probabilities of class 1 from an n × 2 probability vector column. */
export function positiveProb(frame: Frame, col = 'probability'): Float64Array {
  const v = frame.vectors(col);
  return Float64Array.from({ length: v.rows }, (_, i) => v.values[i * v.size + 1]!);
}
