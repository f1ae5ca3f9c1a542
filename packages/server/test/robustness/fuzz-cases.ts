/**
 * The hostile-request generator of the fuzz test. Every case it makes carries at least one fault
 * that MUST be refused with a 4xx (bad JSON, wrong field types, missing required fields, ids that
 * do not exist, bad filters and page tokens, wrong methods, odd content types, deep nesting, huge
 * values, hostile hosts), so the test can demand a 4xx MLflow error for each one. The generator is
 * deterministic for a seed.
 */
import {
  AUTH_ENDPOINTS,
  ENDPOINTS,
  REGISTRY_ENDPOINTS,
  WEBHOOK_ENDPOINTS,
  type FieldType,
  type HttpMethod,
} from '@cauce/protocol';
import { pick, type RawRequest } from './support.js';

export interface Spec {
  name: string;
  methods: readonly HttpMethod[];
  path: string;
  fields: Readonly<Record<string, FieldType>>;
  required: readonly string[];
  /** Tracking endpoints (their id semantics are known here); registry/auth/webhook ones are not. */
  tracking: boolean;
}

export interface FuzzCase extends RawRequest {
  kind: string;
  endpoint: string;
}

export const SPECS: Spec[] = [
  ...ENDPOINTS.map((e) => ({ ...e, tracking: true })),
  ...[...REGISTRY_ENDPOINTS, ...AUTH_ENDPOINTS, ...WEBHOOK_ENDPOINTS].map((e) => ({ ...e, tracking: false })),
];

/** Every method some endpoint serves at a path (a "wrong method" must be wrong for all of them). */
const METHODS_AT = new Map<string, Set<string>>();
for (const s of SPECS) {
  const key = s.path.replace(/:[a-z_]+/g, ':');
  const set = METHODS_AT.get(key) ?? new Set<string>();
  for (const m of s.methods) set.add(m);
  METHODS_AT.set(key, set);
}

const BAD_JSON = [
  '{',
  '{"name": }',
  "{'name': 'x'}",
  '{"name": "x",}',
  '{"name": "x"} trailing',
  '{"a": NaN}',
  '{"a": undefined}',
  '\u0000\u0001\u0002',
  '{"a": "\\uZZZZ"}',
  '{"a": 01}',
  '[1, 2',
  '{"a":1}{"b":2}',
  '\uFEFF{"a": 1',
  '{"a": "unterminated}',
  'nul',
  '<html><body>hi</body></html>',
];

const NON_OBJECT_JSON = ['[]', '42', '"a string"', 'true', '[{"name": "x"}]', '-0.5e10'];

/** Ids nothing in the store has: malformed, injection-flavoured, huge, unicode. */
const HOSTILE_IDS = [
  '999999999',
  '-1',
  '1e3',
  '0x10',
  'NaN',
  '99999999999999999999999999',
  "' OR '1'='1",
  '1; DROP TABLE runs; --',
  '../../../etc/passwd',
  '..',
  '%00',
  '\u0000',
  'a\nb',
  '😀😀😀',
  ' ',
  'deadbeef'.repeat(4),
  'x'.repeat(5000),
  'm-00000000000000000000000000000000',
];

const BAD_FILTERS = [
  'metrics.',
  'metrics.acc >',
  "params.lr = 'x' AND",
  "params.lr = 'x' AND AND params.b = 'y'",
  'attributes.no_such_attribute = 1',
  "tags.`unterminated = 'x'",
  "((params.a = 'x')",
  "params.a = 'x')",
  'metrics.acc > 0.5 OR',
  'metrics.acc ~ 3',
  "metrics.acc = 'not a number'",
  "name = 'x' LIMIT 1",
  'params.a IN ()',
  "params.a IN ('x'",
  "'; DROP TABLE experiments; --",
  '\u0000',
  "params.a = 'x' && params.b = 'y'",
  'metrics.acc IS MAYBE NULL',
  '=',
  'and or not',
  'bogus_entity.a = 1',
];

