/**
 * Artifacts: the run-level listing (`artifacts/list`) and the artifact proxy
 * (`/api/2.0/mlflow-artifacts/artifacts/<path>`: GET downloads, PUT uploads as a stream, DELETE
 * removes, GET without a path lists `?path=`). Clients reach the proxy by resolving
 * `mlflow-artifacts:/<path>` URIs against the tracking server, as MLflow's HttpArtifactRepository does.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MlflowError, type FileInfo } from '@cauce/protocol';
import type { ArtifactRepository } from '../../artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../../artifacts/local-artifact-repository.js';
import { validateArtifactPath } from '../../artifacts/safe-path.js';
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
