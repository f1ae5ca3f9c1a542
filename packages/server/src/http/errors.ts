/**
 * The one error handler: every failure leaves as MLflow's `{error_code, message}` with MLflow's HTTP
 * status. Our own `MlflowError`s pass through; Fastify's client errors (bad JSON, body too large, bad
 * URL) become 400s; anything else is a bug — logged, answered INTERNAL_ERROR 500 without internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MlflowError } from '@cauce/protocol';

export function toMlflowError(err: unknown): { error: MlflowError; internal: boolean } {
  if (err instanceof MlflowError) return { error: err, internal: false };
  const fe = err as Partial<FastifyError> & { status?: number };
  const status = fe.statusCode ?? fe.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return { error: MlflowError.invalid(`Request body too large: ${fe.message ?? ''}`), internal: false };
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return {
        error: new MlflowError('MALFORMED_REQUEST', `Malformed request body: ${fe.message ?? ''}`, 400),
        internal: false,
      };
    }
    return { error: new MlflowError('BAD_REQUEST', fe.message ?? 'Bad request', 400), internal: false };
  }
  // PostgreSQL "data exception" class (SQLSTATE 22xxx): a value the database cannot hold, e.g. a NUL
  // character in text (22021) or a number out of range (22003). The caller sent it, so it is a 400.
  if (typeof fe.code === 'string' && /^22[0-9A-Z]{3}$/.test(fe.code)) {
    return {
      error: MlflowError.invalid(`The database refused a value of this request: ${fe.message ?? fe.code}`),
      internal: false,
    };
  }
  return {
    error: new MlflowError('INTERNAL_ERROR', 'Internal server error; see the server log for details.'),
    internal: true,
  };
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { error, internal } = toMlflowError(err);
  if (internal) req.log.error({ err }, 'unhandled error');
  void reply.status(error.httpStatus).type('application/json').send(error.toJSON());
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  const path = (req.raw.url ?? '').split('?')[0]!.slice(0, 300);
  void reply
    .status(404)
    .type('application/json')
    .send({ error_code: 'ENDPOINT_NOT_FOUND', message: `No API endpoint found for ${req.method} ${path}.` });
}
