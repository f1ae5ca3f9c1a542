// Normalizer, Bucketizer, QuantileDiscretizer, PCA, PolynomialExpansion, Interaction, VectorSlicer,
// Binarizer, ElementwiseProduct, IndexToString, VarianceThresholdSelector — peers from gen_features.py.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, float64Column, vectorColumn } from '@cauce/frame';
import {
  Binarizer,
  Bucketizer,
  ElementwiseProduct,
  IndexToString,
  Interaction,
  MLError,
  Normalizer,
  PCA,
  PCAModel,
  PolynomialExpansion,
  QuantileDiscretizer,
  VarianceThresholdSelector,
  VectorIndexer,
  VectorSlicer,
} from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';
import { assertClose, fixture } from './support/fixtures.js';

interface Fx {
  X: number[][];
  normalizer: Record<'l1' | 'l2' | 'max', number[][]>;
  pca: { k: number; components: number[][]; explainedVarianceRatio: number[] };
  poly2: { input: number[][]; output: number[][]; powers: number[][] };
  poly3: { input: number[][]; output: number[][]; powers: number[][] };
  quantile: { x: number[]; numBuckets: number; splits: number[] };
}
const fx = fixture<Fx>('features.json');
const p = fx.X[0]!.length;
const xFrame = Frame.fromColumns({ features: vectorColumn(p, Float64Array.from(fx.X.flat())) });

const isML =
  (code: string, ...mentions: string[]) =>
  (e: unknown) => {
    assert.ok(e instanceof MLError, String(e));
    assert.equal(e.code, code, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `'${m}' in ${e.message}`);
    return true;
  };

describe('Normalizer vs sklearn.preprocessing.normalize', () => {
  for (const [pv, key] of [
    [1, 'l1'],
    [2, 'l2'],
    [Infinity, 'max'],
  ] as const) {
    test(`p = ${pv}`, async () => {
      const out = await new Normalizer({ inputCol: 'features', outputCol: 'n', p: pv }).transform(xFrame);
      assertClose(out.vectors('n').values.subarray(0, 40 * p), fx.normalizer[key].flat(), 1e-12, key); // first 40 rows
    });
  }
  test('p < 1 is refused', () => {
    assert.throws(() => new Normalizer({ p: 0.5 }), isML('INVALID_PARAM', 'p', '>= 1', '0.5'));
  });
});

describe('PCA vs sklearn', () => {
  test('components (up to sign), explained variance, and an uncentered projection', async () => {
    const first4 = Frame.fromColumns({ features: vectorColumn(fx.X.map((r) => r.slice(0, 4))) });
    const m = await new PCA({ inputCol: 'features', outputCol: 'pca', k: 2 }).fit(first4);
    assert.ok(m instanceof PCAModel);
    assertClose(m.explainedVariance, fx.pca.explainedVarianceRatio, 1e-10, 'explainedVariance');
    for (let c = 0; c < 2; c++) {
      const ours = Array.from({ length: 4 }, (_, i) => m.pc[i * 2 + c]!);
      const theirs = fx.pca.components[c]!;
      const sign = Math.sign(ours.reduce((s, v, i) => s + v * theirs[i]!, 0));
      assertClose(
        ours.map((v) => v * sign),
        theirs,
        1e-9,
        `component ${c}`,
      );
    }
    const out = (await m.transform(first4)).vectors('pca');
    const row0 = fx.X[0]!.slice(0, 4);
    const expect0 = [0, 1].map((c) => row0.reduce((s, v, i) => s + v * m.pc[i * 2 + c]!, 0));
    assertClose(out.values.subarray(0, 2), expect0, 1e-12);
  });
  test('k is required and must not exceed the number of features', async () => {
    await assert.rejects(
      new PCA({ inputCol: 'features', outputCol: 'o' }).fit(xFrame),
      isML('INVALID_PARAM', 'k', 'not set'),
    );
    await assert.rejects(
      new PCA({ inputCol: 'features', outputCol: 'o', k: 9 }).fit(xFrame),
      isML('INVALID_PARAM', 'k = 9'),
    );
  });
});

