/** Who made a request, as the auth hook found out (absent when the server runs without --auth). */
import type { FastifyRequest } from 'fastify';

export interface AuthUser {
  id: number;
  username: string;
  isAdmin: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every authenticated request. */
    cauceUser?: AuthUser;
  }
}

export function currentUser(req: FastifyRequest): AuthUser | undefined {
  return req.cauceUser;
}
