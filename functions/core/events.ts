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

/**
 * The details of a status change: from which status to which (read by the reports and the email
 * threading), with the agent's note when they gave one (`comment` to close, `reason` and `until` to
 * hold) and `via` when the change came about another way (an agent's first reply accepts the offer).
 * `cause` and `reasons` say why a change no agent made happened: `customer_reply` (an email) or
 * `customer_message` (the status page) resumes a held case or reopens a closed one.
 */
export interface StatusChangeDetails {
  from: CaseStatus;
  to: CaseStatus;
  comment?: string;
  reason?: string;
  until?: string;
  via?: string;
  cause?: string;
  reasons?: string[];
}

/** An offer turned down: the status change, whose offer it was, and their reason (null: none given). */
export type DeclinedDetails = Omit<StatusChangeDetails, 'reason'> & { agent: string; reason: string | null };

/**
 * A closed case opened again (docs/architecture.md#statuses): the status change, then `owner` when
 * it went back to a person, or `previousOwner` and `routedBecause` when it was routed; `cause`,
 * `via` and `reasons` say what reopened it (a customer's reply or status-page message, an agent).
 */
export interface ReopenedDetails extends StatusChangeDetails {
  owner?: string;
  previousOwner?: string | null;
  routedBecause?: string;
}

/** The details of a milestone's SLA events. */
export interface SlaMilestoneDetails {
  milestone: MilestoneName;
}

/** A case moved away from its owner or queue (reassigned, or offer_expired when an offer lapsed). */
export interface ReassignedDetails {
  /** `manual` (an agent), `accept_timeout`, `owner_absent`, `end_of_shift`, `sla_escalation`. */
  cause: string;
  reason: string;
  from: string | null;
  fromStatus?: CaseStatus;
  /** An agent id, `queue <id>` when the case went to a queue, or `routing` when it was routed anew. */
  to: string;
  queue?: string | null;
  /** The owner never offered it again (their offer lapsed). */
  excluded?: string;
  /** owner_absent: their presence and since when. */
  presence?: string;
  since?: string;
  /** end_of_shift: when their working day ended. */
  shiftEndedAt?: string;
  /** sla_escalation: the milestone and escalation level. */
  milestone?: MilestoneName;
  level?: number;
}

/** The sweep's or the SLA clock's fields a reassignment adds to its event. */
export type ReassignExtras = Pick<ReassignedDetails, 'presence' | 'since' | 'shiftEndedAt' | 'milestone' | 'level'>;

/** A claim: the new owner, and the queue the case was claimed from (absent on a direct assignment). */
export interface AssignedDetails {
  owner: string;
  queue?: string;
  /** `dispatch` (capacity freed), or the reassignment's cause when a reassignment claimed it for an agent. */
  method?: string;
  rule?: string | null;
  reasons?: string[];
  racesLost?: number;
  /** The agent whose action asked for the routing (a decline, a requeue). */
  requestedBy?: string;
}

/** An email or status-page message filed on a case (message_received, automated_mail_received). */
export interface MessageReceivedDetails {
  channel: Channel;
  /** Email: the sender, the subject, the classification's flags and the threading reasons. */
  from?: string;
  subject?: string;
  flags?: string[];
  reasons?: string[];
  /** The status page: `status_page` and the message filed. */
  via?: string;
  messageId?: string;
}

/** A bounce, read receipt or complaint filed on the case of the mail it reports on. */
export interface MailReportDetails {
  kind: 'bounce' | 'disposition' | 'feedback';
  format: 'dsn' | 'mdn' | 'arf' | 'non-standard';
  permanent: boolean;
  recipients: unknown[];
  originalMessageId: string;
  reasons: string[];
}

/** A priority set by the prioritisation (score, factors), a routing rule, the sweep's on-hold limit or an SLA escalation. */
export interface PrioritySetDetails {
  from: string;
  to: string;
  score?: number;
  factors?: unknown[];
  explanation?: string;
  rule?: string | undefined;
  cause?: 'on_hold_limit' | 'sla_escalation';
  milestone?: MilestoneName;
  level?: number;
}

