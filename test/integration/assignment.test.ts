/**
 * Agents' live state and the atomic assignment against DynamoDB Local: a claim moves the case and
 * reserves the agent's capacity together or not at all, and no concurrency can overbook an agent.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { makeAgentStateRepository } from '../../functions/adapters/agent-state-repository.js';
import { makeAssignmentStore } from '../../functions/adapters/assignment-store.js';
import { makeCaseRepository } from '../../functions/adapters/case-repository.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { ConflictError } from '../../functions/core/errors.js';
import type { AssignmentStore, ClaimResult } from '../../functions/core/ports/repositories.js';
import { freshTable } from '../support/dynamo.js';
import { makeCase, makeDecision, makeEvent, minutesAfter } from '../support/fixtures.js';

const db = await freshTable('assignment');
const agents = makeAgentStateRepository(db.table);
const cases = makeCaseRepository(db.table);
const assignments = makeAssignmentStore(db.table);

const newAgentId = () => `agent-${ulid().toLowerCase()}`;

async function onlineAgent(): Promise<string> {
  const agentId = newAgentId();
  await agents.setPresence(agentId, 'online', minutesAfter(0));
  return agentId;
}

async function queuedCase(overrides: Partial<CaseRecord> = {}): Promise<CaseRecord> {
  const c = makeCase({ status: 'queued', queue: 'support', channel: 'web', version: 1, ...overrides });
  await cases.create({ case: c, messages: [], events: [] });
  return c;
}

/** The claim as the assignment use case makes it: the case, assigned to `agentId`, at its version. */
function claimFor(c: CaseRecord, agentId: string, capacity = 5, store: AssignmentStore = assignments): Promise<ClaimResult> {
  return store.claim({
    next: { ...c, status: 'assigned', owner: agentId, updatedAt: minutesAfter(1) },
    expectedVersion: c.version,
    agentId,
    channel: c.channel,
    capacity,
    at: minutesAfter(1),
    events: [makeEvent(c.caseId, { activity: 'assigned', at: minutesAfter(1), details: { agentId } })],
    decisions: [makeDecision(c.caseId, { outcome: agentId })],
  });
}

describe('agent state', () => {
  it('creates the state on first presence with zero load everywhere', async () => {
    const agentId = newAgentId();
    const state = await agents.setPresence(agentId, 'online', minutesAfter(0));

    expect(state).toEqual({
      agentId,
      presence: 'online',
      presenceSince: minutesAfter(0),
      load: { email: 0, web: 0, phone: 0, chat: 0 },
      version: 1,
    });
    expect(await agents.get(agentId)).toEqual(state);
  });

  it('moves presenceSince only on a real change, and keeps the load', async () => {
    const agentId = await onlineAgent();
    expect((await claimFor(await queuedCase(), agentId)).claimed).toBe(true);

    const repeated = await agents.setPresence(agentId, 'online', minutesAfter(30));
    expect(repeated.presenceSince).toBe(minutesAfter(0));

    const away = await agents.setPresence(agentId, 'away', minutesAfter(45));
    expect(away).toMatchObject({ presence: 'away', presenceSince: minutesAfter(45), load: { web: 1, email: 0 } });

    const back = await agents.setPresence(agentId, 'online', minutesAfter(50));
    expect(back).toMatchObject({ presence: 'online', presenceSince: minutesAfter(50), load: { web: 1 } });
    expect(await agents.get(agentId)).toEqual(back);
  });

  it('returns undefined for an agent never seen', async () => {
    expect(await agents.get(newAgentId())).toBeUndefined();
  });

  it('reads more than 100 agents at once (BatchGetItem takes 100 keys per call)', async () => {
    const ids = Array.from({ length: 130 }, newAgentId);
    await Promise.all(ids.map((id, i) => agents.setPresence(id, i % 2 ? 'online' : 'away', minutesAfter(i))));
    const unknown = [newAgentId(), newAgentId()];

    const found = await agents.getMany([...ids, ...unknown, ids[0]!, ids[129]!]);

    expect(found.size).toBe(130);
    expect([...found.keys()].sort()).toEqual([...ids].sort());
    expect(found.get(ids[7]!)).toMatchObject({ presence: 'online', presenceSince: minutesAfter(7) });
    expect(found.get(ids[128]!)).toMatchObject({ presence: 'away', load: { web: 0 } });
    expect(await agents.getMany([])).toEqual(new Map());
  });
});

