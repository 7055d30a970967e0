import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AgentState } from '../core/agent-state.js';
import { emptyLoad } from '../core/agent-state.js';
import type { AgentStateRepository } from '../core/ports/repositories.js';
import type { TableRef } from './dynamo.js';
import { dueWork } from './access-patterns.js';
import { conditionFailed } from './conditional-writes.js';
import { stripKeys } from './dynamo.js';
import { ABSENT_DUE_KIND, DUE_INDEX_ATTRIBUTES, absentAgentIndexKeys, agentStateKey } from './keys.js';
import { queryShards } from './pagination.js';

/** The due-work index's key attributes: an update sets them to put the agent in the index, removes them to take them out. */
const [DUE_PK, DUE_SK] = DUE_INDEX_ATTRIBUTES;

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;

function normalise(state: AgentState): AgentState {
  return { ...state, load: { ...emptyLoad(), ...state.load } };
}

export function makeAgentStateRepository({ client, tableName }: TableRef): AgentStateRepository {
  const repository: AgentStateRepository = {
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
              (absent ? `, ${DUE_PK} = :duePk, ${DUE_SK} = :dueSk` : '') +
              ' ADD #version :one' +
              (absent ? ' REMOVE absenceHandledAt' : ` REMOVE ${DUE_PK}, ${DUE_SK}, absenceHandledAt`),
            ConditionExpression: 'attribute_not_exists(pk) OR presence <> :presence',
            ExpressionAttributeNames: { '#load': 'load', '#version': 'version' },
            ExpressionAttributeValues: {
              ':entity': 'agentState',
              ':id': agentId,
              ':presence': presence,
              ':at': at,
              ':empty': emptyLoad(),
              ':one': 1,
              ...(absent ? { ':duePk': index[DUE_PK], ':dueSk': index[DUE_SK] } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return normalise(stripKeys<AgentState>(res.Attributes ?? {}));
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        const current = await this.get(agentId);
        if (!current) throw error;
        return current;
      }
    },

    async listAbsent(before, limit) {
      // The due-work index carries who is due, not their state (functions/adapters/table-definition.ts): the states come from the table.
      const due = (await queryShards(client, tableName, dueWork(ABSENT_DUE_KIND, before), limit)).flatMap((i) =>
        typeof i.agentId === 'string' ? [i.agentId] : [],
      );
      const states = await repository.getMany(due);
      return due.flatMap((agentId) => {
        const state = states.get(agentId);
        return state ? [state] : [];
      });
    },

    async markAbsenceHandled(agentId, presenceSince, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: agentStateKey(agentId),
            UpdateExpression: `SET absenceHandledAt = :at REMOVE ${DUE_PK}, ${DUE_SK}`,
            // Only the absence that was handled: an agent who came back (or left again) meanwhile is left as they are.
            ConditionExpression: 'presenceSince = :since AND presence <> :online',
            ExpressionAttributeValues: { ':at': at, ':since': presenceSince, ':online': 'online' },
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
      }
    },
  };
  return repository;
}
