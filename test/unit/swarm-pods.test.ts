/**
 * The swarm request's skills, pods and the history of similar cases in the expert finder
 * (functions/core/expert-finder.ts), and the join rule (functions/core/authz.ts): pure, no I/O.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../functions/core/agent-state.js';
import { canJoinSwarm } from '../../functions/core/authz.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ValidationError } from '../../functions/core/errors.js';
import type { Swarm } from '../../functions/core/case.js';
import type { ResolvedCaseSummary } from '../../functions/core/expert-finder.js';
import { findExperts, leadsToTell, requestedSkills, similarResolutions, similarityLabels } from '../../functions/core/expert-finder.js';
import { FIXED_START, makeAgentState, makeCase } from '../support/fixtures.js';

const agent = (id: string, skills: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  id,
  name: id.toUpperCase(),
  email: `${id}@example.com`,
  capacity: { web: 4 },
  skills,
  ...extra,
});

const config = parseRoutingConfig({
  queues: [{ id: 'support', name: 'Support', members: ['owner'] }],
  agents: [
    agent('owner', { billing: 2 }),
    // The owner's pod, payments: billing people.
    agent('pam', { billing: 3 }),
    agent('pat', { billing: 1 }),
    agent('plead', { billing: 2 }),
    // The network pod holds the `network` skill.
    agent('nia', { network: 5, billing: 5 }),
    agent('ned', { network: 2 }),
    agent('nlead', { network: 4 }),
    // The hardware pod holds neither billing nor network, though hal knows billing.
    agent('hal', { billing: 5, hardware: 5 }),
    agent('hlead', { hardware: 5 }),
    // In no pod.
    agent('solo', { network: 3, billing: 4 }),
  ],
  pods: [
    { id: 'payments', name: 'Payments', lead: 'plead', members: ['owner', 'pam', 'pat'], products: ['billing'] },
    { id: 'network', name: 'Network', lead: 'nlead', members: ['nia', 'ned'], skills: ['network'] },
    { id: 'hardware', name: 'Hardware', lead: 'hlead', members: ['hal'], skills: ['hardware'] },
  ],
});

const kase = (overrides: Partial<CaseRecord> = {}) =>
  makeCase({ channel: 'web', status: 'in_progress', owner: 'owner', queue: 'support', product: 'billing', type: undefined, language: undefined, ...overrides });

const states = (overrides: Record<string, Partial<AgentState>> = {}) =>
  new Map(config.agents.map((a) => [a.id, makeAgentState({ agentId: a.id, presence: 'online', ...overrides[a.id] })]));

const now = new Date(FIXED_START);

describe('the swarm request names the skills', () => {
  it('matches on the requested skills and levels instead of the case product, naming them as agents do', () => {
    const search = findExperts({
      case: kase(),
      config,
      states: states(),
      requested: [{ skill: 'NETWORK', minLevel: 3, optional: false }],
      requester: 'owner',
      limit: 10,
      now,
    });
    expect(search.skillsFrom).toBe('request');
    expect(search.skills).toEqual([{ skill: 'network', minLevel: 3, optional: false }]);
    expect(search.reasons[0]).toBe('matching on network≥3 (asked for in the swarm request)');
    // Billing alone no longer qualifies anyone: pam (billing only) is out, with the reason.
    expect(search.excluded).toContainEqual({ agentId: 'pam', reason: 'none of network' });
    expect(search.experts.map((e) => e.agentId)).toEqual(['nia', 'nlead', 'solo', 'ned']);
  });

  it('merges duplicate names, keeping the highest level', () => {
    expect(
      requestedSkills(config, [
        { skill: 'Billing', minLevel: 2, optional: false },
        { skill: 'billing ', minLevel: 4, optional: false },
      ]),
    ).toEqual([{ skill: 'billing', minLevel: 4, optional: false }]);
  });

  it('falls back to what the case calls for without requested skills', () => {
    const search = findExperts({ case: kase(), config, states: states(), requester: 'owner', now });
    expect(search.skillsFrom).toBe('case');
    expect(search.skills).toEqual([{ skill: 'billing', minLevel: 1, optional: false }]);
  });
});

describe('pods', () => {
  it("prefers the owner's pod, reaches into pods that hold the skill, leaves out pods that do not, and tells their leads", () => {
    const search = findExperts({
      case: kase(),
      config,
      states: states(),
      requested: [
        { skill: 'billing', minLevel: 2, optional: false },
        { skill: 'network', minLevel: 1, optional: true },
      ],
      requester: 'owner',
      limit: 4,
      now,
    });
    expect(search.homePods).toEqual(['payments']);
    // pam and plead (the owner's pod, billing ≥ 2) come first even though nia and solo score higher.
    expect(search.experts.map((e) => [e.agentId, e.reach])).toEqual([
      ['pam', 'own_pod'],
      ['plead', 'own_pod'],
      ['nia', 'other_pod'],
      ['solo', 'no_pod'],
    ]);
    expect(search.experts[2]!.score).toBeGreaterThan(search.experts[0]!.score);
    expect(search.experts[0]!.reasons).toContain('in pod payments with owner: first');
    expect(search.experts[2]!.reasons).toContain('in pod network, which holds what the case needs');
    // pat is in the owner's pod but below the required level: after those who meet every requirement.
    expect(search.runnersUp.map((e) => e.agentId)).toContain('pat');
    // hal knows billing, but the hardware pod is about neither billing nor network.
    expect(search.excluded).toContainEqual({ agentId: 'hal', reason: 'in pod hardware, which holds none of billing, network nor product billing' });
    // The network pod's lead hears about nia; the payments lead is an expert himself and the owner asked.
    expect(search.podLeads).toEqual([{ podId: 'network', podName: 'Network', leadId: 'nlead', experts: ['nia'] }]);
    expect(search.reasons).toContain("pod network's lead nlead is told about nia");
  });

  it('uses the requester’s pods when nobody owns the case', () => {
    const search = findExperts({ case: kase({ owner: undefined }), config, states: states(), requester: 'ned', limit: 10, now });
    expect(search.homePods).toEqual(['network']);
    expect(search.reasons).toContain('the requester ned is in pod network: its members who meet every requirement come first');
  });

  it('never tells a lead who asked, owns the case, or is invited into the swarm', () => {
    expect(
      leadsToTell(
        config,
        [
          { agentId: 'nlead', pods: ['network'] },
          { agentId: 'nia', pods: ['network'] },
          { agentId: 'pam', pods: ['payments'] },
          { agentId: 'hal', pods: ['hardware'] },
        ],
        ['plead', undefined],
      ),
    ).toEqual([{ podId: 'hardware', podName: 'Hardware', leadId: 'hlead', experts: ['hal'] }]);
  });

  it('refuses pods that name unknown agents, by path', () => {
    expect(() =>
      parseRoutingConfig({
        queues: [{ id: 'q', name: 'Q' }],
        agents: [agent('a', {})],
        pods: [{ id: 'p', name: 'P', lead: 'ghost', members: ['a', 'nobody'] }],
      }),
    ).toThrow(ValidationError);
    try {
      parseRoutingConfig({
        queues: [{ id: 'q', name: 'Q' }],
        agents: [agent('a', {})],
        pods: [{ id: 'p', name: 'P', lead: 'ghost', members: ['a', 'nobody'] }],
      });
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { field: 'pods.0.lead', message: 'unknown agent ghost' },
        { field: 'pods.0.members.1', message: 'unknown agent nobody' },
      ]);
    }
  });

  it('needs a channel for swarm threads', () => {
    expect(() => parseRoutingConfig({ queues: [{ id: 'q', name: 'Q' }], slack: { swarms: 'thread' } })).toThrow(/slack\.channel/);
    expect(parseRoutingConfig({ queues: [{ id: 'q', name: 'Q' }], slack: { swarms: 'thread', channel: 'C0123456789' } }).slack).toEqual({
      swarms: 'thread',
      channel: 'C0123456789',
      channelPrefix: 'swarm-',
      privateChannels: true,
    });
  });
});

describe('who resolved similar cases', () => {
  const resolved: ResolvedCaseSummary[] = [
    { caseId: 'r1', owner: 'solo', product: 'Billing', type: 'refund' },
    { caseId: 'r2', owner: 'solo', product: 'billing' },
    { caseId: 'r3', owner: 'ned', type: 'Refund' },
    { caseId: 'r4', owner: 'nia', product: 'lamps', type: 'outage' },
    { caseId: 'r5', product: 'billing' },
  ];

  it('counts per owner the resolved cases sharing the product or the type, each case once', () => {
    const c = kase({ type: 'refund' });
    const history = similarResolutions(c, [...resolved, { caseId: c.caseId, owner: 'pam', product: 'billing' }]);
    expect(history.labels).toEqual([
      { field: 'product', value: 'billing' },
      { field: 'type', value: 'refund' },
    ]);
    expect(history.scanned).toBe(6);
    expect(history.byAgent).toEqual({
      solo: { total: 2, byLabel: { 'product=billing': 2, 'type=refund': 1 } },
      ned: { total: 1, byLabel: { 'type=refund': 1 } },
    });
  });

  it('adds 3 points a case, four cases at most, and says so', () => {
    const c = kase({ type: 'refund' });
    const plain = findExperts({ case: c, config, states: states(), requester: 'owner', limit: 10, now });
    const withHistory = findExperts({ case: c, config, states: states(), requester: 'owner', limit: 10, now, history: similarResolutions(c, resolved) });
    const score = (s: typeof plain, id: string) => s.experts.find((e) => e.agentId === id)!.score;
    expect(score(withHistory, 'solo') - score(plain, 'solo')).toBe(6);
    expect(withHistory.experts.find((e) => e.agentId === 'solo')!.reasons).toContain(
      'resolved 2 similar case(s) lately (product billing ×2, type refund ×1): +6',
    );
    expect(withHistory.experts.find((e) => e.agentId === 'solo')!.similarResolved).toBe(2);
    const many = Array.from({ length: 9 }, (_, i) => ({ caseId: `m${i}`, owner: 'solo', product: 'billing' }));
    const capped = findExperts({ case: c, config, states: states(), requester: 'owner', limit: 10, now, history: similarResolutions(c, many) });
    expect(score(capped, 'solo') - score(plain, 'solo')).toBe(12);
  });

  it('judges similarity by product and type only (the seam triage fills)', () => {
    expect(similarityLabels({ product: ' lamps ', type: undefined })).toEqual([{ field: 'product', value: 'lamps' }]);
    expect(similarityLabels({})).toEqual([]);
  });

  it('never lets history lift an agent the filters removed, and never ranks the owner (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            caseId: fc.string({ minLength: 1, maxLength: 4 }),
            owner: fc.constantFrom(...config.agents.map((a) => a.id)),
            product: fc.constantFrom('billing', 'lamps', 'network'),
          }),
          { maxLength: 40 },
        ),
        fc.subarray(config.agents.map((a) => a.id)),
        (rows, offline) => {
          const c = kase();
          const s = states(Object.fromEntries(offline.map((id) => [id, { presence: 'offline' as const }])));
          const search = findExperts({ case: c, config, states: s, requester: 'owner', limit: 10, now, history: similarResolutions(c, rows) });
          const ranked = [...search.experts, ...search.runnersUp].map((e) => e.agentId);
          expect(ranked).not.toContain('owner');
          for (const id of offline) expect(ranked).not.toContain(id);
          // Everyone is accounted for exactly once: ranked or excluded with a reason.
          expect([...ranked, ...search.excluded.map((e) => e.agentId)].sort()).toEqual(config.agents.map((a) => a.id).sort());
        },
      ),
    );
  });
});

describe('joining a swarm', () => {
  const swarm: Swarm = {
    swarmId: 's1',
    status: 'open',
    startedAt: FIXED_START,
    startedBy: 'owner',
    skills: [{ skill: 'network', minLevel: 3, optional: false }],
    members: [],
  };
  it('is open to who may read the case, to managers and to holders of a wanted skill; never to the owner', () => {
    const c = kase({ swarm });
    expect(canJoinSwarm({ agentId: 'ned', roles: ['agent'] }, c, config)).toBe(true);
    expect(canJoinSwarm({ agentId: 'pam', roles: ['agent'] }, c, config)).toBe(false);
    expect(canJoinSwarm({ agentId: 'pam', roles: ['manager'] }, c, config)).toBe(true);
    expect(canJoinSwarm({ agentId: 'owner', roles: ['agent'] }, c, config)).toBe(false);
    expect(canJoinSwarm({ agentId: 'ned', roles: ['agent'] }, kase({ swarm: { ...swarm, status: 'closed' } }), config)).toBe(false);
    expect(canJoinSwarm({ agentId: 'ned', roles: ['agent'] }, kase({ swarm, status: 'resolved' }), config)).toBe(false);
  });
});
