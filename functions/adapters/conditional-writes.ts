/**
 * Conditional writes, once: what a failed condition or a cancelled transaction means
 * (a ConflictError for a version check, "already there" for a create), and the retry of a
 * transaction DynamoDB cancelled only because another one touched the same item at the same moment.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors.js';
import { isConditionFailure, transactionCancellationCodes } from './dynamo.js';

export type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

const CONDITION_FAILED = 'ConditionalCheckFailed';
const TRANSACTION_CONFLICT = 'TransactionConflict';

/**
 * True when the write failed because a condition did not hold: a single conditional write, or a
 * transaction cancelled with a failed condition on item `position` (on any item when omitted).
 */
export function conditionFailed(error: unknown, position?: number): boolean {
  const codes = transactionCancellationCodes(error);
  if (!codes) return isConditionFailure(error);
  return position === undefined ? codes.includes(CONDITION_FAILED) : codes[position] === CONDITION_FAILED;
}

/**
 * Runs a write whose item `position` (the first by default: the versioned case put) carries an
 * optimistic-concurrency condition; that condition failing becomes a ConflictError (HTTP 409)
 * with `message`. Any other failure stays what it is.
 */
export async function conflictOnFailedCondition<T>(write: () => Promise<T>, message: string, position: number | undefined = 0): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (conditionFailed(error, position)) throw new ConflictError(message);
    throw error;
  }
}

/** True when DynamoDB cancelled a transaction only for a concurrent one: nothing was checked or written. */
export function cancelledForContention(error: unknown): boolean {
  const codes = transactionCancellationCodes(error);
  return !!codes && codes.includes(TRANSACTION_CONFLICT) && !codes.includes(CONDITION_FAILED);
}

/** A pause of about `baseMs × 2^retry`, jittered so that twins do not collide again. */
export const backoff = (retry: number, baseMs = 10) => new Promise((resolve) => setTimeout(resolve, baseMs * 2 ** retry * (0.5 + Math.random())));

/**
 * One transaction, tried again (up to `attempts` tries in all) while DynamoDB cancels it only for
 * contention (TransactionConflict: DynamoDB Local serialises transactions and never does).
 */
export async function transactWithRetry(client: DynamoDBDocumentClient, items: TransactItems, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!cancelledForContention(error) || attempt >= attempts) throw error;
      await backoff(attempt);
    }
  }
}

export type CreateOutcome = { created: true } | { created: false; existingId: string };

/**
 * A create guarded by a uniqueness record (an idempotency key, a dedupe record) in the same
 * transaction. When `lostTheKey` says the cancellation came from that record's condition, the
 * create is a duplicate of whatever `existing` finds. When twins collide at the same instant,
 * DynamoDB cancels one with TransactionConflict instead (no condition checked): up to
 * `contentionRetries` times, after a jittered pause, the winner's record is looked for and, if it
 * is not there yet, the create is tried again. Anything else is thrown as it is.
 */
export async function createOnce(options: {
  write: () => Promise<void>;
  lostTheKey: (cancellationCodes: string[]) => boolean;
  existing: () => Promise<string | undefined>;
  contentionRetries?: number;
}): Promise<CreateOutcome> {
  const retries = options.contentionRetries ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await options.write();
      return { created: true };
    } catch (error) {
      const codes = transactionCancellationCodes(error);
      if (!codes) throw error;
      if (options.lostTheKey(codes)) {
        const existingId = await options.existing();
        if (existingId) return { created: false, existingId };
        throw error;
      }
      if (!codes.includes(TRANSACTION_CONFLICT) || attempt >= retries) throw error;
      await backoff(attempt + 1);
      const existingId = await options.existing();
      if (existingId) return { created: false, existingId };
    }
  }
}

/** True when item `position` of a cancelled transaction failed its condition. */
export const failedAt = (codes: readonly string[], position: number) => codes[position] === CONDITION_FAILED;
/** True when any of the items from `from` on failed its condition. */
export const failedFrom = (codes: readonly string[], from: number) => codes.slice(from).includes(CONDITION_FAILED);
/** True when item `position` failed its condition or was contended. */
export const lostAt = (codes: readonly string[], position: number) => codes[position] === CONDITION_FAILED || codes[position] === TRANSACTION_CONFLICT;
