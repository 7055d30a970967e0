/**
 * Case listings against DynamoDB Local: by owner, by queues (several merged, dispatch order), by
 * status, and the queue's dispatch order. Listings merge several index partitions ("streams") into
 * one list with one cursor, so each is paged through with many page sizes and compared, item by
 * item, with the order computed here independently.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCaseRepository } from '../../functions/adapters/case-repository.js';
import { encodeCursor } from '../../functions/adapters/pagination.js';
import { ownerPartition, statusPrefix } from '../../functions/adapters/keys.js';
import type { CaseRecord, CaseStatus } from '../../functions/core/case.js';
import { CASE_STATUSES, OPEN_STATUSES } from '../../functions/core/case.js';
import { ValidationError } from '../../functions/core/errors.js';
import type { CaseQuery, CaseRepository, Page } from '../../functions/core/ports/repositories.js';
import { freshTable } from '../support/dynamo.js';
import { makeCase, minutesAfter } from '../support/fixtures.js';

const db = await freshTable('listing');
const cases = makeCaseRepository(db.table);
// A status listing spans every case in its table, so it gets a table of its own.
const statusDb = await freshTable('listing-status');

const PAGE_SIZES = [1, 2, 3, 5, 7, 10, 100];

/** DynamoDB compares string keys by bytes; for these ASCII keys that is plain `<`. */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const newestFirst = (a: CaseRecord, b: CaseRecord) => byteOrder(b.createdAt, a.createdAt) || byteOrder(b.caseId, a.caseId);
const dispatchOrder = (a: CaseRecord, b: CaseRecord) => a.priorityRank - b.priorityRank || byteOrder(a.createdAt, b.createdAt) || byteOrder(a.caseId, b.caseId);

async function seed(records: CaseRecord[]): Promise<CaseRecord[]> {
  await Promise.all(records.map((c) => cases.create({ case: c, messages: [], events: [] })));
  return records;
}

/**
 * Follows cursors to the end. Every page but the last must be full (a short or empty page in the
 * middle means the merge stopped early), and the last page carries no cursor.
 */
async function pageThrough(repo: CaseRepository, query: Omit<CaseQuery, 'limit' | 'cursor'>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page > 1000) throw new Error('pagination does not end');
    const result = await repo.list({ ...query, limit, ...(cursor ? { cursor } : {}) });
    expect(result.items.length).toBeLessThanOrEqual(limit);
    ids.push(...result.items.map((c) => c.caseId));
    if (!result.cursor) return ids;
    expect(result.items, `page ${page} of size ${limit} is short but has a cursor`).toHaveLength(limit);
    cursor = result.cursor;
  }
}

function expectEachOnceInOrder(actual: string[], expected: CaseRecord[]): void {
  expect(new Set(actual).size, 'a case appears twice').toBe(actual.length);
  expect(actual).toEqual(expected.map((c) => c.caseId));
}

describe('list by owner', () => {
  const owner = `owner-${ulid()}`;
  const statuses: CaseStatus[] = ['assigned', 'in_progress', 'on_hold', 'resolved', 'closed_unresolved'];
  let mine: CaseRecord[] = [];
  beforeAll(async () => {
    // 23 cases over 11 distinct minutes: ties on createdAt within and across statuses.
    mine = await seed(Array.from({ length: 23 }, (_, i) => makeCase({ owner, status: statuses[i % statuses.length]!, createdAt: minutesAfter((i * 7) % 11) })));
    // Someone else's cases must never leak in.
    await seed([makeCase({ owner: `other-${ulid()}`, status: 'assigned' }), makeCase({ status: 'queued', queue: 'support' })]);
  });

  it.each(PAGE_SIZES)('returns every case of every status exactly once, newest first (page size %i)', async (limit) => {
    expectEachOnceInOrder(await pageThrough(cases, { owner }, limit), [...mine].sort(newestFirst));
  });

  it.each([1, 4, 100])('filters by statuses (page size %i)', async (limit) => {
    const wanted: CaseStatus[] = ['in_progress', 'on_hold'];
    const expected = mine.filter((c) => wanted.includes(c.status)).sort(newestFirst);
    expect(expected.length).toBeGreaterThan(5);
    expectEachOnceInOrder(await pageThrough(cases, { owner, statuses: wanted }, limit), expected);
  });

  it('returns one page without a cursor when everything fits, and an empty page for an owner with nothing', async () => {
    const all = await cases.list({ owner, limit: 23 });
    expect(all.items).toHaveLength(23);
    expect(all.cursor).toBeUndefined();
    expect(await cases.list({ owner: `nobody-${ulid()}`, limit: 5 })).toEqual({ items: [] });
  });
});

