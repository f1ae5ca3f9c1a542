import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_ENDPOINTS, ENDPOINTS, REGISTRY_ENDPOINTS, WEBHOOK_ENDPOINTS } from '@cauce/protocol';
import { BY_NAME, PUBLIC_ROUTES, buildRuleTable, ruleFor } from './rules.js';

test('every tracking, registry and user endpoint has a deliberate rule (new endpoints must add one)', () => {
  const missing = [...ENDPOINTS, ...REGISTRY_ENDPOINTS, ...AUTH_ENDPOINTS]
    .map((e) => e.name)
    .filter((n) => !(n in BY_NAME));
  assert.deepEqual(missing, []);
  for (const w of WEBHOOK_ENDPOINTS) assert.equal(BY_NAME[w.name], undefined, 'webhooks stay admin-only');
});

test('unknown routes fall back to deny-by-default rules', () => {
  const table = buildRuleTable();
  assert.equal(ruleFor(table, 'POST', '/api/2.0/mlflow/brand-new/thing').need.kind, 'admin');
  assert.equal(ruleFor(table, 'GET', undefined).need.kind, 'admin');
  assert.equal(ruleFor(table, 'GET', '/static/app.js').need.kind, 'user');
  assert.equal(ruleFor(table, 'GET', '/api/2.0/mlflow/webhooks').need.kind, 'admin');
  assert.equal(ruleFor(table, 'GET', '/health').need.kind, 'public');
  assert.equal(ruleFor(table, 'HEAD', '/health').need.kind, 'public');
  assert.deepEqual(PUBLIC_ROUTES, ['GET /health', 'HEAD /health']);
  assert.deepEqual(ruleFor(table, 'POST', '/ajax-api/2.0/mlflow/runs/delete').need, {
    kind: 'experiment',
    cap: 'delete',
    from: 'run',
  });
});
