/**
 * MLflow's request validation, with its limits and messages (mlflow/mlflow `mlflow/utils/validation.py`).
 * Everything here throws INVALID_PARAMETER_VALUE.
 */
import {
  LIMITS,
  MlflowError,
  RUN_STATUSES,
  VIEW_TYPES,
  type KeyValue,
  type RunStatus,
  type ViewType,
} from '@cauce/protocol';

/**
 * Key characters: MLflow's `^[/\w.\- ]*$`; we also accept ':' (newer MLflow clients log keys such
 * as `eval:loss`), which cannot escape a path since artifact paths are not built from keys.
 */
const KEY_CHARS = /^[/\w.\- :]*$/;

export function validateKey(
  kind: 'metric' | 'param' | 'tag' | 'experiment tag' | 'model tag' | 'model param',
  key: unknown,
): string {
  if (typeof key !== 'string' || key === '') {
    throw MlflowError.invalid(
      `Missing value for required parameter 'key' of a ${kind}. Give every ${kind} a non-empty name.`,
    );
  }
  if (key.length > LIMITS.maxEntityKeyLength) {
    throw MlflowError.invalid(
      `${capital(kind)} name '${key.slice(0, 40)}…' had length ${key.length}, which exceeded length limit of ${LIMITS.maxEntityKeyLength}`,
    );
  }
  if (!KEY_CHARS.test(key)) {
    throw MlflowError.invalid(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/).`,
    );
  }
  // MLflow's "path-unique" rule: no '.' / '..' segments, no leading or doubled slash.
  const segments = key.split('/');
  if (key.startsWith('/') || key.endsWith('/') || segments.some((s) => s === '.' || s === '..' || s === '')) {
    throw MlflowError.invalid(
      `Invalid ${kind} name: '${key}'. Names cannot contain '.' or '..' path segments, start or end with '/', or contain '//'.`,
    );
  }
  return key;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function validateLength(what: string, value: string, limit: number): string {
  if (value.length > limit) {
    throw MlflowError.invalid(
      `${what} '${value.slice(0, 40)}…' had length ${value.length}, which exceeded length limit of ${limit}`,
    );
  }
  return value;
}

export function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw MlflowError.invalid(
      `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
    );
  }
  return value;
}

function asKeyValue(kind: string, raw: unknown, index: number): { key: unknown; value: unknown } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw MlflowError.invalid(`${kind}s[${index}] must be an object {"key": ..., "value": ...}.`);
  }
  return raw as { key: unknown; value: unknown };
}

function valueString(kind: string, key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw MlflowError.invalid(`Missing value for ${kind} '${key}': the value must be a string.`);
}

export function validateParams(
  raw: unknown[] | undefined,
  kind: 'param' | 'model param' = 'param',
): KeyValue[] {
  return (raw ?? []).map((r, i) => {
    const kv = asKeyValue('param', r, i);
    const key = validateKey(kind, kv.key);
    const value = valueString('param', key, kv.value);
    validateLength(`Param value for key '${key}'`, value, LIMITS.maxParamValueLength);
    return { key, value };
  });
}

export function validateTags(
  raw: unknown[] | undefined,
  kind: 'tag' | 'experiment tag' | 'model tag' = 'tag',
): KeyValue[] {
  return (raw ?? []).map((r, i) => {
    const kv = asKeyValue('tag', r, i);
    const key = validateKey(kind, kv.key);
    const value = kv.value === undefined || kv.value === null ? '' : valueString('tag', key, kv.value);
    validateLength(`Tag value for key '${key}'`, value, LIMITS.maxTagValueLength);
    return { key, value };
  });
}

/**
 * A short JSON rendering of a caller's value for error messages. JSON.stringify throws a RangeError
 * on a deeply nested value (a hostile body such as 100,000 nested arrays), which must stay a 400.
 */
export function preview(v: unknown, max = 100): string {
  try {
    return String(JSON.stringify(v)).slice(0, max);
  } catch {
    return Array.isArray(v) ? '[…]' : typeof v === 'object' && v !== null ? '{…}' : typeof v;
  }
}

