/**
 * Guards against attacks that come through a victim's browser rather than a client of ours:
 * - DNS rebinding: a page on evil.example re-resolves its name to 127.0.0.1 and talks to the server
 *   with `Host: evil.example`. The Host-header allowlist refuses such requests (MLflow added the same
 *   as `--allowed-hosts`). Default: localhost, loopback and private-range IP literals.
 * - CORS is off unless origins are listed: no Access-Control-Allow-* header is ever sent otherwise,
 *   so browsers keep other origins from reading responses.
 */
import type { FastifyInstance } from 'fastify';
import { isIP } from 'node:net';
import { MlflowError } from '@cauce/protocol';
import { isPrivateAddress } from './ip-ranges.js';

export interface BrowserGuardOptions {
  /** Host names (without port) the server answers to; '*' allows any. */
  allowedHosts?: string[];
  /** Origins (`https://ui.example:8080`) allowed to read responses cross-origin. Default none. */
  corsAllowedOrigins?: string[];
}

export function hostOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function hostAllowed(hostHeader: string | undefined, allowed: string[] | undefined): boolean {
  if (hostHeader === undefined || hostHeader === '') return false;
  const host = hostOf(hostHeader);
  if (allowed && allowed.length > 0) {
    return allowed.some(
      (a) =>
        a === '*' ||
        a.toLowerCase() === host ||
        (a.startsWith('*.') && host.endsWith(a.slice(1).toLowerCase())),
    );
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && (isPrivateAddress(host) || host === '0.0.0.0');
}

export function installBrowserGuard(app: FastifyInstance, opts: BrowserGuardOptions): void {
  const origins = new Set((opts.corsAllowedOrigins ?? []).map((o) => o.replace(/\/+$/, '')));
  // Every request passes here, and checking an IP literal against the private ranges costs a few
  // microseconds (BlockList), so the answer for a Host header value is remembered: it depends on
  // nothing else. Bounded, since a client may send any Host.
  const decided = new Map<string, boolean>();
  const allowed = (host: string | undefined): boolean => {
    if (host === undefined) return false;
    let ok = decided.get(host);
    if (ok === undefined) {
      ok = hostAllowed(host, opts.allowedHosts);
      if (decided.size >= 1024) decided.clear();
      decided.set(host, ok);
    }
    return ok;
  };
  // A callback-style hook: no promise per request.
  app.addHook('onRequest', (req, reply, done) => {
    if (!allowed(req.headers.host)) {
      done(
        new MlflowError(
          'PERMISSION_DENIED',
          `Host '${String(req.headers.host ?? '').slice(0, 100)}' is not allowed. Start the server with --allowed-hosts to add it.`,
          403,
        ),
      );
      return;
    }
    const origin = origins.size > 0 ? req.headers.origin : undefined;
    if (origin && origins.has(origin)) {
      void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        // Answered here; `done` is not called, so no route runs.
        void reply
          .status(204)
          .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
          .header('access-control-allow-headers', 'authorization, content-type')
          .send();
        return;
      }
    }
    done();
  });
}

/** True for a state-changing request that a browser sent from another origin (CSRF). */
export function isCrossOriginWrite(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  allowedOrigins: string[] = [],
): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  const site = typeof headers['sec-fetch-site'] === 'string' ? headers['sec-fetch-site'] : undefined;
  if (origin !== undefined) {
    if (allowedOrigins.includes(origin.replace(/\/+$/, ''))) return false;
    if (origin === 'null') return true;
    try {
      return new URL(origin).host.toLowerCase() !== String(headers.host ?? '').toLowerCase();
    } catch {
      return true;
    }
  }
  return site === 'cross-site' || site === 'same-site';
}
