import type { BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseMessage, CaseRecord } from '../core/case.js';
import type { CaseEvent } from '../core/events.js';
import { OPEN_STATUSES } from '../core/case.js';
import type { ReportSource } from '../core/reports/source.js';
import { caseItemsOfKind, casesByStatus } from './access-patterns.js';
import type { TableRef } from './dynamo.js';
import { stripKeys } from './dynamo.js';
import { makeEventDayReader } from './event-day-reader.js';
import { SORT_PREFIX, caseKey } from './keys.js';
import { queryItems, queryShards } from './pagination.js';

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;

/**
 * The reports' reads (functions/core/reports/source.ts): events by day and open cases by status
 * from their sharded index partitions, case records by BatchGetItem, a case's events or messages by a Query on its partition.
 * Read-only: the reports function's role has no write action at all (lib/api.ts).
 */
export function makeReportReader(table: TableRef): ReportSource {
  const { client, tableName } = table;
  const days = makeEventDayReader(table);

  const reader: ReportSource = {
    listEventsOfDay: (day) => days.listEventsOfDay(day),

    async getCases(caseIds) {
      const found: CaseRecord[] = [];
      const unique = [...new Set(caseIds)];
      for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
        let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_LIMIT).map(caseKey);
        // Unprocessed keys come back under throttling; ask again until every key is read.
        for (let attempt = 0; keys && keys.length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
          const res: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }));
          for (const item of res.Responses?.[tableName] ?? []) found.push(stripKeys<CaseRecord>(item));
          keys = res.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
        }
      }
      return found;
    },

    async listCaseEvents(caseId) {
      const items = await queryItems(client, { TableName: tableName, ...caseItemsOfKind(caseId, SORT_PREFIX.event) });
      return items.map((i) => stripKeys<CaseEvent>(i));
    },

    async listCaseMessages(caseId) {
      // Without text or addresses: OCEL's message objects carry only what is projected here.
      const items = await queryItems(client, {
        TableName: tableName,
        ...caseItemsOfKind(caseId, SORT_PREFIX.message),
        ProjectionExpression: 'messageId, caseId, direction, channel, #at, attachments',
        ExpressionAttributeNames: { '#at': 'at' },
      });
      return items.map((i) => {
        const m = stripKeys<CaseMessage>(i);
        return { ...m, attachments: m.attachments ?? [] };
      });
    },

    async listOpenCases() {
      // The status index carries ids and listing fields only (functions/adapters/table-definition.ts): the cases come from the table.
      const perStatus = await Promise.all(OPEN_STATUSES.map((status) => queryShards(client, tableName, casesByStatus(status))));
      return reader.getCases(perStatus.flat().flatMap((i) => (typeof i.caseId === 'string' ? [i.caseId] : [])));
    },
  };
  return reader;
}
