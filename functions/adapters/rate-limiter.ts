import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../core/ports/submissions.js';
import type { TableRef } from './dynamo.js';
import { rateLimitKey } from './keys.js';

/**
 * A token bucket in the table, kept as GCRA (the generic cell rate algorithm): one item per key
 * holding `tat`, the instant at which the bucket would be full again. With `limit` hits per window,
 * each hit is worth `interval = window / limit` of budget; a hit is allowed while the schedule runs
 * at most `window - interval` ahead of now, so `limit` may come at once and then one per interval,
 * and no span of time, wherever it starts, lets more through than the budget refilled in it. (A fixed
 * window let twice the limit through across its boundary.)
 *
 * Each hit is conditional writes, no read and no lock, shared by every Lambda instance:
 * - idle bucket (`tat` absent or past): SET tat = now + interval, if tat <= now (or if tat lies more
 *   than a window ahead, which no hit on this clock can have written: a skewed clock);
 * - busy bucket: SET tat = tat + interval, if now < tat <= now + window - interval (atomic, so
 *   concurrent hits never overspend).
 * The idle write is tried first (the usual case: an address's first submission in a while); when it
 * fails, the item's `tat` comes back with the failure and says whether the busy write can succeed or
 * the hit is refused. Cost per hit: 1 write when idle or refused, 2 when busy; a refused hit spends
 * no budget. The item expires (TTL) once the bucket is full again.
 */
const MAX_ATTEMPTS = 4;

export function makeRateLimiter({ client, tableName }: TableRef): RateLimiter {
  /** The stored `tat` from a failed condition (returned with it), else read. */
  async function currentTat(error: ConditionalCheckFailedException, key: Record<string, string>): Promise<number | undefined> {
    const item = error.Item as Record<string, { N?: string } | number | undefined> | undefined;
    const raw = item?.tat;
    if (typeof raw === 'number') return raw;
    if (raw && typeof raw === 'object' && raw.N !== undefined) return Number(raw.N);
    const res = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return typeof res.Item?.tat === 'number' ? res.Item.tat : undefined;
  }

  return {
    async hit(scope, key, limit, windowSeconds, now) {
      const windowMs = windowSeconds * 1000;
      if (limit <= 0) return { allowed: false, retryAfterSeconds: windowSeconds };
      // Whole milliseconds keep the arithmetic exact; `limit` still fit at once (limit × ⌊window/limit⌋ ≤ window).
      const interval = Math.max(1, Math.floor(windowMs / limit));
      const tolerance = windowMs - interval;
      const t = now.getTime();
      const itemKey = rateLimitKey(scope, key);
      // The bucket is full again by now + window at the latest; TTL may delete it after that.
      const expiresAt = Math.ceil((t + windowMs) / 1000) + 60;
      const refused = (tat: number) => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((tat - t - tolerance) / 1000)) });

      let busy = false;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: itemKey,
              ...(busy
                ? {
                    UpdateExpression: 'SET tat = tat + :interval, expiresAt = :expires',
                    ConditionExpression: 'tat > :now AND tat <= :latest',
                    ExpressionAttributeValues: { ':interval': interval, ':now': t, ':latest': t + tolerance, ':expires': expiresAt },
                  }
                : {
                    UpdateExpression: 'SET tat = :next, expiresAt = :expires',
                    // A schedule more than a window ahead cannot come from this clock (each hit pushes it
                    // at most to now + window): the writer's clock ran ahead, or this one went back.
                    // Counting it as idle stops one skewed clock from locking a client out.
                    ConditionExpression: 'attribute_not_exists(tat) OR tat <= :now OR tat > :horizon',
                    ExpressionAttributeValues: { ':next': t + interval, ':now': t, ':horizon': t + windowMs, ':expires': expiresAt },
                  }),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          return { allowed: true, retryAfterSeconds: 0 };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          const tat = await currentTat(error, itemKey);
          if (tat === undefined || tat <= t) busy = false;
          else if (tat > t + tolerance) return refused(tat);
          else busy = true;
        }
      }
      // Lost every race to concurrent hits on the same key: treat it as busy and let the caller retry.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(interval / 1000)) };
    },
  };
}
