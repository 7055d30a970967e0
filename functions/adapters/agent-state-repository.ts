import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AgentState } from '../core/agent-state.js';
import { emptyLoad } from '../core/agent-state.js';
import type { AgentStateRepository } from '../core/ports/repositories.js';
import type { TableRef } from './dynamo.js';
import { isConditionFailure, queryItems, stripKeys } from './dynamo.js';
import { ABSENT_DUE_KIND, absentAgentIndexKeys, agentStateKey, duePartition, dueUpTo } from './keys.js';

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;

function normalise(state: AgentState): AgentState {
  return { ...state, load: { ...emptyLoad(), ...state.load } };
}

export function makeAgentStateRepository({ client, tableName }: TableRef): AgentStateRepository {
  return {
    async get(agentId) {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: agentStateKey(agentId), ConsistentRead: true }));
      return res.Item ? normalise(stripKeys<AgentState>(res.Item)) : undefined;
    },

    async getMany(agentIds) {
      const found = new Map<string, AgentState>();
      const unique = [...new Set(agentIds)];
      for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
        let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_LIMIT).map(agentStateKey);
        // Unprocessed keys come back under throttling; ask again until every key is read.
        for (let attempt = 0; keys && keys.length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
          const res = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
          for (const item of res.Responses?.[tableName] ?? []) {
            const state = normalise(stripKeys<AgentState>(item));
            found.set(state.agentId, state);
          }
          keys = res.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
        }
      }
      return found;
    },

    async setPresence(agentId, presence, at) {
      // presenceSince records when the current presence began, so only a real change moves it;
      // load per channel starts at zero the first time an agent is seen and is kept after that.
      // Away or offline, the agent enters the due-work index (DUE#absent, by presenceSince) for the
      // absence sweep; back online, they leave it.
      const absent = presence !== 'online';
      const index = absentAgentIndexKeys(at, agentId);
      try {
        const res = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: agentStateKey(agentId),
            UpdateExpression:
              'SET entity = :entity, agentId = :id, presence = :presence, presenceSince = :at, #load = if_not_exists(#load, :empty)' +
              (absent ? ', gsi5pk = :duePk, gsi5sk = :dueSk' : '') +
              ' ADD #version :one' +
              (absent ? ' REMOVE absenceHandledAt' : ' REMOVE gsi5pk, gsi5sk, absenceHandledAt'),
            ConditionExpression: 'attribute_not_exists(pk) OR presence <> :presence',
            ExpressionAttributeNames: { '#load': 'load', '#version': 'version' },
            ExpressionAttributeValues: {
              ':entity': 'agentState',
              ':id': agentId,
              ':presence': presence,
              ':at': at,
              ':empty': emptyLoad(),
              ':one': 1,
              ...(absent ? { ':duePk': index.gsi5pk, ':dueSk': index.gsi5sk } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return normalise(stripKeys<AgentState>(res.Attributes ?? {}));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const current = await this.get(agentId);
        if (!current) throw error;
        return current;
      }
    },

    async listAbsent(before, limit) {
      const items = await queryItems(
        client,
        {
          TableName: tableName,
          IndexName: 'gsi5',
          KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk <= :before',
          ExpressionAttributeValues: { ':pk': duePartition(ABSENT_DUE_KIND), ':before': dueUpTo(before) },
        },
        limit,
      );
      return items.map((i) => normalise(stripKeys<AgentState>(i)));
    },

    async markAbsenceHandled(agentId, presenceSince, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: agentStateKey(agentId),
            UpdateExpression: 'SET absenceHandledAt = :at REMOVE gsi5pk, gsi5sk',
            // Only the absence that was handled: an agent who came back (or left again) meanwhile is left as they are.
            ConditionExpression: 'presenceSince = :since AND presence <> :online',
            ExpressionAttributeValues: { ':at': at, ':since': presenceSince, ':online': 'online' },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
