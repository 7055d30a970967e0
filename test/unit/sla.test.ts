import { describe, expect, it } from 'vitest';
import type { CaseRecord, CaseStatus } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { SlaContext } from '../../functions/core/sla.js';
import { completeMilestone, evaluateSla, matchSlaPolicy, nextSlaDeadline, slaContext, startSla, syncSla } from '../../functions/core/sla.js';
import { fixedClock, makeCase, makeRoutingConfigInput } from '../support/fixtures.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

function config(overrides: Partial<RoutingConfigInput> = {}) {
  return parseRoutingConfig(
    makeRoutingConfigInput({
      businessHours: [
        {
          id: 'berlin',
          timezone: 'Europe/Berlin',
          weekly: {
            mon: [{ start: '09:00', end: '17:00' }],
            tue: [{ start: '09:00', end: '17:00' }],
            wed: [{ start: '09:00', end: '17:00' }],
            thu: [{ start: '09:00', end: '17:00' }],
            fri: [{ start: '09:00', end: '17:00' }],
          },
        },
      ],
      slaPolicies: [
        {
          id: 'vip',
          when: { field: 'account.tier', op: 'eq', value: 'platinum' },
          firstResponse: { critical: 'PT15M', high: 'PT30M', medium: 'PT1H', low: 'PT2H' },
          resolution: { critical: 'PT4H', high: 'PT8H', medium: 'P1D', low: 'P2D' },
        },
        {
          id: 'standard',
          firstResponse: { critical: 'PT1H', high: 'PT2H', medium: 'PT4H', low: 'PT8H' },
          resolution: { critical: 'PT8H', high: 'P1D', medium: 'P2D', low: 'P5D' },
          warnBefore: 'PT30M',
          escalation: [
            { after: 'PT0S', raisePriority: true, notify: ['owner', 'supervisor'] },
            { after: 'PT1H', reassignTo: 'supervisor', notify: ['admins'] },
          ],
        },
      ],
      ...overrides,
    }),
  );
}

const cfg = config();
/** Monday 2025-03-03 09:00 UTC (10:00 in Berlin). */
const T0 = '2025-03-03T09:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms);
const ctxOf = (policyId: string, c = cfg): SlaContext => slaContext(c, policyId)!;

function started(overrides: Partial<CaseRecord> = {}, c = cfg): CaseRecord {
  const kase = makeCase({ status: 'in_progress', owner: 'alice', queue: 'support', createdAt: T0, ...overrides });
  const { sla } = startSla(kase, c, new Date(T0), 1);
  return { ...kase, sla };
}

/** The case after a status change at `when`, with its clock synced as the hook does. */
function changed(c: CaseRecord, status: CaseStatus, when: Date, ctx = ctxOf(c.sla!.policyId)): CaseRecord {
  const next = { ...c, status };
  return { ...next, sla: syncSla(c.sla!, next, ctx, when).sla };
}

describe('policies and targets', () => {
  it('the first policy whose conditions match applies; targets come from the case priority', () => {
    expect(matchSlaPolicy(cfg, makeCase({ account: { tier: 'platinum' } }), new Date(T0))?.id).toBe('vip');
    expect(matchSlaPolicy(cfg, makeCase({ account: { tier: 'gold' } }), new Date(T0))?.id).toBe('standard');

    const c = started({ priority: 'high', priorityRank: 1 });
    expect(c.sla).toMatchObject({ policyId: 'standard', priority: 'high', generation: 1 });
    expect(c.sla!.milestones.first_response).toMatchObject({
      status: 'active',
      target: 'PT2H',
      targetMs: 2 * H,
      dueAt: at(2 * H).toISOString(),
      warnAt: at(90 * M).toISOString(),
    });
    expect(c.sla!.milestones.resolution).toMatchObject({ target: 'P1D', dueAt: at(24 * H).toISOString() });
  });

  it('no policy, or no target for the priority: no clock, and the reason says why', () => {
    const none = startSla(makeCase(), config({ slaPolicies: [] }), new Date(T0), 1);
    expect(none.sla).toBeUndefined();
    expect(none.reasons).toEqual(['no SLA policy applies to this case']);
    const partial = config({ slaPolicies: [{ id: 'p', firstResponse: { high: 'PT1H' } }] });
    expect(startSla(makeCase({ priority: 'low' }), partial, new Date(T0), 1).reasons).toEqual(['SLA policy p has no target for priority low']);
  });

  it('counts business hours only when the policy names a calendar', () => {
    const withCalendar = config({ slaPolicies: [{ id: 'office', businessHours: 'berlin', firstResponse: { medium: 'PT8H' } }] });
    // Monday 10:00 Berlin + 8 working hours = Tuesday 10:00 Berlin.
    const c = started({}, withCalendar);
    expect(c.sla!.calendar).toBe('berlin');
    expect(c.sla!.milestones.first_response!.dueAt).toBe('2025-03-04T09:00:00.000Z');
  });
});

