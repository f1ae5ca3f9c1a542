/**
 * Artifact transfer, by artifact URI, as MLflow's clients do it:
 *  - `mlflow-artifacts:/<path>` (a server started with --serve-artifacts, the default of `cauce server`
 *    and of `mlflow server` ≥ 2): streamed through the tracking server's proxy
 *    `/api/2.0/mlflow-artifacts/artifacts/<path>` (PUT uploads, GET downloads, GET ?path= lists);
 *  - a local path or `file://` URI (a server without the proxy on this machine): copied directly.
 * Files stream both ways (uploads of at most 1 MiB are sent from memory, which is cheaper per file).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { cp, mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS_PROXY_PREFIX, MlflowError, isErrorBody, type FileInfo } from '@cauce/protocol';
import { ClientError } from './http/errors.js';
import type { Transport } from './http/transport.js';

type Location = { kind: 'proxy'; path: string } | { kind: 'local'; dir: string };

/** Where an artifact URI's files live, for this client. */
export function locate(uri: string): Location {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(uri);
  if (m) return { kind: 'proxy', path: m[1]!.replace(/\/+$/, '') };
  if (uri.startsWith('file://')) return { kind: 'local', dir: fileURLToPath(uri) };
  if (isAbsolute(uri)) return { kind: 'local', dir: uri };
  throw new ClientError(
    'INVALID_URI',
    `artifact URI '${uri}' is not served through the tracking server`,
    'start the server with artifact proxying (`cauce server` does by default; `mlflow server --serve-artifacts`)',
  );
}

/** Joins artifact path segments with '/', refusing '..' and absolute parts (no escaping the run's root). */
export function joinArtifactPath(...parts: Array<string | undefined>): string {
  const segs: string[] = [];
  for (const p of parts) {
    if (!p) continue;
    for (const s of p.replace(/\\/g, '/').split('/')) {
      if (s === '' || s === '.') continue;
      if (s === '..') {
        throw new ClientError(
          'INVALID_ARGUMENT',
          `artifact path '${p}' may not contain '..'`,
          'use a relative path inside the run',
        );
      }
      segs.push(s);
    }
  }
  return segs.join('/');
}

function proxyUrl(t: Transport, path: string): string {
  return `${t.baseUrl}${ARTIFACTS_PROXY_PREFIX}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

async function failure(res: Response, what: string): Promise<never> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isErrorBody(body)) throw new MlflowError(body.error_code, `${what}: ${body.message}`, res.status);
  throw new MlflowError(
    res.status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : 'INTERNAL_ERROR',
    `${what} failed with HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    res.status,
  );
}

/** Files up to this size are uploaded from memory rather than streamed. */
const SMALL_FILE = 1 << 20;

/** Uploads one local file to `<artifactUri>/<artifactPath>` (artifactPath includes the file name). */
export async function uploadFile(
  t: Transport,
  artifactUri: string,
  localFile: string,
  artifactPath: string,
): Promise<void> {
  const st = await stat(localFile).catch(() => undefined);
  if (!st?.isFile()) throw new ClientError('IO_ERROR', `cannot upload ${localFile}: no such file`);
  const loc = locate(artifactUri);
  if (loc.kind === 'local') {
    const dest = join(loc.dir, ...artifactPath.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    await cp(localFile, dest);
    return;
  }
  const url = proxyUrl(t, joinArtifactPath(loc.path, artifactPath));
  if (st.size <= SMALL_FILE) {
    // small files (a model directory's MLmodel, examples, profile, stage files) go as one buffer: that
    // takes the cheap node:http path of the transport instead of a web stream per file (issue 8)
    const bytes = await readFile(localFile);
    const small = await t.fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    if (!small.ok) await failure(small, `uploading ${artifactPath}`);
    await small.body?.cancel().catch(() => undefined);
    return;
  }
  const res = await t.fetch(url, () => ({
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(st.size) },
    body: Readable.toWeb(createReadStream(localFile)) as ReadableStream,
    duplex: 'half',
  }));
  if (!res.ok) await failure(res, `uploading ${artifactPath}`);
  await res.body?.cancel().catch(() => undefined);
}

/** Uploads bytes or text as one artifact file. */
export async function uploadBytes(
  t: Transport,
  artifactUri: string,
  data: Uint8Array | string,
  artifactPath: string,
): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const loc = locate(artifactUri);
  if (loc.kind === 'local') {
    const { writeFile } = await import('node:fs/promises');
    const dest = join(loc.dir, ...artifactPath.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, bytes);
    return;
  }
  const res = await t.fetch(proxyUrl(t, joinArtifactPath(loc.path, artifactPath)), {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (!res.ok) await failure(res, `uploading ${artifactPath}`);
  await res.body?.cancel().catch(() => undefined);
}

/**
 * Deletes an artifact file or directory (MLflow's ArtifactRepository.delete_artifacts): DELETE through the
 * proxy, or removed from a local artifact root. A path that does not exist is not an error.
 */
export async function deleteArtifacts(
  t: Transport,
  artifactUri: string,
  artifactPath: string,
): Promise<void> {
  const loc = locate(artifactUri);
  if (loc.kind === 'local') {
    const { rm } = await import('node:fs/promises');
    await rm(join(loc.dir, ...artifactPath.split('/')), { recursive: true, force: true });
    return;
  }
  const res = await t.fetch(proxyUrl(t, joinArtifactPath(loc.path, artifactPath)), { method: 'DELETE' });
  if (!res.ok && res.status !== 404) await failure(res, `deleting ${artifactPath}`);
  await res.body?.cancel().catch(() => undefined);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...(await walk(p)));
    else if (ent.isFile()) out.push(p);
  }
  return out;
}

