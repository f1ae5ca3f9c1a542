/**
 * Where artifact bytes live. The server's proxy (`/api/2.0/mlflow-artifacts/artifacts/...`) and the
 * run artifact listing speak only this interface, so an object store (S3) can be added beside the
 * local directory without touching the routes. Paths are relative, '/'-separated and already
 * checked by `validateArtifactPath`.
 */
import type { Readable } from 'node:stream';
import type { FileInfo } from '@cauce/protocol';

export interface ArtifactRepository {
  /** Entries directly under `path` ('' = root); names relative to `path`. Missing → []. */
  list(path: string): Promise<FileInfo[]>;
  /** The file's bytes, or undefined when there is no file at `path`. */
  read(path: string): Promise<{ stream: Readable; size: number } | undefined>;
  /**
   * Stores the stream at `path`, replacing any previous file. Writes to a temporary name first, so
   * a reader never sees half a file; fails with INVALID_PARAMETER_VALUE past `maxBytes`.
   */
  write(path: string, data: Readable, maxBytes: number): Promise<number>;
  /** Removes a file or a directory tree; missing is not an error. */
  delete(path: string): Promise<void>;
}
