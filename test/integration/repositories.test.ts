/**
 * The case, configuration and rate-limit repositories against DynamoDB Local: what is written in
 * one transaction, what concurrency cannot break, and what a stale writer gets.
 * Listing and pagination: case-listing.test.ts; agent state and claims: assignment.test.ts.
 */
import { gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeCaseRepository } from '../../functions/adapters/case-repository.js';
import { makeConfigRepository } from '../../functions/adapters/config-repository.js';
import { caseKey, caseNumberKey, eventDayPartition, shardOf } from '../../functions/adapters/keys.js';
import { makeRateLimiter } from '../../functions/adapters/rate-limiter.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ConflictError, ValidationError } from '../../functions/core/errors.js';
import { freshTable } from '../support/dynamo.js';
import { makeCase, makeCreateCommand, makeDecision, makeEvent, makeMessage, makeRoutingConfigInput, minutesAfter } from '../support/fixtures.js';

const db = await freshTable('repositories');
const cases = makeCaseRepository(db.table);
// Its own table: the configuration is a singleton per table, and these tests start from none.
const configDb = await freshTable('config');
const configs = makeConfigRepository(configDb.table);

describe('case repository: create', () => {
  it('writes the case, its number pointer, messages and events together, and reads them back', async () => {
    const c = makeCase({ status: 'new', subject: 'Refund for order 1234', queue: 'billing' });
    const messages = [
      makeMessage(c.caseId, { text: 'first', at: minutesAfter(0) }),
      makeMessage(c.caseId, {
        text: 'second',
        at: minutesAfter(1),
        attachments: [{ name: 'a.pdf', contentType: 'application/pdf', size: 42, ref: 's3://raw/a.pdf' }],
      }),
    ];
    const events = [makeEvent(c.caseId, { activity: 'case_created' }), makeEvent(c.caseId, { activity: 'territory_stamped', details: { territory: 'uk' } })];

    const result = await cases.create({ case: c, messages, events });

    expect(result).toEqual({ created: true, case: c });
    const stored = await cases.getWithHistory(c.caseId);
    expect(stored?.case).toEqual(c);
    expect(sortBy(stored?.messages ?? [], 'messageId')).toEqual(sortBy(messages, 'messageId'));
    expect(sortBy(stored?.events ?? [], 'eventId')).toEqual(sortBy(events, 'eventId'));
    expect(stored?.decisions).toEqual([]);
    expect(await cases.get(c.caseId)).toEqual(c);
    expect(await cases.getByNumber(c.caseNumber)).toEqual(c);
  });

  it('keeps the index keys off the returned case but on the stored item', async () => {
    const c = makeCase({ owner: 'alice', status: 'assigned', queue: 'support' });
    await cases.create({ case: c, messages: [], events: [] });

    const raw = await db.client.send(new GetCommand({ TableName: db.tableName, Key: caseKey(c.caseId) }));
    expect(raw.Item).toMatchObject({ gsi1pk: 'OWNER#alice', gsi2pk: 'QUEUE#support', gsi6pk: `STATUS#assigned#${shardOf(c.caseId)}` });
    const read = await cases.get(c.caseId);
    expect(Object.keys(read ?? {}).filter((k) => /^(pk|sk|gsi\d|entity)/.test(k))).toEqual([]);
  });

  it('writes events to the events-by-day index', async () => {
    const c = makeCase();
    const event = makeEvent(c.caseId, { at: '2031-07-14T10:00:00.000Z', activity: 'case_created' });
    await cases.create({ case: c, messages: [], events: [event] });

    const byDay = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: 'gsi6',
        KeyConditionExpression: 'gsi6pk = :pk',
        ExpressionAttributeValues: { ':pk': eventDayPartition(event.at, shardOf(event.eventId)) },
      }),
    );
    expect(byDay.Items?.map((i) => i.eventId)).toEqual([event.eventId]);
  });

  it('writes nothing when any part fails: a case number already taken', async () => {
    const first = makeCreateCommand();
    await cases.create(first);
    const clash = makeCreateCommand({ caseNumber: first.case.caseNumber });

    await expect(cases.create(clash)).rejects.toMatchObject({ name: 'TransactionCanceledException' });

    expect(await cases.getWithHistory(clash.case.caseId)).toBeUndefined();
    expect((await cases.getByNumber(first.case.caseNumber))?.caseId).toBe(first.case.caseId);
  });

  it('finds nothing for an unknown id or number', async () => {
    expect(await cases.get('01UNKNOWN')).toBeUndefined();
    expect(await cases.getWithHistory('01UNKNOWN')).toBeUndefined();
    expect(await cases.getByNumber('99999999')).toBeUndefined();
  });

  it('returns every history item of a case with many events (more than one Query page is not lost)', async () => {
    const c = makeCase();
    // Each event carries ~20 KB, so the partition exceeds the 1 MB a single Query returns.
    const padding = 'x'.repeat(20_000);
    const events = Array.from({ length: 60 }, (_, i) => makeEvent(c.caseId, { activity: 'note_added', details: { padding, note: i } }));
    await cases.create({ case: c, messages: [], events });

    const stored = await cases.getWithHistory(c.caseId);
    expect(stored?.events).toHaveLength(60);
  });
});

