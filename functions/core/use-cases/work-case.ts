import type { Principal } from '../authz.js';
import { actorOf, assertCanWorkCase, assertOfferedTo } from '../authz.js';
import type { CaseRecord, CaseStatus } from '../case.js';
import { assertTransition, isOpen } from '../case.js';
import type { DeclinedDetails, StatusChangeActivity, StatusChangeDetails } from '../events.js';
import { ACTIVITIES, SYSTEM, activityForStatus, makeEvent } from '../events.js';
import { ConflictError, ValidationError } from '../errors.js';
import { assertVersion } from '../versions.js';
import type { Actor } from '../case.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { EmailStore } from '../ports/email-intake.js';
import type { AssignmentStore, CaseRepository } from '../ports/repositories.js';
import type { SwarmNotifier } from '../ports/swarm.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import type { RoutingConfig } from '../config.js';
import { swarmSummary } from '../swarm-summary.js';
import { dueFor } from '../due.js';
import { slaAfterChange, watchSla } from './sla-clock.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { closedSwarm } from '../expert-finder.js';
import { reopenCase } from './reopen-case.js';
import type { DispatchToAgent } from './dispatch.js';
import type { RouteCase } from './route-case.js';
import { loadCase } from './load-case.js';

export interface WorkCaseDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  assignments: AssignmentStore;
  clock: Clock;
  ids: IdGenerator;
  /** Routes a case that needs a (new) owner. */
  routeCase: RouteCase;
  /** Gives an agent who just freed capacity their next queued case. */
  dispatchToAgent: DispatchToAgent;
  /** Starts a new generation of the case's workflow when a change moves an SLA deadline earlier (resume, reopen). */
  workflow?: WorkflowStarter;
  /** The team's chat: a swarm's conversation hears that the case closed (and the swarm with it). */
  swarmNotifier?: SwarmNotifier;
  /** Where a failed chat message is recorded (an event that does not move the case's version). */
  events?: Pick<EmailStore, 'appendEvents'>;
  /** Where a person opens a case (the closed summary still links to it). */
  caseLink?: (c: CaseRecord) => string;
}

/** Statuses in which the owner holds one unit of capacity on the case's channel. */
export const HOLDS_CAPACITY: ReadonlySet<CaseStatus> = new Set(['assigned', 'in_progress', 'on_hold']);

export interface StatusChange {
  status: CaseStatus;
  /** Mandatory for closed_unresolved; recorded for every change. */
  comment?: string;
  /** Mandatory for on_hold. */
  reason?: string;
  /** on_hold: when the case is expected to resume (ISO timestamp). */
  until?: string;
  /** The version the caller read (If-Match); a newer case ▶ ConflictError (412 at the API). */
  expectedVersion?: number;
}

/** What a status change records besides `from` and `to`: the agent's note, or whose offer was declined and why. */
type StatusNote =
  | { activity: Exclude<StatusChangeActivity, 'declined'>; details: Pick<StatusChangeDetails, 'comment' | 'reason' | 'until' | 'cause' | 'via' | 'reasons'> }
  | { activity: typeof ACTIVITIES.declined; details: Pick<DeclinedDetails, 'agent' | 'reason'> };

/** What writing a status change reads and writes: the agent's changes and a customer's resume share it. */
export type StatusWriteDeps = Pick<WorkCaseDeps, 'cases' | 'configs' | 'assignments' | 'clock' | 'ids'> &
  Partial<Pick<WorkCaseDeps, 'workflow' | 'swarmNotifier' | 'events' | 'caseLink'>>;

/**
 * Moves the case and, when its owner stops holding it, gives the capacity back in the same transaction.
 * The SLA clock pauses, resumes or completes in the same write (functions/core/use-cases/sla-clock.ts),
 * and the work due on the case follows its new status (an on-hold limit, functions/core/due.ts).
 */
