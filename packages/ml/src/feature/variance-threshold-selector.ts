/**
 * VarianceThresholdSelector (Spark ML `feature.VarianceThresholdSelector`): keeps the features whose
 * sample variance (n − 1) is greater than varianceThreshold (default 0: drops constant features).
 */
import type { Frame } from '@cauce/frame';
import type { StageWriter } from '../io/format.js';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gtEq } from '../param/validators.js';
import { Estimator, Model } from '../pipeline/stage.js';
import type { Schema } from '../util/schema.js';
import { denseVectorColumn, requireRows, vectorRows } from './columns.js';
import { denseOf, vectorSchema } from './vector-stage.js';
import { vectorStats } from './vector-stats.js';

const varianceThresholdSpec: ParamSpec<number> = {
  name: 'varianceThreshold',
  doc: 'features with a sample variance not greater than this are removed',
  type: 'number',
  validator: gtEq(0),
  default: 0,
};

export interface VarianceThresholdSelectorParams {
  featuresCol?: string;
  outputCol?: string;
  varianceThreshold?: number;
}

export class VarianceThresholdSelector extends Estimator<VarianceThresholdSelectorModel> {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly outputCol = this.declare(shared.outputCol);
  readonly varianceThreshold = this.declare(varianceThresholdSpec);

  constructor(params: VarianceThresholdSelectorParams = {}) {
    super();
    this.setParams(params);
  }
  setVarianceThreshold(v: number): this {
    return this.set(this.varianceThreshold, v);
  }
  setFeaturesCol(v: string): this {
    return this.set(this.featuresCol, v);
  }
  setOutputCol(v: string): this {
    return this.set(this.outputCol, v);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, undefined, undefined, this.featuresCol);
  }

  protected _fit(frame: Frame): VarianceThresholdSelectorModel {
    const s = vectorStats(vectorRows(frame, this.getOrDefault(this.featuresCol)));
    requireRows(this.uid, s.count, 'the features column (non-null vectors)');
    const t = this.getOrDefault(this.varianceThreshold);
    const selected: number[] = [];
    s.variance.forEach((v, j) => {
      if (v > t) selected.push(j);
    });
    return new VarianceThresholdSelectorModel(selected, s.mean.length);
  }
}

export class VarianceThresholdSelectorModel extends Model {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly outputCol = this.declare(shared.outputCol);
  readonly varianceThreshold = this.declare(varianceThresholdSpec);

  constructor(
    readonly selectedFeatures: readonly number[],
    readonly numFeatures: number,
    params: VarianceThresholdSelectorParams = {},
  ) {
    super();
    this.setParams(params);
  }

  transformSchema(schema: Schema): Schema {
    return vectorSchema(this, schema, this.numFeatures, this.selectedFeatures.length, this.featuresCol);
  }

  protected _transform(frame: Frame): Frame {
    const r = vectorRows(frame, this.getOrDefault(this.featuresCol));
    const idx = this.selectedFeatures;
    const m = idx.length;
    const X = r.dense ?? denseOf(r.n, r.size, r.indptr!, r.indices!, r.values!);
    const out = new Float64Array(r.n * m);
    for (let i = 0; i < r.n; i++) for (let c = 0; c < m; c++) out[i * m + c] = X[i * r.size + idx[c]!]!;
    if (r.isNull) for (let i = 0; i < r.n; i++) if (r.isNull[i]) out.fill(NaN, i * m, (i + 1) * m);
    return frame.withColumn(this.getOrDefault(this.outputCol), denseVectorColumn(m, out, r.isNull));
  }

  override writeData(w: StageWriter): void {
    w.i32('selectedFeatures', Int32Array.from(this.selectedFeatures));
    w.json('numFeatures', this.numFeatures);
  }
}

registerStage('VarianceThresholdSelector', VarianceThresholdSelector);
registerStage(
  'VarianceThresholdSelectorModel',
  VarianceThresholdSelectorModel,
  (r) => new VarianceThresholdSelectorModel([...r.i32('selectedFeatures')], r.json<number>('numFeatures')),
);
