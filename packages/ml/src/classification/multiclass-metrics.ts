// Per-label and weighted metrics from a (weighted) confusion matrix, as Spark's MulticlassMetrics defines them:
// weighted averages use each label's share of the (weighted) instances; precision of a label never predicted
// is 0 (Spark's convention).

export interface MulticlassStats {
  labels: number[];
  /** confusion[actual][predicted], weighted counts. */
  confusion: number[][];
  accuracy: number;
  truePositiveRateByLabel: number[];
  falsePositiveRateByLabel: number[];
  precisionByLabel: number[];
  recallByLabel: number[];
  fMeasureByLabel: number[];
  weightedTruePositiveRate: number;
  weightedFalsePositiveRate: number;
  weightedPrecision: number;
  weightedRecall: number;
  weightedFMeasure: number;
}

export function multiclassStats(
  prediction: Float64Array,
  label: Float64Array,
  weight: Float64Array | null,
  numClasses: number,
  beta = 1,
): MulticlassStats {
  const K = numClasses;
  const conf: number[][] = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let total = 0;
  for (let i = 0; i < label.length; i++) {
    const wi = weight ? weight[i]! : 1;
    conf[label[i]!]![prediction[i]!]! += wi;
    total += wi;
  }
  const actual = conf.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = new Array<number>(K).fill(0);
  for (let a = 0; a < K; a++) for (let p = 0; p < K; p++) predicted[p]! += conf[a]![p]!;
  const tpr: number[] = [];
  const fpr: number[] = [];
  const prec: number[] = [];
  const f: number[] = [];
  let correct = 0;
  const b2 = beta * beta;
  for (let k = 0; k < K; k++) {
    const tp = conf[k]![k]!;
    correct += tp;
    const fp = predicted[k]! - tp;
    tpr.push(actual[k]! > 0 ? tp / actual[k]! : 0);
    const neg = total - actual[k]!;
    fpr.push(neg > 0 ? fp / neg : 0);
    prec.push(predicted[k]! > 0 ? tp / predicted[k]! : 0);
    const pr = prec[k]!;
    const rc = tpr[k]!;
    f.push(pr + rc > 0 ? ((1 + b2) * pr * rc) / (b2 * pr + rc) : 0);
  }
  const wavg = (v: number[]) => v.reduce((s, x, k) => s + (x * actual[k]!) / total, 0);
  return {
    labels: Array.from({ length: K }, (_, k) => k),
    confusion: conf,
    accuracy: correct / total,
    truePositiveRateByLabel: tpr,
    falsePositiveRateByLabel: fpr,
    precisionByLabel: prec,
    recallByLabel: tpr,
    fMeasureByLabel: f,
    weightedTruePositiveRate: wavg(tpr),
    weightedFalsePositiveRate: wavg(fpr),
    weightedPrecision: wavg(prec),
    weightedRecall: wavg(tpr),
    weightedFMeasure: wavg(f),
  };
}
