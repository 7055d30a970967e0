/**
 * The single DynamoDB table, described once. The CDK data construct and the local stack's
 * bootstrap both build the table from this description, so the two can never drift.
 * Key formats live in keys.ts; this file only names the attributes and indexes.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /**
   * What the index carries besides the table's and its own keys: `ALL` (every attribute), or the
   * non-key attributes listed (projection INCLUDE): what readers of the index use straight from it,
   * their filters and small answers, a reader that needs the whole item reading it from the table by
   * key (BatchGetItem). A trimmed index costs a write only when a key or a listed attribute changes,
   * and then of those few bytes, not every rewrite of a case in full; the indexes the console polls
   * stay ALL because a follow-up read on every poll costs more (docs/costs.md#index-projections).
   * Changing this needs the index recreated in AWS (docs/deploying.md#changing-an-index-projection).
   */
  readonly projected: 'ALL' | readonly string[];
}

/** What a listing filters on and needs to fetch the case (functions/adapters/case-repository.ts, listFilter). */
const LISTING = ['caseId', 'priority', 'channel'] as const;
/** Customer history: the newest resolved case's owner (findLastResolvers). */
const HISTORY = ['caseId', 'status', 'owner'] as const;

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it passes (idempotency records, rate limits). */
  ttlAttribute: 'expiresAt',
  indexes: [
    /** An agent's cases by status (key shapes: docs/architecture.md#indexes); the console's My work polls it, whole cases */
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projected: 'ALL' },
    /** A queue's cases by status, then priority rank, then age; the console's queue page polls it, and dispatch reads its head: whole cases */
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projected: 'ALL' },
    /** Cases by contact email */
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', projected: HISTORY },
    /** Cases by account */
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk', projected: HISTORY },
    /** Work due by time (sparse); the sweeps fetch the cases and agent states it names, the shard migration reads who owns each item */
    { name: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk', projected: ['entity', 'caseId', 'agentId'] },
    /**
     * Cases by status, and events by day. Events are written once and read whole by reports and the
     * event-log export, so every attribute of an event item is carried (functions/adapters/case-repository.ts,
     * eventItem); a case carries the listing's fields and what the expert finder reads of resolved cases.
     */
    {
      name: 'gsi6',
      partitionKey: 'gsi6pk',
      sortKey: 'gsi6sk',
      projected: [...LISTING, 'entity', 'owner', 'product', 'type', 'eventId', 'activity', 'at', 'actor', 'details'],
    },
  ] as const satisfies readonly IndexDefinition[],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];
