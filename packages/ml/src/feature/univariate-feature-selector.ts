/**
 * UnivariateFeatureSelector / UnivariateFeatureSelectorModel (Spark ML 3.1+): scores each feature
 * against the label with a univariate test chosen by featureType × labelType, then keeps features by
 * selectionMode:
 *   categorical × categorical → Pearson's chi-squared test of independence on the contingency table
 *                               (scipy.stats.chi2_contingency without continuity correction);
 *   continuous  × categorical → one-way ANOVA F test (scikit-learn's f_classif);
 *   continuous  × continuous  → F test of the correlation (scikit-learn's f_regression).
 * Modes: numTopFeatures (the k smallest p-values, default 50), percentile (a fraction of the features,
 * default 0.1), fpr (p < threshold), fdr (Benjamini–Hochberg at the threshold), fwe (p < threshold / p,
 * Bonferroni); the last three default to 0.05. Selected indices are kept in ascending order.
 */
import type { Frame } from '@cauce/frame';
import { registerStage } from '../io/registry.js';
import type { ParamSpec } from '../param/param.js';
import { gtEq, inArray } from '../param/validators.js';
import { Estimator } from '../pipeline/stage.js';
import { chiSquaredSurvival, fSurvival } from '../util/distributions.js';
import { MLError } from '../util/errors.js';
import { requireColumn, type Schema } from '../util/schema.js';
import { labelledFeatures, SelectorModel, selectorModelLoader, withSelectorCols } from './selector-model.js';
import { vectorSchema } from './vector-stage.js';

export type FeatureKind = 'categorical' | 'continuous';
export type SelectionMode = 'numTopFeatures' | 'percentile' | 'fpr' | 'fdr' | 'fwe';

const kind = (name: string, doc: string): ParamSpec<FeatureKind> => ({
  name,
  doc,
  type: 'string',
  validator: inArray(['categorical', 'continuous']),
});
const featureTypeSpec = kind('featureType', 'the feature type: categorical or continuous (required)');
const labelTypeSpec = kind('labelType', 'the label type: categorical or continuous (required)');
const selectionModeSpec: ParamSpec<SelectionMode> = {
  name: 'selectionMode',
  doc: 'how features are selected: numTopFeatures, percentile, fpr, fdr or fwe',
  type: 'string',
  validator: inArray(['numTopFeatures', 'percentile', 'fpr', 'fdr', 'fwe']),
  default: 'numTopFeatures',
};
const selectionThresholdSpec: ParamSpec<number> = {
  name: 'selectionThreshold',
  doc: "the mode's threshold: number of features, fraction of features, or significance level (defaults 50, 0.1, 0.05)",
  type: 'number',
  validator: gtEq(0),
};

export interface UnivariateFeatureSelectorParams {
  featuresCol?: string;
  labelCol?: string;
  outputCol?: string;
  featureType?: FeatureKind;
  labelType?: FeatureKind;
  selectionMode?: SelectionMode;
  selectionThreshold?: number;
}

export interface UnivariateTestResult {
  statistic: Float64Array;
  pValue: Float64Array;
  degreesOfFreedom: Float64Array;
}

/** Distinct values of `x` mapped to 0..k−1 (in order of first appearance). */
function codes(x: Float64Array, i0: number, stride: number, n: number): { code: Int32Array; k: number } {
  const map = new Map<number, number>();
  const code = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i0 + i * stride]!;
    let c = map.get(v);
    if (c === undefined) map.set(v, (c = map.size));
    code[i] = c;
  }
  return { code, k: map.size };
}

/** The univariate test of every column of X (n × p, row-major) against y. */
export function univariateTest(
  X: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  featureType: FeatureKind,
  labelType: FeatureKind,
): UnivariateTestResult {
  const statistic = new Float64Array(p);
  const pValue = new Float64Array(p);
  const dof = new Float64Array(p);
  if (labelType === 'categorical') {
    const lab = codes(y, 0, 1, n);
    const counts = new Float64Array(lab.k);
    for (let i = 0; i < n; i++) counts[lab.code[i]!]!++;
    for (let j = 0; j < p; j++) {
      if (featureType === 'categorical') {
        const f = codes(X, j, p, n);
        const table = new Float64Array(f.k * lab.k);
        const rowSum = new Float64Array(f.k);
        for (let i = 0; i < n; i++) {
          table[f.code[i]! * lab.k + lab.code[i]!]!++;
          rowSum[f.code[i]!]!++;
        }
        let stat = 0;
        for (let a = 0; a < f.k; a++) {
          for (let b = 0; b < lab.k; b++) {
            const e = (rowSum[a]! * counts[b]!) / n;
            const d = table[a * lab.k + b]! - e;
            stat += (d * d) / e;
          }
        }
        const df = (f.k - 1) * (lab.k - 1);
        statistic[j] = stat;
        dof[j] = df;
        pValue[j] = df > 0 ? chiSquaredSurvival(stat, df) : 1;
      } else {
        // One-way ANOVA: between-group over within-group mean squares.
        const sum = new Float64Array(lab.k);
        let total = 0;
        for (let i = 0; i < n; i++) {
          const v = X[i * p + j]!;
          sum[lab.code[i]!]! += v;
          total += v;
        }
        const mean = total / n;
        let ssw = 0;
        for (let i = 0; i < n; i++) {
          const d = X[i * p + j]! - sum[lab.code[i]!]! / counts[lab.code[i]!]!;
          ssw += d * d;
        }
        let ssb = 0;
        for (let c = 0; c < lab.k; c++) {
          const d = sum[c]! / counts[c]! - mean;
          ssb += counts[c]! * d * d;
        }
        const d1 = lab.k - 1;
        const d2 = n - lab.k;
        const F = ssb / d1 / (ssw / d2);
        statistic[j] = F;
        dof[j] = d1;
        pValue[j] = fSurvival(F, d1, d2);
      }
    }
  } else {
    let my = 0;
    for (let i = 0; i < n; i++) my += y[i]!;
    my /= n;
    let syy = 0;
    for (let i = 0; i < n; i++) syy += (y[i]! - my) ** 2;
    for (let j = 0; j < p; j++) {
      let mx = 0;
      for (let i = 0; i < n; i++) mx += X[i * p + j]!;
      mx /= n;
      let sxx = 0;
      let sxy = 0;
      for (let i = 0; i < n; i++) {
        const dx = X[i * p + j]! - mx;
        sxx += dx * dx;
        sxy += dx * (y[i]! - my);
      }
      const r2 = (sxy * sxy) / (sxx * syy);
      const F = (r2 / (1 - r2)) * (n - 2);
      statistic[j] = F;
      dof[j] = n - 2;
      pValue[j] = fSurvival(F, 1, n - 2);
    }
  }
  return { statistic, pValue, degreesOfFreedom: dof };
}

