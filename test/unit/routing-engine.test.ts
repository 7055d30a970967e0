import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../functions/core/agent-state.js';
import { emptyLoad } from '../../functions/core/agent-state.js';
import { isOpenAt } from '../../functions/core/business-hours.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { compileConditionNode } from '../../functions/core/conditions.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { compileRouting, decideRouting, relaxRequirements } from '../../functions/core/routing/engine.js';
import { onlineState } from '../support/fixtures.js';

const NOW = new Date('2026-11-23T10:00:00Z'); // a Monday; 11:00 in Berlin, 05:00 in New York

function cfg(over: Partial<RoutingConfigInput> = {}) {
  return parseRoutingConfig({
    businessHours: [
      { id: 'ny', timezone: 'America/New_York', weekly: { mon: [{ start: '09:00', end: '17:00' }] } },
      {
        id: 'berlin',
        timezone: 'Europe/Berlin',
        weekly: {
          mon: [
            { start: '08:00', end: '12:00' },
            { start: '13:00', end: '17:00' },
          ],
        },
        holidays: ['2026-12-25'],
      },
    ],
    territories: [
      { id: 'iran', name: 'Iran', match: { countries: ['IR'] }, queue: 'q' },
      { id: 'dach', name: 'DACH', match: { countries: ['DE', 'AT', 'CH'] }, queue: 'q' },
    ],
    queues: [
      { id: 'q', name: 'Q', routing: 'least_busy', members: ['a', 'b', 'c'], overflowQueue: 'spill' },
      { id: 'spill', name: 'Spill', members: ['d'] },
    ],
    agents: [
      { id: 'a', name: 'A', email: 'a@x.io', capacity: { web: 2 }, skills: { lamps: 2 }, languages: ['en'] },
      { id: 'b', name: 'B', email: 'b@x.io', capacity: { web: 2 }, skills: { lamps: 4 }, languages: ['en', 'de'] },
      { id: 'c', name: 'C', email: 'c@x.io', capacity: { web: 2 }, languages: ['fa'], territories: ['iran'] },
      { id: 'd', name: 'D', email: 'd@x.io', capacity: { web: 2 } },
    ],
    ...over,
  });
}

function online(id: string, over: Partial<AgentState> = {}): [string, AgentState] {
  return [id, onlineState(id, NOW, over)];
}

function aCase(over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    caseId: 'c1',
    caseNumber: '00001000',
    channel: 'web',
    status: 'new',
    priority: 'medium',
    priorityRank: 2,
    subject: 's',
    description: 'd',
    contact: { email: 'x@example.com' },
    queue: 'q',
    routing: { excludedAgents: [], attempts: 0 },
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    version: 1,
    ...over,
  };
}

const allOnline = new Map([online('a'), online('b'), online('c'), online('d')]);

