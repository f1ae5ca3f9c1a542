/**
 * The conformance checks every stage passes (Spark's ParamsSuite.checkParams + DefaultReadWriteTest):
 *  1. params validate: docs present, defaults pass their own validators, bad values are INVALID_PARAM
 *     errors naming stage, param and value, copy() keeps uid and params and is independent;
 *  2. save → load gives the same class, the same params and identical output (bit for bit);
 *  3. schema errors are clear: dropping an input column (inputCol/inputCols/featuresCol, and labelCol for
 *     estimators) makes fit/transform fail with SCHEMA_MISMATCH naming the stage and the column.
 *
 * Usage (inside a test file):
 *   conformanceSuite('StandardScaler', { make: () => new StandardScaler({ inputCol: 'x', outputCol: 'y' }),
 *     frame, invalidParams: [['withMean', 'yes']] });
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '@cauce/frame';
import type { PipelineStage } from '@cauce/ml';
import { Estimator, MLError, Transformer, loadStage } from '@cauce/ml';

export interface ConformanceOptions {
  /** A configured stage (Estimator or Transformer); called several times, must give equal stages. */
  make: () => PipelineStage;
  /** Data the stage fits on / transforms. */
  frame: Frame;
  /** Frame to transform after fitting (default: `frame`). */
  transformFrame?: Frame;
  /** [param name, bad value] pairs that must be refused with INVALID_PARAM. */
  invalidParams?: Array<[string, unknown]>;
  /** Extra frames whose fit/transform must fail with SCHEMA_MISMATCH naming `column`. */
  badSchemas?: Array<{ frame: Frame; column: string }>;
  /** Skip the automatic drop-an-input-column check (e.g. a stage without input columns). */
  skipAutoSchema?: boolean;
}

async function isMLError(
  p: Promise<unknown> | (() => unknown),
  code: string,
  ...mentions: string[]
): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  assert.ok(
    err instanceof MLError,
    `expected an MLError ${code}, got ${err === undefined ? 'no error' : String(err)}`,
  );
  assert.equal(err.code, code, `expected code ${code}, got ${err.code}: ${err.message}`);
  for (const m of mentions)
    assert.ok(err.message.includes(m), `error message should mention '${m}': ${err.message}`);
}

async function apply(
  stage: PipelineStage,
  frame: Frame,
  transformFrame: Frame,
): Promise<{ out: Frame; fitted: Transformer }> {
  const fitted = stage instanceof Estimator ? await stage.fit(frame) : (stage as Transformer);
  return { out: await fitted.transform(transformFrame), fitted };
}

/** Asserts two frames have the same schema and identical values (NaN equals NaN). */
export function assertSameFrame(a: Frame, b: Frame): void {
  assert.deepEqual(a.schema, b.schema);
  for (const name of a.columnNames) {
    assert.deepEqual(b.column(name).toArray(), a.column(name).toArray(), `column '${name}' differs`);
  }
}

function paramValues(s: PipelineStage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { param, value } of s.extractParamMap().entries()) {
    if (param.spec.type !== 'object') out[param.name] = value;
  }
  return out;
}

export async function checkParams(opts: ConformanceOptions): Promise<void> {
  const s = opts.make();
  assert.ok(s.params.length > 0, 'a stage declares params');
  for (const p of s.params) {
    assert.ok(p.doc.length > 0, `param ${p.name} has a doc`);
    assert.equal(p.parent, s.uid);
    if (p.spec.default !== undefined) s.validateValue(p, p.spec.default);
  }
  const explained = s.explainParams();
  for (const p of s.params) assert.ok(explained.includes(p.name), `explainParams mentions ${p.name}`);
  for (const [name, bad] of opts.invalidParams ?? []) {
    const before = s.get(s.getParam(name));
    await isMLError(() => s.set(s.getParam(name), bad), 'INVALID_PARAM', name, s.uid);
    assert.deepEqual(s.get(s.getParam(name)), before, `a refused value leaves ${name} unchanged`);
  }
  await isMLError(() => s.setParams({ noSuchParam: 1 }), 'INVALID_PARAM', 'noSuchParam');
  const c = s.copy();
  assert.equal(c.uid, s.uid);
  assert.equal(c.constructor, s.constructor);
  assert.deepEqual(paramValues(c), paramValues(s));
}

export async function checkSaveLoad(opts: ConformanceOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cauce-conformance-'));
  try {
    const stage = opts.make();
    const tf = opts.transformFrame ?? opts.frame;
    await stage.save(join(dir, 'stage'));
    const loadedStage = await loadStage(join(dir, 'stage'));
    assert.equal(loadedStage.constructor, stage.constructor);
    assert.equal(loadedStage.uid, stage.uid);
    assert.deepEqual(paramValues(loadedStage), paramValues(stage));

    const { out, fitted } = await apply(stage, opts.frame, tf);
    await fitted.save(join(dir, 'fitted'));
    const loaded = await loadStage(join(dir, 'fitted'));
    assert.equal(loaded.constructor, fitted.constructor);
    assert.equal(loaded.uid, fitted.uid);
    assert.deepEqual(paramValues(loaded), paramValues(fitted));
    assert.ok(loaded instanceof Transformer);
    assertSameFrame(out, await loaded.transform(tf));
    // A loaded estimator fits the same model as the original.
    const again = await apply(loadedStage, opts.frame, tf);
    assertSameFrame(out, again.out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function checkSchemaErrors(opts: ConformanceOptions): Promise<void> {
  const stage = opts.make();
  const isEst = stage instanceof Estimator;
  const cols = new Set<string>();
  if (!opts.skipAutoSchema) {
    for (const name of ['inputCol', 'featuresCol', ...(isEst ? ['labelCol', 'weightCol'] : [])]) {
      if (stage.hasParam(name)) {
        const v = stage.get(stage.getParam(name));
        if (typeof v === 'string' && opts.frame.has(v)) cols.add(v);
      }
    }
    if (stage.hasParam('inputCols')) {
      const v = stage.get(stage.getParam('inputCols'));
      if (Array.isArray(v)) for (const c of v as string[]) if (opts.frame.has(c)) cols.add(c);
    }
    assert.ok(cols.size > 0, 'the stage names at least one input column (or pass skipAutoSchema)');
  }
  const cases = [
    ...[...cols].map((c) => ({ frame: opts.frame.drop(c), column: c })),
    ...(opts.badSchemas ?? []),
  ];
  for (const { frame, column } of cases) {
    const s = opts.make();
    const run = (): Promise<unknown> =>
      s instanceof Estimator ? s.fit(frame) : (s as Transformer).transform(frame);
    await isMLError(run, 'SCHEMA_MISMATCH', column, s.uid);
  }
}

/** Registers the three conformance tests for one stage. */
export function conformanceSuite(name: string, opts: ConformanceOptions): void {
  describe(`${name} conformance`, () => {
    test('params validate', () => checkParams(opts));
    test('save → load gives identical output', () => checkSaveLoad(opts));
    test('schema errors are clear', () => checkSchemaErrors(opts));
  });
}
