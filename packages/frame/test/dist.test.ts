// The published shape: the compiled package (dist/, built by `tsc -b`, which `npm test` runs first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame, float64Column, stringColumn } from '../dist/index.js';

test('built @cauce/frame builds a frame, takes an index view and reads typed arrays', () => {
  const f = Frame.fromColumns({ x: float64Column([1, 2, null, 4]), s: stringColumn(['a', 'b', 'a', null]) });
  assert.equal(f.numRows, 4);
  const v = f.take(new Int32Array([3, 0]));
  assert.deepEqual(v.toRows(), [
    { x: 4, s: null },
    { x: 1, s: 'a' },
  ]);
  assert.ok(Number.isNaN(f.float64('x')[2]!));
  assert.throws(() => f.column('nope'), /nope/);
});
