import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../functions/core/agent-state.js';
import { emptyLoad } from '../../functions/core/agent-state.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { Agent, Queue } from '../../functions/core/config.js';
import { configSchemas } from '../../functions/core/config.js';
import { decideAssignment, decideNamedAssignment } from '../../functions/core/routing/assignment.js';
import { makeCase, makeAgent, onlineState } from '../support/fixtures.js';

const NOW = new Date('2026-11-23T10:00:00Z');

const agent = (id: string, capacity: Partial<Agent['capacity']> = { web: 4, email: 4 }): Agent => makeAgent(id, capacity);
const state = (id: string, over: Partial<AgentState> = {}): AgentState => onlineState(id, NOW, over);

function queue(routing: Queue['routing'], members: string[]): Queue {
  return configSchemas().QueueSchema.parse({ id: 'q', name: 'Q', routing, members });
}

function webCase(over: Partial<CaseRecord> = {}): CaseRecord {
  return makeCase({ caseId: 'c1', channel: 'web', createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...over });
}

describe('decideAssignment', () => {
  it('least_busy ranks by share of capacity in use and records why others were removed', () => {
    const candidates = [
      { agent: agent('a'), state: state('a', { load: { ...emptyLoad(), web: 3 } }) },
      { agent: agent('b'), state: state('b', { load: { ...emptyLoad(), web: 1 } }) },
      { agent: agent('c'), state: state('c', { presence: 'away' }) },
      { agent: agent('d'), state: state('d', { load: { ...emptyLoad(), web: 4 } }) },
    ];
    const d = decideAssignment({ case: webCase(), queue: queue('least_busy', ['a', 'b', 'c', 'd']), candidates, now: NOW });
    expect(d.ranking).toEqual(['b', 'a']);
    expect(d.candidates.find((c) => c.agentId === 'c')?.removedBy).toEqual({ filter: 'presence', reason: 'presence is away' });
    expect(d.candidates.find((c) => c.agentId === 'd')?.removedBy?.filter).toBe('capacity');
    expect(d.candidates.find((c) => c.agentId === 'b')?.rank).toBe(1);
    expect(d.reasons[0]).toContain('b ranks first of 2');
  });

  it('least_busy counts every channel against total capacity', () => {
    const candidates = [
      { agent: agent('a', { web: 2, email: 2 }), state: state('a', { load: { ...emptyLoad(), email: 2 } }) },
      { agent: agent('b', { web: 2, email: 2 }), state: state('b', { load: { ...emptyLoad(), web: 1 } }) },
    ];
    const d = decideAssignment({ case: webCase(), queue: queue('least_busy', ['a', 'b']), candidates, now: NOW });
    expect(d.ranking).toEqual(['b', 'a']);
  });

  it('most_available ranks by spare capacity on the case channel', () => {
    const candidates = [
      { agent: agent('a', { web: 2 }), state: state('a') },
      { agent: agent('b', { web: 10 }), state: state('b', { load: { ...emptyLoad(), web: 5 } }) },
    ];
    const d = decideAssignment({ case: webCase(), queue: queue('most_available', ['a', 'b']), candidates, now: NOW });
    expect(d.ranking).toEqual(['b', 'a']);
    expect(d.method).toBe('most_available');
  });

  it('round_robin picks the agent longest since their last assignment, never-assigned first', () => {
    const candidates = [
      { agent: agent('a'), state: state('a', { lastAssignedAt: '2026-11-23T09:00:00Z' }) },
      { agent: agent('b'), state: state('b', { lastAssignedAt: '2026-11-23T08:00:00Z' }) },
      { agent: agent('c'), state: state('c') },
    ];
    const d = decideAssignment({ case: webCase(), queue: queue('round_robin', ['a', 'b', 'c']), candidates, now: NOW });
    expect(d.ranking).toEqual(['c', 'b', 'a']);
  });

  it('breaks ties by longest since last assignment, then by id', () => {
    const candidates = [
      { agent: agent('b'), state: state('b') },
      { agent: agent('a'), state: state('a') },
      { agent: agent('z'), state: state('z', { lastAssignedAt: '2026-11-23T09:00:00Z' }) },
    ];
    const d = decideAssignment({ case: webCase(), queue: queue('least_busy', ['a', 'b', 'z']), candidates, now: NOW });
    expect(d.ranking).toEqual(['a', 'b', 'z']);
  });

  it('never offers a case again to an agent who declined it', () => {
    const candidates = [
      { agent: agent('a'), state: state('a') },
      { agent: agent('b'), state: state('b') },
    ];
    const d = decideAssignment({
      case: webCase({ routing: { excludedAgents: ['a'], attempts: 1 } }),
      queue: queue('least_busy', ['a', 'b']),
      candidates,
      now: NOW,
    });
    expect(d.ranking).toEqual(['b']);
    expect(d.candidates[0]?.removedBy?.filter).toBe('declined');
  });

  it('queues the case with a reason when nobody can take it', () => {
    const candidates = [{ agent: agent('a', { web: 0, email: 3 }), state: state('a') }];
    const d = decideAssignment({ case: webCase(), queue: queue('least_busy', ['a']), candidates, now: NOW });
    expect(d.ranking).toEqual([]);
    expect(d.reasons[0]).toBe('no member of queue q can take a web case now');
    expect(d.candidates[0]?.removedBy?.reason).toBe('no spare web capacity (0/0)');
  });
});

describe('decideNamedAssignment', () => {
  it("ranks a rule's named agents in the rule's order, whatever the queue's method says, and filters them the same way", () => {
    const candidates = [
      { agent: agent('busy'), state: state('busy', { load: { ...emptyLoad(), web: 3 } }) },
      { agent: agent('away'), state: state('away', { presence: 'away' }) },
      { agent: agent('idle'), state: state('idle') },
    ];
    const ctx = { case: webCase(), queue: queue('least_busy', ['busy', 'away', 'idle']), candidates, now: NOW };
    const named = decideNamedAssignment(ctx);
    expect(named.method).toBe('preference');
    expect(named.ranking).toEqual(['busy', 'idle']);
    expect(named.candidates.find((c) => c.agentId === 'away')?.removedBy?.filter).toBe('presence');
    expect(named.reasons[0]).toBe("agents in the rule's order of preference: busy ranks first of 2 eligible");
    // The same candidates by the queue's method: the idle agent first.
    expect(decideAssignment(ctx).ranking).toEqual(['idle', 'busy']);
  });

  it('says that no named agent can take the case when none passes', () => {
    const candidates = [{ agent: agent('away'), state: state('away', { presence: 'away' }) }];
    const d = decideNamedAssignment({ case: webCase(), queue: queue('least_busy', ['away']), candidates, now: NOW });
    expect(d.ranking).toEqual([]);
    expect(d.reasons).toEqual(['no named agent can take a web case now']);
  });
});
