import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NumberColumn, StringColumn, type Frame } from '@cauce/frame';
import { quoteLiteral, withConnection } from '../duckdb/instance.js';
import { rangeWorkers, readRanges, type RangeRead } from '../duckdb/parallel-read.js';
import { planQuery, projectionSql, queryFrame } from '../duckdb/result-to-frame.js';
import { readFrame, readWithReport } from './read.js';
import { PARALLEL_CSV_MIN_BYTES, parallelCsvFrame, splitLines } from './parallel-csv.js';
import { preparedReaderCall } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'cauce-pcsv-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A CSV of every type the sniffer infers, with empty (null) fields in each column; seeded (LCG, seed 11). */
function writeCsv(path: string, rows: number): void {
  let s = 11;
  const rnd = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const lines = ['f,i,b,t,short,long'];
  for (let r = 0; r < rows; r++) {
    const u = rnd();
    const nul = (k: number): boolean => Math.floor(u * 1000) % k === 0;
    lines.push(
      [
        nul(7) ? '' : (rnd() * 2000 - 1000).toFixed(4),
        nul(11) ? '' : String(Math.floor(rnd() * 100000) - 50000),
        nul(13) ? '' : rnd() < 0.5 ? 'true' : 'false',
        nul(17)
          ? ''
          : new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 1e11)).toISOString().replace('Z', ''),
        nul(19) ? '' : `c${Math.floor(rnd() * 9)}`,
        nul(23) ? '' : `a label longer than twelve bytes #${Math.floor(rnd() * 50)}`,
      ].join(','),
    );
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

async function serialAndParallel(path: string): Promise<{ serial: Frame; parallel: Frame | undefined }> {
  return withConnection(async (con) => {
    const call = await preparedReaderCall(con, path, {}, true);
    const query = `SELECT * FROM ${call}`;
    const serial = await queryFrame(con, query);
    const parallel = await parallelCsvFrame(path, call, query, await planQuery(con, query), 0);
    return { serial, parallel };
  });
}

/** Same names, types, rows, nulls and values (storage compared byte for byte where it is defined). */
function assertSameFrame(a: Frame, b: Frame): void {
  assert.deepEqual(a.columnNames, b.columnNames);
  assert.equal(a.numRows, b.numRows);
  const bytes = (x: ArrayBufferView): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const name of a.columnNames) {
    const x = a.column(name);
    const y = b.column(name);
    assert.equal(x.type, y.type, name);
    assert.equal(x.nullCount(), y.nullCount(), name);
    if (x instanceof NumberColumn && y instanceof NumberColumn) {
      assert.ok(bytes(x.data).equals(bytes(y.data)), name);
    } else if (x instanceof StringColumn && y instanceof StringColumn) {
      assert.deepEqual(x.dictionary, y.dictionary, name);
      assert.ok(bytes(x.codesArray()).equals(bytes(y.codesArray())), name);
    } else {
      assert.deepEqual(x.toArray(), y.toArray(), name);
    }
  }
}

const parallel = rangeWorkers() > 0;

