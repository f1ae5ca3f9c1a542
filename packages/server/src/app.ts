/**
 * `buildApp` assembles the HTTP server (Fastify) without listening, so tests can `inject` or
 * `listen({ port: 0 })` it. One plugin per resource group; the store is passed in, never created
 * here, so the app holds no state of its own.
 */
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { ArtifactRepository } from './artifacts/artifact-repository.js';
import type { TrackingStore } from './store/tracking-store.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { MalformedBody } from './http/decode.js';
import type { ServerContext } from './http/route.js';
import { artifactListRoute, artifactProxyRoutes } from './http/routes/artifacts.js';
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
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
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
  });
  if (ctx.artifacts) await app.register(async (scope) => artifactProxyRoutes(scope, ctx));
  if (options.uiDir) {
    const { default: fastifyStatic } = await import('@fastify/static');
    await app.register(fastifyStatic, { root: resolve(options.uiDir), prefix: '/', index: ['index.html'] });
  }
  return app;
}