describe('rules', () => {
  it('first matching rule wins and its named agents are tried in order', () => {
    const compiled = compileRouting(
      cfg({
        rules: [
          { id: 'lamps', when: { field: 'product', op: 'eq', value: 'Lamp' }, then: { route: { agents: ['b', 'a'] } } },
          { id: 'never', when: { field: 'product', op: 'exists' }, then: { route: { agent: 'c' } } },
        ],
      }),
    );
    const d = decideRouting({ case: aCase({ product: 'lamp' }), compiled, states: allOnline, now: NOW });
    expect(d.rule?.id).toBe('lamps');
    expect(d.ranking.map((r) => r.agentId)).toEqual(['b', 'a']);
    expect(d.steps[0]?.method).toBe('preference');
  });

  it('falls back to the queue when no named agent can take the case', () => {
    const compiled = compileRouting(cfg({ rules: [{ id: 'to-b', when: { field: 'product', op: 'eq', value: 'x' }, then: { route: { agent: 'b' } } }] }));
    const states = new Map([...allOnline, online('b', { load: { ...emptyLoad(), web: 2 } })]);
    const d = decideRouting({ case: aCase({ product: 'x' }), compiled, states, now: NOW });
    expect(d.ranking.map((r) => r.agentId)).toEqual(['a', 'c']);
    expect(d.reasons).toContain('no named agent can take it now; falling back to queue q');
    expect(d.steps[0]?.candidates[0]?.removedBy?.filter).toBe('capacity');
  });

  it('sets priority and requires skills with minimum levels', () => {
    const compiled = compileRouting(
      cfg({
        rules: [
          {
            id: 'hot-lamps',
            when: {
              all: [
                { field: 'product', op: 'eq', value: 'lamp' },
                { field: 'priority', op: 'in', value: ['high'] },
              ],
            },
            then: { setPriority: 'critical', requireSkills: [{ skill: 'lamps', minLevel: 3 }] },
          },
        ],
      }),
    );
    const d = decideRouting({ case: aCase({ product: 'lamp', priority: 'high', priorityRank: 1 }), compiled, states: allOnline, now: NOW });
    expect(d.setPriority).toEqual({ priority: 'critical', rank: 0 });
    expect(d.ranking.map((r) => r.agentId)).toEqual(['b']);
    expect(d.steps[0]?.candidates.find((c) => c.agentId === 'a')?.removedBy).toEqual({ filter: 'skills', reason: 'needs lamps ≥ 3, has 2' });
  });

  it('evaluates time of day and dates in the named time zone', () => {
    const inHours = compileConditionNode({ field: 'createdAt', op: 'time_between', value: ['08:00', '16:00'], timezone: 'Europe/Berlin' });
    const nightShift = compileConditionNode({ field: 'createdAt', op: 'time_between', value: ['22:00', '06:00'], timezone: 'America/New_York' });
    const incidentDay = compileConditionNode({ field: 'createdAt', op: 'date_eq', value: '2026-11-23', timezone: 'Asia/Tokyo' });
    const tuesday = compileConditionNode({ field: 'createdAt', op: 'weekday_in', value: ['tue'], timezone: 'Pacific/Kiritimati' });
    const monday = compileConditionNode({ field: 'createdAt', op: 'weekday_in', value: ['mon'], timezone: 'Pacific/Kiritimati' });
    const c = aCase();
    expect(inHours({ case: c, now: NOW })).toBe(true); // 11:00 Berlin
    expect(nightShift({ case: c, now: NOW })).toBe(true); // 05:00 New York
    expect(incidentDay({ case: c, now: NOW })).toBe(true); // 19:00 Tokyo
    // Kiritimati is UTC+14: Monday 10:00 UTC is already Tuesday 00:00 there.
    expect(tuesday({ case: c, now: NOW })).toBe(true);
    expect(monday({ case: c, now: NOW })).toBe(false);
    expect(inHours({ case: aCase({ createdAt: '2026-11-23T16:30:00Z' }), now: NOW })).toBe(false); // 17:30 Berlin
  });

  it('combines all / any / not', () => {
    const p = compileConditionNode({
      all: [
        {
          any: [
            { field: 'type', op: 'eq', value: 'outage' },
            { field: 'subject', op: 'contains', value: 'down' },
          ],
        },
        { not: [{ field: 'account.group', op: 'eq', value: '66' }] },
      ],
    });
    expect(p({ case: aCase({ subject: 'Site is DOWN' }), now: NOW })).toBe(true);
    expect(p({ case: aCase({ subject: 'Site is DOWN', account: { group: '66' } }), now: NOW })).toBe(false);
    expect(p({ case: aCase({ subject: 'hello' }), now: NOW })).toBe(false);
  });
});

describe('filters', () => {
  it('removes agents outside their working hours, including split shifts and holidays', () => {
    const berlin = cfg().businessHours.find((b) => b.id === 'berlin')!;
    expect(isOpenAt(berlin, new Date('2026-11-23T10:00:00Z'))).toBe(true); // 11:00
    expect(isOpenAt(berlin, new Date('2026-11-23T11:30:00Z'))).toBe(false); // 12:30 lunch break
    expect(isOpenAt(berlin, new Date('2026-11-24T10:00:00Z'))).toBe(false); // Tuesday: closed
    const compiled = compileRouting(
      cfg({
        agents: [
          { id: 'a', name: 'A', email: 'a@x.io', capacity: { web: 2 }, businessHours: 'ny' },
          { id: 'b', name: 'B', email: 'b@x.io', capacity: { web: 2 }, businessHours: 'berlin' },
          { id: 'c', name: 'C', email: 'c@x.io', capacity: { web: 2 } },
          { id: 'd', name: 'D', email: 'd@x.io', capacity: { web: 2 } },
        ],
      }),
    );
    const d = decideRouting({ case: aCase(), compiled, states: allOnline, now: NOW });
    expect(d.steps[0]?.candidates.find((c) => c.agentId === 'a')?.removedBy).toEqual({ filter: 'business_hours', reason: 'outside working hours (ny)' });
    expect(d.ranking.map((r) => r.agentId)).toEqual(['b', 'c']);
  });

  it('requires the case language and the agent territory', () => {
    const compiled = compileRouting(cfg());
    const d = decideRouting({ case: aCase({ language: 'de-AT', territory: 'dach' }), compiled, states: allOnline, now: NOW });
    expect(d.ranking.map((r) => r.agentId)).toEqual(['b']);
    const removed = Object.fromEntries(d.steps[0]!.candidates.map((c) => [c.agentId, c.removedBy?.filter]));
    expect(removed).toEqual({ a: 'language', b: undefined, c: 'language' });
    const fa = decideRouting({ case: aCase({ language: 'fa', territory: 'dach' }), compiled, states: allOnline, now: NOW });
    expect(fa.steps[0]!.candidates.find((c) => c.agentId === 'c')?.removedBy?.filter).toBe('territory');
  });
});

