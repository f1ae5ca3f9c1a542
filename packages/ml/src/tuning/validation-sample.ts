/**
 * The validation predictions a tuning trial reports (mlEvents 'validationScored', events.ts): those of the
 * validation rows among VALIDATION_SAMPLE_ROWS evenly spaced rows of the validator's frame, so that over a
 * CrossValidator's folds every sampled row is scored once, out of fold, whatever thread ran the trial.
 */
import { Frame } from '@cauce/frame';
import { stringParamValues, type Params } from '../param/param.js';

/** Rows of the validator's frame whose validation predictions are reported. */
export const VALIDATION_SAMPLE_ROWS = 1000;

/** The sampled validation rows of one split: their positions in `split.validation`, and their row numbers. */
export interface ValidationSample {
  positions: Int32Array;
  rows: Int32Array;
}

/** Each split's sampled validation rows, out of a frame of `numRows` rows. */
export function validationSamples(
  numRows: number,
  splits: ReadonlyArray<{ validation: Int32Array }>,
): ValidationSample[] {
  const m = Math.min(numRows, VALIDATION_SAMPLE_ROWS);
  const inSample = new Uint8Array(numRows);
  for (let i = 0; i < m; i++) inSample[Math.floor((i * numRows) / m)] = 1;
  return splits.map(({ validation }) => {
    const at: number[] = [];
    for (let j = 0; j < validation.length; j++) if (inSample[validation[j]!] === 1) at.push(j);
    const positions = Int32Array.from(at);
    return { positions, rows: positions.map((j) => validation[j]!) };
  });
}

/** Params naming the columns a scored sample carries. */
const SCORED_PARAMS = ['labelCol', 'predictionCol', 'probabilityCol', 'rawPredictionCol'];

/** The label and answer columns `owners` (the estimator's stages, the evaluator) name that `pred` has. */
export function scoredColumns(owners: ReadonlyArray<Params | object>, pred: Frame): string[] {
  return [...stringParamValues(owners, SCORED_PARAMS)].filter((c) => pred.has(c));
}

/** The sampled rows of a trial's transformed validation frame, with the scored columns only. */
export function scoredSample(pred: Frame, positions: Int32Array, columns: readonly string[]): Frame {
  return Frame.concat([pred.take(positions).select(...columns)]);
}
