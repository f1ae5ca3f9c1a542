// The preprocessing stages (Imputer, StringIndexer, OneHotEncoder, VectorAssembler, StandardScaler,
// MinMaxScaler, MaxAbsScaler) against scikit-learn numbers from test/peers/gen_features.py.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, vectorColumn, float64Column, stringColumn } from '@cauce/frame';
import {
  Imputer,
  MaxAbsScaler,
  MinMaxScaler,
  MLError,
  OneHotEncoder,
  Pipeline,
  StandardScaler,
  StandardScalerModel,
  StringIndexer,
  StringIndexerModel,
  VectorAssembler,
} from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';
import { assertClose, fixture } from './support/fixtures.js';

interface Fx {
  X: number[][];
  standard: { mean: number[]; var_ddof0: number[]; sklearn_transform: number[][] };
  minmax: { min: number; max: number; transform: number[][] };
  maxabs: { transform: number[][] };
  impute: {
    a: Array<number | null>;
    b: Array<number | null>;
    mean: number[];
    mode: number[];
    median_inverted_cdf: number[];
    median_sklearn: number[];
  };
  categories: string[];
  onehot: { labelsFrequencyDesc: string[]; indices: number[]; dropLast: number[][] };
}
const fx = fixture<Fx>('features.json');
const n = fx.X.length;
const p = fx.X[0]!.length;
const xFrame = Frame.fromColumns({ features: vectorColumn(p, Float64Array.from(fx.X.flat())) });

function matrix(frame: Frame, col: string): number[] {
  return [...frame.vectors(col).values];
}

const isML =
  (code: string, ...mentions: string[]) =>
  (e: unknown) => {
    assert.ok(e instanceof MLError, String(e));
    assert.equal(e.code, code, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `'${m}' in ${e.message}`);
    return true;
  };

describe('StandardScaler vs scikit-learn', () => {
  test('mean and Spark std (ddof=1) match sklearn mean_ and var_·n/(n−1) to 1e-12', async () => {
    const m = await new StandardScaler({ inputCol: 'features', outputCol: 's', withMean: true }).fit(xFrame);
    assertClose(m.mean, fx.standard.mean, 1e-12, 'mean');
    assertClose(
      m.std,
      fx.standard.var_ddof0.map((v) => Math.sqrt((v * n) / (n - 1))),
      1e-12,
      'std',
    );
    const out = await m.transform(xFrame);
    // sklearn divides by the ddof=0 std: ours = sklearn · sqrt((n−1)/n); the constant column is 0 in both.
    const k = Math.sqrt((n - 1) / n);
    assertClose(
      matrix(out, 's'),
      fx.standard.sklearn_transform.flat().map((v) => v * k),
      1e-10,
      'transform',
    );
  });

  test('withMean=false keeps sparse input sparse and scales only', async () => {
    const z = new Float64Array(6);
    const sparseFrame = await new VectorAssembler({
      inputCols: ['a', 'b', 'c', 'd'],
      outputCol: 'v',
    }).transform(
      Frame.fromColumns({
        a: Float64Array.of(0, 0, 0, 2, 0, 0),
        b: Float64Array.of(0, 0, 1, 0, 0, 0),
        c: z,
        d: z,
      }),
    );
    assert.equal(sparseFrame.schema.find((f) => f.name === 'v')?.sparse, true);
    const m = await new StandardScaler({ inputCol: 'v', outputCol: 's' }).fit(sparseFrame);
    const out = await m.transform(sparseFrame);
    assert.equal(out.schema.find((f) => f.name === 's')?.sparse, true);
    const sd = Math.sqrt(((4 * 5) / 36 + (2 - 2 / 6) ** 2) / 5); // std of [0,0,0,2,0,0] with n−1
    assertClose([out.vectors('s').values[12]!], [2 / sd], 1e-12);
  });
});

describe('MinMaxScaler / MaxAbsScaler vs scikit-learn', () => {
  test('MinMaxScaler(min=-1, max=2) matches sklearn; a constant feature maps to the middle', async () => {
    const m = await new MinMaxScaler({ inputCol: 'features', outputCol: 'm', min: -1, max: 2 }).fit(xFrame);
    const out = matrix(await m.transform(xFrame), 'm');
    const first4 = out.filter((_, i) => i % p < 4);
    assertClose(first4, fx.minmax.transform.flat(), 1e-12, 'minmax');
    assert.ok(out.filter((_, i) => i % p === 4).every((v) => v === 0.5));
    assert.throws(
      () =>
        new MinMaxScaler({ inputCol: 'features', outputCol: 'm', min: 2, max: 1 }).transformSchema(
          xFrame.schema,
        ),
      isML('INVALID_PARAM', 'min (2)'),
    );
  });

  test('MaxAbsScaler matches sklearn', async () => {
    const m = await new MaxAbsScaler({ inputCol: 'features', outputCol: 'm' }).fit(xFrame);
    assertClose(matrix(await m.transform(xFrame), 'm'), fx.maxabs.transform.flat(), 1e-12, 'maxabs');
  });
});