describe('list by owner: ids that are not ULIDs', () => {
  // Imported or legacy ids mix cases. DynamoDB sorts `case-a` after `case-D` (bytes), while a
  // locale-aware comparison would put it before; a merge must follow DynamoDB's order or it skips
  // and repeats items.
  const owner = `owner-${ulid()}`;
  const at = minutesAfter(0);
  let mine: CaseRecord[] = [];
  beforeAll(async () => {
    mine = await seed([
      makeCase({ caseId: `case-B-${owner}`, owner, status: 'assigned', createdAt: at }),
      makeCase({ caseId: `case-a-${owner}`, owner, status: 'assigned', createdAt: at }),
      makeCase({ caseId: `case-D-${owner}`, owner, status: 'assigned', createdAt: at }),
      makeCase({ caseId: `case-c-${owner}`, owner, status: 'assigned', createdAt: at }),
      makeCase({ caseId: `case-Z-${owner}`, owner, status: 'in_progress', createdAt: minutesAfter(1) }),
      makeCase({ caseId: `case-e-${owner}`, owner, status: 'in_progress', createdAt: at }),
    ]);
  });

  it.each([1, 2, 3, 4, 10])('keeps DynamoDB byte order across streams (page size %i)', async (limit) => {
    const expected = [...mine].sort(newestFirst);
    expect(expected.map((c) => c.caseId.slice(0, 6))).toEqual(['case-Z', 'case-e', 'case-c', 'case-a', 'case-D', 'case-B']);
    expectEachOnceInOrder(await pageThrough(cases, { owner }, limit), expected);
  });
});

describe('list by queues', () => {
  const [q1, q2, q3] = [`q1-${ulid()}`, `q2-${ulid()}`, `q3-${ulid()}`];
  const priorities = ['critical', 'high', 'medium', 'low'];
  const statuses: CaseStatus[] = ['queued', 'queued', 'assigned', 'needs_review', 'queued'];
  let seeded: CaseRecord[] = [];
  beforeAll(async () => {
    seeded = await seed(
      Array.from({ length: 30 }, (_, i) =>
        makeCase({
          queue: [q1, q2, q3][i % 3]!,
          status: statuses[i % statuses.length]!,
          priority: priorities[(i * 5) % 4]!,
          createdAt: minutesAfter((i * 13) % 9),
          ...(statuses[i % statuses.length] === 'assigned' ? { owner: 'someone' } : {}),
        }),
      ),
    );
  });
  const inQueues = (queues: string[]) => seeded.filter((c) => queues.includes(c.queue!));

  it.each(PAGE_SIZES)('merges several queues in dispatch order: priority, then age (page size %i)', async (limit) => {
    const expected = inQueues([q1, q2])
      .filter((c) => c.status === 'queued')
      .sort(dispatchOrder);
    expect(new Set(expected.map((c) => c.priority)).size).toBeGreaterThan(2);
    expectEachOnceInOrder(await pageThrough(cases, { queues: [q1, q2], statuses: ['queued'] }, limit), expected);
  });

  it.each([1, 3, 8, 100])('merges every status of the queues when no status is given (page size %i)', async (limit) => {
    const expected = inQueues([q1, q2, q3]).sort(dispatchOrder);
    expect(expected).toHaveLength(30);
    expectEachOnceInOrder(await pageThrough(cases, { queues: [q1, q2, q3] }, limit), expected);
  });

  it('returns a single queue on its own, and nothing for no queues', async () => {
    const expected = inQueues([q3])
      .filter((c) => c.status === 'needs_review' || c.status === 'queued')
      .sort(dispatchOrder);
    expectEachOnceInOrder(await pageThrough(cases, { queues: [q3], statuses: ['queued', 'needs_review'] }, 2), expected);
    expect(await cases.list({ queues: [], limit: 10 })).toEqual({ items: [] });
  });
});