describe('PolynomialExpansion', () => {
  test("Spark's order for (x, y) at degree 3 (the Spark docs example)", async () => {
    const f = Frame.fromColumns({ v: vectorColumn([[2, 1]]) });
    const out = await new PolynomialExpansion({ inputCol: 'v', outputCol: 'p', degree: 3 }).transform(f);
    assert.deepEqual([...out.vectors('p').values], [2, 4, 8, 1, 2, 4, 1, 2, 1]);
  });
  for (const d of [2, 3] as const) {
    test(`degree ${d}: same monomials as sklearn PolynomialFeatures (matched by powers_)`, async () => {
      const ref = d === 2 ? fx.poly2 : fx.poly3;
      const f = Frame.fromColumns({ v: vectorColumn(ref.input) });
      const out = (
        await new PolynomialExpansion({ inputCol: 'v', outputCol: 'p', degree: d }).transform(f)
      ).vectors('p');
      assert.equal(out.size, ref.powers.length);
      // Spark's order of exponent vectors: recursively by the power of the last variable.
      const order: number[][] = [];
      const rec = (last: number, deg: number, pw: number[]): void => {
        if (deg === 0 || last < 0) {
          order.push(pw);
          return;
        }
        for (let i = 0; i <= deg; i++)
          rec(
            last - 1,
            deg - i,
            pw.map((v, k) => (k === last ? i : v)),
          );
      };
      rec(2, d, [0, 0, 0]);
      const spark = order.slice(1); // drop the constant
      const col = spark.map((pw) => ref.powers.findIndex((q) => q.every((v, k) => v === pw[k])));
      assert.ok(col.every((c) => c >= 0));
      const expected = ref.output.flatMap((row) => col.map((c) => row[c]!));
      assertClose(out.values, expected, 1e-12);
    });
  }
});

describe('Bucketizer and QuantileDiscretizer', () => {
  test('buckets [a, b), last closed; NaN handling; out of range is an error', async () => {
    const f = Frame.fromColumns({ x: float64Column([-1, 0, 0.5, 1, 2, null]) });
    const b = new Bucketizer({ inputCol: 'x', outputCol: 'b', splits: [-1, 0, 1, 2], handleInvalid: 'keep' });
    assert.deepEqual([...(await b.transform(f)).float64('b')], [0, 1, 1, 2, 2, 3]);
    const skip = await b.copy().setHandleInvalid('skip').transform(f);
    assert.equal(skip.numRows, 5);
    await assert.rejects(b.copy().setHandleInvalid('error').transform(f), isML('INVALID_DATA', 'row 5'));
    const narrow = new Bucketizer({
      inputCol: 'x',
      outputCol: 'b',
      splits: [0, 1, 2],
      handleInvalid: 'keep',
    });
    await assert.rejects(
      narrow.transform(f),
      isML('INVALID_DATA', 'value -1', 'outside the splits', 'Infinity'),
    );
    assert.throws(
      () => new Bucketizer({ splits: [0, 0, 1] }),
      isML('INVALID_PARAM', 'splits', 'strictly increasing'),
    );
  });

  test('quantile splits equal numpy inverted_cdf quantiles', async () => {
    const f = Frame.fromColumns({ x: Float64Array.from(fx.quantile.x) });
    const b = await new QuantileDiscretizer({
      inputCol: 'x',
      outputCol: 'q',
      numBuckets: fx.quantile.numBuckets,
    }).fit(f);
    assert.ok(b instanceof Bucketizer);
    assert.deepEqual(b.getSplits(), [-Infinity, ...fx.quantile.splits, Infinity]);
    const q = (await b.transform(f)).float64('q');
    const counts = [0, 0, 0, 0];
    for (const v of q) counts[v]!++;
    assert.ok(
      counts.every((c) => Math.abs(c - 301 / 4) <= 2),
      String(counts),
    );
  });

  test('ties merge duplicate splits; multi-column form', async () => {
    const f = Frame.fromColumns({ a: Float64Array.of(1, 1, 1, 1, 2), b: Float64Array.of(5, 4, 3, 2, 1) });
    const b = await new QuantileDiscretizer({
      inputCols: ['a', 'b'],
      outputCols: ['qa', 'qb'],
      numBucketsArray: [4, 2],
    }).fit(f);
    const out = await b.transform(f);
    assert.deepEqual([...out.float64('qa')], [1, 1, 1, 1, 1]);
    assert.deepEqual([...out.float64('qb')], [1, 1, 1, 0, 0]);
  });
});

