import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailableError } from '../core/errors.js';
import { isStorageAttribute } from './keys.js';

export interface TableRef {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** One document client per process; `endpoint` points at DynamoDB Local when set. */
export function makeDocumentClient(options: { endpoint?: string; region?: string } = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          region: options.region ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : options.region
        ? { region: options.region }
        : {}),
    maxAttempts: 5,
  });
  // Outermost, so it sees what is left once the SDK's own retries are spent: every repository then
  // reports an unreachable store as one error class, which HTTP answers 503 + Retry-After, SMTP 451,
  // and the workflow retries.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw isStoreUnreachable(error) ? new StoreUnavailableError(undefined, { cause: error }) : error;
      }
    },
    { step: 'initialize', name: 'caseflowStoreUnavailable', priority: 'high' },
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/** Socket-level failures: nothing reached the store, or its answer never came back. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** Errors by name that mean "not now": timeouts, the service's own failures, throttling. */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);
/** Cancellation codes of a transaction that failed for capacity, not for a condition. */
const UNAVAILABLE_CANCELLATIONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

/**
 * True when a DynamoDB call failed because the store could not serve it (after the SDK's retries),
 * not because of what was asked: refused or reset connections, timeouts, HTTP 5xx, throttling, a
 * transaction cancelled only for throttling. Conditional-check failures, validation errors and
 * missing tables are answers, and stay what they are.
 */
export function isStoreUnreachable(error: unknown): boolean {
  if (!error || typeof error !== 'object' || error instanceof StoreUnavailableError) return false;
  const e = error as { name?: string; code?: string; errno?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (e.code && UNREACHABLE_CODES.has(e.code)) return true;
  if (e.errno && UNREACHABLE_CODES.has(e.errno)) return true;
  if (e.name && UNAVAILABLE_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  const codes = transactionCancellationCodes(error)?.filter((c) => c !== 'None');
  if (codes && codes.length > 0 && codes.every((c) => UNAVAILABLE_CANCELLATIONS.has(c))) return true;
  // Node wraps some socket failures (AggregateError of each address tried, fetch-style `cause`).
  if (error instanceof AggregateError) return error.errors.some(isStoreUnreachable);
  return e.cause !== undefined && e.cause !== error && isStoreUnreachable(e.cause);
}

/** True when a write failed only because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * For a cancelled transaction, the cancellation code of each item in order
 * (`ConditionalCheckFailed`, `None`, ...), or undefined when the error is something else.
 */
export function transactionCancellationCodes(error: unknown): string[] | undefined {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e?.name !== 'TransactionCanceledException') return undefined;
  return (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

/** Drops key and index attributes, leaving the domain object as it was written. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (isStorageAttribute(k)) continue;
    out[k] = v;
  }
  return out as T;
}
