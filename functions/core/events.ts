import type { Actor, CaseEvent } from './case.js';
import type { IdGenerator } from './ports.js';

/** Activity names of the event log: the vocabulary of history, reports and process mining. */
export const ACTIVITIES = {
  created: 'case_created',
  stamped: 'territory_stamped',
  prioritised: 'priority_set',
  queued: 'queued',
  assigned: 'assigned',
  statusChanged: 'status_changed',
  needsReview: 'sent_to_review',
  presenceChanged: 'presence_changed',
  messageReceived: 'message_received',
  duplicateSubmission: 'duplicate_submission',
} as const;

export const SYSTEM: Actor = { kind: 'system', id: 'caseflow' };

export function makeEvent(
  ids: IdGenerator,
  caseId: string,
  activity: string,
  at: string,
  actor: Actor,
  details: Record<string, unknown> = {},
): CaseEvent {
  return { eventId: ids.next(), caseId, activity, at, actor, details };
}
