import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '@cauce/frame';
import { DataError, sql, writeFrame } from './index.js';

test('sql over frames and files, with string and null semantics kept', async () => {
  const contratos = Frame.fromColumns({
    entidad: ['A', 'B', 'A', null, 'B'],
    valor: [10, 20, null, 5, 30],
    fecha: [0, 86_400_000, 2 * 86_400_000, 0, 0].map((ms) => new Date(ms)),
  });
  const r = await sql(
    'SELECT entidad, sum(valor) AS total, count(*)::INT AS n FROM contratos GROUP BY entidad ORDER BY entidad NULLS LAST',
    { contratos },
  );
  assert.deepEqual(r.toRows(), [
    { entidad: 'A', total: 10, n: 2 },
    { entidad: 'B', total: 50, n: 2 },
    { entidad: null, total: 5, n: 1 },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'cauce-sql-'));
  try {
    const path = join(dir, 'c.parquet');
    await writeFrame(contratos, path);
    const days = await sql("SELECT date_part('day', fecha)::INT AS d FROM c WHERE entidad = 'A' ORDER BY d", {
      c: path,
    });
    assert.deepEqual(days.column('d').toArray(), [1, 3]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sql errors are DataErrors with DuckDB’s reason', async () => {
  await assert.rejects(sql('SELECT nope FROM t', { t: Frame.fromColumns({ a: [1] }) }), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.equal(e.code, 'SQL_ERROR');
    assert.match(e.message, /nope/);
    return true;
  });
  await assert.rejects(sql('  '), /needs a query/);
});

test('large results grow their columns correctly (nulls, wide ENUMs, long-string dictionaries)', async () => {
  const n = 80_000; // beyond the default 65,536-row first allocation, so columns grow
  const x = new Array<number | null>(n);
  const s = new Array<string | null>(n);
  const id = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    x[i] = i % 7 === 0 ? null : i / 2;
    s[i] = i % 11 === 0 ? null : `category-${i % 300}`; // 300 values: a 2-byte ENUM
    id[i] = `contract identifier number ${i}`; // 80k distinct long strings: the VARCHAR path
  }
  const t = Frame.fromColumns({ x, s, id });
  const r = await sql('SELECT * FROM t', { t });
  assert.equal(r.numRows, n);
  assert.deepEqual(r.column('x').toArray(), x);
  assert.deepEqual(r.column('s').toArray(), s);
  assert.equal(r.column('id').get(76_543), 'contract identifier number 76543');
  assert.equal(r.column('x').nullCount(), Math.ceil(n / 7));
});
