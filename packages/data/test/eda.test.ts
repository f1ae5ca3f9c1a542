import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Frame } from '@cauce/frame';
import { describeFrame, describeFrameParallel, eda, readFrame } from '@cauce/data';

// eda_pandas.json holds pandas' numbers for eda_small.csv (fixtures/make_eda_fixture.py).
const fixtures = new URL('./fixtures/', import.meta.url).pathname;
interface Peer {
  rows: number;
  columns: Record<string, Record<string, number> & { top?: [string, number][] }>;
  corr: { columns: string[]; matrix: number[][] };
  monthly: [string, number, number][];
}
const peer = JSON.parse(readFileSync(join(fixtures, 'eda_pandas.json'), 'utf8')) as Peer;

function close(actual: number | undefined, expected: number, what: string, rel = 1e-9): void {
  assert.ok(actual !== undefined, `${what} missing`);
  const tol = rel * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs pandas ${expected}`);
}

test('column statistics, quartiles, outliers, categories, correlation and months match pandas', async () => {
  const f = await readFrame(join(fixtures, 'eda_small.csv'));
  const s = describeFrame(f, { target: 'price' });
  assert.equal(s.rows, peer.rows);
  for (const name of ['x', 'y', 'k', 'price']) {
    const ours = s.columns.find((c) => c.name === name)!;
    const p = peer.columns[name]!;
    assert.equal(ours.count, p.count);
    assert.equal(ours.nulls, p.nulls);
    assert.equal(ours.distinct, p.distinct);
    for (const key of ['mean', 'std', 'min', 'q1', 'median', 'q3', 'max'] as const)
      close(ours[key], p[key]!, `${name}.${key}`);
    assert.equal(ours.outliers!.count, p.outliers, `${name} outliers`);
  }
  const cat = s.columns.find((c) => c.name === 'cat')!;
  assert.equal(cat.nulls, peer.columns.cat!.nulls);
  assert.equal(cat.distinct, peer.columns.cat!.distinct);
  assert.deepEqual(
    cat.top!.map((t) => [t.value, t.count]),
    peer.columns.cat!.top,
  );
  assert.deepEqual(s.correlation!.columns, peer.corr.columns);
  peer.corr.matrix.forEach((row, i) =>
    row.forEach((r, j) => close(s.correlation!.matrix[i]![j], r, `corr[${i}][${j}]`, 1e-9)),
  );
  assert.deepEqual(
    s.monthly!.months.map((m) => [m.month, m.count]),
    peer.monthly.map(([m, c]) => [m, c]),
  );
  s.monthly!.months.forEach((m, i) => close(m.sum, peer.monthly[i]![2], `sum ${m.month}`));
  assert.equal(s.target!.kind, 'numeric');
  assert.equal(
    s.target!.histogram!.reduce((a, b) => a + b.count, 0),
    peer.columns.price!.count,
  );
  assert.equal(
    s.target!.logHistogram!.reduce((a, b) => a + b.count, 0),
    peer.columns.price!.count,
  );
});

test('null strategies follow the share of nulls', () => {
  const n = 100;
  const f = Frame.fromColumns({
    full: Array.from({ length: n }, (_, i) => i),
    few: Array.from({ length: n }, (_, i) => (i < 2 ? null : i)),
    some: Array.from({ length: n }, (_, i) => (i < 20 ? null : i)),
    most: Array.from({ length: n }, (_, i) => (i < 70 ? null : i)),
    s: Array.from({ length: n }, (_, i) => (i < 10 ? null : 'v' + (i % 3))),
  });
  const byName = Object.fromEntries(describeFrame(f).columns.map((c) => [c.name, c.nullStrategy]));
  assert.equal(byName.full, 'none needed');
  assert.equal(byName.few, 'impute the median');
  assert.match(byName.some!, /median and add a was-missing indicator/);
  assert.match(byName.most!, /drop the column \(70% missing\)/);
  assert.match(byName.s!, /"missing" category/);
  assert.throws(() => describeFrame(f, { target: 'nope' }), /--target "nope" is not a column/);
});

test('the HTML report is self-contained, with inline SVG charts, and the JSON is valid', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauce-eda-'));
  try {
    const f = await readFrame(join(fixtures, 'eda_small.csv'));
    await eda(f, {
      target: 'price',
      html: join(dir, 'r.html'),
      json: join(dir, 'r.json'),
      title: 'Contratos',
    });
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.ok((html.match(/<svg/g) ?? []).length >= 6, 'expected the charts as inline SVG');
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);
    for (const h of [
      'Columns',
      'Nulls',
      'Target: price',
      'IQR outliers',
      'Correlations',
      'Trend by month',
      'Categories',
    ]) {
      assert.ok(html.includes(`<h2>${h}</h2>`), `section ${h}`);
    }
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { rows: number };
    assert.equal(json.rows, 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker-thread EDA gives exactly the single-threaded numbers', async () => {
  // Seeded LCG data, large enough (≥ 50k rows) for the parallel path.
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const n = 60_000;
  const f = Frame.fromColumns({
    a: Array.from({ length: n }, () => rnd() * 10),
    b: Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : Math.floor(rnd() * 5))),
    c: Array.from({ length: n }, () => Math.exp(rnd() * 3)),
    s: Array.from({ length: n }, () => (rnd() < 0.5 ? 'x' : 'y')),
  });
  const serial = describeFrame(f, { target: 'c' });
  const parallel = await describeFrameParallel(f, { target: 'c' });
  assert.deepEqual(parallel, serial);
});
