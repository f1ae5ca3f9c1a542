import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Frame,
  FrameError,
  float64Column,
  int32Column,
  int64Column,
  sparseVectorColumn,
  stringColumn,
  timestampColumn,
  vectorColumn,
} from './index.js';

function sample(): Frame {
  return Frame.fromColumns({
    x: [1.5, null, 3, 4],
    n: int32Column([1, 2, null, 4]),
    s: ['a', 'b', null, 'a'],
    b: [true, false, null, true],
    t: timestampColumn(['2024-01-01T00:00:00Z', null, '2024-03-01T00:00:00Z', 0]),
    v: [[1, 2], [3, 4], null, [7, 8]],
  });
}

describe('Frame construction', () => {
  test('infers types and keeps a schema', () => {
    const f = sample();
    assert.equal(f.numRows, 4);
    assert.deepEqual(f.columnNames, ['x', 'n', 's', 'b', 't', 'v']);
    assert.deepEqual(
      f.schema.map((s) => s.type),
      ['float64', 'int32', 'string', 'bool', 'timestamp', 'vector'],
    );
    assert.equal(f.field('v').size, 2);
  });

  test('nulls are tracked per column', () => {
    const f = sample();
    assert.equal(f.column('x').isNull(1), true);
    assert.equal(f.column('x').nullCount(), 1);
    assert.equal(f.column('s').get(2), null);
    assert.equal(f.column('b').get(2), null);
    assert.equal(f.column('v').get(2), null);
    assert.equal(f.column('n').nullCount(), 1);
  });

  test('typed arrays are adopted without a copy', () => {
    const x = new Float64Array([1, 2, 3]);
    const f = Frame.fromColumns({ x });
    assert.equal(f.float64('x'), x);
  });

  test('unequal lengths are a SCHEMA_MISMATCH naming both columns', () => {
    assert.throws(
      () => Frame.fromColumns({ a: [1, 2], b: [1] }),
      (e: unknown) => e instanceof FrameError && e.code === 'SCHEMA_MISMATCH' && /"b".*"a"/.test(e.message),
    );
  });

  test('fromRows / toRows round trip, with missing keys as nulls', () => {
    const rows = [{ a: 1, s: 'x' }, { a: 2 }, { s: 'y', a: null }];
    const f = Frame.fromRows(rows);
    assert.deepEqual(f.toRows(), [
      { a: 1, s: 'x' },
      { a: 2, s: null },
      { a: null, s: 'y' },
    ]);
    const typed = Frame.fromRows([{ k: 3 }], [{ name: 'k', type: 'int32' }]);
    assert.equal(typed.column('k').type, 'int32');
  });

  test('bad values name the column, row and value', () => {
    assert.throws(
      () => Frame.fromRows([{ k: 1 }, { k: 1.5 }], [{ name: 'k', type: 'int32' }]),
      /column "k": row 1: 1.5 is not a valid int32/,
    );
    assert.throws(() => int64Column([2n ** 60n]), /within ±2\^53/);
  });
});

describe('Frame access', () => {
  test('missing column lists available ones', () => {
    assert.throws(
      () => sample().column('nope'),
      (e: unknown) =>
        e instanceof FrameError && e.code === 'COLUMN_NOT_FOUND' && e.message.includes('available: x, n, s'),
    );
  });

  test('float64 converts numerics, NaN for nulls, refuses strings', () => {
    const f = sample();
    assert.deepEqual([...f.float64('n')], [1, 2, NaN, 4]);
    assert.deepEqual([...f.float64('b')], [1, 0, NaN, 1]);
    assert.equal(f.float64('t')[0], Date.UTC(2024, 0, 1));
    assert.throws(() => f.float64('s'), /string, not numeric/);
  });

  test('vectors returns a dense matrix, sparse included', () => {
    const f = sample();
    const m = f.vectors('v');
    assert.equal(m.size, 2);
    assert.deepEqual([...m.values], [1, 2, 3, 4, NaN, NaN, 7, 8]);
    const sp = sparseVectorColumn(
      3,
      Int32Array.of(0, 1, 1, 3),
      Int32Array.of(2, 0, 1),
      Float64Array.of(5, 6, 7),
    );
    const g = Frame.fromColumns({ sp });
    assert.deepEqual([...g.vectors('sp').values], [0, 0, 5, 0, 0, 0, 6, 7, 0]);
    assert.deepEqual([...g.take([2]).vectors('sp').values], [6, 7, 0]);
  });

  test('matrix and strings', () => {
    const f = sample();
    assert.deepEqual([...f.matrix(['x', 'n']).values], [1.5, 1, NaN, 2, 3, NaN, 4, 4]);
    const s = f.strings('s');
    assert.deepEqual([...s.codes], [0, 1, -1, 0]);
    assert.deepEqual(s.dictionary, ['a', 'b']);
  });
});

