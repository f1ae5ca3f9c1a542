import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, nearest, suggestHint } from './suggest.js';

test('editDistance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('abc', ''), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3); // the textbook example: k→s, e→i, +g
  assert.equal(editDistance('regParm', 'regParam'), 1);
});

test('nearest offers only likely typos, case-insensitively', () => {
  const stages = ['LinearRegression', 'LogisticRegression', 'StandardScaler'];
  assert.equal(nearest('LinearRegresion', stages), 'LinearRegression');
  assert.equal(nearest('standardscaler', stages), 'StandardScaler');
  assert.equal(nearest('Lasso', stages), undefined);
  assert.equal(nearest('x', []), undefined);
});

test('suggestHint puts the suggestion before the list', () => {
  assert.equal(suggestHint('rsme', ['rmse', 'mae'], 'metrics'), 'did you mean "rmse"? metrics: rmse, mae');
  assert.equal(suggestHint('zzzzzz', ['rmse', 'mae'], 'metrics'), 'metrics: rmse, mae');
});
