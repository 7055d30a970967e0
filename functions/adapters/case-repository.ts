import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchGetCommandOutput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CaseMessage, CaseRecord, CaseStatus } from '../core/case.js';
import type { CaseEvent } from '../core/events.js';
import { CASE_STATUSES, OPEN_STATUSES, caseAsWritten, formatCaseNumber } from '../core/case.js';
import { ValidationError } from '../core/errors.js';
import type { CaseQuery, CaseRepository, CaseWithHistory, CreateCaseCommand, CreateCaseResult, StoredDecision } from '../core/ports/repositories.js';
import {
  casesByAccount,
  casesByContact,
  casesByOwner,
  casesByStatus,
  casesBySubjectWord,
  casesInQueue,
  caseWithHistory,
  dueWork,
  queuedInQueue,
  returnsWholeItems,
} from './access-patterns.js';
import { conflictOnFailedCondition, createOnce, failedAt } from './conditional-writes.js';
import type { TableRef } from './dynamo.js';
import { stripKeys } from './dynamo.js';
import {
  SORT_PREFIX,
  UNSHARDED,
  caseIndexKeys,
  caseKey,
  caseNumberCounterKey,
  caseNumberKey,
  casePartition,
  decisionSortKey,
  eventIndexKeys,
  eventSortKey,
  idempotencyKey,
  messageSortKey,
  subjectWordKey,
} from './keys.js';
import { subjectWords } from '../core/subject-words.js';
import type { Stream } from './pagination.js';
import { countItems, decodeCursor, encodeCursor, mergedPage, queryItems, queryShards } from './pagination.js';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** How many of a customer's newest cases customer-history routing looks at. */
const HISTORY_DEPTH = 25;

/** Retries of an idempotent create that keeps colliding with a concurrent twin. */
const IDEMPOTENT_CREATE_RETRIES = 5;

/** DynamoDB's transaction limit; a case write with more events than this is split by the caller. */
const MAX_TRANSACTION_ITEMS = 100;

/** The case a conditional replace at `expectedVersion` stores and returns: the next version, its hold settled by caseAsWritten, its history count started again. */
export function writtenCase<C extends CaseRecord>(next: C, expectedVersion: number): C {
  // The write starts the case's history count again (historyTouch): the version moves instead.
  const { historyRevision: _historyRevision, ...fields } = caseAsWritten(next);
  return { ...fields, version: expectedVersion + 1 } as C;
}

