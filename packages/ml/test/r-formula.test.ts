import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, float64Column, stringColumn } from '@cauce/frame';
import { MLError, RFormula, RFormulaModel } from '@cauce/ml';
import { conformanceSuite } from './support/conformance.js';

// c: x ×3, y ×2, z ×1 → frequencyDesc indices x=0, y=1, z=2; one-hot with dropLast keeps [x, y].
const frame = Frame.fromColumns({
  y: Float64Array.of(1, 2, 3, 4, 5, 6),
  a: Float64Array.of(10, 20, 30, 40, 50, 60),
  b: Float64Array.of(0, 1, 0, 1, 0, 1),
  c: stringColumn(['x', 'y', 'x', 'z', 'x', 'y']),
});
const isX = [1, 0, 1, 0, 1, 0];
const isY = [0, 1, 0, 0, 0, 1];
const isZ = [0, 0, 0, 1, 0, 0];
const rows = (...cols: number[][]) => cols[0]!.flatMap((_, i) => cols.map((c) => c[i]!));

const isML =
  (code: string, ...mentions: string[]) =>
  (e: unknown) => {
    assert.ok(e instanceof MLError, String(e));
    assert.equal(e.code, code, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `'${m}' in ${e.message}`);
    return true;
  };

async function features(formula: string, f = frame) {
  const m = await new RFormula({ formula }).fit(f);
  return (await m.transform(f)).vectors('features');
}

describe('RFormula', () => {
  test('numeric + string terms; label copied; temporaries dropped', async () => {
    const m = await new RFormula({ formula: 'y ~ a + c' }).fit(frame);
    const out = await m.transform(frame);
    assert.deepEqual(out.columnNames, ['y', 'a', 'b', 'c', 'features', 'label']);
    assert.deepEqual([...out.vectors('features').values], rows([10, 20, 30, 40, 50, 60], isX, isY));
    assert.deepEqual([...out.float64('label')], [1, 2, 3, 4, 5, 6]);
  });

  test("'.', removal, interaction, no intercept", async () => {
    assert.deepEqual(
      [...(await features('y ~ . - c')).values],
      rows([10, 20, 30, 40, 50, 60], [0, 1, 0, 1, 0, 1]),
    );
    const a = [10, 20, 30, 40, 50, 60];
    const ax = a.map((v, i) => v * isX[i]!);
    const ay = a.map((v, i) => v * isY[i]!);
    const az = a.map((v, i) => v * isZ[i]!);
    assert.deepEqual([...(await features('y ~ a:c')).values], rows(ax, ay, az));
    assert.deepEqual([...(await features('y ~ c - 1')).values], rows(isX, isY, isZ));
    assert.deepEqual([...(await features('y ~ 0 + c + b')).values], rows(isX, isY, isZ, [0, 1, 0, 1, 0, 1]));
  });

  test('a string label is indexed; scoring data without the label works', async () => {
    const m = await new RFormula({ formula: 'c ~ a' }).fit(frame);
    assert.deepEqual([...(await m.transform(frame)).float64('label')], [0, 1, 0, 2, 0, 1]);
    const scoring = frame.drop('c');
    const out = await m.transform(scoring);
    assert.equal(out.has('label'), false);
    assert.deepEqual([...out.vectors('features').values], [10, 20, 30, 40, 50, 60]);
  });

  test('handleInvalid keep: an unseen category encodes as zeros', async () => {
    const m = await new RFormula({ formula: 'y ~ c', handleInvalid: 'keep' }).fit(frame);
    const unseen = Frame.fromColumns({ y: Float64Array.of(1), c: stringColumn(['w']) });
    // keep adds an extra category to the encoder (Spark's rule), so all three real ones stay: zeros for 'w'
    assert.deepEqual([...(await m.transform(unseen)).vectors('features').values], [0, 0, 0]);
    const strict = await new RFormula({ formula: 'y ~ c' }).fit(frame);
    await assert.rejects(strict.transform(unseen), isML('INVALID_DATA', '"w"'));
  });

  test('bad formulas and columns are clear errors', async () => {
    assert.throws(() => new RFormula({ formula: 'y a' }), isML('INVALID_PARAM', 'formula', "'~'"));
    await assert.rejects(
      new RFormula({ formula: 'y ~ a +' }).fit(frame),
      isML('INVALID_PARAM', 'ends with an operator'),
    );
    await assert.rejects(
      new RFormula({ formula: 'y ~ a * b' }).fit(frame),
      isML('INVALID_PARAM', "unexpected character '*'"),
    );
    await assert.rejects(new RFormula({ formula: 'y ~ nope' }).fit(frame), isML('SCHEMA_MISMATCH', "'nope'"));
    await assert.rejects(
      new RFormula({ formula: 'y ~ . - a - b - c' }).fit(frame),
      isML('INVALID_PARAM', 'no feature terms'),
    );
    await assert.rejects(new RFormula().fit(frame), isML('INVALID_PARAM', 'formula', 'not set'));
  });

  test('nulls in numeric terms fail in the assembler with the column named', async () => {
    const f = frame.withColumn('a', float64Column([1, null, 3, 4, 5, 6]));
    const m = await new RFormula({ formula: 'y ~ a' }).fit(f); // nothing to fit: the assembler runs at transform
    await assert.rejects(m.transform(f), isML('INVALID_DATA', "'a'", 'row 1'));
    assert.ok((await new RFormula({ formula: 'y ~ b' }).fit(f)) instanceof RFormulaModel);
  });
});

conformanceSuite('RFormula', {
  make: () => new RFormula({ formula: 'y ~ a + c + a:b', handleInvalid: 'keep' }),
  frame,
  invalidParams: [
    ['formula', 'no tilde'],
    ['stringIndexerOrderType', 'random'],
  ],
  skipAutoSchema: true,
  badSchemas: [
    { frame: frame.drop('a'), column: 'a' },
    { frame: frame.drop('c'), column: 'c' },
  ],
});
