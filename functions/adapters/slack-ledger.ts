import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './dynamo.js';
import { idempotencyKey } from './keys.js';

/**
 * What the Slack routes remember (idempotency items, `IDEMP#<scope>#<key>`, expiring by TTL):
 *
 * - every signature accepted (`slack-request`), for longer than the five minutes a timestamp is
 *   accepted: the same signed request a second time is a replay and is refused;
 * - every event handled (`slack-event`, by Slack's `event_id`): Slack retries an event it got no
 *   answer to within three seconds (`X-Slack-Retry-Num`), and a retry must not add the note twice.
 *   An event is claimed before it is handled (with a lease, so a handler that died frees it) and
 *   marked done after; a retry of a done or still-running event is acknowledged and dropped.
 */
export type EventClaim = 'claimed' | 'done' | 'pending';

export interface SlackLedger {
  /** First use of this signature: true; seen before: false. */
  firstUse(signature: string, now: Date): Promise<boolean>;
  claimEvent(eventId: string, token: string, now: Date): Promise<EventClaim>;
  completeEvent(eventId: string, token: string): Promise<void>;
  /** The handler failed: a retry may take the event again. */
  releaseEvent(eventId: string, token: string): Promise<void>;
}

/** A signature is remembered for twice the replay window (a timestamp five minutes ahead, then five behind). */
export const SIGNATURE_MEMORY_SECONDS = 10 * 60 + 60;
/** Slack retries an event three times over about an hour and a half; remembered for a day. */
export const EVENT_MEMORY_SECONDS = 24 * 3600;
/** A claimed event that is neither done nor released within this is free again. */
export const EVENT_LEASE_MS = 60_000;

export function makeSlackLedger({ client, tableName }: TableRef): SlackLedger {
  return {
    async firstUse(signature, now) {
      const nowSeconds = Math.floor(now.getTime() / 1000);
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...idempotencyKey('slack-request', signature), entity: 'slack-request', expiresAt: nowSeconds + SIGNATURE_MEMORY_SECONDS },
            // An item TTL has not deleted yet but whose time is up counts as gone.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async claimEvent(eventId, token, now) {
      const nowMs = now.getTime();
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...idempotencyKey('slack-event', eventId),
              entity: 'slack-event',
              state: 'pending',
              claimToken: token,
              holdUntil: nowMs + EVENT_LEASE_MS,
              expiresAt: Math.floor(nowMs / 1000) + EVENT_MEMORY_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND holdUntil <= :now)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':pending': 'pending', ':now': nowMs },
          }),
        );
        return 'claimed';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const res = await client.send(new GetCommand({ TableName: tableName, Key: idempotencyKey('slack-event', eventId), ConsistentRead: true }));
        return res.Item?.state === 'done' ? 'done' : 'pending';
      }
    },

    async completeEvent(eventId, token) {
      await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: idempotencyKey('slack-event', eventId),
            UpdateExpression: 'SET #state = :done REMOVE holdUntil',
            ConditionExpression: 'claimToken = :token',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':done': 'done', ':token': token },
          }),
        )
        .catch((error: unknown) => {
          // Someone else took it after our lease ran out; what we did is done either way.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    },

    async releaseEvent(eventId, token) {
      // Released by letting the lease lapse now, not by deleting: no role is granted DeleteItem.
      await client
        .send(
          new UpdateCommand({
            TableName: tableName,
            Key: idempotencyKey('slack-event', eventId),
            UpdateExpression: 'SET holdUntil = :zero',
            ConditionExpression: 'claimToken = :token AND #state = :pending',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':zero': 0, ':token': token, ':pending': 'pending' },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    },
  };
}
