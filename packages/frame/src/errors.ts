/** Stable error codes, so callers (and the ML library's messages) can branch on them. */
export type FrameErrorCode = 'COLUMN_NOT_FOUND' | 'SCHEMA_MISMATCH' | 'INVALID_ARGUMENT' | 'TYPE_MISMATCH';

/** Every error the frame package throws: a stable `code` and a message that says what to do. */
export class FrameError extends Error {
  readonly code: FrameErrorCode;
  constructor(code: FrameErrorCode, message: string) {
    super(message);
    this.name = 'FrameError';
    this.code = code;
  }
}
