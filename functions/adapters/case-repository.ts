import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchGetCommandOutput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CaseEvent, CaseMessage, CaseRecord, CaseStatus } from '../core/case.js';
import { CASE_STATUSES, OPEN_STATUSES, formatCaseNumber } from '../core/case.js';
import { ConflictError, ValidationError } from '../core/errors.js';
import type { CaseQuery, CaseRepository, CaseWithHistory, CreateCaseCommand, CreateCaseResult, Page, StoredDecision } from '../core/ports.js';
import type { TableRef } from './dynamo.js';
import { decodeCursor, encodeCursor, isConditionFailure, queryItems, stripKeys, transactionCancellationCodes } from './dynamo.js';
import {
  SORT_PREFIX,
  accountPartition,
  contactPartition,
  caseIndexKeys,
  caseKey,
  caseNumberCounterKey,
  caseNumberKey,
  casePartition,
  caseStatusPartition,
  decisionSortKey,
  duePartition,
  dueUpTo,
  eventDayPartition,
  eventSortKey,
  idempotencyKey,
  messageSortKey,
  ownerPartition,
  queuePartition,
  statusPrefix,
  subjectWordKey,
  subjectWordQuery,
} from './keys.js';
import { subjectWords } from '../core/subject-words.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** How many of a customer's newest cases customer-history routing looks at. */
const HISTORY_DEPTH = 25;

/** Attempts at an idempotent create that keeps colliding with a concurrent twin. */
const IDEMPOTENT_CREATE_ATTEMPTS = 5;

/** DynamoDB's transaction limit; a case write with more events than this is split by the caller. */
const MAX_TRANSACTION_ITEMS = 100;

export function caseItem(c: CaseRecord): Item {
  return {
    ...caseKey(c.caseId),
    entity: 'case',
    ...c,
    ...caseIndexKeys({
      caseId: c.caseId,
      status: c.status,
      priorityRank: c.priorityRank,
      createdAt: c.createdAt,
      owner: c.owner,
      queue: c.queue,
      contactEmail: c.contact.email,
      accountId: c.account?.id,
      due: c.due,
    }),
  };
}

export function eventItem(e: CaseEvent): Item {
  return {
    pk: casePartition(e.caseId),
    sk: eventSortKey(e.eventId),
    entity: 'event',
    ...e,
    gsi6pk: eventDayPartition(e.at),
    gsi6sk: `${e.at}#${e.eventId}`,
  };
}

export function messageItem(m: CaseMessage): Item {
  return { pk: casePartition(m.caseId), sk: messageSortKey(m.messageId), entity: 'message', ...m };
}

export function decisionItem(d: StoredDecision): Item {
  return { pk: casePartition(d.caseId), sk: decisionSortKey(d.decisionId), entity: 'decision', ...d };
}

/** The events and decisions of a case change, as transaction puts. */
export function historyPuts(tableName: string, events: CaseEvent[], decisions: StoredDecision[] = []): TransactItem[] {
  return [
    ...events.map((e) => ({ Put: { TableName: tableName, Item: eventItem(e) } })),
    ...decisions.map((d) => ({ Put: { TableName: tableName, Item: decisionItem(d) } })),
  ];
}

/**
 * The subject-word index items of a new case (functions/core/subject-words.ts), written in the
 * transaction that writes the case: at most MAX_INDEXED_WORDS small puts, never conditional.
 */
export function subjectWordPuts(tableName: string, c: Pick<CaseRecord, 'caseId' | 'subject' | 'createdAt'>): TransactItem[] {
  return subjectWords(c.subject).map((word) => ({
    Put: { TableName: tableName, Item: { ...subjectWordKey(word, c.createdAt, c.caseId), entity: 'subjectWord', caseId: c.caseId, createdAt: c.createdAt } },
  }));
}

/** A conditional replace of the case item: it must exist at `expectedVersion`. */
export function casePutIfVersion(tableName: string, next: CaseRecord, expectedVersion: number): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: caseItem(next),
      ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': expectedVersion },
    },
  };
}