/** The case's item: a Put replaces the whole item, so a field the case no longer has (a hold it left) is removed. */
export function caseItem(c: CaseRecord): Item {
  // A write of the case item starts its history count again (historyTouch): the version moves instead.
  const { historyRevision: _historyRevision, ...fields } = caseAsWritten(c);
  return {
    ...caseKey(c.caseId),
    entity: 'case',
    ...fields,
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
    ...eventIndexKeys(e.at, e.eventId),
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

/**
 * History written without a write of the case item (a customer's message, an event, an outbound
 * mail) counts itself on the case item, in the same transaction: the case's ETag, derived from the
 * case item alone (version and historyRevision), changes with its history. The case must exist.
 */
export function historyTouch(tableName: string, caseId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: caseKey(caseId),
      UpdateExpression: 'ADD #revision :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#revision': 'historyRevision' },
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
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

/** The case ids of index items, in their order (each index projects `caseId`: table-definition.ts). */
function caseIdsOf(items: readonly { caseId?: unknown }[] | undefined): string[] {
  return (items ?? []).flatMap((i) => (typeof i.caseId === 'string' ? [i.caseId] : []));
}

export function makeCaseRepository({ client, tableName }: TableRef): CaseRepository {
  async function getCase(caseId: string): Promise<CaseRecord | undefined> {
    const res = await client.send(new GetCommand({ TableName: tableName, Key: caseKey(caseId), ConsistentRead: true }));
    return res.Item ? stripKeys<CaseRecord>(res.Item) : undefined;
  }

  /** Whole cases by id (BatchGetItem, eventually consistent), in the order asked: what an index's trimmed projection points at. */
  async function getMany(caseIds: readonly string[]): Promise<CaseRecord[]> {
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
      const idem = command.idempotency;
      // Two submissions of the same key at the same instant: in DynamoDB one transaction wins and
      // the other is cancelled with TransactionConflict (not a failed condition); createOnce looks
      // for the winner's record after a short pause and tries again if it is not there yet.
      const outcome = await createOnce({
        write: async () => {
          await client.send(new TransactWriteCommand({ TransactItems: items }));
        },
        // The idempotency record is the last item.
        lostTheKey: (codes) => !!idem && failedAt(codes, codes.length - 1),
        existing: async () => {
          if (!idem) return undefined;
          const existing = await client.send(new GetCommand({ TableName: tableName, Key: idempotencyKey(idem.scope, idem.key), ConsistentRead: true }));
          const caseId = existing.Item?.caseId;
          return typeof caseId === 'string' ? caseId : undefined;
        },
        contentionRetries: idem ? IDEMPOTENT_CREATE_RETRIES : 0,
      });
      return outcome.created ? { created: true, case: c } : { created: false, existingCaseId: outcome.existingId };
    },

    get: getCase,

    async getWithHistory(caseId: string): Promise<CaseWithHistory | undefined> {
      const items = await queryItems(client, { TableName: tableName, ...caseWithHistory(caseId), ConsistentRead: true });
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
          ...casesByContact(email),
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return getMany(caseIdsOf(res.Items));
    },

    async findBySubjectWord(term, limit, cursor) {
      const query = casesBySubjectWord(term);
      const pk = query.ExpressionAttributeValues[':pk'];
      const start = decodeCursor<Record<string, unknown>>(cursor);
      if (cursor && (!start || start.pk !== pk)) throw new ValidationError([{ field: 'cursor', message: 'the cursor does not belong to this search' }]);
      const res = await client.send(
        new QueryCommand({
          TableName: tableName,
          ...query,
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

    getMany,

    async getByNumber(caseNumber: string) {
      const res = await client.send(new GetCommand({ TableName: tableName, Key: caseNumberKey(caseNumber) }));
      const caseId = res.Item?.caseId;
      return typeof caseId === 'string' ? getCase(caseId) : undefined;
    },

    async update(next, expectedVersion, events, decisions = []) {
      const written = writtenCase(next, expectedVersion);
      await conflictOnFailedCondition(
        () =>
          client.send(
            new TransactWriteCommand({
              TransactItems: [casePutIfVersion(tableName, written, expectedVersion), ...historyPuts(tableName, events, decisions)],
            }),
          ),
        versionConflict(next.caseId, expectedVersion),
      );
      return written;
    },

    async addMessage(next, expectedVersion, message, events) {
      const written = writtenCase(next, expectedVersion);
      await conflictOnFailedCondition(
        () =>
          client.send(
            new TransactWriteCommand({
              TransactItems: [
                casePutIfVersion(tableName, written, expectedVersion),
                { Put: { TableName: tableName, Item: messageItem(message), ConditionExpression: 'attribute_not_exists(pk)' } },
                ...historyPuts(tableName, events),
              ],
            }),
          ),
        versionConflict(next.caseId, expectedVersion),
      );
      return written;
    },

    async list(query) {
      const statuses = statusesOf(query);
      const streams: Stream[] = [];
      if (query.owner) {
        for (const status of statuses) streams.push({ id: `o:${status}`, query: casesByOwner(query.owner, status) });
      } else if (query.queues) {
        for (const queue of query.queues) {
          for (const status of statuses) streams.push({ id: `q:${queue}:${status}`, query: casesInQueue(queue, status) });
        }
      } else {
        // Each status is sharded: one stream per shard (`s:<status>:<shard>`), and `s:<status>` for
        // the partition of cases written before sharding.
        for (const status of statuses) {
          for (const { shard, query: shardQuery } of casesByStatus(status)) {
            streams.push({ id: shard === UNSHARDED ? `s:${status}` : `s:${status}:${shard}`, query: shardQuery });
          }
        }
      }
      const filter = listFilter(query);
      if (filter)
        for (const stream of streams)
          stream.query = {
            ...stream.query,
            ...filter,
            ExpressionAttributeValues: { ...stream.query.ExpressionAttributeValues, ...filter.ExpressionAttributeValues },
          };
      const page = await mergedPage<CaseRecord>(client, tableName, streams, query.queues && !query.owner ? 'dispatch' : 'newest', query.limit, query.cursor);
      if (streams.every((stream) => returnsWholeItems(stream.query.IndexName))) return page;
      // The status index carries the listing's keys and filter fields only: the page's cases come from the table.
      return { ...page, items: await getMany(caseIdsOf(page.items)) };
    },

    async findLastResolvers({ contactEmail, accountId, excludeCaseId }) {
      // Recent history only: the newest cases of the contact/account, resolved ones kept.
      const lastResolver = async (history: ReturnType<typeof casesByContact>) => {
        const res = await client.send(
          new QueryCommand({
            TableName: tableName,
            ...history,
            FilterExpression: '#status = :resolved AND attribute_exists(#owner)',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: { ...history.ExpressionAttributeValues, ':resolved': 'resolved' },
            ScanIndexForward: false,
            Limit: HISTORY_DEPTH,
          }),
        );
        const hit = (res.Items ?? []).find((i) => i.caseId !== excludeCaseId);
        return typeof hit?.owner === 'string' ? hit.owner : undefined;
      };
      const [contactResolver, accountResolver] = await Promise.all([
        contactEmail ? lastResolver(casesByContact(contactEmail)) : undefined,
        accountId ? lastResolver(casesByAccount(accountId)) : undefined,
      ]);
      return { ...(contactResolver ? { contactResolver } : {}), ...(accountResolver ? { accountResolver } : {}) };
    },

    countQueued: (queueId, max) => countItems(client, { TableName: tableName, ...queuedInQueue(queueId) }, max),

    async listDue(kind, until, limit) {
      return getMany(caseIdsOf(await queryShards(client, tableName, dueWork(kind, until), limit)));
    },

    async listQueued(queueId, limit) {
      const res = await client.send(new QueryCommand({ TableName: tableName, ...queuedInQueue(queueId), Limit: limit }));
      return (res.Items ?? []).map((i) => stripKeys<CaseRecord>(i));
    },
  };
}

const versionConflict = (caseId: string, expectedVersion: number) => `case ${caseId} changed since version ${expectedVersion}`;
