/**
 * `cauce server`: the MLflow-compatible tracking server, with `mlflow server`'s flags. With
 * `--workers N` (N > 1) the primary process migrates the database once, then forks N workers that
 * share the port (node:cluster); the store keeps no in-process state, so workers (or replicas on
 * one PostgreSQL) behave as one server.
 */
import cluster from 'node:cluster';
import { Option, type Command } from 'commander';
import {
  DEFAULT_ARTIFACTS_DESTINATION,
  DEFAULT_BACKEND_STORE_URI,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  StoreUriError,
  openStore,
  parseStoreUri,
  redact,
  resolveDefaultArtifactRoot,
  startServer,
  type StartServerOptions,
} from '@cauce/server';
import { CliError } from '../cli-error.js';

interface ServerFlags {
  host: string;
  port: string;
  backendStoreUri: string;
  artifactsDestination: string;
  defaultArtifactRoot?: string;
  serveArtifacts: boolean;
  workers: string;
  maxArtifactMb?: string;
  requestTimeout: string;
  connectionTimeout: string;
  uiDir?: string;
  // registry/auth (H7)
  auth?: boolean;
  authDefaultPermission?: string;
  allowedHosts?: string;
  corsAllowedOrigins?: string;
  webhookAllowHosts?: string;
}

function intFlag(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

export function serverOptions(flags: ServerFlags): StartServerOptions {
  try {
    parseStoreUri(flags.backendStoreUri);
  } catch (err) {
    if (err instanceof StoreUriError) {
      throw new CliError(
        `bad --backend-store-uri: ${err.message}`,
        'use sqlite:///relative/path.db, sqlite:////absolute/path.db or postgresql://user:password@host:5432/dbname',
      );
    }
    throw err;
  }
  return {
    host: flags.host,
    port: intFlag('port', flags.port, 0, 65535),
    backendStoreUri: flags.backendStoreUri,
    artifactsDestination: flags.artifactsDestination,
    defaultArtifactRoot: flags.defaultArtifactRoot,
    serveArtifacts: flags.serveArtifacts,
    uiDir: flags.uiDir,
    registry: securityOptions(flags), // registry/auth (H7)
    requestTimeoutMs: intFlag('request-timeout', flags.requestTimeout, 0, 86_400) * 1000,
    connectionTimeoutMs: intFlag('connection-timeout', flags.connectionTimeout, 0, 86_400) * 1000,
    maxArtifactBytes:
      flags.maxArtifactMb === undefined
        ? undefined
        : intFlag('max-artifact-mb', flags.maxArtifactMb, 1, 1_000_000) * 1024 * 1024,
  };
}

/** `--auth` and the browser/webhook guards (registry/auth, H7); the admin password comes from CAUCE_ADMIN_PASSWORD. */
function securityOptions(flags: ServerFlags): NonNullable<StartServerOptions['registry']> {
  const list = (v: string | undefined) =>
    v === undefined
      ? undefined
      : v
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '');
  return {
    auth: flags.auth
      ? { defaultPermission: flags.authDefaultPermission as 'READ' | 'EDIT' | 'MANAGE' | 'NO_PERMISSIONS' }
      : undefined,
    allowedHosts: list(flags.allowedHosts),
    corsAllowedOrigins: list(flags.corsAllowedOrigins),
    webhooks: { allowlist: list(flags.webhookAllowHosts) },
  };
}