describe('Imputer', () => {
  const frame = Frame.fromColumns({ a: float64Column(fx.impute.a), b: float64Column(fx.impute.b) });
  for (const [strategy, expected] of [
    ['mean', fx.impute.mean],
    ['mode', fx.impute.mode],
    ['median', fx.impute.median_inverted_cdf],
  ] as const) {
    test(`${strategy} matches the peer and fills nulls`, async () => {
      const m = await new Imputer({ inputCols: ['a', 'b'], outputCols: ['a2', 'b2'], strategy }).fit(frame);
      assertClose(m.surrogates, expected, 1e-12, strategy);
      assert.deepEqual(m.surrogateDF.toRows(), [{ a: m.surrogates[0], b: m.surrogates[1] }]);
      const out = await m.transform(frame);
      const a2 = out.float64('a2');
      fx.impute.a.forEach((v, i) => assert.equal(a2[i], v ?? m.surrogates[0]));
    });
  }

  test('missingValue other than NaN; NaN left alone then', async () => {
    const f = Frame.fromColumns({ x: float64Column([1, -1, 3, null, NaN, -1]) });
    const m = await new Imputer({ inputCol: 'x', outputCol: 'y', missingValue: -1 }).fit(f);
    assert.deepEqual(m.surrogates, [2]);
    assert.deepEqual([...(await m.transform(f)).float64('y')], [1, 2, 3, 2, NaN, 2]);
  });

  test('a column with nothing to impute from is a clear error', async () => {
    const f = Frame.fromColumns({ x: float64Column([null, NaN]) });
    await assert.rejects(
      new Imputer({ inputCol: 'x', outputCol: 'y' }).fit(f),
      isML('INVALID_DATA', "'x'", 'no non-missing'),
    );
  });
});

