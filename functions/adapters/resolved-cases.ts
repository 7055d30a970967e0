import type { ResolvedCaseSummary } from '../core/expert-finder.js';
import type { ResolvedCases } from '../core/ports/swarm.js';
import { casesByStatus, sortKeyAttribute, sortKeyOn } from './access-patterns.js';
import type { TableRef } from './dynamo.js';
import { compareBytes, queryItems } from './pagination.js';

/**
 * The recently resolved cases for the expert finder's history: the `casesByStatus('resolved')`
 * pattern (docs/architecture.md#access-patterns), every shard read newest first in parallel for at
 * most `limit` items and merged by the index's sort key, projected to what "similar" is judged by
 * and who resolved it. Each shard's newest `limit` hold its share of the overall newest `limit`, so
 * the answer is exact. The projection keeps the answer small, though DynamoDB still counts the
 * items' full size in read units (about 25 of them for 200 cases of 2 KB, eventually consistent).
 */
export function makeResolvedCases({ client, tableName }: TableRef): ResolvedCases {
  return {
    async recent(limit) {
      const shards = casesByStatus('resolved');
      const index = shards[0]?.query.IndexName;
      const perShard = await Promise.all(
        shards.map(({ query }) =>
          queryItems(
            client,
            {
              TableName: tableName,
              ...query,
              ExpressionAttributeNames: { '#owner': 'owner', '#type': 'type', '#sk': sortKeyAttribute(index) },
              // The whole projection: each shard's page is merged by the index's sort key, so it must come back too.
              ProjectionExpression: 'caseId, #owner, product, #type, #sk',
              ScanIndexForward: false,
            },
            limit,
          ),
        ),
      );
      const sortKey = (item: Record<string, unknown>) => sortKeyOn(item, index);
      const newest = perShard
        .flat()
        .sort((a, b) => compareBytes(sortKey(b), sortKey(a)))
        .slice(0, limit);
      const out: ResolvedCaseSummary[] = [];
      for (const item of newest) {
        if (typeof item.caseId !== 'string') continue;
        out.push({
          caseId: item.caseId,
          ...(typeof item.owner === 'string' ? { owner: item.owner } : {}),
          ...(typeof item.product === 'string' ? { product: item.product } : {}),
          ...(typeof item.type === 'string' ? { type: item.type } : {}),
        });
      }
      return out;
    },
  };
}
