import type { Actor, CaseRecord } from '../case.js';
import { findAgent } from '../config.js';
import { dueFor } from '../due.js';
import { ConflictError } from '../errors.js';
import { ACTIVITIES, makeEvent, type ReopenedDetails } from '../events.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { AssignmentStore, CaseRepository } from '../ports/repositories.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { slaAfterChange, watchSla } from './sla-clock.js';
import type { RouteCase } from './route-case.js';

export interface ReopenDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  assignments: AssignmentStore;
  clock: Clock;
  ids: IdGenerator;
  workflow?: WorkflowStarter;
  routeCase: RouteCase;
}

export interface ReopenRequest {
  /** The status the owner gets it back in. */
  to: 'in_progress' | 'assigned';
  actor: Actor;
  /** Recorded on the `reopened` event (comment, cause, reasons, ...). */
  details: Pick<ReopenedDetails, 'comment' | 'reason' | 'until' | 'cause' | 'via' | 'reasons'>;
}

/** `changed`: the case moved meanwhile; the caller re-reads and tries again, or reports a conflict. */
export type ReopenOutcome = { outcome: 'reopened' | 'queued'; case: CaseRecord } | { outcome: 'changed' };

/**
 * Reopens a closed case, once, on the version it was read at: back to its owner when they are
 * online with room (claiming their capacity), else into its queue and through routing. The SLA
 * clock counts on from where it stopped, in the same write. Used by an agent's status change and
 * by a customer's reply alike, so both reopen the same way.
 */
export async function reopenCase(deps: ReopenDeps, c: CaseRecord, request: ReopenRequest): Promise<ReopenOutcome> {
  const config = await loadConfig(deps.configs);
  const at = deps.clock.now().toISOString();
  const owner = c.owner ? findAgent(config, c.owner) : undefined;
  const base: CaseRecord = { ...c, due: undefined, updatedAt: at };

  if (owner) {
    const reopened = makeEvent(deps.ids, c.caseId, ACTIVITIES.reopened, at, request.actor, {
      from: c.status,
      to: request.to,
      owner: owner.id,
      ...request.details,
    });
    const sla = slaAfterChange(c, { ...base, status: request.to, due: dueFor(request.to, config, at) }, config, at, deps.ids, request.actor, [reopened]);
    const claimed = await deps.assignments.claim({
      next: sla.case,
      expectedVersion: c.version,
      agentId: owner.id,
      channel: c.channel,
      capacity: owner.capacity[c.channel],
      at,
      events: sla.events,
      decisions: [],
    });
    if (claimed.claimed) {
      await watchSla(deps.workflow, c.caseId, sla.watch);
      return { outcome: 'reopened', case: claimed.case };
    }
    if (claimed.reason === 'case_changed') return { outcome: 'changed' };
  }

  const queued: CaseRecord = { ...base, status: 'queued', owner: undefined, queue: c.queue ?? config.reviewQueue, routing: { ...c.routing, queuedAt: at } };
  const reopened = makeEvent(deps.ids, c.caseId, ACTIVITIES.reopened, at, request.actor, {
    from: c.status,
    to: 'queued',
    previousOwner: c.owner ?? null,
    ...request.details,
    routedBecause: owner ? `${owner.id} cannot take it now` : 'no previous owner',
  });
  const sla = slaAfterChange(c, queued, config, at, deps.ids, request.actor, [reopened]);
  try {
    await deps.cases.update(sla.case, c.version, sla.events);
  } catch (error) {
    if (error instanceof ConflictError) return { outcome: 'changed' };
    throw error;
  }
  await watchSla(deps.workflow, c.caseId, sla.watch);
  await deps.routeCase(c.caseId, request.actor.kind === 'agent' ? { actor: request.actor.id } : {});
  return { outcome: 'queued', case: (await deps.cases.get(c.caseId)) ?? sla.case };
}