/** Turns start-up failures people can fix into CliErrors that say how. */
function explain(err: unknown, options: StartServerOptions): never {
  const e = err as { code?: string; message?: string };
  if (e.code === 'EADDRINUSE') {
    throw new CliError(
      `port ${options.port} on ${options.host} is already in use`,
      'stop the other process or pick another port with --port (0 picks a free one)',
    );
  }
  if (e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
    throw new CliError(
      `cannot listen on ${options.host}:${options.port} (${e.code})`,
      'check --host and --port',
    );
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '28P01' || e.code === '3D000') {
    throw new CliError(
      `cannot open the backend store ${redact(options.backendStoreUri ?? '')}: ${e.message ?? e.code}`,
      'check that the database server is running and the URI (user, password, host, port, database) is right',
    );
  }
  if (e.code?.startsWith('SQLITE_') || e.code === 'EACCES' || e.code === 'ENOENT') {
    throw new CliError(
      `cannot open the SQLite store: ${e.message ?? e.code}`,
      'check the path in --backend-store-uri',
    );
  }
  throw err;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => resolve(sig);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

async function openOrExplain(options: StartServerOptions) {
  try {
    return await openStore(options.backendStoreUri ?? DEFAULT_BACKEND_STORE_URI, {
      defaultArtifactRoot: resolveDefaultArtifactRoot(options),
    });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new CliError(
      `cannot open the backend store ${redact(options.backendStoreUri ?? DEFAULT_BACKEND_STORE_URI)}: ${e.message ?? String(err)}`,
      'check the --backend-store-uri (path, or user, password, host, port and database) and that the database server is running',
    );
  }
}

async function runSingle(options: StartServerOptions, announce: boolean): Promise<void> {
  const store = await openOrExplain(options);
  let server;
  try {
    server = await startServer({ ...options, store });
  } catch (err) {
    await store.close().catch(() => undefined);
    explain(err, options);
  }
  if (announce) {
    process.stdout.write(`Cauce tracking server listening on ${server.url}\n`);
    process.stdout.write(`  backend store: ${redact(options.backendStoreUri ?? '')}\n`);
    process.stdout.write(
      `  artifacts: ${options.serveArtifacts === false ? 'not proxied' : `proxied to ${options.artifactsDestination}`} (default root ${resolveDefaultArtifactRoot(options)})\n`,
    );
  }
  await waitForSignal();
  // A stopped server must not linger: if closing stalls (a stuck client) or some module leaves a
  // handle open, exit anyway. The timers are unref'd, so they never delay a clean exit.
  setTimeout(() => process.exit(0), 15_000).unref();
  await server.close();
  await store.close();
  setTimeout(() => process.exit(0), 2_000).unref();
}

async function runCluster(options: StartServerOptions, workers: number): Promise<void> {
  // Migrate once, before the workers race to do it.
  await (await openOrExplain(options)).close();
  let stopping = false;
  let announced = false;
  let failure: string | undefined;
  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    const host = options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1');
    process.stdout.write(
      `Cauce tracking server listening on http://${host}:${address.port} (${workers} workers)\n`,
    );
  });
  cluster.on('message', (_worker, msg: unknown) => {
    if (typeof msg === 'object' && msg !== null && 'startupError' in msg)
      failure = String((msg as { startupError: unknown }).startupError);
  });
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    if (failure) {
      stopping = true;
      process.stderr.write(`error: ${failure}\n`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`worker ${worker.process.pid} exited with code ${code}; starting another\n`);
    cluster.fork();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  const signalled = waitForSignal();
  await Promise.race([
    signalled,
    new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (stopping) {
          clearInterval(timer);
          resolve();
        }
      }, 200);
      void signalled.then(() => clearInterval(timer));
    }),
  ]);
  stopping = true;
  const alive = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  await Promise.all(
    alive.map(
      (w) =>
        new Promise<void>((resolve) => {
          w.once('exit', () => resolve());
          w.process.kill('SIGTERM');
        }),
    ),
  );
}

export function registerServer(program: Command): void {
  program
    .command('server')
    .description(
      'Start the MLflow-compatible tracking server (REST API 2.0, artifact proxy, MLflow 3 logged models)',
    )
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '5000')
    .option(
      '--backend-store-uri <uri>',
      'where runs are stored: sqlite:///path.db (relative), sqlite:////abs/path.db, or postgresql://user:pass@host:5432/db',
      DEFAULT_BACKEND_STORE_URI,
    )
    .option(
      '--artifacts-destination <path>',
      'directory the artifact proxy stores files in',
      DEFAULT_ARTIFACTS_DESTINATION,
    )
    .option(
      '--default-artifact-root <uri>',
      'artifact root for new experiments (default mlflow-artifacts:/ when serving artifacts, else the artifacts destination)',
    )
    .option('--serve-artifacts', 'proxy artifact uploads and downloads through this server (default)', true)
    .option('--no-serve-artifacts', 'do not proxy artifacts; clients write to the artifact root themselves')
    .addOption(new Option('-w, --workers <n>', 'number of server processes sharing the port').default('1'))
    .option('--max-artifact-mb <n>', 'largest artifact upload accepted, in MiB (default 5120)')
    .option(
      '--request-timeout <seconds>',
      'a request (headers and body, e.g. an artifact upload) must arrive within this time, else 408 and the connection closes; 0 = no limit',
      String(DEFAULT_REQUEST_TIMEOUT_MS / 1000),
    )
    .option(
      '--connection-timeout <seconds>',
      'close a connection that stays silent this long (a stalled upload, a vanished client); 0 = never',
      String(DEFAULT_CONNECTION_TIMEOUT_MS / 1000),
    )
    .option('--ui-dir <path>', 'serve these built web UI files at /')
    // registry/auth (H7)
    .option('--auth', 'require users and passwords or API tokens on every route except /health')
    .addOption(
      new Option('--auth-default-permission <level>', 'permission on resources a user was not given one for')
        .choices(['READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'])
        .default('READ'),
    )
    .option(
      '--allowed-hosts <list>',
      "comma-separated Host names the server answers to (default: localhost and private IPs; '*' for any)",
    )
    .option(
      '--cors-allowed-origins <list>',
      'comma-separated origins allowed to call the API from a browser (default: none)',
    )
    .option(
      '--webhook-allow-hosts <list>',
      'comma-separated internal hosts, addresses or CIDRs webhooks may call',
    )
    .action(async (flags: ServerFlags) => {
      const options = serverOptions(flags);
      const workers = intFlag('workers', flags.workers, 1, 256);
      if (cluster.isWorker) {
        try {
          await runSingle(options, false);
        } catch (err) {
          process.send?.({ startupError: err instanceof Error ? err.message : String(err) });
          throw err;
        }
        // The IPC channel to the primary would keep a worker alive after its server closed.
        process.exit(0);
      }
      if (workers === 1) await runSingle(options, true);
      else await runCluster(options, workers);
    });
}