describe('small vector transformers', () => {
  const f = Frame.fromColumns({
    a: Float64Array.of(2, 3),
    v: vectorColumn([
      [1, 2],
      [3, 4],
    ]),
    w: vectorColumn([
      [1, 0, 0],
      [0, 0, 5],
    ]),
  });

  test('Interaction: flattened outer product, last column fastest', async () => {
    const out = await new Interaction({ inputCols: ['a', 'v', 'w'], outputCol: 'i' }).transform(f);
    const vals = [...out.vectors('i').values];
    assert.equal(out.vectors('i').size, 6);
    assert.deepEqual(vals.slice(0, 6), [2, 0, 0, 4, 0, 0]);
    assert.deepEqual(vals.slice(6), [0, 0, 45, 0, 0, 60]);
  });

  test('VectorSlicer, ElementwiseProduct, Binarizer', async () => {
    const s = await new VectorSlicer({ inputCol: 'w', outputCol: 's', indices: [2, 0] }).transform(f);
    assert.deepEqual([...s.vectors('s').values], [0, 1, 5, 0]);
    assert.throws(
      () => new VectorSlicer({ inputCol: 'w', outputCol: 's', indices: [3] }).transformSchema(f.schema),
      isML('INVALID_PARAM', 'index 3'),
    );
    const e = await new ElementwiseProduct({ inputCol: 'v', outputCol: 'e', scalingVec: [10, -1] }).transform(
      f,
    );
    assert.deepEqual([...e.vectors('e').values], [10, -2, 30, -4]);
    await assert.rejects(
      new ElementwiseProduct({ inputCol: 'w', outputCol: 'e', scalingVec: [1, 2] }).transform(f),
      isML('SCHEMA_MISMATCH', 'size 3', 'size 2'),
    );
    const b = await new Binarizer({
      inputCols: ['a', 'v'],
      outputCols: ['ba', 'bv'],
      thresholds: [2.5, 2],
    }).transform(f);
    assert.deepEqual([...b.float64('ba')], [0, 1]);
    assert.deepEqual([...b.vectors('bv').values], [0, 0, 1, 1]);
  });

  test('IndexToString maps back to labels; unknown index is an error', async () => {
    const g = Frame.fromColumns({ i: float64Column([1, 0, null]) });
    const out = await new IndexToString({ inputCol: 'i', outputCol: 's', labels: ['no', 'yes'] }).transform(
      g,
    );
    assert.deepEqual(out.column('s').toArray(), ['yes', 'no', null]);
    await assert.rejects(
      new IndexToString({ inputCol: 'i', outputCol: 's', labels: ['no'] }).transform(g),
      isML('INVALID_DATA', 'index 1'),
    );
  });

  test('VarianceThresholdSelector drops the constant feature', async () => {
    const m = await new VarianceThresholdSelector({ featuresCol: 'features', outputCol: 'sel' }).fit(xFrame);
    assert.deepEqual(m.selectedFeatures, [0, 1, 2, 3]);
    assert.equal((await m.transform(xFrame)).vectors('sel').size, 4);
  });
});

