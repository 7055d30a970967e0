import type { Actor, CaseEvent } from './case.js';
import type { IdGenerator } from './ports.js';
import { SLA_ACTIVITIES } from './sla.js';

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

/** The activity recorded for a status change, so the event log reads as a process. */
export function activityForStatus(from: string, to: string): string {
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

export function makeEvent(ids: IdGenerator, caseId: string, activity: string, at: string, actor: Actor, details: Record<string, unknown> = {}): CaseEvent {
  return { eventId: ids.next(), caseId, activity, at, actor, details };
}
