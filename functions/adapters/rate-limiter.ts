import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../core/ports.js';
import type { TableRef } from './dynamo.js';
import { rateLimitKey } from './keys.js';

/**
 * Fixed-window counters in the table: one atomic ADD per hit, expired by TTL. Shared by every
 * Lambda instance, unlike an in-memory limiter, so a bot cannot spread its hits across instances.
 */
export function makeRateLimiter({ client, tableName }: TableRef): RateLimiter {
  return {
    async hit(scope, key, limit, windowSeconds, now) {
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const windowStart = nowSeconds - (nowSeconds % windowSeconds);
      const res = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: rateLimitKey(scope, key, windowStart),
          UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ExpressionAttributeValues: { ':one': 1, ':expires': windowStart + windowSeconds * 2 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const hits = Number(res.Attributes?.hits ?? 1);
      return { allowed: hits <= limit, retryAfterSeconds: windowStart + windowSeconds - nowSeconds };
    },
  };
}
