/** Registers one endpoint of the table under both API prefixes, with decoding and JSON replies. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_PREFIXES, MlflowError, endpointByName, type EndpointName } from '@cauce/protocol';
import type { TrackingStore } from '../store/tracking-store.js';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { decodeMessage, type Message } from './decode.js';

export interface ServerContext {
  store: TrackingStore;
  /** The proxied artifact repository, when the server serves artifacts. */
  artifacts?: ArtifactRepository;
  maxArtifactBytes: number;
}

export type Handler = (msg: Message, req: FastifyRequest) => Promise<unknown>;

export function endpoint(app: FastifyInstance, name: EndpointName, handler: Handler): void {
  const spec = endpointByName(name);
  for (const prefix of API_PREFIXES) {
    app.route({
      method: [...spec.methods],
      url: `${prefix}${spec.path}`,
      handler: async (req, reply) => {
        const msg = decodeMessage(
          spec,
          req.method,
          req.query,
          req.body,
          (req.params ?? {}) as Record<string, string>,
        );
        const out = await handler(msg, req);
        void reply.type('application/json');
        return out ?? {};
      },
    });
  }
}

/** Run endpoints accept `run_id` or the deprecated `run_uuid`. */
export function runIdOf(msg: Message): string {
  const id = (msg.run_id ?? msg.run_uuid) as string | undefined;
  if (id === undefined || id === '') {
    throw MlflowError.invalid(
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    );
  }
  return id;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
