import type { Actor, CaseRecord, CaseStatus } from '../case.js';
import { isOpen } from '../case.js';
import { findAgent } from '../config.js';
import { acceptDue } from '../due.js';
import type { ReassignExtras } from '../events.js';
import { ACTIVITIES, makeEvent } from '../events.js';
import { ConflictError } from '../errors.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { AssignmentStore, CaseRepository } from '../ports/repositories.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import { slaAfterChange, watchSla } from './sla-clock.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { HOLDS_CAPACITY } from './work-case.js';
import type { RouteCase } from './route-case.js';

/**
 * Moves a case away from its owner for a reason the system found (an offer not accepted in time, an
 * absent owner, the end of a shift, an SLA escalation): the owner's capacity is given back and the
 * case goes to its new place in one conditional write, then it is routed (or claimed by the named
 * agent). Every move is an event that says why. A case that changed since it was read is re-read
 * and the guard asked again, so two sweeps that overlap move each case once.
 */

export type ReassignTarget =
  /** Route it anew: rules, queue, filters (the default). */
  | { kind: 'route' }
  /** Claim it for this agent (an escalation to a supervisor); routed normally when they cannot take it now. */
  | { kind: 'agent'; agentId: string }
  /** Move it to this queue and keep it there (routing.pinnedQueue), then route within it. */
  | { kind: 'queue'; queueId: string };

export interface ReassignRequest {
  /** Why, for people: stored in the event. */
  reason: string;
  /** Why, for reports: `accept_timeout`, `owner_absent`, `end_of_shift`, `sla_escalation`. */
  cause: string;
  actor: Actor;
  target: ReassignTarget;
  /** The event's activity; default `reassigned`. */
  activity?: typeof ACTIVITIES.reassigned | typeof ACTIVITIES.offerExpired;
  /** Never offer the case to the current owner again (they let an offer lapse). */
  excludeOwner?: boolean;
  /** The case as the caller read it (from an index); re-read when it turns out stale. */
  read?: CaseRecord;
  /** Asked of the case as it is before the move: a reason to leave it alone, or undefined to go on. */
  guard?: (c: CaseRecord) => string | undefined;
  /** What the sweep or the SLA clock adds to the event (presence, end of shift, milestone and level). */
  details?: ReassignExtras;
}

export interface ReassignResult {
  caseId: string;
  moved: boolean;
  /** Why the case was left alone. */
  skipped?: string;
  from?: string;
  /** Where it ended up after routing. */
  status?: CaseStatus;
  owner?: string;
  queue?: string;
}

export interface ReassignDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  assignments: AssignmentStore;
  clock: Clock;
  ids: IdGenerator;
  routeCase: RouteCase;
  workflow?: WorkflowStarter;
}

const ATTEMPTS = 4;

/** Moves a case away from its owner for a reason (makeReassign): how the sweeps, SLA escalations and a person's reassignment to a queue move cases. */
export type Reassign = (caseId: string, request: ReassignRequest) => Promise<ReassignResult>;

export function makeReassign(deps: ReassignDeps): Reassign {
  return async function reassign(caseId: string, request: ReassignRequest): Promise<ReassignResult> {
    let read = request.read;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const c = read ?? (await deps.cases.get(caseId));
      read = undefined;
      if (!c) return { caseId, moved: false, skipped: 'the case no longer exists' };
      if (!isOpen(c.status)) return { caseId, moved: false, skipped: `the case is ${c.status}` };
      const skip = request.guard?.(c);
      if (skip) return { caseId, moved: false, skipped: skip };

      const config = await loadConfig(deps.configs);
      const at = deps.clock.now().toISOString();
      const target = request.target;
      const queue = target.kind === 'queue' ? target.queueId : (c.queue ?? config.reviewQueue);
      const owner = c.owner;
      const moved: CaseRecord = {
        ...c,
        status: 'queued',
        owner: undefined,
        queue,
        due: undefined,
        updatedAt: at,
        routing: {
          ...c.routing,
          queuedAt: at,
          ...(request.excludeOwner && owner ? { excludedAgents: [...new Set([...c.routing.excludedAgents, owner])] } : {}),
          ...(target.kind === 'queue' ? { pinnedQueue: target.queueId } : {}),
        },
      };
      const reassigned = makeEvent(deps.ids, caseId, request.activity ?? ACTIVITIES.reassigned, at, request.actor, {
        cause: request.cause,
        reason: request.reason,
        from: owner ?? null,
        fromStatus: c.status,
        to: target.kind === 'agent' ? target.agentId : target.kind === 'queue' ? `queue ${target.queueId}` : 'routing',
        queue,
        ...(request.excludeOwner && owner ? { excluded: owner } : {}),
        ...request.details,
      });
      const sla = slaAfterChange(c, moved, config, at, deps.ids, request.actor, [reassigned]);
      const events = [...sla.events];
      let written: CaseRecord;
      try {
        if (owner && HOLDS_CAPACITY.has(c.status)) {
          events.push(makeEvent(deps.ids, caseId, ACTIVITIES.released, at, request.actor, { agent: owner, channel: c.channel }));
          written = await deps.assignments.release({ next: sla.case, expectedVersion: c.version, agentId: owner, channel: c.channel, events });
        } else {
          written = await deps.cases.update(sla.case, c.version, events);
        }
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      await watchSla(deps.workflow, caseId, sla.watch);

      if (target.kind === 'agent') {
        const agent = findAgent(config, target.agentId);
        if (agent) {
          const claimAt = deps.clock.now().toISOString();
          const decisionId = deps.ids.next();
          const claimed = await deps.assignments.claim({
            next: {
              ...written,
              status: 'assigned',
              owner: agent.id,
              due: acceptDue(config, claimAt),
              updatedAt: claimAt,
              routing: { ...written.routing, attempts: written.routing.attempts + 1, lastDecisionId: decisionId, queuedAt: undefined },
            },
            expectedVersion: written.version,
            agentId: agent.id,
            channel: c.channel,
            capacity: agent.capacity[c.channel],
            at: claimAt,
            events: [
              makeEvent(deps.ids, caseId, ACTIVITIES.assigned, claimAt, request.actor, {
                owner: agent.id,
                queue,
                method: request.cause,
                reasons: [request.reason],
              }),
            ],
            decisions: [
              { decisionId, caseId, at: claimAt, kind: 'assignment', outcome: agent.id, details: { reasons: [request.reason], cause: request.cause } },
            ],
          });
          if (claimed.claimed) return { caseId, moved: true, ...(owner ? { from: owner } : {}), status: 'assigned', owner: agent.id, queue };
        }
      }
      const routed = await deps.routeCase(caseId, { actor: request.actor.id });
      return {
        caseId,
        moved: true,
        ...(owner ? { from: owner } : {}),
        status: routed.status,
        ...(routed.owner ? { owner: routed.owner } : {}),
        ...(routed.queue ? { queue: routed.queue } : { queue }),
      };
    }
    return { caseId, moved: false, skipped: `the case kept changing (${ATTEMPTS} attempts)` };
  };
}
