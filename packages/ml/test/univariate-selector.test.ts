// UnivariateFeatureSelector against scikit-learn (f_classif, f_regression, Select* selectors) and
// scipy (chi2_contingency without correction) — numbers from test/peers/gen_features.py.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, vectorColumn } from '@cauce/frame';
import {
  ChiSqSelector,
  MLError,
  UnivariateFeatureSelector,
  univariateTest,
  type SelectionMode,
} from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';
import { assertClose, fixture } from './support/fixtures.js';

interface Fx {
  univariate: {
    X: number[][];
    yClass: number[];
    yReg: number[];
    Xcat: number[][];
    fClassif: { F: number[]; p: number[] };
    fRegression: { F: number[]; p: number[] };
    chi2: { stat: number[]; p: number[]; dof: number[] };
    selected: Record<'classif' | 'regression', Record<string, number[]>>;
  };
}
const u = fixture<Fx>('features.json').univariate;
const n = u.X.length;
const X = Float64Array.from(u.X.flat());
const frame = Frame.fromColumns({
  features: vectorColumn(8, X),
  cat: vectorColumn(u.Xcat),
  yc: Float64Array.from(u.yClass),
  yr: Float64Array.from(u.yReg),
});

const isML =
  (code: string, ...mentions: string[]) =>
  (e: unknown) => {
    assert.ok(e instanceof MLError, String(e));
    assert.equal(e.code, code, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `'${m}' in ${e.message}`);
    return true;
  };

describe('univariate tests vs scikit-learn / scipy', () => {
  test('ANOVA F (continuous × categorical) = f_classif', () => {
    const r = univariateTest(X, n, 8, Float64Array.from(u.yClass), 'continuous', 'categorical');
    assertClose(r.statistic, u.fClassif.F, 1e-10, 'F');
    assertClose(r.pValue, u.fClassif.p, 1e-9, 'p');
  });
  test('F regression (continuous × continuous) = f_regression', () => {
    const r = univariateTest(X, n, 8, Float64Array.from(u.yReg), 'continuous', 'continuous');
    assertClose(r.statistic, u.fRegression.F, 1e-10, 'F');
    assertClose(r.pValue, u.fRegression.p, 1e-9, 'p');
  });
  test('chi-squared (categorical × categorical) = chi2_contingency(correction=False)', () => {
    const r = univariateTest(
      Float64Array.from(u.Xcat.flat()),
      n,
      4,
      Float64Array.from(u.yClass),
      'categorical',
      'categorical',
    );
    assertClose(r.statistic, u.chi2.stat, 1e-10, 'stat');
    assertClose(r.pValue, u.chi2.p, 1e-9, 'p');
    assert.deepEqual([...r.degreesOfFreedom], u.chi2.dof);
  });
});

describe('selection modes = sklearn SelectKBest / SelectPercentile / SelectFpr / SelectFdr / SelectFwe', () => {
  const cases: Array<[SelectionMode, number, string]> = [
    ['numTopFeatures', 3, 'numTopFeatures3'],
    ['percentile', 0.5, 'percentile50'],
    ['fpr', 0.05, 'fpr0.05'],
    ['fdr', 0.05, 'fdr0.05'],
    ['fwe', 0.05, 'fwe0.05'],
  ];
  for (const [labelType, col, key] of [
    ['categorical', 'yc', 'classif'],
    ['continuous', 'yr', 'regression'],
  ] as const) {
    for (const [mode, t, name] of cases) {
      test(`${key}: ${mode} ${t}`, async () => {
        const m = await new UnivariateFeatureSelector({
          featuresCol: 'features',
          labelCol: col,
          outputCol: 'sel',
          featureType: 'continuous',
          labelType,
          selectionMode: mode,
          selectionThreshold: t,
        }).fit(frame);
        assert.deepEqual(m.selectedFeatures, u.selected[key][name]);
        const out = (await m.transform(frame)).vectors('sel');
        assert.equal(out.size, m.selectedFeatures.length);
      });
    }
  }

  test('params that do not fit together are refused before fitting', async () => {
    const s = new UnivariateFeatureSelector({
      featuresCol: 'cat',
      labelCol: 'yr',
      outputCol: 'o',
      featureType: 'categorical',
      labelType: 'continuous',
    });
    await assert.rejects(s.fit(frame), isML('INVALID_PARAM', 'no test'));
    const t = new UnivariateFeatureSelector({
      featuresCol: 'features',
      labelCol: 'yc',
      outputCol: 'o',
      featureType: 'continuous',
      labelType: 'categorical',
      selectionMode: 'fpr',
      selectionThreshold: 3,
    });
    await assert.rejects(t.fit(frame), isML('INVALID_PARAM', 'selectionThreshold 3', "'fpr'"));
    await assert.rejects(
      new UnivariateFeatureSelector({ featuresCol: 'features', labelCol: 'yc', outputCol: 'o' }).fit(frame),
      isML('INVALID_PARAM', 'featureType', 'not set'),
    );
  });
});

conformanceSuite('UnivariateFeatureSelector', {
  make: () =>
    new UnivariateFeatureSelector({
      featuresCol: 'features',
      labelCol: 'yc',
      outputCol: 'o',
      featureType: 'continuous',
      labelType: 'categorical',
      selectionMode: 'numTopFeatures',
      selectionThreshold: 2,
    }),
  frame,
  invalidParams: [
    ['selectionMode', 'top'],
    ['featureType', 'ordinal'],
    ['selectionThreshold', -1],
  ],
});

describe('ChiSqSelector', () => {
  test('keeps the features with the smallest chi-squared p-values (scipy)', async () => {
    const m = await new ChiSqSelector({
      featuresCol: 'cat',
      labelCol: 'yc',
      outputCol: 'o',
      numTopFeatures: 1,
    }).fit(frame);
    const best = u.chi2.p.indexOf(Math.min(...u.chi2.p));
    assert.deepEqual(m.selectedFeatures, [best]);
    const fpr = await new ChiSqSelector({
      featuresCol: 'cat',
      labelCol: 'yc',
      outputCol: 'o',
      selectorType: 'fpr',
      fpr: 0.05,
    }).fit(frame);
    assert.deepEqual(
      fpr.selectedFeatures,
      u.chi2.p.flatMap((p, j) => (p < 0.05 ? [j] : [])),
    );
    assert.deepEqual(
      [...(await m.transform(frame)).vectors('o').values].slice(0, 3),
      u.Xcat.slice(0, 3).map((r) => r[best]),
    );
  });
});

conformanceSuite('ChiSqSelector', {
  make: () =>
    new ChiSqSelector({
      featuresCol: 'cat',
      labelCol: 'yc',
      outputCol: 'o',
      selectorType: 'percentile',
      percentile: 0.5,
    }),
  frame,
  invalidParams: [
    ['numTopFeatures', 0],
    ['fdr', 1.5],
  ],
});
