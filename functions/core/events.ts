import type { Actor, CaseStatus, MilestoneName } from './case.js';
import type { Channel } from './config.js';
import type { IdGenerator } from './ports/clock.js';

/**
 * The event vocabulary: every activity a case's event log can hold, as one union (`Activity`), and
 * the typed details of the activities that the reports, the metrics and the history read
 * (`ActivityDetails`). An event is made with `makeEvent`, which checks its details against the
 * activity, and read with `detailsOf`, so renaming a detail key is a type error on both sides.
 * docs/architecture.md#events
 */

/** The SLA clock's activities (functions/core/sla.ts decides them). */
export const SLA_ACTIVITIES = {
  slaStarted: 'sla_clock_started',
  slaPaused: 'sla_clock_paused',
  slaResumed: 'sla_clock_resumed',
  slaTargetsChanged: 'sla_targets_recomputed',
  slaWarning: 'sla_warning',
  slaViolated: 'sla_milestone_violated',
  slaEscalated: 'sla_escalated',
  slaMet: 'sla_milestone_met',
  slaMetLate: 'sla_milestone_met_late',
  slaReopened: 'sla_milestone_reopened',
  slaStopped: 'sla_clock_stopped',
} as const;
export type SlaActivity = (typeof SLA_ACTIVITIES)[keyof typeof SLA_ACTIVITIES];

/** Activity names of the event log: the vocabulary of history, reports and process mining. */
export const ACTIVITIES = {
  created: 'case_created',
  normalised: 'normalised',
  stamped: 'territory_stamped',
  prioritised: 'priority_set',
  queued: 'queued',
  assigned: 'assigned',
  statusChanged: 'status_changed',
  needsReview: 'sent_to_review',
  presenceChanged: 'presence_changed',
  messageReceived: 'message_received',
  duplicateSubmission: 'duplicate_submission',
  accepted: 'accepted',
  declined: 'declined',
  resolved: 'resolved',
  closedUnresolved: 'closed_unresolved',
  putOnHold: 'put_on_hold',
  resumed: 'resumed',
  reopened: 'reopened',
  released: 'capacity_released',
  requeued: 'requeued',
  configApplied: 'config_applied',
  // email-to-case
  acknowledgementSent: 'acknowledgement_sent',
  acknowledgementSkipped: 'acknowledgement_skipped',
  emailBounced: 'email_bounced',
  mailReportReceived: 'mail_report_received',
  /** An auto-reply, a null-sender notification or our own mail filed on a case: never the customer's word, never a reopen. */
  automatedMailReceived: 'automated_mail_received',
  forgedTokenAttempt: 'forged_token_attempt',
  followUpCaseCreated: 'follow_up_case_created',
  messageSent: 'message_sent',
  // SLA clocks (functions/core/sla.ts) and sweeps (functions/core/use-cases/sweep.ts)
  ...SLA_ACTIVITIES,
  priorityRaised: 'priority_raised',
  reassigned: 'reassigned',
  offerExpired: 'offer_expired',
  onHoldLimitExceeded: 'on_hold_limit_exceeded',
  notificationSent: 'notification_sent',
  notificationFailed: 'notification_failed',
  // the agent API (functions/core/use-cases/case-updates.ts, reply.ts, swarm.ts)
  priorityChanged: 'priority_changed',
  noteAdded: 'note_added',
  replySent: 'reply_sent',
  swarmStarted: 'swarm_started',
  swarmExtended: 'swarm_extended',
  swarmClosed: 'swarm_closed',
  swarmNotified: 'swarm_notified',
  swarmJoined: 'swarm_joined',
  swarmLeft: 'swarm_left',
  /** A pod lead told that members of their pod were brought into a swarm (in Slack or by mail). */
  podLeadTold: 'pod_lead_told',
  // automatic triage (functions/core/triage/) and an agent's corrections of it
  triaged: 'triaged',
  classificationChanged: 'classification_changed',
  triageCorrected: 'triage_corrected',
} as const;

/** Every activity of the event log. */
export type Activity = (typeof ACTIVITIES)[keyof typeof ACTIVITIES];

