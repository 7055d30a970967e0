import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SubmissionClaim, SubmissionClaims } from '../core/ports/submissions.js';
import type { TableRef } from './dynamo.js';
import { idempotencyKey } from './keys.js';

/**
 * Submission keys as claim records in the table (the idempotency item, `IDEMP#<scope>#<key>`):
 *
 * | state   | written by                         | holds until            | a later attempt sees |
 * |---------|------------------------------------|------------------------|----------------------|
 * | pending | claim (conditional put)            | now + lease            | wait and ask again   |
 * | refused | refuse, by the claim's holder      | a minute at most       | 429, no budget spent |
 * | done    | the case transaction, settleDecoy  | the dedupe window end  | the same answer      |
 *
 * A claim succeeds when there is no record or its `holdUntil` has passed; the condition checks it,
 * so a lapsed record frees the key at once, whenever TTL gets round to deleting it. A record from
 * before claims (a `caseId` and no `holdUntil`) is a done one that never lapses.
 *
 * Cost: a replay is one consistent read; a first attempt one read and one conditional write, the
 * case (or decoy) itself then overwrites the claim.
 */
export function makeSubmissionClaims({ client, tableName }: TableRef): SubmissionClaims {
  const owned = { ConditionExpression: 'claimToken = :token' };

  async function read(scope: string, key: string): Promise<Record<string, unknown> | undefined> {
    const res = await client.send(new GetCommand({ TableName: tableName, Key: idempotencyKey(scope, key), ConsistentRead: true }));
    return res.Item;
  }

  function stateOf(item: Record<string, unknown>, nowMs: number): SubmissionClaim | undefined {
    const holdUntil = typeof item.holdUntil === 'number' ? item.holdUntil : undefined;
    const caseId = typeof item.caseId === 'string' ? item.caseId : undefined;
    if (holdUntil === undefined) return caseId ? { state: 'done', caseId, decoy: false } : undefined;
    if (holdUntil <= nowMs) return undefined;
    if (item.state === 'done' && caseId) {
      return { state: 'done', caseId, decoy: item.decoy === true, ...(typeof item.caseNumber === 'string' ? { caseNumber: item.caseNumber } : {}) };
    }
    if (item.state === 'refused') return { state: 'refused', retryAt: typeof item.retryAt === 'number' ? item.retryAt : holdUntil };
    return { state: 'pending' };
  }

  return {
    async claim(scope, key, attempt) {
      const nowMs = attempt.now.getTime();
      const existing = await read(scope, key);
      const held = existing && stateOf(existing, nowMs);
      if (held) return held;
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...idempotencyKey(scope, key),
              entity: 'idempotency',
              state: 'pending',
              claimToken: attempt.token,
              holdUntil: nowMs + attempt.leaseMs,
              expiresAt: attempt.expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR holdUntil <= :now',
            ExpressionAttributeValues: { ':now': nowMs },
          }),
        );
        return { state: 'claimed' };
      } catch (error) {
        // A twin claimed it between the read and the write: it is pending (or already done); ask again.
        if (error instanceof ConditionalCheckFailedException) return { state: 'pending' };
        throw error;
      }
    },

    async refuse(scope, key, token, refusal) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...idempotencyKey(scope, key), entity: 'idempotency', state: 'refused', claimToken: token, ...refusal },
            ...owned,
            ExpressionAttributeValues: { ':token': token },
          }),
        );
      } catch (error) {
        // The lease lapsed and another attempt holds the key now: its outcome stands.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async release(scope, key, token) {
      try {
        await client.send(
          new DeleteCommand({ TableName: tableName, Key: idempotencyKey(scope, key), ...owned, ExpressionAttributeValues: { ':token': token } }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async settleDecoy(scope, key, token, decoy) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...idempotencyKey(scope, key),
              entity: 'idempotency',
              state: 'done',
              decoy: true,
              caseId: decoy.caseId,
              caseNumber: decoy.caseNumber,
              claimToken: token,
              holdUntil: decoy.holdUntil,
              expiresAt: decoy.expiresAt,
            },
            ...owned,
            ExpressionAttributeValues: { ':token': token },
          }),
        );
      } catch (error) {
        // The lease lapsed and another attempt took the key: the decoy answer still goes out, unrecorded.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
