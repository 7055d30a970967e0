/**
 * The table's access patterns by intent: the one place that names an index and writes a key
 * condition (docs/architecture.md#access-patterns). Each pattern returns the key part of a Query
 * (index, key condition, its values); the caller adds filters, limits and direction and runs it
 * through functions/adapters/pagination.ts. Key values come from keys.ts.
 *
 * A sharded pattern (cases by status, events by day, due work) returns one query per shard, the
 * partition of items written before sharding last; readers run them in parallel and merge.
 */
import type { CaseStatus } from '../core/case.js';
import type { Shard } from './keys.js';
import {
  READ_SHARDS,
  UNSHARDED,
  accountPartition,
  casePartition,
  caseStatusPartition,
  contactPartition,
  duePartition,
  dueUpTo,
  eventDayPartition,
  ownerPartition,
  queuePartition,
  shardOf,
  statusPrefix,
  subjectWordQuery,
} from './keys.js';
import type { IndexName } from './table-definition.js';
import { TABLE } from './table-definition.js';

type Item = Record<string, unknown>;

/** The key part of a Query. */
export interface KeyQuery {
  readonly IndexName?: IndexName;
  readonly KeyConditionExpression: string;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/** One shard's query of a sharded pattern. */
export interface ShardQuery {
  readonly shard: Shard;
  readonly query: KeyQuery;
}

const onIndex = (index: IndexName, pk: string): KeyQuery => ({
  IndexName: index,
  KeyConditionExpression: `${index}pk = :pk`,
  ExpressionAttributeValues: { ':pk': pk },
});
const onIndexWithPrefix = (index: IndexName, pk: string, prefix: string): KeyQuery => ({
  IndexName: index,
  KeyConditionExpression: `${index}pk = :pk AND begins_with(${index}sk, :prefix)`,
  ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
});
const onIndexUpTo = (index: IndexName, pk: string, upTo: string): KeyQuery => ({
  IndexName: index,
  KeyConditionExpression: `${index}pk = :pk AND ${index}sk <= :upTo`,
  ExpressionAttributeValues: { ':pk': pk, ':upTo': upTo },
});
const everyShard = (query: (shard: Shard) => KeyQuery): ShardQuery[] => READ_SHARDS.map((shard) => ({ shard, query: query(shard) }));

/** A case with everything under it (messages, events, decision records): the table, `CASE#<caseId>`. */
export const caseWithHistory = (caseId: string): KeyQuery => ({
  KeyConditionExpression: 'pk = :pk',
  ExpressionAttributeValues: { ':pk': casePartition(caseId) },
});

/** One kind of item under a case (`SORT_PREFIX.event`, `.message`). */
export const caseItemsOfKind = (caseId: string, sortPrefix: string): KeyQuery => ({
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
  ExpressionAttributeValues: { ':pk': casePartition(caseId), ':prefix': sortPrefix },
});

/** An agent's cases of one status, by age (gsi1). */
export const casesByOwner = (agentId: string, status: CaseStatus): KeyQuery => onIndexWithPrefix('gsi1', ownerPartition(agentId), statusPrefix(status));

/** A queue's cases of one status in dispatch order: priority rank, then age (gsi2). */
export const casesInQueue = (queueId: string, status: CaseStatus): KeyQuery => onIndexWithPrefix('gsi2', queuePartition(queueId), statusPrefix(status));

/**
 * Cases by a word of their subject (the table, `WORD#<first letters>`; functions/core/subject-words.ts):
 * the whole word, or the words starting with the letters typed. Read newest first within a word.
 */
export const casesBySubjectWord = (term: { word: string; prefix: boolean }): KeyQuery => {
  const { pk, skPrefix } = subjectWordQuery(term);
  return { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix } };
};

/** A queue's waiting cases in dispatch order (gsi2): the queue head, the queue depth. */
export const queuedInQueue = (queueId: string): KeyQuery => casesInQueue(queueId, 'queued');

/** A contact's cases by age (gsi3): customer history. */
export const casesByContact = (email: string): KeyQuery => onIndex('gsi3', contactPartition(email));

/** An account's cases by age (gsi4): customer history. */
export const casesByAccount = (accountId: string): KeyQuery => onIndex('gsi4', accountPartition(accountId));

/** Work of one kind due at or before `until` (gsi5), per shard, each in due order. */
export const dueWork = (kind: string, until: string): ShardQuery[] => everyShard((shard) => onIndexUpTo('gsi5', duePartition(kind, shard), dueUpTo(until)));