describe('case repository: case numbers', () => {
  it('allocates 50 distinct consecutive numbers under 50 concurrent allocations', async () => {
    const numbers = await Promise.all(Array.from({ length: 50 }, () => cases.allocateCaseNumber()));

    expect(numbers.every((n) => /^\d{8}$/.test(n))).toBe(true);
    const sorted = numbers.map(Number).sort((a, b) => a - b);
    expect(new Set(sorted).size).toBe(50);
    expect(sorted[49]! - sorted[0]!).toBe(49);
  });

  it('keeps counting up after earlier allocations', async () => {
    const a = Number(await cases.allocateCaseNumber());
    const b = Number(await cases.allocateCaseNumber());
    expect(b).toBe(a + 1);
    expect(a).toBeGreaterThanOrEqual(1000);
  });
});

describe('case repository: idempotency', () => {
  const idempotency = (key: string) => ({ scope: 'web', key, expiresAt: Math.floor(Date.parse('2031-01-01') / 1000) });

  it('creates exactly one case for two concurrent creates with the same key; the loser learns the winner', async () => {
    const key = `submission-${Date.now()}`;
    const a = makeCreateCommand({}, { idempotency: idempotency(key) });
    const b = makeCreateCommand({}, { idempotency: idempotency(key) });

    const results = await Promise.all([cases.create(a), cases.create(b)]);

    const winners = results.filter((r) => r.created);
    const losers = results.filter((r) => !r.created);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winnerId = winners[0]!.created ? winners[0]!.case.caseId : '';
    expect(losers[0]).toEqual({ created: false, existingCaseId: winnerId });
    const loserId = winnerId === a.case.caseId ? b.case.caseId : a.case.caseId;
    expect(await cases.get(loserId)).toBeUndefined();
    expect(await cases.get(winnerId)).toBeDefined();
  });

  it('returns the first case to a retry long after, and creates for a different key', async () => {
    const first = await cases.create(makeCreateCommand({}, { idempotency: idempotency('k-retry') }));
    const retry = await cases.create(makeCreateCommand({}, { idempotency: idempotency('k-retry') }));
    const other = await cases.create(makeCreateCommand({}, { idempotency: idempotency('k-other') }));

    expect(first.created).toBe(true);
    expect(retry).toEqual({ created: false, existingCaseId: first.created ? first.case.caseId : '' });
    expect(other.created).toBe(true);
  });

  it('scopes keys: the same key in another scope creates its own case', async () => {
    const web = await cases.create(makeCreateCommand({}, { idempotency: { ...idempotency('shared'), scope: 'web' } }));
    const email = await cases.create(makeCreateCommand({}, { idempotency: { ...idempotency('shared'), scope: 'email' } }));
    expect([web.created, email.created]).toEqual([true, true]);
  });

  it('stores the idempotency record with its TTL attribute', async () => {
    const expiresAt = Math.floor(Date.parse('2031-02-03') / 1000);
    await cases.create(makeCreateCommand({}, { idempotency: { scope: 'web', key: 'ttl-check', expiresAt } }));
    const raw = await db.client.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'IDEMP#web#ttl-check', sk: 'IDEMP' } }));
    expect(raw.Item?.expiresAt).toBe(expiresAt);
  });
});

