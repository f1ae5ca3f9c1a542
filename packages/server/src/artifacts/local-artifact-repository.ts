/** Artifacts in a local directory (the default `--artifacts-destination ./cauce-data/artifacts`). */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { MlflowError, type FileInfo } from '@cauce/protocol';
import type { ArtifactRepository } from './artifact-repository.js';
import { validateArtifactPath } from './safe-path.js';

export class LocalArtifactRepository implements ArtifactRepository {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The absolute path for a relative artifact path; never outside the root. */
  resolvePath(path: string): string {
    const clean = path === '' ? '' : validateArtifactPath(path);
    const abs = resolve(this.root, clean);
    const rel = relative(this.root, abs);
    if (rel.startsWith('..') || rel.includes(`..${sep}`) || resolve(abs) !== abs) {
      throw MlflowError.invalid(`Invalid path '${path}': it points outside the artifact root.`);
    }
    return abs;
  }

  async list(path: string): Promise<FileInfo[]> {
    const dir = this.resolvePath(path);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    const out: FileInfo[] = [];
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.cauce-upload-')) continue;
      if (e.isDirectory()) out.push({ path: e.name, is_dir: true });
      else if (e.isFile())
        out.push({ path: e.name, is_dir: false, file_size: (await stat(join(dir, e.name))).size });
    }
    return out;
  }

  async read(path: string): Promise<{ stream: Readable; size: number } | undefined> {
    const file = this.resolvePath(path);
    try {
      const st = await stat(file);
      if (!st.isFile()) return undefined;
      return { stream: createReadStream(file), size: st.size };
    } catch {
      return undefined;
    }
  }

  async write(path: string, data: Readable, maxBytes: number): Promise<number> {
    const file = this.resolvePath(path);
    if (file === this.root) throw MlflowError.invalid('An artifact upload needs a file path.');
    await mkdir(dirname(file), { recursive: true });
    const tmp = join(dirname(file), `.cauce-upload-${randomUUID()}`);
    let written = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (written > maxBytes) {
          cb(
            MlflowError.invalid(
              `Artifact '${path}' is larger than the server's upload limit of ${maxBytes} bytes.`,
            ),
          );
        } else cb(null, chunk);
      },
    });
    try {
      await pipeline(data, cap, createWriteStream(tmp));
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (err instanceof MlflowError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST') {
        throw MlflowError.invalid(`Cannot write artifact '${path}': a directory or file is in the way.`);
      }
      throw err;
    }
    return written;
  }

  async delete(path: string): Promise<void> {
    const target = this.resolvePath(path);
    if (target === this.root) throw MlflowError.invalid('Refusing to delete the whole artifact root.');
    await rm(target, { recursive: true, force: true });
  }
}
