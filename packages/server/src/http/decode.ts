/**
 * Turns an HTTP request into the request message of one endpoint, the way MLflow's server does
 * with protobuf: GET/DELETE read the query string (repeated keys are arrays), other methods read a
 * JSON object body; declared fields are type-checked and coerced (see the endpoint table in
 * @cauce/protocol), undeclared fields are ignored, `null` means absent.
 */
import { MlflowError, type EndpointSpec, type FieldType } from '@cauce/protocol';
import { parseDouble, parseInt64, preview } from '../validation.js';

export type Message = Record<string, unknown>;

/** A body that was not valid JSON; the endpoint that reads it answers MALFORMED_REQUEST. */
export class MalformedBody {
  constructor(readonly message: string) {}
}

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function fromQuery(name: string, type: FieldType, raw: unknown): unknown {
  switch (type) {
    case 'string':
      return String(first(raw));
    case 'int64':
      return parseInt64(name, first(raw));
    case 'double':
      return parseDouble(name, first(raw));
    case 'bool': {
      const v = String(first(raw)).toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw MlflowError.invalid(`Invalid value '${v}' for parameter '${name}': expected true or false.`);
    }
    case 'string[]':
      return (Array.isArray(raw) ? raw : [raw]).map(String);
    case 'object':
    case 'object[]':
      throw MlflowError.invalid(
        `Parameter '${name}' cannot be given in a query string; send it in a JSON body.`,
      );
  }
}

function describeType(type: FieldType): string {
  return {
    string: 'a string',
    int64: 'an integer',
    double: 'a number',
    bool: 'a boolean',
    'string[]': 'a list of strings',
    object: 'an object',
    'object[]': 'a list of objects',
  }[type];
}

function bad(name: string, type: FieldType, raw: unknown): never {
  throw MlflowError.invalid(
    `Invalid value ${preview(raw)} for parameter '${name}' supplied: expected ${describeType(type)}.`,
  );
}

function fromJson(name: string, type: FieldType, raw: unknown): unknown {
  switch (type) {
    // Numbers are taken for string fields: clients send `"experiment_id": 1`, and MLflow's server
    // stringifies such ids before protobuf parsing (proto_json_utils `_stringify_all_experiment_ids`).
    case 'string':
      return typeof raw === 'string'
        ? raw
        : typeof raw === 'number' && Number.isFinite(raw)
          ? String(raw)
          : bad(name, type, raw);
    case 'int64':
      return parseInt64(name, raw);
    case 'double':
      return typeof raw === 'boolean' ? bad(name, type, raw) : parseDouble(name, raw);
    case 'bool':
      return typeof raw === 'boolean' ? raw : bad(name, type, raw);
    case 'string[]':
      return Array.isArray(raw) &&
        raw.every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))
        ? raw.map(String)
        : bad(name, type, raw);
    case 'object':
      return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : bad(name, type, raw);
    case 'object[]':
      return Array.isArray(raw) && raw.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))
        ? raw
        : bad(name, type, raw);
  }
}

/** The declared fields of each endpoint as a list, built once (every request walks it). */
const fieldLists = new WeakMap<EndpointSpec, [string, FieldType][]>();
function fieldsOf(spec: EndpointSpec): [string, FieldType][] {
  let list = fieldLists.get(spec);
  if (list === undefined) {
    list = Object.entries(spec.fields) as [string, FieldType][];
    fieldLists.set(spec, list);
  }
  return list;
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export function decodeMessage(
  spec: EndpointSpec,
  method: string,
  query: unknown,
  body: unknown,
  pathParams: Record<string, string>,
): Message {
  if (body instanceof MalformedBody) throw new MlflowError('MALFORMED_REQUEST', body.message, 400);
  const fromUrl = method === 'GET' || method === 'DELETE' || body === undefined;
  // GET/DELETE read the query string; a DELETE/PATCH may still carry a JSON body (MLflow 3 clients
  // send one), whose fields win over the query's. Other methods read the JSON body only.
  if (fromUrl ? body !== undefined && body !== null : true) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw MlflowError.invalid('The request body must be a JSON object.');
    }
  }
  const json = (body ?? undefined) as Record<string, unknown> | undefined;
  const q = fromUrl ? ((query ?? {}) as Record<string, unknown>) : undefined;
  const out: Message = {};
  for (const [name, type] of fieldsOf(spec)) {
    if (name in pathParams) {
      out[name] = pathParams[name];
      continue;
    }
    let raw: unknown;
    let inJson = false;
    if (json !== undefined && hasOwn(json, name)) {
      raw = json[name];
      inJson = true;
    } else if (q !== undefined && hasOwn(q, name)) raw = q[name];
    else continue;
    if (raw === null || raw === undefined) continue;
    out[name] = inJson ? fromJson(name, type, raw) : fromQuery(name, type, raw);
  }
  for (const r of spec.required) {
    const v = out[r];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) {
      throw MlflowError.invalid(
        `Missing value for required parameter '${r}'. See the API docs for more information about request parameters.`,
      );
    }
  }
  return out;
}