describe('case repository: update', () => {
  it('replaces the case at the expected version, bumps the version and appends events and decisions', async () => {
    const c = makeCase({ status: 'new', version: 1 });
    await cases.create({ case: c, messages: [], events: [makeEvent(c.caseId, { activity: 'case_created' })] });

    const queued = { ...c, status: 'queued' as const, queue: 'support', updatedAt: minutesAfter(5) };
    const event = makeEvent(c.caseId, { activity: 'queued', at: minutesAfter(5) });
    const decision = makeDecision(c.caseId, { kind: 'territory', outcome: 'uk' });
    const written = await cases.update(queued, 1, [event], [decision]);

    expect(written).toEqual({ ...queued, version: 2 });
    const stored = await cases.getWithHistory(c.caseId);
    expect(stored?.case).toEqual(written);
    expect(stored?.events.map((e) => e.activity).sort()).toEqual(['case_created', 'queued']);
    expect(stored?.decisions).toEqual([decision]);
  });

  it('refuses a stale version with ConflictError and leaves case and history untouched', async () => {
    const c = makeCase({ version: 1 });
    await cases.create({ case: c, messages: [], events: [] });
    await cases.update({ ...c, subject: 'first writer' }, 1, [makeEvent(c.caseId, { activity: 'priority_changed' })]);

    const stale = cases.update({ ...c, subject: 'second writer' }, 1, [makeEvent(c.caseId, { activity: 'status_changed' })]);

    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    const stored = await cases.getWithHistory(c.caseId);
    expect(stored?.case).toMatchObject({ subject: 'first writer', version: 2 });
    expect(stored?.events.map((e) => e.activity)).toEqual(['priority_changed']);
  });

  it('lets exactly one of several concurrent writers at the same version win', async () => {
    const c = makeCase({ version: 1 });
    await cases.create({ case: c, messages: [], events: [] });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        cases.update({ ...c, subject: `writer ${i}` }, 1, [makeEvent(c.caseId, { activity: 'status_changed', details: { writer: i } })]),
      ),
    );

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => o.reason instanceof ConflictError)).toBe(true);
    const stored = await cases.getWithHistory(c.caseId);
    expect(stored?.events).toHaveLength(1);
    expect(stored?.case.subject).toBe((won[0] as PromiseFulfilledResult<{ subject: string }>).value.subject);
  });

  it('refuses to update a case that does not exist', async () => {
    await expect(cases.update(makeCase(), 1, [])).rejects.toBeInstanceOf(ConflictError);
  });

  it('moves the case between owner, queue and status indexes (old index entries disappear)', async () => {
    const c = makeCase({ status: 'queued', queue: 'moves', version: 1 });
    await cases.create({ case: c, messages: [], events: [] });
    expect((await cases.listQueued('moves', 10)).map((x) => x.caseId)).toEqual([c.caseId]);

    await cases.update({ ...c, status: 'assigned', owner: 'mover' }, 1, []);

    expect(await cases.listQueued('moves', 10)).toEqual([]);
    const mine = await cases.list({ owner: 'mover', statuses: ['assigned'], limit: 10 });
    expect(mine.items.map((x) => x.caseId)).toEqual([c.caseId]);
  });

  it('keeps the number pointer valid across updates', async () => {
    const c = makeCase({ version: 1 });
    await cases.create({ case: c, messages: [], events: [] });
    await cases.update({ ...c, status: 'queued' }, 1, []);
    const raw = await db.client.send(new GetCommand({ TableName: db.tableName, Key: caseNumberKey(c.caseNumber) }));
    expect(raw.Item?.caseId).toBe(c.caseId);
    expect((await cases.getByNumber(c.caseNumber))?.status).toBe('queued');
  });
});

