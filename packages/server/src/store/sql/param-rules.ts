/**
 * MLflow's rules for logging params, shared by the SQLite hot path (hot-statements.ts) and the Kysely path
 * (runs.ts): one value per key within a request, and a logged param never changes.
 */
import { MlflowError, type KeyValue } from '@cauce/protocol';

/** The request's params by key; the same key twice with different values fails the whole batch. */
export function uniqueParams(params: KeyValue[]): Map<string, string> {
  const seen = new Map<string, string>();
  for (const p of params) {
    const prev = seen.get(p.key);
    if (prev !== undefined && prev !== p.value) {
      throw MlflowError.invalid(
        `Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.`,
      );
    }
    seen.set(p.key, p.value);
  }
  return seen;
}

/** The error for params already stored with another value (`changed` holds the stored values, in key order). */
export function changedParamsError(
  runId: string,
  changed: KeyValue[],
  requested: Map<string, string>,
): MlflowError {
  const detail = changed
    .map((c) => `{'key': '${c.key}', 'old_value': '${c.value}', 'new_value': '${requested.get(c.key)}'}`)
    .join(', ');
  return MlflowError.invalid(
    `Changing param values is not allowed. Params were already logged='[${detail}]' for run ID='${runId}'.`,
  );
}