/** Uploads a local directory's files under `<artifactUri>/<artifactPath>/`, keeping the tree. */
export async function uploadDir(
  t: Transport,
  artifactUri: string,
  localDir: string,
  artifactPath = '',
): Promise<number> {
  const st = await stat(localDir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ClientError('IO_ERROR', `cannot upload ${localDir}: no such directory`);
  const files = await walk(localDir);
  // a few uploads in flight: small files are latency-bound, and the server streams each one to disk
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const f = files[next++]!;
      const rel = relative(localDir, f).split(sep).join('/');
      await uploadFile(t, artifactUri, f, joinArtifactPath(artifactPath, rel));
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
  return files.length;
}

/** Lists one directory level under `<artifactUri>/<path>`; paths come back relative to the URI's root. */
export async function listArtifacts(t: Transport, artifactUri: string, path = ''): Promise<FileInfo[]> {
  const loc = locate(artifactUri);
  const sub = joinArtifactPath(path);
  if (loc.kind === 'local') {
    const dir = join(loc.dir, ...sub.split('/').filter(Boolean));
    const ents = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const out: FileInfo[] = [];
    for (const e of ents) {
      const p = posix.join(sub, e.name);
      if (e.isDirectory()) out.push({ path: p, is_dir: true });
      else out.push({ path: p, is_dir: false, file_size: (await stat(join(dir, e.name))).size });
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }
  const full = joinArtifactPath(loc.path, sub);
  const res = await t.fetch(
    `${t.baseUrl}${ARTIFACTS_PROXY_PREFIX}?${new URLSearchParams({ path: full }).toString()}`,
    { method: 'GET', headers: { accept: 'application/json' } },
  );
  if (!res.ok) await failure(res, `listing ${sub || '/'}`);
  const body = (await res.json()) as { files?: FileInfo[] };
  // the proxy answers with base names (MLflow's convention); make them relative to the root
  return (body.files ?? [])
    .map((f) => ({ ...f, path: joinArtifactPath(sub, f.path.split('/').pop()) }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Downloads one file to `dest` (created with its parents). */
export async function downloadFile(
  t: Transport,
  artifactUri: string,
  path: string,
  dest: string,
): Promise<void> {
  const loc = locate(artifactUri);
  await mkdir(dirname(dest), { recursive: true });
  if (loc.kind === 'local') {
    await cp(join(loc.dir, ...joinArtifactPath(path).split('/')), dest);
    return;
  }
  const res = await t.fetch(proxyUrl(t, joinArtifactPath(loc.path, path)), { method: 'GET' });
  if (!res.ok || !res.body) await failure(res, `downloading ${path}`);
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(dest));
}

/** Reads one artifact file as text. */
export async function readText(t: Transport, artifactUri: string, path: string): Promise<string> {
  const loc = locate(artifactUri);
  if (loc.kind === 'local') {
    const { readFile } = await import('node:fs/promises');
    return readFile(join(loc.dir, ...joinArtifactPath(path).split('/')), 'utf8');
  }
  const res = await t.fetch(proxyUrl(t, joinArtifactPath(loc.path, path)), { method: 'GET' });
  if (!res.ok) await failure(res, `reading ${path}`);
  return res.text();
}

/**
 * Downloads `path` (a file or a directory, recursively) into `destDir`; returns the local path of what
 * was downloaded. An empty `path` downloads everything under the URI.
 */
export async function downloadArtifacts(
  t: Transport,
  artifactUri: string,
  path: string,
  destDir: string,
): Promise<string> {
  const sub = joinArtifactPath(path);
  const entries = await listArtifacts(t, artifactUri, sub);
  const base = sub.split('/').pop() ?? '';
  if (entries.length === 0 && sub !== '') {
    // not a directory (or an empty one): try it as a file
    const dest = join(destDir, base);
    await downloadFile(t, artifactUri, sub, dest);
    return dest;
  }
  const root = join(destDir, ...(base ? [base] : []));
  await mkdir(root, { recursive: true });
  const visit = async (dir: string, list: FileInfo[]): Promise<void> => {
    for (const e of list) {
      const rel = sub ? e.path.slice(sub.length).replace(/^\//, '') : e.path;
      if (e.is_dir) await visit(e.path, await listArtifacts(t, artifactUri, e.path));
      else await downloadFile(t, artifactUri, e.path, join(root, ...rel.split('/')));
    }
    void dir;
  };
  await visit(sub, entries);
  return root;
}
