/**
 * The expert finder (functions/core/expert-finder.ts) and the swarm rules of authz: pure, no I/O.
 */
import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../functions/core/agent-state.js';
import type { Principal } from '../../functions/core/authz.js';
import { canAddNote, canReadCase, canWorkCase, isSwarmMember } from '../../functions/core/authz.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { Swarm } from '../../functions/core/case.js';
import { closedSwarm, findExperts, swarmSkills } from '../../functions/core/expert-finder.js';
import { FIXED_START, makeAgentState, makeCase } from '../support/fixtures.js';

const config = parseRoutingConfig({
  queues: [
    { id: 'support', name: 'Support', members: ['owner', 'peer'] },
    { id: 'hardware', name: 'Hardware', members: ['ace', 'bea', 'cid', 'dot', 'eli', 'fin'] },
  ],
  agents: [
    { id: 'owner', name: 'Owner', email: 'owner@example.com', capacity: { web: 5 }, skills: { lamps: 5 } },
    { id: 'peer', name: 'Peer', email: 'peer@example.com', capacity: { web: 5 }, skills: { billing: 3 } },
    { id: 'ace', name: 'Ace', email: 'ace@example.com', capacity: { web: 4 }, skills: { lamps: 5, Hardware: 4 }, languages: ['en'], tier: 3 },
    { id: 'bea', name: 'Bea', email: 'bea@example.com', capacity: { web: 4 }, skills: { lamps: 3 }, languages: ['de-CH'], tier: 1 },
    { id: 'cid', name: 'Cid', email: 'cid@example.com', capacity: { web: 4 }, skills: { lamps: 5 }, tier: 1 },
    { id: 'dot', name: 'Dot', email: 'dot@example.com', capacity: { web: 2 }, skills: { lamps: 5, hardware: 5 }, tier: 3 },
    { id: 'eli', name: 'Eli', email: 'eli@example.com', capacity: { web: 0, email: 5 }, skills: { lamps: 5 }, tier: 3 },
    { id: 'fin', name: 'Fin', email: 'fin@example.com', capacity: { web: 4 }, skills: { hardware: 1 }, tier: 1 },
  ],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
});

const kase = (overrides: Partial<CaseRecord> = {}) =>
  makeCase({ channel: 'web', status: 'in_progress', owner: 'owner', queue: 'support', product: 'lamps', language: 'de', ...overrides });

function states(overrides: Record<string, Partial<AgentState>> = {}): Map<string, AgentState> {
  const ids = config.agents.map((a) => a.id);
  return new Map(ids.map((id) => [id, makeAgentState({ agentId: id, presence: 'online', ...overrides[id] })]));
}

const now = new Date(FIXED_START);

