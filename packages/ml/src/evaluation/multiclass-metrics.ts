/**
 * Multiclass metrics as Spark's MulticlassMetrics defines them, from one pass that builds the weighted
 * confusion matrix. Classes are the distinct values seen as label or prediction, sorted ascending.
 *   precision(l) = tp/(tp+fp) (0 when nothing was predicted l), recall(l) = tp/count(l),
 *   F_β(l) = (1+β²)·p·r/(β²·p + r) (0 when p = r = 0), FPR(l) = fp/(total − count(l)),
 *   weighted X = Σ_l count(l)/total · X(l) over the labels that occur as true labels,
 *   accuracy = Σ tp / total, hammingLoss = 1 − accuracy.
 */
export interface ConfusionMatrix {
  /** Class values, ascending; row/column k of `matrix` is class labels[k]. */
  labels: number[];
  /** matrix[actual][predicted], weighted counts (Spark's layout: rows are true labels). */
  matrix: number[][];
}

export function confusionMatrixOf(
  labels: Float64Array,
  predictions: Float64Array,
  weights?: Float64Array,
): ConfusionMatrix {
  const classes = new Set<number>();
  for (let i = 0; i < labels.length; i++) {
    classes.add(labels[i]!);
    classes.add(predictions[i]!);
  }
  const sorted = [...classes].sort((a, b) => a - b);
  const pos = new Map<number, number>();
  sorted.forEach((c, k) => pos.set(c, k));
  const k = sorted.length;
  const flat = new Float64Array(k * k);
  for (let i = 0; i < labels.length; i++) {
    flat[pos.get(labels[i]!)! * k + pos.get(predictions[i]!)!]! += weights ? weights[i]! : 1;
  }
  const matrix = Array.from({ length: k }, (_, r) => Array.from(flat.subarray(r * k, r * k + k)));
  return { labels: sorted, matrix };
}

export class MulticlassMetrics {
  readonly labels: number[];
  readonly total: number;
  private readonly tp: number[];
  private readonly fp: number[];
  private readonly count: number[];

  constructor(readonly confusion: ConfusionMatrix) {
    this.labels = confusion.labels;
    const m = confusion.matrix;
    const k = this.labels.length;
    this.tp = this.labels.map((_, l) => m[l]![l]!);
    this.count = m.map((row) => row.reduce((s, v) => s + v, 0));
    this.fp = this.labels.map((_, l) => {
      let s = 0;
      for (let r = 0; r < k; r++) if (r !== l) s += m[r]![l]!;
      return s;
    });
    this.total = this.count.reduce((s, v) => s + v, 0);
  }

  private idx(label: number): number {
    return this.labels.indexOf(label);
  }

  precision(label: number): number {
    const l = this.idx(label);
    if (l < 0) return 0;
    const d = this.tp[l]! + this.fp[l]!;
    return d === 0 ? 0 : this.tp[l]! / d;
  }
  recall(label: number): number {
    const l = this.idx(label);
    if (l < 0 || this.count[l] === 0) return 0;
    return this.tp[l]! / this.count[l]!;
  }
  truePositiveRate(label: number): number {
    return this.recall(label);
  }
  falsePositiveRate(label: number): number {
    const l = this.idx(label);
    if (l < 0) return 0;
    const negatives = this.total - this.count[l]!;
    return negatives === 0 ? 0 : this.fp[l]! / negatives;
  }
  fMeasure(label: number, beta = 1): number {
    const p = this.precision(label);
    const r = this.recall(label);
    const b2 = beta * beta;
    return p + r === 0 ? 0 : ((1 + b2) * p * r) / (b2 * p + r);
  }
  get accuracy(): number {
    return this.tp.reduce((s, v) => s + v, 0) / this.total;
  }
  get hammingLoss(): number {
    return 1 - this.accuracy;
  }
  private weighted(f: (label: number) => number): number {
    let s = 0;
    this.labels.forEach((lab, l) => {
      if (this.count[l]! > 0) s += (this.count[l]! / this.total) * f(lab);
    });
    return s;
  }
  get weightedPrecision(): number {
    return this.weighted((l) => this.precision(l));
  }
  get weightedRecall(): number {
    return this.weighted((l) => this.recall(l));
  }
  get weightedTruePositiveRate(): number {
    return this.weightedRecall;
  }
  get weightedFalsePositiveRate(): number {
    return this.weighted((l) => this.falsePositiveRate(l));
  }
  weightedFMeasure(beta = 1): number {
    return this.weighted((l) => this.fMeasure(l, beta));
  }
}
