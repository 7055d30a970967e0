/**
 * Domain errors. Each is a class ending in `Error`; functions/http/errors.ts maps them to
 * HTTP statuses in one table. Only 4xx errors show their message to callers.
 */
export interface FieldIssue {
  /** Dotted path of the field at fault, e.g. `email` or `territories.2.match.countries`. */
  readonly field: string;
  readonly message: string;
}

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`Invalid input: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** A status change that the case's status machine does not allow. */
export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`A case cannot move from ${from} to ${to}`);
  }
}

/** A write lost an optimistic-concurrency race (stale version, If-Match mismatch). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The caller's If-Match names a version that is no longer current: re-read, then write again. */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
}

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A stored routing configuration is missing: nothing can be routed until an admin applies one. */
export class ConfigurationMissingError extends Error {
  override readonly name = 'ConfigurationMissingError';
}

/** What a caller is asked to wait while the store is unreachable (a local emulator restart takes about this long). */
export const STORE_RETRY_AFTER_SECONDS = 10;

/**
 * The case store cannot be reached right now: connections refused or reset, timeouts, the store's
 * own 5xx and throttling after the SDK's retries. Transient by nature: callers are told to come back
 * (HTTP 503 with Retry-After, SMTP 451), and workflow steps retry it. The message is safe to show;
 * what actually failed is kept as the `cause`, for the logs.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly retryAfterSeconds = STORE_RETRY_AFTER_SECONDS,
    options?: ErrorOptions,
  ) {
    super(`The case store is unavailable right now; try again in ${retryAfterSeconds} seconds.`, options);
  }
}