describe('parallel CSV reads', () => {
  test('byte ranges start at line starts, after the header', () => {
    const path = join(dir, 'lines.csv');
    writeFileSync(path, 'a,b\n' + Array.from({ length: 100 }, (_, i) => `${i},${i * 2}`).join('\n') + '\n');
    const ranges = splitLines(path, 3, true)!;
    assert.equal(ranges[0]!.from, 4);
    assert.equal(ranges[ranges.length - 1]!.to, statSync(path).size);
    const text = Buffer.from(`a,b\n${Array.from({ length: 100 }, (_, i) => `${i},${i * 2}`).join('\n')}\n`);
    for (const r of ranges) assert.equal(text[r.from - 1], 10, 'each range follows a newline');
  });

  test('gives the same frame as the serial reader: nulls, strings, timestamps, ints, bools', async () => {
    const path = join(dir, 'all.csv');
    writeCsv(path, 20_011);
    const { serial, parallel: got } = await serialAndParallel(path);
    if (!parallel) {
      assert.equal(got, undefined);
      return;
    }
    assert.ok(got !== undefined, 'the parallel path applies');
    assertSameFrame(got, serial);
    assert.deepEqual(
      got.columnNames.map((n) => got.column(n).type),
      ['float64', 'int64', 'bool', 'timestamp', 'string', 'string'],
    );
    for (const n of got.columnNames) assert.ok(got.column(n).nullCount() > 0, n);
  });

  test('an unterminated last line and CRLF line ends read the same as serially', async () => {
    const path = join(dir, 'crlf.csv');
    const body = Array.from({ length: 5000 }, (_, i) => `${i},x${i % 3}`).join('\r\n');
    writeFileSync(path, 'n,s\r\n' + body);
    const { serial, parallel: got } = await serialAndParallel(path);
    if (!parallel) return;
    assert.ok(got !== undefined);
    assertSameFrame(got, serial);
    assert.equal(got.numRows, 5000);
  });

  test('a file that uses quotes, or has a malformed line, is left to the serial reader', async () => {
    const quoted = join(dir, 'quoted.csv');
    writeFileSync(
      quoted,
      'id,name\n' +
        Array.from({ length: 3000 }, (_, i) => `${i},"name, with a comma ${i}"`).join('\n') +
        '\n',
    );
    assert.equal((await serialAndParallel(quoted)).parallel, undefined);
    const bad = join(dir, 'bad.csv');
    const lines = Array.from({ length: 6000 }, (_, i) => `${i},${i * 0.5}`);
    lines[4500] = '4500,not a number,extra';
    writeFileSync(bad, 'k,v\n' + lines.join('\n') + '\n');
    const got = await withConnection(async (con) => {
      const call = await preparedReaderCall(con, bad, {}, true);
      const query = `SELECT * FROM ${call}`;
      return parallelCsvFrame(bad, call, query, await planQuery(con, query), 0);
    });
    assert.equal(got, undefined);
    // The public reader still reports the line, as the serial reader does.
    await assert.rejects(readFrame(bad), /line 4502/);
    const { report } = await readWithReport(bad, { onError: 'skip' });
    assert.equal(report.skippedRows, 1);
  });

  test('readFrame reads a large CSV in parallel, with the same result as serially', async () => {
    const path = join(dir, 'large.csv');
    await withConnection((con) =>
      con.run(`COPY (
        SELECT range * 0.25 AS a, CASE WHEN range % 9 = 0 THEN NULL ELSE range % 1000 END AS b,
               'k' || (range % 5) AS s, range % 2 = 0 AS flag, 'a longer label ' || (range % 97) AS label
        FROM range(${Math.ceil(PARALLEL_CSV_MIN_BYTES / 36)})
      ) TO '${path}' (FORMAT csv, HEADER true)`),
    );
    assert.ok(statSync(path).size >= PARALLEL_CSV_MIN_BYTES);
    const frame = await readFrame(path);
    const { serial } = await serialAndParallel(path);
    assertSameFrame(frame, serial);
    const a = frame.column('a');
    assert.ok(a instanceof NumberColumn);
    assert.equal(a.data.buffer instanceof SharedArrayBuffer, parallel);
  });

  test('a range that fails waits for the others: no reader is left waiting on a pipe the caller removes', async () => {
    if (!parallel) return assert.equal(rangeWorkers(), 0);
    const path = join(dir, 'ranges.csv');
    await withConnection((con) =>
      con.run(
        `COPY (SELECT range * 0.5 AS a, range % 7 AS b FROM range(600000)) TO '${path}' (FORMAT csv, HEADER true)`,
      ),
    );
    const cut = splitLines(path, 2, true)!;
    const bytes = readFileSync(path);
    let rows0 = 0;
    for (let i = cut[0]!.from; i < cut[0]!.to; i++) if (bytes[i] === 10) rows0++;
    const fifoDir = mkdtempSync(join(tmpdir(), 'cauce-pcsv-fifo-'));
    try {
      const fifos = [join(fifoDir, 'p0.csv'), join(fifoDir, 'p1.csv')];
      assert.equal(spawnSync('mkfifo', fifos).status, 0);
      const reader = (f: string, header: boolean): string =>
        `read_csv(${quoteLiteral(f)}, header = ${header}, auto_detect = false, columns = {'a': 'DOUBLE', 'b': 'BIGINT'})`;
      const plans = await withConnection((con) => planQuery(con, `SELECT * FROM ${reader(path, true)}`));
      const reads: RangeRead[] = [
        // a long read through its pipe (~8 MB) …
        {
          start: 0,
          rows: rows0,
          sql: projectionSql(plans, `SELECT * FROM ${reader(fifos[0]!, false)}`),
          feed: { file: path, fifo: fifos[0]!, from: cut[0]!.from, to: cut[0]!.to },
        },
        // … and one that fails at once, before it opens its pipe
        {
          start: rows0,
          rows: 600000 - rows0,
          sql: projectionSql(plans, 'SELECT * FROM no_such_table'),
          feed: { file: path, fifo: fifos[1]!, from: cut[1]!.from, to: cut[1]!.to },
        },
      ];
      await assert.rejects(readRanges(plans, plans, reads, 600000, new Map()), /no_such_table/);
      // when readRanges has failed, every range has settled: nobody reads (or waits to read) the pipes, so
      // opening one for writing without blocking finds no reader (ENXIO)
      for (const f of fifos) {
        assert.throws(() => closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK)), {
          code: 'ENXIO',
        });
      }
    } finally {
      rmSync(fifoDir, { recursive: true, force: true });
    }
    // and the range workers are free: a parallel read still completes
    const again = await readFrame(join(dir, 'ranges.csv'));
    assert.equal(again.numRows, 600000);
  });
});