interface Stream {
  id: string;
  input: QueryCommandInput;
}

type StreamPosition = Record<string, string>;
/** Per stream: where it stopped (absent = not started, null = exhausted). */
type MultiCursor = Record<string, StreamPosition | null>;

/** Owner and status listings show the newest first; a queue listing shows dispatch order. */
type MergeOrder = 'newest' | 'dispatch';

/**
 * The part of an item's index sort key that orders it across streams: the status prefix is
 * dropped (it is constant within a stream, and streams of different statuses interleave), the
 * rest is `createdAt#caseId` (owner, status) or `rank#createdAt#caseId` (queue). Merging on the
 * very key DynamoDB sorts each stream by is what keeps every stream's cursor exact.
 */
function mergeKey(item: Item, indexName: string | undefined): string {
  const sortKey = String(item[`${indexName}sk`]);
  return indexName === 'gsi6' ? sortKey : sortKey.slice(sortKey.indexOf('#') + 1);
}

/**
 * DynamoDB orders string keys by their UTF-8 bytes. `localeCompare` does not (`'a'` sorts before
 * `'B'`), and a merge whose order disagrees with a stream's own order skips items of that stream.
 */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

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
 * Priority and channel filters of a listing, as a FilterExpression on each index Query: still a
 * Query (never a Scan), with DynamoDB dropping what does not match before it answers.
 */
