import type { CaseRecord } from '../case.js';
import type { Activity, CaseEvent } from '../events.js';
import { ACTIVITIES, detailsOf, SLA_ACTIVITIES, SLA_MILESTONE_ACTIVITIES, STATUS_CHANGE_ACTIVITIES } from '../events.js';

/**
 * What the reports read from one case's event log: a timeline of the facts they count (replies,
 * customer messages, resolutions, assignments, holds, who held the case when). Derived from events
 * only, so a report over any period is computed the same way from the same history.
 *
 * The vocabulary (functions/core/events.ts) is read here and nowhere else in the reports.
 */

/** An agent's reply to the customer: an outbound message whose actor is an agent (acknowledgements and notifications are the system's). */
export const AGENT_REPLY_ACTIVITIES: ReadonlySet<Activity> = new Set<Activity>([ACTIVITIES.replySent, ACTIVITIES.messageSent]);

/** A message from the customer on an existing case. */
export const CUSTOMER_MESSAGE_ACTIVITIES: ReadonlySet<Activity> = new Set<Activity>([ACTIVITIES.messageReceived]);

/** An agent giving a case back for routing: "agents who reassigned more than N cases a week" counts these. */
export const HANDBACK_ACTIVITIES: ReadonlySet<Activity> = new Set<Activity>([ACTIVITIES.declined, ACTIVITIES.requeued, ACTIVITIES.reassigned]);

/** Events after which the case has no owner (until the next assignment). */
const OWNER_ENDING_ACTIVITIES: ReadonlySet<Activity> = new Set<Activity>([
  ACTIVITIES.resolved,
  ACTIVITIES.closedUnresolved,
  ACTIVITIES.declined,
  ACTIVITIES.requeued,
  ACTIVITIES.queued,
  ACTIVITIES.needsReview,
  ACTIVITIES.offerExpired,
]);

/** SLA clock events, counted by the SLA section. */
const SLA_EVENT_ACTIVITIES: ReadonlySet<Activity> = new Set<Activity>(Object.values(SLA_ACTIVITIES));

/** Events that take a case off hold when they carry no `from` status of their own. */
const HOLD_ENDING_ACTIVITIES: ReadonlySet<Activity> = new Set<Activity>([
  ACTIVITIES.resumed,
  ACTIVITIES.resolved,
  ACTIVITIES.closedUnresolved,
  ACTIVITIES.requeued,
  ACTIVITIES.assigned,
  ACTIVITIES.reassigned,
  ACTIVITIES.needsReview,
]);

export interface Assignment {
  at: number;
  owner: string;
  /** 1 for the case's first assignment, 2 for the next, ... over its whole history. */
  index: number;
  /** The owner of the assignment before this one, if any. */
  previousOwner?: string;
}

export interface Span {
  start: number;
  /** Absent while it lasts. */
  end?: number;
}

export interface Holding extends Span {
  agentId: string;
}