describe('config repository', () => {
  it('stores versions, refuses a stale writer and returns the newest', async () => {
    expect(await configs.getCurrent()).toBeUndefined();

    const v1 = parseRoutingConfig(makeRoutingConfigInput());
    const stored1 = await configs.put(v1, 0, 'admin-1', '2025-03-03T09:00:00.000Z');
    expect(stored1).toMatchObject({ version: 1, appliedBy: 'admin-1' });

    const v2 = parseRoutingConfig(makeRoutingConfigInput({ priorities: ['urgent', 'normal'], defaultPriority: 'normal' }));
    const stored2 = await configs.put(v2, 1, 'admin-2', '2025-03-03T10:00:00.000Z');
    expect(stored2.version).toBe(2);

    // A second admin who loaded version 1 must not overwrite version 2.
    await expect(configs.put(v1, 1, 'admin-3', '2025-03-03T11:00:00.000Z')).rejects.toBeInstanceOf(ConflictError);
    // Nor may anyone "create" a first version again.
    await expect(configs.put(v1, 0, 'admin-3', '2025-03-03T11:00:00.000Z')).rejects.toBeInstanceOf(ConflictError);

    const current = await configs.getCurrent();
    expect(current).toEqual({ version: 2, config: v2, appliedAt: '2025-03-03T10:00:00.000Z', appliedBy: 'admin-2' });
    expect(current?.config.priorities).toEqual(['urgent', 'normal']);

    const history = await configDb.client.send(
      new QueryCommand({
        TableName: configDb.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': 'CONFIG', ':v': 'V#' },
      }),
    );
    expect(history.Items?.map((i) => [i.sk, i.appliedBy])).toEqual([
      ['V#00000001', 'admin-1'],
      ['V#00000002', 'admin-2'],
    ]);
  });

  it('reads the applied version from the small pointer item, and the document only when the version is new to it', async () => {
    const db = await freshTable('config-reads');
    const asked: string[] = [];
    // A reader whose every request is written down: which items its GetItems ask for.
    const recording = {
      send: (command: { input: { Key?: Record<string, string> } }) => {
        if (command.input.Key) asked.push(command.input.Key.sk ?? '');
        return db.client.send(command as never);
      },
    } as unknown as typeof db.client;
    const reader = makeConfigRepository({ client: recording, tableName: db.tableName });
    const writer = makeConfigRepository(db.table);
    const v1 = parseRoutingConfig(makeRoutingConfigInput());
    await writer.put(v1, 0, 'admin-1', '2025-03-03T09:00:00.000Z');

    expect((await reader.getCurrent())?.version).toBe(1);
    expect(asked).toEqual(['POINTER', 'V#00000001']);
    asked.length = 0;
    const again = await reader.getCurrent();
    expect(asked).toEqual(['POINTER']);
    expect(again).toEqual({ version: 1, config: v1, appliedAt: '2025-03-03T09:00:00.000Z', appliedBy: 'admin-1' });
    // What a caller does to its copy is not what the next caller reads.
    again!.config.priorities.push('changed');
    expect((await reader.getCurrent())?.config.priorities).toEqual(v1.priorities);

    // Applied elsewhere (another function): the next read sees it, with no wait.
    const v2 = parseRoutingConfig(makeRoutingConfigInput({ priorities: ['urgent', 'normal'], defaultPriority: 'normal' }));
    await writer.put(v2, 1, 'admin-2', '2025-03-03T10:00:00.000Z');
    asked.length = 0;
    expect((await reader.getCurrent())?.config.priorities).toEqual(['urgent', 'normal']);
    expect(asked).toEqual(['POINTER', 'V#00000002']);
  });

  it('reads a configuration applied before the pointer existed', async () => {
    const db = await freshTable('config-before-pointer');
    const v1 = parseRoutingConfig(makeRoutingConfigInput());
    await db.client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          pk: 'CONFIG',
          sk: 'CURRENT',
          entity: 'config',
          version: 3,
          configGz: gzipSync(JSON.stringify(v1)),
          appliedAt: '2025-01-01T00:00:00.000Z',
          appliedBy: 'old',
        },
      }),
    );
    const repo = makeConfigRepository(db.table);
    expect(await repo.getCurrent()).toEqual({ version: 3, config: v1, appliedAt: '2025-01-01T00:00:00.000Z', appliedBy: 'old' });
    await repo.put(v1, 3, 'admin', '2025-01-02T00:00:00.000Z');
    expect((await repo.getCurrent())?.version).toBe(4);
  });

  it('lets only one of two concurrent admins at the same version win', async () => {
    const current = await configs.getCurrent();
    const base = current?.version ?? 0;
    const doc = parseRoutingConfig(makeRoutingConfigInput());
    const outcomes = await Promise.allSettled([
      configs.put(doc, base, 'racer-a', '2025-03-04T09:00:00.000Z'),
      configs.put(doc, base, 'racer-b', '2025-03-04T09:00:00.000Z'),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    expect((await configs.getCurrent())?.version).toBe(base + 1);
  });

  it('names the JSON path at fault when a document does not parse', () => {
    const doc = makeRoutingConfigInput({
      agents: [{ id: 'alice', name: 'Alice', email: 'not-an-email' }],
      queues: [{ id: 'support', name: 'Support' }],
    });
    const error = thrownBy(() => parseRoutingConfig(doc));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['agents.0.email']);
    expect((thrownBy(() => parseRoutingConfig({ queues: [] })) as ValidationError).issues.map((i) => i.field)).toEqual(['queues']);
  });

  it('names the path of a reference to something undefined', () => {
    const doc = makeRoutingConfigInput({ territories: [{ id: 'uk', name: 'UK', match: {}, queue: 'nowhere' }] });
    const error = thrownBy(() => parseRoutingConfig(doc));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ field: 'territories.0.queue', message: 'unknown queue nowhere' }]);
  });
});

