/**
 * `startServer` opens the store, builds the app and listens: what `cauce server` (and each cluster
 * worker) runs, and what tests and benchmarks start in a child process.
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { LocalArtifactRepository } from './artifacts/local-artifact-repository.js';
import { openStore } from './store/sql/sql-tracking-store.js';
import type { TrackingStore } from './store/tracking-store.js';
import type { RegistryAppOptions } from './registry/install.js'; // registry/auth (H7)

export interface StartServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Default: SQLite file ./cauce-data/mlflow.db. */
  backendStoreUri?: string;
  /** Where proxied artifacts are stored (default ./cauce-data/artifacts). */
  artifactsDestination?: string;
  /** Root URI for new experiments' artifacts (default `mlflow-artifacts:/` when serving artifacts). */
  defaultArtifactRoot?: string;
  /** Proxy artifacts through this server (default true). */
  serveArtifacts?: boolean;
  maxArtifactBytes?: number;
  logger?: boolean;
  /** Built UI files to serve at `/` (see BuildAppOptions.uiDir). */
  uiDir?: string;
  /** Registry, auth (`--auth`), webhooks and browser guards (H7). */
  registry?: RegistryAppOptions;
  /** Whole-request deadline and idle-connection timeout, in ms (see BuildAppOptions; 0 = none). */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Skip migrations' work when a parent process already ran them (cluster workers). */
  store?: TrackingStore;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  store: TrackingStore;
  close(): Promise<void>;
}

export const DEFAULT_BACKEND_STORE_URI = 'sqlite:///cauce-data/mlflow.db';
export const DEFAULT_ARTIFACTS_DESTINATION = './cauce-data/artifacts';

/** The artifact root new experiments get, following `mlflow server`'s rules. */
export function resolveDefaultArtifactRoot(options: StartServerOptions): string {
  if (options.defaultArtifactRoot) return options.defaultArtifactRoot;
  if (options.serveArtifacts ?? true) return 'mlflow-artifacts:/';
  return resolve(options.artifactsDestination ?? DEFAULT_ARTIFACTS_DESTINATION);
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const serveArtifacts = options.serveArtifacts ?? true;
  const store =
    options.store ??
    (await openStore(options.backendStoreUri ?? DEFAULT_BACKEND_STORE_URI, {
      defaultArtifactRoot: resolveDefaultArtifactRoot(options),
    }));
  const app = await buildApp({
    store,
    artifacts: serveArtifacts
      ? new LocalArtifactRepository(options.artifactsDestination ?? DEFAULT_ARTIFACTS_DESTINATION)
      : undefined,
    maxArtifactBytes: options.maxArtifactBytes,
    logger: options.logger,
    uiDir: options.uiDir,
    registry: options.registry, // registry/auth (H7)
    requestTimeoutMs: options.requestTimeoutMs,
    connectionTimeoutMs: options.connectionTimeoutMs,
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 5000 });
  } catch (err) {
    await app.close().catch(() => undefined);
    if (!options.store) await store.close().catch(() => undefined);
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (options.port ?? 5000);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    app,
    store,
    async close() {
      await app.close();
      if (!options.store) await store.close();
    },
  };
}
