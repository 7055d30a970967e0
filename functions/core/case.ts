import type { Channel, SkillRequirement } from './config.js';
import { InvalidTransitionError } from './errors.js';

/**
 * The case model and its status machine (docs/architecture.md#statuses). Field names are the API contract:
 * add fields freely, rename none. The model depends on no feature module: the shapes of its SLA clock
 * and its swarm are declared here, and the features that change them (functions/core/sla.ts,
 * functions/core/expert-finder.ts) import them from here.
 */

export const CASE_STATUSES = ['new', 'queued', 'assigned', 'in_progress', 'on_hold', 'resolved', 'closed_unresolved', 'needs_review'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const OPEN_STATUSES: readonly CaseStatus[] = ['new', 'queued', 'assigned', 'in_progress', 'on_hold', 'needs_review'];
export const CLOSED_STATUSES: readonly CaseStatus[] = ['resolved', 'closed_unresolved'];

export interface Contact {
  email: string;
  name?: string;
  phone?: string;
}

export interface Account {
  id?: string;
  name?: string;
  tier?: string;
  segment?: string;
  group?: string;
}

export interface Location {
  country?: string;
  region?: string;
  postalCode?: string;
  city?: string;
}

/** Why the case sits where it does: the last routing decision, stored on the case (docs/architecture.md#decision-records). */
export interface RoutingState {
  /** Agents who declined or let an offer lapse: never offered this case again. */
  excludedAgents: string[];
  /** How many routing attempts have been made. */
  attempts: number;
  /** When the case started waiting in its current queue (drives skill relaxation). */
  queuedAt?: string;
  lastDecisionId?: string;
  /**
   * Set when an SLA escalation moved the case to a queue of its own choosing (a higher tier):
   * routing then keeps it there instead of following the rules back to where it came from.
   */
  pinnedQueue?: string;
}

export interface CaseRecord {
  caseId: string;
  caseNumber: string;
  channel: Channel;
  status: CaseStatus;
  priority: string;
  /** Position of `priority` in the configured levels (0 = most urgent); orders the queue index. */
  priorityRank: number;
  subject: string;
  description: string;
  contact: Contact;
  account?: Account;
  location?: Location;
  product?: string;
  type?: string;
  severity?: string;
  language?: string;
  territory?: string;
  queue?: string;
  owner?: string;
  /** The SLA clock: policy, and per milestone its target, due and warning instants, pauses and outcome (functions/core/sla.ts). */
  sla?: SlaState;
  routing: RoutingState;
  /**
   * The next piece of work due on this case, read by the sweeps through the sparse due-work index:
   * `accept` (an offer not yet accepted, at assignment + acceptTimeout) or `hold` (the on-hold
   * limit, at hold + onHoldMax). See functions/core/due.ts.
   */
  due?: { kind: string; at: string };
  /** Why the case is in manual review, when it is. */
  reviewReason?: string;
  /**
   * The hold an agent put the case on (PATCH status `on_hold`): since when, why, and when it is
   * expected to resume. Set with every hold; present only while the case is `on_hold`: whatever
   * takes the case out of the hold (a status change, a reassignment) drops it as the case is
   * written (caseAsWritten).
   */
  hold?: { since: string; reason: string; until?: string };
  /**
   * Fields automatic triage filled (functions/core/triage/): the value predicted, its confidence and
   * the model version; an agent's later correction is kept beside it.
   */
  triage?: TriageMarks;
  /** Experts invited to help the owner (POST /cases/{id}/swarm); closed when the case closes (functions/core/expert-finder.ts). */
  swarm?: Swarm;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version; every write bumps it. */
  version: number;
  /**
   * History written since the last write of the case item (a customer's message, an event, an
   * outbound mail): the store counts each such write on the case item and resets the count when the
   * case item is written. With `version` it makes the case's ETag (docs/console.md#polling-and-etags).
   */
  historyRevision?: number;
}

// --- the SLA clock's state (its decisions: functions/core/sla.ts) ---------------------------

export const MILESTONES = ['first_response', 'resolution'] as const;
export type MilestoneName = (typeof MILESTONES)[number];
export type MilestoneStatus = 'active' | 'paused' | 'violated' | 'met' | 'met_late';

export interface MilestoneClock {
  status: MilestoneStatus;
  /** The target for the case's current priority (ISO-8601) and in milliseconds of business time. */
  target: string;
  targetMs: number;
  /** When the clock started: the case's creation. */
  startedAt: string;
  /** Business time counted up to `countedAt`. */
  consumedMs: number;
  countedAt: string;
  /** Set while the clock is stopped by a pausing status. */
  pausedAt?: string;
  /** While running: when the warning and the breach fall (projected from the time left). */
  warnAt?: string;
  dueAt?: string;
  /** Business time left before the breach, as of `countedAt` (0 once breached). */
  remainingMs: number;
  warnedAt?: string;
  /** The instant the target was passed (the due instant, not when it was noticed). */
  breachedAt?: string;
  /** Consumption at the breach: escalation steps count from here, so a later target change cannot fire them early. */
  consumedAtBreachMs?: number;
  completedAt?: string;
  /** Escalation steps taken so far (the next one is `policy.escalation[escalations]`). */
  escalations: number;
  lastEscalatedAt?: string;
}

export type SlaDeadlineKind = 'warning' | 'breach' | 'escalation' | 'recheck';

export interface SlaState {
  policyId: string;
  /** Business-hours calendar id; absent ▶ 24×7. */
  calendar?: string;
  /** The priority the targets were read for. */
  priority: string;
  milestones: Partial<Record<MilestoneName, MilestoneClock>>;
  /** The workflow execution generation watching this clock (1 = the case's first execution). */
  generation: number;
  /** When that execution wakes next, and why; absent when nothing is left to wait for. */
  next?: { at: string; kind: SlaDeadlineKind; milestone?: MilestoneName };
  updatedAt: string;
}

// --- the swarm on a case (who is invited: functions/core/expert-finder.ts) --------------------

export interface SwarmMember {
  agentId: string;
  name: string;
  score: number;
  reasons: string[];
  invitedAt: string;
  /** Who brought them in; their own id when they joined on their own (from Slack or the API). */
  invitedBy: string;
  /** `finder`: proposed by the expert finder; `joined`: came on their own. Absent on older records: the finder. */
  via?: 'finder' | 'joined';
  /** The pod the finder reached them through. */
  pod?: string;
}

/** Where a swarm lives in the team's chat (a Slack channel of its own, or a thread in a shared channel). */
export interface SwarmConversation {
  kind: 'slack';
  mode: 'channel' | 'thread';
  channel: string;
  /** Thread mode: the thread's root message. */
  threadTs?: string;
  /** The case summary message with the buttons, updated as the case moves. */
  summaryTs: string;
  /** Channel mode: the channel's name (`swarm-00001234`). */
  channelName?: string;
}

/** A pod lead told that the finder took members of their pod into a swarm. */
export interface PodLeadNotice {
  podId: string;
  podName: string;
  leadId: string;
  /** The pod's members brought in. */
  experts: string[];
  /** How the lead heard: in the chat (a direct message), by email, or not at all (with why in the events). */
  toldVia?: 'chat' | 'email' | 'none';
}

/** The swarm on a case (`case.swarm`): open while the case is open, closed with it. */
export interface Swarm {
  swarmId: string;
  status: 'open' | 'closed';
  startedAt: string;
  startedBy: string;
  /** What the owner or manager asked the experts (shown in the Slack message); the same as `question`. */
  note?: string;
  /** The question for the experts (POST /cases/{id}/swarm `question`). */
  question?: string;
  /** The skills the experts were matched on. */
  skills: SkillRequirement[];
  members: SwarmMember[];
  /** Where the swarm works in Slack, once the Slack app opened a conversation for it. */
  chat?: SwarmConversation;
  /** Pod leads told about their members being brought in. */
  podLeads?: PodLeadNotice[];
  closedAt?: string;
  closedReason?: string;
}

export interface TriageMark {
  value: string;
  confidence: number;
  /** Set when an agent changed the field afterwards. */
  correctedTo?: string;
  correctedBy?: string;
  correctedAt?: string;
}

export interface TriageMarks {
  modelVersion: string;
  fields: Partial<Record<string, TriageMark>>;
}

export type MessageDirection = 'inbound' | 'outbound' | 'internal';

export interface Attachment {
  name: string;
  contentType: string;
  size: number;
  contentId?: string;
  /** Where the bytes live (S3 key or local path); the item keeps only this reference. */
  ref?: string;
}

export interface CaseMessage {
  messageId: string;
  caseId: string;
  direction: MessageDirection;
  from: string;
  subject: string;
  text: string;
  at: string;
  attachments: Attachment[];
  channel: Channel;
  /** Where an internal note was written, when not through the API (Slack: the channel and message). */
  source?: { kind: 'slack'; channel?: string; ts?: string };
}

export type ActorKind = 'customer' | 'agent' | 'system';

/**
 * The case as it is written: a hold belongs to `on_hold` alone, so a case in any other status is
 * written without one, whichever use case moved it (a status change, a reassignment to an agent or
 * a queue). The adapters write every case through this (functions/adapters/case-repository.ts), so
 * no way out of the hold can leave a stale one. docs/architecture.md#statuses
 */
export function caseAsWritten<C extends CaseRecord>(c: C): C {
  if (c.status === 'on_hold' || !('hold' in c)) return c;
  const { hold: _dropped, ...rest } = c;
  return rest as C;
}

export interface Actor {
  kind: ActorKind;
  /** Agent id, customer email or system component. */
  id: string;
}

/** Allowed status changes. `needs_review` can be left to any open status once a person has looked. */
const TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  new: ['queued', 'assigned', 'needs_review'],
  queued: ['assigned', 'needs_review', 'resolved', 'closed_unresolved'],
  assigned: ['in_progress', 'queued', 'assigned', 'needs_review', 'on_hold', 'resolved', 'closed_unresolved'],
  in_progress: ['on_hold', 'resolved', 'closed_unresolved', 'queued', 'assigned', 'needs_review'],
  on_hold: ['in_progress', 'resolved', 'closed_unresolved', 'queued', 'assigned'],
  resolved: ['in_progress', 'assigned', 'queued'],
  closed_unresolved: ['in_progress', 'assigned', 'queued'],
  needs_review: ['queued', 'assigned', 'resolved', 'closed_unresolved', 'new'],
};

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: CaseStatus, to: CaseStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

export function isOpen(status: CaseStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** Case numbers are human-friendly and sequential: 1024 ▶ `00001024`. */
export function formatCaseNumber(sequence: number): string {
  return String(sequence).padStart(8, '0');
}