export interface CaseTimeline {
  case: CaseRecord;
  createdAt: number;
  /** Ordered events before the cut-off. */
  events: CaseEvent[];
  agentReplies: number[];
  customerMessages: number[];
  resolutions: number[];
  closedUnresolved: number[];
  reopenings: number[];
  assignments: Assignment[];
  /** Agents' hand-backs (decline, requeue, reassign by an agent): who, when. */
  handbacks: { agentId: string; at: number; activity: Activity }[];
  /** Times the case was on hold. */
  holds: Span[];
  /** Who owned the case when (an owner holds one unit of capacity from assignment to release). */
  holdings: Holding[];
  /** SLA events: activity, milestone, when. */
  sla: { activity: Activity; milestone?: string; at: number }[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * A `reassigned` event names where the case went in `to`: an agent's id, or `queue <id>` / `routing`.
 * The reports pass the configured agents; without them, anything that is not a queue or routing is
 * taken for an agent.
 */
export type IsAgent = (id: string) => boolean;
const looksLikeAgent: IsAgent = (id) => id !== 'routing' && !id.startsWith('queue ');

/**
 * The timeline of one case from its events, up to (not including) `until`: what happened later
 * is not part of any report that ends before it.
 *
 * Assignments: every `assigned` event, and every `reassigned` event that names an agent (a person
 * reassigning a case to a colleague writes only that). A system reassignment to an agent writes
 * `reassigned` and then `assigned` to the same agent: that is one assignment, not two.
 */
export function caseTimeline(c: CaseRecord, events: readonly CaseEvent[], until: number, isAgent: IsAgent = looksLikeAgent): CaseTimeline {
  const ordered = events
    .map((e, i) => ({ e, t: Date.parse(e.at), i }))
    .filter((x) => x.t < until)
    .sort((a, b) => a.t - b.t || a.i - b.i);

  const timeline: CaseTimeline = {
    case: c,
    createdAt: Date.parse(c.createdAt),
    events: ordered.map((x) => x.e),
    agentReplies: [],
    customerMessages: [],
    resolutions: [],
    closedUnresolved: [],
    reopenings: [],
    assignments: [],
    handbacks: [],
    holds: [],
    holdings: [],
    sla: [],
  };

  let owner: Holding | undefined;
  let hold: Span | undefined;
  let lastAssignee: string | undefined;
  /** The agent a `reassigned` event just gave the case to: an `assigned` to them that follows is the same assignment. */
  let reassignedTo: string | undefined;
  const endOwner = (at: number) => {
    if (owner) {
      owner.end = at;
      owner = undefined;
    }
  };
  const startOwner = (agentId: string, at: number) => {
    if (owner?.agentId === agentId) return;
    endOwner(at);
    owner = { agentId, start: at };
    timeline.holdings.push(owner);
  };

  for (const { e, t } of ordered) {
    const from = detailsOf(e, ...STATUS_CHANGE_ACTIVITIES)?.from;

    // On hold: from `put_on_hold` to the first event that leaves the on_hold status.
    if (hold && (from === 'on_hold' || (from === undefined && HOLD_ENDING_ACTIVITIES.has(e.activity)))) {
      hold.end = t;
      hold = undefined;
    }

    switch (e.activity) {
      case ACTIVITIES.resolved:
        timeline.resolutions.push(t);
        break;
      case ACTIVITIES.closedUnresolved:
        timeline.closedUnresolved.push(t);
        break;
      case ACTIVITIES.reopened:
        timeline.reopenings.push(t);
        break;
      case ACTIVITIES.putOnHold:
        if (!hold) {
          hold = { start: t };
          timeline.holds.push(hold);
        }
        break;
    }
    if (AGENT_REPLY_ACTIVITIES.has(e.activity) && e.actor.kind === 'agent') timeline.agentReplies.push(t);
    if (CUSTOMER_MESSAGE_ACTIVITIES.has(e.activity) && e.actor.kind === 'customer') timeline.customerMessages.push(t);
    if (HANDBACK_ACTIVITIES.has(e.activity) && e.actor.kind === 'agent') timeline.handbacks.push({ agentId: e.actor.id, at: t, activity: e.activity });
    if (SLA_EVENT_ACTIVITIES.has(e.activity)) {
      const milestone = str(detailsOf(e, ...SLA_MILESTONE_ACTIVITIES)?.milestone);
      timeline.sla.push({ activity: e.activity, at: t, ...(milestone ? { milestone } : {}) });
    }

    // Ownership: who holds the case (and a unit of their capacity) from when to when.
    const assign = (to: string) => {
      timeline.assignments.push({ at: t, owner: to, index: timeline.assignments.length + 1, ...(lastAssignee ? { previousOwner: lastAssignee } : {}) });
      lastAssignee = to;
    };
    const assigned = detailsOf(e, ACTIVITIES.assigned);
    const reassigned = detailsOf(e, ACTIVITIES.reassigned);
    const reopened = detailsOf(e, ACTIVITIES.reopened);
    const released = detailsOf(e, ACTIVITIES.released);
    if (assigned) {
      const to = str(assigned.owner);
      if (to) {
        if (reassignedTo !== to) assign(to);
        reassignedTo = undefined;
        startOwner(to, t);
      }
    } else if (reassigned) {
      const to = str(reassigned.to);
      if (to && isAgent(to)) {
        assign(to);
        reassignedTo = to;
        startOwner(to, t);
      } else {
        reassignedTo = undefined;
        endOwner(t);
      }
    } else if (reopened) {
      const to = str(reopened.owner);
      if (to) startOwner(to, t);
      else endOwner(t);
    } else if (released) {
      if (owner && (str(released.agent) ?? owner.agentId) === owner.agentId) endOwner(t);
    } else if (OWNER_ENDING_ACTIVITIES.has(e.activity)) {
      endOwner(t);
    }
  }
  return timeline;
}

/** The part of [start, end) that a span covers, clipped to [from, to); 0-length when none. */
export function overlap(span: Span, from: number, to: number, openUntil: number): { start: number; end: number } | undefined {
  const start = Math.max(span.start, from);
  const end = Math.min(span.end ?? openUntil, to);
  return end > start ? { start, end } : undefined;
}
