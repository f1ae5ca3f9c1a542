/** Stable codes for data-layer errors; the CLI maps them to user messages with hints. */
export type DataErrorCode =
  | 'FILE_NOT_FOUND'
  | 'UNSUPPORTED_FORMAT'
  | 'MALFORMED_INPUT'
  | 'CAST_FAILED'
  | 'SQL_ERROR'
  | 'HTTP_ERROR'
  | 'BAD_RESPONSE'
  | 'INVALID_ARGUMENT';

/** Every error the data package throws on bad input: a code, a message naming the culprit, and a hint. */
export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly hint: string | undefined;
  constructor(code: DataErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'DataError';
    this.code = code;
    this.hint = hint;
  }
}
