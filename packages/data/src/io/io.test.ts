import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '@cauce/frame';
import { DataError, readFrame, readWithReport, scanFrames, writeFrame } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'cauce-io-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function sample(n = 5): Frame {
  const cats = ['bogotá', 'medellín', null, 'cali', 'a category name longer than twelve bytes'];
  return Frame.fromColumns({
    x: Array.from({ length: n }, (_, i) => (i % 4 === 1 ? null : i * 1.25)),
    k: Array.from({ length: n }, (_, i) => i),
    s: Array.from({ length: n }, (_, i) => cats[i % cats.length]!),
    b: Array.from({ length: n }, (_, i) => i % 2 === 0),
    t: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2024, i % 12, 1, 10, 30))),
  });
}

describe('read and write round trips', () => {
  for (const ext of ['parquet', 'csv', 'json', 'jsonl']) {
    test(`${ext}: values, nulls and strings survive`, async () => {
      const f = sample(7);
      const path = join(dir, `rt.${ext}`);
      await writeFrame(f, path);
      const g = await readFrame(path);
      assert.equal(g.numRows, 7);
      assert.deepEqual(
        [...g.float64('x')].map((v) => (Number.isNaN(v) ? null : v)),
        f.column('x').toArray(),
      );
      assert.deepEqual(g.column('s').toArray(), f.column('s').toArray());
      assert.deepEqual(g.column('b').toArray(), f.column('b').toArray());
      assert.deepEqual([...g.float64('t')], [...f.float64('t')]);
      assert.equal(g.column('x').nullCount(), 2);
    });
  }

  test('views and vectors are written as seen', async () => {
    const f = Frame.fromColumns({
      v: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      i: [10, 20, 30],
    }).take([2, 0]);
    const path = join(dir, 'view.parquet');
    await writeFrame(f, path);
    const g = await readFrame(path);
    assert.deepEqual([...g.vectors('v').values], [5, 6, 1, 2]);
    assert.deepEqual([...g.float64('i')], [30, 10]);
  });

  test('a directory of Parquet parts (as Spark writes them) and a glob read as one frame', async () => {
    const parts = join(dir, 'parts');
    mkdirSync(parts);
    await writeFrame(Frame.fromColumns({ a: [1, 2], s: ['x', 'y'] }), join(parts, 'part-00000.parquet'));
    await writeFrame(Frame.fromColumns({ a: [3], s: ['x'] }), join(parts, 'part-00001.parquet'));
    const g = await readFrame(parts);
    assert.deepEqual([...g.float64('a')].sort(), [1, 2, 3]);
    const h = await readFrame(join(parts, '*.parquet'));
    assert.equal(h.numRows, 3);
  });

  test('streaming yields batches whose string codes stay stable', async () => {
    const n = 10_000;
    const path = join(dir, 'big.csv');
    const lines = ['i,s'];
    for (let i = 0; i < n; i++) lines.push(`${i},c${i % 3}`);
    writeFileSync(path, lines.join('\n'));
    let rows = 0;
    let batches = 0;
    let first: readonly string[] | undefined;
    for await (const b of scanFrames(path, { batchRows: 3000 })) {
      rows += b.numRows;
      batches++;
      const s = b.strings('s');
      first ??= s.dictionary;
      assert.deepEqual(s.dictionary.slice(0, first.length), first);
    }
    assert.equal(rows, n);
    assert.ok(batches >= 3, `expected several batches, got ${batches}`);
  });

  test('leaving a stream early (break or throw) waits for the chunk fetch in flight, then reads go on', async () => {
    const n = 50_000;
    const path = join(dir, 'early.csv');
    const lines = ['i,s'];
    for (let i = 0; i < n; i++) lines.push(`${i},c${i % 5}`);
    writeFileSync(path, lines.join('\n'));
    for (let round = 0; round < 3; round++) {
      let seen = 0;
      for await (const b of scanFrames(path, { batchRows: 2048 })) {
        seen += b.numRows;
        break;
      }
      assert.ok(seen > 0);
      await assert.rejects(
        (async () => {
          for await (const b of scanFrames(path, { batchRows: 2048 }))
            if (b.numRows > 0) throw new Error('stop');
        })(),
        /stop/,
      );
    }
    assert.equal((await readFrame(path)).numRows, n);
  });

  test('writes are atomic: a failed write leaves the old file and no temp file', async () => {
    const path = join(dir, 'keep.csv');
    writeFileSync(path, 'a\n1\n');
    await assert.rejects(writeFrame(sample(), path, { format: 'nope' as never }), DataError);
    assert.equal((await readFrame(path)).numRows, 1);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.tmp-')),
      [],
    );
  });
});