describe('list by status (no owner, no queue)', () => {
  const repo = makeCaseRepository(statusDb.table);
  let seeded: CaseRecord[] = [];
  beforeAll(async () => {
    seeded = Array.from({ length: 26 }, (_, i) =>
      makeCase({ status: CASE_STATUSES[i % CASE_STATUSES.length]!, createdAt: minutesAfter((i * 5) % 13), queue: 'support' }),
    );
    await Promise.all(seeded.map((c) => repo.create({ case: c, messages: [], events: [] })));
  });

  it.each(PAGE_SIZES)('defaults to the open statuses, newest first (page size %i)', async (limit) => {
    const expected = seeded.filter((c) => OPEN_STATUSES.includes(c.status)).sort(newestFirst);
    expect(expected.length).toBeLessThan(seeded.length);
    expectEachOnceInOrder(await pageThrough(repo, {}, limit), expected);
  });

  it.each([1, 2, 50])('lists the statuses asked for, closed ones included (page size %i)', async (limit) => {
    const expected = seeded.filter((c) => c.status === 'resolved' || c.status === 'queued').sort(newestFirst);
    expectEachOnceInOrder(await pageThrough(repo, { statuses: ['resolved', 'queued'] }, limit), expected);
  });

  it('returns whole cases, filtered on the fields the status index carries, though it carries little else', async () => {
    const expected = seeded.filter((c) => c.status === 'resolved' || c.status === 'queued').sort(newestFirst);
    const { priority, channel } = expected[0]!;
    const page = await repo.list({ statuses: ['resolved', 'queued'], priorities: [priority], channels: [channel], limit: 100 });
    expect(page.items).toEqual(expected.filter((c) => c.priority === priority && c.channel === channel));
    expect(page.items[0]?.subject).toBe(expected[0]?.subject);
  });
});

describe('list: pages cut short by DynamoDB (1 MB per Query)', () => {
  // Long email bodies make big cases. A Query stops at 1 MB even below its Limit, so one stream
  // can come back short while another returns a full page: the merge must not run ahead of it.
  const owner = `owner-${ulid()}`;
  const big = 'x'.repeat(300_000);
  let mine: CaseRecord[] = [];
  beforeAll(async () => {
    mine = await seed([
      // The big ones are the newest: a page of small older ones must wait until they are all through.
      ...Array.from({ length: 8 }, (_, i) => makeCase({ owner, status: 'assigned', createdAt: minutesAfter(20 + i), description: big })),
      ...Array.from({ length: 10 }, (_, i) => makeCase({ owner, status: 'in_progress', createdAt: minutesAfter(i) })),
    ]);
  });

  it('still returns every case once, in order', async () => {
    // The premise: DynamoDB Local really cuts the big stream short.
    const probe = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':pk': ownerPartition(owner), ':prefix': statusPrefix('assigned') },
        ScanIndexForward: false,
        Limit: 7,
      }),
    );
    expect(probe.Items?.length).toBeLessThan(7);
    expect(probe.LastEvaluatedKey).toBeDefined();

    const expected = [...mine].sort(newestFirst);
    for (const limit of [6, 9]) {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await cases.list({ owner, limit, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        expect(page.items.length).toBeGreaterThan(0);
        ids.push(...page.items.map((c) => c.caseId));
        cursor = page.cursor;
      } while (cursor);
      expectEachOnceInOrder(ids, expected);
    }
  });
});

