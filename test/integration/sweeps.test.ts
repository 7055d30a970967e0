/**
 * The sweep against DynamoDB Local with a clock the test moves: offers not accepted in time, absent
 * agents, end of shift, on-hold limits and the dispatch backstop. Each test asserts what moved, what
 * did not, why (the events), and that capacity followed the cases.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../functions/core/authz.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { Notification } from '../../functions/core/ports/notifications.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import { freshTable } from '../support/dynamo.js';
import { FIXED_START, fixedClock, makeCreateCommand, makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('sweeps');
/** Monday 2025-03-03 09:00 UTC. */
const clock = fixedClock(FIXED_START);
const notifications: Notification[] = [];
const started: { caseId: string; generation?: number }[] = [];

const CONFIG: RoutingConfigInput = makeRoutingConfigInput({
  businessHours: [{ id: 'office', timezone: 'UTC', weekly: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] } }],
  queues: [
    { id: 'support', name: 'Support', routing: 'least_busy', members: ['alice', 'bob'] },
    { id: 'late', name: 'Late desk', routing: 'least_busy', members: ['carol', 'dave'], reassignAtEndOfShift: true },
    { id: 'quiet', name: 'Quiet queue', routing: 'least_busy', members: ['erin'] },
  ],
  agents: [
    { id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { web: 5 }, supervisor: 'sam' },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', capacity: { web: 5 } },
    { id: 'carol', name: 'Carol', email: 'carol@example.com', capacity: { web: 5 }, businessHours: 'office' },
    { id: 'dave', name: 'Dave', email: 'dave@example.com', capacity: { web: 5 } },
    { id: 'erin', name: 'Erin', email: 'erin@example.com', capacity: { web: 5 }, businessHours: 'office' },
    { id: 'sam', name: 'Sam', email: 'sam@example.com', roles: ['agent', 'manager'], capacity: { web: 5 } },
  ],
  territories: [{ id: 'uk', name: 'UK', match: { countries: ['GB'] }, queue: 'support' }],
  sweeps: { acceptTimeout: 'PT5M', absentAfter: 'PT15M', onHoldMax: 'P3D', relaxSkillsAfter: 'PT30M' },
});

const deps: AppDeps = makeAppDeps({
  table: db.table,
  clock,
  alerts: { publish: async () => undefined },
  notifier: { notify: async (n) => void notifications.push(n) },
  workflow: { startCase: async (caseId, o) => void started.push({ caseId, ...o }) },
});
const uc = makeUseCases(deps);
await deps.configs.put(parseRoutingConfig(CONFIG), 0, 'sweeps-test', clock.iso());

async function presence(agentId: string, p: 'online' | 'away' | 'offline') {
  await deps.agentStates.setPresence(agentId, p, clock.iso());
}

/** A queued case in `queue`, created now. */
async function queued(queue = 'support', overrides: Partial<CaseRecord> = {}): Promise<CaseRecord> {
  const command = makeCreateCommand({
    status: 'queued',
    queue,
    territory: 'uk',
    channel: 'web',
    createdAt: clock.iso(),
    updatedAt: clock.iso(),
    account: undefined,
    contact: { email: `c-${Math.random().toString(36).slice(2)}@example.org` },
    routing: { excludedAgents: [], attempts: 0, queuedAt: clock.iso() },
    ...overrides,
  });
  const result = await deps.cases.create(command);
  if (!result.created) throw new Error('not created');
  return result.case;
}

/** Everyone offline and idle but those named, who come online. */
async function onlyOnline(...agents: string[]) {
  for (const a of ['alice', 'bob', 'carol', 'dave', 'erin', 'sam']) await presence(a, agents.includes(a) ? 'online' : 'offline');
}

const load = async (agentId: string) => (await deps.agentStates.get(agentId))?.load.web ?? 0;
const get = async (caseId: string) => (await deps.cases.get(caseId))!;
const eventsOf = async (caseId: string) => (await deps.cases.getWithHistory(caseId))!.events;
const as = (agentId: string): Principal => ({ agentId, roles: ['agent'] });

