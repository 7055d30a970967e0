/**
 * The reports against a hand-computed event log (test/support/report-fixture.ts: the week, the
 * calendar, the agents and each case's story are described there). Every expected figure below was
 * worked out by hand from those events, and the arithmetic is in the comments: if the code and the
 * comment disagree, one of them has a bug.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Activity, CaseEvent } from '../../functions/core/events.js';
import type { ReportInput } from '../../functions/core/reports/compute.js';
import { computeReport, durationStats } from '../../functions/core/reports/compute.js';
import { ValidationError } from '../../functions/core/errors.js';
import { matchesFilters } from '../../functions/core/reports/filters.js';
import { caseTimeline } from '../../functions/core/reports/history.js';
import { daysOf, isoWeekOf, parsePeriod } from '../../functions/core/reports/period.js';
import { AS_OF, CASES, EVENTS as events, OPEN, PERIOD, REPORT_CONFIG as config, at } from '../support/report-fixture.js';
import { storedEvent } from '../support/fixtures.js';

const H = 3_600_000;
const MIN = 60_000;

function run(overrides: Partial<ReportInput> = {}) {
  return computeReport({
    period: PERIOD,
    asOf: AS_OF,
    filters: {},
    config,
    cases: CASES,
    events,
    openCases: OPEN,
    reassignThreshold: 2,
    bucket: 'day',
    ...overrides,
  });
}

describe('the report over the hand-computed week', () => {
  const report = run();

  it('covers the seven cases it was given (Z has no case record) over seven UTC days', () => {
    expect(report.period).toEqual({
      from: '2025-03-03',
      to: '2025-03-09',
      days: 7,
      timezone: 'UTC',
      start: '2025-03-03T00:00:00.000Z',
      end: '2025-03-10T00:00:00.000Z',
    });
    expect(report.asOf).toBe(AS_OF);
    // Every one had an event in the week (C: put on hold on Monday).
    expect(report.casesWithActivity).toBe(7);
  });

  it('counts cases created, resolved, closed unresolved and reopened, in total and per day', () => {
    expect(report.volume).toEqual({
      created: 6, // A, B (Mon), D (Tue), E (Wed), F, G (Thu); C was created on 02-28
      resolved: 3, // A, B, G: G was resolved twice but counts once
      closedUnresolved: 1, // D
      reopened: 1, // G at Thu 14:00
      daily: [
        { date: '2025-03-03', created: 2, resolved: 1, closedUnresolved: 0 }, // A, B created; A resolved
        { date: '2025-03-04', created: 1, resolved: 0, closedUnresolved: 1 }, // D created and closed
        { date: '2025-03-05', created: 1, resolved: 1, closedUnresolved: 0 }, // E created; B resolved
        { date: '2025-03-06', created: 2, resolved: 1, closedUnresolved: 0 }, // F, G created; G resolved (twice, one case)
        { date: '2025-03-07', created: 0, resolved: 0, closedUnresolved: 0 },
        { date: '2025-03-08', created: 0, resolved: 0, closedUnresolved: 0 },
        { date: '2025-03-09', created: 0, resolved: 0, closedUnresolved: 0 },
      ],
    });
  });

  it('measures first response and resolution in business time (office hours)', () => {
    // First agent reply in the period, from creation:
    //   A Mon 09:00 ▶ Mon 10:00                          = 60 min  = 3 600 000
    //   B Mon 16:00 ▶ Tue 10:00 = Mon 16–17 + Tue 09–10  = 120 min = 7 200 000 (18 h elapsed)
    //   D Tue 09:00 ▶ Tue 10:30                          = 90 min  = 5 400 000
    //   G Thu 09:00 ▶ Thu 09:12                          = 12 min  =   720 000
    //   C's first reply was on 02-28 (not in the period); E and F have none.
    // average = (3.6 + 7.2 + 5.4 + 0.72) M / 4 = 16.92 M / 4 = 4 230 000 = 1h 10m 30s
    // median  = middle two of [0.72, 3.6, 5.4, 7.2] M = (3.6 + 5.4) / 2 M = 4 500 000 = 1h 15m
    expect(report.responseTimes!.firstResponse).toEqual({ count: 4, averageMs: 4_230_000, medianMs: 4_500_000, average: '1h 10m 30s', median: '1h 15m' });
    // Resolution (the last resolution in the period), from creation:
    //   A Mon 09:00 ▶ Mon 11:00 (the 30 min hold included)  = 120 min = 7 200 000
    //   B Mon 16:00 ▶ Wed 15:00 = 60 + 480 (Tue) + 360 min   = 900 min = 54 000 000
    //   G Thu 09:00 ▶ Thu 15:00 (its second resolution)     = 360 min = 21 600 000
    //   D was closed unresolved: not a resolution.
    // average = (7.2 + 54 + 21.6) M / 3 = 82.8 M / 3 = 27 600 000 = 7h 40m; median = 21 600 000 = 6h
    expect(report.responseTimes!.resolution).toEqual({ count: 3, averageMs: 27_600_000, medianMs: 21_600_000, average: '7h 40m', median: '6h' });
    expect(report.responseTimes!.calendar).toBe('sla');
  });

  it('reports SLA compliance per milestone from the clock events in the period', () => {
    // first_response: met A (Mon 10:00), D (Tue 10:30), G (Thu 09:12) = 3; met late B (Tue 10:00) = 1;
    //   C's (02-28) is outside. compliance 3 / 4 = 0.75. B: 1 warning, 1 breach, 1 escalation.
    // resolution: met A, B, D (closed unresolved stops the clock in time), G at 10:00 and again at 15:00
    //   after the reopening = 5; none late: compliance 5 / 5 = 1.
    // total: 8 met, 1 late, 9 completed: 8 / 9 = 0.88888… ▶ 0.8889
    expect(report.sla).toEqual({
      byMilestone: {
        first_response: { met: 3, metLate: 1, completed: 4, compliance: 0.75, breaches: 1, warnings: 1, escalations: 1 },
        resolution: { met: 5, metLate: 0, completed: 5, compliance: 1, breaches: 0, warnings: 0, escalations: 0 },
      },
      total: { met: 8, metLate: 1, completed: 9, compliance: 0.8889, breaches: 1, warnings: 1, escalations: 1 },
    });
  });

  it('counts first-contact resolution: one agent reply, no customer follow-up', () => {
    // Resolved in the period: A, B, G.
    //   A: one reply (10:00), no customer message after it ▶ yes
    //   B: two replies ▶ no
    //   G: one reply (09:12) before its last resolution (15:00), but the customer wrote at 14:00 ▶ no
    // 1 / 3 = 0.3333
    expect(report.firstContactResolution).toEqual({ resolved: 3, firstContact: 1, rate: 0.3333 });
  });

  it("counts reassignments and handovers per case type, over each case's whole assignment history", () => {
    // Assignments in the period (#n = the case's n-th assignment ever):
    //   billing:   A alice#1; D carol#1, bob#2 (handover), alice#3 (handover); F carol#1; C's only assignment was 02-28
    //              ▶ 3 cases, 5 assignments, 2 reassignments, 2 handovers; per case 2/3 = 0.6667 and 0.6667
    //   technical: B bob#1; E carol#1, bob#2 (handover), bob#3 (same agent: a reassignment, not a handover); G alice#1
    //              (G's reopening to alice is not an assignment) ▶ 3 cases, 5, 2, 1; per case 0.6667 and 1/3 = 0.3333
    //   all:       6 cases, 10 assignments, 4 reassignments, 3 handovers; 4/6 = 0.6667, 3/6 = 0.5
    expect(report.reassignments!.byType).toEqual([
      { type: 'billing', cases: 3, assignments: 5, reassignments: 2, handovers: 2, reassignmentsPerCase: 0.6667, handoversPerCase: 0.6667 },
      { type: 'technical', cases: 3, assignments: 5, reassignments: 2, handovers: 1, reassignmentsPerCase: 0.6667, handoversPerCase: 0.3333 },
    ]);
    expect(report.reassignments!.total).toEqual({
      type: 'all',
      cases: 6,
      assignments: 10,
      reassignments: 4,
      handovers: 3,
      reassignmentsPerCase: 0.6667,
      handoversPerCase: 0.5,
    });
  });

  it('lists agents who gave back more than the threshold of distinct cases in one ISO week', () => {
    // Hand-backs in 2025-W10: carol declined D, E, F (3); bob requeued D (1); mona requeued E (1).
    // Threshold 2 ("more than 2"): carol only.
    expect(report.reassignments!.frequentReassigners).toEqual({
      threshold: 2,
      agents: [{ agentId: 'carol', week: '2025-W10', cases: 3, caseIds: ['D', 'E', 'F'] }],
    });
    // Threshold 3: nobody gave back more than 3.
    expect(run({ reassignThreshold: 3 }).reassignments!.frequentReassigners).toEqual({ threshold: 3, agents: [] });
    expect(run({ reassignThreshold: 0 }).reassignments!.frequentReassigners.agents.map((a) => `${a.agentId}:${a.cases}`)).toEqual([
      'carol:3',
      'bob:1',
      'mona:1',
    ]);
  });

  it('measures time on hold: holds that ended in the period, and those still running at its end', () => {
    // Ended in the period: A Mon 10:15–10:45 = 30 min = 1 800 000; B Tue 12:00 ▶ Wed 12:00 = 24 h = 86 400 000;
    //   D Tue 11:00–13:00 (ended by closing it from hold) = 2 h = 7 200 000.
    // total 95 400 000; average 31 800 000 = 8h 50m; median 7 200 000 = 2h; max 86 400 000.
    // Still on hold at the end: C since Mon 09:00 ▶ 03-10 00:00 = 6 d 15 h = 159 h = 572 400 000
    //   (its resumption at 03-10 10:00 is after the period).
    expect(report.onHold).toEqual({
      completed: { count: 3, averageMs: 31_800_000, medianMs: 7_200_000, average: '8h 50m', median: '2h', totalMs: 95_400_000, maxMs: 86_400_000 },
      ongoingAtEnd: { at: '2025-03-10T00:00:00.000Z', count: 1, longestMs: 572_400_000 },
    });
  });

  it("gives each agent's load and utilisation per day, weighted by their working hours", () => {
    // Load = cases held (assignment ▶ release), averaged over the agent's working time (office:
    // 480 min a weekday, none at the weekend); utilisation = load ÷ capacity; peak at any time.
    // alice (capacity 4) holds C all week, A Mon 09–11, D Tue 09:40–13:00, G Thu 09–10 and 14–15:
    //   Mon (480 C + 120 A) / 480 = 1.25, ÷ 4 = 0.3125, peak 2 (C and A)
    //   Tue (480 + 200 D) / 480 = 680/480 = 1.41666… ▶ 1.4167; 680/1920 = 0.35416… ▶ 0.3542; peak 2
    //   Wed 480/480 = 1, 0.25, peak 1;  Thu (480 + 60 + 60) / 480 = 1.25, 0.3125, peak 2;  Fri 1, 0.25, 1
    //   Sat, Sun: no working time ▶ null, but C is held: peak 1
    //   week: (600 + 680 + 480 + 600 + 480) / (5 × 480) = 2840/2400 = 1.18333… ▶ 1.1833; 2840/9600 = 0.29583… ▶ 0.2958
    const alice = report.agents!.agents.find((a) => a.agentId === 'alice')!;
    expect(alice).toEqual({
      agentId: 'alice',
      name: 'Alice',
      capacity: 4,
      calendar: 'office',
      casesHeldInPeriod: 4,
      period: { averageLoad: 1.1833, peakLoad: 2, utilisation: 0.2958 },
      series: [
        { bucket: '2025-03-03', averageLoad: 1.25, peakLoad: 2, utilisation: 0.3125 },
        { bucket: '2025-03-04', averageLoad: 1.4167, peakLoad: 2, utilisation: 0.3542 },
        { bucket: '2025-03-05', averageLoad: 1, peakLoad: 1, utilisation: 0.25 },
        { bucket: '2025-03-06', averageLoad: 1.25, peakLoad: 2, utilisation: 0.3125 },
        { bucket: '2025-03-07', averageLoad: 1, peakLoad: 1, utilisation: 0.25 },
        { bucket: '2025-03-08', averageLoad: null, peakLoad: 1, utilisation: null },
        { bucket: '2025-03-09', averageLoad: null, peakLoad: 1, utilisation: null },
      ],
    });
    // bob (capacity 2) holds B Mon 16:00 ▶ Wed 15:00, D Tue 09:10–09:40, E Wed 10:05 ▶ (requeued and given back at 10:30) ▶ end:
    //   Mon 60/480 = 0.125, ÷ 2 = 0.0625, peak 1
    //   Tue (480 + 30) / 480 = 1.0625, 0.53125 ▶ 0.5313, peak 2 (B and D)
    //   Wed (360 B + 415 E [10:05–17:00]) / 480 = 775/480 = 1.61458… ▶ 1.6146; 775/960 = 0.80729… ▶ 0.8073; peak 2
    //   Thu, Fri 480/480 = 1, 0.5, peak 1 (E; the hand-back at 10:30 is not a second case); Sat, Sun null, peak 1
    //   week: (60 + 510 + 775 + 480 + 480) / 2400 = 2305/2400 = 0.96041… ▶ 0.9604; 2305/4800 = 0.48020… ▶ 0.4802
    const bob = report.agents!.agents.find((a) => a.agentId === 'bob')!;
    expect(bob.period).toEqual({ averageLoad: 0.9604, peakLoad: 2, utilisation: 0.4802 });
    expect(bob.casesHeldInPeriod).toBe(3);
    expect(bob.series.map((p) => [p.averageLoad, p.peakLoad, p.utilisation])).toEqual([
      [0.125, 1, 0.0625],
      [1.0625, 2, 0.5313],
      [1.6146, 2, 0.8073],
      [1, 1, 0.5],
      [1, 1, 0.5],
      [null, 1, null],
      [null, 1, null],
    ]);
    // carol (capacity 2) held D 10 min (Tue), E 5 min (Wed), F 1 min (Thu):
    //   Tue 10/480 = 0.02083 ▶ 0.0208, 10/960 ▶ 0.0104; Wed 5/480 ▶ 0.0104, 5/960 = 0.00520 ▶ 0.0052;
    //   Thu 1/480 = 0.00208 ▶ 0.0021, 1/960 = 0.00104 ▶ 0.001; week 16/2400 ▶ 0.0067, 16/4800 ▶ 0.0033
    const carol = report.agents!.agents.find((a) => a.agentId === 'carol')!;
    expect(carol.period).toEqual({ averageLoad: 0.0067, peakLoad: 1, utilisation: 0.0033 });
    expect(carol.series.map((p) => [p.averageLoad, p.peakLoad, p.utilisation])).toEqual([
      [0, 0, 0],
      [0.0208, 1, 0.0104],
      [0.0104, 1, 0.0052],
      [0.0021, 1, 0.001],
      [0, 0, 0],
      [null, 0, null],
      [null, 0, null],
    ]);
    // mona has no capacity and held nothing: not listed.
    expect(report.agents!.agents.map((a) => a.agentId)).toEqual(['alice', 'bob', 'carol']);
  });

  it('gives weekly buckets on request: one ISO week here, equal to the period', () => {
    const weekly = run({ bucket: 'week' }).agents!.agents.find((a) => a.agentId === 'alice')!;
    expect(weekly.series).toEqual([{ bucket: '2025-W10', averageLoad: 1.1833, peakLoad: 2, utilisation: 0.2958 }]);
  });

  it("shows the backlog by queue as of the report's time", () => {
    // Open at 03-10 12:00: C (support, in_progress, low, created 02-28 10:00), E (billing, in_progress,
    // medium, 03-05 10:00), F (billing, queued, medium, 03-06 09:00).
    //   billing oldest E: 03-05 10:00 ▶ 03-10 12:00 = 5 d 2 h = 122 h = 439 200 000
    //   support oldest C: 02-28 10:00 ▶ 03-10 12:00 = 10 d 2 h = 242 h = 871 200 000 (2025 is not a leap year)
    expect(report.backlog).toEqual({
      asOf: AS_OF,
      openNow: 3,
      byQueue: [
        {
          queue: 'billing',
          openNow: 2,
          byStatus: { queued: 1, in_progress: 1 },
          byPriority: { medium: 2 },
          oldestCreatedAt: '2025-03-05T10:00:00.000Z',
          oldestAgeMs: 439_200_000,
        },
        {
          queue: 'support',
          openNow: 1,
          byStatus: { in_progress: 1 },
          byPriority: { low: 1 },
          oldestCreatedAt: '2025-02-28T10:00:00.000Z',
          oldestAgeMs: 871_200_000,
        },
      ],
    });
  });
});

describe('the same week, filtered to the web channel (A, C, E, F)', () => {
  const report = run({ filters: { channel: ['web'] } });

  it('computes every figure over the filtered cases only', () => {
    expect(report.casesWithActivity).toBe(4);
    expect(report.volume).toMatchObject({ created: 3, resolved: 1, closedUnresolved: 0, reopened: 0 }); // A, E, F created; A resolved
    expect(report.responseTimes!.firstResponse).toMatchObject({ count: 1, averageMs: 3_600_000, medianMs: 3_600_000 }); // A only
    expect(report.responseTimes!.resolution).toMatchObject({ count: 1, averageMs: 7_200_000 }); // A
    expect(report.firstContactResolution).toEqual({ resolved: 1, firstContact: 1, rate: 1 });
    expect(report.sla!.total).toMatchObject({ met: 2, metLate: 0, compliance: 1 }); // A's two milestones
    // billing A#1, F#1; technical E#1, #2 (handover), #3 (same agent)
    expect(report.reassignments!.byType).toEqual([
      { type: 'billing', cases: 2, assignments: 2, reassignments: 0, handovers: 0, reassignmentsPerCase: 0, handoversPerCase: 0 },
      { type: 'technical', cases: 1, assignments: 3, reassignments: 2, handovers: 1, reassignmentsPerCase: 2, handoversPerCase: 1 },
    ]);
    // carol gave back E and F on the web: 2, not more than 2.
    expect(report.reassignments!.frequentReassigners.agents).toEqual([]);
    expect(report.onHold!.completed).toMatchObject({ count: 1, totalMs: 30 * MIN }); // A's 30 minutes
    expect(report.onHold!.ongoingAtEnd).toEqual({ at: '2025-03-10T00:00:00.000Z', count: 1, longestMs: 159 * H }); // C
    // alice now holds only C all week and A on Monday: (600 + 4 × 480) / 2400 = 2520/2400 = 1.05; ÷ 4 = 0.2625
    expect(report.agents!.agents.find((a) => a.agentId === 'alice')!.period).toEqual({ averageLoad: 1.05, peakLoad: 2, utilisation: 0.2625 });
    expect(report.backlog!.openNow).toBe(3); // every open case is a web case
  });

  it('filters on several values of a field, and on several fields at once', () => {
    expect(run({ filters: { queue: ['billing'] } }).casesWithActivity).toBe(3); // D, E, F
    expect(run({ filters: { queue: ['billing', 'support'], type: ['technical'] } }).casesWithActivity).toBe(3); // B, E, G
    expect(run({ filters: { territory: ['ie'] } }).casesWithActivity).toBe(1); // C
    expect(run({ filters: { priority: ['high'], channel: ['email'] } }).casesWithActivity).toBe(1); // D
    expect(matchesFilters(CASES[0]!, { type: ['unspecified'] })).toBe(false);
    expect(matchesFilters({ ...CASES[0]!, type: undefined }, { type: ['unspecified'] })).toBe(true);
  });
});

describe('report building blocks', () => {
  it('validate the period: real dates, in order, at most 366 days', () => {
    expect(parsePeriod('2024-01-01', '2024-12-31').days).toBe(366); // a leap year fits
    expect(() => parsePeriod('2024-01-01', '2025-01-01')).toThrow(ValidationError);
    expect(() => parsePeriod('2025-02-29', '2025-03-01')).toThrow(/from: must be a date/);
    expect(() => parsePeriod('2025-03-02', '2025-03-01')).toThrow(/to: must be on or after from/);
    expect(() => parsePeriod(undefined, undefined)).toThrow(/from: is required.*to: is required/);
    expect(parsePeriod('2025-03-03', '2025-03-03')).toEqual({
      from: '2025-03-03',
      to: '2025-03-03',
      start: '2025-03-03T00:00:00.000Z',
      end: '2025-03-04T00:00:00.000Z',
      days: 1,
    });
    expect(daysOf(parsePeriod('2024-02-28', '2024-03-01'))).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('name ISO weeks the way ISO 8601 does at year ends', () => {
    expect(isoWeekOf(Date.parse('2025-03-03T00:00:00Z'))).toBe('2025-W10');
    expect(isoWeekOf(Date.parse('2024-12-30T12:00:00Z'))).toBe('2025-W01'); // Monday of 2025's first week
    expect(isoWeekOf(Date.parse('2021-01-03T12:00:00Z'))).toBe('2020-W53');
  });

  it('never average nothing', () => {
    expect(durationStats([])).toEqual({ count: 0, averageMs: null, medianMs: null, average: null, median: null });
    expect(run({ period: parsePeriod('2025-01-06', '2025-01-12') }).responseTimes!.firstResponse.averageMs).toBeNull();
  });

  it('ignore what happens after the report is made, and compute only the sections asked for', () => {
    // Asked at Wed 12:00: B is still on hold (its resumption at 12:00 is not before the cut-off), F and G do not exist yet.
    const early = run({ asOf: '2025-03-05T12:00:00.000Z', sections: ['volume', 'onHold'] });
    expect(early.volume!.created).toBe(4); // A, B, D, E
    // Ongoing as of the report's time, which comes before the period's end: the figure says so.
    expect(early.onHold!.ongoingAtEnd).toEqual({ at: '2025-03-05T12:00:00.000Z', count: 2, longestMs: 2 * 24 * H + 3 * H }); // C since Mon 09:00 = 51 h; B since Tue 12:00 = 24 h
    expect(early.sla).toBeUndefined();
    expect(early.agents).toBeUndefined();
  });

  it("count a person's reassignment to a colleague once, and a system reassignment followed by its assignment once", () => {
    const SYS = { kind: 'system' as const, id: 'sweep' };
    const mona = { kind: 'agent' as const, id: 'mona' };
    const e = (at: string, activity: Activity, actor: typeof SYS | typeof mona, details: Record<string, unknown>) =>
      storedEvent({
        eventId: `${activity}-${at}`,
        caseId: 'R',
        activity,
        at: `2025-03-04T${at}:00.000Z`,
        actor,
        details,
      });
    const tl = caseTimeline(
      CASES[0]!,
      [
        e('09:00', 'assigned', SYS, { owner: 'alice' }),
        // mona (a manager) gives it to bob: `reassigned` names him, the capacity moves in the same write
        e('10:00', 'reassigned', mona, { cause: 'manual', from: 'alice', to: 'bob' }),
        e('10:00', 'capacity_released', mona, { agent: 'alice' }),
        // the end-of-shift sweep moves it to carol: `reassigned` to carol, then the claim's `assigned`
        e('17:00', 'reassigned', SYS, { cause: 'end_of_shift', from: 'bob', to: 'carol' }),
        e('17:00', 'capacity_released', SYS, { agent: 'bob' }),
        e('17:00', 'assigned', SYS, { owner: 'carol' }),
        // offer lapsed: back to routing, which gives it to alice
        e('17:10', 'offer_expired', SYS, { from: 'carol', to: 'routing' }),
        e('17:10', 'capacity_released', SYS, { agent: 'carol' }),
        e('17:10', 'assigned', SYS, { owner: 'alice' }),
      ],
      Date.parse(AS_OF),
    );
    expect(tl.assignments.map((a) => [a.index, a.owner, a.previousOwner ?? null])).toEqual([
      [1, 'alice', null],
      [2, 'bob', 'alice'],
      [3, 'carol', 'bob'],
      [4, 'alice', 'carol'],
    ]);
    expect(
      tl.holdings.map((h) => [h.agentId, new Date(h.start).toISOString().slice(11, 16), h.end ? new Date(h.end).toISOString().slice(11, 16) : null]),
    ).toEqual([
      ['alice', '09:00', '10:00'],
      ['bob', '10:00', '17:00'],
      ['carol', '17:00', '17:10'],
      ['alice', '17:10', null],
    ]);
    expect(tl.handbacks).toEqual([{ agentId: 'mona', at: Date.parse('2025-03-04T10:00:00.000Z'), activity: 'reassigned' }]);
  });

  it('track ownership from assignment to release, whatever releases it', () => {
    const tl = caseTimeline(
      CASES[3]!,
      events.filter((e) => e.caseId === 'D'),
      Date.parse(AS_OF),
    );
    expect(tl.holdings.map((h) => [h.agentId, new Date(h.start).toISOString().slice(11, 16), new Date(h.end!).toISOString().slice(11, 16)])).toEqual([
      ['carol', '09:00', '09:10'],
      ['bob', '09:10', '09:40'],
      ['alice', '09:40', '13:00'],
    ]);
    expect(tl.holds).toEqual([{ start: Date.parse(at('Tue 11:00')), end: Date.parse(at('Tue 13:00')) }]);
  });

  it('end a hold when the held case is reassigned (its `from` is the old owner, not a status)', () => {
    const mona = { kind: 'agent' as const, id: 'mona' };
    const alice = { kind: 'agent' as const, id: 'alice' };
    const e = (when: string, activity: Activity, actor: typeof mona, details: Record<string, unknown>) =>
      storedEvent({ eventId: `${activity}-${when}`, caseId: 'R', activity, at: at(when), actor, details });
    const tl = caseTimeline(
      CASES[0]!,
      [
        e('Tue 09:00', 'assigned', alice, { owner: 'alice' }),
        e('Tue 10:00', 'put_on_hold', alice, { from: 'in_progress', to: 'on_hold', reason: 'parts' }),
        // mona gives the held case to bob: it is assigned to him, no longer on hold
        e('Tue 12:00', 'reassigned', mona, { cause: 'manual', reason: 'alice is away', from: 'alice', fromStatus: 'on_hold', to: 'bob' }),
        e('Tue 15:00', 'resolved', mona, { from: 'in_progress', to: 'resolved' }),
      ],
      Date.parse(AS_OF),
    );
    expect(tl.holds).toEqual([{ start: Date.parse(at('Tue 10:00')), end: Date.parse(at('Tue 12:00')) }]);
  });
});

describe('first-contact resolution, judged on what came after the resolution', () => {
  const CUSTOMER = { kind: 'customer' as const, id: 'customer@example.org' };
  const ALICE = { kind: 'agent' as const, id: 'alice' };
  const SYS = { kind: 'system' as const, id: 'caseflow' };
  type Step = [when: string, activity: Activity, actor: typeof CUSTOMER | typeof ALICE | typeof SYS, details?: Record<string, unknown>];

  /** One case created Mon 09:00 and given to alice, then `steps` (`Tue 09:00`-style times, see the fixture). */
  function story(caseId: string, steps: Step[]): { c: (typeof CASES)[number]; events: CaseEvent[] } {
    const c = { ...CASES[0]!, caseId, status: 'resolved' as const };
    const all: Step[] = [['Mon 09:00', 'case_created', CUSTOMER], ['Mon 09:00', 'assigned', SYS, { owner: 'alice' }], ...steps];
    return {
      c,
      events: all.map(([when, activity, actor, details], i) =>
        storedEvent({ eventId: `${caseId}-${i}`, caseId, activity, at: at(when), actor, details: details ?? {} }),
      ),
    };
  }
  const fcr = (stories: ReturnType<typeof story>[], asOf = AS_OF) =>
    run({ cases: stories.map((s) => s.c), events: stories.flatMap((s) => s.events), openCases: [], asOf, sections: ['firstContactResolution'] })
      .firstContactResolution;

  const answered: Step[] = [
    ['Mon 10:00', 'reply_sent', ALICE],
    ['Mon 11:00', 'resolved', ALICE, { from: 'in_progress', to: 'resolved' }],
  ];
  const customerWroteBack = (when: string): Step[] => [
    [when, 'message_received', CUSTOMER],
    [when, 'reopened', CUSTOMER, { from: 'resolved', to: 'in_progress', owner: 'alice', cause: 'customer_reply' }],
  ];

  it('counts one reply and a resolution that held', () => {
    expect(fcr([story('H', answered)])).toEqual({ resolved: 1, firstContact: 1, rate: 1 });
  });

  it('does not count a case the customer reopened by writing back, even while it is still open', () => {
    // Resolved Mon 11:00; the customer wrote back Tue 09:00, which reopened it; nobody has resolved it again.
    expect(fcr([story('H', [...answered, ...customerWroteBack('Tue 09:00')])])).toEqual({ resolved: 1, firstContact: 0, rate: 0 });
  });

  it('does not count it when the reopening came after the period, before the report was made', () => {
    // The week's report, made on 03-10 at 12:00; the customer wrote back on 03-10 at 09:00.
    expect(fcr([story('H', [...answered, ...customerWroteBack('Mon0310 09:00')])])).toEqual({ resolved: 1, firstContact: 0, rate: 0 });
    // Made before the customer wrote back, the same report counts it: it is judged as of its `asOf`.
    expect(fcr([story('H', [...answered, ...customerWroteBack('Mon0310 09:00')])], '2025-03-10T08:00:00.000Z')).toEqual({
      resolved: 1,
      firstContact: 1,
      rate: 1,
    });
  });

  it('does not count a case an agent reopened, one answered twice or never, or one resolved before the period and again in it', () => {
    const agentReopened = story('I', [...answered, ['Tue 09:00', 'reopened', ALICE, { from: 'resolved', to: 'in_progress', owner: 'alice' }]]);
    const twice = story('J', [
      ['Mon 10:00', 'reply_sent', ALICE],
      ['Mon 10:30', 'reply_sent', ALICE],
      ['Mon 11:00', 'resolved', ALICE],
    ]);
    const never = story('K', [['Mon 11:00', 'resolved', ALICE]]);
    const followUp = story('L', [
      ['Mon 10:00', 'reply_sent', ALICE],
      ['Mon 10:30', 'message_received', CUSTOMER],
      ['Mon 11:00', 'resolved', ALICE],
    ]);
    const before = story('M', [
      ['Fri0228 10:00', 'reply_sent', ALICE],
      ['Fri0228 11:00', 'resolved', ALICE],
      ...customerWroteBack('Mon 09:30'),
      ['Mon 11:00', 'resolved', ALICE],
    ]);
    before.c = { ...before.c, createdAt: at('Fri0228 09:00') };
    before.events[0]!.at = at('Fri0228 09:00');
    before.events[1]!.at = at('Fri0228 09:00');
    expect(fcr([agentReopened, twice, never, followUp, before])).toEqual({ resolved: 5, firstContact: 0, rate: 0 });
  });

  it('holds for any history: a reopened case never counts, firstContact ≤ resolved, and events after asOf change nothing', () => {
    const ACTIVITY: Step[] = [
      ['', 'reply_sent', ALICE],
      ['', 'message_received', CUSTOMER],
      ['', 'resolved', ALICE],
      ['', 'reopened', CUSTOMER],
      ['', 'put_on_hold', ALICE],
    ];
    const times = ['Fri0228 12:00', 'Mon 10:00', 'Mon 10:00', 'Tue 12:00', 'Thu 09:00', 'Mon0310 09:00', 'Mon0310 13:00'];
    const history = fc.array(fc.record({ a: fc.integer({ min: 0, max: ACTIVITY.length - 1 }), t: fc.integer({ min: 0, max: times.length - 1 }) }), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(fc.array(history, { minLength: 1, maxLength: 4 }), (histories) => {
        const stories = histories.map((h, n) =>
          story(
            `P${n}`,
            h.map(({ a, t }) => [times[t]!, ACTIVITY[a]![1], ACTIVITY[a]![2]] as Step).sort((x, y) => at(x[0]).localeCompare(at(y[0]))),
          ),
        );
        const result = fcr(stories)!;
        expect(result.firstContact).toBeLessThanOrEqual(result.resolved);
        const reopenedByAsOf = (s: (typeof stories)[number]) => s.events.some((e) => e.activity === 'reopened' && e.at <= AS_OF);
        const clean = stories.filter((s) => !reopenedByAsOf(s));
        expect(result.firstContact).toBeLessThanOrEqual(clean.length);
        // Dropping every reopened case changes nothing in the count (they never counted).
        const withoutReopened = stories.filter((s) => !reopenedByAsOf(s));
        const cleanResult = withoutReopened.length ? fcr(withoutReopened)!.firstContact : 0;
        expect(cleanResult).toBe(result.firstContact);
        // What happens after the report was made is not part of it.
        const later = stories.map((s) => ({ ...s, events: s.events.filter((e) => e.at <= AS_OF) }));
        expect(fcr(later)).toEqual(result);
      }),
      { numRuns: 300 },
    );
  });
});

