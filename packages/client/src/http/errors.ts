/**
 * Errors of the client. Server-side errors keep MLflow's `error_code` (they are `MlflowError`s from
 * @cauce/protocol); errors of the client itself (server unreachable, bad URI, bad argument) are
 * `ClientError`s with a stable code and a hint saying what to do.
 */
export type ClientErrorCode =
  /** The tracking server could not be reached (connection refused, DNS, timeout). */
  | 'UNREACHABLE'
  /** A `runs:/`, `models:/` or tracking URI is malformed or cannot be resolved. */
  | 'INVALID_URI'
  /** An argument is wrong (empty key, no active run …). */
  | 'INVALID_ARGUMENT'
  /** A local file or directory to upload / load is missing or unreadable. */
  | 'IO_ERROR';

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  readonly hint: string | undefined;

  constructor(code: ClientErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(hint ? `${message} (${hint})` : message, options);
    this.name = 'ClientError';
    this.code = code;
    this.hint = hint;
  }
}
