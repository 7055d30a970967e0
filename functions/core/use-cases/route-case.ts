import type { CaseRecord } from '../case.js';
import type { AssignedDetails, CaseEvent } from '../events.js';
import { assertTransition } from '../case.js';
import type { RoutingConfig } from '../config.js';
import { acceptDue } from '../due.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { AgentStateRepository, AssignmentStore, CaseRepository, ClaimResult, StoredDecision } from '../ports/repositories.js';
import type { CompiledRouting, EngineDecision } from '../routing/engine.js';
import { agentsInvolved, compileRouting, decideRouting } from '../routing/engine.js';
import { loadConfig, type ConfigSource } from './load-config.js';

/** What every routing use case (route, dispatch, reassign, case updates) reads and writes. */
export interface RoutingDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  assignments: AssignmentStore;
  clock: Clock;
  ids: IdGenerator;
}

export type RouteCaseDeps = RoutingDeps;

export interface RouteResult {
  caseId: string;
  status: CaseRecord['status'];
  queue?: string;
  owner?: string;
  /** Claims lost to a concurrent writer before this result (for the record and for tests). */
  racesLost: number;
}

/**
 * Routes one case (makeRouteCase): how every other use case asks for a case to be routed (a
 * decline, a status back to `queued`, a reassignment, a reopened case, an applied configuration).
 */
export type RouteCase = (caseId: string, options?: { actor?: string }) => Promise<RouteResult>;

/** Statuses from which routing may assign a case. */
const ROUTABLE = new Set<CaseRecord['status']>(['new', 'queued']);
/** A case that keeps changing under us is left where it is; the dispatch sweep picks it up. */
const MAX_CASE_RACES = 5;

export function assignmentDecisionRecord(ids: IdGenerator, caseId: string, at: string, decision: EngineDecision, winner?: string): StoredDecision {
  return { decisionId: ids.next(), caseId, at, kind: 'assignment', outcome: winner ?? 'queued', details: decision };
}

/**
 * The case as it becomes when `agentId` claims it from `queue`. With the configuration, the offer is
 * due for acceptance acceptTimeout from now (the accept sweep takes it back after that).
 */
export function assignedCase(
  c: CaseRecord,
  decision: EngineDecision,
  agentId: string,
  queue: string,
  decisionId: string,
  at: string,
  config?: Pick<RoutingConfig, 'sweeps'>,
): CaseRecord {
  assertTransition(c.status, 'assigned');
  return {
    ...c,
    ...(config ? { due: acceptDue(config, at) } : {}),
    ...(decision.setPriority ? { priority: decision.setPriority.priority, priorityRank: decision.setPriority.rank } : {}),
    status: 'assigned',
    owner: agentId,
    queue,
    updatedAt: at,
    routing: { ...c.routing, attempts: c.routing.attempts + 1, lastDecisionId: decisionId, queuedAt: undefined },
  };
}

/** The case as it becomes when nobody can take it now: waiting in the decision's queue, since it first began to wait. */
export function queuedCase(c: CaseRecord, decision: EngineDecision, decisionId: string, at: string): CaseRecord {
  return {
    ...c,
    ...(decision.setPriority ? { priority: decision.setPriority.priority, priorityRank: decision.setPriority.rank } : {}),
    status: 'queued',
    queue: decision.queue,
    owner: undefined,
    updatedAt: at,
    routing: { ...c.routing, attempts: c.routing.attempts + 1, lastDecisionId: decisionId, queuedAt: c.routing.queuedAt ?? at },
  };
}

/**
 * Claims the case for one agent of a routing decision's ranking: the offer (assignedCase), its
 * `assigned` event with `details`, any `more` events, and the decision record, in one conditional
 * write that also takes a unit of the agent's capacity. Routing a case and dispatching to an agent
 * both claim this way; losing (the agent filled up, the case changed) is an outcome, not an error.
 */
