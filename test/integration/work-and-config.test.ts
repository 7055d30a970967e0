import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureTable } from '../../lib/local/dynamodb-local.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ValidationError } from '../../functions/core/errors.js';
import type { Principal } from '../../functions/core/authz.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import type { UseCases } from '../../functions/composition/use-cases.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock, makeCase, ulidIds } from '../support/fixtures.js';

/**
 * Working a case and changing the configuration, against DynamoDB Local with the real use cases:
 * accept, decline (never offered again, rerouted at once), pulling the next case, status changes
 * that free capacity for the queue, and configuration changes that never strand a case.
 */
const db = await freshTable('work-and-config');
const ADMIN: Principal = { agentId: 'admin', roles: ['admin'] };
const as = (agentId: string): Principal => ({ agentId, roles: ['agent'] });

function configInput(over: Partial<RoutingConfigInput> = {}): RoutingConfigInput {
  return {
    territories: [{ id: 'all', name: 'All', match: {}, queue: 'q1' }],
    queues: [
      { id: 'q1', name: 'Q1', routing: 'least_busy', members: ['ann', 'bob'] },
      { id: 'q2', name: 'Q2', routing: 'least_busy', members: ['cat'] },
    ],
    agents: [
      { id: 'ann', name: 'Ann', email: 'ann@x.io', capacity: { web: 1 } },
      { id: 'bob', name: 'Bob', email: 'bob@x.io', capacity: { web: 1 } },
      { id: 'cat', name: 'Cat', email: 'cat@x.io', capacity: { web: 1 } },
      { id: 'admin', name: 'Admin', email: 'admin@x.io', roles: ['admin'] },
    ],
    ...over,
  };
}

let deps: AppDeps;
let uc: UseCases;
const clock = fixedClock('2026-11-23T10:00:00Z');
let tables = 0;

beforeEach(async () => {
  // A table of its own per test: queued cases of one test must not be dispatched in another.
  const tableName = `${db.tableName}-${++tables}`;
  await ensureTable(db.raw, tableName);
  const table = { client: db.client, tableName };
  deps = makeAppDeps({ table, alerts: { publish: async () => {} }, workflow: { startCase: async () => {} }, clock, ids: ulidIds() });
  uc = makeUseCases(deps);
  await deps.configs.put(parseRoutingConfig(configInput()), 0, 'test', clock.iso());
  return async () => {
    await db.raw.send(new DeleteTableCommand({ TableName: tableName }));
  };
});

async function newCase(over: Partial<CaseRecord> = {}): Promise<CaseRecord> {
  clock.advance(1000);
  const c = makeCase({ createdAt: clock.iso(), updatedAt: clock.iso(), queue: 'q1', territory: 'all', status: 'new', language: undefined, ...over });
  await deps.cases.create({ case: c, messages: [], events: [] });
  return c;
}

const load = async (id: string) => (await deps.agentStates.get(id))?.load.web ?? 0;

