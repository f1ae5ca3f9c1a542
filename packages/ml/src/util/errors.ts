/**
 * The one error class of the ML library. `code` is stable (callers and tests branch on it); the message
 * names the stage, the param or column and the bad value, and says how to fix it.
 */
export type MLErrorCode =
  /** A param value is out of range, of the wrong type, or params contradict each other. */
  | 'INVALID_PARAM'
  /** A column is missing, has the wrong type, or an output column already exists. */
  | 'SCHEMA_MISMATCH'
  /** A model or stage was used before it was fitted / configured. */
  | 'NOT_FITTED'
  /** The data itself is unusable: a null/NaN where handleInvalid='error', an unseen label, an empty frame. */
  | 'INVALID_DATA'
  /** A saved stage could not be read: missing or corrupt file, unknown class. */
  | 'LOAD_ERROR'
  /** A saved stage was written by a newer format version than this library reads. */
  | 'UNSUPPORTED_VERSION'
  /** Saving failed: the target exists (without overwrite) or the stage is not registered. */
  | 'SAVE_ERROR';

export interface MLErrorDetails {
  /** uid or class of the stage that raised the error. */
  stage?: string;
  param?: string;
  column?: string;
  /** One line telling the user what to do about it. */
  hint?: string;
}

export class MLError extends Error {
  readonly code: MLErrorCode;
  readonly stage: string | undefined;
  readonly param: string | undefined;
  readonly column: string | undefined;
  readonly hint: string | undefined;

  constructor(
    code: MLErrorCode,
    message: string,
    details: MLErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(details.hint ? `${message} (${details.hint})` : message, options);
    this.name = 'MLError';
    this.code = code;
    this.stage = details.stage;
    this.param = details.param;
    this.column = details.column;
    this.hint = details.hint;
  }
}

/** Formats a value for an error message: short, unambiguous (strings quoted, arrays abbreviated). */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === undefined) return 'undefined';
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const arr = Array.from(v as ArrayLike<unknown>);
    const shown = arr.slice(0, 8).map(showValue).join(', ');
    return `[${shown}${arr.length > 8 ? `, … (${arr.length} items)` : ''}]`;
  }
  // Stages and other Params show as their uid, not as a dump of their fields.
  if (v !== null && typeof v === 'object' && typeof (v as { uid?: unknown }).uid === 'string') {
    return (v as { uid: string }).uid;
  }
  try {
    const s = JSON.stringify(v);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(v);
  }
}
