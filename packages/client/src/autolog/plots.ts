/**
 * Evaluation plots as Vega-Lite specs (rendered to SVG by figures.ts): residuals vs predictions,
 * confusion matrix, ROC and precision–recall curves, coefficients / feature importances, and the
 * tuning metric per param value. The numbers are computed here from plain arrays; the specs only draw.
 */
import type { VegaLiteSpec } from '../figures.js';

const WIDTH = 360;
const HEIGHT = 260;

/**
 * Points drawn at most in the residual scatter. Every point is one SVG element (rendering cost and file
 * size grow with it: ~190 KB and most of a plot's CPU at 500 points); 500 evenly spaced rows show the
 * shape that matters (bias, funnel, outliers) as well as 1,000. The subtitle says how many were drawn.
 */
export const RESIDUAL_POINTS = 500;

/** A subtitle with a note after it (what the plotted rows are), or the subtitle alone. */
function withNote(subtitle: string, note: string | undefined): string {
  return note ? `${subtitle}; ${note}` : subtitle;
}

/** A title, with the note as its subtitle when there is one. */
function titled(text: string, note: string | undefined): string | { text: string; subtitle: string } {
  return note ? { text, subtitle: note } : text;
}

/** Scored rows to plot: labels and the model's answers, and what they are for the subtitles. */
export interface ScoredRows {
  kind: 'classification' | 'regression';
  label: Float64Array;
  prediction: Float64Array;
  /** Class probabilities, row-major (`size` per row), when the model gives them. */
  probability?: { size: number; values: Float64Array } | undefined;
  /** Rows the scored ones were taken from (the residual plot's subtitle counts against it). */
  ofRows: number;
  /** What the rows are, when not the training rows (e.g. a tuning's out-of-fold predictions). */
  note?: string | undefined;
}

/**
 * The evaluation plots of scored rows: residuals of a regressor; a classifier's confusion matrix, and ROC
 * and precision–recall curves when it is binary (labels 0/1) with probabilities.
 */
export function scoredPlots(r: ScoredRows): Array<[string, VegaLiteSpec]> {
  if (r.kind === 'regression')
    return [['residuals.svg', residualsPlot(r.label, r.prediction, { ofRows: r.ofRows, note: r.note })]];
  const cm = confusionMatrix(r.label, r.prediction);
  const out: Array<[string, VegaLiteSpec]> = [
    ['confusion_matrix.svg', confusionMatrixPlot(cm.labels, cm.matrix, r.note)],
  ];
  const prob = r.probability;
  if (prob && prob.size === 2 && cm.labels.every((l) => l === 0 || l === 1)) {
    const score = new Float64Array(r.label.length);
    for (let i = 0; i < score.length; i++) score[i] = prob.values[i * 2 + 1]!;
    const curves = binaryCurves(r.label, score);
    out.push(
      ['roc_curve.svg', rocPlot(curves.roc, curves.auc, r.note)],
      ['pr_curve.svg', prPlot(curves.pr, r.note)],
    );
  }
  return out;
}

/**
 * Residuals (label − prediction) against predictions, at most `maxPoints` of them, evenly spaced; `ofRows`
 * (default: all the points given) is what the subtitle counts them against.
 */
export function residualsPlot(
  label: ArrayLike<number>,
  prediction: ArrayLike<number>,
  options: { maxPoints?: number; ofRows?: number; note?: string } = {},
): VegaLiteSpec {
  const all: Array<{ prediction: number; residual: number }> = [];
  for (let i = 0; i < label.length; i++) {
    const r = label[i]! - prediction[i]!;
    if (Number.isFinite(r)) all.push({ prediction: prediction[i]!, residual: r });
  }
  const max = options.maxPoints ?? RESIDUAL_POINTS;
  const values =
    all.length <= max ? all : Array.from({ length: max }, (_, k) => all[Math.floor((k * all.length) / max)]!);
  const ofRows = options.ofRows ?? label.length;
  return {
    title: {
      text: 'Residuals vs predictions',
      subtitle: withNote(
        values.length < ofRows
          ? `${values.length.toLocaleString('en-US')} of ${ofRows.toLocaleString('en-US')} rows, evenly spaced`
          : `${values.length.toLocaleString('en-US')} rows`,
        options.note,
      ),
    },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        // no ARIA label per point: hundreds of "prediction: …" labels help no screen reader (the title
        // and axes keep theirs), and they were a third of the SVG and of its rendering time
        mark: { type: 'point', opacity: 0.5, size: 12, aria: false },
        encoding: {
          x: { field: 'prediction', type: 'quantitative', scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative', title: 'label − prediction' },
        },
      },
      { mark: { type: 'rule', color: 'firebrick' }, encoding: { y: { datum: 0 } } },
    ],
  };
}

