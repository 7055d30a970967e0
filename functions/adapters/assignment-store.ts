import type { AssignmentStore, ClaimResult } from '../core/ports/repositories.js';
import { casePutIfVersion, historyPuts, nextVersion } from './case-repository.js';
import type { TransactItems } from './conditional-writes.js';
import { conflictOnFailedCondition, failedAt, lostAt, transactWithRetry } from './conditional-writes.js';
import type { TableRef } from './dynamo.js';
import { transactionCancellationCodes } from './dynamo.js';
import { agentStateKey } from './keys.js';

/**
 * Assignment as one transaction: the case moves to its new owner only if it is still at the
 * version the decision was made on, and the agent's load for the channel goes up only if the agent
 * is online with spare capacity. Under any concurrency, capacity is never exceeded and a case is
 * never claimed twice.
 */
/** Attempts at a transaction that keeps colliding with concurrent ones on the same agent. */
const CONFLICT_ATTEMPTS = 5;

/** Reserves one unit of the agent's capacity on a channel, if they are online with room. */
function reserveCapacity(tableName: string, agentId: string, channel: string, capacity: number, at: string) {
  return {
    Update: {
      TableName: tableName,
      Key: agentStateKey(agentId),
      UpdateExpression: 'SET lastAssignedAt = :at ADD #load.#channel :one, #version :one',
      ConditionExpression: 'presence = :online AND #load.#channel < :capacity',
      ExpressionAttributeNames: { '#load': 'load', '#channel': channel, '#version': 'version' },
      ExpressionAttributeValues: { ':at': at, ':one': 1, ':online': 'online', ':capacity': capacity },
    },
  };
}

/** Gives one unit back; never below zero, whatever order releases arrive in. */
function giveBackCapacity(tableName: string, agentId: string, channel: string) {
  return {
    Update: {
      TableName: tableName,
      Key: agentStateKey(agentId),
      UpdateExpression: 'ADD #load.#channel :minusOne, #version :one',
      ConditionExpression: '#load.#channel > :zero',
      ExpressionAttributeNames: { '#load': 'load', '#channel': channel, '#version': 'version' },
      ExpressionAttributeValues: { ':minusOne': -1, ':one': 1, ':zero': 0 },
    },
  };
}

/**
 * A cancelled [case put, capacity reservation, ...] transaction as a lost race: the case moved, or
 * the agent could not take it (a failed condition, or still contended after every retry).
 */
function lostRace(codes: string[]): ClaimResult | undefined {
  if (lostAt(codes, 0)) return { claimed: false, reason: 'case_changed' };
  if (lostAt(codes, 1)) return { claimed: false, reason: 'agent_unavailable' };
  return undefined;
}

export function makeAssignmentStore({ client, tableName }: TableRef): AssignmentStore {
  /**
   * Every claim and release for an agent updates the same agent item, so under load DynamoDB
   * cancels some of them with TransactionConflict (nothing was checked, nothing written; DynamoDB
   * Local serialises transactions and never does). Such a transaction is simply tried again.
   */
  const transact = (items: TransactItems) => transactWithRetry(client, items, CONFLICT_ATTEMPTS);

  return {
    async claim({ next, expectedVersion, agentId, channel, capacity, at, events, decisions }) {
      const written = nextVersion(next, expectedVersion);
      try {
        await transact([
          casePutIfVersion(tableName, written, expectedVersion),
          reserveCapacity(tableName, agentId, channel, capacity, at),
          ...historyPuts(tableName, events, decisions),
        ]);
        return { claimed: true, case: written };
      } catch (error) {
        const codes = transactionCancellationCodes(error);
        const lost = codes ? lostRace(codes) : undefined;
        if (lost) return lost;
        throw error;
      }
    },

    async transfer({ next, expectedVersion, fromAgentId, toAgentId, channel, capacity, at, events }) {
      const written = nextVersion(next, expectedVersion);
      const claimNew = reserveCapacity(tableName, toAgentId, channel, capacity, at);
      const attempt = async (withRelease: boolean) => {
        await transact([
          casePutIfVersion(tableName, written, expectedVersion),
          claimNew,
          ...(withRelease && fromAgentId ? [giveBackCapacity(tableName, fromAgentId, channel)] : []),
          ...historyPuts(tableName, events),
        ]);
      };
      try {
        await attempt(true);
        return { claimed: true, case: written };
      } catch (error) {
        const codes = transactionCancellationCodes(error);
        if (!codes) throw error;
        const lost = lostRace(codes);
        if (lost) return lost;
        // The old owner holds nothing on this channel (a case written before capacity was tracked,
        // or a release that already happened): move the case and claim for the new owner all the same.
        if (!failedAt(codes, 2)) throw error;
        try {
          await attempt(false);
          return { claimed: true, case: written };
        } catch (retryError) {
          const retryCodes = transactionCancellationCodes(retryError);
          const retryLost = retryCodes ? lostRace(retryCodes) : undefined;
          if (retryLost) return retryLost;
          throw retryError;
        }
      }
    },

    async release({ next, expectedVersion, agentId, channel, events }) {
      const written = nextVersion(next, expectedVersion);
      const casePut = casePutIfVersion(tableName, written, expectedVersion);
      const giveBack = giveBackCapacity(tableName, agentId, channel);
      const conflict = `case ${next.caseId} changed since version ${expectedVersion}`;
      try {
        await conflictOnFailedCondition(() => transact([casePut, giveBack, ...historyPuts(tableName, events)]), conflict);
      } catch (error) {
        const codes = transactionCancellationCodes(error);
        if (!codes || !failedAt(codes, 1)) throw error;
        // The agent holds nothing on this channel (load already zero, or no live state at all):
        // there is nothing to give back, but the case must still be closed or reassigned.
        await conflictOnFailedCondition(() => transact([casePut, ...historyPuts(tableName, events)]), conflict);
      }
      return written;
    },
  };
}