/** A proto3-JSON double: a number, a numeric string, or "NaN"/"Infinity"/"-Infinity". */
export function parseDouble(name: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity' || v === 'inf') return Infinity;
    if (v === '-Infinity' || v === '-inf') return -Infinity;
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
  }
  throw MlflowError.invalid(`Invalid value ${preview(v)} for parameter '${name}': expected a number.`);
}

/** A proto3-JSON int64: an integer number or a decimal string of one. */
export function parseInt64(name: string, v: unknown): number {
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw MlflowError.invalid(`Invalid value ${preview(v)} for parameter '${name}': expected an integer.`);
  }
  return n;
}

export function validateMetric(
  raw: unknown,
  index: number,
): { key: string; value: number; timestamp: number; step: number } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw MlflowError.invalid(`metrics[${index}] must be an object {"key", "value", "timestamp", "step"}.`);
  }
  const m = raw as Record<string, unknown>;
  const key = validateKey('metric', m.key);
  if (m.value === undefined || m.value === null) {
    throw MlflowError.invalid(
      `Got invalid value None for metric '${key}'. Please specify value as a number.`,
    );
  }
  if (typeof m.value === 'boolean') {
    throw MlflowError.invalid(
      `Got invalid value ${String(m.value)} for metric '${key}' (bool). Please specify value as a number.`,
    );
  }
  const value = parseDouble(`metrics[${index}].value`, m.value);
  if (m.timestamp === undefined || m.timestamp === null) {
    throw MlflowError.invalid(`Missing value for required parameter 'timestamp' of metric '${key}'.`);
  }
  const timestamp = parseInt64(`metrics[${index}].timestamp`, m.timestamp);
  if (timestamp < 0) {
    throw MlflowError.invalid(
      `Got invalid timestamp ${timestamp} for metric '${key}'. Timestamp must be a non-negative number of milliseconds.`,
    );
  }
  const step = m.step === undefined || m.step === null ? 0 : parseInt64(`metrics[${index}].step`, m.step);
  return { key, value, timestamp, step };
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (n: number, limit: number, what: string) => {
    if (n > limit) {
      throw MlflowError.invalid(
        `A batch logging request can contain at most ${limit} ${what}. Got ${n} ${what}. Please split up ${what} across multiple requests and try again.`,
      );
    }
  };
  check(metrics, LIMITS.maxMetricsPerBatch, 'metrics');
  check(params, LIMITS.maxParamsTagsPerBatch, 'params');
  check(tags, LIMITS.maxParamsTagsPerBatch, 'tags');
  check(metrics + params + tags, LIMITS.maxEntitiesPerBatch, 'total entities (metrics, params and tags)');
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw MlflowError.invalid(
      `Invalid experiment name: '${String(name ?? '')}'. The name must be a non-empty string.`,
    );
  }
  return validateLength('Experiment name', name, LIMITS.maxExperimentNameLength);
}

export function validateRunStatus(v: unknown): RunStatus {
  if (typeof v === 'string' && (RUN_STATUSES as readonly string[]).includes(v)) return v as RunStatus;
  throw MlflowError.invalid(`Invalid run status '${String(v)}' (valid: ${RUN_STATUSES.join(', ')}).`);
}

export function validateViewType(name: string, v: unknown): ViewType | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (VIEW_TYPES as readonly string[]).includes(v)) return v as ViewType;
  // proto enums may also come as their numbers: ACTIVE_ONLY=1, DELETED_ONLY=2, ALL=3
  if (v === 1 || v === '1') return 'ACTIVE_ONLY';
  if (v === 2 || v === '2') return 'DELETED_ONLY';
  if (v === 3 || v === '3') return 'ALL';
  throw MlflowError.invalid(
    `Invalid value '${String(v)}' for parameter '${name}' (valid: ${VIEW_TYPES.join(', ')}).`,
  );
}

export function validateMaxResults(v: number | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (v < 1 || v > max) {
    throw MlflowError.invalid(
      `Invalid value ${v} for parameter 'max_results' supplied. It must be at least 1 and at most ${max}.`,
    );
  }
  return v;
}

export function validateRunId(v: string): string {
  if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(v)) {
    throw MlflowError.invalid(`Invalid value "${v.slice(0, 100)}" for parameter 'run_id' supplied.`);
  }
  return v;
}
