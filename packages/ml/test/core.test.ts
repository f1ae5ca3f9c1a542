import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '@cauce/frame';
import { MLError, ParamMap, Pipeline, PipelineModel, loadStage, mlEvents, type MLEvent } from '@cauce/ml';
import { AddConstant, MeanCenter, MeanCenterModel } from './support/toy-stages.js';
import { conformanceSuite } from './support/conformance.js';

const frame = Frame.fromColumns({ x: Float64Array.of(1, 2, 3, 4), s: ['a', 'b', 'a', 'c'] });

function mlError(code: string, ...mentions: string[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof MLError, String(e));
    assert.equal(e.code, code, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `'${m}' in: ${e.message}`);
    return true;
  };
}

describe('Params', () => {
  test('defaults, set values, Spark-style accessors', () => {
    const s = new MeanCenter({ inputCol: 'x', outputCol: 'y' });
    assert.equal(s.getScale(), 1);
    assert.equal(s.isSet(s.scale), false);
    assert.equal(s.isDefined(s.scale), true);
    s.setScale(2);
    assert.equal(s.getScale(), 2);
    assert.equal(s.isSet(s.scale), true);
    s.clear(s.scale);
    assert.equal(s.getScale(), 1);
    assert.match(s.uid, /^MeanCenter_[0-9a-f]{12}$/);
  });

  test('bad values name stage, param and value; unset params without default are clear', () => {
    const s = new MeanCenter();
    assert.throws(() => s.setScale(-1), mlError('INVALID_PARAM', s.uid, 'scale', '>= 0', '-1'));
    assert.throws(() => s.set(s.maxIter, 1.5), mlError('INVALID_PARAM', 'maxIter', 'integer', '1.5'));
    assert.throws(() => s.setParams({ scale: 'big' }), mlError('INVALID_PARAM', 'scale', '"big"'));
    assert.throws(() => new MeanCenter({ nope: 1 } as never), mlError('INVALID_PARAM', 'nope', 'inputCol'));
    assert.throws(() => s.getOrDefault(s.inputCol), mlError('INVALID_PARAM', 'inputCol', 'setInputCol'));
    const other = new MeanCenter();
    assert.throws(() => s.set(other.scale, 1), mlError('INVALID_PARAM', 'does not belong'));
  });

  test('array values are owned by the stage', () => {
    const p = new Pipeline();
    const stages = [new AddConstant({ inputCol: 'x', outputCol: 'y' })];
    p.setStages(stages);
    stages.push(new AddConstant());
    assert.equal(p.getStages().length, 1);
  });

  test('a pipeline refuses a stage twice and non-stages', () => {
    const a = new AddConstant({ inputCol: 'x', outputCol: 'y' });
    assert.throws(() => new Pipeline().setStages([a, a]), mlError('INVALID_PARAM', 'stages', 'at most once'));
    assert.throws(() => new Pipeline().setStages([a, a.copy()]), mlError('INVALID_PARAM', 'at most once'));
    assert.throws(
      () => new Pipeline().setStages([{} as never]),
      mlError('INVALID_PARAM', 'Estimators and Transformers'),
    );
  });

  test('copy keeps uid and params, applies extra, and is independent', () => {
    const s = new MeanCenter({ inputCol: 'x', outputCol: 'y', scale: 3 });
    const c = s.copy(new ParamMap().put(s.scale, 5));
    assert.equal(c.uid, s.uid);
    assert.equal(c.getScale(), 5);
    assert.equal(s.getScale(), 3);
    c.setScale(7);
    assert.equal(s.getScale(), 3);
    assert.ok(c instanceof MeanCenter);
  });

  test('extractParamMap and explainParams', () => {
    const s = new MeanCenter({ inputCol: 'x', scale: 2 });
    const m = s.extractParamMap();
    assert.equal(m.get(s.scale), 2);
    assert.equal(m.get(s.maxIter), 3);
    assert.equal(m.has(s.outputCol), false);
    const text = s.explainParams();
    assert.match(text, /scale: multiplier\. Must be >= 0\. \(default: 1, current: 2\)/);
    assert.match(text, /outputCol: output column name.*\(undefined\)/);
  });
});

