/**
 * The single DynamoDB table, described once. The CDK data construct and the local stack's
 * bootstrap both build the table from this description, so the two can never drift.
 * Key formats live in keys.ts; this file only names the attributes and indexes.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it passes (idempotency records, rate limits). */
  ttlAttribute: 'expiresAt',
  indexes: [
    /** An agent's cases by status (key shapes: docs/architecture.md#indexes) */
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** A queue's cases by status, then priority rank, then age */
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Cases by contact email */
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /** Cases by account */
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    /** Work due by time (sparse) */
    { name: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
    /** Cases by status, and events by day */
    { name: 'gsi6', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
  ] as const satisfies readonly IndexDefinition[],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];