const small = Frame.fromColumns({
  x: Float64Array.of(0.5, 1.5, 2.5, 3.5, -0.5),
  y: Float64Array.of(1, 2, 3, 4, 5),
  v: vectorColumn([
    [1, 2, 0],
    [3, 4, 1],
    [5, 7, 0],
    [2, 1, 1],
    [0, 3, 2],
  ]),
});
conformanceSuite('Normalizer', {
  make: () => new Normalizer({ inputCol: 'v', outputCol: 'o', p: 3 }),
  frame: small,
  invalidParams: [['p', 0]],
});
conformanceSuite('Bucketizer', {
  make: () =>
    new Bucketizer({
      inputCols: ['x', 'y'],
      outputCols: ['bx', 'by'],
      splitsArray: [
        [-Infinity, 0, 2, Infinity],
        [0, 2, 6],
      ],
    }),
  frame: small,
  invalidParams: [
    ['splits', [1]],
    ['handleInvalid', 'drop'],
  ],
});
conformanceSuite('QuantileDiscretizer', {
  make: () => new QuantileDiscretizer({ inputCol: 'x', outputCol: 'q', numBuckets: 3 }),
  frame: small,
  invalidParams: [['numBuckets', 1]],
});
conformanceSuite('PCA', {
  make: () => new PCA({ inputCol: 'v', outputCol: 'o', k: 2 }),
  frame: small,
  invalidParams: [['k', 0]],
});
conformanceSuite('PolynomialExpansion', {
  make: () => new PolynomialExpansion({ inputCol: 'v', outputCol: 'o', degree: 3 }),
  frame: small,
  invalidParams: [['degree', 0]],
});
conformanceSuite('Interaction', {
  make: () => new Interaction({ inputCols: ['x', 'v'], outputCol: 'o' }),
  frame: small,
  invalidParams: [['inputCols', 'x']],
});
conformanceSuite('VectorSlicer', {
  make: () => new VectorSlicer({ inputCol: 'v', outputCol: 'o', indices: [1] }),
  frame: small,
  invalidParams: [['indices', [1, 1]]],
});
conformanceSuite('Binarizer', {
  make: () => new Binarizer({ inputCol: 'x', outputCol: 'o', threshold: 1 }),
  frame: small,
  invalidParams: [['threshold', '1']],
});
conformanceSuite('ElementwiseProduct', {
  make: () => new ElementwiseProduct({ inputCol: 'v', outputCol: 'o', scalingVec: [1, 2, 3] }),
  frame: small,
  invalidParams: [['scalingVec', []]],
});
conformanceSuite('IndexToString', {
  make: () => new IndexToString({ inputCol: 'y', outputCol: 'o', labels: ['a', 'b', 'c', 'd', 'e', 'f'] }),
  frame: small,
  invalidParams: [['labels', []]],
});
conformanceSuite('VarianceThresholdSelector', {
  make: () => new VarianceThresholdSelector({ featuresCol: 'v', outputCol: 'o', varianceThreshold: 0.5 }),
  frame: small,
  invalidParams: [['varianceThreshold', -1]],
});

describe('VectorIndexer', () => {
  const f = Frame.fromColumns({
    v: vectorColumn([
      [0, 2.5, -1],
      [1, 3.5, 5],
      [0, 7.25, 5],
      [3, 1.5, -1],
      [1, 9.5, 2],
    ]),
  });
  test('features with few distinct values become indices (0.0 keeps index 0); others pass through', async () => {
    const m = await new VectorIndexer({ inputCol: 'v', outputCol: 'i', maxCategories: 3 }).fit(f);
    assert.deepEqual(m.categoricalFeatures, [0, 2]);
    assert.deepEqual(m.categoryMaps[0], [0, 1, 3]);
    assert.deepEqual(m.categoryMaps[2], [-1, 2, 5]);
    const out = (await m.transform(f)).vectors('i');
    assert.deepEqual([...out.values], [0, 2.5, 0, 1, 3.5, 2, 0, 7.25, 2, 2, 1.5, 0, 1, 9.5, 1]);
  });
  test('unseen values: error names feature and value; keep maps to numCategories; skip drops', async () => {
    const m = await new VectorIndexer({ inputCol: 'v', outputCol: 'i', maxCategories: 3 }).fit(f);
    const g = Frame.fromColumns({
      v: vectorColumn([
        [2, 1, 5],
        [1, 1, 5],
      ]),
    });
    await assert.rejects(m.transform(g), isML('INVALID_DATA', 'feature 0', 'unseen value 2', 'row 0'));
    assert.deepEqual(
      [...(await m.copy().setHandleInvalid('keep').transform(g)).vectors('i').values],
      [3, 1, 2, 1, 1, 2],
    );
    assert.equal((await m.copy().setHandleInvalid('skip').transform(g)).numRows, 1);
  });
});

conformanceSuite('VectorIndexer', {
  make: () => new VectorIndexer({ inputCol: 'v', outputCol: 'o', maxCategories: 3, handleInvalid: 'keep' }),
  frame: small,
  invalidParams: [['maxCategories', 1]],
});