describe('Estimator / Model / Pipeline', () => {
  test('fit validates the schema before any work and names stage, param, column', async () => {
    const s = new MeanCenter({ inputCol: 'nope', outputCol: 'y' });
    await assert.rejects(s.fit(frame), mlError('SCHEMA_MISMATCH', s.uid, 'inputCol', "'nope'", 'x, s'));
    const t = new MeanCenter({ inputCol: 's', outputCol: 'y' });
    await assert.rejects(t.fit(frame), mlError('SCHEMA_MISMATCH', "'s'", 'string', 'StringIndexer'));
    const u = new MeanCenter({ inputCol: 'x', outputCol: 'x' });
    await assert.rejects(u.fit(frame), mlError('SCHEMA_MISMATCH', 'already exists'));
  });

  test('anything but a Frame is a clear error, and stages show as uids in messages', async () => {
    const est = new MeanCenter({ inputCol: 'x', outputCol: 'y' });
    await assert.rejects(
      est.fit([{ x: 1 }] as never),
      mlError('INVALID_DATA', 'fit expects a Frame, got an array', 'Frame.fromRows'),
    );
    const t = new AddConstant({ inputCol: 'x', outputCol: 'y' });
    await assert.rejects(
      t.transform(undefined as never),
      mlError('INVALID_DATA', 'transform expects a Frame, got undefined'),
    );
    const p = new Pipeline().setStages([t]);
    assert.match(p.explainParams(), new RegExp(`stages: .*current: \\[${t.uid}\\]`));
  });

  test('the model gets the estimator uid, shared params and parent', async () => {
    const est = new MeanCenter({ inputCol: 'x', outputCol: 'y', scale: 2 });
    const model = await est.fit(frame);
    assert.ok(model instanceof MeanCenterModel);
    assert.equal(model.uid, est.uid);
    assert.equal(model.getOrDefault(model.outputCol), 'y');
    assert.equal(model.parent, est);
    const out = await model.transform(frame);
    assert.deepEqual([...out.float64('y')], [-3, -1, 1, 3]);
    const m2 = await est.fit(frame, new ParamMap().put(est.scale, 4));
    assert.deepEqual([...(await m2.transform(frame)).float64('y')], [-6, -2, 2, 6]);
    assert.equal(est.getScale(), 2, 'fit(frame, paramMap) does not change the estimator');
  });

  test('a pipeline checks every stage schema before fitting any', async () => {
    const first = new MeanCenter({ inputCol: 'x', outputCol: 'y' });
    let fits = 0;
    const off = mlEvents.on('fitStarted', () => fits++);
    try {
      const bad = new AddConstant({ inputCol: 'missing', outputCol: 'z' });
      const p = new Pipeline().setStages([first, bad]);
      await assert.rejects(p.fit(frame), mlError('SCHEMA_MISMATCH', bad.uid, "'missing'"));
      assert.equal(fits, 0);
    } finally {
      off();
    }
  });

  test('pipeline fit/transform chains stages and emits nested events', async () => {
    const events: MLEvent[] = [];
    const off = mlEvents.onAny((e) => events.push(e));
    try {
      const p = new Pipeline().setStages([
        new AddConstant({ inputCol: 'x', outputCol: 'x1', value: 10 }),
        new MeanCenter({ inputCol: 'x1', outputCol: 'y', scale: 2 }),
      ]);
      const model = await p.fit(frame);
      assert.ok(model instanceof PipelineModel);
      assert.equal(model.stages.length, 2);
      const out = await model.transform(frame);
      assert.deepEqual([...out.float64('y')], [-3, -1, 1, 3]);
      const types = events.map((e) => `${e.type}:${'className' in e ? e.className : ''}`);
      assert.deepEqual(
        types.filter((t) => t.startsWith('fitStarted')),
        ['fitStarted:Pipeline', 'fitStarted:MeanCenter'],
      );
      const progress = events.filter((e) => e.type === 'fitProgress' && e.className === 'MeanCenter');
      assert.deepEqual(
        progress.map((e) => (e.type === 'fitProgress' ? [e.iteration, e.loss] : [])),
        [
          [1, 1],
          [2, 0.5],
          [3, 1 / 3],
        ],
      );
      const inner = events.find((e) => e.type === 'fitFinished' && e.className === 'MeanCenter');
      assert.ok(inner && inner.type === 'fitFinished' && inner.parentUid === p.uid);
      assert.equal(events.at(-1)?.type, 'fitFinished');
    } finally {
      off();
    }
  });

  test('a failing fit emits fitFailed and rejects with the error', async () => {
    const seen: string[] = [];
    const off = mlEvents.on('fitFailed', (e) => seen.push(`${e.className}:${(e.error as Error).message}`));
    try {
      const empty = Frame.fromColumns({ x: new Float64Array(0) });
      const p = new Pipeline().setStages([new MeanCenter({ inputCol: 'x', outputCol: 'y' })]);
      const res = await p.fit(empty).then(
        () => 'fitted',
        (e: unknown) => (e instanceof Error ? 'rejected' : 'odd'),
      );
      // MeanCenter on no rows fits NaN statistics (no error): the pipeline succeeds
      assert.equal(res, 'fitted');
      const bad = new Pipeline().setStages([new MeanCenter({ inputCol: 'x', outputCol: 'y' })]);
      const stagesOverride = new ParamMap().put(bad.stages, [
        new AddConstant({ inputCol: 'x', outputCol: 'y' }),
        new MeanCenter({ inputCol: 'y', outputCol: 'y' }),
      ]);
      await assert.rejects(bad.fit(frame, stagesOverride), mlError('SCHEMA_MISMATCH', 'already exists'));
      assert.deepEqual(seen, [], 'schema errors fail before fitStarted, so no fitFailed either');
      const boom = new (class extends MeanCenter {
        protected override _fit(): never {
          throw new Error('kernel diverged');
        }
      })({ inputCol: 'x', outputCol: 'y' });
      await assert.rejects(boom.fit(frame), /kernel diverged/);
      assert.equal(seen.length, 1);
      assert.match(seen[0]!, /kernel diverged/);
    } finally {
      off();
    }
  });

  test('the event hub is shared process-wide (dist and source copies of @cauce/ml see the same one)', () => {
    const hub = (globalThis as Record<symbol, unknown>)[Symbol.for('@cauce/ml/events')];
    assert.equal(hub, mlEvents);
  });

  test('a throwing listener does not break a fit', async () => {
    const seen: unknown[] = [];
    const prev = mlEvents.onListenerError;
    mlEvents.onListenerError = (err) => seen.push(err);
    const off = mlEvents.on('fitProgress', () => {
      throw new Error('listener bug');
    });
    try {
      const m = await new MeanCenter({ inputCol: 'x', outputCol: 'y' }).fit(frame);
      assert.ok(m instanceof MeanCenterModel);
      assert.equal(seen.length, 3);
    } finally {
      off();
      mlEvents.onListenerError = prev;
    }
  });
});

