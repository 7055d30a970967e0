import type { AgentState, Presence } from './agent-state.js';
import type { CaseEvent, CaseMessage, CaseRecord, CaseStatus } from './case.js';
import type { Channel, RoutingConfig } from './config.js';
import type { ParsedEmail } from './email.js';
import type { EngineDecision, RoutingDecision } from './routing.js';
import type { SearchTerm } from './subject-words.js';

/**
 * What the core needs from the outside world, injected: time and identifiers. The core never calls
 * Date.now() or generates random ids itself, so every decision is reproducible in a test.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

export interface IdGenerator {
  /** A new sortable unique id (ULID in production). */
  next(): string;
}

/** Waits `ms` milliseconds (setTimeout in production; tests may record or shorten it). */
export type Sleep = (ms: number) => Promise<void>;

export const isoString = (d: Date): string => d.toISOString();

/** A page of results and the opaque cursor for the next one. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface CaseQuery {
  owner?: string;
  /** One queue, or several (an agent's queues); results are merged newest first. */
  queues?: string[];
  statuses?: CaseStatus[];
  /** Only cases at one of these priority levels (a filter on the index query, never a Scan). */
  priorities?: string[];
  /** Only cases that came in on one of these channels. */
  channels?: Channel[];
  limit: number;
  cursor?: string;
}

export interface StoredDecision {
  decisionId: string;
  caseId: string;
  at: string;
  kind: 'territory' | 'assignment' | 'priority' | 'swarm';
  outcome: string;
  details: EngineDecision | RoutingDecision | Record<string, unknown>;
}

export interface CaseWithHistory {
  case: CaseRecord;
  messages: CaseMessage[];
  events: CaseEvent[];
  decisions: StoredDecision[];
}

export interface CreateCaseCommand {
  case: CaseRecord;
  messages: CaseMessage[];
  events: CaseEvent[];
  /**
   * A submission-scoped key: the same key never creates two cases, even concurrently. With
   * `claimToken` the record must be the claim this attempt holds (SubmissionClaims), and it answers
   * replays until `holdUntil` (epoch ms); without, it must not exist yet.
   */
  idempotency?: { scope: string; key: string; expiresAt: number; claimToken?: string; holdUntil?: number };
}

export type CreateCaseResult = { created: true; case: CaseRecord } | { created: false; existingCaseId: string };

/** A case found in the subject-word index. */
export interface SubjectWordHit {
  caseId: string;
  createdAt: string;
  /** Where the hit is in the index: a cursor that continues after it. */
  position: string;
}

export interface CaseRepository {
  allocateCaseNumber(): Promise<string>;
  /** The case an idempotency key already created, if any (checked before a number is spent). */
  findIdempotent(scope: string, key: string): Promise<string | undefined>;
  /** Writes the case, its number pointer, messages and events in one transaction. */
  create(command: CreateCaseCommand): Promise<CreateCaseResult>;
  get(caseId: string): Promise<CaseRecord | undefined>;
  getWithHistory(caseId: string): Promise<CaseWithHistory | undefined>;
  getByNumber(caseNumber: string): Promise<CaseRecord | undefined>;
  /** A customer's cases by contact email (the contact index), newest first. */
  listByContact(email: string, limit: number): Promise<CaseRecord[]>;
  /**
   * A page of the cases whose subject holds a word (the subject-word index, functions/core/subject-words.ts):
   * the whole word, or words starting with it when `prefix`; newest first within a word. Each hit's
   * `position`, given as `cursor`, continues after it.
   */
  findBySubjectWord(term: SearchTerm, limit: number, cursor?: string): Promise<Page<SubjectWordHit>>;
  /** The cases of these ids that exist (BatchGetItem), in the order asked. */
  getMany(caseIds: readonly string[]): Promise<CaseRecord[]>;
  /**
   * Replaces the case if its stored version is still `expectedVersion` (throws ConflictError
   * otherwise) and appends events, in one transaction. Returns the case with its new version.
   */
  update(next: CaseRecord, expectedVersion: number, events: CaseEvent[], decisions?: StoredDecision[]): Promise<CaseRecord>;
  /**
   * As update, with a message added to the case in the same transaction (an internal note): the
   * case's version moves, so its ETag changes with its history.
   */
  addMessage(next: CaseRecord, expectedVersion: number, message: CaseMessage, events: CaseEvent[]): Promise<CaseRecord>;
  list(query: CaseQuery): Promise<Page<CaseRecord>>;
  /** A queue's waiting cases in dispatch order: priority, then age. */
  listQueued(queueId: string, limit: number): Promise<CaseRecord[]>;
  /** The owners of the most recently resolved cases of a contact and of an account (customer history). */
  findLastResolvers(input: {
    contactEmail?: string;
    accountId?: string;
    excludeCaseId?: string;
  }): Promise<{ contactResolver?: string; accountResolver?: string }>;
  /**
   * Cases with work of `kind` due at or before `until`, earliest first, from the sparse due-work
   * index (never a Scan): what a sweep reads. An eventually consistent view: a sweep confirms each
   * case with a conditional write on its version.
   */
  listDue(kind: string, until: string, limit: number): Promise<CaseRecord[]>;
  /** How many cases wait in a queue, counted up to `max` (a gauge for the sweeps; a count, not a read of the cases). */
  countQueued(queueId: string, max: number): Promise<number>;
}