/** Marks every absence handled so far as handled, so each test sees only its own. */
async function settleAbsences() {
  await uc.sweep({ parts: ['absentAgents'] });
}

describe('offers not accepted in time', () => {
  it('are taken back after acceptTimeout, the agent excluded, and routed on; each exactly once however many sweeps run', async () => {
    clock.set('2025-03-03T10:00:00.000Z');
    await onlyOnline('alice');
    await settleAbsences();
    const c = await queued();
    expect(await uc.routeCase(c.caseId)).toMatchObject({ status: 'assigned', owner: 'alice' });
    const offered = await get(c.caseId);
    expect(offered.due).toEqual({ kind: 'accept', at: '2025-03-03T10:05:00.000Z' });
    await presence('bob', 'online');

    clock.set('2025-03-03T10:04:59.000Z');
    expect((await uc.sweep({ parts: ['acceptTimeouts'] })).acceptTimeouts).toEqual([]);

    clock.set('2025-03-03T10:05:00.000Z');
    // Two sweeps at once, as overlapping scheduler runs would be.
    const [one, two] = await Promise.all([uc.sweep({ parts: ['acceptTimeouts'] }), uc.sweep({ parts: ['acceptTimeouts'] })]);
    const results = [...one.acceptTimeouts, ...two.acceptTimeouts].filter((r) => r.caseId === c.caseId);
    expect(results.filter((r) => r.moved)).toEqual([expect.objectContaining({ from: 'alice', status: 'assigned', owner: 'bob' })]);

    const after = await get(c.caseId);
    expect(after).toMatchObject({ status: 'assigned', owner: 'bob', due: { kind: 'accept', at: '2025-03-03T10:10:00.000Z' } });
    expect(after.routing.excludedAgents).toEqual(['alice']);
    const expired = (await eventsOf(c.caseId)).filter((e) => e.activity === 'offer_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.details).toMatchObject({
      cause: 'accept_timeout',
      from: 'alice',
      excluded: 'alice',
      reason: 'alice did not accept the offer within PT5M (due 2025-03-03T10:05:00.000Z)',
    });
    expect(expired[0]!.actor).toEqual({ kind: 'system', id: 'sweep' });
    expect(await load('alice')).toBe(0);
    expect(await load('bob')).toBe(1);
  });

  it('an accepted offer is not due any more', async () => {
    clock.set('2025-03-03T11:00:00.000Z');
    await onlyOnline('alice');
    const c = await queued();
    await uc.routeCase(c.caseId);
    await uc.workCase.accept(as('alice'), c.caseId);
    expect((await get(c.caseId)).due).toBeUndefined();
    clock.set('2025-03-03T11:30:00.000Z');
    const report = await uc.sweep({ parts: ['acceptTimeouts'] });
    expect(report.acceptTimeouts.find((r) => r.caseId === c.caseId)).toBeUndefined();
    expect(await get(c.caseId)).toMatchObject({ status: 'in_progress', owner: 'alice' });
  });
});