describe('a period with no activity', () => {
  // The weekend of the fixture: nothing happened on 03-08 and 03-09, while C (held by alice, on
  // hold), E (held by bob) and F (queued) were open.
  const quiet = run({ period: parsePeriod('2025-03-08', '2025-03-09') });

  it('counts nothing in the period, and labels the open cases as of the report with its instant', () => {
    expect(quiet.casesWithActivity).toBe(0);
    expect(quiet.volume).toMatchObject({ created: 0, resolved: 0, closedUnresolved: 0, reopened: 0 });
    expect(quiet.firstContactResolution).toEqual({ resolved: 0, firstContact: 0, rate: null });
    expect(quiet.backlog).toMatchObject({ asOf: AS_OF, openNow: 3 });
    expect(quiet.onHold!.ongoingAtEnd).toEqual({ at: '2025-03-10T00:00:00.000Z', count: 1, longestMs: 159 * H }); // C, on hold through the weekend
    // Holding a case through the weekend is holding it in the period: a period figure, counted there.
    expect(quiet.agents!.agents.map((a) => [a.agentId, a.casesHeldInPeriod])).toEqual([
      ['alice', 1],
      ['bob', 1],
      ['carol', 0],
    ]);
    expect(Object.keys(quiet)).not.toContain('cases');
  });
});