export function confusionMatrix(
  label: ArrayLike<number>,
  prediction: ArrayLike<number>,
): {
  labels: number[];
  matrix: number[][];
} {
  const set = new Set<number>();
  for (let i = 0; i < label.length; i++) {
    if (Number.isFinite(label[i]!)) set.add(label[i]!);
    if (Number.isFinite(prediction[i]!)) set.add(prediction[i]!);
  }
  const labels = [...set].sort((a, b) => a - b);
  const index = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < label.length; i++) {
    const a = index.get(label[i]!);
    const b = index.get(prediction[i]!);
    if (a !== undefined && b !== undefined) matrix[a]![b]!++;
  }
  return { labels, matrix };
}

export function confusionMatrixPlot(labels: number[], matrix: number[][], note?: string): VegaLiteSpec {
  const values = labels.flatMap((a, i) =>
    labels.map((b, j) => ({ label: String(a), prediction: String(b), count: matrix[i]![j]! })),
  );
  return {
    title: titled('Confusion matrix', note),
    width: Math.min(WIDTH, 60 * labels.length),
    height: Math.min(WIDTH, 60 * labels.length),
    data: { values },
    encoding: {
      x: { field: 'prediction', type: 'ordinal', title: 'predicted' },
      y: { field: 'label', type: 'ordinal', title: 'actual' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' } } },
      },
      {
        mark: { type: 'text', baseline: 'middle' },
        encoding: { text: { field: 'count', type: 'quantitative' } },
      },
    ],
  };
}

/**
 * ROC and precision–recall points from scores of the positive class (label 1), one point per distinct
 * threshold (Fawcett, "An introduction to ROC analysis", 2006, algorithm 1), at most `maxPoints` kept.
 */
export function binaryCurves(
  label: ArrayLike<number>,
  score: ArrayLike<number>,
  maxPoints = 200,
): {
  roc: Array<{ fpr: number; tpr: number }>;
  pr: Array<{ recall: number; precision: number }>;
  auc: number;
} {
  const idx: number[] = [];
  for (let i = 0; i < label.length; i++)
    if (Number.isFinite(score[i]!) && Number.isFinite(label[i]!)) idx.push(i);
  idx.sort((a, b) => score[b]! - score[a]!);
  let P = 0;
  for (const i of idx) if (label[i] === 1) P++;
  const N = idx.length - P;
  const roc = [{ fpr: 0, tpr: 0 }];
  const pr: Array<{ recall: number; precision: number }> = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length; k++) {
    if (label[idx[k]!] === 1) tp++;
    else fp++;
    const last = k === idx.length - 1 || score[idx[k + 1]!] !== score[idx[k]!];
    if (!last) continue;
    roc.push({ fpr: N ? fp / N : 0, tpr: P ? tp / P : 0 });
    pr.push({ recall: P ? tp / P : 0, precision: tp / (tp + fp) });
  }
  let auc = 0;
  for (let k = 1; k < roc.length; k++)
    auc += ((roc[k]!.fpr - roc[k - 1]!.fpr) * (roc[k]!.tpr + roc[k - 1]!.tpr)) / 2;
  const thin = <T>(a: T[]): T[] => {
    if (a.length <= maxPoints) return a;
    const step = a.length / maxPoints;
    const out: T[] = [];
    for (let k = 0; k < maxPoints; k++) out.push(a[Math.floor(k * step)]!);
    out.push(a[a.length - 1]!);
    return out;
  };
  return { roc: thin(roc), pr: thin(pr), auc };
}

