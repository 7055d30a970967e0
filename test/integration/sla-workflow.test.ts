/**
 * The SLA loop of the case lifecycle, for real: the ASL file CDK deploys, run by the local Step
 * Functions runtime, its Wait states waiting for the real timestamps, the task handlers against
 * DynamoDB Local. Time is a virtual clock (lib/local/virtual-clock.ts) the tests move: targets are
 * seconds long (PT2S) on a 24×7 policy, nothing sleeps, and each advance returns once the work it
 * released has settled, so instants are asserted exactly. Every test asserts the path the executions
 * took and the events on the case.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../functions/core/authz.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { Notification } from '../../functions/core/ports/notifications.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import { loadCaseLifecycleDefinition } from '../../lib/local/stepfunctions/definition.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import type { VirtualClock } from '../../lib/local/virtual-clock.js';
import { makeVirtualClock } from '../../lib/local/virtual-clock.js';
import { freshTable } from '../support/dynamo.js';
import { detailsRecord, makeCreateCommand, makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('sla-workflow');

const CONFIG: RoutingConfigInput = makeRoutingConfigInput({
  queues: [
    { id: 'support', name: 'Support', routing: 'least_busy', members: ['alice'] },
    { id: 'tier2', name: 'Tier 2', routing: 'least_busy', members: ['sam'] },
  ],
  agents: [
    { id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { web: 5 }, supervisor: 'sam' },
    { id: 'sam', name: 'Sam', email: 'sam@example.com', roles: ['agent', 'manager'], capacity: { web: 5 } },
    { id: 'admin', name: 'Ada', email: 'ada@example.com', roles: ['admin'] },
  ],
  slaPolicies: [
    {
      id: 'fast',
      firstResponse: { medium: 'PT2S', high: 'PT2S', critical: 'PT2S' },
      resolution: { medium: 'PT8S', high: 'PT8S', critical: 'PT8S' },
      warnBefore: 'PT1S',
      escalation: [
        { after: 'PT0S', raisePriority: true, notify: ['owner', 'supervisor'] },
        { after: 'PT1S', reassignTo: 'supervisor', notify: ['admins'] },
      ],
    },
  ],
  // Long enough never to interfere: these tests are about the SLA loop.
  sweeps: { acceptTimeout: 'PT1H', absentAfter: 'PT1H', onHoldMax: 'P3D', relaxSkillsAfter: 'PT30M' },
});

const notifications: Notification[] = [];
const workflows: LocalWorkflow[] = [];
afterAll(async () => {
  await Promise.all(workflows.map((w) => w.stop()));
});

interface Harness {
  deps: AppDeps;
  workflow: LocalWorkflow;
  clock: VirtualClock;
}

/** One clock for every harness: advancing it releases the waits of all their executions. */
const clock = makeVirtualClock();

function harness(options: { maxLoops?: number } = {}): Harness {
  let workflow: LocalWorkflow | undefined;
  const deps = makeAppDeps({
    table: db.table,
    clock,
    alerts: { publish: async () => undefined },
    notifier: { notify: async (n) => void notifications.push(n) },
    workflow: { startCase: (caseId, o) => workflow!.starter.startCase(caseId, o) },
  });
  let definition = loadCaseLifecycleDefinition();
  if (options.maxLoops !== undefined) {
    // The same definition with a small loop limit, to see the continuation without 1000 loops.
    definition = JSON.parse(JSON.stringify(definition).replace('"maxLoops":1000', `"maxLoops":${options.maxLoops}`));
    expect(JSON.stringify(definition)).toContain(`"maxLoops":${options.maxLoops}`);
  }
  workflow = makeLocalWorkflow({ deps, definition, retryIntervalOverrides: 5 });
  workflows.push(workflow);
  return { deps, workflow, clock };
}

