// The shared inputCol(s)/outputCol(s) plumbing on a minimal stage of its own: params declared first and in
// Spark's order, the single/multi-column rules, the schema helper's param names, the fitted-column check and
// the rows handleInvalid='skip' drops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frame } from '@cauce/frame';
import { Transformer } from '../pipeline/stage.js';
import { MLError } from '../util/errors.js';
import type { Schema } from '../util/schema.js';
import {
  SkippedRows,
  inOutPairs,
  inOutSchema,
  requireFittedColumns,
  withInOutCols,
  withInputOutputCol,
} from './in-out-cols.js';

const extraSpec = { name: 'extra', doc: 'a param of the stage itself', type: 'number' as const, default: 1 };

class Doubler extends withInOutCols(Transformer) {
  readonly extra = this.declare(extraSpec);

  transformSchema(schema: Schema): Schema {
    return inOutSchema(this, schema, 'numeric', () => ({ type: 'float64' }));
  }
  protected _transform(frame: Frame): Frame {
    const cols: Record<string, Float64Array> = {};
    for (const [i, o] of inOutPairs(this)) cols[o] = frame.float64(i).map((v) => 2 * v);
    return frame.withColumns(cols);
  }
}

class Single extends withInputOutputCol(Transformer) {
  transformSchema(schema: Schema): Schema {
    return schema;
  }
  protected _transform(frame: Frame): Frame {
    return frame;
  }
}

const frame = Frame.fromColumns({ a: Float64Array.of(1, 2, 3), b: Float64Array.of(4, 5, 6) });

/** `fn` throws an MLError whose code and message (after the stage uid) start with `expected`. */
function failsWith(fn: () => unknown, expected: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MLError, String(e));
    const got = `${e.code}: ${e.message.replace(/^\S+: /, '')}`;
    assert.ok(got.startsWith(expected), `got "${got}", expected it to start with "${expected}"`);
    return true;
  });
}

test('the mixed-in params come first, in Spark order, and keep the class name in the uid', () => {
  const d = new Doubler();
  assert.deepEqual(
    d.params.map((p) => p.name),
    ['inputCol', 'outputCol', 'inputCols', 'outputCols', 'extra'],
  );
  assert.match(d.uid, /^Doubler_/);
  const s = new Single().setInputCol('a').setOutputCol('b');
  assert.deepEqual(
    s.params.map((p) => p.name),
    ['inputCol', 'outputCol'],
  );
  assert.deepEqual([s.getOrDefault(s.inputCol), s.getOrDefault(s.outputCol)], ['a', 'b']);
});

test('setters chain and the single or the multi-column form is resolved', async () => {
  const single = new Doubler().setInputCol('a').setOutputCol('a2');
  assert.deepEqual(inOutPairs(single), [['a', 'a2']]);
  const multi = new Doubler().setInputCols(['a', 'b']).setOutputCols(['a2', 'b2']);
  assert.deepEqual(inOutPairs(multi), [
    ['a', 'a2'],
    ['b', 'b2'],
  ]);
  const out = await multi.transform(frame);
  assert.deepEqual([...out.float64('b2')], [8, 10, 12]);
});

test('wrong combinations of the column params are INVALID_PARAM with what to do', () => {
  failsWith(() => inOutPairs(new Doubler()), 'INVALID_PARAM: neither inputCol nor inputCols is set');
  failsWith(
    () => inOutPairs(new Doubler().setInputCol('a').setInputCols(['b'])),
    'INVALID_PARAM: set either inputCol or inputCols, not both',
  );
  failsWith(
    () => inOutPairs(new Doubler().setInputCols(['a', 'b'])),
    'INVALID_PARAM: inputCols is set but outputCols is not',
  );
  failsWith(
    () => inOutPairs(new Doubler().setInputCols(['a', 'b']).setOutputCols(['x'])),
    'INVALID_PARAM: inputCols has 2 entries but outputCols has 1; they must match',
  );
  failsWith(
    () => requireFittedColumns(new Doubler().setInputCol('a').setOutputCol('x'), 2),
    'INVALID_PARAM: the model was fitted on 2 column(s) but 1 are set',
  );
});

test('schema errors name the single or the multi-column param', () => {
  const one = new Doubler().setInputCol('zz').setOutputCol('x');
  failsWith(() => one.transformSchema(frame.schema), "SCHEMA_MISMATCH: inputCol column 'zz' does not exist");
  const many = new Doubler().setInputCols(['a', 'b']).setOutputCols(['x', 'a']);
  failsWith(
    () => many.transformSchema(frame.schema),
    "SCHEMA_MISMATCH: outputCols column 'a' already exists",
  );
});

test('SkippedRows drops the rows marked by any column, and nothing when none is', () => {
  const none = new SkippedRows(3);
  assert.equal(none.dropFrom(frame), frame);
  const some = new SkippedRows(3);
  some.skip(0);
  some.skip(2);
  some.skip(0);
  assert.deepEqual([...some.dropFrom(frame).float64('b')], [5]);
});