describe('Frame transforms', () => {
  test('select, drop, rename, withColumn', () => {
    const f = sample();
    assert.deepEqual(f.select('s', 'x').columnNames, ['s', 'x']);
    assert.deepEqual(f.drop('v', 't').columnNames, ['x', 'n', 's', 'b']);
    assert.deepEqual(f.rename({ x: 'y' }).columnNames, ['y', 'n', 's', 'b', 't', 'v']);
    assert.throws(() => f.rename({ x: 'n' }), /two columns named "n"/);
    const g = f.withColumn('x', [9, 9, 9, 9]).withColumn('z', float64Column([0, 0, 0, 0]));
    assert.deepEqual(g.columnNames, ['x', 'n', 's', 'b', 't', 'v', 'z']);
    assert.throws(() => f.withColumn('z', [1]), /has 1 rows but the frame has 4/);
    assert.throws(() => f.drop('q'), /no column named "q"/);
  });

  test('take / filter / slice are views sharing storage', () => {
    const f = sample();
    const t = f.take([3, 0, 0]);
    assert.equal(t.numRows, 3);
    const col = t.column('x');
    assert.equal(col.type, 'float64');
    if (col.type === 'float64') assert.equal(col.data, (f.column('x') as typeof col).data);
    assert.deepEqual(
      t.toRows().map((r) => r.s),
      ['a', 'a', 'a'],
    );
    // Every column shares one composed index.
    assert.equal(t.column('x').index, t.column('s').index);
    const nested = f.filter([true, false, true, true]).take([2, 0]);
    assert.deepEqual([...nested.float64('x')], [4, 1.5]);
    assert.deepEqual([...f.slice(1, 3).float64('n')], [2, NaN]);
    assert.deepEqual([...f.slice(-1).float64('x')], [4]);
    assert.equal(f.head(2).numRows, 2);
    assert.throws(() => f.take([4]), /out of range: the frame has 4 rows/);
    assert.throws(() => f.filter([true]), /mask has 1 entries/);
  });

  test('concat merges dictionaries and nulls', () => {
    const a = Frame.fromColumns({ s: stringColumn(['x', 'y']), v: vectorColumn(1, Float64Array.of(1, 2)) });
    const b = Frame.fromColumns({
      s: stringColumn([null, 'z', 'x']),
      v: vectorColumn(1, Float64Array.of(3, 4, 5)),
    });
    const c = Frame.concat([a, b.take([2, 1, 0])]);
    assert.deepEqual(
      c.toRows().map((r) => r.s),
      ['x', 'y', 'x', 'z', null],
    );
    assert.deepEqual([...c.vectors('v').values], [1, 2, 5, 4, 3]);
    assert.throws(() => Frame.concat([a, a.drop('v')]), /different columns/);
  });

  test('concat keeps sparse vectors sparse, views and empty rows included', () => {
    // rows [0 0 5], [0 0 0] (no stored entry), [6 7 0] as CSR; the second frame is a view of rows 2, 2, 1, 0
    const sp = sparseVectorColumn(
      3,
      Int32Array.of(0, 1, 1, 3),
      Int32Array.of(2, 0, 1),
      Float64Array.of(5, 6, 7),
    );
    const a = Frame.fromColumns({ sp });
    const c = Frame.concat([a, a.take([2, 2, 1, 0])]);
    const col = c.column('sp');
    assert.ok(col.type === 'vector' && col.sparse, 'the result is a sparse vector column');
    if (col.type !== 'vector' || !col.sparse) return;
    assert.equal(col.index, undefined, 'compacted: no row index left');
    assert.deepEqual([...col.indptr], [0, 1, 1, 3, 5, 7, 7, 8]);
    assert.deepEqual([...col.indices], [2, 0, 1, 0, 1, 0, 1, 2]);
    assert.deepEqual([...col.values], [5, 6, 7, 6, 7, 6, 7, 5]);
    assert.deepEqual(
      [...c.vectors('sp').values],
      [0, 0, 5, 0, 0, 0, 6, 7, 0, 6, 7, 0, 6, 7, 0, 0, 0, 0, 0, 0, 5],
    );
  });

  test('toString shows names, types and shape', () => {
    const text = sample().toString();
    assert.match(text, /x\s+│ n/);
    assert.match(text, /float64/);
    assert.match(text, /2024-01-01T00:00:00.000Z/);
    assert.match(text, /4 rows × 6 columns/);
  });
});
