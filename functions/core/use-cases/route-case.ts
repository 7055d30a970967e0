import type { AgentState } from '../agent-state.js';
import { initialAgentState } from '../agent-state.js';
import type { CaseRecord } from '../case.js';
import { assertTransition } from '../case.js';
import type { RoutingConfig } from '../config.js';
import { findAgent, findQueue } from '../config.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { AgentStateRepository, AssignmentStore, CaseRepository, Clock, IdGenerator, StoredDecision } from '../ports.js';
import type { CandidateInput, RoutingDecision } from '../routing.js';
import { decideAssignment } from '../routing.js';
import { loadConfig, type ConfigSource } from './load-config.js';

export interface RouteCaseDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  assignments: AssignmentStore;
  clock: Clock;
  ids: IdGenerator;
}

export interface RouteResult {
  caseId: string;
  status: CaseRecord['status'];
  queue?: string;
  owner?: string;
  /** Claims lost to a concurrent writer before this result (for the record and for tests). */
  racesLost: number;
}

/** Statuses from which routing may assign a case. */
const ROUTABLE = new Set<CaseRecord['status']>(['new', 'queued']);
/** A case that keeps changing under us is left queued; the sweep picks it up. */
const MAX_CASE_RACES = 5;

export async function loadCandidates(
  config: RoutingConfig,
  agentStates: AgentStateRepository,
  agentIds: readonly string[],
  at: string,
): Promise<CandidateInput[]> {
  const states = await agentStates.getMany(agentIds);
  return agentIds.flatMap((id) => {
    const agent = findAgent(config, id);
    if (!agent) return [];
    const state: AgentState = states.get(id) ?? initialAgentState(id, at);
    return [{ agent, state }];
  });
}

export function assignmentDecisionRecord(ids: IdGenerator, caseId: string, at: string, decision: RoutingDecision, winner?: string): StoredDecision {
  return { decisionId: ids.next(), caseId, at, kind: 'assignment', outcome: winner ?? 'queued', details: decision };
}

/**
 * Routes a stamped case: rank the queue's members (pure decision), then claim in ranked order.
 * Losing a claim is normal: an agent filled up ▶ next candidate; the case changed ▶ re-read it.
 * When nobody can take it, the case waits in its queue and is dispatched when capacity frees.
 */
export function makeRouteCase(deps: RouteCaseDeps) {
  return async function routeCase(caseId: string): Promise<RouteResult> {
    let racesLost = 0;
    for (let round = 0; round <= MAX_CASE_RACES; round++) {
      const c = await deps.cases.get(caseId);
      if (!c) throw new NotFoundError(`case ${caseId} does not exist`);
      if (!ROUTABLE.has(c.status)) return { caseId, status: c.status, queue: c.queue, owner: c.owner, racesLost };

      const config = await loadConfig(deps.configs);
      const at = deps.clock.now().toISOString();
      const queue = c.queue ? findQueue(config, c.queue) : undefined;
      if (!queue) throw new NotFoundError(`case ${caseId} has no known queue (${c.queue ?? 'none'})`);

      const candidates = await loadCandidates(config, deps.agentStates, queue.members, at);
      const decision = decideAssignment({ case: c, queue, candidates, now: deps.clock.now() });

      let caseChanged = false;
      for (const agentId of decision.ranking) {
        const agent = findAgent(config, agentId)!;
        const record = assignmentDecisionRecord(deps.ids, caseId, at, decision, agentId);
        assertTransition(c.status, 'assigned');
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
            makeEvent(deps.ids, caseId, ACTIVITIES.assigned, at, SYSTEM, {
              owner: agentId,
              queue: queue.id,
              method: decision.method,
              reasons: decision.reasons,
              racesLost,
            }),
          ],
          decisions: [record],
        });
        if (outcome.claimed) return { caseId, status: 'assigned', queue: queue.id, owner: agentId, racesLost };
        racesLost++;
        if (outcome.reason === 'case_changed') {
          caseChanged = true;
          break;
        }
      }
      if (caseChanged) continue;

      if (c.status === 'queued') return { caseId, status: 'queued', queue: queue.id, racesLost };
      const record = assignmentDecisionRecord(deps.ids, caseId, at, decision);
      try {
        await deps.cases.update(
          { ...c, status: 'queued', updatedAt: at, routing: { ...c.routing, attempts: c.routing.attempts + 1, lastDecisionId: record.decisionId, queuedAt: at } },
          c.version,
          [makeEvent(deps.ids, caseId, ACTIVITIES.queued, at, SYSTEM, { queue: queue.id, reasons: decision.reasons })],
          [record],
        );
      } catch (error) {
        if (error instanceof ConflictError) {
          racesLost++;
          continue;
        }
        throw error;
      }
      return { caseId, status: 'queued', queue: queue.id, racesLost };
    }
    const c = await deps.cases.get(caseId);
    return { caseId, status: c?.status ?? 'new', queue: c?.queue, owner: c?.owner, racesLost };
  };
}