const setup = harness();
{
  const current = await setup.deps.configs.getCurrent();
  await setup.deps.configs.put(parseRoutingConfig(CONFIG), current?.version ?? 0, 'sla-test', setup.clock.now().toISOString());
  await setup.deps.agentStates.setPresence('alice', 'online', setup.clock.now().toISOString());
  await setup.deps.agentStates.setPresence('sam', 'online', setup.clock.now().toISOString());
}

const manager: Principal = { agentId: 'sam', roles: ['agent', 'manager'] };

/**
 * A new web case from GB, created now (by the harness's clock), with its workflow started and settled:
 * stamped, routed, its SLA clock started, and waiting in WaitForSlaDeadline.
 */
async function submitted(h: Harness): Promise<CaseRecord> {
  const now = h.clock.now().toISOString();
  const command = makeCreateCommand({
    channel: 'web',
    createdAt: now,
    updatedAt: now,
    location: { country: 'GB' },
    account: undefined,
    contact: { email: `c${++contacts}@example.org` },
  });
  const result = await h.deps.cases.create(command);
  if (!result.created) throw new Error('not created');
  await h.workflow.starter.startCase(result.case.caseId);
  await h.clock.settle();
  return result.case;
}
let contacts = 0;

/**
 * A status change as an agent makes it. The clock has settled before each one, so the SLA loop is
 * parked in its wait and cannot write the case at the same moment: no lost race to try again.
 */
async function changeStatus(deps: AppDeps, p: Principal, caseId: string, change: Parameters<ReturnType<typeof makeUseCases>['workCase']['changeStatus']>[2]) {
  return makeUseCases(deps).workCase.changeStatus(p, caseId, change);
}

const activities = async (deps: AppDeps, caseId: string) => (await deps.cases.getWithHistory(caseId))!.events;
const at = (createdAt: string, ms: number) => new Date(Date.parse(createdAt) + ms).toISOString();

