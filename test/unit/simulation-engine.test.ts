import { describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { type Arrival, type CaseFields, parseMix, poissonArrivals, replaySource } from '../../functions/core/simulation/arrivals.js';
import { parseDistribution } from '../../functions/core/simulation/distributions.js';
import { attainmentOf, compare, replicate, staff } from '../../functions/core/simulation/experiment.js';
import { parseTarget } from '../../functions/core/simulation/options.js';
import { type SimulationSetup, simulate } from '../../functions/core/simulation/simulate.js';

/**
 * The simulator drives the routing engine: each test sets up a situation in which one rule of the
 * model decides the outcome, and checks the path the simulation took (how each case was assigned,
 * to whom, when, and what moved it), not only that something happened.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const MONDAY = Date.parse('2026-01-05T00:00:00Z'); // a Monday

const agent = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, email: `${id}@sim.example.com`, capacity: { email: 1 }, ...extra });

function config(input: Partial<RoutingConfigInput> & Pick<RoutingConfigInput, 'queues'>) {
  return parseRoutingConfig({ territories: [{ id: 'all', name: 'All', match: {}, queue: input.queues[0]!.id }], ...input });
}

function at(offsetMs: number, fields: CaseFields = {}): Arrival {
  return { at: MONDAY + offsetMs, fields };
}

function setupOf(cfg: ReturnType<typeof config>, arrivals: Arrival[], handle: string, extra: Partial<SimulationSetup> = {}): SimulationSetup {
  return {
    config: cfg,
    arrivals: replaySource('test', arrivals, { start: MONDAY, end: MONDAY + 24 * HOUR }),
    handle: { distribution: parseDistribution(handle) },
    seed: 1,
    ...extra,
  };
}

/** Runs and records every first assignment: case index ▶ wait. */
function runWithWaits(setup: SimulationSetup) {
  const waits = new Map<number, number>();
  const result = simulate({ ...setup, observer: { firstAssigned: (i, w) => waits.set(i, w) } });
  return { result, waits };
}

describe('the routing the simulator drives', () => {
  it('a case that arrives outside working hours waits for the agent to come on shift, and is dispatched as they do', () => {
    const cfg = config({
      businessHours: [{ id: 'office', timezone: 'Europe/Berlin', weekly: { mon: [{ start: '09:00', end: '17:00' }] } }],
      queues: [{ id: 'q', name: 'Q', members: ['ada'] }],
      agents: [agent('ada', { businessHours: 'office' })],
    });
    // 06:00 UTC is 07:00 in Berlin: the office opens at 08:00 UTC.
    const { result, waits } = runWithWaits(setupOf(cfg, [at(6 * HOUR), at(10 * HOUR)], 'fixed:PT30M'));
    expect(waits.get(0)).toBe(2 * HOUR);
    expect(waits.get(1)).toBe(0);
    expect(result.assignments.byPath).toEqual({ 'dispatch:online': 1, arrival: 1 });
    const ada = result.agents.find((a) => a.agentId === 'ada')!;
    expect(ada.online).toBeCloseTo(8 / 24, 6); // on shift 08:00–16:00 UTC of the 24 hours
  });

  it('requirements relax with the time waited, and the sweep assigns the case when they have relaxed enough', () => {
    const cfg = config({
      queues: [{ id: 'q', name: 'Q', members: ['junior'] }],
      agents: [agent('junior', { skills: { lamps: 2 } })],
      rules: [{ id: 'lamps', when: { field: 'product', op: 'eq', value: 'lamp' }, then: { requireSkills: [{ skill: 'lamps', minLevel: 4 }] } }],
      sweeps: { relaxSkillsAfter: 'PT30M' },
    });
    const { result, waits } = runWithWaits(setupOf(cfg, [at(HOUR + 10_000, { product: 'lamp' })], 'fixed:PT10M'));
    // Stage 1 (after 30 min) drops optional skills only; stage 2 (after 60 min) drops levels: then the junior qualifies,
    // at the first sweep after the hour.
    const wait = waits.get(0)!;
    expect(wait).toBeGreaterThanOrEqual(60 * MIN);
    expect(wait).toBeLessThanOrEqual(61 * MIN);
    expect(result.assignments.byPath).toEqual({ sweep: 1 });
    expect(result.assignments.byRelaxationStage).toEqual({ 2: 1 });
  });

  it('nobody in the queue can take it: the overflow queue does', () => {
    const cfg = config({
      queues: [
        { id: 'front', name: 'Front', members: ['ada'], overflowQueue: 'back' },
        { id: 'back', name: 'Back', members: ['bo'] },
      ],
      agents: [agent('ada'), agent('bo')],
    });
    const { result } = runWithWaits(setupOf(cfg, [at(HOUR), at(HOUR + MIN)], 'fixed:PT1H'));
    expect(result.assignments.overflow).toBe(1);
    expect(result.agents.map((a) => [a.agentId, a.assigned])).toEqual([
      ['ada', 1],
      ['bo', 1],
    ]);
    expect(result.wait.max).toBe(0);
    // Both cases belong to the front queue, where they would have waited.
    expect(result.byQueue.map((q) => [q.queue, q.wait.count])).toEqual([['front', 2]]);
  });

  it("customer history: the agent who resolved the account's last case is ranked first", () => {
    const cfg = config({
      queues: [{ id: 'q', name: 'Q', routing: 'round_robin', members: ['ada', 'bo', 'cy'] }],
      agents: [agent('ada', { capacity: { email: 5 } }), agent('bo', { capacity: { email: 5 } }), agent('cy', { capacity: { email: 5 } })],
    });
    const acme = { account: { id: 'acme' } };
    // Round robin hands the first case to ada; once she has resolved it, acme's later cases go to her, not round the table.
    const arrivals = [at(HOUR, acme), at(2 * HOUR, { account: { id: 'other' } }), at(3 * HOUR, acme), at(4 * HOUR, acme)];
    const { result } = runWithWaits(setupOf(cfg, arrivals, 'fixed:PT10M'));
    expect(result.assignments.preferred).toBe(2);
    expect(result.agents.find((a) => a.agentId === 'ada')!.assigned).toBe(3);
  });

  it('a rule naming agents in order: the first who can take the case gets it, else the next, else the queue', () => {
    const cfg = config({
      queues: [{ id: 'q', name: 'Q', members: ['ada', 'bo', 'cy'] }],
      agents: [agent('ada'), agent('bo'), agent('cy')],
      rules: [{ id: 'billing', when: { field: 'type', op: 'eq', value: 'billing' }, then: { route: { agents: ['bo', 'ada'] } } }],
    });
    const billing = { type: 'billing' };
    const { result } = runWithWaits(setupOf(cfg, [at(HOUR, billing), at(HOUR + 1, billing), at(HOUR + 2, billing)], 'fixed:PT1H'));
    expect(result.agents.map((a) => [a.agentId, a.assigned])).toEqual([
      ['ada', 1],
      ['bo', 1],
      ['cy', 1],
    ]);
  });

  it('capacity is per channel: an agent holds an email and a phone case at once, but not two phone cases', () => {
    const cfg = config({ queues: [{ id: 'q', name: 'Q', members: ['ada'] }], agents: [agent('ada', { capacity: { email: 1, phone: 1 } })] });
    const arrivals = [at(HOUR, { channel: 'email' }), at(HOUR + 1, { channel: 'phone' }), at(HOUR + 2, { channel: 'phone' })];
    const { waits } = runWithWaits(setupOf(cfg, arrivals, 'fixed:PT1H'));
    expect([waits.get(0), waits.get(1), waits.get(2)]).toEqual([0, 0, HOUR - 1]);
  });

  it('the end of a shift moves the open cases of a queue that asks for it to whoever is on', () => {
    const cfg = config({
      businessHours: [
        { id: 'early', timezone: 'UTC', weekly: { mon: [{ start: '08:00', end: '12:00' }] } },
        { id: 'late', timezone: 'UTC', weekly: { mon: [{ start: '11:00', end: '20:00' }] } },
      ],
      queues: [{ id: 'q', name: 'Q', members: ['ada', 'bo'], reassignAtEndOfShift: true }],
      agents: [agent('ada', { businessHours: 'early' }), agent('bo', { businessHours: 'late' })],
    });
    // Ada takes it at 10:00 for 3 hours of work; her day ends at 12:00 and Bo finishes it (one hour left) at 13:00.
    const { result } = runWithWaits(setupOf(cfg, [at(10 * HOUR)], 'fixed:PT3H', { drainMs: 0 }));
    expect(result.reassignments.byCause).toEqual({ end_of_shift: 1 });
    expect(result.agents.map((a) => [a.agentId, a.assigned, a.resolved])).toEqual([
      ['ada', 1, 0],
      ['bo', 1, 1],
    ]);
  });

  it('SLA clocks run on business time: met when an agent takes the case in time, missed when it waits, and an escalation moves it', () => {
    const cfg = config({
      businessHours: [{ id: 'office', timezone: 'UTC', weekly: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] } }],
      queues: [
        { id: 'q', name: 'Q', members: ['ada'] },
        { id: 'tier2', name: 'Tier 2', members: ['bo'] },
      ],
      agents: [agent('ada', { businessHours: 'office' }), agent('bo')],
      slaPolicies: [
        {
          id: 'std',
          businessHours: 'office',
          firstResponse: { medium: 'PT1H' },
          escalation: [{ after: 'PT30M', reassignTo: { queue: 'tier2' } }],
        },
      ],
    });
    // 10:00: ada is free ▶ met. 10:05: ada is busy until 14:00; the first response is due 11:05, the
    // escalation 30 business minutes later moves the case to tier 2, where bo takes it at 11:35.
    const { result, waits } = runWithWaits(setupOf(cfg, [at(10 * HOUR), at(10 * HOUR + 5 * MIN)], 'fixed:PT4H'));
    expect(waits.get(1)).toBe(90 * MIN);
    expect(result.reassignments.byCause).toEqual({ sla_escalation: 1 });
    expect(result.sla).toEqual([{ policy: 'std', milestone: 'first_response', met: 1, metLate: 1, missedOpen: 0, pending: 0, attainment: 0.5 }]);
    expect(result.agents.find((a) => a.agentId === 'bo')!.assigned).toBe(1);
  });

  it('work time in business hours: a case held past closing time is finished the next working day', () => {
    const cfg = config({
      businessHours: [{ id: 'office', timezone: 'UTC', weekly: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] } }],
      queues: [{ id: 'q', name: 'Q', members: ['ada'] }],
      agents: [agent('ada', { businessHours: 'office' })],
    });
    // 16:00 + 2 h of work: one hour on Monday, one on Tuesday from 09:00: the second case waits until 10:00 Tuesday.
    const arrivals = [at(16 * HOUR), at(16 * HOUR + MIN)];
    const elapsed = runWithWaits(setupOf(cfg, arrivals, 'fixed:PT2H', { drainMs: 24 * HOUR }));
    const business = runWithWaits(setupOf(cfg, arrivals, 'fixed:PT2H', { drainMs: 24 * HOUR, workTime: 'business' }));
    // Elapsed: done at 18:00 Monday while ada is off; she takes the second case when she comes on at 09:00 Tuesday.
    expect(elapsed.waits.get(1)).toBe(17 * HOUR - MIN);
    expect(business.waits.get(1)).toBe(18 * HOUR - MIN);
  });

  it('a case outside every territory goes to manual review and is not routed; cases nobody can take are still waiting at the end', () => {
    const cfg = parseRoutingConfig({
      territories: [{ id: 'de', name: 'DE', match: { countries: ['DE'] }, queue: 'q' }],
      queues: [{ id: 'q', name: 'Q', members: ['ada'] }],
      agents: [agent('ada', { capacity: { phone: 1 } })],
    });
    const { result } = runWithWaits(
      setupOf(cfg, [at(HOUR, { location: { country: 'FR' } }), at(2 * HOUR, { location: { country: 'Deutschland' }, channel: 'email' })], 'fixed:PT1H'),
    );
    expect(result.arrivals).toEqual({ total: 2, measured: 2, needsReview: 1 });
    expect(result.stillWaiting.total).toBe(1);
    expect(result.stillWaiting.byQueue.q!.oldestMs).toBe(22 * HOUR);
  });

  it('skipping sweeps that cannot change anything gives exactly the result of running every one', () => {
    const cfg = parseRoutingConfig({
      businessHours: [
        { id: 'office', timezone: 'Europe/Berlin', weekly: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] } },
      ],
      territories: [{ id: 'all', name: 'All', match: {}, queue: 'q' }],
      queues: [
        { id: 'q', name: 'Q', members: ['ada', 'bo', 'cy'], overflowQueue: 'r' },
        { id: 'r', name: 'R', members: ['dee'] },
      ],
      agents: [
        agent('ada', { capacity: { email: 2 }, skills: { lamps: 2 }, businessHours: 'office', languages: ['en'] }),
        agent('bo', { capacity: { email: 2 }, skills: { lamps: 4 }, languages: ['de'] }),
        agent('cy', { capacity: { email: 1 }, languages: ['en'] }),
        agent('dee', { capacity: { email: 1 } }),
      ],
      rules: [
        { id: 'lamps', when: { field: 'product', op: 'eq', value: 'lamp' }, then: { requireSkills: [{ skill: 'lamps', minLevel: 3 }] } },
        { id: 'vip', when: { field: 'account.tier', op: 'eq', value: 'gold' }, then: { route: { agents: ['ada'] }, setPriority: 'high' } },
      ],
      sweeps: { relaxSkillsAfter: 'PT20M' },
    });
    const setup: SimulationSetup = {
      config: cfg,
      seed: 3,
      arrivals: poissonArrivals({
        profile: { perHour: 9, timezone: 'UTC' },
        start: MONDAY,
        end: MONDAY + 48 * HOUR,
        mix: ['product=lamp:1,other:2', 'language=en:3,de:1', 'account.tier=gold:1,plain:5'].map((m) => parseMix(m)),
      }),
      handle: { distribution: parseDistribution('exponential:mean=PT25M') },
    };
    const skipping = simulate(setup);
    const every = simulate({ ...setup, sweepEvenWhenIdle: true });
    expect(skipping.assignments.byPath.sweep).toBeGreaterThan(0);
    expect({ ...skipping, sweeps: undefined }).toEqual({ ...every, sweeps: undefined });
    expect(every.sweeps.skipped).toBe(0);
    expect(skipping.sweeps.skipped).toBeGreaterThan(skipping.sweeps.run);
  });
});

