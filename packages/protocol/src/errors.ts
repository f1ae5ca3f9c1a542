/**
 * MLflow's error codes and the HTTP status each maps to. The mapping follows
 * `ERROR_CODE_TO_HTTP_STATUS` in mlflow/mlflow `mlflow/exceptions.py`; note that
 * RESOURCE_ALREADY_EXISTS is 400 there, not 409. Codes absent from the map are served as 500.
 */
export const ERROR_CODE_TO_HTTP_STATUS = {
  BAD_REQUEST: 400,
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  MALFORMED_REQUEST: 400,
  INVALID_STATE: 500,
  UNAUTHENTICATED: 401,
  CUSTOMER_UNAUTHORIZED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL_ERROR: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODE_TO_HTTP_STATUS;

/** The JSON body of every MLflow error response. */
export interface ErrorBody {
  error_code: string;
  message: string;
}

export function httpStatusForErrorCode(code: string): number {
  return (ERROR_CODE_TO_HTTP_STATUS as Record<string, number>)[code] ?? 500;
}

/**
 * An error in MLflow's shape. The server throws it and turns it into `{error_code, message}`;
 * the HTTP client raises it when a server answers with an error body.
 */
export class MlflowError extends Error {
  readonly httpStatus: number;
  constructor(
    readonly errorCode: ErrorCode | (string & {}),
    message: string,
    httpStatus?: number,
  ) {
    super(message);
    this.name = 'MlflowError';
    this.httpStatus = httpStatus ?? httpStatusForErrorCode(errorCode);
  }

  toJSON(): ErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }

  static invalid(message: string): MlflowError {
    return new MlflowError('INVALID_PARAMETER_VALUE', message);
  }

  static notFound(message: string): MlflowError {
    return new MlflowError('RESOURCE_DOES_NOT_EXIST', message);
  }

  static exists(message: string): MlflowError {
    return new MlflowError('RESOURCE_ALREADY_EXISTS', message);
  }
}

export function isErrorBody(x: unknown): x is ErrorBody {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as ErrorBody).error_code === 'string' &&
    typeof (x as ErrorBody).message === 'string'
  );
}
