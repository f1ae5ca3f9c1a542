/**
 * `buildApp` assembles the HTTP server (Fastify) without listening, so tests can `inject` or
 * `listen({ port: 0 })` it. One plugin per resource group; the store is passed in, never created
 * here, so the app holds no state of its own.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { ArtifactRepository } from './artifacts/artifact-repository.js';
import type { TrackingStore } from './store/tracking-store.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { MalformedBody } from './http/decode.js';
import type { ServerContext } from './http/route.js';
import { artifactListRoute, artifactProxyRoutes, getArtifactRoute } from './http/routes/artifacts.js';
import { experimentRoutes } from './http/routes/experiments.js';
import { loggedModelRoutes } from './http/routes/logged-models.js';
import { runRoutes } from './http/routes/runs.js';
import { installRegistry, type RegistryAppOptions } from './registry/install.js'; // registry/auth (H7)

export const SERVER_VERSION = '0.1.0';

export interface BuildAppOptions {
  store: TrackingStore;
  /** When given, the server proxies artifacts (`mlflow-artifacts:/` URIs) to this repository. */
  artifacts?: ArtifactRepository;
  /** Largest artifact upload accepted, in bytes (default 5 GiB). */
  maxArtifactBytes?: number;
  /** Largest JSON request body, in bytes (default 32 MiB: a dataset profile may be 16 MiB). */
  maxJsonBytes?: number;
  /** Fastify's logger (pino) on or off (default off). */
  logger?: boolean;
  /**
   * A directory of built UI files (the UI package's `dist/`) served at `/`. The server learns the
   * folder from here and never imports the UI; unknown paths still get ENDPOINT_NOT_FOUND JSON.
   */
  uiDir?: string;
  /** Model registry, auth, webhooks and security guards (H7). */
  registry?: RegistryAppOptions;
  /**
   * Milliseconds within which a whole request (headers and body) must arrive, else 408 and the
   * connection is closed; 0 = no limit. Default 300 s: a slow-loris client that dribbles its
   * headers or body cannot keep a socket forever, while a 5 GiB artifact upload still fits at ~17 MB/s.
   */
  requestTimeoutMs?: number;
  /** Milliseconds a connection may stay silent (a stalled upload, a vanished peer) before it is closed; 0 = never. Default 120 s. */
  connectionTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 120_000;

/**
 * Errors Node's HTTP parser meets before any route runs (oversized headers, a garbage request line,
 * Content-Length with Transfer-Encoding, a bad chunk, a request that took too long) answered in
 * MLflow's error shape like every other error, then the connection is closed (the stream position
 * is unknown after a parse error). MLflow's own servers answer these in plain text; the JSON shape is
 * for clients that parse every error body.
 */
function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // A reset or already destroyed socket has no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let message = `Malformed HTTP request: ${err.message}${err.code ? ` (${err.code})` : ''}.`;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message =
      "The request's headers are larger than the server accepts (16 KiB by default; node's --max-http-header-size).";
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message =
      'The request did not arrive in time (cauce server --request-timeout); the connection is closed.';
  }
  const body = JSON.stringify({ error_code: 'BAD_REQUEST', message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: options.logger ?? false,
    // Fastify turns Node's request timeout off by default (a stalled upload held its socket forever).
    requestTimeout,
    connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    // Node looks for expired requests on an interval (30 s by default); a shorter timeout needs a
    // shorter look. headersTimeout may not exceed the request timeout.
    http:
      requestTimeout > 0
        ? {
            connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(requestTimeout / 4))),
            headersTimeout: Math.min(60_000, requestTimeout),
          }
        : {},
    clientErrorHandler,
    bodyLimit: options.maxJsonBytes ?? 32 * 1024 * 1024,
    // Path parameters carry model ids and tag keys (up to 250 characters in MLflow), beyond
    // Fastify's default cap of 100.
    routerOptions: { maxParamLength: 1000 },
    // Bad URLs and similar router-level failures get MLflow's JSON shape too.
    frameworkErrors: (error, _req, reply) => {
      void (reply as unknown as FastifyReply)
        .status(400)
        .type('application/json')
        .send({ error_code: 'INVALID_PARAMETER_VALUE', message: `Bad request: ${error.message}` });
    },
  });
  const ctx: ServerContext = {
    store: options.store,
    artifacts: options.artifacts,
    maxArtifactBytes: options.maxArtifactBytes ?? 5 * 1024 ** 3,
  };
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  await installRegistry(app, options); // registry/auth (H7): hooks first, so they cover every route

  // MLflow's server reads JSON whatever the Content-Type says (Flask `get_json(force=True)`), so
  // every body is parsed as JSON; an empty body is "no fields".
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      // Reported when an endpoint reads the body, so an unknown path still answers ENDPOINT_NOT_FOUND.
      done(null, new MalformedBody(`Malformed JSON request body: ${(err as Error).message}`));
    }
  });

  app.get('/health', async (_req, reply) => reply.type('text/plain').send('OK'));
  app.get('/version', async (_req, reply) => reply.type('text/plain').send(SERVER_VERSION));

  await app.register(async (scope) => {
    experimentRoutes(scope, ctx);
    runRoutes(scope, ctx);
    loggedModelRoutes(scope, ctx);
    artifactListRoute(scope, ctx);
    getArtifactRoute(scope, ctx);
  });
  if (ctx.artifacts) await app.register(async (scope) => artifactProxyRoutes(scope, ctx));
  if (options.uiDir) {
    const { default: fastifyStatic } = await import('@fastify/static');
    await app.register(fastifyStatic, { root: resolve(options.uiDir), prefix: '/', index: ['index.html'] });
  }
  return app;
}
