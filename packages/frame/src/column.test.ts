import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Frame,
  allValid,
  bitIsSet,
  boolColumn,
  clearBit,
  countNulls,
  dictionaryColumn,
  float64Column,
  int32Column,
  sparseVectorColumn,
  stringColumn,
  timestampColumn,
  vectorColumn,
} from './index.js';

describe('bitmaps', () => {
  test('count nulls across byte boundaries', () => {
    const bits = allValid(21);
    for (const i of [0, 7, 8, 20]) clearBit(bits, i);
    assert.equal(countNulls(bits, 21), 4);
    assert.equal(bitIsSet(bits, 7), false);
    assert.equal(bitIsSet(bits, 9), true);
  });
});

describe('builders check their input', () => {
  test('int32 range, bool values, timestamps, dictionary codes, sparse indices', () => {
    assert.throws(() => int32Column([2 ** 31]), /not a valid int32/);
    assert.throws(() => boolColumn([2 as unknown as boolean]), /not a valid bool/);
    assert.throws(() => timestampColumn(['not a date']), /not a valid timestamp/);
    assert.throws(
      () => dictionaryColumn(Int32Array.of(0, 2), ['a', 'b']),
      /code 2 is outside the dictionary of 2/,
    );
    assert.throws(
      () => sparseVectorColumn(3, Int32Array.of(0, 1), Int32Array.of(3), Float64Array.of(1)),
      /sparse index 3 at entry 0 is outside \[0, 3\)/,
    );
    assert.throws(() => vectorColumn([[1, 2], [3]]), /vector of length 1, but earlier rows have length 2/);
    assert.throws(() => Frame.fromColumns({ o: [{}] }), /has no column type/);
  });

  test('NaN in a Float64Array is a value, null in a list is a null', () => {
    const a = float64Column(Float64Array.of(NaN, 1));
    assert.equal(a.nullCount(), 0);
    const b = float64Column([null, 1]);
    assert.equal(b.nullCount(), 1);
    assert.equal(b.get(0), null);
  });

  test('strings are dictionary-encoded in first-seen order with -1 for null', () => {
    const s = stringColumn(['b', 'a', null, 'b']);
    assert.deepEqual([...s.codes], [0, 1, -1, 0]);
    assert.deepEqual(s.dictionary, ['b', 'a']);
    assert.equal(s.nullCount(), 1);
  });
});

describe('views', () => {
  test('views of views index the storage directly, and slicing a column keeps nulls', () => {
    const f = Frame.fromColumns({ x: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const v = f
      .filter((i) => i % 2 === 0)
      .slice(1, 4)
      .take([2, 0]);
    assert.deepEqual([...v.float64('x')], [6, 2]);
    assert.deepEqual([...v.column('x').index!], [6, 2]);
    const c = float64Column([1, null, 3]).slice(1);
    assert.deepEqual(c.toArray(), [null, 3]);
  });

  test('columns added to an empty frame set its row count', () => {
    const f = Frame.empty().withColumns({ a: [1, 2], b: ['x', 'y'] });
    assert.equal(f.numRows, 2);
    assert.throws(
      () => Frame.empty().withColumns({ a: [1, 2], b: ['x'] }),
      /"b" has 1 rows but the frame has 2/,
    );
  });

  test('an empty take keeps the schema', () => {
    const f = Frame.fromColumns({ x: [1, 2], s: ['a', 'b'] }).take([]);
    assert.equal(f.numRows, 0);
    assert.deepEqual(f.columnNames, ['x', 's']);
    assert.match(f.toString(), /0 rows × 2 columns/);
  });
});