describe('working a case', () => {
  it('accept moves the offer to in_progress; only its owner may accept', async () => {
    await deps.agentStates.setPresence('ann', 'online', clock.iso());
    const c = await newCase();
    expect(await uc.routeCase(c.caseId)).toMatchObject({ status: 'assigned', owner: 'ann' });
    await expect(uc.workCase.accept(as('bob'), c.caseId)).rejects.toThrow('only the agent the case was offered to may accept it');
    const accepted = await uc.workCase.accept(as('ann'), c.caseId);
    expect(accepted).toMatchObject({ status: 'in_progress', owner: 'ann' });
    await expect(uc.workCase.accept(as('ann'), c.caseId)).rejects.toThrow(/is in_progress, not waiting for acceptance/);
    const history = await deps.cases.getWithHistory(c.caseId);
    expect(history?.events.map((e) => e.activity)).toContain('accepted');
  });

  it('a decline frees the capacity, excludes the agent for good, and reroutes at once', async () => {
    await deps.agentStates.setPresence('ann', 'online', clock.iso());
    await deps.agentStates.setPresence('bob', 'online', clock.iso());
    const c = await newCase();
    const first = await uc.routeCase(c.caseId);
    const other = first.owner === 'ann' ? 'bob' : 'ann';
    const rerouted = await uc.workCase.decline(as(first.owner!), c.caseId, 'not my area');
    expect(rerouted).toMatchObject({ status: 'assigned', owner: other });
    expect(await load(first.owner!)).toBe(0);
    const stored = await deps.cases.getWithHistory(c.caseId);
    expect(stored?.case.routing.excludedAgents).toEqual([first.owner]);
    expect(stored?.events.find((e) => e.activity === 'declined')?.details).toMatchObject({ agent: first.owner, reason: 'not my area' });

    // The other agent declines too: nobody left who has not declined ▶ the case waits, never offered back.
    const again = await uc.workCase.decline(as(other), c.caseId, undefined);
    expect(again).toMatchObject({ status: 'queued' });
    expect(await uc.dispatchToAgent(first.owner!)).toEqual([]);
  });

  it('next pulls the highest-priority, then oldest, waiting case', async () => {
    const low = await newCase({ priority: 'low' });
    const urgentLater = await newCase({ priority: 'critical' });
    const urgentEarlier = await newCase({ priority: 'critical', createdAt: '2026-11-23T09:00:00Z' });
    for (const c of [low, urgentLater, urgentEarlier]) expect((await uc.routeCase(c.caseId)).status).toBe('queued');
    await deps.agentStates.setPresence('cat', 'online', clock.iso());
    // cat is not a member of q1: nothing for her.
    expect(await uc.dispatchToAgent('cat', { max: 1 })).toEqual([]);
    await deps.agentStates.setPresence('ann', 'online', clock.iso());
    expect(await uc.dispatchToAgent('ann', { max: 1 })).toEqual([urgentEarlier.caseId]);
  });

  it('resolving frees capacity and the freed agent gets the next waiting case at once', async () => {
    await deps.agentStates.setPresence('bob', 'online', clock.iso());
    const a = await newCase();
    const b = await newCase();
    expect(await uc.routeCase(a.caseId)).toMatchObject({ owner: 'bob' });
    expect(await uc.routeCase(b.caseId)).toMatchObject({ status: 'queued' });
    await expect(uc.workCase.changeStatus(as('bob'), a.caseId, { status: 'closed_unresolved' })).rejects.toBeInstanceOf(ValidationError);
    const closed = await uc.workCase.changeStatus(as('bob'), a.caseId, { status: 'resolved', comment: 'fixed' });
    expect(closed.status).toBe('resolved');
    expect(await deps.cases.get(b.caseId)).toMatchObject({ status: 'assigned', owner: 'bob' });
    expect(await load('bob')).toBe(1);
    await expect(uc.workCase.changeStatus(as('bob'), b.caseId, { status: 'resolved', expectedVersion: 1 })).rejects.toThrow(/read it again/);
  });
});

describe('applying a configuration never strands a case', () => {
  it('reroutes cases of a removed queue, requeues cases of a removed agent, and dispatches to grown capacity', async () => {
    await deps.agentStates.setPresence('cat', 'online', clock.iso());
    await deps.agentStates.setPresence('bob', 'online', clock.iso());
    const inQ2 = await newCase({ queue: 'q2' });
    const waitingInQ2 = await newCase({ queue: 'q2' });
    expect(await uc.routeCase(inQ2.caseId)).toMatchObject({ owner: 'cat' });
    expect(await uc.routeCase(waitingInQ2.caseId)).toMatchObject({ status: 'queued', queue: 'q2' });
    const bobs = await newCase();
    expect(await uc.routeCase(bobs.caseId)).toMatchObject({ owner: 'bob' });
    const waitingInQ1 = await newCase();
    expect(await uc.routeCase(waitingInQ1.caseId)).toMatchObject({ status: 'queued', queue: 'q1' });

    // q2 disappears (cat moves to q1); bob leaves; ann gets capacity for two.
    const next = configInput({
      queues: [{ id: 'q1', name: 'Q1', routing: 'least_busy', members: ['ann', 'cat'] }],
      agents: [
        { id: 'ann', name: 'Ann', email: 'ann@x.io', capacity: { web: 2 } },
        { id: 'cat', name: 'Cat', email: 'cat@x.io', capacity: { web: 1 } },
        { id: 'admin', name: 'Admin', email: 'admin@x.io', roles: ['admin'] },
      ],
    });
    await deps.agentStates.setPresence('ann', 'online', clock.iso());
    const result = await uc.applyConfig(ADMIN, next);

    expect(result.reconciled.rerouted).toEqual([waitingInQ2.caseId]);
    // It went back to its territory's queue (q1), not to review.
    expect((await deps.cases.get(waitingInQ2.caseId))?.queue).toBe('q1');
    expect(result.reconciled.requeued).toEqual([bobs.caseId]);
    expect(await load('bob')).toBe(0);
    // Nothing is left waiting in a queue that no longer exists, nor with an agent who is gone.
    for (const id of [inQ2.caseId, waitingInQ2.caseId, bobs.caseId, waitingInQ1.caseId]) {
      const c = await deps.cases.get(id);
      expect(c?.queue === 'q2' && c.status === 'queued').toBe(false);
      expect(c?.owner).not.toBe('bob');
    }
    expect(await load('ann')).toBe(2);
    await expect(uc.applyConfig(as('ann'), next)).rejects.toThrow('admins only');
    await expect(uc.applyConfig(ADMIN, next, 1)).rejects.toThrow(/read it again/);
  });
});
