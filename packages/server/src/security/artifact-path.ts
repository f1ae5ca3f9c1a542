/**
 * Artifact paths from requests, checked before they touch a file system. MLflow's history of
 * traversal CVEs (CVE-2023-6730, CVE-2023-6831/CVE-2024-1560, CVE-2023-6909, CVE-2024-1593) came
 * from validating a path before decoding it, or decoding it once when the attacker encoded twice.
 * So: decode until the text stops changing, and check every decoded form; refuse `..` segments,
 * backslashes, absolute and drive paths, `#`, `;`, `?`, NUL and control characters, and URI schemes.
 * Then `resolveInside` joins the result to a root and checks the real path (symlinks followed)
 * stays under the root.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { MlflowError } from '@cauce/protocol';

const MAX_DECODE_ROUNDS = 8;
const MAX_PATH_LENGTH = 4096;

function reject(what: string, raw: string, why: string): never {
  // eslint-disable-next-line no-control-regex
  const shown = raw.slice(0, 200).replace(/[\u0000-\u001f\u007f]/g, '?');
  throw MlflowError.invalid(
    `Invalid ${what} '${shown}': ${why}. Give a relative path such as 'model/MLmodel'.`,
  );
}

function checkForm(what: string, raw: string, s: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) reject(what, raw, 'it contains NUL or control characters');
  if (s.includes('\\')) reject(what, raw, 'it contains a backslash');
  if (s.includes('#')) reject(what, raw, "it contains '#'");
  if (s.includes(';')) reject(what, raw, "it contains ';'");
  if (s.includes('?')) reject(what, raw, "it contains '?'");
  if (s.startsWith('/') || isAbsolute(s)) reject(what, raw, 'it is an absolute path');
  if (/^[a-zA-Z]:/.test(s)) reject(what, raw, 'it starts with a drive letter');
  if (/^[a-zA-Z][\w+.-]*:/.test(s)) reject(what, raw, 'it is a URI, not a path');
  if (s.startsWith('~')) reject(what, raw, "it starts with '~'");
  if (s.split('/').some((seg) => seg === '..')) reject(what, raw, "it contains a '..' segment");
}

/**
 * Validates a relative artifact path and returns its normal form ('' for the root; '.' and empty
 * segments dropped). Throws INVALID_PARAMETER_VALUE.
 */
export function validateArtifactPath(raw: unknown, what = 'artifact path'): string {
  if (raw === undefined || raw === null || raw === '') return '';
  if (typeof raw !== 'string') throw MlflowError.invalid(`Invalid ${what}: expected a string.`);
  if (raw.length > MAX_PATH_LENGTH) reject(what, raw, `it is longer than ${MAX_PATH_LENGTH} characters`);
  let s = raw;
  checkForm(what, raw, s);
  for (let i = 0; ; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      reject(what, raw, 'it has a malformed percent-encoding');
    }
    if (decoded === s) break;
    if (i >= MAX_DECODE_ROUNDS) reject(what, raw, 'it is percent-encoded too many times');
    s = decoded;
    checkForm(what, raw, s);
  }
  return raw
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.')
    .join('/');
}

/** True when `child` is `root` or below it (both absolute, normalised). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

/**
 * The real path of `p`, or of its nearest existing ancestor joined with the rest. The native realpath
 * (one realpath(3) call) follows symlinks as the JavaScript one does, without an lstat per component in
 * JavaScript: every artifact request runs this twice (issue 8: an upload cost 6× a health check).
 */
function realish(p: string): string {
  let cur = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync.native(cur), ...rest);
    } catch {
      // missing (or unreadable, as existsSync would say): its parent's real path, then the rest
    }
    const parent = dirname(cur);
    if (parent === cur) return p;
    rest.unshift(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    cur = parent;
  }
}

/**
 * Joins a validated relative path to `root` and returns the absolute path, refusing anything whose
 * real location (after symlinks) leaves the root.
 */
export function resolveInside(root: string, relPath: string, what = 'artifact path'): string {
  const clean = validateArtifactPath(relPath, what);
  const absRoot = resolve(root);
  const target = resolve(absRoot, clean);
  const realRoot = realish(absRoot);
  if (!isInside(absRoot, target) || !isInside(realRoot, realish(target))) {
    reject(what, relPath, 'it points outside the artifact root');
  }
  return target;
}