describe('list: cursors', () => {
  const ownerA = `owner-${ulid()}`;
  const ownerB = `owner-${ulid()}`;
  let firstPageOfA: Page<CaseRecord> = { items: [] };
  beforeAll(async () => {
    await seed([
      ...Array.from({ length: 5 }, (_, i) => makeCase({ owner: ownerA, status: 'assigned', createdAt: minutesAfter(i) })),
      ...Array.from({ length: 5 }, (_, i) => makeCase({ owner: ownerB, status: 'assigned', createdAt: minutesAfter(i) })),
    ]);
    firstPageOfA = await cases.list({ owner: ownerA, statuses: ['assigned'], limit: 2 });
  });

  async function expectCursorRejected(query: CaseQuery): Promise<void> {
    const error = await cases.list(query).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['cursor']);
  }

  it('continues where the previous page stopped', async () => {
    expect(firstPageOfA.cursor).toEqual(expect.any(String));
    const second = await cases.list({ owner: ownerA, statuses: ['assigned'], limit: 2, cursor: firstPageOfA.cursor! });
    expect(second.items.map((c) => c.createdAt)).toEqual([minutesAfter(2), minutesAfter(1)]);
  });

  it.each([
    ['text that is not base64 JSON', 'not a cursor!'],
    ['JSON null', encodeCursor(null)],
    ['a JSON string', encodeCursor('assigned')],
    ['a JSON array', encodeCursor([1, 2])],
    ['a position that is not a key', encodeCursor({ 'o:assigned': 'oops' })],
    ['a position with non-string values', encodeCursor({ 'o:assigned': { pk: 1, sk: 2 } })],
    ['a stream this query does not have', encodeCursor({ 'x:assigned': null })],
  ])('refuses %s with a ValidationError on `cursor`', async (_label, cursor) => {
    await expectCursorRejected({ owner: ownerA, statuses: ['assigned'], limit: 2, cursor });
  });

  it('refuses a cursor of another kind of listing instead of silently starting over', async () => {
    await expectCursorRejected({ queues: ['support'], limit: 2, cursor: firstPageOfA.cursor! });
    await expectCursorRejected({ statuses: ['assigned'], limit: 2, cursor: firstPageOfA.cursor! });
  });

  it("refuses another owner's cursor", async () => {
    await expectCursorRejected({ owner: ownerB, statuses: ['assigned'], limit: 2, cursor: firstPageOfA.cursor! });
  });

  it('refuses a limit below 1', async () => {
    await expect(cases.list({ owner: ownerA, limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('listQueued', () => {
  const queue = `dispatch-${ulid()}`;
  let queued: CaseRecord[] = [];
  beforeAll(async () => {
    queued = await seed([
      makeCase({ queue, status: 'queued', priority: 'low', createdAt: minutesAfter(0) }),
      makeCase({ queue, status: 'queued', priority: 'critical', createdAt: minutesAfter(9) }),
      makeCase({ queue, status: 'queued', priority: 'medium', createdAt: minutesAfter(1) }),
      makeCase({ queue, status: 'queued', priority: 'critical', createdAt: minutesAfter(3) }),
      makeCase({ queue, status: 'queued', priority: 'high', createdAt: minutesAfter(2) }),
      makeCase({ queue, status: 'queued', priority: 'medium', createdAt: minutesAfter(0) }),
    ]);
    // In the same queue but not waiting: never offered for dispatch.
    await seed([
      makeCase({ queue, status: 'assigned', owner: 'alice', priority: 'critical', createdAt: minutesAfter(0) }),
      makeCase({ queue, status: 'needs_review', priority: 'critical', createdAt: minutesAfter(0) }),
      makeCase({ queue: `${queue}-other`, status: 'queued', priority: 'critical' }),
    ]);
  });

  it('returns the waiting cases by priority rank, then oldest first', async () => {
    const result = await cases.listQueued(queue, 50);
    expect(result.map((c) => [c.priority, c.createdAt])).toEqual([
      ['critical', minutesAfter(3)],
      ['critical', minutesAfter(9)],
      ['high', minutesAfter(2)],
      ['medium', minutesAfter(0)],
      ['medium', minutesAfter(1)],
      ['low', minutesAfter(0)],
    ]);
    expect(result).toEqual([...queued].sort(dispatchOrder));
  });

  it('returns at most `limit`, the most urgent first', async () => {
    const result = await cases.listQueued(queue, 2);
    expect(result.map((c) => c.priority)).toEqual(['critical', 'critical']);
  });
});