describe('relaxation', () => {
  const required = [
    { skill: 'lamps', minLevel: 4, optional: false },
    { skill: 'german', minLevel: 2, optional: true },
  ];

  it('drops optional skills first, then levels, then the language', () => {
    const min = 60_000;
    expect(relaxRequirements(required, 0, 30 * min)).toEqual({ stage: 0, requirements: { skills: required, language: true } });
    expect(relaxRequirements(required, 31 * min, 30 * min).requirements.skills).toEqual([required[0]]);
    expect(relaxRequirements(required, 61 * min, 30 * min).requirements.skills).toEqual([{ ...required[0], minLevel: 1 }]);
    expect(relaxRequirements(required, 91 * min, 30 * min).requirements.language).toBe(false);
    expect(relaxRequirements(required, 900 * min, 30 * min).stage).toBe(3);
  });

  it('lets a waiting case reach an agent with a lower level', () => {
    const compiled = compileRouting(
      cfg({
        rules: [{ id: 'expert', when: { field: 'product', op: 'eq', value: 'lamp' }, then: { requireSkills: [{ skill: 'lamps', minLevel: 5 }] } }],
      }),
    );
    const fresh = decideRouting({ case: aCase({ product: 'lamp' }), compiled, states: allOnline, now: NOW });
    expect(fresh.ranking).toEqual([]);
    expect(fresh.reasons.at(-1)).toBe('the case waits in queue q until someone can take it');
    const waited = decideRouting({
      case: aCase({ product: 'lamp', status: 'queued', routing: { excludedAgents: [], attempts: 1, queuedAt: '2026-11-23T08:59:00Z' } }),
      compiled,
      states: allOnline,
      now: NOW,
    });
    expect(waited.relaxationStage).toBe(2);
    expect(waited.ranking.map((r) => r.agentId)).toEqual(['a', 'b']);
  });
});

describe('customer history and overflow', () => {
  it('prefers the last resolver of the contact when they qualify, and says so', () => {
    const compiled = compileRouting(cfg());
    const states = new Map([...allOnline, online('c', { load: { ...emptyLoad(), web: 1 } })]);
    const d = decideRouting({ case: aCase(), compiled, states, history: { contactResolver: 'c' }, now: NOW });
    expect(d.ranking[0]?.agentId).toBe('c');
    expect(d.reasons).toContain("c preferred: resolved this contact's last case");
    const offline = new Map([...allOnline, online('c', { presence: 'offline' })]);
    expect(decideRouting({ case: aCase(), compiled, states: offline, history: { contactResolver: 'c' }, now: NOW }).ranking[0]?.agentId).toBe('a');
  });

  it('overflows to the overflow queue only when nobody in the queue can take the case', () => {
    const compiled = compileRouting(cfg());
    const busy = new Map([
      online('a', { presence: 'away' }),
      online('b', { presence: 'offline' }),
      online('c', { load: { ...emptyLoad(), web: 2 } }),
      online('d'),
    ]);
    const d = decideRouting({ case: aCase(), compiled, states: busy, now: NOW });
    expect(d.ranking).toEqual([{ agentId: 'd', queue: 'spill' }]);
    expect(d.queue).toBe('q');
    expect(d.reasons).toContain('nobody in q can take it now; overflow to spill');
  });
});
