/**
 * Sharded index partitions against DynamoDB Local (docs/architecture.md#sharded-partitions): items
 * written before sharding, in the bare partitions, stay readable beside the sharded ones by every
 * reader (status listings page by page, due work, absent agents, a day's events, open cases), and
 * `migrateToShards` moves them to their shards without changing what any reader returns.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeAgentStateRepository } from '../../functions/adapters/agent-state-repository.js';
import { caseItem, eventItem, makeCaseRepository } from '../../functions/adapters/case-repository.js';
import {
  UNSHARDED,
  agentStateKey,
  caseKey,
  caseStatusPartition,
  casePartition,
  duePartition,
  eventDayPartition,
  eventSortKey,
  shardOf,
} from '../../functions/adapters/keys.js';
import { makeReportReader } from '../../functions/adapters/report-reader.js';
import { migrateToShards } from '../../functions/adapters/shard-migration.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { freshTable } from '../support/dynamo.js';
import { makeCase, makeEvent } from '../support/fixtures.js';

const db = await freshTable('shards');
const cases = makeCaseRepository(db.table);
const agents = makeAgentStateRepository(db.table);
const reports = makeReportReader(db.table);

const DAY = '2031-03-04';
const at = (minute: number) => `${DAY}T09:${String(minute).padStart(2, '0')}:00.000Z`;
const DUE_UNTIL = `${DAY}T23:59:59.000Z`;

/** Cases written now (sharded) and "before sharding": the same item with the index keys of then. */
const shardedCases = Array.from({ length: 6 }, (_, i) =>
  makeCase({ status: 'assigned', owner: `agent-${i}`, createdAt: at(2 * i), due: { kind: 'accept', at: at(30 + i) } }),
);
const legacyCases = Array.from({ length: 5 }, (_, i) =>
  makeCase({ status: 'assigned', owner: `agent-${i}`, createdAt: at(2 * i + 1), due: { kind: 'accept', at: at(40 + i) } }),
);
const shardedEvents = shardedCases.map((c, i) => makeEvent(c.caseId, { at: at(10 + 2 * i), activity: 'assigned' }));
const legacyEvents = legacyCases.map((c, i) => makeEvent(c.caseId, { at: at(11 + 2 * i), activity: 'assigned' }));

async function writeLegacy(): Promise<void> {
  for (const c of legacyCases) {
    await db.client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...caseItem(c), gsi6pk: caseStatusPartition(c.status, UNSHARDED), gsi5pk: duePartition('accept', UNSHARDED) },
      }),
    );
  }
  for (const e of legacyEvents) {
    await db.client.send(new PutCommand({ TableName: db.tableName, Item: { ...eventItem(e), gsi6pk: eventDayPartition(e.at, UNSHARDED) } }));
  }
  // An agent away since before sharding.
  await db.client.send(
    new PutCommand({
      TableName: db.tableName,
      Item: {
        ...agentStateKey('old-agent'),
        entity: 'agentState',
        agentId: 'old-agent',
        presence: 'away',
        presenceSince: at(5),
        load: {},
        version: 1,
        gsi5pk: duePartition('absent', UNSHARDED),
        gsi5sk: `${at(5)}#old-agent`,
      },
    }),
  );
}

async function pageThroughAssigned(limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await cases.list({ statuses: ['assigned'], limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((c) => c.caseId));
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

const newestFirst = (list: CaseRecord[]) => [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((c) => c.caseId);
const all = [...shardedCases, ...legacyCases];

async function expectEveryReaderSeesAll(): Promise<void> {
  for (const limit of [1, 2, 3, 20]) expect(await pageThroughAssigned(limit)).toEqual(newestFirst(all));
  const due = await cases.listDue('accept', DUE_UNTIL, 100);
  expect(due.map((c) => c.due?.at)).toEqual([...all].map((c) => c.due?.at).sort());
  // The first three due, exactly: the merge across shards takes each shard's earliest.
  expect((await cases.listDue('accept', DUE_UNTIL, 3)).map((c) => c.caseId)).toEqual(due.slice(0, 3).map((c) => c.caseId));
  expect((await agents.listAbsent(DUE_UNTIL, 10)).map((a) => a.agentId)).toContain('old-agent');
  const events = await reports.listEventsOfDay(DAY);
  expect(events.map((e) => e.eventId)).toEqual([...shardedEvents, ...legacyEvents].sort((a, b) => a.at.localeCompare(b.at)).map((e) => e.eventId));
  expect(new Set((await reports.listOpenCases()).map((c) => c.caseId))).toEqual(new Set(all.map((c) => c.caseId)));
}

describe('items written before sharding', () => {
  it('spread the new ones over several shards (the test would prove nothing on one)', () => {
    expect(new Set(shardedCases.map((c) => shardOf(c.caseId))).size).toBeGreaterThan(1);
  });

  it('are read beside the sharded ones by every reader, in order, page by page', async () => {
    for (const [i, c] of shardedCases.entries()) await cases.create({ case: c, messages: [], events: [shardedEvents[i]!] });
    await writeLegacy();
    await expectEveryReaderSeesAll();
  });

  it('move to their shards with migrateToShards, and every reader still sees the same', async () => {
    const first = await migrateToShards(db.table, [DAY]);
    expect(first).toEqual({ moved: legacyCases.length + legacyEvents.length + legacyCases.length + 1, skipped: 0 });

    const c = legacyCases[0]!;
    const stored = await db.client.send(new GetCommand({ TableName: db.tableName, Key: caseKey(c.caseId) }));
    expect(stored.Item).toMatchObject({ gsi6pk: caseStatusPartition('assigned', shardOf(c.caseId)), gsi5pk: duePartition('accept', shardOf(c.caseId)) });
    const e = legacyEvents[0]!;
    const event = await db.client.send(new GetCommand({ TableName: db.tableName, Key: { pk: casePartition(e.caseId), sk: eventSortKey(e.eventId) } }));
    expect(event.Item?.gsi6pk).toBe(eventDayPartition(e.at, shardOf(e.eventId)));
    const agent = await db.client.send(new GetCommand({ TableName: db.tableName, Key: agentStateKey('old-agent') }));
    expect(agent.Item?.gsi5pk).toBe(duePartition('absent', shardOf('old-agent')));

    await expectEveryReaderSeesAll();
    expect(await migrateToShards(db.table, [DAY])).toEqual({ moved: 0, skipped: 0 });
  });
});
