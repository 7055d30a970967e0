/**
 * The rules the case use cases share: who may list which cases and who may answer an offer
 * (functions/core/authz.ts), and whether an agent can take a case now (functions/core/agent-state.ts).
 * Pure, no I/O; test/e2e/authz-matrix.test.ts checks the routes.
 */
import { describe, expect, it } from 'vitest';
import { whyNotTakingWork } from '../../functions/core/agent-state.js';
import type { Principal } from '../../functions/core/authz.js';
import { assertOfferedTo, caseListScope } from '../../functions/core/authz.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ForbiddenError } from '../../functions/core/errors.js';
import { makeAgentState, makeCase } from '../support/fixtures.js';

const config = parseRoutingConfig({
  queues: [
    { id: 'support', name: 'Support', members: ['ann', 'bob'] },
    { id: 'billing', name: 'Billing', members: ['bob'] },
  ],
  agents: [
    { id: 'ann', name: 'Ann', email: 'ann@example.com', capacity: { web: 2 } },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', capacity: { web: 2 } },
    { id: 'cat', name: 'Cat', email: 'cat@example.com', capacity: { web: 2 } },
  ],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
});

const agent = (agentId: string): Principal => ({ agentId, roles: ['agent'] });
const manager: Principal = { agentId: 'max', roles: ['manager'] };

describe('caseListScope', () => {
  it('lets managers list any owner, any queue, or everything', () => {
    expect(caseListScope(manager, config, { owner: 'ann' })).toEqual({ owner: 'ann' });
    expect(caseListScope(manager, config, { queue: 'billing' })).toEqual({ queues: ['billing'] });
    expect(caseListScope(manager, config, {})).toEqual({});
  });

  it("gives agents their own cases or their queues', all their queues by default, their own cases when they have none", () => {
    expect(caseListScope(agent('bob'), config, { owner: 'bob' })).toEqual({ owner: 'bob' });
    expect(caseListScope(agent('bob'), config, { queue: 'billing' })).toEqual({ queues: ['billing'] });
    expect(caseListScope(agent('bob'), config, {})).toEqual({ queues: ['support', 'billing'] });
    expect(caseListScope(agent('cat'), config, {})).toEqual({ owner: 'cat' });
  });

  it("refuses an agent someone else's cases or a queue they are not in, rather than narrowing the listing", () => {
    expect(() => caseListScope(agent('ann'), config, { owner: 'bob' })).toThrow(ForbiddenError);
    expect(() => caseListScope(agent('ann'), config, { queue: 'billing' })).toThrow('you are not a member of queue billing');
  });
});

describe('assertOfferedTo', () => {
  it('lets only the agent the case was offered to answer the offer, managers included', () => {
    const offered = makeCase({ status: 'assigned', owner: 'ann' });
    expect(() => assertOfferedTo(agent('ann'), offered, 'accept it')).not.toThrow();
    expect(() => assertOfferedTo(agent('bob'), offered, 'accept it')).toThrow('only the agent the case was offered to may accept it');
    expect(() => assertOfferedTo(manager, offered, 'decline it')).toThrow(ForbiddenError);
  });
});

describe('whyNotTakingWork', () => {
  const ann = config.agents.find((a) => a.id === 'ann')!;

  it('answers the question the routing filters and a manual reassignment share: online, with room on the channel', () => {
    expect(whyNotTakingWork(ann, makeAgentState({ agentId: 'ann' }), 'web')).toBeUndefined();
    expect(whyNotTakingWork(ann, undefined, 'web')).toEqual({ reason: 'presence', presence: 'offline' });
    expect(whyNotTakingWork(ann, makeAgentState({ agentId: 'ann', presence: 'away' }), 'web')).toEqual({ reason: 'presence', presence: 'away' });
    const full = makeAgentState({ agentId: 'ann', load: { ...makeAgentState().load, web: 2 } });
    expect(whyNotTakingWork(ann, full, 'web')).toEqual({ reason: 'capacity', load: 2, capacity: 2 });
    // No capacity configured on a channel is no room on it.
    expect(whyNotTakingWork(ann, makeAgentState({ agentId: 'ann' }), 'phone')).toEqual({ reason: 'capacity', load: 0, capacity: 0 });
  });
});
