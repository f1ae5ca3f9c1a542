// Frames posted to tuning workers come back identical: every column type, nulls, dictionaries, sparse
// vectors and index views (checked through a real structured clone, as postMessage does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Frame,
  boolColumn,
  float64Column,
  int32Column,
  int64Column,
  sparseVectorColumn,
  stringColumn,
  timestampColumn,
  vectorColumn,
} from '@cauce/frame';
import { packFrame, unpackFrame } from './frame-transfer.js';

test('pack → structuredClone → unpack keeps types, nulls and views', () => {
  const base = Frame.fromColumns({
    f: float64Column([1.5, null, 3, 4]),
    i: int32Column([1, 2, null, 4]),
    l: int64Column([10, 20, 30, null]),
    b: boolColumn([true, null, false, true]),
    t: timestampColumn([0, 1000, null, 3000]),
    s: stringColumn(['a', null, 'b', 'a']),
    v: vectorColumn([[1, 2], null, [5, 6], [7, 8]]),
    sp: sparseVectorColumn(
      3,
      Int32Array.of(0, 1, 1, 3, 4),
      Int32Array.of(2, 0, 1, 2),
      Float64Array.of(9, 1, 2, 3),
    ),
  });
  const view = base.take(Int32Array.of(3, 0, 2, 2));
  for (const frame of [base, view]) {
    const back = unpackFrame(structuredClone(packFrame(frame)));
    assert.deepEqual(back.schema, frame.schema);
    assert.deepEqual(back.toRows(), frame.toRows());
    for (const name of frame.columnNames)
      assert.equal(back.column(name).nullCount(), frame.column(name).nullCount());
  }
});