function listFilter(query: CaseQuery): Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> | undefined {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const add = (attribute: string, list: readonly string[] | undefined) => {
    if (!list || list.length === 0) return;
    names[`#f_${attribute}`] = attribute;
    const placeholders = list.map((v, i) => {
      values[`:f_${attribute}${i}`] = v;
      return `:f_${attribute}${i}`;
    });
    parts.push(`#f_${attribute} IN (${placeholders.join(', ')})`);
  };
  add('priority', query.priorities);
  add('channel', query.channels);
  if (parts.length === 0) return undefined;
  return { FilterExpression: parts.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

export function makeCaseRepository({ client, tableName }: TableRef): CaseRepository {
  async function getCase(caseId: string): Promise<CaseRecord | undefined> {
    const res = await client.send(new GetCommand({ TableName: tableName, Key: caseKey(caseId), ConsistentRead: true }));
    return res.Item ? stripKeys<CaseRecord>(res.Item) : undefined;
  }

  const queryAll = (input: QueryCommandInput): Promise<Item[]> => queryItems(client, input);

  /**
   * Pages through several index partitions at once as one list (newest first, or dispatch order).
   * The cursor keeps each stream's position, so every page is one bounded Query per stream, never
   * a Scan, and each item appears exactly once across pages.
   */
  async function mergedPage(streams: Stream[], order: MergeOrder, limit: number, cursorText: string | undefined): Promise<Page<CaseRecord>> {
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError([{ field: 'limit', message: 'must be a positive integer' }]);
    const cursor = parseMultiCursor(cursorText, streams);
    const fetched = await Promise.all(
      streams.map(async (stream) => {
        const position = cursor[stream.id];
        if (position === null) return { stream, items: [] as Item[], more: false };
        const res = await client
          .send(
            new QueryCommand({
              ...stream.input,
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
    const keyed = fetched.flatMap(({ stream, items }) => items.map((item) => ({ stream: stream.id, item, key: mergeKey(item, stream.input.IndexName) })));
    // A stream that stopped early (DynamoDB cuts a Query at 1 MB) may hold unseen items that sort
    // before what other streams returned; nothing past its last fetched item may be taken yet.
    // The horizon is where DynamoDB stopped reading (LastEvaluatedKey): without a filter that is the
    // last item returned; with one, items between the last match and it were read and dropped.
    const horizons = fetched.filter(({ more, lastKey }) => more && lastKey).map(({ stream, lastKey }) => mergeKey(lastKey!, stream.input.IndexName));
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
      else if (last) next[stream.id] = indexKeyOf(last.item, stream.input.IndexName);
      // Everything read was filtered out: go on from where DynamoDB stopped, or the stream never advances.
      else if (items.length === 0 && more && lastKey) next[stream.id] = lastKey;
      else if (previous !== undefined) next[stream.id] = previous;
    }
    const anyMore = streams.some((s) => next[s.id] !== null);
    return {
      items: taken.map((t) => stripKeys<CaseRecord>(t.item)),
      ...(anyMore ? { cursor: encodeCursor(next) } : {}),
    };
  }

  function statusesOf(query: CaseQuery): readonly CaseStatus[] {
    return query.statuses && query.statuses.length > 0 ? query.statuses : query.owner || query.queues ? CASE_STATUSES : OPEN_STATUSES;
  }

  return {
    async findIdempotent(scope, key) {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: idempotencyKey(scope, key), ConsistentRead: true }));
      return typeof res.Item?.caseId === 'string' ? res.Item.caseId : undefined;
    },

    async allocateCaseNumber() {
      const res = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: caseNumberCounterKey(),
          UpdateExpression: 'ADD #value :one',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      // Numbers start at 1000 so the first case does not look like a test record.
      return formatCaseNumber(999 + Number(res.Attributes?.value ?? 1));
    },

    async create(command: CreateCaseCommand): Promise<CreateCaseResult> {
      const c = command.case;
      const items: TransactItem[] = [
        { Put: { TableName: tableName, Item: caseItem(c), ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: tableName,
            Item: { ...caseNumberKey(c.caseNumber), entity: 'caseNumber', caseId: c.caseId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...command.messages.map((m) => ({ Put: { TableName: tableName, Item: messageItem(m) } })),
        ...historyPuts(tableName, command.events),
        ...subjectWordPuts(tableName, c),
      ];
      if (command.idempotency) {
        const { scope, key, expiresAt, claimToken, holdUntil } = command.idempotency;
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              ...idempotencyKey(scope, key),
              entity: 'idempotency',
              caseId: c.caseId,
              expiresAt,
              // Settles the claim this attempt holds (functions/adapters/submission-claims.ts).
              ...(claimToken ? { state: 'done', decoy: false, caseNumber: c.caseNumber, claimToken, ...(holdUntil !== undefined ? { holdUntil } : {}) } : {}),
            },
            ...(claimToken
              ? { ConditionExpression: 'claimToken = :token', ExpressionAttributeValues: { ':token': claimToken } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        });
      }
      if (items.length > MAX_TRANSACTION_ITEMS) throw new Error(`a new case writes at most ${MAX_TRANSACTION_ITEMS} items`);
      const existingFor = async (idem: NonNullable<CreateCaseCommand['idempotency']>) => {
        const existing = await client.send(new GetCommand({ TableName: tableName, Key: idempotencyKey(idem.scope, idem.key), ConsistentRead: true }));
        const caseId = existing.Item?.caseId;
        return typeof caseId === 'string' ? caseId : undefined;
      };
      // Two submissions of the same key at the same instant: in DynamoDB one transaction wins and
      // the other is cancelled with TransactionConflict (not a failed condition). Re-read the
      // idempotency record after a short jittered pause; if the winner has written it, this is a
      // duplicate, otherwise try again.
      for (let attempt = 0; ; attempt++) {
        try {
          await client.send(new TransactWriteCommand({ TransactItems: items }));
          return { created: true, case: c };
        } catch (error) {
          const codes = transactionCancellationCodes(error);
          const idem = command.idempotency;
          if (!idem || !codes) throw error;
          if (codes[codes.length - 1] === 'ConditionalCheckFailed') {
            const caseId = await existingFor(idem);
            if (caseId) return { created: false, existingCaseId: caseId };
            throw error;
          }
          if (!codes.includes('TransactionConflict') || attempt >= IDEMPOTENT_CREATE_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * (0.5 + Math.random())));
          const caseId = await existingFor(idem);
          if (caseId) return { created: false, existingCaseId: caseId };
        }
      }
    },

    get: getCase,

    async getWithHistory(caseId: string): Promise<CaseWithHistory | undefined> {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': casePartition(caseId) },
        ConsistentRead: true,
      });
      const caseRaw = items.find((i) => i.sk === 'CASE');
      if (!caseRaw) return undefined;
      const of = <T>(prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix)).map((i) => stripKeys<T>(i));
      return {
        case: stripKeys<CaseRecord>(caseRaw),
        messages: of<CaseMessage>(SORT_PREFIX.message),
        events: of<CaseEvent>(SORT_PREFIX.event),
        decisions: of<StoredDecision>(SORT_PREFIX.decision),
      };
    },

    async listByContact(email, limit) {
      const res = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': contactPartition(email) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map((item) => stripKeys<CaseRecord>(item));
    },

    async findBySubjectWord(term, limit, cursor) {
      const { pk, skPrefix } = subjectWordQuery(term);
      const start = decodeCursor<Record<string, unknown>>(cursor);
      if (cursor && (!start || start.pk !== pk)) throw invalidCursor('the cursor does not belong to this search');
      const res = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
          // Newest first within a word (the sort key ends `<createdAt>#<caseId>`).
          ScanIndexForward: false,
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = (res.Items ?? [])
        .filter((i) => typeof i.caseId === 'string' && typeof i.createdAt === 'string')
        .map((i) => ({ caseId: i.caseId as string, createdAt: i.createdAt as string, position: encodeCursor({ pk: i.pk, sk: i.sk }) }));
      return { items, ...(res.LastEvaluatedKey ? { cursor: encodeCursor(res.LastEvaluatedKey) } : {}) };
    },

    async getMany(caseIds) {
      const unique = [...new Set(caseIds)];
      const found = new Map<string, CaseRecord>();
      for (let i = 0; i < unique.length; i += 100) {
        let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = { [tableName]: { Keys: unique.slice(i, i + 100).map(caseKey) } };
        for (let attempt = 0; request; attempt++) {
          if (attempt >= 8) throw new Error('the store kept returning unprocessed keys for a batch of cases');
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
          const res: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of (res.Responses?.[tableName] ?? []) as Item[]) {
            const c = stripKeys<CaseRecord>(item);
            found.set(c.caseId, c);
          }
          const left = res.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
          request = left?.length ? { [tableName]: { Keys: left } } : undefined;
        }
      }
      return unique.flatMap((id) => {
        const c = found.get(id);
        return c ? [c] : [];
      });
    },

    async getByNumber(caseNumber: string) {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: caseNumberKey(caseNumber) }));
      const caseId = res.Item?.caseId;
      return typeof caseId === 'string' ? getCase(caseId) : undefined;
    },

    async update(next, expectedVersion, events, decisions = []) {
      const written = { ...next, version: expectedVersion + 1 };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [casePutIfVersion(tableName, written, expectedVersion), ...historyPuts(tableName, events, decisions)],
          }),
        );
      } catch (error) {
        const codes = transactionCancellationCodes(error);
        if (codes?.[0] === 'ConditionalCheckFailed' || isConditionFailure(error)) {
          throw new ConflictError(`case ${next.caseId} changed since version ${expectedVersion}`);
        }
        throw error;
      }
      return written;
    },

    async addMessage(next, expectedVersion, message, events) {
      const written = { ...next, version: expectedVersion + 1 };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              casePutIfVersion(tableName, written, expectedVersion),
              { Put: { TableName: tableName, Item: messageItem(message), ConditionExpression: 'attribute_not_exists(pk)' } },
              ...historyPuts(tableName, events),
            ],
          }),
        );
      } catch (error) {
        const codes = transactionCancellationCodes(error);
        if (codes?.[0] === 'ConditionalCheckFailed') throw new ConflictError(`case ${next.caseId} changed since version ${expectedVersion}`);
        throw error;
      }
      return written;
    },

    async list(query) {
      const statuses = statusesOf(query);
      const streams: Stream[] = [];
      if (query.owner) {
        for (const status of statuses) {
          streams.push({
            id: `o:${status}`,
            input: {
              TableName: tableName,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
              ExpressionAttributeValues: { ':pk': ownerPartition(query.owner), ':prefix': statusPrefix(status) },
            },
          });
        }
      } else if (query.queues) {
        for (const queue of query.queues) {
          for (const status of statuses) {
            streams.push({
              id: `q:${queue}:${status}`,
              input: {
                TableName: tableName,
                IndexName: 'gsi2',
                KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
                ExpressionAttributeValues: { ':pk': queuePartition(queue), ':prefix': statusPrefix(status) },
              },
            });
          }
        }
      } else {
        for (const status of statuses) {
          streams.push({
            id: `s:${status}`,
            input: {
              TableName: tableName,
              IndexName: 'gsi6',
              KeyConditionExpression: 'gsi6pk = :pk',
              ExpressionAttributeValues: { ':pk': caseStatusPartition(status) },
            },
          });
        }
      }
      const filter = listFilter(query);
      if (filter)
        for (const stream of streams)
          stream.input = {
            ...stream.input,
            ...filter,
            ExpressionAttributeValues: { ...stream.input.ExpressionAttributeValues, ...filter.ExpressionAttributeValues },
          };
      return mergedPage(streams, query.queues && !query.owner ? 'dispatch' : 'newest', query.limit, query.cursor);
    },

    async findLastResolvers({ contactEmail, accountId, excludeCaseId }) {
      // Recent history only: the newest cases of the contact/account, resolved ones kept.
      const lastResolver = async (indexName: 'gsi3' | 'gsi4', partition: string) => {
        const res = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: indexName,
            KeyConditionExpression: `${indexName}pk = :pk`,
            FilterExpression: '#status = :resolved AND attribute_exists(#owner)',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: { ':pk': partition, ':resolved': 'resolved' },
            ScanIndexForward: false,
            Limit: HISTORY_DEPTH,
          }),
        );
        const hit = (res.Items ?? []).find((i) => i.caseId !== excludeCaseId);
        return typeof hit?.owner === 'string' ? hit.owner : undefined;
      };
      const [contactResolver, accountResolver] = await Promise.all([
        contactEmail ? lastResolver('gsi3', contactPartition(contactEmail)) : undefined,
        accountId ? lastResolver('gsi4', accountPartition(accountId)) : undefined,
      ]);
      return { ...(contactResolver ? { contactResolver } : {}), ...(accountResolver ? { accountResolver } : {}) };
    },

    async countQueued(queueId, max) {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const res = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
            ExpressionAttributeValues: { ':pk': queuePartition(queueId), ':prefix': statusPrefix('queued') },
            Select: 'COUNT',
            Limit: max - count,
            ExclusiveStartKey: start,
          }),
        );
        count += res.Count ?? 0;
        start = res.LastEvaluatedKey;
      } while (start && count < max);
      return count;
    },

    async listDue(kind, until, limit) {
      const items = await queryItems(
        client,
        {
          TableName: tableName,
          IndexName: 'gsi5',
          KeyConditionExpression: 'gsi5pk = :pk AND gsi5sk <= :until',
          ExpressionAttributeValues: { ':pk': duePartition(kind), ':until': dueUpTo(until) },
        },
        limit,
      );
      return items.map((i) => stripKeys<CaseRecord>(i));
    },

    async listQueued(queueId, limit) {
      const res = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
          ExpressionAttributeValues: { ':pk': queuePartition(queueId), ':prefix': statusPrefix('queued') },
          Limit: limit,
        }),
      );
      return (res.Items ?? []).map((i) => stripKeys<CaseRecord>(i));
    },
  };
}

function indexKeyOf(item: Item, indexName: string | undefined): StreamPosition {
  const key: StreamPosition = { pk: String(item.pk), sk: String(item.sk) };
  if (indexName) {
    key[`${indexName}pk`] = String(item[`${indexName}pk`]);
    key[`${indexName}sk`] = String(item[`${indexName}sk`]);
  }
  return key;
}