describe('pausing', () => {
  it('on hold stops the clock; resuming recomputes the due instant from the time left, never resetting it', () => {
    let c = started(); // medium: first response PT4H, due 13:00Z
    c = changed(c, 'on_hold', at(1 * H));
    const paused = c.sla!.milestones.first_response!;
    expect(paused).toMatchObject({ status: 'paused', pausedAt: at(1 * H).toISOString(), consumedMs: 1 * H, remainingMs: 3 * H });
    expect(paused.dueAt).toBeUndefined();

    // Three hours on hold count for nothing.
    const resumed = changed(c, 'in_progress', at(4 * H));
    const m = resumed.sla!.milestones.first_response!;
    expect(m).toMatchObject({ status: 'active', consumedMs: 1 * H, remainingMs: 3 * H, dueAt: at(7 * H).toISOString() });
    expect(m.pausedAt).toBeUndefined();
    expect(syncSla(c.sla!, { ...c, status: 'in_progress' }, ctxOf('standard'), at(4 * H)).events.map((e) => e.activity)).toContain('sla_clock_resumed');
  });

  it('a paused clock has no deadline: its execution only rechecks, at the earliest instant a resume could matter', () => {
    const c = changed(started(), 'on_hold', at(1 * H));
    const next = nextSlaDeadline(c, ctxOf('standard'), at(1 * H));
    // Warning at 3h30 consumed; 2h30 left: resumed now, the warning would fall then at the earliest.
    expect(next).toMatchObject({ done: false, kind: 'recheck', wakeAt: at(1 * H + 150 * M).toISOString() });
    // Nothing is due while paused, however long.
    expect(evaluateSla(c, ctxOf('standard'), at(100 * H)).actions).toEqual([]);
  });

  it('pause statuses are configurable', () => {
    const c = config({ slaPolicies: [{ id: 'p', firstResponse: { medium: 'PT1H' }, pauseStatuses: ['on_hold', 'needs_review'] }] });
    const review = changed(started({}, c), 'needs_review', at(10 * M), ctxOf('p', c));
    expect(review.sla!.milestones.first_response!.status).toBe('paused');
  });
});

describe('priority changes', () => {
  it('recompute the targets from the case creation', () => {
    const c = started(); // medium: first response PT4H
    const raised = { ...c, priority: 'critical', priorityRank: 0 };
    const synced = syncSla(c.sla!, raised, ctxOf('standard'), at(20 * M));
    expect(synced.sla.milestones.first_response).toMatchObject({ target: 'PT1H', dueAt: at(1 * H).toISOString(), consumedMs: 20 * M });
    expect(synced.events).toContainEqual({
      activity: 'sla_targets_recomputed',
      details: { milestone: 'first_response', priority: 'critical', from: 'PT4H', to: 'PT1H' },
    });
  });
});