export interface AgentStateRepository {
  get(agentId: string): Promise<AgentState | undefined>;
  getMany(agentIds: readonly string[]): Promise<Map<string, AgentState>>;
  /** Sets presence (creating the state when absent); returns the new state. */
  setPresence(agentId: string, presence: Presence, at: string): Promise<AgentState>;
  /**
   * Agents away or offline since `before` or earlier whose absence no sweep has handled yet, longest
   * absent first (a sparse index: an agent is in it from going away/offline until a sweep marks it).
   */
  listAbsent(before: string, limit: number): Promise<AgentState[]>;
  /** Takes the agent out of that index, if they are still absent since `presenceSince` (else a no-op). */
  markAbsenceHandled(agentId: string, presenceSince: string, at: string): Promise<void>;
}

export type ClaimResult = { claimed: true; case: CaseRecord } | { claimed: false; reason: 'case_changed' | 'agent_unavailable' };

/**
 * The atomic assignment: the case's owner and version, and the agent's presence and load per
 * channel, change together or not at all (TransactWriteItems). Losing a race is a normal result.
 */
export interface AssignmentStore {
  claim(input: {
    next: CaseRecord;
    expectedVersion: number;
    agentId: string;
    channel: Channel;
    capacity: number;
    at: string;
    events: CaseEvent[];
    decisions: StoredDecision[];
  }): Promise<ClaimResult>;
  /**
   * Reassignment in one transaction: the case moves from `fromAgentId` to `toAgentId` (at its
   * version), the old owner's load on the channel goes down and the new owner's goes up, only if
   * the new owner is online with spare capacity. `fromAgentId` absent: nobody held capacity.
   */
  transfer(input: {
    next: CaseRecord;
    expectedVersion: number;
    fromAgentId?: string;
    toAgentId: string;
    channel: Channel;
    capacity: number;
    at: string;
    events: CaseEvent[];
  }): Promise<ClaimResult>;
  /** Gives an agent's reserved capacity back while updating the case (close, reassign). */
  release(input: { next: CaseRecord; expectedVersion: number; agentId: string; channel: Channel; events: CaseEvent[] }): Promise<CaseRecord>;
}

export interface StoredConfig {
  version: number;
  config: RoutingConfig;
  appliedAt: string;
  appliedBy: string;
}

export interface ConfigRepository {
  getCurrent(): Promise<StoredConfig | undefined>;
  /** The applied version only, without reading or parsing the document: what a health check needs. */
  currentVersion(): Promise<number | undefined>;
  /** Stores a new version if the current one is still `expectedVersion` (0 when none). */
  put(config: RoutingConfig, expectedVersion: number, appliedBy: string, at: string): Promise<StoredConfig>;
}

