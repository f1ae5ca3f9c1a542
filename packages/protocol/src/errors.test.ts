import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlflowError, httpStatusForErrorCode } from './errors.js';
import { ENDPOINTS } from './endpoints.js';
import { toQueryString } from './http-client.js';

test('error codes map to the HTTP statuses of mlflow/exceptions.py', () => {
  assert.equal(httpStatusForErrorCode('RESOURCE_DOES_NOT_EXIST'), 404);
  assert.equal(httpStatusForErrorCode('RESOURCE_ALREADY_EXISTS'), 400);
  assert.equal(httpStatusForErrorCode('INVALID_PARAMETER_VALUE'), 400);
  assert.equal(httpStatusForErrorCode('ENDPOINT_NOT_FOUND'), 404);
  assert.equal(httpStatusForErrorCode('PERMISSION_DENIED'), 403);
  assert.equal(httpStatusForErrorCode('UNAUTHENTICATED'), 401);
  assert.equal(httpStatusForErrorCode('SOMETHING_ELSE'), 500);
  const e = MlflowError.invalid('bad');
  assert.deepEqual(e.toJSON(), { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad' });
  assert.equal(e.httpStatus, 400);
});

test('endpoint table has unique method+path pairs and required fields that exist', () => {
  const seen = new Set<string>();
  for (const e of ENDPOINTS) {
    for (const m of e.methods) {
      const k = `${m} ${e.path}`;
      assert.ok(!seen.has(k), k);
      seen.add(k);
    }
    for (const r of e.required) assert.ok(r in e.fields, `${e.name}.${r}`);
  }
});

test('query strings repeat array keys', () => {
  assert.equal(
    toQueryString({ run_ids: ['a', 'b'], metric_key: 'x y', skip: undefined }),
    'run_ids=a&run_ids=b&metric_key=x+y',
  );
});