/** A notice that did not go out (a Slack swarm message, an SLA notification) or a swarm announcement that failed. */
export type NotificationFailedDetails = SwarmNotifiedDetails | { channel: 'slack'; swarmId: string; reason: string } | { kind: string; error: string };

/** A swarm's announcement in Slack (swarm_notified; notification_failed when it was not sent). */
export interface SwarmNotifiedDetails {
  channel: 'slack';
  swarmId: string;
  sent: boolean;
  reason?: string;
  conversation?: { mode: string; channel: string };
  inChat?: string[];
  notInChat?: { agentId: string; reason: string }[];
}

/** A swarm started or extended: who was invited and on which skills; a search that found nobody records its reasons. */
export interface SwarmStartedDetails {
  swarmId?: string;
  invited: { agentId: string; score: number; pod?: string }[];
  members?: string[];
  skills?: string[];
  skillsFrom?: string;
  note?: string | null;
  reasons?: string[];
  decisionId: string;
}

/** A phone case recorded by an agent, a web form, or an email (with its triage and threading). */
export interface CaseCreatedDetails {
  channel: Channel;
  caseNumber: string;
  /** Phone: where the call came from, and the agent who recorded it. */
  source?: string;
  recordedBy?: string;
  /** Email: the triage flags, the threading reasons, the acknowledgement decision, the case it follows up, the classifier's verdicts. */
  flags?: string[];
  threading?: string[];
  acknowledgement?: unknown;
  linkedCaseId?: string;
  verdicts?: unknown;
}

/** A case sent to a person's review: why, and what the failed step left behind. */
export interface SentToReviewDetails {
  /** `workflow_failed`, `unparsable_email`, `unreadable_email`, or the stamping's reason (no territory, triage unsure). */
  reason: string;
  /** workflow_failed: the state, error and cause the workflow reported, and where the case was. */
  state?: string | null;
  error?: string | null;
  cause?: string | null;
  previousQueue?: string | null;
  previousOwner?: string | null;
  /** unreadable_email: what was wrong with the content. */
  detail?: string;
  /** The stamping: the location it could not place. */
  location?: unknown;
}

/** An activity that carries no details. */
export type NoDetails = Record<string, never>;

/**
 * The details of every activity, as stored: the history and the reports (owners, hand-offs), the
 * metrics (channel, milestone), the threading (status changes) and process mining read them. Every
 * activity has an entry (an activity nobody writes today has `NoDetails`); `EveryActivityHasDetails`
 * below fails to compile when an activity is added to ACTIVITIES without one. docs/architecture.md#events
 */
