import type { CaseRecord } from '../case.js';
import { canTransition } from '../case.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { ConflictError } from '../errors.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { AlertPublisher } from '../ports/notifications.js';
import type { AssignmentStore, CaseRepository } from '../ports/repositories.js';
import { HOLDS_CAPACITY } from './work-case.js';
import { loadConfig, type ConfigSource } from './load-config.js';

export interface FailCaseDeps {
  cases: CaseRepository;
  assignments: AssignmentStore;
  configs: ConfigSource;
  alerts: AlertPublisher;
  clock: Clock;
  ids: IdGenerator;
}

export interface WorkflowFailure {
  /** The state that failed, and the error Step Functions caught. */
  state?: string;
  error?: string;
  cause?: string;
}

/**
 * A workflow step failed after its retries: the case goes to manual review with the error on
 * record, and admins are alerted. Nothing is lost: the case stays, a person picks it up.
 */
export function makeFailCase(deps: FailCaseDeps) {
  return async function failCase(caseId: string, failure: WorkflowFailure): Promise<{ caseId: string; status: string }> {
    const at = deps.clock.now().toISOString();
    const detail = [failure.state, failure.error].filter(Boolean).join(': ') || 'unknown error';
    const cause = (failure.cause ?? '').slice(0, 1000);

    for (let attempt = 0; attempt < 5; attempt++) {
      const c = await deps.cases.get(caseId);
      if (!c) {
        await deps.alerts.publish({
          alertId: deps.ids.next(),
          at,
          subject: `Workflow failed for missing case ${caseId}`,
          message: `${detail}\n${cause}`,
          caseId,
        });
        return { caseId, status: 'missing' };
      }
      if (!canTransition(c.status, 'needs_review')) {
        // Already past the point where review helps (closed, or already in review): just tell admins.
        await deps.alerts.publish({
          alertId: deps.ids.next(),
          at,
          subject: `Workflow step failed on case ${c.caseNumber}`,
          message: `${detail}\n${cause}`,
          caseId,
        });
        return { caseId, status: c.status };
      }
      const reviewQueue = await loadConfig(deps.configs)
        .then((cfg) => cfg.reviewQueue)
        .catch(() => 'review');
      // The case waits in the review queue for a person; its owner, if any, gives the capacity back.
      const next: CaseRecord = {
        ...c,
        status: 'needs_review',
        queue: reviewQueue,
        owner: undefined,
        due: undefined,
        reviewReason: `workflow step failed: ${detail}`,
        updatedAt: at,
        ...(c.sla ? { sla: unwatched(c.sla) } : {}),
      };
      const events = [
        makeEvent(deps.ids, caseId, ACTIVITIES.needsReview, at, SYSTEM, {
          reason: 'workflow_failed',
          state: failure.state ?? null,
          error: failure.error ?? null,
          cause,
          previousQueue: c.queue ?? null,
          previousOwner: c.owner ?? null,
        }),
      ];
      try {
        if (c.owner && HOLDS_CAPACITY.has(c.status)) {
          await deps.assignments.release({ next, expectedVersion: c.version, agentId: c.owner, channel: c.channel, events });
        } else {
          await deps.cases.update(next, c.version, events);
        }
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      await deps.alerts.publish({
        alertId: deps.ids.next(),
        at,
        subject: `Case ${c.caseNumber} needs manual review`,
        message: `The case workflow failed at ${detail} after its retries. The case waits in manual review.\n${cause}`,
        caseId,
      });
      return { caseId, status: 'needs_review' };
    }
    throw new ConflictError(`case ${caseId} kept changing while moving it to review`);
  };
}

/**
 * The execution that watched the case's SLA clock ends here, so the clock says nobody waits for it
 * (no `next`): when a person lets the case out of review, the status change starts a new watcher
 * (sla-clock.ts slaAfterChange). The clock itself keeps counting; a breach meanwhile is recorded, at
 * its due instant, as soon as it is watched again.
 */
function unwatched(sla: NonNullable<CaseRecord['sla']>): NonNullable<CaseRecord['sla']> {
  const { next: _next, ...rest } = sla;
  return rest;
}