describe('assignment claim', () => {
  it('moves the case to the agent and reserves one unit of the channel, in one step', async () => {
    const agentId = await onlineAgent();
    const c = await queuedCase();

    const result = await claimFor(c, agentId);

    expect(result).toEqual({ claimed: true, case: { ...c, status: 'assigned', owner: agentId, updatedAt: minutesAfter(1), version: 2 } });
    const stored = await cases.getWithHistory(c.caseId);
    expect(stored?.case).toMatchObject({ owner: agentId, status: 'assigned', version: 2 });
    expect(stored?.events.map((e) => e.activity)).toEqual(['assigned']);
    expect(stored?.decisions.map((d) => d.outcome)).toEqual([agentId]);
    expect(await agents.get(agentId)).toMatchObject({ load: { web: 1, email: 0 }, lastAssignedAt: minutesAfter(1), version: 2 });
  });

  it('refuses an agent who is not online, and changes nothing', async () => {
    const agentId = await onlineAgent();
    await agents.setPresence(agentId, 'offline', minutesAfter(0));
    const c = await queuedCase();

    expect(await claimFor(c, agentId)).toEqual({ claimed: false, reason: 'agent_unavailable' });

    const stored = await cases.getWithHistory(c.caseId);
    expect(stored?.case).toEqual(c);
    expect(stored?.events).toEqual([]);
    expect((await agents.get(agentId))?.load.web).toBe(0);
  });

  it('refuses an agent whose state does not exist', async () => {
    expect(await claimFor(await queuedCase(), newAgentId())).toEqual({ claimed: false, reason: 'agent_unavailable' });
  });

  it('refuses an agent at capacity for the channel, but not for another channel', async () => {
    const agentId = await onlineAgent();
    for (let i = 0; i < 2; i++) expect((await claimFor(await queuedCase(), agentId, 2)).claimed).toBe(true);

    expect(await claimFor(await queuedCase(), agentId, 2)).toEqual({ claimed: false, reason: 'agent_unavailable' });
    expect((await claimFor(await queuedCase({ channel: 'email' }), agentId, 2)).claimed).toBe(true);
    expect((await agents.get(agentId))?.load).toEqual({ email: 1, web: 2, phone: 0, chat: 0 });
  });

  it('refuses a claim made on a stale case version, and reserves nothing', async () => {
    const agentId = await onlineAgent();
    const c = await queuedCase();
    await cases.update({ ...c, priority: 'high', priorityRank: 1 }, 1, []);

    expect(await claimFor(c, agentId)).toEqual({ claimed: false, reason: 'case_changed' });

    expect((await agents.get(agentId))?.load.web).toBe(0);
    expect((await cases.get(c.caseId))?.owner).toBeUndefined();
  });

  it('gives one case to one agent when two agents race for it', async () => {
    const [a, b] = [await onlineAgent(), await onlineAgent()];
    const c = await queuedCase();

    const results = await Promise.all([claimFor(c, a), claimFor(c, b)]);

    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.find((r) => !r.claimed)).toEqual({ claimed: false, reason: 'case_changed' });
    const winner = (await cases.get(c.caseId))?.owner;
    const loads = await agents.getMany([a, b]);
    expect(loads.get(winner!)?.load.web).toBe(1);
    expect(loads.get(winner === a ? b : a)?.load.web).toBe(0);
  });

  it('never exceeds capacity: 40 cases claimed concurrently against 4 agents of web capacity 5', async () => {
    const team = await Promise.all(Array.from({ length: 4 }, onlineAgent));
    const backlog = await Promise.all(Array.from({ length: 40 }, (_, i) => queuedCase({ createdAt: minutesAfter(i) })));

    // Every case tries the agents in its own ranked order, moving on when one is full, as the
    // assignment use case does; all 40 run at once.
    const outcomes = await Promise.all(
      backlog.map(async (c, i) => {
        for (let k = 0; k < team.length; k++) {
          const agentId = team[(i + k) % team.length]!;
          const result = await claimFor(c, agentId, 5);
          if (result.claimed || result.reason === 'case_changed') return { caseId: c.caseId, agentId, result };
        }
        return { caseId: c.caseId, agentId: undefined, result: undefined };
      }),
    );

    const claimed = outcomes.filter((o) => o.result?.claimed);
    expect(claimed).toHaveLength(20);
    expect(outcomes.filter((o) => o.result === undefined)).toHaveLength(20);

    const states = await agents.getMany(team);
    for (const agentId of team) {
      expect(states.get(agentId)?.load.web, `load of ${agentId}`).toBe(5);
      const owned = await cases.list({ owner: agentId, statuses: ['assigned'], limit: 100 });
      expect(owned.items).toHaveLength(5);
    }
    const unclaimed = outcomes.filter((o) => !o.result?.claimed);
    for (const { caseId } of unclaimed) expect(await cases.get(caseId)).toMatchObject({ status: 'queued', version: 1 });
  });
});