export function rocPlot(roc: Array<{ fpr: number; tpr: number }>, auc: number, note?: string): VegaLiteSpec {
  return {
    title: titled(`ROC curve (AUC ${auc.toFixed(4)})`, note),
    width: HEIGHT,
    height: HEIGHT,
    layer: [
      {
        data: { values: roc },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate' },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate' },
        },
      },
      {
        data: { values: [{ a: 0 }, { a: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: 'gray' },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } },
      },
    ],
  };
}

export function prPlot(pr: Array<{ recall: number; precision: number }>, note?: string): VegaLiteSpec {
  return {
    title: titled('Precision–recall curve', note),
    width: HEIGHT,
    height: HEIGHT,
    data: { values: pr },
    mark: 'line',
    encoding: {
      x: { field: 'recall', type: 'quantitative', scale: { domain: [0, 1] } },
      y: { field: 'precision', type: 'quantitative', scale: { domain: [0, 1] } },
    },
  };
}

/** The file a weights plot is logged as: coefficients.svg, or feature_importances.svg for importances. */
export function weightsFile(title: string): string {
  return title === 'Coefficients' ? 'coefficients.svg' : 'feature_importances.svg';
}

/** The rows of the 40 largest weights in magnitude, largest first: the features a weights plot shows. */
function largestWeights<T extends { weight: number }>(rows: T[]): T[] {
  return rows.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, 40);
}

/** Bars of per-feature weights (coefficients or importances), largest magnitude first, at most 40. */
export function weightsPlot(
  weights: ArrayLike<number>,
  title: string,
  names?: readonly string[],
): VegaLiteSpec {
  const values = largestWeights(
    Array.from(weights, (w, i) => ({ feature: names?.[i] ?? `f${i}`, weight: w })),
  );
  return {
    title,
    width: WIDTH,
    height: { step: 14 },
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: '-x' as never, title: null },
      x: { field: 'weight', type: 'quantitative' },
    },
  } as VegaLiteSpec;
}

/** The tuning metric against the values of one param (mean ± std when stds are given). */
export function metricPerParamPlot(
  param: string,
  metric: string,
  points: Array<{ value: number | string; metric: number; std?: number }>,
): VegaLiteSpec {
  const numeric = points.every((p) => typeof p.value === 'number');
  const values = points.map((p) => ({
    value: p.value,
    metric: p.metric,
    lo: p.metric - (p.std ?? 0),
    hi: p.metric + (p.std ?? 0),
  }));
  const x = { field: 'value', type: numeric ? 'quantitative' : 'nominal', title: param } as const;
  return {
    title: `${metric} per ${param}`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true },
        encoding: { x, y: { field: 'metric', type: 'quantitative', title: metric, scale: { zero: false } } },
      },
      { mark: 'rule', encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
  } as VegaLiteSpec;
}

/**
 * The weights of several models fitted with the same params (a tuning's fold models for its best params):
 * a bar at each feature's mean over the models and a rule across its range (smallest … largest), the 40
 * largest means in magnitude. How far a weight moves from model to model says how far it can be read;
 * scikit-learn's user guide draws the same for coefficients over cross-validation folds ("Common pitfalls
 * in the interpretation of coefficients of linear models").
 */
export function weightsRangePlot(
  models: ReadonlyArray<ArrayLike<number>>,
  title: string,
  names: readonly string[] | undefined,
  note: string,
): VegaLiteSpec {
  const p = models[0]?.length ?? 0;
  const rows = Array.from({ length: p }, (_, j) => {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const w of models) {
      const v = w[j]!;
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return { feature: names?.[j] ?? `f${j}`, weight: sum / models.length, min, max };
  });
  const values = largestWeights(rows).sort((a, b) => b.weight - a.weight);
  return {
    title: titled(title, note),
    width: WIDTH,
    height: { step: 14 },
    data: { values },
    encoding: {
      // in the rows' order (largest mean first): a sort by field conflicts between the layers
      y: { field: 'feature', type: 'nominal', sort: null, title: null },
    },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x: {
            field: 'weight',
            type: 'quantitative',
            title: models.length > 1 ? 'mean (bar), range (line)' : title.toLowerCase(),
          },
        },
      },
      // one model (a TrainValidationSplit's): no range to draw
      ...(models.length > 1
        ? [
            {
              mark: { type: 'rule', color: '#333' },
              encoding: { x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
            },
          ]
        : []),
    ],
  } as VegaLiteSpec;
}
