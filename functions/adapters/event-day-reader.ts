import type { CaseEvent } from '../core/events.js';
import { eventsByDay } from './access-patterns.js';
import type { TableRef } from './dynamo.js';
import { stripKeys } from './dynamo.js';
import { queryShards } from './pagination.js';

/**
 * Events by day, for reports and the process-mining export: the day's shards of the events-by-day
 * index queried in parallel (never a Scan), each paginated, merged in time order.
 */
export function makeEventDayReader({ client, tableName }: TableRef) {
  return {
    /** All events whose `at` falls on `day` (yyyy-mm-dd, UTC), in time order. */
    async listEventsOfDay(day: string): Promise<CaseEvent[]> {
      const items = await queryShards(client, tableName, eventsByDay(day));
      return items.map((item) => stripKeys<CaseEvent>(item));
    },
  };
}
