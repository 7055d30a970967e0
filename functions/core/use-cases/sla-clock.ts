import type { Actor, CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';
import { isOpen } from '../case.js';
import type { RoutingConfig } from '../config.js';
import { ConflictError } from '../errors.js';
import { eventOfDraft } from '../events.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { CaseRepository } from '../ports/repositories.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import type { MilestoneName } from '../case.js';
import type { SlaEventDraft } from '../sla.js';
import { completeMilestone, nextSlaDeadline, slaContext, syncSla } from '../sla.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { loadCase } from './load-case.js';

/**
 * The SLA clock's hooks into everything else that changes a case. Status changes, priority changes
 * and replies go through `slaAfterChange` in the same write as the change itself, so the clock's
 * pauses and completions carry the exact instant. When a change moves a deadline *earlier* than the
 * instant the case's workflow execution is waiting for (a resume, a raised priority, a reopen), the
 * clock is watched anew: a new execution generation starts, claims the clock, and the old one ends
 * when it wakes and finds itself superseded. A change that moves deadlines later needs nothing: the
 * waiting execution wakes early, re-reads the case, and waits again.
 */

export function slaEvents(ids: IdGenerator, caseId: string, at: string, actor: Actor, drafts: SlaEventDraft[]): CaseEvent[] {
  return drafts.map((d) => eventOfDraft(ids, caseId, at, actor, d));
}

export interface SlaChange {
  /** The case to write: `after` with its clock brought up to date. */
  case: CaseRecord;
  /** The causes as given, then the clock's events: write them in this order. */
  events: CaseEvent[];
  /** Start this generation of the case's workflow after the write (see watchSla). */
  watch?: number;
}

/**
 * The clock of a case that changes from `before` to `after` at `at`: pauses, resumes, completions,
 * reopenings, new targets for a new priority, each with its event. Pure.
 *
 * `causes` are the events of the change itself (the status change, the priority change, the
 * reopening), already made: the clock's events are made after them and returned after them, so
 * they follow their cause in the event log by sort key (event ids are minted in order) as well as
 * in array order, at the same instant. A reader ordering by (timestamp, sort key), as every query
 * and export does, sees the status change before the pause it causes.
 */
export function slaAfterChange(
  before: CaseRecord,
  after: CaseRecord,
  config: RoutingConfig,
  at: string,
  ids: IdGenerator,
  actor: Actor,
  causes: readonly CaseEvent[],
): SlaChange {
  const sla = before.sla;
  if (!sla) {
    // A case whose workflow ended in manual review never had a clock: it starts when a person
    // lets it out of review (generation 2: the first execution has ended).
    const leavesReview = before.status === 'needs_review' && after.status !== 'needs_review' && isOpen(after.status);
    return { case: after, events: [...causes], ...(leavesReview ? { watch: 2 } : {}) };
  }
  const ctx = slaContext(config, sla.policyId);
  if (!ctx) return { case: after, events: [...causes] };
  const now = new Date(at);
  const synced = syncSla(sla, after, ctx, now);
  const next: CaseRecord = { ...after, sla: synced.sla };
  const schedule = nextSlaDeadline(next, ctx, now);
  const watching = sla.next?.at;
  const earlier = !schedule.done && (watching === undefined || schedule.wakeAt < watching);
  return { case: next, events: [...causes, ...slaEvents(ids, after.caseId, at, actor, synced.events)], ...(earlier ? { watch: sla.generation + 1 } : {}) };
}

/**
 * Starts the generation a change asked for. Failing to start it is not the change's failure (that
 * is written): the execution already waiting wakes at its own deadline, or at the paused recheck,
 * and the clock is evaluated then. Resolves to whether a start was made.
 */
export async function watchSla(workflow: WorkflowStarter | undefined, caseId: string, generation: number | undefined): Promise<boolean> {
  if (!workflow || generation === undefined) return false;
  try {
    await workflow.startCase(caseId, { generation });
    return true;
  } catch {
    return false;
  }
}

export interface CompleteFirstResponseDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * The first agent reply to the customer completes the first-response milestone (met, or met late).
 * For the reply endpoint (reply.ts): call it after the reply is recorded, or fold `firstResponseChange`
 * into the reply's own write. Accepting an offer is not a response and never calls this.
 * Idempotent: a later reply, or a case without a clock, changes nothing.
 */
export function makeCompleteFirstResponse(deps: CompleteFirstResponseDeps) {
  return async function completeFirstResponse(
    caseId: string,
    reply: { actor: Actor; at?: string; messageId?: string },
  ): Promise<{ completed: boolean; status?: string }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const c = await loadCase(deps.cases, caseId);
      const change = firstResponseChange(c, await loadConfig(deps.configs), reply.at ?? deps.clock.now().toISOString(), deps.ids, reply.actor, reply.messageId);
      if (!change) return { completed: false, ...(c.sla?.milestones.first_response ? { status: c.sla.milestones.first_response.status } : {}) };
      try {
        await deps.cases.update(change.case, c.version, change.events);
        return { completed: true, status: change.case.sla!.milestones.first_response!.status };
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
    }
    throw new ConflictError(`case ${caseId} kept changing while completing its first response`);
  };
}

/** The case with its first-response milestone completed at `at`, or undefined when there is nothing to complete. */
export function firstResponseChange(
  c: CaseRecord,
  config: RoutingConfig,
  at: string,
  ids: IdGenerator,
  actor: Actor,
  messageId?: string,
): { case: CaseRecord; events: CaseEvent[] } | undefined {
  return milestoneChange(c, config, 'first_response', at, ids, actor, messageId ? `reply ${messageId}` : 'agent reply');
}

function milestoneChange(c: CaseRecord, config: RoutingConfig, milestone: MilestoneName, at: string, ids: IdGenerator, actor: Actor, by: string) {
  if (!c.sla) return undefined;
  const ctx = slaContext(config, c.sla.policyId);
  if (!ctx) return undefined;
  const done = completeMilestone(c.sla, c, milestone, ctx, new Date(at), by);
  if (!done.completed) return undefined;
  return { case: { ...c, sla: done.sla, updatedAt: at }, events: slaEvents(ids, c.caseId, at, actor, done.events) };
}