export interface ActivityDetails {
  case_created: CaseCreatedDetails;
  normalised: { changes: unknown[] };
  territory_stamped: { territory: string; queue: string; matchedOn: string[]; runnersUp: string[] };
  priority_set: PrioritySetDetails;
  queued: { queue: string; rule: string | null; reasons: string[] };
  assigned: AssignedDetails;
  status_changed: StatusChangeDetails;
  sent_to_review: SentToReviewDetails;
  /** Not written by this version. */
  presence_changed: NoDetails;
  message_received: MessageReceivedDetails;
  /** Not written by this version. */
  duplicate_submission: NoDetails;
  accepted: StatusChangeDetails;
  declined: DeclinedDetails;
  resolved: StatusChangeDetails;
  closed_unresolved: StatusChangeDetails;
  put_on_hold: StatusChangeDetails;
  resumed: StatusChangeDetails;
  /** `owner`: who the reopened case went back to, when it went to a person. */
  reopened: ReopenedDetails;
  /** `agent`: whose capacity was given back. */
  capacity_released: { agent: string; channel: Channel };
  requeued: StatusChangeDetails;
  /** Not written by this version. */
  config_applied: NoDetails;
  acknowledgement_sent: { to: string; language: string; messageId: string; providerMessageIds: string[]; statusLink?: true };
  acknowledgement_skipped: { reasons: string[] };
  email_bounced: MailReportDetails;
  mail_report_received: MailReportDetails;
  automated_mail_received: MessageReceivedDetails;
  /** On the new case: the case number it claimed; on the claimed case: the new case made instead. */
  forged_token_attempt: { claimedCaseNumber: string; reasons: string[] } | { newCaseId: string; newCaseNumber: string; from: string };
  follow_up_case_created: { newCaseId: string; newCaseNumber: string };
  /** An agent's reply under its earlier name (reply_sent today): read as one, not written by this version. */
  message_sent: NoDetails;
  sla_clock_started: { policy: string; calendar: string; priority: string; milestones: Record<string, { target: string; dueAt: string | null }> };
  sla_clock_paused: SlaMilestoneDetails & { status: CaseStatus; consumedMs: number; remainingMs: number };
  sla_clock_resumed: SlaMilestoneDetails & { status: CaseStatus; remainingMs: number | undefined; dueAt: string | null; pausedBusinessMs: number };
  sla_targets_recomputed: SlaMilestoneDetails & { priority: string; from: string; to: string };
  sla_warning: SlaMilestoneDetails & { dueAt: string; remainingMs: number; notify: string[]; reason: string };
  sla_milestone_violated: SlaMilestoneDetails & { target: string | null; breachedAt: string; priority: string; notify: string[]; reason: string };
  sla_escalated: SlaMilestoneDetails & { level: number; raisePriority: unknown; reassignTo: unknown; notify: string[]; reason: string };
  sla_milestone_met: SlaMilestoneCompletedDetails;
  sla_milestone_met_late: SlaMilestoneCompletedDetails;
  sla_milestone_reopened: SlaMilestoneDetails & { consumedMs: number; targetMs: number };
  sla_clock_stopped: { reason: string };
  /** Not written by this version. */
  priority_raised: NoDetails;
  reassigned: ReassignedDetails;
  offer_expired: ReassignedDetails;
  on_hold_limit_exceeded: { reason: string; heldSince: string; raisePriority: { from: string; to: string } | null; notify: string[] };
  /** Not written by this version. */
  notification_sent: NoDetails;
  notification_failed: NotificationFailedDetails;
  priority_changed: { from: string; to: string; direction: string; reason: string };
  note_added: { messageId: string; role: string; length: number; via?: string };
  reply_sent: {
    messageId: string;
    to: string;
    cc?: string[];
    attachments?: string[];
    subject: string;
    emailMessageId: string;
    providerMessageIds: string[];
    inReplyTo: string | null;
  };
  swarm_started: SwarmStartedDetails;
  swarm_extended: SwarmStartedDetails;
  swarm_closed: { swarmId: string; reason: string; members: string[] };
  swarm_notified: SwarmNotifiedDetails;
  swarm_joined: { swarmId: string; via?: string };
  swarm_left: { swarmId: string; via?: string };
  pod_lead_told: { swarmId: string; podId: string; lead: string; experts: string[]; via: string; reason?: string };
  triaged: { modelVersion: string; fields: Partial<Record<'type' | 'product' | 'queue', unknown>>; review?: string; skipped?: string };
  classification_changed: { changes: { field: string; from: unknown; to: unknown }[]; reason?: string };
  triage_corrected: { field: string; predicted: unknown; confidence: number; to: unknown; modelVersion: string };
}

/** A milestone completed: by what, how much time it took, against which target. */
export interface SlaMilestoneCompletedDetails extends SlaMilestoneDetails {
  by: string;
  consumedMs: number;
  targetMs: number;
  dueAt: string | null;
  breachedAt?: string;
}

/** Compiles only when `T` is never: the exhaustiveness checks below. */
export type MustBeNever<T extends never> = T;
/** The activities of `A` that have no entry in `D`. */
export type MissingDetails<A extends string, D> = Exclude<A, keyof D>;
/** Fails to compile when an activity of ACTIVITIES has no details entry, or an entry names no activity. */
export type EveryActivityHasDetails = [MustBeNever<MissingDetails<Activity, ActivityDetails>>, MustBeNever<Exclude<keyof ActivityDetails, Activity>>];

