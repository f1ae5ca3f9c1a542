/**
 * Binary classification curves as Spark's BinaryClassificationMetrics computes them: scores sorted
 * descending and grouped by distinct value (ties form one point), optionally down-sampled to about
 * `numBins` points by merging consecutive distinct scores in groups of ⌊count/numBins⌋ (each group keeps
 * its highest score; skipped when the group size would be < 2). Then cumulative true/false positives give
 *   ROC: (0,0), (FPR, TPR) per threshold, (1,1);
 *   PR:  (0, precision at the first threshold), (recall, precision) per threshold;
 * and the areas use the trapezoid rule. With numBins = 0 the ROC area is exactly scikit-learn's
 * roc_auc_score; the PR area differs from average_precision_score (a step sum), see the tests.
 */
import { MLError } from '../util/errors.js';

export interface BinaryCurves {
  /** Distinct (possibly binned) thresholds, descending. */
  thresholds: Float64Array;
  /** Cumulative weighted true / false positives at each threshold. */
  tp: Float64Array;
  fp: Float64Array;
  positives: number;
  negatives: number;
}

/** Builds the cumulative counts. Labels must be 0 or 1; weights ≥ 0 (optional). */
export function binaryCurves(
  scores: Float64Array,
  labels: Float64Array,
  weights: Float64Array | undefined,
  numBins: number,
  stage = 'BinaryClassificationMetrics',
): BinaryCurves {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    order[i] = i;
    const l = labels[i]!;
    if (l !== 0 && l !== 1) {
      throw new MLError('INVALID_DATA', `${stage}: label ${l} at row ${i}; binary labels must be 0 or 1`, {
        stage,
        hint: 'use MulticlassClassificationEvaluator for more classes',
      });
    }
    if (Number.isNaN(scores[i]!)) {
      throw new MLError('INVALID_DATA', `${stage}: score at row ${i} is NaN`, { stage });
    }
  }
  // Distinct scores (descending) with their weighted positive / negative counts.
  const dScore: number[] = [];
  const dPos: number[] = [];
  const dNeg: number[] = [];
  if (!weights) {
    // Unweighted: sort positives' and negatives' scores separately with the native numeric sort
    // (much faster than an index sort with a comparator), then merge them from the top.
    let np = 0;
    for (let i = 0; i < n; i++) if (labels[i] === 1) np++;
    const pos = new Float64Array(np);
    const neg = new Float64Array(n - np);
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (labels[i] === 1) pos[a++] = scores[i]!;
      else neg[b++] = scores[i]!;
    }
    pos.sort();
    neg.sort();
    let a = pos.length - 1;
    let b = neg.length - 1;
    while (a >= 0 || b >= 0) {
      const s = a < 0 ? neg[b]! : b < 0 ? pos[a]! : Math.max(pos[a]!, neg[b]!);
      let cp = 0;
      let cn = 0;
      while (a >= 0 && pos[a] === s) {
        cp++;
        a--;
      }
      while (b >= 0 && neg[b] === s) {
        cn++;
        b--;
      }
      dScore.push(s);
      dPos.push(cp);
      dNeg.push(cn);
    }
  } else {
    order.sort((x, y) => scores[y]! - scores[x]!);
    for (let k = 0; k < n;) {
      const s = scores[order[k]!]!;
      let pos = 0;
      let neg = 0;
      while (k < n && scores[order[k]!] === s) {
        const i = order[k]!;
        if (labels[i] === 1) pos += weights[i]!;
        else neg += weights[i]!;
        k++;
      }
      dScore.push(s);
      dPos.push(pos);
      dNeg.push(neg);
    }
  }
  let groups = dScore.length;
  let grouping = 1;
  if (numBins > 0) {
    const g = Math.floor(dScore.length / numBins);
    if (g >= 2) {
      grouping = g;
      groups = Math.ceil(dScore.length / g);
    }
  }
  const thresholds = new Float64Array(groups);
  const tp = new Float64Array(groups);
  const fp = new Float64Array(groups);
  let ctp = 0;
  let cfp = 0;
  for (let gi = 0; gi < groups; gi++) {
    const start = gi * grouping;
    const end = Math.min(dScore.length, start + grouping);
    thresholds[gi] = dScore[start]!;
    for (let k = start; k < end; k++) {
      ctp += dPos[k]!;
      cfp += dNeg[k]!;
    }
    tp[gi] = ctp;
    fp[gi] = cfp;
  }
  if (ctp === 0 || cfp === 0) {
    throw new MLError(
      'INVALID_DATA',
      `${stage}: the labels contain only ${ctp === 0 ? 'negatives (0)' : 'positives (1)'}; ROC and PR need both classes`,
      { stage },
    );
  }
  return { thresholds, tp, fp, positives: ctp, negatives: cfp };
}

function trapezoid(x: Float64Array, y: Float64Array): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return a;
}

/** ROC points: x = FPR, y = TPR, from (0,0) to (1,1). */
export function rocCurve(c: BinaryCurves): { fpr: Float64Array; tpr: Float64Array } {
  const m = c.tp.length;
  const fpr = new Float64Array(m + 2);
  const tpr = new Float64Array(m + 2);
  for (let i = 0; i < m; i++) {
    fpr[i + 1] = c.fp[i]! / c.negatives;
    tpr[i + 1] = c.tp[i]! / c.positives;
  }
  fpr[m + 1] = 1;
  tpr[m + 1] = 1;
  return { fpr, tpr };
}

/** PR points: x = recall, y = precision, starting at (0, first precision). */
export function prCurve(c: BinaryCurves): { recall: Float64Array; precision: Float64Array } {
  const m = c.tp.length;
  const recall = new Float64Array(m + 1);
  const precision = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    const all = c.tp[i]! + c.fp[i]!;
    recall[i + 1] = c.tp[i]! / c.positives;
    precision[i + 1] = all === 0 ? 1 : c.tp[i]! / all;
  }
  precision[0] = precision[1]!;
  return { recall, precision };
}

export function areaUnderROC(c: BinaryCurves): number {
  const { fpr, tpr } = rocCurve(c);
  return trapezoid(fpr, tpr);
}

export function areaUnderPR(c: BinaryCurves): number {
  const { recall, precision } = prCurve(c);
  return trapezoid(recall, precision);
}