describe('runs, replications and comparisons', () => {
  const cfg = config({ queues: [{ id: 'q', name: 'Q', members: ['ada', 'bo'] }], agents: [agent('ada'), agent('bo')] });
  const poisson = (seed: number, perHour = 3): SimulationSetup => ({
    config: cfg,
    seed,
    arrivals: poissonArrivals({ profile: { perHour, timezone: 'UTC' }, start: MONDAY, end: MONDAY + 7 * 24 * HOUR }),
    handle: { distribution: parseDistribution('exponential:mean=PT30M') },
  });

  it('the same seed gives the same result; another seed another', () => {
    const a = simulate(poisson(11));
    const b = simulate(poisson(11));
    const c = simulate(poisson(12));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(c.wait.mean).not.toBe(a.wait.mean);
    expect(a.arrivals.total).toBeGreaterThan(400);
  });

  it('replications are independent runs with confidence intervals', () => {
    const run = replicate(poisson(5), 4);
    expect(new Set(run.results.map((r) => r.seed)).size).toBe(4);
    const waits = run.results.map((r) => r.wait.mean);
    expect(run.metrics['wait.mean']!.mean).toBeCloseTo(waits.reduce((s, w) => s + w, 0) / 4, 6);
    expect(run.metrics['wait.mean']!.halfWidth).toBeGreaterThan(0);
  });

  it('a comparison uses common random numbers: the same configuration twice differs by exactly nothing; another by a paired interval', () => {
    const same = compare(poisson(9), poisson(9), 3);
    for (const d of Object.values(same.differences)) {
      expect(d.mean).toBe(0);
      expect(d.halfWidth).toBe(0);
    }
    const fewer = compare(
      poisson(9),
      { ...poisson(9), config: config({ queues: [{ id: 'q', name: 'Q', members: ['ada'] }], agents: [agent('ada'), agent('bo')] }) },
      3,
    );
    expect(fewer.a.results.map((r) => r.arrivals.total)).toEqual(fewer.b.results.map((r) => r.arrivals.total));
    expect(fewer.differences['wait.mean']!.mean).toBeGreaterThan(fewer.differences['wait.mean']!.halfWidth);
  });

  it('staffing finds the fewest agents that meet the target, starting from Erlang C and confirmed by simulation', () => {
    const target = parseTarget('80% within PT10M');
    const result = staff(
      { ...poisson(21, 8), config: config({ queues: [{ id: 'q', name: 'Q', members: ['ada'] }], agents: [agent('ada')] }) },
      { target, replications: 2 },
    );
    const q = result.queues[0]!;
    expect(q.queue).toBe('q');
    expect(q.arrivalsPerOpenHour).toBeGreaterThan(6);
    expect(q.arrivalsPerOpenHour).toBeLessThan(10);
    expect(q.erlangAgents).toBeGreaterThanOrEqual(5);
    const n = q.agents!;
    const tried = new Map(q.tried.map((t) => [t.agents, t.attainment]));
    expect(tried.get(n)).toBeGreaterThanOrEqual(0.8);
    expect(tried.get(n - 1)).toBeLessThan(0.8);
    expect(Math.abs(n - q.erlangAgents)).toBeLessThanOrEqual(1);
    expect(result.finalAttainment.q).toBeGreaterThanOrEqual(0.8);
    expect(attainmentOf(result.final!.results, 'q', target.withinMs).share).toBe(result.finalAttainment.q);
  });
});
