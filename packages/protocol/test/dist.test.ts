// The published shape: the compiled package (dist/, built by `tsc -b`, which `npm test` runs first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENDPOINTS, LIMITS, MlflowError, MlflowHttpClient } from '../dist/index.js';

test('built @cauce/protocol exports the endpoint table, limits, errors and client', () => {
  assert.ok(ENDPOINTS.some((e) => e.path === 'mlflow/runs/log-batch'));
  assert.equal(LIMITS.maxMetricsPerBatch, 1000);
  assert.equal(new MlflowError('RESOURCE_DOES_NOT_EXIST', 'x').httpStatus, 404);
  assert.equal(new MlflowHttpClient('http://127.0.0.1:5000/').baseUrl, 'http://127.0.0.1:5000');
});
