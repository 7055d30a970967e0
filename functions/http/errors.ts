import {
  ConfigurationMissingError,
  ConflictError,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  RateLimitedError,
  StoreUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors.js';

/**
 * The one table from error class to HTTP status (docs/architecture.md#one-error-table). Only 4xx responses show the error's
 * message; anything unmapped is a 500 with a generic body, and the details go to the log.
 */
const STATUS_BY_ERROR: [new (...args: never[]) => Error, number][] = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [InvalidTransitionError, 409],
  [PreconditionFailedError, 412],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [RateLimitedError, 429],
  [ConfigurationMissingError, 503],
  [StoreUnavailableError, 503],
];

export interface ErrorBody {
  error: string;
  message: string;
  fields?: { field: string; message: string }[];
}

export function httpStatusOf(error: unknown): number {
  for (const [type, status] of STATUS_BY_ERROR) if (error instanceof type) return status;
  return 500;
}

export function errorBody(error: unknown): ErrorBody {
  const status = httpStatusOf(error);
  if (status >= 500 && !(error instanceof ConfigurationMissingError) && !(error instanceof StoreUnavailableError)) {
    return { error: 'InternalError', message: 'Something went wrong on our side. It has been logged.' };
  }
  const e = error as Error;
  return {
    error: e.name,
    message: e.message,
    ...(error instanceof ValidationError ? { fields: error.issues.map((i) => ({ field: i.field, message: i.message })) } : {}),
  };
}

export function errorHeaders(error: unknown): Record<string, string> {
  // Both say when to come back; a store outage is answered 503 + Retry-After on every route (RFC 9110 §10.2.3).
  return error instanceof RateLimitedError || error instanceof StoreUnavailableError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
}
