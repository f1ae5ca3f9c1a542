// Threshold curves of a binary classifier's scores, as Spark's BinaryClassificationMetrics defines them (one
// point per distinct score, scores descending; ROC from (0,0) to (1,1), PR starting at recall 0 with the first
// threshold's precision), computed exactly: Spark's logistic-regression summary down-samples to 100 bins, we do
// not, so our areaUnderROC is the exact trapezoidal area (equal to the Mann–Whitney statistic, as
// scikit-learn's roc_auc_score).

export interface BinaryCurves {
  /** Distinct scores, descending. */
  thresholds: Float64Array;
  /** Per threshold: predicted positive when score >= threshold. */
  tpr: Float64Array;
  fpr: Float64Array;
  precision: Float64Array;
  /** ROC points (fpr, tpr) including (0,0) first and (1,1) last. */
  rocFpr: Float64Array;
  rocTpr: Float64Array;
  areaUnderROC: number;
  /** PR points (recall, precision) starting at recall 0; area by trapezoids (Spark's areaUnderPR). */
  prRecall: Float64Array;
  prPrecision: Float64Array;
  areaUnderPR: number;
}

export function binaryCurves(
  score: Float64Array,
  label: Float64Array,
  weight: Float64Array | null,
): BinaryCurves {
  const n = score.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  let totalPos = 0;
  let totalNeg = 0;
  for (let i = 0; i < n; i++) {
    const wi = weight ? weight[i]! : 1;
    if (label[i]! > 0.5) totalPos += wi;
    else totalNeg += wi;
  }
  const th: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  let cTp = 0;
  let cFp = 0;
  for (let k = 0; k < n;) {
    const s = score[order[k]!]!;
    while (k < n && score[order[k]!]! === s) {
      const i = order[k]!;
      const wi = weight ? weight[i]! : 1;
      if (label[i]! > 0.5) cTp += wi;
      else cFp += wi;
      k++;
    }
    th.push(s);
    tp.push(cTp);
    fp.push(cFp);
  }
  const m = th.length;
  const thresholds = Float64Array.from(th);
  const tpr = new Float64Array(m);
  const fpr = new Float64Array(m);
  const precision = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    tpr[k] = totalPos > 0 ? tp[k]! / totalPos : 0;
    fpr[k] = totalNeg > 0 ? fp[k]! / totalNeg : 0;
    const pp = tp[k]! + fp[k]!;
    precision[k] = pp > 0 ? tp[k]! / pp : 1;
  }
  const rocFpr = new Float64Array(m + 2);
  const rocTpr = new Float64Array(m + 2);
  rocFpr.set(fpr, 1);
  rocTpr.set(tpr, 1);
  rocFpr[m + 1] = 1;
  rocTpr[m + 1] = 1;
  const prRecall = new Float64Array(m + 1);
  const prPrecision = new Float64Array(m + 1);
  prRecall.set(tpr, 1);
  prPrecision.set(precision, 1);
  prPrecision[0] = m > 0 ? precision[0]! : 1;
  return {
    thresholds,
    tpr,
    fpr,
    precision,
    rocFpr,
    rocTpr,
    areaUnderROC: trapezoid(rocFpr, rocTpr),
    prRecall,
    prPrecision,
    areaUnderPR: trapezoid(prRecall, prPrecision),
  };
}

function trapezoid(x: Float64Array, y: Float64Array): number {
  let a = 0;
  for (let k = 1; k < x.length; k++) a += ((x[k]! - x[k - 1]!) * (y[k]! + y[k - 1]!)) / 2;
  return a;
}
