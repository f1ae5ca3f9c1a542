/**
 * Sending artifact files to browsers without letting them run as the server's origin. Uploaded
 * artifacts are user content: an HTML report could carry script that, served same-origin, would
 * act with the viewer's credentials. So every artifact response carries `nosniff`, and HTML/SVG get
 * a Content-Security-Policy with `sandbox` and no script source (the page renders but runs nothing,
 * in an opaque origin). Nothing is ever executed or deserialized server-side: bytes are streamed.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyReply } from 'fastify';
import { MlflowError } from '@cauce/protocol';

const SMALL_FILE = 8 * 1024 * 1024;

export const ARTIFACT_CSP = "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; sandbox";

const TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.py': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.js': 'text/plain; charset=utf-8',
  '.csv': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.pdf': 'application/pdf',
};

/** Headers every artifact response carries. */
export function artifactHeaders(fileName: string): Record<string, string> {
  const type = TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'content-security-policy': ARTIFACT_CSP,
    'cross-origin-resource-policy': 'same-origin',
  };
  return headers;
}

/** Streams a regular file (never a directory, device or FIFO) with the headers above. */
export function sendArtifactFile(reply: FastifyReply, absPath: string, fileName: string): FastifyReply {
  let st;
  try {
    st = statSync(absPath);
  } catch {
    throw MlflowError.notFound(`Artifact '${fileName}' does not exist.`);
  }
  if (!st.isFile()) {
    throw MlflowError.invalid(
      `Artifact '${fileName}' is a directory, not a file; give the path of a file inside it.`,
    );
  }
  reply.headers({ ...artifactHeaders(fileName), 'content-length': String(st.size) });
  // Small files go as one buffer: a streamed reply on a reused keep-alive socket was seen to keep
  // the socket busy until the keep-alive timeout on Node 20, delaying server shutdown.
  if (st.size <= SMALL_FILE) return reply.send(readFileSync(absPath));
  return reply.send(createReadStream(absPath));
}