const ACTIVITY_NAMES: ReadonlySet<string> = new Set(Object.values(ACTIVITIES));

/** Whether a string read from outside (a stored event, a query) is one of caseflow's activities. */
export function isActivity(name: string): name is Activity {
  return ACTIVITY_NAMES.has(name);
}

/** The details of a status change: from which status to which (read by the reports and the email threading). */
export interface StatusChangeDetails {
  from: CaseStatus;
  to: CaseStatus;
}

/** The details of a milestone's SLA events. */
export interface SlaMilestoneDetails {
  milestone: MilestoneName;
}

/**
 * The details of the activities someone reads back: the history and the reports (owners, hand-offs),
 * the metrics (channel, milestone). An activity not named here carries free details.
 */
export interface ActivityDetails {
  case_created: { channel: Channel; caseNumber: string };
  status_changed: StatusChangeDetails;
  accepted: StatusChangeDetails;
  resolved: StatusChangeDetails;
  closed_unresolved: StatusChangeDetails;
  put_on_hold: StatusChangeDetails;
  resumed: StatusChangeDetails;
  requeued: StatusChangeDetails;
  /** A claim: the new owner, and the queue the case was claimed from (absent on a direct assignment). */
  assigned: { owner: string; queue?: string };
  /** `to` is an agent id, or `queue:<id>` when the case went back to a queue. */
  reassigned: { from: string | null; to: string };
  /** `owner`: who the reopened case went back to, when it went to a person. */
  reopened: { from: string; to: string; owner?: string };
  /** `agent`: whose capacity was given back. */
  capacity_released: { agent: string; channel: Channel };
  sla_warning: SlaMilestoneDetails;
  sla_milestone_violated: SlaMilestoneDetails;
  sla_escalated: SlaMilestoneDetails;
  sla_milestone_met: SlaMilestoneDetails;
  sla_milestone_met_late: SlaMilestoneDetails;
}

/** What an event of activity `A` carries: its typed details (and any more), or free details. */
export type DetailsOf<A extends Activity> = A extends keyof ActivityDetails ? ActivityDetails[A] & Record<string, unknown> : Record<string, unknown>;

/** One change to a case: the source for history, reports and the process-mining export. */
export interface CaseEvent {
  eventId: string;
  caseId: string;
  activity: Activity;
  at: string;
  actor: Actor;
  details: Record<string, unknown>;
}

/**
 * The typed details of an event of `activity`, or undefined when the event is another activity.
 * Events are history written by older versions too: every field may be missing, so the view is
 * partial and the reader checks what it uses.
 */
export function detailsOf<A extends keyof ActivityDetails>(event: CaseEvent, activity: A): Partial<ActivityDetails[A]> | undefined {
  return event.activity === activity ? (event.details as Partial<ActivityDetails[A]>) : undefined;
}

/** The activity recorded for a status change, so the event log reads as a process. */
export function activityForStatus(from: string, to: string): Activity {
  if (to === 'resolved') return ACTIVITIES.resolved;
  if (to === 'closed_unresolved') return ACTIVITIES.closedUnresolved;
  if (to === 'on_hold') return ACTIVITIES.putOnHold;
  if (from === 'on_hold' && to === 'in_progress') return ACTIVITIES.resumed;
  if ((from === 'resolved' || from === 'closed_unresolved') && to !== 'resolved') return ACTIVITIES.reopened;
  if (from === 'assigned' && to === 'in_progress') return ACTIVITIES.accepted;
  if (to === 'queued') return ACTIVITIES.requeued;
  return ACTIVITIES.statusChanged;
}

export const SYSTEM: Actor = { kind: 'system', id: 'caseflow' };

export function makeEvent<A extends Activity>(
  ids: IdGenerator,
  caseId: string,
  activity: A,
  at: string,
  actor: Actor,
  ...details: DetailsArgument<A>
): CaseEvent {
  return { eventId: ids.next(), caseId, activity, at, actor, details: details[0] ?? {} };
}

/** An activity with typed details must be given them; one with free details may omit them. */
type DetailsArgument<A extends Activity> = A extends keyof ActivityDetails ? [details: DetailsOf<A>] : [details?: Record<string, unknown>];
