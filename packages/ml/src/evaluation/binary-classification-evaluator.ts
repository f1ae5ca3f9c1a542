/**
 * BinaryClassificationEvaluator (Spark ML): areaUnderROC (default) or areaUnderPR of a score column
 * against 0/1 labels. The score is rawPredictionCol: a number, or a vector of size 2 whose element 1
 * (the positive class) is used, as Spark does with rawPrediction / probability vectors.
 * numBins (default 1000) down-samples the curves like Spark; 0 computes them exactly. See binary-metrics.ts.
 */
import type { Frame } from '@cauce/frame';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gtEq, inArray } from '../param/validators.js';
import { vectorRows } from '../feature/columns.js';
import { MLError } from '../util/errors.js';
import { findField, type Schema } from '../util/schema.js';
import { areaUnderPR, areaUnderROC, binaryCurves, type BinaryCurves } from './binary-metrics.js';
import { Evaluator, readWeights, requireFinite, requireNonEmpty } from './evaluator.js';

export type BinaryMetric = 'areaUnderROC' | 'areaUnderPR';

const metricNameSpec: ParamSpec<BinaryMetric> = {
  name: 'metricName',
  doc: 'metric name in evaluation: areaUnderROC or areaUnderPR',
  type: 'string',
  validator: inArray(['areaUnderROC', 'areaUnderPR']),
  default: 'areaUnderROC',
};
const numBinsSpec: ParamSpec<number> = {
  name: 'numBins',
  doc: 'number of bins to down-sample the curves to; 0 = no down-sampling (exact)',
  type: 'int',
  validator: gtEq(0),
  default: 1000,
};

export interface BinaryClassificationEvaluatorParams {
  rawPredictionCol?: string;
  labelCol?: string;
  metricName?: BinaryMetric;
  weightCol?: string;
  numBins?: number;
}

export class BinaryClassificationEvaluator extends Evaluator {
  readonly rawPredictionCol = this.declare(shared.rawPredictionCol);
  readonly labelCol = this.declare(shared.labelCol);
  readonly metricName = this.declare(metricNameSpec);
  readonly weightCol = this.declare(shared.weightCol);
  readonly numBins = this.declare(numBinsSpec);

  constructor(params: BinaryClassificationEvaluatorParams = {}) {
    super();
    this.setParams(params);
  }
  setMetricName(v: BinaryMetric): this {
    return this.set(this.metricName, v);
  }
  getMetricName(): BinaryMetric {
    return this.getOrDefault(this.metricName);
  }
  setRawPredictionCol(v: string): this {
    return this.set(this.rawPredictionCol, v);
  }
  setLabelCol(v: string): this {
    return this.set(this.labelCol, v);
  }
  setWeightCol(v: string): this {
    return this.set(this.weightCol, v);
  }
  setNumBins(v: number): this {
    return this.set(this.numBins, v);
  }
  isLargerBetter(): boolean {
    return true;
  }

  protected checkSchema(schema: Schema): void {
    const rc = this.getOrDefault(this.rawPredictionCol);
    this.need(schema, 'rawPredictionCol', rc, ['float64', 'int32', 'int64', 'bool', 'vector']);
    const f = findField(schema, rc)!;
    if (f.type === 'vector' && f.size !== undefined && f.size !== 2) {
      throw new MLError(
        'SCHEMA_MISMATCH',
        `${this.uid}: rawPredictionCol column '${rc}' has vectors of size ${f.size}; binary evaluation needs size 2 or a number`,
        {
          stage: this.uid,
          param: 'rawPredictionCol',
          column: rc,
          hint: 'use MulticlassClassificationEvaluator',
        },
      );
    }
    this.need(schema, 'labelCol', this.getOrDefault(this.labelCol), 'numeric');
    const wc = this.get(this.weightCol);
    if (wc !== undefined) this.need(schema, 'weightCol', wc, 'numeric');
  }

  /** The (binned) cumulative counts behind both curves, for plotting ROC / PR. */
  curves(frame: Frame): BinaryCurves {
    this.checkSchema(frame.schema);
    requireNonEmpty(this.uid, frame.numRows);
    const rc = this.getOrDefault(this.rawPredictionCol);
    let scores: Float64Array;
    if (frame.column(rc).type === 'vector') {
      const r = vectorRows(frame, rc);
      if (r.size !== 2) {
        throw new MLError(
          'SCHEMA_MISMATCH',
          `${this.uid}: rawPredictionCol '${rc}' has vectors of size ${r.size}, not 2`,
          {
            stage: this.uid,
            column: rc,
          },
        );
      }
      scores = new Float64Array(r.n);
      if (r.dense) for (let i = 0; i < r.n; i++) scores[i] = r.dense[2 * i + 1]!;
      else {
        for (let i = 0; i < r.n; i++) {
          for (let k = r.indptr![i]!; k < r.indptr![i + 1]!; k++)
            if (r.indices![k] === 1) scores[i] = r.values![k]!;
        }
      }
      if (r.isNull) for (let i = 0; i < r.n; i++) if (r.isNull[i]) scores[i] = NaN;
    } else scores = frame.float64(rc);
    const lc = this.getOrDefault(this.labelCol);
    const labels = frame.float64(lc);
    requireFinite(this.uid, labels, lc);
    const w = readWeights(this.uid, frame, this.get(this.weightCol));
    return binaryCurves(scores, labels, w, this.getOrDefault(this.numBins), this.uid);
  }

  protected _evaluate(frame: Frame): number {
    const c = this.curves(frame);
    return this.getMetricName() === 'areaUnderROC' ? areaUnderROC(c) : areaUnderPR(c);
  }
}