describe('warnings, breaches and escalation', () => {
  const clock = fixedClock(T0);

  it('warns before the breach, once', () => {
    const c = started();
    clock.set(at(3 * H + 30 * M));
    const e = evaluateSla(c, ctxOf('standard'), clock.now());
    expect(e.actions).toEqual([
      expect.objectContaining({ type: 'warn', milestone: 'first_response', dueAt: at(4 * H).toISOString(), remainingMs: 30 * M, notify: ['owner'] }),
    ]);
    expect(e.case.sla!.milestones.first_response!.warnedAt).toBe(at(3 * H + 30 * M).toISOString());
    // Evaluated again a minute later: nothing new.
    expect(evaluateSla(e.case, ctxOf('standard'), at(3 * H + 31 * M)).actions).toEqual([]);
    // And the next deadline is the breach.
    expect(nextSlaDeadline(e.case, ctxOf('standard'), at(3 * H + 31 * M))).toMatchObject({
      kind: 'breach',
      wakeAt: at(4 * H).toISOString(),
      milestone: 'first_response',
    });
  });

  it('a breach records the due instant (not when it was noticed), then escalates by levels', () => {
    let c = started();
    c = evaluateSla(c, ctxOf('standard'), at(3 * H + 30 * M)).case; // warned
    // Woken ten minutes late: still breached at 13:00.
    const breach = evaluateSla(c, ctxOf('standard'), at(4 * H + 10 * M));
    expect(breach.actions.map((a) => a.type)).toEqual(['breach', 'escalate']);
    expect(breach.actions[0]).toMatchObject({ type: 'breach', milestone: 'first_response', dueAt: at(4 * H).toISOString() });
    expect(breach.actions[1]).toMatchObject({ type: 'escalate', level: 1, raisePriority: { from: 'medium', to: 'high' }, notify: ['owner', 'supervisor'] });
    expect(breach.case).toMatchObject({ priority: 'high', priorityRank: 1 });
    const m = breach.case.sla!.milestones.first_response!;
    expect(m).toMatchObject({ status: 'violated', breachedAt: at(4 * H).toISOString(), escalations: 1, target: 'PT2H' });
    // The raised priority shortened the target, but step 2 still counts from the breach: PT1H after it.
    expect(nextSlaDeadline(breach.case, ctxOf('standard'), at(4 * H + 10 * M))).toMatchObject({
      kind: 'escalation',
      milestone: 'first_response',
      wakeAt: at(5 * H).toISOString(),
    });
    expect(evaluateSla(breach.case, ctxOf('standard'), at(4 * H + 59 * M)).actions.filter((a) => a.milestone === 'first_response')).toEqual([]);

    const second = evaluateSla(breach.case, ctxOf('standard'), at(5 * H));
    expect(second.actions.filter((a) => a.milestone === 'first_response')).toEqual([
      expect.objectContaining({ type: 'escalate', level: 2, reassignTo: 'supervisor', notify: ['admins'] }),
    ]);
    expect(second.actions.find((a) => a.type === 'escalate')).not.toHaveProperty('raisePriority');
    // Past the last step nothing more is due for first response; resolution is what is left.
    expect(nextSlaDeadline(second.case, ctxOf('standard'), at(5 * H))).toMatchObject({ milestone: 'resolution' });
  });

  it('when the warning and the breach fall due together, only the breach is reported', () => {
    const e = evaluateSla(started(), ctxOf('standard'), at(4 * H + 1 * M));
    expect(e.actions.map((a) => a.type)).toEqual(['breach', 'escalate']);
    expect(e.reasons[0]).toMatch(/warning and the breach fell due together/);
  });

  it('a case on hold never breaches while on hold, and breaches later by exactly the time left', () => {
    let c = started();
    c = changed(c, 'on_hold', at(3 * H)); // one hour left
    expect(evaluateSla(c, ctxOf('standard'), at(50 * H)).actions).toEqual([]);
    c = changed(c, 'in_progress', at(50 * H));
    expect(c.sla!.milestones.first_response!.dueAt).toBe(at(51 * H).toISOString());
    expect(evaluateSla(c, ctxOf('standard'), at(51 * H - 1)).actions.map((a) => a.type)).toEqual(['warn']);
    const breached = evaluateSla(c, ctxOf('standard'), at(51 * H));
    expect(breached.actions[0]).toMatchObject({ type: 'breach', dueAt: at(51 * H).toISOString() });
  });

  it('without an escalation ladder, the breach itself notifies the owner', () => {
    const plain = config({ slaPolicies: [{ id: 'p', firstResponse: { medium: 'PT1H' } }] });
    const e = evaluateSla(started({}, plain), ctxOf('p', plain), at(1 * H));
    expect(e.actions).toEqual([expect.objectContaining({ type: 'breach', notify: ['owner'] })]);
  });

  it('raising priority stops at the top level, and says so', () => {
    const c = started({ priority: 'critical', priorityRank: 0 });
    const e = evaluateSla(c, ctxOf('standard'), at(1 * H));
    expect(e.actions[1]).toMatchObject({ type: 'escalate', level: 1 });
    expect(e.actions[1]).not.toHaveProperty('raisePriority');
    expect(e.reasons).toContain('first response escalation 1: priority critical is already the highest');
  });
});

describe('milestones end met, met late or violated', () => {
  it('the first agent reply completes first response: met before the due instant, met late after', () => {
    const c = started();
    const onTime = completeMilestone(c.sla!, c, 'first_response', ctxOf('standard'), at(2 * H), 'reply');
    expect(onTime.completed).toBe(true);
    expect(onTime.sla.milestones.first_response).toMatchObject({ status: 'met', completedAt: at(2 * H).toISOString() });
    expect(onTime.events.at(-1)).toMatchObject({ activity: 'sla_milestone_met', details: { milestone: 'first_response', by: 'reply' } });

    const late = completeMilestone(c.sla!, c, 'first_response', ctxOf('standard'), at(5 * H), 'reply');
    expect(late.sla.milestones.first_response).toMatchObject({ status: 'met_late', breachedAt: at(4 * H).toISOString() });
    expect(late.events.at(-1)!.activity).toBe('sla_milestone_met_late');
    // A second reply changes nothing.
    const again = { ...c, sla: onTime.sla };
    expect(completeMilestone(again.sla!, again, 'first_response', ctxOf('standard'), at(3 * H), 'reply').completed).toBe(false);
  });

  it('resolving completes every open milestone; the clock is done', () => {
    const c = changed(started(), 'resolved', at(10 * H));
    expect(c.sla!.milestones.resolution).toMatchObject({ status: 'met', completedAt: at(10 * H).toISOString() });
    expect(c.sla!.milestones.first_response).toMatchObject({ status: 'met_late' });
    expect(nextSlaDeadline(c, ctxOf('standard'), at(10 * H))).toEqual({ done: true, reasons: ['the case is resolved: the clock has stopped'] });
  });

  it('a reopened case counts resolution on from where it stopped; the time closed never counts', () => {
    let c = changed(started(), 'resolved', at(10 * H));
    c = changed(c, 'in_progress', at(30 * H));
    expect(c.sla!.milestones.resolution).toMatchObject({ status: 'active', consumedMs: 10 * H, dueAt: at(30 * H + 38 * H).toISOString() });
    expect(c.sla!.milestones.first_response!.status).toBe('met_late');
  });

  it('closed unresolved completes the milestones too', () => {
    const c = changed(started(), 'closed_unresolved', at(1 * H));
    expect(c.sla!.milestones.resolution!.status).toBe('met');
  });
});