/** The activities whose details are (or include) `T`. */
export type ActivitiesWhoseDetails<T> = { [A in Activity]: ActivityDetails[A] extends T ? A : never }[Activity];

/** The activities that record a status change (their details have `from` and `to` statuses). */
export const STATUS_CHANGE_ACTIVITIES = [
  ACTIVITIES.statusChanged,
  ACTIVITIES.accepted,
  ACTIVITIES.declined,
  ACTIVITIES.resolved,
  ACTIVITIES.closedUnresolved,
  ACTIVITIES.putOnHold,
  ACTIVITIES.resumed,
  ACTIVITIES.reopened,
  ACTIVITIES.requeued,
] as const satisfies readonly ActivitiesWhoseDetails<{ from: CaseStatus; to: CaseStatus }>[];
export type StatusChangeActivity = (typeof STATUS_CHANGE_ACTIVITIES)[number];

/** The SLA activities of one milestone (all but the clock's start and stop). */
export const SLA_MILESTONE_ACTIVITIES = [
  SLA_ACTIVITIES.slaPaused,
  SLA_ACTIVITIES.slaResumed,
  SLA_ACTIVITIES.slaTargetsChanged,
  SLA_ACTIVITIES.slaWarning,
  SLA_ACTIVITIES.slaViolated,
  SLA_ACTIVITIES.slaEscalated,
  SLA_ACTIVITIES.slaMet,
  SLA_ACTIVITIES.slaMetLate,
  SLA_ACTIVITIES.slaReopened,
] as const satisfies readonly ActivitiesWhoseDetails<SlaMilestoneDetails>[];

/** What an event of activity `A` carries: exactly its details. */
export type DetailsOf<A extends Activity> = ActivityDetails[A];

/** An event of activity `A` (distributes over a union of activities). */
export type EventOf<A extends Activity> = A extends Activity
  ? {
      eventId: string;
      caseId: string;
      activity: A;
      at: string;
      actor: Actor;
      details: ActivityDetails[A];
    }
  : never;

/**
 * One change to a case: the source for history, reports and the process-mining export. A
 * discriminated union over `activity`: narrowing on the activity types the details.
 */
export type CaseEvent = EventOf<Activity>;

/**
 * The typed details of an event of one of `activities`, or undefined when the event is another
 * activity. Events are history written by older versions too: every field may be missing, so the
 * view is partial and the reader checks what it uses.
 */
export function detailsOf<A extends Activity>(
  event: { activity: Activity; details?: unknown },
  ...activities: readonly [A, ...A[]]
): Partial<ActivityDetails[A]> | undefined {
  if (!(activities as readonly Activity[]).includes(event.activity)) return undefined;
  const details: unknown = event.details ?? {};
  return details as Partial<ActivityDetails[A]>;
}

/** An event not yet made: its activity and details (the SLA clock's decisions are drafts). */
export type EventDraft<A extends Activity = Activity> = A extends Activity ? { activity: A; details: ActivityDetails[A] } : never;

/** The event of a draft. */
export function eventOfDraft(ids: IdGenerator, caseId: string, at: string, actor: Actor, draft: EventDraft): CaseEvent {
  return { eventId: ids.next(), caseId, at, actor, ...draft };
}

/** The activity recorded for a status change, so the event log reads as a process. */
export function activityForStatus(from: string, to: string): Exclude<StatusChangeActivity, 'declined'> {
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
): EventOf<A> {
  return { eventId: ids.next(), caseId, activity, at, actor, details: details[0] ?? {} } as EventOf<A>;
}

/** Every activity must be given its details; only one whose details are empty may omit them. */
type DetailsArgument<A extends Activity> = A extends Activity
  ? ActivityDetails[A] extends NoDetails
    ? [details?: NoDetails]
    : [details: ActivityDetails[A]]
  : never;