export interface RateLimiter {
  /**
   * Spends one unit of `key`'s budget if there is one: `limit` units, refilled evenly over
   * `windowSeconds` (a token bucket: `limit` at once, then one every windowSeconds/limit). A refused
   * hit spends nothing; `retryAfterSeconds` says when the next unit is there.
   */
  hit(scope: string, key: string, limit: number, windowSeconds: number, now: Date): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

/** What holds a submission key when an attempt asks for it (SubmissionClaims.claim). */
export type SubmissionClaim =
  /** This attempt holds the key now: it alone may spend rate-limit budget and create the case. */
  | { state: 'claimed' }
  /** An earlier submission with this key was taken: answer with it (`decoy`: a honeypot answer, no case). */
  | { state: 'done'; caseId: string; caseNumber?: string; decoy: boolean }
  /** Another attempt holds the key and has not finished: wait, then ask again. */
  | { state: 'pending' }
  /** The last attempt was rate limited; until `retryAt` (epoch ms) the key answers 429 without spending budget. */
  | { state: 'refused'; retryAt: number };

/**
 * Idempotency and dedupe keys of public submissions as claims: the first attempt takes the key (a
 * conditional write), so concurrent twins wait for its outcome instead of racing it, and only it
 * touches the rate limits. Every record holds until an instant (`holdUntil`) checked by condition,
 * so a lapsed claim or dedupe window frees the key at once, whenever TTL deletes the item.
 */
export interface SubmissionClaims {
  claim(scope: string, key: string, attempt: { token: string; now: Date; leaseMs: number; expiresAt: number }): Promise<SubmissionClaim>;
  /** The attempt was rate limited: until `holdUntil` the key answers 429 with `retryAt` (both epoch ms). */
  refuse(scope: string, key: string, token: string, refusal: { retryAt: number; holdUntil: number; expiresAt: number }): Promise<void>;
  /** The attempt failed before it settled: the key is free again. */
  release(scope: string, key: string, token: string): Promise<void>;
  /** A honeypot answer, recorded like a case's so its replays answer the same way; no case is written. */
  settleDecoy(scope: string, key: string, token: string, decoy: { caseId: string; caseNumber: string; holdUntil: number; expiresAt: number }): Promise<void>;
}

export interface AdminAlert {
  alertId: string;
  at: string;
  subject: string;
  message: string;
  caseId?: string;
}

export interface AlertPublisher {
  publish(alert: AdminAlert): Promise<void>;
}

export interface WorkflowStartOptions {
  /**
   * Which execution of the case this is. 1 (the default) is the case's first, named after the case;
   * n ≥ 2 is named `<caseId>-g<n>` and enters the workflow at its SLA loop: a long-running clock
   * continuing as a new execution before the history limit, or a clock restarted because its
   * deadlines moved earlier (resume, priority raised, reopen).
   */
  generation?: number;
}

export interface WorkflowStarter {
  /** Starts a lifecycle execution of the case, named by workflowExecutionName, so a duplicate start is harmless. */
  startCase(caseId: string, options?: WorkflowStartOptions): Promise<void>;
}

/** `<caseId>` for the first execution of a case, `<caseId>-g<n>` for later generations. */
export function workflowExecutionName(caseId: string, generation = 1): string {
  return generation <= 1 ? caseId : `${caseId}-g${generation}`;
}

/** The execution input: `{ caseId }`, plus `generation` for n ≥ 2 (the workflow's Begin choice reads it). */
export function workflowExecutionInput(caseId: string, generation = 1): { caseId: string; generation?: number } {
  return generation <= 1 ? { caseId } : { caseId, generation };
}

/** Who hears about an SLA warning, breach or escalation, resolved from the configuration. */
export interface NotificationRecipient {
  agentId: string;
  name: string;
  email: string;
}

export interface Notification {
  notificationId: string;
  at: string;
  caseId: string;
  caseNumber: string;
  /** `sla_warning`, `sla_breach`, `sla_escalation`, `on_hold_limit`, ... */
  kind: string;
  subject: string;
  text: string;
  /** Agents to tell directly (email). */
  agents: NotificationRecipient[];
  /** Also tell the admins (the alerts topic in AWS, the alert log locally). */
  admins: boolean;
  /** The sender of agent emails (the configuration's email.fromAddress, a verified SES identity in AWS). */
  from?: OutboundAddress;
}

/**
 * Tells people about their cases. The adapter (functions/adapters/notifier.ts) mails agents through
 * the Mailer port (SES v2 in AWS, the outbox locally) and tells admins through the AlertPublisher
 * port (SNS in AWS, the alert log and outbox locally): no mail system of its own.
 */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

// --- email-to-case (functions/core/use-cases/receive-email.ts) ----------------------------------

/**
 * Where raw inbound mail lives: the raw-mail S3 bucket in AWS (SES writes each message there), the
 * data directory locally (`<dataDir>/mail/`, written by the SMTP listener the way SES writes the
 * bucket). Keys are the bucket's object keys (`inbound/<id>`).
 */
export interface RawMailStore {
  /** The raw message, or undefined when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores a part (attachment, full body) beside the raw message; returns its reference (an object key). */
  putPart(rawKey: string, name: string, content: Uint8Array, contentType: string): Promise<string>;
  /**
   * Records what became of the message, only once its case is written: `processed` (with the case),
   * `rejected` (a virus), `ignored` (a duplicate). The raw message itself is never deleted by intake.
   */
  mark(key: string, state: { status: 'processed' | 'rejected' | 'duplicate'; caseId?: string; detail?: string }): Promise<void>;
}

export interface OutboundAddress {
  address: string;
  name?: string;
}

/** A file sent with a mail (an agent's reply). */
export interface OutboundAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** What a mail is, as the outbound-mail builder made it (functions/core/email-outbound.ts). */
export type OutboundKind = 'acknowledgement' | 'reply' | 'notification' | 'alert';

/** A mail ready to send: functions/core/email-outbound.ts makes every one. */
export interface OutboundEmail {
  kind: OutboundKind;
  from: OutboundAddress;
  to: OutboundAddress[];
  /** Copies (an agent's reply may name up to ten). */
  cc?: OutboundAddress[];
  replyTo?: OutboundAddress;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with it, as MIME parts. */
  attachments?: OutboundAttachment[];
  /** Our Message-ID, without brackets. SES replaces it on the wire; both are recorded. */
  messageId: string;
  inReplyTo?: string;
  /** Message-IDs without brackets, oldest first. */
  references: string[];
  /** Extra headers (Auto-Submitted, X-Auto-Response-Suppress, ...). */
  headers: Record<string, string>;
  date: Date;
}

export interface SentEmail {
  /** Our Message-ID (without brackets). */
  messageId: string;
  /** The ids the provider put on the wire (`<id>@<region>.amazonses.com`, without brackets); empty when ours was kept. */
  providerMessageIds: string[];
  /** Where a copy lives, when the adapter keeps one (the local outbox file). */
  ref?: string;
}

/** Sends mail: SES v2 in AWS; the outbox directory (optionally relayed over SMTP) locally. */
export interface Mailer {
  send(message: OutboundEmail): Promise<SentEmail>;
}

/** The HMAC keys that sign subject tokens: the current one first, then those it replaced (still accepted). */
export interface ThreadingKeySource {
  keys(): Promise<string[]>;
}

/**
 * The customer's status page (functions/core/status-link.ts): the HMAC keys of its links (a secret
 * of their own: Secrets Manager in AWS, a file in the data directory locally; the current key
 * first), and where the page lives (`https://<console>/app/status`).
 */
export interface StatusLinks {
  keys: ThreadingKeySource;
  pageBase: string;
}

/**
 * Hands out a stored file (an attachment) for a short time: a pre-signed S3 GET in AWS, a signed
 * route of the local stack locally. The bytes never pass through the API.
 */
export interface FileLinks {
  link(ref: string, file: { name: string; contentType: string }, now: Date): Promise<{ url: string; expiresAt: string }>;
}

/** Decodes a raw RFC 5322 / MIME message (functions/adapters/mime-parser.ts). Throws UnparsableEmailError. */
export interface MimeParser {
  parse(raw: Uint8Array): Promise<ParsedEmail>;
}

/** What intake recorded about an inbound message, found again by its Message-ID or content hash. */
export interface InboundRecord {
  caseId: string;
  hash: string;
  messageId?: string;
  /** Steps still to do after the case was written (a retried delivery finishes them): `ack`, `reopen`. */
  pending: string[];
}

export interface InboundKeys {
  messageId?: string;
  hash: string;
}

export interface ContactRecord {
  email: string;
  /** Set by a permanent bounce or a complaint: no more acknowledgements to this address. */
  suppressed?: { reason: string; at: string; caseId?: string };
  bounces: number;
  lastBounceAt?: string;
  language?: string;
}

export interface MailLogEntry {
  at: string;
  kind: 'rejected' | 'bounce' | 'report' | 'duplicate';
  rawKey: string;
  from?: string;
  subject?: string;
  caseId?: string;
  reasons: string[];
}

/** DynamoDB records of email intake beside the cases (dedupe, sent ids, contacts), keys in adapters/keys.ts. */
export interface EmailStore {
  findInbound(keys: InboundKeys): Promise<{ byMessageId?: InboundRecord; byHash?: InboundRecord }>;
  /** Which of these Message-IDs we sent (outbound) or already filed in a case (inbound). */
  findByMessageIds(ids: readonly string[]): Promise<{ messageId: string; caseId: string; direction: 'outbound' | 'inbound' }[]>;
  /**
   * Writes a new case with its first message and events, and the dedupe records, in one
   * transaction: a second delivery of the same message finds the records and creates nothing.
   */
  createCase(command: CreateCaseCommand & { inbound: InboundKeys; pending: string[] }): Promise<CreateCaseResult>;
  /** Appends a message (and events) to an existing case with the dedupe records, in one transaction. */
  appendMessage(command: {
    caseId: string;
    message: CaseMessage;
    events: CaseEvent[];
    inbound: InboundKeys;
    pending: string[];
  }): Promise<{ appended: true } | { appended: false; existingCaseId: string }>;
  /** Records a message we sent: its item on the case, its events, and every id it is known by. */
  recordOutbound(command: { caseId: string; message: CaseMessage; events: CaseEvent[]; messageIds: string[] }): Promise<void>;
  /** Events on a case without changing the case item (a forged-token attempt, a follow-up case, a skipped acknowledgement). */
  appendEvents(events: CaseEvent[]): Promise<void>;
  /** A pending step is done. */
  completeStep(keys: InboundKeys, step: string): Promise<void>;
  getContact(email: string): Promise<ContactRecord | undefined>;
  recordBounce(email: string, bounce: { at: string; permanent: boolean; reason: string; caseId?: string }): Promise<void>;
  logMail(entry: MailLogEntry): Promise<void>;
}

// --- swarming (functions/core/use-cases/swarm.ts) -------------------------------------------------

/** A swarm invitation as it goes to the team's chat: what the Slack adapter turns into blocks. */
export interface SwarmAnnouncement {
  caseId: string;
  caseNumber: string;
  subject: string;
  status: string;
  priority: string;
  product?: string;
  customer?: string;
  owner?: { agentId: string; name: string };
  startedBy: string;
  note?: string;
  experts: { agentId: string; name: string; score: number; reasons: string[] }[];
  /** Where a person opens the case. */
  link: string;
}

/** Tells the team about a swarm: a Slack incoming webhook (URL from Secrets Manager in AWS, an option locally). */
export interface SwarmNotifier {
  /** `sent`, or `skipped` with why (no webhook configured); throws when the webhook refuses. */
  announce(announcement: SwarmAnnouncement): Promise<{ sent: boolean; reason?: string }>;
}
