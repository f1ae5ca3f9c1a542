/**
 * A guard in front of every artifact route (present and future), so the path rules of
 * artifact-path.ts hold even where a handler forgets them: the proxy's wildcard path (raw and
 * decoded) and any `path` query parameter on a URL that names artifacts. Runs as an onRequest hook,
 * before body parsing, so a hostile upload is refused before a byte is written.
 */
import type { FastifyInstance, onRequestHookHandler, onSendHookHandler } from 'fastify';
import { MlflowError } from '@cauce/protocol';
import { resolveInside, validateArtifactPath } from './artifact-path.js';
import { ARTIFACT_CSP } from './serve-file.js';

const PROXY = /^\/(?:ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts(?:\/(.*))?$/;

/**
 * `root` is the proxy's local directory: a proxied path must also resolve (symlinks followed)
 * inside it, so a symlink planted in the artifact tree cannot lead a read, write or delete outside.
 */
export function installArtifactPathGuard(
  app: FastifyInstance,
  root?: string,
  /** The artifact URI of a run, so run-relative paths (`artifacts/list?run_id=&path=`) are checked too. */
  runArtifactUri?: (runId: string) => Promise<string | undefined>,
): void {
  const inside = (p: string) => {
    if (root !== undefined && p !== '') resolveInside(root, decodeURIComponent(p));
  };
  const check = async (url: string, q: number, pathPart: string): Promise<void> => {
    const m = PROXY.exec(pathPart);
    if (m?.[1]) inside(validateArtifactPath(m[1]));
    // A raw '#' or NUL cannot arrive in a URL path, but '%23' / '%00' can; ';' smuggling (CVE-2024-1593) too.
    if (/%(?:00|23|3b)/i.test(pathPart) || pathPart.includes(';')) {
      throw MlflowError.invalid("Invalid artifact path: it contains '#', ';' or NUL.");
    }
    if (q >= 0) {
      const params = new URLSearchParams(url.slice(q + 1));
      const runId = params.get('run_id') ?? params.get('run_uuid');
      for (const p of params.getAll('path')) {
        const clean = validateArtifactPath(p);
        if (m) inside(clean);
        else if (runId && clean !== '' && runArtifactUri) {
          // A run under mlflow-artifacts:/ keeps its files below the proxy root: check the real path.
          const uri = await runArtifactUri(runId);
          const base = uri && /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(uri)?.[1];
          if (base) inside(`${base.replace(/\/+$/, '')}/${clean}`);
        }
      }
    }
  };
  // Callback-style hooks (no promise per request unless there is a path to check).
  const onRequest: onRequestHookHandler = (req, _reply, done) => {
    const url = req.raw.url ?? '';
    const q = url.indexOf('?');
    const pathPart = q >= 0 ? url.slice(0, q) : url;
    if (!/artifact/i.test(pathPart)) {
      done();
      return;
    }
    check(url, q, pathPart).then(() => done(), done);
  };
  // Whatever handler served it, an artifact never runs script in the server's origin.
  const onSend: onSendHookHandler = (req, reply, payload, done) => {
    const url = req.raw.url ?? '';
    const q = url.indexOf('?');
    if (reply.statusCode < 300 && /artifact/i.test(q >= 0 ? url.slice(0, q) : url)) {
      if (!reply.hasHeader('content-security-policy'))
        void reply.header('content-security-policy', ARTIFACT_CSP);
      if (!reply.hasHeader('x-content-type-options')) void reply.header('x-content-type-options', 'nosniff');
    }
    done(null, payload);
  };
  // The hooks go on every route whose URL can name an artifact: a literal 'artifact' in it, or a
  // parameter or wildcard (which may carry one). A fixed URL without 'artifact' never gives them work,
  // so the hot tracking routes skip them. onRoute sees every route registered after this call, present
  // and future; route-level hooks run after the app-level ones, i.e. after authentication, so
  // anonymous requests cannot make the guard look runs up.
  app.addHook('onRoute', (route) => {
    if (!/artifact|[:*]/i.test(route.url)) return;
    route.onRequest = [...hookList(route.onRequest), onRequest];
    route.onSend = [...hookList(route.onSend), onSend];
  });
}

function hookList<T>(h: T | T[] | undefined): T[] {
  return h === undefined ? [] : Array.isArray(h) ? h : [h];
}