/** Indices kept by a selection mode, ascending. */
export function selectByMode(pValue: Float64Array, mode: SelectionMode, threshold: number): number[] {
  const p = pValue.length;
  const order = Array.from({ length: p }, (_, j) => j).sort((a, b) => pValue[a]! - pValue[b]! || a - b);
  let keep: number[];
  switch (mode) {
    case 'numTopFeatures':
      keep = order.slice(0, Math.floor(threshold));
      break;
    case 'percentile':
      keep = order.slice(0, Math.floor(p * threshold));
      break;
    case 'fpr':
      keep = order.filter((j) => pValue[j]! < threshold);
      break;
    case 'fwe':
      keep = order.filter((j) => pValue[j]! < threshold / p);
      break;
    case 'fdr': {
      // Benjamini–Hochberg: the largest rank r with p_(r) ≤ threshold · r / p; keep ranks 1..r.
      let last = -1;
      order.forEach((j, r) => {
        if (pValue[j]! <= (threshold * (r + 1)) / p) last = r;
      });
      keep = order.slice(0, last + 1);
      break;
    }
  }
  return keep.sort((a, b) => a - b);
}

const DEFAULT_THRESHOLD: Record<SelectionMode, number> = {
  numTopFeatures: 50,
  percentile: 0.1,
  fpr: 0.05,
  fdr: 0.05,
  fwe: 0.05,
};

export class UnivariateFeatureSelector extends withSelectorCols(Estimator<UnivariateFeatureSelectorModel>) {
  readonly featureType = this.declare(featureTypeSpec);
  readonly labelType = this.declare(labelTypeSpec);
  readonly selectionMode = this.declare(selectionModeSpec);
  readonly selectionThreshold = this.declare(selectionThresholdSpec);

  constructor(params: UnivariateFeatureSelectorParams = {}) {
    super();
    this.setParams(params);
  }
  setFeatureType(v: FeatureKind): this {
    return this.set(this.featureType, v);
  }
  setLabelType(v: FeatureKind): this {
    return this.set(this.labelType, v);
  }
  setSelectionMode(v: SelectionMode): this {
    return this.set(this.selectionMode, v);
  }
  setSelectionThreshold(v: number): this {
    return this.set(this.selectionThreshold, v);
  }

  private threshold(): number {
    const mode = this.getOrDefault(this.selectionMode);
    const t = this.get(this.selectionThreshold) ?? DEFAULT_THRESHOLD[mode];
    const bad = mode === 'numTopFeatures' ? !Number.isInteger(t) : t > 1;
    if (bad) {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: selectionThreshold ${t} does not fit selectionMode '${mode}' ` +
          `(${mode === 'numTopFeatures' ? 'an integer count' : 'a value in [0, 1]'})`,
        { stage: this.uid, param: 'selectionThreshold' },
      );
    }
    return t;
  }

  transformSchema(schema: Schema): Schema {
    const ft = this.getOrDefault(this.featureType);
    const lt = this.getOrDefault(this.labelType);
    if (ft === 'categorical' && lt === 'continuous') {
      throw new MLError(
        'INVALID_PARAM',
        `${this.uid}: featureType categorical with labelType continuous has no test`,
        {
          stage: this.uid,
          param: 'featureType',
          hint: 'treat the features as continuous, or bucketize the label',
        },
      );
    }
    this.threshold();
    requireColumn(this.uid, schema, 'labelCol', this.getOrDefault(this.labelCol), 'numeric');
    return vectorSchema(this, schema, undefined, undefined, this.featuresCol);
  }

  protected _fit(frame: Frame): UnivariateFeatureSelectorModel {
    const { X, n, size, y } = labelledFeatures(this, frame, 3);
    const res = univariateTest(
      X,
      n,
      size,
      y,
      this.getOrDefault(this.featureType),
      this.getOrDefault(this.labelType),
    );
    const selected = selectByMode(res.pValue, this.getOrDefault(this.selectionMode), this.threshold());
    return new UnivariateFeatureSelectorModel(selected, size);
  }
}

export class UnivariateFeatureSelectorModel extends withSelectorCols(SelectorModel) {
  readonly featureType = this.declare(featureTypeSpec);
  readonly labelType = this.declare(labelTypeSpec);
  readonly selectionMode = this.declare(selectionModeSpec);
  readonly selectionThreshold = this.declare(selectionThresholdSpec);
}

registerStage('UnivariateFeatureSelector', UnivariateFeatureSelector);
registerStage(
  'UnivariateFeatureSelectorModel',
  UnivariateFeatureSelectorModel,
  selectorModelLoader((s, n) => new UnivariateFeatureSelectorModel(s, n)),
);