describe('assignment under transaction conflicts', () => {
  // AWS DynamoDB cancels a transaction that overlaps another one on the same item with
  // TransactionConflict; DynamoDB Local serialises transactions and never does. This client
  // passes everything to DynamoDB Local but cancels the first `conflicts` transactions that way.
  function conflictingClient(conflicts: number): { client: DynamoDBDocumentClient; cancelled: () => number } {
    let cancelled = 0;
    const client = {
      send(command: unknown) {
        if (command instanceof TransactWriteCommand && cancelled < conflicts) {
          cancelled++;
          const items = command.input.TransactItems ?? [];
          const error = Object.assign(new Error('Transaction cancelled'), {
            name: 'TransactionCanceledException',
            CancellationReasons: items.map((_, i) => ({ Code: i === 1 ? 'TransactionConflict' : 'None' })),
          });
          return Promise.reject(error);
        }
        return db.client.send(command as TransactWriteCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    return { client, cancelled: () => cancelled };
  }

  it('retries a claim cancelled by a conflict on the agent, and claims once', async () => {
    const agentId = await onlineAgent();
    const c = await queuedCase();
    const { client, cancelled } = conflictingClient(2);
    const store = makeAssignmentStore({ client, tableName: db.tableName });

    const result = await claimFor(c, agentId, 5, store);

    expect(result.claimed).toBe(true);
    expect(cancelled()).toBe(2);
    expect((await agents.get(agentId))?.load.web).toBe(1);
  });

  it('reports a lost race, not an error, when the agent stays contended', async () => {
    const agentId = await onlineAgent();
    const c = await queuedCase();
    const store = makeAssignmentStore({ client: conflictingClient(100).client, tableName: db.tableName });

    const result = await claimFor(c, agentId, 5, store);

    expect(result).toEqual({ claimed: false, reason: 'agent_unavailable' });
    expect((await agents.get(agentId))?.load.web).toBe(0);
  });

  it('retries a release cancelled by a conflict', async () => {
    const agentId = await onlineAgent();
    const claim = await claimFor(await queuedCase(), agentId);
    if (!claim.claimed) throw new Error('setup claim failed');
    const store = makeAssignmentStore({ client: conflictingClient(1).client, tableName: db.tableName });

    await store.release({ next: { ...claim.case, status: 'resolved' }, expectedVersion: 2, agentId, channel: 'web', events: [] });

    expect((await agents.get(agentId))?.load.web).toBe(0);
    expect((await cases.get(claim.case.caseId))?.status).toBe('resolved');
  });
});

describe('assignment release', () => {
  it('gives back one unit while updating the case, and appends its events', async () => {
    const agentId = await onlineAgent();
    const claim = await claimFor(await queuedCase(), agentId);
    if (!claim.claimed) throw new Error('setup claim failed');

    const resolved = await assignments.release({
      next: { ...claim.case, status: 'resolved', updatedAt: minutesAfter(10) },
      expectedVersion: claim.case.version,
      agentId,
      channel: 'web',
      events: [makeEvent(claim.case.caseId, { activity: 'resolved', at: minutesAfter(10) })],
    });

    expect(resolved).toMatchObject({ status: 'resolved', version: 3 });
    expect((await agents.get(agentId))?.load.web).toBe(0);
    const stored = await cases.getWithHistory(claim.case.caseId);
    expect(stored?.case).toEqual(resolved);
    expect(stored?.events.map((e) => e.activity).sort()).toEqual(['assigned', 'resolved']);
  });

  it('never takes the load below zero, and still updates the case', async () => {
    const agentId = await onlineAgent();
    // A case owned by the agent without a reserved unit (e.g. assigned before the load was reset).
    const c = await queuedCase({ status: 'assigned', owner: agentId });

    const closed = await assignments.release({
      next: { ...c, status: 'closed_unresolved' },
      expectedVersion: 1,
      agentId,
      channel: 'web',
      events: [makeEvent(c.caseId, { activity: 'resolved' })],
    });

    expect(closed).toMatchObject({ status: 'closed_unresolved', version: 2 });
    expect((await agents.get(agentId))?.load.web).toBe(0);
    expect((await cases.getWithHistory(c.caseId))?.events.map((e) => e.activity)).toEqual(['resolved']);
  });

  it('keeps concurrent releases exact: 5 units, 5 releases at once ▶ load 0', async () => {
    const agentId = await onlineAgent();
    const claims = await Promise.all(Array.from({ length: 5 }, async () => claimFor(await queuedCase(), agentId)));
    expect((await agents.get(agentId))?.load.web).toBe(5);

    await Promise.all(
      claims.map((claim) => {
        if (!claim.claimed) throw new Error('setup claim failed');
        const next = { ...claim.case, status: 'resolved' as const };
        return assignments.release({ next, expectedVersion: 2, agentId, channel: 'web', events: [] });
      }),
    );

    expect((await agents.get(agentId))?.load.web).toBe(0);
  });

  it('refuses a stale case version with ConflictError and gives nothing back', async () => {
    const agentId = await onlineAgent();
    const claim = await claimFor(await queuedCase(), agentId);
    if (!claim.claimed) throw new Error('setup claim failed');

    const next = { ...claim.case, status: 'resolved' as const };
    const stale = assignments.release({ next, expectedVersion: 1, agentId, channel: 'web', events: [] });

    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect((await agents.get(agentId))?.load.web).toBe(1);
    expect((await cases.get(claim.case.caseId))?.status).toBe('assigned');
  });
});