describe('the worked example of docs/sla.md#an-example', () => {
  const split = [
    { start: '08:00', end: '12:30' },
    { start: '13:30', end: '18:00' },
  ];
  const day = [{ start: '08:00', end: '18:00' }];
  const docConfig = parseRoutingConfig(
    makeRoutingConfigInput({
      businessHours: [
        {
          id: 'emea-office',
          timezone: 'Europe/Berlin',
          weekly: { mon: split, tue: day, wed: day, thu: day, fri: [{ start: '08:00', end: '16:00' }] },
          holidays: ['2026-12-25', '2026-12-26'],
        },
      ],
      slaPolicies: [
        {
          id: 'enterprise',
          when: { field: 'account.tier', op: 'in', value: ['platinum', 'gold'] },
          firstResponse: { critical: 'PT30M', high: 'PT1H', medium: 'PT2H', low: 'PT4H' },
          resolution: { critical: 'PT4H', high: 'PT8H', medium: 'P1D', low: 'P3D' },
          warnBefore: 'PT15M',
          escalation: [
            { after: 'PT0S', raisePriority: true, notify: ['owner', 'supervisor'] },
            { after: 'PT1H', reassignTo: 'supervisor', notify: ['admins'] },
          ],
        },
        { id: 'standard', businessHours: 'emea-office', firstResponse: { medium: 'PT8H' }, resolution: { medium: 'P3D' }, warnBefore: 'PT30M' },
      ],
    }),
  );
  const friday15 = '2026-03-06T14:00:00.000Z'; // Friday 15:00 in Berlin

  it('enterprise (24×7): due 17:00, warned 16:45; breached, raised to high; reassigned an hour later', () => {
    const kase = makeCase({ status: 'in_progress', owner: 'alice', createdAt: friday15, account: { tier: 'gold' } });
    const c = { ...kase, sla: startSla(kase, docConfig, new Date(friday15), 1).sla };
    const ctx = slaContext(docConfig, 'enterprise')!;
    expect(c.sla!.milestones.first_response).toMatchObject({ dueAt: '2026-03-06T16:00:00.000Z', warnAt: '2026-03-06T15:45:00.000Z' });
    const breached = evaluateSla(c, ctx, new Date('2026-03-06T16:00:00.000Z'));
    expect(breached.case.priority).toBe('high');
    expect(nextSlaDeadline(breached.case, ctx, new Date('2026-03-06T16:00:00.000Z'))).toMatchObject({ kind: 'escalation', wakeAt: '2026-03-06T17:00:00.000Z' });
  });

  it('standard (office hours): due Monday 16:00; on hold Monday 10:00 with 5 h left; resumed Wednesday 09:00, due 14:00', () => {
    const kase = makeCase({ status: 'in_progress', owner: 'alice', createdAt: friday15, account: { tier: 'silver' } });
    let c: CaseRecord = { ...kase, sla: startSla(kase, docConfig, new Date(friday15), 1).sla };
    expect(c.sla!.policyId).toBe('standard');
    expect(c.sla!.milestones.first_response!.dueAt).toBe('2026-03-09T15:00:00.000Z');
    const ctx = slaContext(docConfig, 'standard')!;
    c = changed(c, 'on_hold', new Date('2026-03-09T09:00:00.000Z'), ctx);
    expect(c.sla!.milestones.first_response!.remainingMs).toBe(5 * H);
    c = changed(c, 'in_progress', new Date('2026-03-11T08:00:00.000Z'), ctx);
    expect(c.sla!.milestones.first_response!.dueAt).toBe('2026-03-11T13:00:00.000Z');
  });
});