describe('absent agents', () => {
  it('have their assigned and in-progress cases routed to others after absentAfter; on-hold cases stay; handled once', async () => {
    clock.set('2025-03-03T12:00:00.000Z');
    await onlyOnline('alice');
    await settleAbsences();
    const working = [await queued(), await queued()];
    const held = await queued();
    for (const c of [...working, held]) await uc.routeCase(c.caseId);
    for (const c of [...working, held]) await uc.workCase.accept(as('alice'), c.caseId);
    await uc.workCase.changeStatus(as('alice'), held.caseId, { status: 'on_hold', reason: 'waiting for the customer' });
    const before = await load('alice');
    expect(before).toBeGreaterThanOrEqual(3);

    // Alice goes offline at 12:00; bob is there.
    await presence('alice', 'offline');
    await presence('bob', 'online');

    clock.set('2025-03-03T12:14:59.000Z');
    expect((await uc.sweep({ parts: ['absentAgents'] })).absentAgents.filter((a) => a.agentId === 'alice')).toEqual([]);

    clock.set('2025-03-03T12:15:00.000Z');
    const report = await uc.sweep({ parts: ['absentAgents'] });
    const alice = report.absentAgents.find((a) => a.agentId === 'alice')!;
    expect(alice).toMatchObject({ since: '2025-03-03T12:00:00.000Z' });
    // Every case alice was working moved (these two, and any an earlier test left her); the held one did not.
    expect(alice.cases.map((r) => [r.caseId, r.moved, r.owner])).toEqual(expect.arrayContaining(working.map((c) => [c.caseId, true, 'bob'])));
    expect(alice.cases.every((r) => r.moved && r.owner === 'bob')).toBe(true);
    expect(alice.cases.map((r) => r.caseId)).not.toContain(held.caseId);
    for (const c of working) {
      expect(await get(c.caseId)).toMatchObject({ owner: 'bob', status: 'assigned' });
      expect((await eventsOf(c.caseId)).find((e) => e.activity === 'reassigned')!.details).toMatchObject({
        cause: 'owner_absent',
        from: 'alice',
        reason: 'alice has been offline since 2025-03-03T12:00:00.000Z (longer than absentAfter PT15M)',
      });
    }
    expect(await get(held.caseId)).toMatchObject({ owner: 'alice', status: 'on_hold' });
    expect(await load('alice')).toBe(before - alice.cases.length);
    expect(await load('alice')).toBe(1);

    // Handled: the next sweep does not read alice again until her presence changes.
    clock.set('2025-03-03T12:30:00.000Z');
    expect((await uc.sweep({ parts: ['absentAgents'] })).absentAgents.find((a) => a.agentId === 'alice')).toBeUndefined();
    expect(await deps.agentStates.listAbsent(clock.iso(), 100)).not.toContainEqual(expect.objectContaining({ agentId: 'alice' }));
    await presence('alice', 'online');
    expect(await deps.agentStates.listAbsent(clock.iso(), 100)).not.toContainEqual(expect.objectContaining({ agentId: 'alice' }));
    await presence('alice', 'away');
    expect(await deps.agentStates.listAbsent(clock.iso(), 100)).toContainEqual(expect.objectContaining({ agentId: 'alice', presence: 'away' }));
  });

  it('an agent offline outside their working hours is not absent: nothing moves', async () => {
    clock.set('2025-03-03T16:00:00.000Z');
    await onlyOnline('erin');
    await settleAbsences();
    const c = await queued('quiet');
    await uc.routeCase(c.caseId);
    await uc.workCase.accept(as('erin'), c.caseId);
    clock.set('2025-03-03T16:59:00.000Z');
    await presence('erin', 'offline');
    clock.set('2025-03-03T17:20:00.000Z'); // 21 minutes later, but her day ended at 17:00
    const report = await uc.sweep({ parts: ['absentAgents'] });
    expect(report.absentAgents.find((a) => a.agentId === 'erin')).toMatchObject({ skipped: 'outside their working hours (office): not an absence', cases: [] });
    expect(await get(c.caseId)).toMatchObject({ owner: 'erin', status: 'in_progress' });
  });
});

