/**
 * VarianceThresholdSelector (Spark ML `feature.VarianceThresholdSelector`): keeps the features whose
 * sample variance (n − 1) is greater than varianceThreshold (default 0: drops constant features).
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gtEq } from '../param/validators.js';
import { Estimator } from '../pipeline/stage.js';
import type { Schema } from '../util/schema.js';
import { requireRows, vectorRows } from './columns.js';
import { SelectorModel, selectorModelLoader } from './selector-model.js';
import { vectorSchema } from './vector-stage.js';
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

export class VarianceThresholdSelectorModel extends SelectorModel {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly outputCol = this.declare(shared.outputCol);
  readonly varianceThreshold = this.declare(varianceThresholdSpec);

  constructor(
    selectedFeatures: readonly number[],
    numFeatures: number,
    params: VarianceThresholdSelectorParams = {},
  ) {
    super(selectedFeatures, numFeatures);
    this.setParams(params);
  }
}

registerStage('VarianceThresholdSelector', VarianceThresholdSelector);
registerStage(
  'VarianceThresholdSelectorModel',
  VarianceThresholdSelectorModel,
  selectorModelLoader((s, n) => new VarianceThresholdSelectorModel(s, n)),
);