describe('bad input', () => {
  test('malformed CSV names file, line and column; skip counts rows', async () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'a,b\n1,2\n3,4,5\n6,7\n8,9\n');
    await assert.rejects(readFrame(path), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.code, 'MALFORMED_INPUT');
      assert.match(e.message, /bad\.csv: line 3/);
      return true;
    });
    const { frame, report } = await readWithReport(path, { onError: 'skip' });
    assert.equal(frame.numRows, 3);
    assert.equal(report.skippedRows, 1);
    assert.equal(report.rejected[0]!.line, 3);
  });

  test('a bad value in a typed column names the column', async () => {
    const path = join(dir, 'typed.csv');
    const lines = ['a,b'];
    // Beyond the sniffer's sample (20,480 rows), so the column is typed BIGINT before the bad value.
    for (let i = 0; i < 25_000; i++) lines.push(`${i},${i}`);
    lines.push('oops,1');
    writeFileSync(path, lines.join('\n'));
    await assert.rejects(readFrame(path), /line 25002, column "a"/);
  });

  test('casts convert, and a failing cast names the value', async () => {
    const path = join(dir, 'cast.csv');
    writeFileSync(path, 'v,d\n"1.5",2024-01-02\n"2",2024-02-03\n');
    const f = await readFrame(path, { cast: { v: 'string', d: 'timestamp' } });
    assert.equal(f.column('v').type, 'string');
    assert.equal(f.column('d').type, 'timestamp');
    writeFileSync(path, 'v\n1.5\nabc\n');
    await assert.rejects(readFrame(path, { cast: { v: 'double' } }), /column "v" to double: value "abc"/);
    await assert.rejects(readFrame(path, { cast: { w: 'double' } }), /does not have/);
  });

  test('missing files and unknown formats are clear errors', async () => {
    await assert.rejects(readFrame(join(dir, 'none.csv')), /no such file/);
    writeFileSync(join(dir, 'x.xyz'), 'a');
    await assert.rejects(readFrame(join(dir, 'x.xyz')), /cannot tell the format/);
    writeFileSync(join(dir, 'broken.json'), '{"a": 1,,,');
    await assert.rejects(readFrame(join(dir, 'broken.json')), DataError);
  });
});

test('parquet: low-cardinality strings (read as dictionary codes) and high-cardinality ones keep their values', async () => {
  const n = 10_000;
  const small = ['', "it's", 'ñandú', null, 'a category name longer than twelve bytes'];
  const f = Frame.fromColumns({
    few: Array.from({ length: n }, (_, i) => small[(i * 7) % small.length]!),
    many: Array.from({ length: n }, (_, i) => `id-${(i * 7919) % n}`),
  });
  const path = join(dir, 'cardinality.parquet');
  await writeFrame(f, path);
  const g = await readFrame(path);
  assert.deepEqual(g.column('few').toArray(), f.column('few').toArray());
  assert.deepEqual(g.column('many').toArray(), f.column('many').toArray());
  // Every dictionary entry is a distinct value that occurs (no placeholder entries).
  assert.equal(new Set(g.strings('few').dictionary).size, 4);
  assert.equal(g.strings('many').dictionary.length, n);
});