export async function writeStatusChange(deps: StatusWriteDeps, c: CaseRecord, proposed: CaseRecord, actor: Actor, note: StatusNote): Promise<CaseRecord> {
  const at = proposed.updatedAt;
  const config = await loadConfig(deps.configs);
  const withDue = proposed.status === c.status ? proposed : { ...proposed, due: dueFor(proposed.status, config, at) };
  // The status change first, then what it causes on the clock (a pause, a resume, a completion).
  const fromTo = { from: c.status, to: withDue.status };
  const change =
    note.activity === ACTIVITIES.declined
      ? makeEvent(deps.ids, c.caseId, note.activity, at, actor, { ...fromTo, ...note.details })
      : makeEvent(deps.ids, c.caseId, note.activity, at, actor, { ...fromTo, ...note.details });
  const sla = slaAfterChange(c, withDue, config, at, deps.ids, actor, [change]);
  // A swarm lasts as long as the case is open: closing the case closes it, and its experts lose access.
  const closesSwarm = c.swarm?.status === 'open' && !isOpen(sla.case.status);
  const next = closesSwarm ? { ...sla.case, swarm: closedSwarm(c.swarm!, at, `case ${sla.case.status}`) } : sla.case;
  const events = [...sla.events];
  if (closesSwarm) {
    events.push(
      makeEvent(deps.ids, c.caseId, ACTIVITIES.swarmClosed, at, actor, {
        swarmId: c.swarm!.swarmId,
        reason: `case ${next.status}`,
        members: c.swarm!.members.map((m) => m.agentId),
      }),
    );
  }
  const releases = c.owner !== undefined && HOLDS_CAPACITY.has(c.status) && (!HOLDS_CAPACITY.has(next.status) || next.owner !== c.owner);
  let written: CaseRecord;
  if (!releases) written = await deps.cases.update(next, c.version, events);
  else {
    events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.released, at, actor, { agent: c.owner!, channel: c.channel }));
    written = await deps.assignments.release({ next, expectedVersion: c.version, agentId: c.owner!, channel: c.channel, events });
  }
  await watchSla(deps.workflow, c.caseId, sla.watch);
  if (closesSwarm) await tellSwarmClosed(deps, written, config, actor, note.activity === ACTIVITIES.declined ? undefined : note.details.comment);
  return written;
}

/** The case closed with an open swarm: its conversation hears it; a chat that fails is on record, never a failed close. */
async function tellSwarmClosed(deps: StatusWriteDeps, c: CaseRecord, config: RoutingConfig, actor: Actor, comment: string | undefined): Promise<void> {
  const chat = c.swarm?.chat;
  if (!chat || !deps.swarmNotifier?.closed) return;
  try {
    await deps.swarmNotifier.closed({
      conversation: chat,
      summary: swarmSummary(c, config, deps.caseLink?.(c) ?? ''),
      by: actor.id,
      ...(comment ? { comment } : {}),
    });
  } catch (error) {
    await deps.events?.appendEvents([
      makeEvent(deps.ids, c.caseId, ACTIVITIES.notificationFailed, deps.clock.now().toISOString(), SYSTEM, {
        channel: 'slack',
        swarmId: c.swarm!.swarmId,
        reason: `the chat failed: ${(error as Error).message}`.slice(0, 300),
      }),
    ]);
  }
}

/** `resumed`: this call moved the case; `not_held`: it was not (or no longer) on hold, so nothing changed. */
export type ResumeOutcome = { outcome: 'resumed'; case: CaseRecord } | { outcome: 'not_held'; case: CaseRecord | undefined };

/**
 * The customer answered a case on hold: on_hold ▶ in_progress (`resumed`) with its owner, through the
 * status change an agent's resume writes (writeStatusChange: the hold is dropped as the case is written,
 * the SLA clock resumes in the same write and its workflow is nudged). Reads the case afresh and retries
 * when it changed meanwhile; a case no longer on hold is left as it is, so finishing the step again
 * (a redelivered email) resumes it once. docs/architecture.md#statuses
 */
export async function resumeHeldCase(
  deps: StatusWriteDeps,
  caseId: string,
  actor: Actor,
  details: Pick<StatusChangeDetails, 'cause' | 'via' | 'reasons'>,
): Promise<ResumeOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const c = await deps.cases.get(caseId);
    if (c?.status !== 'on_hold') return { outcome: 'not_held', case: c };
    const at = deps.clock.now().toISOString();
    try {
      const written = await writeStatusChange(deps, c, { ...c, status: 'in_progress', due: undefined, updatedAt: at }, actor, {
        activity: ACTIVITIES.resumed,
        details,
      });
      return { outcome: 'resumed', case: written };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`case ${caseId} kept changing while resuming it`);
}

