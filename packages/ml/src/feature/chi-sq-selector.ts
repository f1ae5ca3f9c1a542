/**
 * ChiSqSelector / ChiSqSelectorModel (Spark ML, deprecated there since 3.1 in favour of
 * UnivariateFeatureSelector but still common in course material): Pearson's chi-squared test of each
 * categorical feature against a categorical label, with Spark's per-mode params (numTopFeatures = 50,
 * percentile = 0.1, fpr / fdr / fwe = 0.05) and selectorType choosing which applies.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import * as shared from '../param/shared.js';
import { gtEq, inArray, inRange } from '../param/validators.js';
import { Estimator } from '../pipeline/stage.js';
import { requireColumn, type Schema } from '../util/schema.js';
import { selectByMode, univariateTest, type SelectionMode } from './univariate-feature-selector.js';
import { labelledFeatures, SelectorModel, selectorModelLoader, withSelectorCols } from './selector-model.js';
import { vectorSchema } from './vector-stage.js';

const selectorTypeSpec: ParamSpec<SelectionMode> = {
  name: 'selectorType',
  doc: 'the selection method: numTopFeatures, percentile, fpr, fdr or fwe',
  type: 'string',
  validator: inArray(['numTopFeatures', 'percentile', 'fpr', 'fdr', 'fwe']),
  default: 'numTopFeatures',
};
const numTopFeaturesSpec: ParamSpec<number> = {
  name: 'numTopFeatures',
  doc: 'number of features with the smallest p-values to keep (selectorType numTopFeatures)',
  type: 'int',
  validator: gtEq(1),
  default: 50,
};
const level = (name: string, doc: string, def: number): ParamSpec<number> => ({
  name,
  doc,
  type: 'number',
  validator: inRange(0, 1),
  default: def,
});
const percentileSpec = level('percentile', 'fraction of the features to keep (selectorType percentile)', 0.1);
const fprSpec = level('fpr', 'the highest p-value kept (selectorType fpr)', 0.05);
const fdrSpec = level('fdr', 'the false discovery rate bound, Benjamini–Hochberg (selectorType fdr)', 0.05);
const fweSpec = level('fwe', 'the family-wise error rate bound, Bonferroni (selectorType fwe)', 0.05);

export interface ChiSqSelectorParams {
  featuresCol?: string;
  labelCol?: string;
  outputCol?: string;
  selectorType?: SelectionMode;
  numTopFeatures?: number;
  percentile?: number;
  fpr?: number;
  fdr?: number;
  fwe?: number;
}

export class ChiSqSelector extends withSelectorCols(Estimator<ChiSqSelectorModel>) {
  readonly selectorType = this.declare(selectorTypeSpec);
  readonly numTopFeatures = this.declare(numTopFeaturesSpec);
  readonly percentile = this.declare(percentileSpec);
  readonly fpr = this.declare(fprSpec);
  readonly fdr = this.declare(fdrSpec);
  readonly fwe = this.declare(fweSpec);

  constructor(params: ChiSqSelectorParams = {}) {
    super();
    this.setParams(params);
  }
  setSelectorType(v: SelectionMode): this {
    return this.set(this.selectorType, v);
  }
  setNumTopFeatures(v: number): this {
    return this.set(this.numTopFeatures, v);
  }
  setPercentile(v: number): this {
    return this.set(this.percentile, v);
  }
  setFpr(v: number): this {
    return this.set(this.fpr, v);
  }
  setFdr(v: number): this {
    return this.set(this.fdr, v);
  }
  setFwe(v: number): this {
    return this.set(this.fwe, v);
  }

  transformSchema(schema: Schema): Schema {
    requireColumn(this.uid, schema, 'labelCol', this.getOrDefault(this.labelCol), 'numeric');
    return vectorSchema(this, schema, undefined, undefined, this.featuresCol);
  }

  protected _fit(frame: Frame): ChiSqSelectorModel {
    const { X, n, size, y } = labelledFeatures(this, frame);
    const mode = this.getOrDefault(this.selectorType);
    const threshold = {
      numTopFeatures: this.getOrDefault(this.numTopFeatures),
      percentile: this.getOrDefault(this.percentile),
      fpr: this.getOrDefault(this.fpr),
      fdr: this.getOrDefault(this.fdr),
      fwe: this.getOrDefault(this.fwe),
    }[mode];
    const res = univariateTest(X, n, size, y, 'categorical', 'categorical');
    return new ChiSqSelectorModel(selectByMode(res.pValue, mode, threshold), size);
  }
}

export class ChiSqSelectorModel extends SelectorModel {
  readonly featuresCol = this.declare(shared.featuresCol);
  readonly outputCol = this.declare(shared.outputCol);
}

registerStage('ChiSqSelector', ChiSqSelector);
registerStage(
  'ChiSqSelectorModel',
  ChiSqSelectorModel,
  selectorModelLoader((s, n) => new ChiSqSelectorModel(s, n)),
);