describe('rate limiter', () => {
  const limiter = makeRateLimiter(db.table);

  it('allows `limit` hits at once, refuses the next, and gives budget back one hit per window/limit', async () => {
    const key = `ip-${Date.now()}`;
    const start = new Date('2025-03-03T09:00:00.000Z');
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

    // At one instant: hits stamped with different instants but arriving in another order are judged in
    // arrival order (a later-stamped hit first pushes the schedule from its own clock), as GCRA does.
    const first = await Promise.all(Array.from({ length: 3 }, () => limiter.hit('web-ip', key, 3, 60, at(0))));
    expect(first.map((r) => r.allowed)).toEqual([true, true, true]);

    // Three per minute is one per 20 s: the budget is back for one more hit at 20 s, whatever the clock minute.
    const fourth = await limiter.hit('web-ip', key, 3, 60, at(3));
    expect(fourth).toEqual({ allowed: false, retryAfterSeconds: 17 });
    expect((await limiter.hit('web-ip', key, 3, 60, at(19))).allowed).toBe(false);
    expect(await limiter.hit('web-ip', key, 3, 60, at(20))).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect((await limiter.hit('web-ip', key, 3, 60, at(20))).allowed).toBe(false);
  });

  it('counts concurrent hits exactly: of 20 simultaneous hits with limit 5, 5 are allowed', async () => {
    const now = new Date('2025-03-03T10:00:10.000Z');
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.hit('web-email', 'burst@example.com', 5, 3600, now)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    for (const r of results.filter((x) => !x.allowed)) {
      expect(r.retryAfterSeconds).toBeGreaterThan(0);
      expect(r.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('keeps keys and scopes apart, and expires buckets by TTL once they are full again', async () => {
    const now = new Date('2025-03-03T11:00:00.000Z');
    expect((await limiter.hit('web-ip', 'a', 1, 60, now)).allowed).toBe(true);
    expect((await limiter.hit('web-ip', 'b', 1, 60, now)).allowed).toBe(true);
    expect((await limiter.hit('web-email', 'a', 1, 60, now)).allowed).toBe(true);
    expect((await limiter.hit('web-ip', 'a', 1, 60, now)).allowed).toBe(false);

    const seconds = Math.floor(now.getTime() / 1000);
    const raw = await db.client.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'RATE#web-ip#a', sk: 'GCRA' } }));
    expect(raw.Item).toMatchObject({ tat: now.getTime() + 60_000, expiresAt: seconds + 120 });
  });
});

function sortBy<T, K extends keyof T>(items: readonly T[], key: K): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
