/**
 * Artifacts: the run-level listing (`artifacts/list`) and the artifact proxy
 * (`/api/2.0/mlflow-artifacts/artifacts/<path>`: GET downloads, PUT uploads as a stream, DELETE
 * removes, GET without a path lists `?path=`). Clients reach the proxy by resolving
 * `mlflow-artifacts:/<path>` URIs against the tracking server, as MLflow's HttpArtifactRepository does.
 * And `GET /get-artifact?run_uuid=&path=`, the download of one file of a run that MLflow's UI uses.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MlflowError, type FileInfo } from '@cauce/protocol';
import type { ArtifactRepository } from '../../artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../../artifacts/local-artifact-repository.js';
import { validateArtifactPath } from '../../artifacts/safe-path.js';
import { artifactHeaders } from '../../security/serve-file.js';
import { endpoint, runIdOf, str, type ServerContext } from '../route.js';

const PROXY_PREFIXES = ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts'];

/** Maps an artifact URI to a repository and a base path inside it, when this server can read it. */
export function repositoryFor(
  uri: string,
  ctx: ServerContext,
): { repo: ArtifactRepository; base: string } | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(uri);
  if (m) return ctx.artifacts ? { repo: ctx.artifacts, base: m[1]!.replace(/\/+$/, '') } : undefined;
  if (uri.startsWith('file://')) return { repo: new LocalArtifactRepository(fileURLToPath(uri)), base: '' };
  if (isAbsolute(uri)) return { repo: new LocalArtifactRepository(uri), base: '' };
  return undefined;
}

function joinPath(a: string, b: string): string {
  return [a, b].filter((x) => x !== '').join('/');
}

/** The wildcard path of a proxy request, checked in both its raw and its decoded form. */
function proxyPath(req: FastifyRequest): string {
  const decoded = (req.params as { '*'?: string })['*'] ?? '';
  const rawUrl = req.raw.url ?? '';
  const raw = rawUrl.split('?')[0]!.replace(/^\/(ajax-)?api\/2\.0\/mlflow-artifacts\/artifacts\/?/, '');
  validateArtifactPath(raw);
  return validateArtifactPath(decoded);
}

export function artifactListRoute(app: FastifyInstance, ctx: ServerContext): void {
  endpoint(app, 'listArtifacts', async (m) => {
    const run = await ctx.store.getRun(runIdOf(m));
    const path = str(m.path) ? validateArtifactPath(str(m.path)!) : '';
    const root = run.info.artifact_uri;
    const target = repositoryFor(root, ctx);
    if (!target) return { root_uri: root, files: [] };
    const entries = await target.repo.list(joinPath(target.base, path));
    const files: FileInfo[] = entries.map((e) => ({ ...e, path: joinPath(path, e.path) }));
    return { root_uri: root, files };
  });
}

/**
 * `GET /get-artifact?run_id=…&path=…` (also `run_uuid`, and under `/ajax-api/2.0/mlflow/` and
 * `/api/2.0/mlflow/`): one file of a run, the way MLflow's server sends it (`get_artifact_handler`
 * in mlflow/server/handlers.py: the path is relative to the run's artifact root; the file goes as an
 * attachment). The path is checked by validateArtifactPath and resolved by the same repository as
 * the run listing and the proxy (which refuses to leave its root); the request guard also checks
 * the real path under the proxy root. Bytes are streamed, never buffered whole.
 */
export function getArtifactRoute(app: FastifyInstance, ctx: ServerContext): void {
  for (const url of ['/get-artifact', '/ajax-api/2.0/mlflow/get-artifact', '/api/2.0/mlflow/get-artifact']) {
    app.get(url, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const one = (k: string): unknown => (Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k]);
      const runId = one('run_id') ?? one('run_uuid');
      if (typeof runId !== 'string' || runId === '') {
        throw MlflowError.invalid("Missing value for required parameter 'run_id' (or 'run_uuid').");
      }
      const rawPath = one('path');
      const path = typeof rawPath === 'string' ? validateArtifactPath(rawPath) : '';
      if (path === '') {
        throw MlflowError.invalid(
          "Missing value for required parameter 'path' (a file relative to the run's artifact root).",
        );
      }
      const run = await ctx.store.getRun(runId);
      const root = run.info.artifact_uri;
      const target = repositoryFor(root, ctx);
      if (!target) {
        throw MlflowError.invalid(
          `The artifacts of run ${runId} are stored at '${root}', which this server does not serve; read them from there.`,
        );
      }
      const file = await target.repo.read(joinPath(target.base, path));
      if (!file) throw MlflowError.notFound(`No file '${path}' among the artifacts of run ${runId}.`);
      const name = path.split('/').pop()!;
      void reply
        .headers(artifactHeaders(name))
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`);
      return reply.send(file.stream);
    });
  }
}

/** The proxy routes, in their own plugin so uploads get a streaming body parser. */
export async function artifactProxyRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const repo = ctx.artifacts!;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  for (const prefix of PROXY_PREFIXES) {
    app.get(prefix, async (req) => {
      const q = req.query as { path?: unknown };
      const rawPath = Array.isArray(q.path) ? q.path[0] : q.path;
      const path = typeof rawPath === 'string' && rawPath !== '' ? validateArtifactPath(rawPath) : '';
      // MLflow returns base names here; its client joins them with the requested path.
      return { files: await repo.list(path) };
    });
    app.get(`${prefix}/*`, async (req, reply) => {
      const path = proxyPath(req);
      const file = path === '' ? undefined : await repo.read(path);
      if (!file) throw MlflowError.notFound(`Artifact '${path}' does not exist.`);
      const name = path.split('/').pop()!;
      void reply
        .type('application/octet-stream')
        .header('content-length', String(file.size))
        .header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff');
      return reply.send(file.stream);
    });
    app.put(`${prefix}/*`, async (req) => {
      const path = proxyPath(req);
      if (path === '') throw MlflowError.invalid('An artifact upload needs a file path after /artifacts/.');
      // No body (content-length 0) means an empty file, as with MLflow's proxy.
      const stream = req.body instanceof Readable ? req.body : Readable.from([]);
      await repo.write(path, stream, ctx.maxArtifactBytes);
      return {};
    });
    app.delete(`${prefix}/*`, async (req) => {
      const path = proxyPath(req);
      if (path === '') throw MlflowError.invalid('Give the artifact path to delete after /artifacts/.');
      await repo.delete(path);
      return {};
    });
  }
}