describe('end of shift', () => {
  it('a queue that asks for it gets the open cases of an agent whose working day ended routed to whoever is on', async () => {
    clock.set('2025-03-03T16:30:00.000Z');
    await onlyOnline('carol');
    const late = await queued('late');
    await uc.routeCase(late.caseId);
    await uc.workCase.accept(as('carol'), late.caseId);
    await presence('dave', 'online');

    clock.set('2025-03-03T16:59:00.000Z');
    expect((await uc.sweep({ parts: ['endOfShift'] })).endOfShift).toEqual([]);

    clock.set('2025-03-03T17:01:00.000Z');
    const report = await uc.sweep({ parts: ['endOfShift'] });
    expect(report.endOfShift).toEqual([
      {
        agentId: 'carol',
        queue: 'late',
        endedAt: '2025-03-03T17:00:00.000Z',
        cases: [expect.objectContaining({ caseId: late.caseId, moved: true, from: 'carol', owner: 'dave' })],
      },
    ]);
    expect((await eventsOf(late.caseId)).find((e) => e.activity === 'reassigned')!.details).toMatchObject({
      cause: 'end_of_shift',
      shiftEndedAt: '2025-03-03T17:00:00.000Z',
    });
    // Swept again within the look-back: nothing left to move.
    clock.set('2025-03-03T17:02:00.000Z');
    expect((await uc.sweep({ parts: ['endOfShift'] })).endOfShift).toEqual([
      { agentId: 'carol', queue: 'late', endedAt: '2025-03-03T17:00:00.000Z', cases: [] },
    ]);
  });
});

describe('on-hold limits', () => {
  it("past onHoldMax the case is escalated one priority step and the owner's supervisor alerted, once", async () => {
    clock.set('2025-03-04T09:00:00.000Z');
    await onlyOnline('alice');
    const c = await queued();
    await uc.routeCase(c.caseId);
    await uc.workCase.accept(as('alice'), c.caseId);
    await uc.workCase.changeStatus(as('alice'), c.caseId, { status: 'on_hold', reason: 'parts on order' });
    expect((await get(c.caseId)).due).toEqual({ kind: 'hold', at: '2025-03-07T09:00:00.000Z' });

    const mine = (report: { onHoldLimits: { caseId: string }[] }) => report.onHoldLimits.filter((h) => h.caseId === c.caseId);
    clock.set('2025-03-07T08:59:00.000Z');
    expect(mine(await uc.sweep({ parts: ['onHoldLimits'] }))).toEqual([]);
    clock.set('2025-03-07T09:00:00.000Z');
    const report = await uc.sweep({ parts: ['onHoldLimits'] });
    expect(mine(report)).toEqual([
      { caseId: c.caseId, escalated: true, reason: 'on hold since 2025-03-04T09:00:00.000Z, longer than onHoldMax P3D; priority medium ▶ high' },
    ]);
    const after = await get(c.caseId);
    expect(after).toMatchObject({ status: 'on_hold', owner: 'alice', priority: 'high', priorityRank: 1 });
    expect(after.due).toBeUndefined();
    expect((await eventsOf(c.caseId)).map((e) => e.activity)).toEqual(expect.arrayContaining(['on_hold_limit_exceeded', 'priority_set']));
    const note = notifications.find((n) => n.caseId === c.caseId)!;
    expect(note).toMatchObject({ kind: 'on_hold_limit', admins: false });
    expect(note.agents.map((a) => a.agentId).sort()).toEqual(['alice', 'sam']);
    clock.set('2025-03-08T09:00:00.000Z');
    expect(mine(await uc.sweep({ parts: ['onHoldLimits'] }))).toEqual([]);
  });
});

describe('the dispatch backstop', () => {
  it('gives waiting cases to agents with spare capacity that no event told', async () => {
    clock.set('2025-03-05T10:00:00.000Z');
    await onlyOnline();
    const c = await queued();
    // Bob is online, but the presence change that would have dispatched to him was lost (written directly).
    await deps.agentStates.setPresence('bob', 'online', clock.iso());
    const report = await uc.sweep({ parts: ['dispatch'] });
    // Earlier tests left cases waiting too (moved while nobody was online): they go to bob as well.
    expect(report.dispatch.find((d) => d.queue === 'support')).toEqual({ queue: 'support', agents: ['bob'], assigned: expect.arrayContaining([c.caseId]) });
    expect(await get(c.caseId)).toMatchObject({ status: 'assigned', owner: 'bob', due: { kind: 'accept' } });
    // Queues with nothing waiting are a single empty query each.
    expect(report.dispatch.find((d) => d.queue === 'late')).toBeUndefined();
  });
});