/** Cases of one status (gsi6), per shard, each by age. */
export const casesByStatus = (status: CaseStatus): ShardQuery[] => everyShard((shard) => onIndex('gsi6', caseStatusPartition(status, shard)));

/** Events of one day (yyyy-mm-dd, UTC) (gsi6), per shard, each in time order. */
export const eventsByDay = (day: string): ShardQuery[] => everyShard((shard) => onIndex('gsi6', eventDayPartition(day, shard)));

function indexOf(name: IndexName) {
  const index = TABLE.indexes.find((i) => i.name === name);
  if (!index) throw new Error(`no index ${name}`);
  return index;
}

/**
 * Whether a query on `index` returns whole items (the table, or an index projecting ALL), or only
 * the attributes table-definition.ts lists for it: a reader that needs whole items then reads them
 * from the table by key.
 */
export function returnsWholeItems(index: IndexName | undefined): boolean {
  return index === undefined || indexOf(index).projected === 'ALL';
}

/** The attribute holding the sort key of the index a query reads (the table's `sk` when none): for projections that must keep it. */
export function sortKeyAttribute(index: IndexName | undefined): string {
  return index ? indexOf(index).sortKey : TABLE.sortKey;
}

/** An item's sort key on the index a query reads (the table's `sk` when none). */
export function sortKeyOn(item: Item, index: IndexName | undefined): string {
  return String(item[index ? indexOf(index).sortKey : TABLE.sortKey]);
}

/**
 * The part of an item's index sort key that orders it across the streams of a listing: the status
 * prefix of gsi1 and gsi2 is dropped (constant within a stream; streams of different statuses
 * interleave), leaving `createdAt#caseId` (owner) or `rank#createdAt#caseId` (queue); gsi5 and gsi6
 * sort keys order as they are. Merging on the very key DynamoDB sorts each stream by is what keeps
 * every stream's cursor exact.
 */
export function listingOrderKey(item: Item, index: IndexName | undefined): string {
  const sortKey = sortKeyOn(item, index);
  return index === 'gsi1' || index === 'gsi2' ? sortKey.slice(sortKey.indexOf('#') + 1) : sortKey;
}

/** Where a Query on `index` stands after `item`: its ExclusiveStartKey (table key and index key). */
export function positionAfter(item: Item, index: IndexName | undefined): Record<string, string> {
  const key: Record<string, string> = { [TABLE.partitionKey]: String(item[TABLE.partitionKey]), [TABLE.sortKey]: String(item[TABLE.sortKey]) };
  if (index) {
    const { partitionKey, sortKey } = indexOf(index);
    key[partitionKey] = String(item[partitionKey]);
    key[sortKey] = String(item[sortKey]);
  }
  return key;
}

/**
 * The partitions items written before sharding sit in, and where each of their items belongs now:
 * what `npm run migrate:shards` moves (functions/adapters/shard-migration.ts). Cases by status and
 * due work are listed whole; events by day for the days asked.
 */
export interface UnshardedPartition {
  readonly query: KeyQuery;
  /** The index key attribute that moves. */
  readonly attribute: string;
  /** The partition the item belongs in now. */
  target(item: Item): string;
}

export function unshardedPartitions(statuses: readonly CaseStatus[], dueKinds: readonly string[], days: readonly string[]): UnshardedPartition[] {
  const statusOrDayKey = indexOf('gsi6').partitionKey;
  const dueKey = indexOf('gsi5').partitionKey;
  return [
    ...statuses.map((s) => ({
      query: onIndex('gsi6', caseStatusPartition(s, UNSHARDED)),
      attribute: statusOrDayKey,
      target: (item: Item) => caseStatusPartition(s, shardOf(String(item.caseId))),
    })),
    ...dueKinds.map((kind) => ({
      query: onIndex('gsi5', duePartition(kind, UNSHARDED)),
      attribute: dueKey,
      // Cases are sharded by their id, absent agents' states by the agent's.
      target: (item: Item) => duePartition(kind, shardOf(String(item.entity === 'case' ? item.caseId : item.agentId))),
    })),
    ...days.map((day) => ({
      query: onIndex('gsi6', eventDayPartition(day, UNSHARDED)),
      attribute: statusOrDayKey,
      target: (item: Item) => eventDayPartition(day, shardOf(String(item.eventId))),
    })),
  ];
}
