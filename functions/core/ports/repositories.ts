import type { AgentState, Presence } from '../agent-state.js';
import type { CaseMessage, CaseRecord, CaseStatus } from '../case.js';
import type { CaseEvent } from '../events.js';
import type { Channel, RoutingConfig } from '../config.js';
import type { RoutingDecision } from '../routing/assignment.js';
import type { EngineDecision } from '../routing/engine.js';
import type { SearchTerm } from '../subject-words.js';

/** The stores of cases, agents' states, assignments and the configuration (functions/adapters over DynamoDB). */

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