const BAD_PAGE_TOKENS = [
  '!!!not-base64!!!',
  Buffer.from('not json').toString('base64'),
  Buffer.from('{"offset": -5}').toString('base64'),
  Buffer.from('{"offset": "ten"}').toString('base64'),
  Buffer.from('{"offset": 1.5}').toString('base64'),
  Buffer.from('{"offset": 1e300}').toString('base64'),
  Buffer.from('[]').toString('base64'),
  Buffer.from('null').toString('base64'),
  'A'.repeat(5000),
  '%%%%',
  '\u0000',
];

const ODD_CONTENT = [
  { type: 'application/x-www-form-urlencoded', body: 'name=x&run_id=y' },
  {
    type: 'multipart/form-data; boundary=XyZ',
    body: '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XyZ--',
  },
  { type: 'text/xml', body: '<?xml version="1.0"?><run id="1"/>' },
  { type: 'application/octet-stream', body: '\u00ff\u00fe\u0000binary\u0001' },
  { type: 'application/json; charset=utf-16', body: 'k\u0000e\u0000y\u0000' },
  { type: 'text/plain', body: 'just some words' },
  { type: 'application/yaml', body: 'name: x\nrun_id: y\n' },
  { type: 'bogus/////type;;;=', body: '=%=%=' },
];

const HUGE_INTS: unknown[] = [1e20, -1e300, '9'.repeat(40), 2 ** 53 + 2, '1e400'];

/** A value of the wrong JSON type for a declared field (never `null`, which means "absent"). */
function wrongJsonValue(rand: () => number, type: FieldType): unknown {
  const choices: Record<FieldType, unknown[]> = {
    string: [5, true, {}, [], ['x'], { a: 'b' }, -0.5],
    int64: ['abc', 1.5, {}, true, [], '12abc', '', ...HUGE_INTS],
    double: ['abc', {}, true, [], '1,5', '', 'Infinityy'],
    bool: ['yes', 1, {}, [], 'true'],
    'string[]': ['x', [1, 2], [{}], {}, 7, [['nested']], [true]],
    object: ['x', [], 1, true],
    'object[]': ['x', [1], [[1]], {}, ['a'], [true], 5],
  };
  return pick(rand, choices[type]);
}

/** A query-string value that is never a valid value of the type, or undefined if any text is. */
function wrongQueryValue(rand: () => number, type: FieldType): string | undefined {
  switch (type) {
    case 'int64':
      return pick(rand, ['abc', '1.5', '1e400', '9'.repeat(40), '--1', '0x1F', '', ' 1 2']);
    case 'double':
      return pick(rand, ['abc', '1,5', 'Infinityy', '']);
    case 'bool':
      return pick(rand, ['yes', 'maybe', '2', '']);
    case 'object':
    case 'object[]':
      return pick(rand, ['{"key":"a"}', '[]', 'x']);
    default:
      return undefined;
  }
}

/** A plausible valid value, used to fill required fields so the fault is the only problem. */
function plausible(type: FieldType): unknown {
  return { string: 'k', int64: 1, double: 1.5, bool: true, 'string[]': ['x'], object: {}, 'object[]': [] }[
    type
  ];
}

function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/:([a-z_]+)/g)].map((m) => m[1]!);
}

function fillPath(path: string, value: (param: string) => string): string {
  return path.replace(/:([a-z_]+)/g, (_m, p: string) => encodeURIComponent(value(p)));
}

const prefixFor = (rand: () => number) => (rand() < 0.8 ? '/api/2.0/' : '/ajax-api/2.0/');

function jsonCase(
  kind: string,
  spec: Spec,
  method: string,
  path: string,
  body: string,
  contentType = 'application/json',
): FuzzCase {
  return { kind, endpoint: spec.name, method, path, headers: { 'content-type': contentType }, body };
}

function queryCase(kind: string, spec: Spec, path: string, query: Record<string, string>): FuzzCase {
  const qs = new URLSearchParams(query).toString();
  return { kind, endpoint: spec.name, method: 'GET', path: qs ? `${path}?${qs}` : path };
}

