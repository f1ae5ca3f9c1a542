/**
 * `runs:/` and `models:/` URIs, with MLflow's grammar:
 *   runs:/<run_id>/<relative/path>
 *   models:/<name>/<version>     models:/<name>/<stage>     models:/<name>/latest     models:/<name>@<alias>
 */
import { ClientError } from './http/errors.js';

export function parseRunsUri(uri: string): { runId: string; path: string } {
  const m = /^runs:\/+([^/]+)\/?(.*)$/.exec(uri);
  if (!m || m[1] === '') {
    throw new ClientError(
      'INVALID_URI',
      `'${uri}' is not a runs:/ URI`,
      'write runs:/<run_id>/<artifact path>',
    );
  }
  return { runId: m[1]!, path: m[2]!.replace(/\/+$/, '') };
}

export interface ModelRef {
  name: string;
  version?: string;
  stage?: string;
  alias?: string;
}

export function parseModelUri(uri: string): ModelRef {
  const m = /^models:\/+(.+)$/.exec(uri);
  const bad = (): ClientError =>
    new ClientError(
      'INVALID_URI',
      `'${uri}' is not a models:/ URI`,
      'write models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest or models:/<name>@<alias>',
    );
  if (!m) throw bad();
  const rest = m[1]!.replace(/\/+$/, '');
  const at = rest.lastIndexOf('@');
  if (at > 0 && !rest.slice(at).includes('/')) {
    const alias = rest.slice(at + 1);
    if (!alias) throw bad();
    return { name: rest.slice(0, at), alias };
  }
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) throw bad();
  const name = rest.slice(0, slash);
  const sel = rest.slice(slash + 1);
  if (/^\d+$/.test(sel)) return { name, version: sel };
  if (sel.toLowerCase() === 'latest') return { name };
  return { name, stage: sel };
}
