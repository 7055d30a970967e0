import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ResolvedCaseSummary } from '../core/expert-finder.js';
import type { ResolvedCases } from '../core/ports/swarm.js';
import type { TableRef } from './dynamo.js';
import { caseStatusPartition } from './keys.js';

/**
 * The recently resolved cases for the expert finder's history: `gsi6` `STATUS#resolved`, newest
 * first, projected to what "similar" is judged by and who resolved it. One Query of up to `limit`
 * items (pages of a hundred); the projection keeps the answer small, though DynamoDB still counts
 * the items' full size in read units (about 25 of them for 200 cases of 2 KB, eventually consistent).
 */
export function makeResolvedCases({ client, tableName }: TableRef): ResolvedCases {
  return {
    async recent(limit) {
      const out: ResolvedCaseSummary[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi6',
            KeyConditionExpression: 'gsi6pk = :pk',
            ExpressionAttributeValues: { ':pk': caseStatusPartition('resolved') },
            ExpressionAttributeNames: { '#owner': 'owner', '#type': 'type' },
            ProjectionExpression: 'caseId, #owner, product, #type',
            ScanIndexForward: false,
            Limit: Math.min(100, limit - out.length),
            ExclusiveStartKey: start,
          }),
        );
        for (const item of res.Items ?? []) {
          if (typeof item.caseId !== 'string') continue;
          out.push({
            caseId: item.caseId,
            ...(typeof item.owner === 'string' ? { owner: item.owner } : {}),
            ...(typeof item.product === 'string' ? { product: item.product } : {}),
            ...(typeof item.type === 'string' ? { type: item.type } : {}),
          });
        }
        start = res.LastEvaluatedKey;
      } while (start && out.length < limit);
      return out;
    },
  };
}
