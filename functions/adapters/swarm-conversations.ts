import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SwarmConversations } from '../core/ports/swarm.js';
import type { TableRef } from './dynamo.js';
import { chatConversationKey } from './keys.js';

/**
 * Which case a swarm's Slack conversation belongs to (`CHAT#slack#<channel>#<threadTs|->`): a swarm
 * channel is linked as a whole, a thread in a shared channel by its root message. A message event
 * carries only the channel and the thread, so this is how it finds its case: one GetItem for a
 * threaded message (then one for its channel), one for a message in a channel.
 */
export function makeSwarmConversations({ client, tableName }: TableRef): SwarmConversations {
  return {
    async link(conversation, caseId, swarmId) {
      const key = conversation.mode === 'thread' ? chatConversationKey(conversation.channel, conversation.threadTs) : chatConversationKey(conversation.channel);
      await client.send(new PutCommand({ TableName: tableName, Item: { ...key, entity: 'chat-conversation', caseId, swarmId, mode: conversation.mode } }));
    },

    async find(channel, threadTs) {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: chatConversationKey(channel, threadTs) }));
      const item = res.Item;
      return item && typeof item.caseId === 'string' ? { caseId: item.caseId, swarmId: String(item.swarmId ?? '') } : undefined;
    },
  };
}