describe('save / load', () => {
  test('pipeline model round trip, typed load and overwrite rules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cauce-ml-io-'));
    try {
      const p = new Pipeline().setStages([
        new AddConstant({ inputCol: 'x', outputCol: 'x1', value: 0.1 }),
        new MeanCenter({ inputCol: 'x1', outputCol: 'y', scale: Math.PI }),
      ]);
      const model = await p.fit(frame);
      const target = join(dir, 'model');
      await model.save(target);
      const loaded = await PipelineModel.load(target);
      assert.deepEqual(
        [...(await loaded.transform(frame)).float64('y')],
        [...(await model.transform(frame)).float64('y')],
      );
      assert.deepEqual(
        loaded.stages.map((s) => s.uid),
        model.stages.map((s) => s.uid),
      );
      await assert.rejects(model.save(target), mlError('SAVE_ERROR', 'already exists', 'overwrite'));
      await model.save(target, { overwrite: true });
      await assert.rejects(MeanCenterModel.load(target), mlError('LOAD_ERROR', 'PipelineModel'));
      const p2 = await loadStage(join(dir, 'model'));
      assert.ok(p2 instanceof PipelineModel);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('newer format, corrupt and missing files are clear errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cauce-ml-io-'));
    try {
      const model = await new MeanCenter({ inputCol: 'x', outputCol: 'y' }).fit(frame);
      const target = join(dir, 'm');
      await model.save(target);
      const metaPath = join(target, 'metadata.json');
      const meta = JSON.parse(await readFile(metaPath, 'utf8')) as Record<string, unknown>;
      assert.equal(meta.class, 'MeanCenterModel');
      assert.deepEqual(meta.params, { inputCol: 'x', outputCol: 'y' });

      await writeFile(metaPath, JSON.stringify({ ...meta, formatVersion: 99 }));
      await assert.rejects(loadStage(target), mlError('UNSUPPORTED_VERSION', 'format version 99', 'upgrade'));
      await writeFile(metaPath, JSON.stringify({ ...meta, class: 'Nope' }));
      await assert.rejects(loadStage(target), mlError('LOAD_ERROR', "unknown stage class 'Nope'"));
      await writeFile(metaPath, JSON.stringify({ ...meta, params: { inputCol: 7 } }));
      await assert.rejects(loadStage(target), mlError('LOAD_ERROR', "saved param 'inputCol'", 'got 7'));
      await writeFile(metaPath, '{ not json');
      await assert.rejects(loadStage(target), mlError('LOAD_ERROR', 'not valid JSON'));
      await writeFile(metaPath, JSON.stringify(meta));
      const bin = join(target, 'data', 'stats.f64');
      const bytes = await readFile(bin);
      bytes[3] = bytes[3]! ^ 0xff;
      await writeFile(bin, bytes);
      await assert.rejects(loadStage(target), mlError('LOAD_ERROR', 'checksum'));
      await writeFile(bin, bytes.subarray(0, 8));
      await assert.rejects(loadStage(target), mlError('LOAD_ERROR', 'bytes, expected 16'));
      await rm(bin);
      await assert.rejects(loadStage(target), mlError('LOAD_ERROR', 'missing'));
      await assert.rejects(loadStage(join(dir, 'none')), mlError('LOAD_ERROR', 'no such directory'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('NaN params survive save/load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cauce-ml-io-'));
    try {
      const s = new AddConstant({ inputCol: 'x', outputCol: 'y', value: NaN });
      await s.save(join(dir, 's'));
      const l = await AddConstant.load(join(dir, 's'));
      assert.ok(Number.isNaN(l.getOrDefault(l.value)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

conformanceSuite('AddConstant', {
  make: () => new AddConstant({ inputCol: 'x', outputCol: 'y', value: 2 }),
  frame,
  invalidParams: [['value', 'two']],
});
conformanceSuite('MeanCenter', {
  make: () => new MeanCenter({ inputCol: 'x', outputCol: 'y', scale: 2 }),
  frame,
  invalidParams: [
    ['scale', -1],
    ['maxIter', 0.5],
  ],
});