export function makeWorkCase(deps: WorkCaseDeps) {
  const write = (c: CaseRecord, proposed: CaseRecord, actor: Actor, note: StatusNote) => writeStatusChange(deps, c, proposed, actor, note);

  return {
    /** The owner takes the offered case: assigned ▶ in_progress. */
    async accept(p: Principal, caseId: string, expectedVersion?: number): Promise<CaseRecord> {
      const c = await loadCase(deps.cases, caseId);
      // Authorise before anything about the case (its version included) can show in the answer.
      assertOfferedTo(p, c, 'accept it');
      assertVersion(c, expectedVersion);
      if (c.status !== 'assigned') throw new ConflictError(`case ${c.caseNumber} is ${c.status}, not waiting for acceptance`);
      const at = deps.clock.now().toISOString();
      return write(c, { ...c, status: 'in_progress', due: undefined, updatedAt: at }, actorOf(p), { activity: ACTIVITIES.accepted, details: {} });
    },

    /** The owner turns the offer down: they are never offered it again, and it is routed anew. */
    async decline(p: Principal, caseId: string, reason: string | undefined, expectedVersion?: number) {
      const c = await loadCase(deps.cases, caseId);
      assertOfferedTo(p, c, 'decline it');
      assertVersion(c, expectedVersion);
      if (c.status !== 'assigned') throw new ConflictError(`case ${c.caseNumber} is ${c.status}; only an offer not yet accepted can be declined`);
      const at = deps.clock.now().toISOString();
      await write(
        c,
        {
          ...c,
          status: 'queued',
          owner: undefined,
          due: undefined,
          updatedAt: at,
          routing: { ...c.routing, excludedAgents: [...new Set([...c.routing.excludedAgents, p.agentId])], queuedAt: at },
        },
        actorOf(p),
        { activity: ACTIVITIES.declined, details: { agent: p.agentId, reason: reason ?? null } },
      );
      const routed = await deps.routeCase(caseId, { actor: p.agentId });
      await deps.dispatchToAgent(p.agentId, { reason: 'declined a case' });
      return routed;
    },

    /** Status changes along the status machine (docs/architecture.md#statuses), with the transitions and their mandatory fields enforced. */
    async changeStatus(p: Principal, caseId: string, change: StatusChange): Promise<CaseRecord> {
      const c = await loadCase(deps.cases, caseId);
      assertCanWorkCase(p, c, 'change this case');
      assertVersion(c, change.expectedVersion);
      assertTransition(c.status, change.status);
      const issues = [];
      if (change.status === 'closed_unresolved' && !change.comment?.trim())
        issues.push({ field: 'comment', message: 'is required to close a case unresolved' });
      if (change.status === 'on_hold' && !change.reason?.trim()) issues.push({ field: 'reason', message: 'is required to put a case on hold' });
      if (change.until !== undefined && Number.isNaN(Date.parse(change.until))) issues.push({ field: 'until', message: 'must be an ISO timestamp' });
      if (issues.length > 0) throw new ValidationError(issues);

      const at = deps.clock.now().toISOString();
      const details = {
        ...(change.comment ? { comment: change.comment } : {}),
        ...(change.reason ? { reason: change.reason } : {}),
        ...(change.until ? { until: change.until } : {}),
      };
      const activity = activityForStatus(c.status, change.status);
      // Leaving the hold drops it as the case is written (caseAsWritten); a new hold is set here.
      const base: CaseRecord = { ...c, status: change.status, due: undefined, updatedAt: at };
      if (change.status === 'on_hold') base.hold = { since: at, reason: change.reason!.trim(), ...(change.until ? { until: change.until } : {}) };

      // Reopening a closed case puts it back with its owner when they can take it, else routes it.
      if ((c.status === 'resolved' || c.status === 'closed_unresolved') && change.status !== 'queued') {
        const reopened = await reopenCase(deps, c, { to: change.status === 'assigned' ? 'assigned' : 'in_progress', actor: actorOf(p), details });
        if (reopened.outcome === 'changed') throw new ConflictError(`case ${c.caseNumber} changed meanwhile`);
        return reopened.case;
      }

      if (change.status === 'queued') {
        const next = await write(c, { ...base, owner: undefined, routing: { ...c.routing, queuedAt: at } }, actorOf(p), { activity, details });
        await deps.routeCase(c.caseId, { actor: p.agentId });
        if (c.owner) await deps.dispatchToAgent(c.owner, { reason: 'a case left them' });
        return (await deps.cases.get(c.caseId)) ?? next;
      }

      const next = await write(c, base, actorOf(p), { activity, details });
      if (c.owner && HOLDS_CAPACITY.has(c.status) && !HOLDS_CAPACITY.has(next.status)) {
        await deps.dispatchToAgent(c.owner, { reason: `a case was ${change.status}` });
      }
      return next;
    },
  };
}

/** Accepting, declining and status changes (makeWorkCase); applying a configuration requeues through its changeStatus. */
export type WorkCase = ReturnType<typeof makeWorkCase>;
