import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NumberColumn, type Frame } from '@cauce/frame';
import { readFrame } from '../io/read.js';
import { withConnection } from './instance.js';
import {
  PARALLEL_MIN_ROWS,
  mergeNulls,
  parallelParquetFrame,
  rangeWorkers,
  splitRowGroups,
} from './parallel-read.js';
import { asEnums, planQuery, queryFrame } from './result-to-frame.js';

const dir = mkdtempSync(join(tmpdir(), 'cauce-parallel-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const ROWS = 30_011;

/**
 * A Parquet file with every shape the readers handle, nulls in each column, several row groups, and a
 * deterministic pseudo-random content (hash of the row number, seed 7).
 */
async function makeFile(path: string, rows: number, rowGroup: number): Promise<void> {
  await withConnection(async (con) => {
    await con.run(`COPY (
      SELECT
        CASE WHEN h % 11 = 0 THEN NULL ELSE (h % 100000) / 7.0 END::DOUBLE AS f,
        CASE WHEN h % 13 = 0 THEN NULL ELSE (h % 2000)::INTEGER - 1000 END AS i,
        CASE WHEN h % 17 = 0 THEN NULL ELSE h % 3 = 0 END AS b,
        CASE WHEN h % 19 = 0 THEN NULL ELSE TIMESTAMP '2024-01-01' + to_microseconds((h % 1000000000)::BIGINT) END AS t,
        CASE WHEN h % 23 = 0 THEN NULL ELSE 'cat_' || (h % 7) END AS low,
        CASE WHEN h % 29 = 0 THEN NULL ELSE 'id-' || (h % 20000) || CASE WHEN h % 3 = 0 THEN '-a value longer than twelve bytes' ELSE '' END END AS high,
        (h % 1000000)::BIGINT AS big,
        (h % 300)::SMALLINT AS small,
        CASE WHEN h % 31 = 0 THEN NULL ELSE [h % 5, h % 7]::DOUBLE[] END AS vec
      FROM (SELECT (hash(range + 7) % 9007199254740991)::BIGINT AS h FROM range(${rows}))
    ) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE ${rowGroup})`);
  });
}

/** Same names, types, row count, nulls and values (numbers compared bit for bit, NaN included). */
function assertSameFrame(a: Frame, b: Frame): void {
  assert.deepEqual(a.columnNames, b.columnNames);
  assert.equal(a.numRows, b.numRows);
  for (const name of a.columnNames) {
    const x = a.column(name);
    const y = b.column(name);
    assert.equal(x.type, y.type, name);
    assert.equal(x.nullCount(), y.nullCount(), name);
    if (x.type === 'float64' || x.type === 'int64' || x.type === 'timestamp' || x.type === 'int32') {
      const u = x.data;
      const v = (y as typeof x).data;
      assert.ok(
        Buffer.from(u.buffer, u.byteOffset, u.byteLength).equals(
          Buffer.from(v.buffer, v.byteOffset, v.byteLength),
        ),
        name,
      );
      for (let i = 0; i < a.numRows; i++) assert.equal(x.isNull(i), y.isNull(i), name);
    } else {
      assert.deepEqual(x.toArray(), y.toArray(), name);
    }
  }
}

/** The buffer behind a numeric column's storage (shared when the parallel reader filled it). */
function storage(f: Frame, name: string): ArrayBufferLike {
  const c = f.column(name);
  assert.ok(c instanceof NumberColumn);
  return c.data.buffer;
}

describe('parallel Parquet reads', () => {
  test('row groups are split into contiguous ranges of about equal rows', () => {
    assert.deepEqual(splitRowGroups([10, 10, 10, 10], 2), [
      { start: 0, rows: 20 },
      { start: 20, rows: 20 },
    ]);
    assert.deepEqual(splitRowGroups([30, 5, 5], 2), [
      { start: 0, rows: 30 },
      { start: 30, rows: 10 },
    ]);
    assert.deepEqual(splitRowGroups([7], 4), [{ start: 0, rows: 7 }]);
    const r = splitRowGroups([3, 3, 3, 3, 3, 3, 3, 3, 3], 4);
    assert.equal(
      r.reduce((a, x) => a + x.rows, 0),
      27,
    );
    r.slice(1).forEach((x, k) => assert.equal(x.start, r[k]!.start + r[k]!.rows));
  });

  test('validity bitmaps merge at any row offset, aligned or not', () => {
    for (const start of [0, 8, 3, 13]) {
      const rows = 21;
      const local = new Uint8Array(3).fill(0xff);
      const nullRows = [0, 5, 9, 20];
      for (const i of nullRows) local[i >>> 3]! &= ~(1 << (i & 7));
      const bits = new Uint8Array(8).fill(0xff);
      mergeNulls(bits, local, start, rows);
      const nulls: number[] = [];
      for (let i = 0; i < 64; i++) if ((bits[i >>> 3]! & (1 << (i & 7))) === 0) nulls.push(i);
      assert.deepEqual(
        nulls,
        nullRows.map((i) => i + start),
        `start ${start}`,
      );
    }
  });

  test('gives the same frame as the serial reader, nulls, strings, timestamps, ints, bools and lists included', async () => {
    const path = join(dir, 'all.parquet');
    await makeFile(path, ROWS, 6000);
    const call = `read_parquet('${path}', union_by_name = true)`;
    const query = `SELECT * FROM ${call}`;
    const enums = new Map([['low', Array.from({ length: 7 }, (_, k) => `cat_${k}`)]]);
    const { serial, parallel } = await withConnection(async (con) => {
      const serial = await queryFrame(con, query, ROWS, enums);
      const plans = asEnums(await planQuery(con, query), enums);
      const parallel = await parallelParquetFrame(con, path, call, query, plans, enums, 0);
      return { serial, parallel };
    });
    if (rangeWorkers() === 0) {
      assert.equal(parallel, undefined, 'one core: the serial path is used');
      return;
    }
    assert.ok(parallel !== undefined, 'the parallel path applies to this file');
    assertSameFrame(parallel, serial);
    assert.ok(storage(parallel, 'f') instanceof SharedArrayBuffer);
    assert.ok(parallel.column('f').nullCount() > 0 && parallel.column('low').nullCount() > 0);
    assert.equal(parallel.column('t').type, 'timestamp');
    assert.equal(parallel.column('big').type, 'int64');
    assert.equal(parallel.column('vec').type, 'vector');
  });

  test('readFrame takes the parallel path for a large Parquet file and reads what the serial path reads', async () => {
    const path = join(dir, 'large.parquet');
    await withConnection((con) =>
      con.run(`COPY (
        SELECT CASE WHEN range % 7 = 0 THEN NULL ELSE range * 0.5 END::DOUBLE AS f,
               CASE WHEN range % 5 = 0 THEN NULL ELSE 'k' || (range % 3) END AS s
        FROM range(${PARALLEL_MIN_ROWS + 1001})
      ) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 50000)`),
    );
    const frame = await readFrame(path);
    const serial = await withConnection((con) => queryFrame(con, `SELECT * FROM read_parquet('${path}')`));
    assertSameFrame(frame, serial);
    assert.equal(storage(frame, 'f') instanceof SharedArrayBuffer, rangeWorkers() > 0);
  });

  test('reads running at the same time share the workers and each gets its own frame', async () => {
    const a = join(dir, 'concurrent-a.parquet');
    const b = join(dir, 'concurrent-b.parquet');
    await withConnection(async (con) => {
      await con.run(
        `COPY (SELECT range::DOUBLE AS x FROM range(30000)) TO '${a}' (FORMAT parquet, ROW_GROUP_SIZE 5000)`,
      );
      await con.run(
        `COPY (SELECT -range::DOUBLE AS x FROM range(40000)) TO '${b}' (FORMAT parquet, ROW_GROUP_SIZE 5000)`,
      );
    });
    const read = (path: string): Promise<Frame | undefined> =>
      withConnection(async (con) => {
        const call = `read_parquet('${path}', union_by_name = true)`;
        const query = `SELECT * FROM ${call}`;
        return parallelParquetFrame(con, path, call, query, await planQuery(con, query), new Map(), 0);
      });
    const [fa, fb] = await Promise.all([read(a), read(b), read(a)]);
    if (rangeWorkers() === 0) return;
    assert.equal(fa!.numRows, 30000);
    assert.equal(fb!.numRows, 40000);
    const xa = fa!.float64('x');
    const xb = fb!.float64('x');
    assert.ok(xa.every((v, i) => v === i));
    assert.ok(xb.every((v, i) => v === -i));
  });

  test('a file with too few rows is left to the serial reader', async () => {
    const path = join(dir, 'small.parquet');
    await withConnection((con) =>
      con.run(`COPY (SELECT range::DOUBLE AS x FROM range(1000)) TO '${path}' (FORMAT parquet)`),
    );
    const call = `read_parquet('${path}', union_by_name = true)`;
    const query = `SELECT * FROM ${call}`;
    const got = await withConnection(async (con) =>
      parallelParquetFrame(con, path, call, query, await planQuery(con, query), new Map()),
    );
    assert.equal(got, undefined);
    assert.deepEqual([...(await readFrame(path)).float64('x')].slice(0, 3), [0, 1, 2]);
  });
});