/** Fills the fields of `spec` (except `skip`) that are required, with plausible values. */
function requiredFilled(spec: Spec, skip: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const params = pathParams(spec.path);
  for (const r of spec.required) {
    if (skip.includes(r) || params.includes(r)) continue;
    out[r] = plausible(spec.fields[r]!);
  }
  return out;
}

type Maker = (rand: () => number, spec: Spec) => FuzzCase | undefined;

const ID_FIELDS = ['experiment_id', 'run_id', 'run_uuid', 'model_id'];

/** Fault makers: each returns undefined when the fault does not apply to the endpoint. */
export const MAKERS: Record<string, Maker> = {
  badJson(rand, spec) {
    const method = spec.methods.find((m) => m !== 'GET');
    if (!method) return undefined;
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    return jsonCase('badJson', spec, method, path, pick(rand, BAD_JSON));
  },
  nonObject(rand, spec) {
    const method = spec.methods.find((m) => m !== 'GET');
    if (!method) return undefined;
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    return jsonCase('nonObject', spec, method, path, pick(rand, NON_OBJECT_JSON));
  },
  wrongType(rand, spec) {
    const params = pathParams(spec.path);
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    const fields = Object.entries(spec.fields).filter(([n]) => !params.includes(n));
    const method = spec.methods.find((m) => m !== 'GET');
    if (method) {
      if (fields.length === 0) return undefined;
      const [name, type] = pick(rand, fields);
      const body = { ...requiredFilled(spec, [name]), [name]: wrongJsonValue(rand, type) };
      return jsonCase('wrongType', spec, method, path, JSON.stringify(body));
    }
    const typed = fields
      .map(([n, t]) => [n, wrongQueryValue(rand, t)] as const)
      .filter((x): x is readonly [string, string] => x[1] !== undefined);
    if (typed.length === 0) return undefined;
    const [name, value] = pick(rand, typed);
    return queryCase('wrongType', spec, path, { [name]: value });
  },
  missingRequired(rand, spec) {
    const params = pathParams(spec.path);
    const missing = spec.required.filter((r) => !params.includes(r));
    if (missing.length === 0) return undefined;
    const junk: Record<string, unknown> = {
      [pick(rand, ['__proto__', 'constructor', 'prototype', 'unknown_field', 'RUN_ID', 'run id'])]: pick(
        rand,
        [{ name: 'x', run_id: 'y', experiment_id: '0' }, 'x', 1],
      ),
      extra_field_that_mlflow_ignores: 'ok',
    };
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    const method = spec.methods.find((m) => m !== 'GET');
    if (method) return jsonCase('missingRequired', spec, method, path, JSON.stringify(junk));
    return queryCase('missingRequired', spec, path, { unknown_field: 'x', constructor: 'y' });
  },
  badId(rand, spec) {
    if (!spec.tracking || spec.name.startsWith('search')) return undefined;
    const params = pathParams(spec.path);
    const ids = [...params, ...Object.keys(spec.fields).filter((f) => ID_FIELDS.includes(f))];
    if (ids.length === 0) return undefined;
    const id = pick(rand, HOSTILE_IDS);
    const path = prefixFor(rand) + fillPath(spec.path, () => id);
    const fields: Record<string, unknown> = requiredFilled(spec, []);
    for (const f of ids) if (!params.includes(f)) fields[f] = id;
    // run_ids of the bulk-interval call is a list of ids
    if ('run_ids' in spec.fields) fields.run_ids = [id];
    const method = spec.methods.find((m) => m !== 'GET');
    if (method) return jsonCase('badId', spec, method, path, JSON.stringify(fields));
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) query[k] = Array.isArray(v) ? String(v[0]) : String(v);
    return queryCase('badId', spec, path, query);
  },
  badFilter(rand, spec) {
    if (spec.fields.filter !== 'string') return undefined;
    const filter = pick(rand, BAD_FILTERS);
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    const extra = spec.fields.experiment_ids ? { experiment_ids: ['0'] } : {};
    if (spec.methods.includes('POST'))
      return jsonCase('badFilter', spec, 'POST', path, JSON.stringify({ ...extra, filter }));
    return queryCase('badFilter', spec, path, { filter });
  },
  badPageToken(rand, spec) {
    if (spec.fields.page_token !== 'string' || !spec.name.startsWith('search')) return undefined;
    const token = pick(rand, BAD_PAGE_TOKENS);
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    const extra = spec.fields.experiment_ids ? { experiment_ids: ['0'] } : {};
    if (spec.methods.includes('POST'))
      return jsonCase('badPageToken', spec, 'POST', path, JSON.stringify({ ...extra, page_token: token }));
    return queryCase('badPageToken', spec, path, { page_token: token });
  },
  wrongMethod(rand, spec) {
    const allowed = METHODS_AT.get(spec.path.replace(/:[a-z_]+/g, ':')) ?? new Set<string>();
    const wrong = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !allowed.has(m));
    if (wrong.length === 0) return undefined;
    const method = pick(rand, wrong);
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    return method === 'GET'
      ? { kind: 'wrongMethod', endpoint: spec.name, method, path }
      : jsonCase('wrongMethod', spec, method, path, '{}');
  },
  oddContentType(rand, spec) {
    const method = spec.methods.find((m) => m !== 'GET');
    if (!method) return undefined;
    const c = pick(rand, ODD_CONTENT);
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    return jsonCase('oddContentType', spec, method, path, c.body, c.type);
  },
  deepNesting(rand, spec) {
    const method = spec.methods.find((m) => m !== 'GET');
    if (!method) return undefined;
    const params = pathParams(spec.path);
    const fields = Object.keys(spec.fields).filter((n) => !params.includes(n));
    const depth = 1000 + Math.floor(rand() * 100_000);
    const deep = rand() < 0.5 ? deepArray(depth) : deepObject(depth);
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    // Either a declared field gets the deep value (a wrong type for every declared field type:
    // object fields get an array, list fields an object, scalar fields either), or an unknown
    // field does and a required one is missing.
    if (fields.length > 0 && rand() < 0.7) {
      const name = pick(rand, fields);
      const type = spec.fields[name]!;
      const value = type === 'object' ? deepArray(depth) : type.endsWith('[]') ? deepObject(depth) : deep;
      const rest = JSON.stringify(requiredFilled(spec, [name])).slice(1, -1);
      return jsonCase('deepNesting', spec, method, path, `{${rest}${rest ? ',' : ''}"${name}":${value}}`);
    }
    if (spec.required.filter((r) => !params.includes(r)).length === 0) return undefined;
    return jsonCase('deepNesting', spec, method, path, `{"unknown":${deep}}`);
  },
  hugeValue(rand, spec) {
    const method = spec.methods.find((m) => m !== 'GET');
    if (!method) return undefined;
    const params = pathParams(spec.path);
    const ints = Object.entries(spec.fields).filter(([n, t]) => t === 'int64' && !params.includes(n));
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    if (ints.length > 0 && rand() < 0.5) {
      const [name] = pick(rand, ints);
      const body = { ...requiredFilled(spec, [name]), [name]: pick(rand, HUGE_INTS) };
      const text = JSON.stringify(body).replace('"1e400"', '1e400'); // a literal that parses to Infinity
      return jsonCase('hugeValue', spec, method, path, text);
    }
    // A 300 kB string in every key-like field is over every MLflow limit (keys 250, names 500,
    // values 6000): either a length error or, for ids, a missing entity.
    const keyish = ['key', 'metric_key', 'experiment_id', 'run_id', 'new_name', 'tag_key', 'alias'];
    const names = Object.keys(spec.fields).filter((n) => keyish.includes(n) && !params.includes(n));
    if (names.length === 0 || !spec.tracking) return undefined;
    const big = 'k'.repeat(300_000);
    const body: Record<string, unknown> = requiredFilled(spec, []);
    for (const n of names) body[n] = big;
    return jsonCase('hugeValue', spec, method, path, JSON.stringify(body));
  },
  hostileHost(rand, spec) {
    const path = prefixFor(rand) + fillPath(spec.path, () => 'm-fuzz');
    const host = pick(rand, ['evil.example', 'attacker.test:5000', '203.0.113.9', '[2001:db8::1]:80']);
    const method = spec.methods[0]!;
    const c: FuzzCase =
      method === 'GET'
        ? { kind: 'hostileHost', endpoint: spec.name, method, path, headers: { host } }
        : {
            ...jsonCase('hostileHost', spec, method, path, '{}'),
            headers: { host, 'content-type': 'application/json' },
          };
    return c;
  },
};

