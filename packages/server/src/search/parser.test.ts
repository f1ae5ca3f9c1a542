import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlflowError } from '@cauce/protocol';
import { parseFilter, parseOrderBy } from './parser.js';

test('parses MLflow clauses with every entity prefix and alias', () => {
  assert.deepEqual(parseFilter("metrics.rmse < 0.5 and params.alpha = '0.1'"), {
    kind: 'and',
    items: [
      { kind: 'cmp', id: { entity: 'metric', key: 'rmse', pos: 0 }, op: '<', value: 0.5 },
      { kind: 'cmp', id: { entity: 'param', key: 'alpha', pos: 23 }, op: '=', value: '0.1' },
    ],
  });
  const e = parseFilter("metric.a > 1 AND param.b = \"x\" AND tag.c != 'y' AND attribute.status = 'RUNNING'");
  assert.equal(e?.kind, 'and');
  assert.deepEqual(
    (e as { items: { id: { entity: string } }[] }).items.map((i) => i.id.entity),
    ['metric', 'param', 'tag', 'attribute'],
  );
  // bare keys are attributes; backticks and double quotes quote keys
  assert.deepEqual(parseFilter("status = 'FINISHED'"), {
    kind: 'cmp',
    id: { entity: 'attribute', key: 'status', pos: 0 },
    op: '=',
    value: 'FINISHED',
  });
  assert.deepEqual((parseFilter('metrics.`f1 score` >= 1e-3') as { id: unknown }).id, {
    entity: 'metric',
    key: 'f1 score',
    pos: 0,
  });
  assert.deepEqual((parseFilter('tags."my.tag" = \'v\'') as { id: unknown }).id, {
    entity: 'tag',
    key: 'my.tag',
    pos: 0,
  });
  assert.deepEqual((parseFilter('metrics.a.b.c = 2') as { id: unknown }).id, {
    entity: 'metric',
    key: 'a.b.c',
    pos: 0,
  });
  assert.deepEqual(parseFilter("attributes.run_id IN ('a', 'b')"), {
    kind: 'cmp',
    id: { entity: 'attribute', key: 'run_id', pos: 0 },
    op: 'IN',
    value: ['a', 'b'],
  });
  assert.equal((parseFilter("datasets.name NOT IN ('x')") as { op: string }).op, 'NOT IN');
  assert.equal((parseFilter("params.x ilike '%A%'") as { op: string }).op, 'ILIKE');
  assert.equal(parseFilter('   '), undefined);
});

test('OR, parentheses and IS NULL extensions; AND binds tighter than OR', () => {
  const e = parseFilter("metrics.a > 1 OR metrics.b < 2 AND (params.c = 'x' OR tags.d IS NOT NULL)");
  assert.equal(e?.kind, 'or');
  const or = e as { items: { kind: string }[] };
  assert.equal(or.items[0]?.kind, 'cmp');
  assert.equal(or.items[1]?.kind, 'and');
  assert.deepEqual(parseFilter('params.x IS NULL'), {
    kind: 'null',
    id: { entity: 'param', key: 'x', pos: 0 },
    negated: false,
  });
});

test('errors are INVALID_PARAMETER_VALUE and point at the bad token', () => {
  const bad = [
    ["params.x = 'a' params.y = 'b'", /position 15/],
    ['metrics.x > ', /expected a number/],
    ["params.x = 'open", /unterminated/],
    ['foo.x = 1', /unknown entity 'foo'/],
    ["metrics.'x' = 1", /single quotes/],
    ['params.x = `v`', /backticks/],
    ['params.x = abc', /expected a number/],
    ['metrics.x ~ 1', /comparison operator/],
    ["params.x IN 'a'", /parenthesised list/],
    ['(metrics.x > 1', /expected '\)'/],
    ['params.x IS 3', /NULL/],
    ['AND', /keyword/],
  ] as const;
  for (const [text, re] of bad) {
    assert.throws(
      () => parseFilter(text),
      (err: unknown) =>
        err instanceof MlflowError && err.errorCode === 'INVALID_PARAMETER_VALUE' && re.test(err.message),
      text,
    );
  }
  assert.throws(() => parseFilter('('.repeat(100) + 'metrics.a > 1' + ')'.repeat(100)), MlflowError);
});

test('order_by clauses', () => {
  assert.deepEqual(parseOrderBy('metrics.rmse DESC'), {
    id: { entity: 'metric', key: 'rmse', pos: 0 },
    ascending: false,
  });
  assert.deepEqual(parseOrderBy('attributes.start_time'), {
    id: { entity: 'attribute', key: 'start_time', pos: 0 },
    ascending: true,
  });
  assert.deepEqual(parseOrderBy('params.`a b` asc').id, { entity: 'param', key: 'a b', pos: 0 });
  assert.throws(() => parseOrderBy('metrics.x SIDEWAYS'), MlflowError);
  assert.throws(() => parseOrderBy(''), MlflowError);
  assert.throws(() => parseOrderBy('datasets.name'), MlflowError);
});