describe('the SLA loop', () => {
  it('a case nobody answers is warned, breached at its due instant, escalated by levels, and the loop ends when it closes', async () => {
    const c = await submitted(setup);
    const caseNotes = () => notifications.filter((n) => n.caseId === c.caseId);

    // Escalation level 2, a second after the breach, reassigns to the supervisor: move the clock there.
    await clock.advanceTo(at(c.createdAt, 3000));
    const stored = (await setup.deps.cases.get(c.caseId))!;
    const fr = stored.sla!.milestones.first_response!;
    expect(fr).toMatchObject({ status: 'violated', target: 'PT2S', escalations: 2 });
    // The breach is the due instant: created + 2 s, not whenever it was noticed.
    expect(fr.breachedAt).toBe(new Date(Date.parse(c.createdAt) + 2000).toISOString());
    expect(stored).toMatchObject({ priority: 'high', status: 'assigned', owner: 'sam' });

    const events = await activities(setup.deps, c.caseId);
    const sla = events.filter((e) => e.activity.startsWith('sla_') || e.activity === 'reassigned' || e.activity === 'priority_set');
    expect(sla.map((e) => [e.activity, detailsRecord(e).milestone ?? null, detailsRecord(e).level ?? null])).toEqual(
      expect.arrayContaining([
        ['sla_clock_started', null, null],
        ['sla_warning', 'first_response', null],
        ['sla_milestone_violated', 'first_response', null],
        ['sla_escalated', 'first_response', 1],
        ['sla_escalated', 'first_response', 2],
        ['reassigned', 'first_response', 2],
      ]),
    );
    const order = (activity: string, level?: number) =>
      events.findIndex((e) => e.activity === activity && (level === undefined || detailsRecord(e).level === level));
    expect(order('sla_warning')).toBeLessThan(order('sla_milestone_violated'));
    expect(order('sla_milestone_violated')).toBeLessThan(order('sla_escalated', 1));
    expect(order('sla_escalated', 1)).toBeLessThan(order('sla_escalated', 2));
    // The warning came a second before the breach.
    const warned = events.find((e) => e.activity === 'sla_warning')!;
    expect(warned.at).toBe(at(c.createdAt, 1000));
    expect(events.find((e) => e.activity === 'reassigned')!.details).toMatchObject({ cause: 'sla_escalation', from: 'alice', to: 'sam' });

    // Who heard what: the owner warned; owner and supervisor at the breach; admins at level 2.
    expect(caseNotes().map((n) => [n.kind, n.agents.map((a) => a.agentId).sort(), n.admins])).toEqual([
      ['sla_warning', ['alice'], false],
      ['sla_escalation', ['alice', 'sam'], false],
      ['sla_escalation', [], true],
    ]);

    // Closed meanwhile: the next wake finds it closed, completes the milestones and ends the loop.
    const nextWake = stored.sla!.next!.at;
    await changeStatus(setup.deps, manager, c.caseId, { status: 'resolved' });
    await clock.advanceTo(nextWake);
    expect(setup.workflow.statusOf(c.caseId)).toBe('SUCCEEDED');
    const execution = await setup.workflow.waitFor(c.caseId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.states.slice(0, 8)).toEqual(['Begin', 'Stamp', 'StampOutcome', 'Route', 'StartSla', 'ScheduleSla', 'SlaOutcome', 'WaitForSlaDeadline']);
    expect(execution.states.at(-1)).toBe('Done');
    expect(execution.states.filter((s) => s === 'EvaluateSla').length).toBeGreaterThanOrEqual(3);
    expect(execution.caught).toEqual([]);
    const closed = (await setup.deps.cases.get(c.caseId))!;
    expect(closed.sla!.milestones.first_response!.status).toBe('met_late');
    expect(closed.sla!.milestones.resolution!.status).toBe('met');
    expect(closed.sla!.next).toBeUndefined();
  });

  it('a first reply in time completes first response: met, never warned', async () => {
    const c = await submitted(setup);
    await setup.workflow.waitFor(c.caseId, { until: 'WaitForSlaDeadline' });
    const { completeFirstResponse } = makeUseCases(setup.deps);
    expect(await completeFirstResponse(c.caseId, { actor: { kind: 'agent', id: 'alice' }, messageId: 'm1' })).toEqual({ completed: true, status: 'met' });
    await clock.advanceBy(2500);
    const stored = (await setup.deps.cases.get(c.caseId))!;
    expect(stored.sla!.milestones.first_response).toMatchObject({ status: 'met' });
    const events = await activities(setup.deps, c.caseId);
    expect(events.filter((e) => e.activity === 'sla_warning' || e.activity === 'sla_milestone_violated')).toEqual([]);
    expect(events.find((e) => e.activity === 'sla_milestone_met')!.details).toMatchObject({ milestone: 'first_response', by: 'reply m1' });
    // The next thing the clock waits for is resolution's warning.
    expect(stored.sla!.next).toMatchObject({ milestone: 'resolution', kind: 'warning' });
    await changeStatus(setup.deps, manager, c.caseId, { status: 'closed_unresolved', comment: 'test over' });
  });

  it('on hold, nothing breaches; the resume starts a new generation, which breaches exactly the time left later; the old one ends superseded', async () => {
    const c = await submitted(setup);
    const { workCase } = makeUseCases(setup.deps);
    await setup.workflow.waitFor(c.caseId, { until: 'WaitForSlaDeadline' });
    // Half a second on the clock, then alice takes it and puts it on hold.
    await clock.advanceBy(500);
    const alice: Principal = { agentId: 'alice', roles: ['agent'] };
    await workCase.accept(alice, c.caseId);
    const held = await workCase.changeStatus(alice, c.caseId, { status: 'on_hold', reason: 'waiting for the customer' });
    const left = held.sla!.milestones.first_response!.remainingMs;
    expect(held.sla!.milestones.first_response).toMatchObject({ status: 'paused' });
    expect(held.due).toMatchObject({ kind: 'hold' });
    expect(left).toBe(1500);

    // Three seconds on hold: well past the 2 s target, and nothing happens.
    await clock.advanceBy(3000);
    expect((await activities(setup.deps, c.caseId)).map((e) => e.activity)).not.toContain('sla_milestone_violated');

    const resumed = await workCase.changeStatus(alice, c.caseId, { status: 'in_progress' });
    const resumedAt = Date.parse(resumed.updatedAt);
    expect(resumed.sla!.milestones.first_response!.dueAt).toBe(new Date(resumedAt + left).toISOString());
    expect(resumed.due).toBeUndefined();

    const g2 = await setup.workflow.waitFor(`${c.caseId}-g2`, { until: 'WaitForSlaDeadline' });
    expect(g2.input).toEqual({ caseId: c.caseId, generation: 2 });
    expect(g2.states.slice(0, 4)).toEqual(['Begin', 'ScheduleSla', 'SlaOutcome', 'WaitForSlaDeadline']);

    await clock.advanceTo(resumedAt + left);
    const breach = (await activities(setup.deps, c.caseId)).find((e) => e.activity === 'sla_milestone_violated')!;
    expect(breach.details.breachedAt).toBe(new Date(resumedAt + left).toISOString());
    expect(breach.at).toBe(new Date(resumedAt + left).toISOString());
    expect((await setup.deps.cases.get(c.caseId))!.sla!.generation).toBe(2);

    // The first execution still waits on the recheck it scheduled while paused (an hour away); when
    // it wakes, its EvaluateSla finds a newer generation on the clock and it ends.
    const first = setup.workflow.executions().find((e) => e.name === c.caseId)!;
    expect(first.status).toBe('RUNNING');
    expect(first.states.at(-1)).toBe('WaitForSlaDeadline');
    const woken = await makeUseCases(setup.deps).evaluateSla({ caseId: c.caseId, generation: 1, loops: 1, maxLoops: 1000 });
    expect(woken).toMatchObject({ next: 'done', reasons: ['superseded: generation 2 watches this clock now'] });
    const g2Wake = (await setup.deps.cases.get(c.caseId))!.sla!.next!.at;
    await changeStatus(setup.deps, manager, c.caseId, { status: 'resolved' });
    await clock.advanceTo(g2Wake);
    const g2Done = await setup.workflow.waitFor(`${c.caseId}-g2`);
    expect(g2Done.status).toBe('SUCCEEDED');
    expect(g2Done.states.at(-1)).toBe('Done');
  });

  it('after maxLoops loops the execution continues as generation 2, which takes the clock over', async () => {
    const h = harness({ maxLoops: 2 });
    const c = await submitted(h);
    // Loop 1 wakes for the warning (+1 s), loop 2 for the breach (+2 s), and then it continues.
    await clock.advanceTo(at(c.createdAt, 2000));
    expect(h.workflow.statusOf(c.caseId)).toBe('SUCCEEDED');
    const first = await h.workflow.waitFor(c.caseId);
    expect(first.status).toBe('SUCCEEDED');
    expect(first.states.slice(-8)).toEqual([
      'WaitForSlaDeadline',
      'EvaluateSla',
      'SlaOutcome',
      'WaitForSlaDeadline',
      'EvaluateSla',
      'SlaOutcome',
      'ContinueAsNew',
      'ContinuedAsNew',
    ]);
    expect(first.states.filter((s) => s === 'EvaluateSla')).toHaveLength(2);

    // Generation 2 took the clock over and waits for escalation level 2 (+3 s): move the clock there.
    expect((await h.deps.cases.get(c.caseId))?.sla?.generation).toBe(2);
    await clock.advanceTo(at(c.createdAt, 3000));
    const second = await h.workflow.waitFor(`${c.caseId}-g2`, { until: 'EvaluateSla' });
    expect(second.input).toEqual({ caseId: c.caseId, generation: 2 });
    expect(second.states.slice(0, 3)).toEqual(['Begin', 'ScheduleSla', 'SlaOutcome']);
    expect(second.states).toContain('EvaluateSla');
    await changeStatus(h.deps, manager, c.caseId, { status: 'closed_unresolved', comment: 'test over' });
  });
});
