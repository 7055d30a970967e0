import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CASE_STATUSES } from '../core/case.js';
import { unshardedPartitions } from './access-patterns.js';
import { conditionFailed } from './conditional-writes.js';
import type { TableRef } from './dynamo.js';
import { ABSENT_DUE_KIND } from './keys.js';

/** Every kind of due work the code writes (functions/core/due.ts, and absent agents). */
const DUE_KINDS = ['accept', 'hold', ABSENT_DUE_KIND] as const;

export interface ShardMigrationReport {
  /** Items moved to their shard. */
  moved: number;
  /** Items that changed (and so moved themselves) between the read and the move. */
  skipped: number;
}

/**
 * Moves the items written before sharding (docs/architecture.md#sharded-partitions) from the bare
 * partitions (`STATUS#<status>`, `DUE#<kind>`, `EVTDAY#<day>` for each of `days`) to their shards.
 * Never a Scan: each bare partition is itself the list of what is left to move, read page by page.
 * Each move is an update of the one index key, on condition that the item still holds the old one:
 * a case rewritten meanwhile has already moved itself, and is left alone. Safe to run again, and
 * while the system runs; readers see every item throughout, in the bare partition or in its shard.
 */
export async function migrateToShards(
  { client, tableName }: TableRef,
  days: readonly string[],
  progress: (partition: string, moved: number) => void = () => {},
): Promise<ShardMigrationReport> {
  const report: ShardMigrationReport = { moved: 0, skipped: 0 };
  for (const partition of unshardedPartitions(CASE_STATUSES, DUE_KINDS, days)) {
    const from = String(partition.query.ExpressionAttributeValues[':pk']);
    let start: Record<string, unknown> | undefined;
    let movedHere = 0;
    do {
      const page = await client.send(new QueryCommand({ TableName: tableName, ...partition.query, ExclusiveStartKey: start, Limit: 100 }));
      for (const item of page.Items ?? []) {
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: 'SET #key = :to',
              ConditionExpression: '#key = :from',
              ExpressionAttributeNames: { '#key': partition.attribute },
              ExpressionAttributeValues: { ':to': partition.target(item), ':from': from },
            }),
          );
          report.moved++;
          movedHere++;
        } catch (error) {
          if (!conditionFailed(error)) throw error;
          report.skipped++;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    if (movedHere > 0) progress(from, movedHere);
  }
  return report;
}
