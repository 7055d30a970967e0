/**
 * Reading many items: the page loops over LastEvaluatedKey, the parallel read of a sharded
 * pattern's queries, and the merged listing of several index partitions as one list with one
 * cursor (docs/architecture.md#access-patterns). Key conditions come from access-patterns.ts.
 */
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../core/errors.js';
import type { Page } from '../core/ports/repositories.js';
import type { KeyQuery, ShardQuery } from './access-patterns.js';
import { listingOrderKey, positionAfter, sortKeyOn } from './access-patterns.js';
import { stripKeys } from './dynamo.js';

type Item = Record<string, unknown>;

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * DynamoDB orders string keys by their UTF-8 bytes. `localeCompare` does not (`'a'` sorts before
 * `'B'`), and a merge whose order disagrees with a stream's own order skips items of that stream.
 */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Every item a Query returns, following LastEvaluatedKey, up to `limit` items (default: all).
 * Each page asks only for what is still missing, so reading stops as soon as the limit is met.
 */
export async function queryItems(client: DynamoDBDocumentClient, input: QueryCommandInput, limit = Number.POSITIVE_INFINITY): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const remaining = limit - items.length;
    const res = await client.send(new QueryCommand({ ...input, ...(Number.isFinite(remaining) ? { Limit: remaining } : {}), ExclusiveStartKey: start }));
    items.push(...((res.Items ?? []) as Item[]));
    start = res.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items;
}

/** How many items a Query matches, counting no further than `max`. */
export async function countItems(client: DynamoDBDocumentClient, input: QueryCommandInput, max: number): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const res = await client.send(new QueryCommand({ ...input, Select: 'COUNT', Limit: max - count, ExclusiveStartKey: start }));
    count += res.Count ?? 0;
    start = res.LastEvaluatedKey;
  } while (start && count < max);
  return count;
}

/**
 * The first `limit` items (default: all) of a sharded pattern in index order: every shard queried
 * in parallel for at most `limit` items, then merged. Each shard's first `limit` hold its share of
 * the overall first `limit`, so the result is exact, and a shard with less in range reads less:
 * reads stay proportional to what matches (a range like "due up to now"), plus one empty Query per
 * idle shard.
 */
export async function queryShards(
  client: DynamoDBDocumentClient,
  tableName: string,
  shards: readonly ShardQuery[],
  limit = Number.POSITIVE_INFINITY,
): Promise<Item[]> {
  const perShard = await Promise.all(shards.map(({ query }) => queryItems(client, { TableName: tableName, ...query }, limit)));
  const index = shards[0]?.query.IndexName;
  return perShard
    .flat()
    .map((item) => ({ item, key: sortKeyOn(item, index) }))
    .sort((a, b) => compareBytes(a.key, b.key))
    .slice(0, limit)
    .map(({ item }) => item);
}

/** One partition of a merged listing: a stable id (it names the stream in the cursor) and its Query. */
export interface Stream {
  id: string;
  query: KeyQuery & Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames'>;
}

type StreamPosition = Record<string, string>;
/** Per stream: where it stopped (absent = not started, null = exhausted). */
type MultiCursor = Record<string, StreamPosition | null>;

/** Owner and status listings show the newest first; a queue listing shows dispatch order. */
export type MergeOrder = 'newest' | 'dispatch';

function invalidCursor(message: string): ValidationError {
  return new ValidationError([{ field: 'cursor', message }]);
}

/** A cursor must be one this query issued: known stream ids, each with a key of strings or null. */
function parseMultiCursor(text: string | undefined, streams: readonly Stream[]): MultiCursor {
  if (!text) return {};
  const cursor = decodeCursor<unknown>(text);
  if (cursor === null || typeof cursor !== 'object' || Array.isArray(cursor)) throw invalidCursor('is not a cursor this API issued');
  const ids = new Set(streams.map((s) => s.id));
  for (const [id, position] of Object.entries(cursor)) {
    if (!ids.has(id)) throw invalidCursor('does not belong to this query');
    if (position === null) continue;
    const isKey = typeof position === 'object' && !Array.isArray(position) && Object.values(position).every((v) => typeof v === 'string');
    if (!isKey) throw invalidCursor('is not a cursor this API issued');
  }
  return cursor as MultiCursor;
}

/**
 * Pages through several index partitions at once as one list (newest first, or dispatch order).
 * The cursor keeps each stream's position, so every page is one bounded Query per stream, never
 * a Scan, and each item appears exactly once across pages.
 */
export async function mergedPage<T>(
  client: DynamoDBDocumentClient,
  tableName: string,
  streams: readonly Stream[],
  order: MergeOrder,
  limit: number,
  cursorText: string | undefined,
): Promise<Page<T>> {
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError([{ field: 'limit', message: 'must be a positive integer' }]);
  const cursor = parseMultiCursor(cursorText, streams);
  const fetched = await Promise.all(
    streams.map(async (stream) => {
      const position = cursor[stream.id];
      if (position === null) return { stream, items: [] as Item[], more: false };
      const res = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            ...stream.query,
            // One more than a page: a stream that has exactly `limit` left is known to end here,
            // so the last page carries no cursor instead of leading to an empty page.
            Limit: limit + 1,
            ScanIndexForward: order === 'dispatch',
            ExclusiveStartKey: position,
          }),
        )
        .catch((error: unknown) => {
          if ((error as { name?: string }).name === 'ValidationException' && position) {
            throw invalidCursor('does not belong to this query');
          }
          throw error;
        });
      return {
        stream,
        items: (res.Items ?? []) as Item[],
        more: res.LastEvaluatedKey !== undefined,
        lastKey: res.LastEvaluatedKey as StreamPosition | undefined,
      };
    }),
  );

  const direction = order === 'dispatch' ? 1 : -1;
  const compare = (a: string, b: string) => direction * compareBytes(a, b);
  const keyed = fetched.flatMap(({ stream, items }) => items.map((item) => ({ stream: stream.id, item, key: listingOrderKey(item, stream.query.IndexName) })));
  // A stream that stopped early (DynamoDB cuts a Query at 1 MB) may hold unseen items that sort
  // before what other streams returned; nothing past its last fetched item may be taken yet.
  // The horizon is where DynamoDB stopped reading (LastEvaluatedKey): without a filter that is the
  // last item returned; with one, items between the last match and it were read and dropped.
  const horizons = fetched
    .filter(({ more, lastKey }) => more && lastKey)
    .map(({ stream, lastKey }) => listingOrderKey(lastKey as StreamPosition, stream.query.IndexName));
  const taken = keyed
    .filter((k) => horizons.every((h) => compare(k.key, h) <= 0))
    .sort((a, b) => compare(a.key, b.key))
    .slice(0, limit);

  const next: MultiCursor = {};
  for (const { stream, items, more, lastKey } of fetched) {
    const previous = cursor[stream.id];
    const mine = taken.filter((t) => t.stream === stream.id);
    const last = mine[mine.length - 1];
    if (previous === null || (mine.length === items.length && !more)) next[stream.id] = null;
    else if (last) next[stream.id] = positionAfter(last.item, stream.query.IndexName);
    // Everything read was filtered out: go on from where DynamoDB stopped, or the stream never advances.
    else if (items.length === 0 && more && lastKey) next[stream.id] = lastKey;
    else if (previous !== undefined) next[stream.id] = previous;
  }
  const anyMore = streams.some((s) => next[s.id] !== null);
  return {
    items: taken.map((t) => stripKeys<T>(t.item)),
    ...(anyMore ? { cursor: encodeCursor(next) } : {}),
  };
}
