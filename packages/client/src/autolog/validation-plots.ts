/**
 * A tuned model's evaluation plots from its tuning's own validation predictions: ml reports each trial's
 * predictions on a sample of the validation rows (mlEvents 'validationScored', VALIDATION_SAMPLE_ROWS evenly
 * spaced rows of the frame); once the last trial is in, the best map's — out of fold over a
 * CrossValidator's folds, the validation rows of a TrainValidationSplit — make the residual plot (or the
 * confusion matrix, ROC and PR curves), drawn while the best map is refitted instead of after the fit
 * (issue 8: the plots were most of what a blocking fit waited for). They show how the chosen params do on
 * rows their models did not see, as scikit-learn's cross_val_predict does, rather than on the training rows.
 * With them, when the trials ran on this thread, the coefficients (or feature importances) of the best
 * map's fold models: their mean and range over the folds, also drawn during the refit (the refitted
 * model's own coefficients are in its saved files).
 */
import { Frame } from '@cauce/frame';
import { CrossValidator, mlEvents, TrainValidationSplit, type Estimator, type Model } from '@cauce/ml';
import type { VegaLiteSpec } from '../figures.js';
import { estimatorAnswer, predictorOf, type Answer } from './introspect.js';
import { scoredPlots, weightsFile, weightsRangePlot, type ScoredRows } from './plots.js';

/** The scored rows of `pred` as plots read them. */
export function scoredRows(a: Answer, pred: Frame, ofRows: number, note?: string): ScoredRows {
  const probability =
    a.probabilityCol !== undefined && pred.has(a.probabilityCol) ? pred.vectors(a.probabilityCol) : undefined;
  return {
    kind: a.kind,
    label: pred.float64(a.labelCol!),
    prediction: pred.float64(a.predictionCol),
    probability: probability && { size: probability.size, values: probability.values },
    ofRows,
    note,
  };
}

export interface ValidationPlots {
  /** The plots of map `index`'s validation predictions (undefined when they are not all in). */
  plotsFor(index: number, kind: Answer['kind']): Array<[string, VegaLiteSpec]> | undefined;
  /** Stops listening. */
  stop(): void;
}

/**
 * Listens to the trials of `est` (a CrossValidator or TrainValidationSplit being fitted on `numRows` rows;
 * `inFit` tells this fit's events from a concurrent one's) and hands the best map's plots to `onBest` as
 * soon as the last trial is in. Undefined when `est` is no validator or predicts nothing plots can show.
 */
export function validationPlots(
  est: Estimator,
  numRows: number,
  inFit: () => boolean,
  onBest: (index: number, plots: Array<[string, VegaLiteSpec]>) => void,
): ValidationPlots | undefined {
  const cv = est instanceof CrossValidator;
  if (!cv && !(est instanceof TrainValidationSplit)) return undefined;
  const answer = estimatorAnswer(est);
  if (!answer?.labelCol) return undefined;
  const numMaps = est.getEstimatorParamMaps().length;
  const larger = est.getEvaluator().isLargerBetter();
  const note = cv
    ? `out-of-fold predictions of the best params (${est.getNumFolds()}-fold CV)`
    : 'validation-split predictions of the best params';
  const modelsNote = cv
    ? `mean and range over the ${est.getNumFolds()} fold models of the best params`
    : "the best params' model on the training split";
  const scored = Array.from({ length: numMaps }, () => [] as Array<{ rows: Int32Array; frame: Frame }>);
  const metrics = Array.from({ length: numMaps }, () => [] as number[]);
  // each trial's coefficients or importances (copied: the event's model is not kept), with their names
  const weights = Array.from({ length: numMaps }, () => [] as Float64Array[]);
  let weightsOf: { title: string; names: string[] | undefined } | undefined;
  let trials = 0;
  // the plots handed over, kept for the end of the fit (which asks for the best map's again)
  let handed: { index: number; plots: Array<[string, VegaLiteSpec]> } | undefined;
  const plotsFor = (index: number, kind: Answer['kind']): Array<[string, VegaLiteSpec]> | undefined => {
    if (handed?.index === index && kind === answer.kind) return handed.plots;
    const parts = scored[index];
    if (!parts || parts.length === 0 || kind !== answer.kind) return undefined;
    // the sampled rows in frame order, whichever fold scored them
    const rows = parts.flatMap((p) => [...p.rows]);
    const order = Int32Array.from(rows.keys()).sort((a, b) => rows[a]! - rows[b]!);
    const pred = Frame.concat(parts.map((p) => p.frame)).take(order);
    if (!pred.has(answer.labelCol!) || !pred.has(answer.predictionCol)) return undefined;
    const plots = scoredPlots(scoredRows(answer, pred, numRows, note));
    // the fold models' weights when every split's model reported them (trials on worker threads do not)
    const w = weights[index]!;
    if (weightsOf && w.length === parts.length) {
      plots.unshift([
        weightsFile(weightsOf.title),
        weightsRangePlot(w, weightsOf.title, weightsOf.names, modelsNote),
      ]);
    }
    return plots;
  };
  const offScored = mlEvents.on('validationScored', (e) => {
    if (e.uid !== est.uid || !inFit()) return;
    scored[e.paramIndex]?.push({ rows: e.rows, frame: e.predictions as Frame });
    const p = e.model ? predictorOf(e.model as Model) : undefined;
    if (p?.weights) {
      weights[e.paramIndex]?.push(Float64Array.from(p.weights.values));
      weightsOf ??= { title: p.weights.title, names: p.featureNames };
    }
  });
  const offProgress = mlEvents.on('fitProgress', (e) => {
    const m = e.metrics;
    if (e.uid !== est.uid || !inFit() || m?.paramIndex === undefined || m.metric === undefined) return;
    metrics[m.paramIndex]?.push(m.metric);
    if (++trials !== m.trials) return;
    // every trial is in and the best map is being refitted: its plots now (the validator's choice: the
    // best mean metric, the first on ties; the fitted model's bestIndex is checked at the end)
    let best = 0;
    const mean = metrics.map((v) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length));
    for (let i = 1; i < mean.length; i++)
      if (larger ? mean[i]! > mean[best]! : mean[i]! < mean[best]!) best = i;
    const plots = plotsFor(best, answer.kind);
    if (plots && plots.length > 0) {
      handed = { index: best, plots };
      onBest(best, plots);
    }
  });
  return {
    plotsFor,
    stop: () => {
      offScored();
      offProgress();
    },
  };
}
