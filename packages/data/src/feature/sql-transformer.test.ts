import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '@cauce/frame';
import { MLError, Pipeline, PipelineModel, VectorAssembler } from '@cauce/ml';
import { SQLTransformer } from '../index.js';

const contratos = Frame.fromColumns({
  valor: [1e6, 2.5e6, null, 4e6],
  dias: [30, 60, 90, 120],
  tipo: ['obra', 'servicios', 'obra', null],
});

test('SQLTransformer runs its statement over __THIS__ and reports the real output schema', async () => {
  const t = new SQLTransformer({
    statement:
      "SELECT *, valor / 1e6 AS valor_millones, tipo = 'obra' AS es_obra FROM __THIS__ WHERE dias > 30",
  });
  assert.deepEqual(
    t.transformSchema(contratos.schema).map((f) => [f.name, f.type]),
    [
      ['valor', 'float64'],
      ['dias', 'float64'],
      ['tipo', 'string'],
      ['valor_millones', 'float64'],
      ['es_obra', 'bool'],
    ],
  );
  const out = await t.transform(contratos);
  assert.deepEqual(out.column('valor_millones').toArray(), [2.5, null, 4]);
  assert.deepEqual(out.column('es_obra').toArray(), [false, true, null]);
});

test('inside a Pipeline, later stages are checked against the SQL output, and it saves and loads', async () => {
  const pipe = new Pipeline({
    stages: [
      new SQLTransformer({ statement: 'SELECT dias, coalesce(valor, 0) / dias AS valor_dia FROM __THIS__' }),
      new VectorAssembler({ inputCols: ['dias', 'valor_dia'], outputCol: 'features' }),
    ],
  });
  const model = await pipe.fit(contratos);
  const out = await model.transform(contratos);
  assert.deepEqual(
    [...out.vectors('features').values],
    [30, 1e6 / 30, 60, 2.5e6 / 60, 90, 0, 120, 4e6 / 120],
  );
  const dir = mkdtempSync(join(tmpdir(), 'cauce-sqlt-'));
  try {
    await model.save(join(dir, 'm'));
    const back = await PipelineModel.load(join(dir, 'm'));
    assert.deepEqual(
      [...(await back.transform(contratos)).vectors('features').values],
      [...out.vectors('features').values],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bad = new Pipeline({
    stages: [
      new SQLTransformer({ statement: 'SELECT dias FROM __THIS__' }),
      new VectorAssembler({ inputCols: ['valor'], outputCol: 'features' }),
    ],
  });
  await assert.rejects(
    bad.fit(contratos),
    (e: unknown) => e instanceof MLError && e.code === 'SCHEMA_MISMATCH',
  );
});

test('bad statements are clear errors before any data moves', () => {
  assert.throws(
    () => new SQLTransformer({ statement: 'SELECT 1' }).transformSchema(contratos.schema),
    /must read from __THIS__/,
  );
  assert.throws(
    () => new SQLTransformer({ statement: 'SELECT nope FROM __THIS__' }).transformSchema(contratos.schema),
    (e: unknown) =>
      e instanceof MLError &&
      e.code === 'SCHEMA_MISMATCH' &&
      /nope/.test(e.message) &&
      /input columns: valor, dias, tipo/.test(e.message + String((e as MLError & { hint?: string }).hint)),
  );
});