export function claimForAgent(
  deps: Pick<RoutingDeps, 'assignments' | 'ids'>,
  compiled: CompiledRouting,
  c: CaseRecord,
  decision: EngineDecision,
  pick: { agentId: string; queue: string },
  at: string,
  details: Omit<AssignedDetails, 'owner' | 'queue'>,
  more: () => CaseEvent[] = () => [],
): Promise<ClaimResult> {
  const record = assignmentDecisionRecord(deps.ids, c.caseId, at, decision, pick.agentId);
  const agent = compiled.agents.get(pick.agentId)!;
  return deps.assignments.claim({
    next: assignedCase(c, decision, pick.agentId, pick.queue, record.decisionId, at, compiled.config),
    expectedVersion: c.version,
    agentId: pick.agentId,
    channel: c.channel,
    capacity: agent.capacity[c.channel],
    at,
    events: [makeEvent(deps.ids, c.caseId, ACTIVITIES.assigned, at, SYSTEM, { owner: pick.agentId, queue: pick.queue, ...details }), ...more()],
    decisions: [record],
  });
}

/**
 * Routes a case that is new or waiting: the engine decides (pure), then we claim in ranked order.
 * Losing a claim is normal: an agent filled up ▶ next candidate; the case changed ▶ decide again
 * on the fresh case. When nobody can take it, the case waits in its queue and is dispatched when
 * capacity frees.
 */
export function makeRouteCase(deps: RouteCaseDeps): RouteCase {
  return async function routeCase(caseId: string, options: { actor?: string } = {}): Promise<RouteResult> {
    let racesLost = 0;
    for (let round = 0; round <= MAX_CASE_RACES; round++) {
      const c = await deps.cases.get(caseId);
      if (!c) throw new NotFoundError(`case ${caseId} does not exist`);
      if (!ROUTABLE.has(c.status)) return { caseId, status: c.status, queue: c.queue, owner: c.owner, racesLost };

      const compiled = compileRouting(await loadConfig(deps.configs));
      const now = deps.clock.now();
      const at = now.toISOString();
      const [states, history] = await Promise.all([
        deps.agentStates.getMany(agentsInvolved(compiled, c, now)),
        c.contact.email || c.account?.id
          ? deps.cases.findLastResolvers({ contactEmail: c.contact.email, accountId: c.account?.id, excludeCaseId: c.caseId })
          : Promise.resolve({}),
      ]);
      const decision = decideRouting({ case: c, compiled, states, history, now });

      let caseChanged = false;
      for (const { agentId, queue } of decision.ranking) {
        const outcome = await claimForAgent(
          deps,
          compiled,
          c,
          decision,
          { agentId, queue },
          at,
          { rule: decision.rule?.id ?? null, reasons: decision.reasons, racesLost, ...(options.actor ? { requestedBy: options.actor } : {}) },
          () =>
            decision.setPriority
              ? [
                  makeEvent(deps.ids, caseId, ACTIVITIES.prioritised, at, SYSTEM, {
                    from: c.priority,
                    to: decision.setPriority.priority,
                    rule: decision.rule?.id,
                  }),
                ]
              : [],
        );
        if (outcome.claimed) return { caseId, status: 'assigned', queue, owner: agentId, racesLost };
        racesLost++;
        if (outcome.reason === 'case_changed') {
          caseChanged = true;
          break;
        }
      }
      if (caseChanged) continue;

      const samePlace = c.status === 'queued' && c.queue === decision.queue && !decision.setPriority;
      if (samePlace) return { caseId, status: 'queued', queue: c.queue, racesLost };
      const record = assignmentDecisionRecord(deps.ids, caseId, at, decision);
      try {
        await deps.cases.update(
          queuedCase(c, decision, record.decisionId, at),
          c.version,
          [makeEvent(deps.ids, caseId, ACTIVITIES.queued, at, SYSTEM, { queue: decision.queue, rule: decision.rule?.id ?? null, reasons: decision.reasons })],
          [record],
        );
      } catch (error) {
        if (error instanceof ConflictError) {
          racesLost++;
          continue;
        }
        throw error;
      }
      return { caseId, status: 'queued', queue: decision.queue, racesLost };
    }
    // Still racing after several rounds: fail the step so the workflow retries it later, rather
    // than leave a `new` case that no dispatch would ever pick up.
    throw new ConflictError(`case ${caseId} kept changing while being routed (${racesLost} races lost)`);
  };
}