describe('SLA escalation to a higher-tier queue', () => {
  it('moves the case to that queue and keeps it there (rules cannot route it back), to a member who can take it', async () => {
    clock.set('2025-03-06T09:00:00.000Z');
    const current = (await deps.configs.getCurrent())!;
    await deps.configs.put(
      parseRoutingConfig({
        ...CONFIG,
        // A rule that would send every case back to support: the pin must win over it.
        rules: [{ id: 'all-to-support', when: { field: 'channel', op: 'eq', value: 'web' }, then: { route: { queue: 'support' } } }],
        slaPolicies: [{ id: 'p', firstResponse: { medium: 'PT1H' }, escalation: [{ after: 'PT30M', reassignTo: { queue: 'late' }, notify: ['admins'] }] }],
      }),
      current.version,
      'sweeps-test',
      clock.iso(),
    );
    await onlyOnline('alice', 'dave');
    const c = await queued();
    await uc.routeCase(c.caseId);
    await uc.workCase.accept(as('alice'), c.caseId);
    expect(await uc.scheduleSla({ caseId: c.caseId, generation: 1 })).toMatchObject({ next: 'wait', kind: 'breach', wakeAt: '2025-03-06T10:00:00.000Z' });

    clock.set('2025-03-06T10:00:00.000Z');
    expect(await uc.evaluateSla({ caseId: c.caseId, generation: 1, loops: 0 })).toMatchObject({
      next: 'wait',
      kind: 'escalation',
      wakeAt: '2025-03-06T10:30:00.000Z',
    });
    expect(await get(c.caseId)).toMatchObject({ owner: 'alice', queue: 'support' });

    clock.set('2025-03-06T10:30:00.000Z');
    const step = await uc.evaluateSla({ caseId: c.caseId, generation: 1, loops: 1 });
    expect(step.next).toBe('done'); // past the last step of the only milestone
    expect(step.reasons).toContain('escalation 1: moved to queue late, assigned to dave');
    const moved = await get(c.caseId);
    expect(moved).toMatchObject({ queue: 'late', owner: 'dave', status: 'assigned' });
    expect(moved.routing.pinnedQueue).toBe('late');
    const events = await eventsOf(c.caseId);
    expect(events.find((e) => e.activity === 'reassigned')!.details).toMatchObject({
      cause: 'sla_escalation',
      from: 'alice',
      to: 'queue late',
      milestone: 'first_response',
      level: 1,
    });
    expect(events.find((e) => e.activity === 'sla_escalated')!.details).toMatchObject({ level: 1, reassignTo: { queue: 'late' }, notify: ['admins'] });
    expect(notifications.filter((n) => n.caseId === c.caseId).map((n) => [n.kind, n.admins])).toEqual([['sla_escalation', true]]);
  });
});

describe('the local stack after a restart', () => {
  it('restarts the SLA clock of every open case that has one, as the next generation of its workflow', async () => {
    const { resumeSlaClocks } = await import('../../lib/local/sweeps.js');
    clock.set('2025-03-06T10:00:00.000Z');
    const current = (await deps.configs.getCurrent())!;
    await deps.configs.put(
      parseRoutingConfig({ ...CONFIG, slaPolicies: [{ id: 'p', firstResponse: { medium: 'PT4H' }, resolution: { medium: 'P2D' } }] }),
      current.version,
      'sweeps-test',
      clock.iso(),
    );
    const watched = await queued();
    expect(await uc.scheduleSla({ caseId: watched.caseId, generation: 1 })).toMatchObject({ next: 'wait', kind: 'breach' });
    const unwatched = await queued(); // no clock: nothing to restart
    started.length = 0;
    expect(await resumeSlaClocks(deps)).toBeGreaterThanOrEqual(1);
    expect(started).toContainEqual({ caseId: watched.caseId, generation: 2 });
    expect(started.map((s) => s.caseId)).not.toContain(unwatched.caseId);
  });
});