describe('StringIndexer', () => {
  const frame = Frame.fromColumns({ c: stringColumn(fx.categories) });

  test('frequencyDesc order (ties alphabetical) and indices match the peer', async () => {
    const m = await new StringIndexer({ inputCol: 'c', outputCol: 'i' }).fit(frame);
    assert.deepEqual(m.labels, fx.onehot.labelsFrequencyDesc);
    assert.deepEqual([...(await m.transform(frame)).float64('i')], fx.onehot.indices);
  });

  test('other orders, numeric input, and ties', async () => {
    const f = Frame.fromColumns({
      s: stringColumn(['b', 'a', 'c', 'b', 'a', 'd']),
      x: float64Column([3, 1, 1, 2, 2, 2]),
    });
    const fit = async (o: 'frequencyAsc' | 'alphabetDesc' | 'alphabetAsc' | 'frequencyDesc', col = 's') =>
      (await new StringIndexer({ inputCol: col, outputCol: 'i', stringOrderType: o }).fit(f)).labels;
    assert.deepEqual(await fit('frequencyDesc'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await fit('frequencyAsc'), ['c', 'd', 'a', 'b']);
    assert.deepEqual(await fit('alphabetDesc'), ['d', 'c', 'b', 'a']);
    assert.deepEqual(await fit('alphabetAsc'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await fit('frequencyDesc', 'x'), ['2', '1', '3']);
  });

  test('handleInvalid: error names the label and row, skip drops rows, keep maps to numLabels', async () => {
    const train = Frame.fromColumns({ s: stringColumn(['a', 'b', 'a']) });
    const test_ = Frame.fromColumns({
      s: stringColumn(['a', 'z', null, 'b']),
      k: float64Column([0, 1, 2, 3]),
    });
    const m = await new StringIndexer({ inputCol: 's', outputCol: 'i' }).fit(train);
    await assert.rejects(m.transform(test_), isML('INVALID_DATA', '"z"', 'row 1', 'handleInvalid'));
    const skipped = await m.copy().setHandleInvalid('skip').transform(test_);
    assert.deepEqual([...skipped.float64('k')], [0, 3]);
    assert.deepEqual([...skipped.float64('i')], [0, 1]);
    const kept = await m.copy().setHandleInvalid('keep').transform(test_);
    assert.deepEqual([...kept.float64('i')], [0, 2, 2, 1]);
  });

  test('bad params are caught at set time and before fitting', async () => {
    assert.throws(
      () => new StringIndexer({ stringOrderType: 'random' as never }),
      isML('INVALID_PARAM', 'stringOrderType', "'frequencyDesc'"),
    );
    const both = new StringIndexer({ inputCol: 'c', inputCols: ['c'], outputCol: 'i' });
    await assert.rejects(both.fit(frame), isML('INVALID_PARAM', 'not both'));
    const noOut = new StringIndexer({ inputCols: ['c'] });
    await assert.rejects(noOut.fit(frame), isML('INVALID_PARAM', 'outputCols'));
  });
});

describe('OneHotEncoder', () => {
  test('dropLast output equals sklearn OneHotEncoder(drop=last)', async () => {
    const f = Frame.fromColumns({ i: Float64Array.from(fx.onehot.indices) });
    const m = await new OneHotEncoder({ inputCol: 'i', outputCol: 'v' }).fit(f);
    assert.deepEqual(m.categorySizes, [5]);
    const out = await m.transform(f);
    assert.equal(out.schema.find((x) => x.name === 'v')?.size, 4);
    assert.deepEqual([...out.vectors('v').values], fx.onehot.dropLast.flat());
  });

  test('keep adds an extra category (all zeros with dropLast); error names the value', async () => {
    const train = Frame.fromColumns({ i: Float64Array.of(0, 1, 2) });
    const test_ = Frame.fromColumns({ i: float64Column([2, 7, null]) });
    const m = await new OneHotEncoder({ inputCol: 'i', outputCol: 'v' }).fit(train);
    await assert.rejects(m.transform(test_), isML('INVALID_DATA', 'invalid index 7', 'row 1'));
    const keep = await new OneHotEncoder({ inputCol: 'i', outputCol: 'v', handleInvalid: 'keep' }).fit(train);
    const v = (await keep.transform(test_)).vectors('v');
    assert.equal(v.size, 3);
    assert.deepEqual([...v.values], [0, 0, 1, 0, 0, 0, 0, 0, 0]);
    const noDrop = await new OneHotEncoder({
      inputCol: 'i',
      outputCol: 'v',
      handleInvalid: 'keep',
      dropLast: false,
    }).fit(train);
    assert.deepEqual(
      [...(await noDrop.transform(test_)).vectors('v').values],
      [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1],
    );
    await assert.rejects(
      new OneHotEncoder({ inputCol: 'i', outputCol: 'v' }).fit(
        Frame.fromColumns({ i: Float64Array.of(0, 1.5) }),
      ),
      isML('INVALID_DATA', '1.5', 'StringIndexer'),
    );
  });
});

describe('VectorAssembler', () => {
  const f = Frame.fromColumns({
    a: Float64Array.of(1, 2, 3),
    v: vectorColumn([
      [10, 20],
      [30, 40],
      [50, 60],
    ]),
    b: float64Column([7, null, 9]),
  });

  test('concatenates scalars and vectors; error/skip/keep for nulls', async () => {
    const va = new VectorAssembler({ inputCols: ['a', 'v', 'b'], outputCol: 'out' });
    assert.equal(va.transformSchema(f.schema).at(-1)?.size, 4);
    await assert.rejects(va.transform(f), isML('INVALID_DATA', "'b'", 'row 1'));
    const skip = await va.copy().setHandleInvalid('skip').transform(f);
    assert.deepEqual([...skip.vectors('out').values], [1, 10, 20, 7, 3, 50, 60, 9]);
    const keep = await va.copy().setHandleInvalid('keep').transform(f);
    assert.deepEqual([...keep.vectors('out').values], [1, 10, 20, 7, 2, 30, 40, NaN, 3, 50, 60, 9]);
  });

  test('an empty inputCols list is refused when set', () => {
    assert.throws(
      () => new VectorAssembler({ inputCols: [], outputCol: 'o' }),
      isML('INVALID_PARAM', 'inputCols', 'non-empty'),
    );
  });

  test('strings are refused before any work, with a hint', () => {
    const g = f.withColumn('s', stringColumn(['x', 'y', 'z']));
    assert.throws(
      () => new VectorAssembler({ inputCols: ['a', 's'], outputCol: 'o' }).transformSchema(g.schema),
      isML('SCHEMA_MISMATCH', "'s'", 'StringIndexer'),
    );
  });
});

describe('the preprocessing pipeline', () => {
  test('Imputer → StringIndexer → OneHotEncoder → VectorAssembler → StandardScaler, saved and reloaded', async () => {
    const frame = Frame.fromColumns({
      x: float64Column([1, null, 3, 4, 5, 6]),
      c: stringColumn(['a', 'b', 'a', 'c', 'a', 'b']),
    });
    const pipeline = new Pipeline().setStages([
      new Imputer({ inputCols: ['x'], outputCols: ['x_imp'], strategy: 'median' }),
      new StringIndexer({ inputCol: 'c', outputCol: 'c_idx' }),
      new OneHotEncoder({ inputCol: 'c_idx', outputCol: 'c_vec' }),
      new VectorAssembler({ inputCols: ['x_imp', 'c_vec'], outputCol: 'raw' }),
      new StandardScaler({ inputCol: 'raw', outputCol: 'features', withMean: true }),
    ]);
    const model = await pipeline.fit(frame);
    const out = await model.transform(frame);
    const X = out.vectors('features');
    assert.equal(X.size, 3);
    // each column standardized: mean 0, sample std 1
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: 6 }, (_, i) => X.values[i * 3 + j]!);
      const mean = col.reduce((s, v) => s + v, 0) / 6;
      const sd = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / 5);
      assertClose([mean, sd], [0, 1], 1e-12, `column ${j}`);
    }
    const scaler = model.stages[4];
    assert.ok(scaler instanceof StandardScalerModel);
    assert.ok(model.stages[1] instanceof StringIndexerModel);
  });
});

