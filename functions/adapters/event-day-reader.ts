import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseEvent } from '../core/events.js';
import type { TableRef } from './dynamo.js';
import { stripKeys } from './dynamo.js';
import { eventDayPartition } from './keys.js';

/**
 * Events by day, for reports and the process-mining export: one Query on gsi6's `EVTDAY#<date>`
 * partition per day (never a Scan), paginated, in time order.
 */
export function makeEventDayReader({ client, tableName }: TableRef) {
  return {
    /** All events whose `at` falls on `day` (yyyy-mm-dd, UTC). */
    async listEventsOfDay(day: string): Promise<CaseEvent[]> {
      const events: CaseEvent[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const res = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi6',
            KeyConditionExpression: 'gsi6pk = :pk',
            ExpressionAttributeValues: { ':pk': eventDayPartition(day) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of res.Items ?? []) events.push(stripKeys<CaseEvent>(item));
        startKey = res.LastEvaluatedKey;
      } while (startKey);
      return events;
    },
  };
}