/** Requests that are not tied to one endpoint: bad URLs, unknown paths, the artifact proxy. */
export function miscCases(rand: () => number, n: number): FuzzCase[] {
  const paths = [
    '/api/2.0/mlflow/no-such-endpoint',
    '/api/2.0/mlflow/runs/get%ZZ?run_id=1',
    '/api/2.0/mlflow/runs/%00get',
    '/api/2.0/mlflow/runs/get?run_id=%ZZ',
    '/api/2.0/mlflow/../../etc/passwd',
    '/api/3.0/mlflow/runs/get',
    '/api/2.0/mlflow/runs/search/extra/segments',
    '/ajax-api/2.0/mlflow/experiments/list',
    '/api/2.0/mlflow/' + 'a/'.repeat(2000),
    '/api/2.0/mlflow/logged-models/' + 'x'.repeat(3000),
    '/api/2.0/mlflow-artifacts/artifacts/../../../etc/passwd',
    '/api/2.0/mlflow-artifacts/artifacts/%2e%2e/%2e%2e/etc/passwd',
    '/api/2.0/mlflow-artifacts/artifacts/a/%00/b',
    '/api/2.0/mlflow-artifacts/artifacts/does/not/exist.txt',
    '/api/2.0/mlflow-artifacts/artifacts?path=../../etc',
    '/api/2.0/mlflow/artifacts/list?run_id=../../x',
    '/health/../../../etc/passwd',
    '/%',
    '/index.html',
    '/static-files/../../package.json',
  ];
  const out: FuzzCase[] = [];
  for (let i = 0; i < n; i++) {
    const path = paths[i % paths.length]!;
    // PUT/DELETE only where the path itself is hostile (a plain missing file may be written/deleted).
    const hostile = path.includes('mlflow-artifacts/artifacts/') && !path.includes('does/not/exist');
    const method = hostile && rand() < 0.4 ? pick(rand, ['PUT', 'DELETE']) : 'GET';
    out.push({
      kind: 'misc',
      endpoint: path.slice(0, 60),
      method,
      path,
      ...(method === 'PUT'
        ? { body: 'payload', headers: { 'content-type': 'application/octet-stream' } }
        : {}),
    });
  }
  return out;
}

/**
 * `n` cases: endpoints in turn (so all are covered), a random applicable fault for each, and
 * `misc` extra URL-level cases.
 */
export function generateCases(rand: () => number, n: number): FuzzCase[] {
  // Search filters and page tokens only exist on a few endpoints: weigh them up there.
  const weight: Record<string, number> = { badFilter: 4, badPageToken: 3 };
  const out: FuzzCase[] = [];
  let i = 0;
  while (out.length < n) {
    const spec = SPECS[i % SPECS.length]!;
    i++;
    const applicable: FuzzCase[] = [];
    for (const [kind, make] of Object.entries(MAKERS)) {
      const c = make(rand, spec);
      if (c) for (let w = 0; w < (weight[kind] ?? 1); w++) applicable.push(c);
    }
    if (applicable.length > 0) out.push(pick(rand, applicable));
  }
  return out;
}
