import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, ingest, readFrame, type IngestProgress } from '@cauce/data';
import { startSecopFixture } from './secop-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'cauce-ingest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fast = { backoffMs: 5, maxBackoffMs: 20, timeoutMs: 1000 };

describe('ingest from a Socrata-style API', () => {
  test('pages by $limit/$offset with $where/$select, survives 429, 500, a dropped connection, and casts', async () => {
    const fx = await startSecopFixture({
      rows: 2_350,
      faults: [
        { offset: 500, kind: '429', times: 2 },
        { offset: 1000, kind: '500', times: 1 },
        { offset: 1500, kind: 'drop', times: 1 },
      ],
    });
    try {
      const out = join(dir, 'secop.parquet');
      const seen: IngestProgress[] = [];
      const report = await ingest(fx.socrataUrl, {
        output: out,
        pageSize: 500,
        where: "fecha_de_firma >= '2022-01-01'",
        select: 'nombre_entidad, valor_del_contrato, fecha_de_firma',
        cast: { valor_del_contrato: 'double', fecha_de_firma: 'timestamp' },
        onProgress: (p) => seen.push(p),
        ...fast,
      });
      assert.equal(report.rows, 2_350);
      assert.equal(report.pages, 5);
      const f = await readFrame(out);
      assert.equal(f.numRows, 2_350);
      assert.equal(f.column('valor_del_contrato').type, 'float64');
      assert.equal(f.column('fecha_de_firma').type, 'timestamp');
      const expected = fx.records.map((r) =>
        r.valor_del_contrato === undefined ? NaN : Number(r.valor_del_contrato),
      );
      assert.deepEqual([...f.float64('valor_del_contrato')], expected);
      const firstQuery = new URLSearchParams(fx.requests[0]!.split('?')[1]);
      assert.equal(firstQuery.get('$where'), "fecha_de_firma >= '2022-01-01'");
      assert.equal(firstQuery.get('$limit'), '500');
      assert.equal(firstQuery.get('$order'), ':id');
      // 6 pages (the last one empty-short) + 2×429 + 1×500 + 1 drop.
      assert.equal(fx.requests.length, 5 + 4);
      assert.equal(seen.at(-1)!.phase, 'done');
      assert.ok(seen.some((p) => p.phase === 'fetching' && p.rows === 1000));
      assert.ok(!existsSync(`${out}.ingest-state.json`));
    } finally {
      await fx.close();
    }
  });

  test('an interrupted run resumes from the last complete page and never refetches done pages', async () => {
    const fx = await startSecopFixture({ rows: 1_000, faults: [{ offset: 600, kind: '500', times: 4 }] });
    try {
      const out = join(dir, 'resume.parquet');
      writeFileSync(out, 'previous good file');
      await assert.rejects(
        ingest(fx.socrataUrl, { output: out, pageSize: 200, retries: 2, ...fast }),
        (e: unknown) => e instanceof DataError && /failed after 3 attempts; last: HTTP 500/.test(e.message),
      );
      // The old output is untouched and the progress is saved beside it.
      assert.equal(readdirSync(dir).includes('resume.parquet'), true);
      assert.ok(existsSync(`${out}.ingest-state.json`));
      const before = fx.requests.length;
      const report = await ingest(fx.socrataUrl, { output: out, pageSize: 200, retries: 2, ...fast });
      assert.equal(report.resumed, true);
      assert.equal(report.rows, 1_000);
      const offsets = fx.requests
        .slice(before)
        .map((r) => new URLSearchParams(r.split('?')[1]).get('$offset'));
      assert.deepEqual(offsets, ['600', '600', '800', '1000']);
      const f = await readFrame(out);
      assert.deepEqual(
        f.column('id_contrato').toArray(),
        fx.records.map((r) => r.id_contrato),
      );
    } finally {
      await fx.close();
    }
  });

  test('an abort (Ctrl-C) stops between pages, keeps what was fetched, and the next run resumes', async () => {
    const fx = await startSecopFixture({ rows: 900 });
    try {
      const out = join(dir, 'abort.parquet');
      const ac = new AbortController();
      await assert.rejects(
        ingest(fx.socrataUrl, {
          output: out,
          pageSize: 300,
          signal: ac.signal,
          onProgress: (p) => {
            if (p.rows >= 300) ac.abort();
          },
          ...fast,
        }),
        (e: unknown) =>
          e instanceof DataError && /interrupted/.test(e.message) && /resume/.test(e.hint ?? ''),
      );
      assert.ok(!existsSync(out));
      const before = fx.requests.length;
      const r = await ingest(fx.socrataUrl, { output: out, pageSize: 300, ...fast });
      assert.equal(r.resumed, true);
      assert.equal(r.rows, 900);
      const offsets = fx.requests
        .slice(before)
        .map((q) => new URLSearchParams(q.split('?')[1]).get('$offset'));
      assert.deepEqual(offsets, ['300', '600', '900']);
    } finally {
      await fx.close();
    }
  });

  test('other settings refuse the saved state unless --restart', async () => {
    const fx = await startSecopFixture({ rows: 300, faults: [{ offset: 100, kind: '500', times: 9 }] });
    try {
      const out = join(dir, 'restart.parquet');
      await assert.rejects(ingest(fx.socrataUrl, { output: out, pageSize: 100, retries: 0, ...fast }));
      await assert.rejects(
        ingest(fx.socrataUrl, { output: out, pageSize: 50, ...fast }),
        /belongs to an ingest with other settings/,
      );
      const r = await ingest(fx.socrataUrl, { output: out, pageSize: 150, restart: true, ...fast });
      assert.equal(r.rows, 300);
    } finally {
      await fx.close();
    }
  });

  test('HTML, broken JSON, timeouts and failing casts are clear errors', async () => {
    const fx = await startSecopFixture({
      rows: 10,
      faults: [
        { offset: 0, kind: 'badjson', times: 1 },
        { offset: 5, kind: 'slow', times: 5 },
      ],
      slowMs: 500,
    });
    try {
      await assert.rejects(
        ingest(`${fx.url}/html`, { output: join(dir, 'h.parquet'), pagination: 'none', ...fast }),
        /did not return JSON \(text\/html\): <!doctype html>/,
      );
      await assert.rejects(
        ingest(fx.socrataUrl, { output: join(dir, 'b.parquet'), restart: true, ...fast }),
        /did not return JSON/,
      );
      await assert.rejects(
        ingest(fx.socrataUrl, {
          output: join(dir, 's.parquet'),
          pageSize: 5,
          timeoutMs: 100,
          retries: 1,
          backoffMs: 1,
        }),
        /last: timeout after 100 ms/,
      );
      await assert.rejects(
        ingest(fx.socrataUrl, {
          output: join(dir, 'c.parquet'),
          pageSize: 5,
          restart: true,
          cast: { nombre_entidad: 'double' },
          ...fast,
        }),
        (e: unknown) =>
          e instanceof DataError && e.code === 'CAST_FAILED' && /value "[A-Z ]+"/.test(e.message),
      );
    } finally {
      await fx.close();
    }
  });

  test('page- and cursor-paged APIs', async () => {
    const fx = await startSecopFixture({ rows: 250 });
    try {
      const a = await ingest(`${fx.url}/paged`, {
        output: join(dir, 'p.jsonl'),
        pagination: 'page',
        pageSize: 100,
        ...fast,
      });
      assert.equal(a.rows, 250);
      const b = await ingest(`${fx.url}/cursor`, {
        output: join(dir, 'c.csv'),
        pagination: 'cursor',
        pageSize: 60,
        cursorPath: 'meta.next',
        ...fast,
      });
      assert.equal(b.rows, 250);
      assert.equal(b.pages, 5);
    } finally {
      await fx.close();
    }
  });
});

describe('ingest from files', () => {
  test('CSV with casts to Parquet; malformed rows fail (old file kept) or are skipped and counted', async () => {
    const src = join(dir, 'in.csv');
    writeFileSync(src, 'a,b\n1,x\n2,y,extra\n3,z\n');
    const out = join(dir, 'in.parquet');
    writeFileSync(out, 'keep me');
    await assert.rejects(ingest(src, { output: out }), /in\.csv: line 3/);
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('in.parquet')).length, 1);
    const r = await ingest(src, { output: out, onError: 'skip', cast: { a: 'double' } });
    assert.equal(r.rows, 2);
    assert.equal(r.skippedRows, 1);
    assert.deepEqual(r.columns, [
      { name: 'a', type: 'DOUBLE' },
      { name: 'b', type: 'VARCHAR' },
    ]);
  });
});