describe('findExperts', () => {
  it('ranks by skill, presence, spare capacity, language and tier, and says why', () => {
    const search = findExperts({
      case: kase(),
      config,
      states: states({ dot: { load: { web: 2, email: 0, phone: 0, chat: 0 } }, cid: { presence: 'away' } }),
      ruleSkills: [{ skill: 'hardware', minLevel: 3, optional: false }],
      ruleId: 'lamp-faults',
      limit: 3,
      now,
    });
    expect(search.skills).toEqual([
      { skill: 'hardware', minLevel: 3, optional: false },
      { skill: 'lamps', minLevel: 1, optional: false },
    ]);
    expect(search.experts.map((e) => [e.agentId, e.score])).toEqual([
      // ace: hardware 4 (+40; skill names compare without case), lamps 5 (+50), meets all (+5), online (+4), 4/4 free (+5), tier 3
      ['ace', 107],
      // cid: lamps 5 (+50), no hardware, away (+0), 4/4 free (+5), tier 1
      ['cid', 56],
      // bea: lamps 3 (+30), online (+4), 4/4 free (+5), speaks de (de-CH, +3), tier 1
      ['bea', 43],
    ]);
    const ace = search.experts.find((e) => e.agentId === 'ace')!;
    expect(ace.reasons).toEqual([
      'hardware level 4: +40',
      'lamps level 5: +50',
      'meets every skill requirement: +5',
      'online: +4',
      '4 of 4 web slots free: +5',
      'tier 3: +3',
    ]);
    expect(search.excluded).toEqual([
      { agentId: 'owner', reason: 'owns the case' },
      { agentId: 'peer', reason: 'none of hardware, lamps' },
      { agentId: 'dot', reason: 'no spare web capacity (2/2)' },
      { agentId: 'eli', reason: 'no spare web capacity (0/0)' },
    ]);
    // Fin has hardware below the required 3: half points, ranked below the limit.
    expect(search.runnersUp.map((e) => e.agentId)).toEqual(['fin']);
    expect(search.runnersUp[0]!.reasons[0]).toBe('hardware level 1 (below the required 3): +5');
    expect(search.reasons[0]).toBe('matching on hardware≥3, lamps (rule lamp-faults requires hardware≥3; product lamps)');
  });

  it('never proposes the owner, offline agents or members already invited; ties go to spare capacity, then id', () => {
    const search = findExperts({
      case: kase({ language: undefined }),
      config,
      states: states({ ace: { presence: 'offline' }, bea: { load: { web: 3, email: 0, phone: 0, chat: 0 } } }),
      alreadyInvited: ['dot'],
      limit: 10,
      now,
    });
    const ids = search.experts.map((e) => e.agentId);
    expect(ids).not.toContain('owner');
    expect(ids).not.toContain('ace');
    expect(ids).not.toContain('dot');
    expect(search.excluded).toEqual(
      expect.arrayContaining([
        { agentId: 'ace', reason: 'offline' },
        { agentId: 'dot', reason: 'already in the swarm' },
      ]),
    );
    // Eli has no web capacity and Fin none of the skills; Cid (lamps 5) beats Bea (lamps 3, 1 slot free).
    expect(ids).toEqual(['cid', 'bea']);
    // Same input, same answer.
    expect(
      findExperts({
        case: kase({ language: undefined }),
        config,
        states: states({ ace: { presence: 'offline' }, bea: { load: { web: 3, email: 0, phone: 0, chat: 0 } } }),
        alreadyInvited: ['dot'],
        limit: 10,
        now,
      }),
    ).toEqual(search);
  });

  it('has nothing to match on when neither the case nor its rule names a skill', () => {
    const search = findExperts({ case: kase({ product: 'toasters', type: undefined }), config, states: states(), now });
    expect(search.experts).toEqual([]);
    expect(search.skills).toEqual([]);
    expect(search.reasons[0]).toMatch(/^nothing to match experts on: product toasters and type \(none\) name no agent skill/);
  });

  it('takes the case type as a skill when an agent has a skill of that name', () => {
    expect(swarmSkills(kase({ product: undefined, type: 'HARDWARE' }), config)).toEqual([{ skill: 'Hardware', minLevel: 1, optional: false }]);
  });
});

describe('swarm members in the authorisation rules', () => {
  const swarm: Swarm = {
    swarmId: 's1',
    status: 'open',
    startedAt: FIXED_START,
    startedBy: 'owner',
    skills: [],
    members: [{ agentId: 'ace', name: 'Ace', score: 1, reasons: [], invitedAt: FIXED_START, invitedBy: 'owner' }],
  };
  const ace: Principal = { agentId: 'ace', roles: ['agent'] };
  const peer: Principal = { agentId: 'peer', roles: ['agent'] };
  const fin: Principal = { agentId: 'fin', roles: ['agent'] };
  const owner: Principal = { agentId: 'owner', roles: ['agent'] };
  const manager: Principal = { agentId: 'max', roles: ['manager'] };

  it('may read and note while the swarm and the case are open, never work the case', () => {
    const c = kase({ swarm });
    expect(isSwarmMember(ace, c)).toBe(true);
    expect([canReadCase(ace, c, config), canAddNote(ace, c, config), canWorkCase(ace, c)]).toEqual([true, true, false]);
    expect([canReadCase(peer, c, config), canAddNote(peer, c, config), canWorkCase(peer, c)]).toEqual([true, true, false]);
    expect([canReadCase(fin, c, config), canAddNote(fin, c, config)]).toEqual([false, false]);
    expect([canReadCase(owner, c, config), canWorkCase(owner, c)]).toEqual([true, true]);
    expect([canReadCase(manager, c, config), canWorkCase(manager, c)]).toEqual([true, true]);
  });

  it('lose access when the swarm closes, or the case does', () => {
    expect(canReadCase(ace, kase({ swarm: closedSwarm(swarm, FIXED_START, 'case resolved') }), config)).toBe(false);
    expect(canReadCase(ace, kase({ swarm, status: 'resolved' }), config)).toBe(false);
    expect(canAddNote(ace, kase({ swarm, status: 'closed_unresolved' }), config)).toBe(false);
  });
});