conformanceSuite('StandardScaler', {
  make: () => new StandardScaler({ inputCol: 'features', outputCol: 'out', withMean: true }),
  frame: xFrame,
  invalidParams: [['withMean', 'yes']],
  badSchemas: [{ frame: Frame.fromColumns({ features: Float64Array.of(1, 2) }), column: 'features' }],
});
conformanceSuite('MinMaxScaler', {
  make: () => new MinMaxScaler({ inputCol: 'features', outputCol: 'out', max: 5 }),
  frame: xFrame,
  invalidParams: [['max', 'big']],
});
conformanceSuite('MaxAbsScaler', {
  make: () => new MaxAbsScaler({ inputCol: 'features', outputCol: 'out' }),
  frame: xFrame,
  invalidParams: [['outputCol', '']],
});
conformanceSuite('Imputer', {
  make: () => new Imputer({ inputCols: ['a', 'b'], outputCols: ['a2', 'b2'], strategy: 'median' }),
  frame: Frame.fromColumns({ a: float64Column(fx.impute.a), b: float64Column(fx.impute.b) }),
  invalidParams: [
    ['strategy', 'max'],
    ['relativeError', 2],
  ],
});
conformanceSuite('StringIndexer', {
  make: () => new StringIndexer({ inputCol: 'c', outputCol: 'i', handleInvalid: 'keep' }),
  frame: Frame.fromColumns({ c: stringColumn(fx.categories) }),
  invalidParams: [['handleInvalid', 'ignore']],
});
conformanceSuite('OneHotEncoder', {
  make: () => new OneHotEncoder({ inputCols: ['i'], outputCols: ['v'] }),
  frame: Frame.fromColumns({ i: Float64Array.from(fx.onehot.indices) }),
  invalidParams: [
    ['dropLast', 1],
    ['handleInvalid', 'skip'],
  ],
});
conformanceSuite('VectorAssembler', {
  make: () => new VectorAssembler({ inputCols: ['a', 'v'], outputCol: 'out' }),
  frame: Frame.fromColumns({
    a: Float64Array.of(1, 0, 3),
    v: vectorColumn([
      [0, 2],
      [3, 0],
      [0, 0],
    ]),
  }),
  invalidParams: [['inputCols', ['a', 'a']]],
});

describe('frame views', () => {
  test('the preprocessing pipeline gives the same result on a row view (take) as on a copy', async () => {
    const base = Frame.fromColumns({
      x: float64Column([1, null, 3, 4, 5, 6, 7, null, 9, 10]),
      c: stringColumn(['a', 'b', 'a', 'c', 'a', 'b', 'c', 'c', 'a', 'b']),
      v: vectorColumn([
        [1, 0],
        [0, 2],
        [3, 0],
        [0, 0],
        [5, 1],
        [1, 1],
        [2, 2],
        [0, 3],
        [4, 0],
        [1, 5],
      ]),
    });
    const rows = [9, 7, 5, 3, 1, 0, 2, 4];
    const view = base.take(rows);
    const copy = Frame.fromRows(view.toRows());
    const pipeline = new Pipeline().setStages([
      new Imputer({ inputCol: 'x', outputCol: 'xi', strategy: 'median' }),
      new StringIndexer({ inputCol: 'c', outputCol: 'ci' }),
      new OneHotEncoder({ inputCol: 'ci', outputCol: 'cv' }),
      new VectorAssembler({ inputCols: ['xi', 'cv', 'v'], outputCol: 'raw' }),
      new StandardScaler({ inputCol: 'raw', outputCol: 'features', withMean: true }),
      new MaxAbsScaler({ inputCol: 'v', outputCol: 'vm' }),
    ]);
    const a = await (await pipeline.fit(view)).transform(view);
    const b = await (await pipeline.fit(copy)).transform(copy);
    assert.deepEqual([...a.vectors('features').values], [...b.vectors('features').values]);
    assert.deepEqual([...a.vectors('vm').values], [...b.vectors('vm').values]);
  });
});
