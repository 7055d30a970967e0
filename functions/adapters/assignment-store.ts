import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors.js';
import type { AssignmentStore } from '../core/ports.js';
import { casePutIfVersion, historyPuts } from './case-repository.js';
import type { TableRef } from './dynamo.js';
import { transactionCancellationCodes } from './dynamo.js';
import { agentStateKey } from './keys.js';

/**
 * Assignment as one transaction: the case moves to its new owner only if it is still at the
 * version the decision was made on, and the agent's load for the channel goes up only if the agent
 * is online with spare capacity. Under any concurrency, capacity is never exceeded and a case is
 * never claimed twice.
 */
export function makeAssignmentStore({ client, tableName }: TableRef): AssignmentStore {
  return {
    async claim({ next, expectedVersion, agentId, channel, capacity, at, events, decisions }) {
      const written = { ...next, version: expectedVersion + 1 };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              casePutIfVersion(tableName, written, expectedVersion),
              {
                Update: {
                  TableName: tableName,
                  Key: agentStateKey(agentId),
                  UpdateExpression: 'SET lastAssignedAt = :at ADD #load.#channel :one, #version :one',
                  ConditionExpression: 'presence = :online AND #load.#channel < :capacity',
                  ExpressionAttributeNames: { '#load': 'load', '#channel': channel, '#version': 'version' },
                  ExpressionAttributeValues: { ':at': at, ':one': 1, ':online': 'online', ':capacity': capacity },
                },
              },
              ...historyPuts(tableName, events, decisions),
            ],
          }),
        );
        return { claimed: true, case: written };
      } catch (error) {
        const codes = transactionCancellationCodes(error);
        if (!codes) throw error;
        if (codes[0] === 'ConditionalCheckFailed') return { claimed: false, reason: 'case_changed' };
        if (codes[1] === 'ConditionalCheckFailed') return { claimed: false, reason: 'agent_unavailable' };
        throw error;
      }
    },

    async release({ next, expectedVersion, agentId, channel, events }) {
      const written = { ...next, version: expectedVersion + 1 };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              casePutIfVersion(tableName, written, expectedVersion),
              {
                Update: {
                  TableName: tableName,
                  Key: agentStateKey(agentId),
                  UpdateExpression: 'ADD #load.#channel :minusOne, #version :one',
                  // Never below zero, whatever order releases arrive in.
                  ConditionExpression: '#load.#channel > :zero',
                  ExpressionAttributeNames: { '#load': 'load', '#channel': channel, '#version': 'version' },
                  ExpressionAttributeValues: { ':minusOne': -1, ':one': 1, ':zero': 0 },
                },
              },
              ...historyPuts(tableName, events),
            ],
          }),
        );
      } catch (error) {
        const codes = transactionCancellationCodes(error);
        if (codes?.[0] === 'ConditionalCheckFailed') throw new ConflictError(`case ${next.caseId} changed since version ${expectedVersion}`);
        throw error;
      }
      return written;
    },
  };
}
