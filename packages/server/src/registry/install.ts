/**
 * Wires the registry, the security guards, auth and webhooks into an app built by `buildApp`.
 * Called once, early in buildApp (before the tracking routes), so the auth hook and the route
 * inventory cover every route registered after it.
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { installArtifactPathGuard } from '../security/request-guard.js';
import type { SourcePolicy } from '../security/source-policy.js';
import { registryRoutes } from './routes.js';
import { SqlRegistryStore } from './sql/sql-registry-store.js';
import { installAuth, type AuthOptions } from '../auth/install.js';
import { installWebhooks, type WebhookOptions } from '../webhooks/install.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import type { AuthStore } from '../auth/auth-store.js';
import { installBrowserGuard } from '../security/browser-guard.js';

export interface RegistryAppOptions {
  /** Default: a registry on the tracking store's own database. */
  registry?: SqlRegistryStore;
  /** Local directory behind `mlflow-artifacts:/` (default: the proxied repository's root). */
  artifactsDestination?: string;
  /** The server's default artifact root URI, when remote (e.g. `s3://bucket/prefix`). */
  defaultArtifactRoot?: string;
  /** Users and permissions; off when absent. */
  auth?: AuthOptions;
  /** Webhook delivery settings (SSRF allowlist, retries). */
  webhooks?: WebhookOptions;
  /** Host-header allowlist (default: localhost and private IPs; '*' for any). */
  allowedHosts?: string[];
  /** Origins that may read responses cross-origin (default none: CORS off). */
  corsAllowedOrigins?: string[];
}

/** What installRegistry set up, also reachable as `app.cauce` (tests, shutdown). */
export interface RegistryHandles {
  registry: SqlRegistryStore;
  webhooks: WebhookDispatcher;
  auth?: AuthStore;
  /** Every route registered after installRegistry (all of them, since buildApp calls it first). */
  routes: { method: string; url: string }[];
}

declare module 'fastify' {
  interface FastifyInstance {
    cauce?: RegistryHandles;
  }
}

interface InstallInput {
  store: TrackingStore;
  artifacts?: ArtifactRepository;
  registry?: RegistryAppOptions;
}

export async function installRegistry(app: FastifyInstance, input: InstallInput): Promise<RegistryHandles> {
  const opts = input.registry ?? {};
  const registry = opts.registry ?? SqlRegistryStore.sharing(input.store);
  const policy: SourcePolicy = {
    artifactsDestination:
      opts.artifactsDestination ??
      (input.artifacts instanceof LocalArtifactRepository
        ? input.artifacts.root
        : resolve('cauce-data/artifacts')),
    defaultArtifactRoot: opts.defaultArtifactRoot,
  };
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method, url: r.url });
  });
  installBrowserGuard(app, { allowedHosts: opts.allowedHosts, corsAllowedOrigins: opts.corsAllowedOrigins });
  // Route-level hooks on the routes that can name artifacts (all routes registered from here on); they
  // run after the app-level authentication hooks, so anonymous requests cannot make it look runs up.
  installArtifactPathGuard(app, policy.artifactsDestination, async (runId) => {
    try {
      return (await input.store.getRun(runId)).info.artifact_uri;
    } catch {
      return undefined; // the handler reports the unknown run
    }
  });
  const auth = opts.auth
    ? await installAuth(app, {
        ...opts.auth,
        trustedOrigins: [...(opts.auth.trustedOrigins ?? []), ...(opts.corsAllowedOrigins ?? [])],
        db: registry.db,
        tracking: input.store,
        registry,
      })
    : undefined;
  const webhooks = installWebhooks(app, { ...(opts.webhooks ?? {}), db: registry.db });
  registryRoutes(app, { registry, tracking: input.store, policy, events: webhooks });
  const handles: RegistryHandles = { registry, webhooks, auth, routes };
  app.decorate('cauce', handles);
  return handles;
}
