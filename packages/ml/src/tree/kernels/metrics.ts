/**
 * Evaluation metrics used for early stopping, with XGBoost's names (`eval_metric`). Each takes predictions
 * in output space (values, probabilities, or n × K class probabilities) and optional weights.
 */
export type EvalMetric = 'rmse' | 'mae' | 'logloss' | 'error' | 'auc' | 'mlogloss' | 'merror';
export const EVAL_METRICS: readonly EvalMetric[] = [
  'rmse',
  'mae',
  'logloss',
  'error',
  'auc',
  'mlogloss',
  'merror',
];

export function metricIsMaximized(m: EvalMetric): boolean {
  return m === 'auc';
}

const EPS = 1e-15;

export function evalMetric(
  m: EvalMetric,
  pred: Float64Array,
  y: Float64Array,
  w: Float64Array | null,
  numClass: number,
): number {
  const n = y.length;
  let num = 0;
  let den = 0;
  if (m === 'auc') return auc(pred, y, w);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    const yi = y[i]!;
    let l: number;
    switch (m) {
      case 'rmse': {
        const d = pred[i]! - yi;
        l = d * d;
        break;
      }
      case 'mae':
        l = Math.abs(pred[i]! - yi);
        break;
      case 'logloss': {
        const p = Math.min(Math.max(pred[i]!, EPS), 1 - EPS);
        l = yi > 0.5 ? -Math.log(p) : -Math.log(1 - p);
        break;
      }
      case 'error':
        l = pred[i]! > 0.5 !== yi > 0.5 ? 1 : 0;
        break;
      case 'mlogloss': {
        const p = Math.min(Math.max(pred[i * numClass + yi]!, EPS), 1 - EPS);
        l = -Math.log(p);
        break;
      }
      case 'merror': {
        let best = 0;
        for (let k = 1; k < numClass; k++) if (pred[i * numClass + k]! > pred[i * numClass + best]!) best = k;
        l = best === yi ? 0 : 1;
        break;
      }
    }
    num += wi * l;
    den += wi;
  }
  const v = den > 0 ? num / den : NaN;
  return m === 'rmse' ? Math.sqrt(v) : v;
}

/** Area under the ROC curve with ties handled by the trapezoid rule (Fawcett 2006, algorithm 2). */
export function auc(score: Float64Array, y: Float64Array, w: Float64Array | null): number {
  const n = y.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  let tp = 0;
  let fp = 0;
  let prevTp = 0;
  let prevFp = 0;
  let area = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const wi = w ? w[i]! : 1;
    if (y[i]! > 0.5) tp += wi;
    else fp += wi;
    const next = k + 1 < n ? score[order[k + 1]!]! : NaN;
    if (next !== score[i]) {
      area += ((fp - prevFp) * (tp + prevTp)) / 2;
      prevTp = tp;
      prevFp = fp;
    }
  }
  return tp > 0 && fp > 0 ? area / (tp * fp) : NaN;
}
