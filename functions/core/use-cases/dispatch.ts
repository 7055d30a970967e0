import { initialAgentState } from '../agent-state.js';
import type { CaseRecord } from '../case.js';
import { queuesOf } from '../authz.js';
import { findAgent, findQueue } from '../config.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import type { AgentStateRepository, AssignmentStore, CaseRepository, Clock, IdGenerator } from '../ports.js';
import { decideAssignment } from '../routing.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { assignmentDecisionRecord } from './route-case.js';

export interface DispatchDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  assignments: AssignmentStore;
  clock: Clock;
  ids: IdGenerator;
}

/** How many waiting cases per queue are considered each time an agent frees up. */
const QUEUE_HEAD = 25;

/**
 * An agent can take work (came online, closed a case): give them the highest-priority, then
 * oldest, queued case they qualify for, and repeat while they have capacity. The same filters as
 * routing decide whether they qualify, so both paths agree on who may take what.
 */
export function makeDispatchToAgent(deps: DispatchDeps) {
  return async function dispatchToAgent(agentId: string): Promise<string[]> {
    const config = await loadConfig(deps.configs);
    const agent = findAgent(config, agentId);
    if (!agent) return [];
    const assigned: string[] = [];
    const queueIds = queuesOf(config, agentId);

    const heads = await Promise.all(queueIds.map((q) => deps.cases.listQueued(q, QUEUE_HEAD)));
    const waiting: CaseRecord[] = heads
      .flat()
      .sort((a, b) => a.priorityRank - b.priorityRank || a.createdAt.localeCompare(b.createdAt) || a.caseId.localeCompare(b.caseId));

    for (const candidate of waiting) {
      const state = (await deps.agentStates.get(agentId)) ?? initialAgentState(agentId, deps.clock.now().toISOString());
      if (state.presence !== 'online') break;
      const c = await deps.cases.get(candidate.caseId);
      if (!c || c.status !== 'queued' || !c.queue) continue;
      const queue = findQueue(config, c.queue);
      if (!queue) continue;
      const now = deps.clock.now();
      const at = now.toISOString();
      const decision = decideAssignment({ case: c, queue, candidates: [{ agent, state }], now });
      if (decision.ranking[0] !== agentId) continue;

      const record = assignmentDecisionRecord(deps.ids, c.caseId, at, decision, agentId);
      const outcome = await deps.assignments.claim({
        next: {
          ...c,
          status: 'assigned',
          owner: agentId,
          updatedAt: at,
          routing: { ...c.routing, attempts: c.routing.attempts + 1, lastDecisionId: record.decisionId, queuedAt: undefined },
        },
        expectedVersion: c.version,
        agentId,
        channel: c.channel,
        capacity: agent.capacity[c.channel],
        at,
        events: [
          makeEvent(deps.ids, c.caseId, ACTIVITIES.assigned, at, SYSTEM, {
            owner: agentId,
            queue: queue.id,
            method: 'dispatch',
            reasons: [`${agentId} could take work; oldest highest-priority queued case they qualify for`],
          }),
        ],
        decisions: [record],
      });
      if (outcome.claimed) assigned.push(c.caseId);
    }
    return assigned;
  };
}
