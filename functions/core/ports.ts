import type { AgentState, Presence } from './agent-state.js';
import type { CaseEvent, CaseMessage, CaseRecord, CaseStatus } from './case.js';
import type { Channel, RoutingConfig } from './config.js';
import type { EngineDecision, RoutingDecision } from './routing.js';

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
  limit: number;
  cursor?: string;
}

export interface StoredDecision {
  decisionId: string;
  caseId: string;
  at: string;
  kind: 'territory' | 'assignment' | 'priority';
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
  /** A submission-scoped key: the same key never creates two cases, even concurrently. */
  idempotency?: { scope: string; key: string; expiresAt: number };
}

export type CreateCaseResult = { created: true; case: CaseRecord } | { created: false; existingCaseId: string };

export interface CaseRepository {
  allocateCaseNumber(): Promise<string>;
  /** Writes the case, its number pointer, messages and events in one transaction. */
  create(command: CreateCaseCommand): Promise<CreateCaseResult>;
  get(caseId: string): Promise<CaseRecord | undefined>;
  getWithHistory(caseId: string): Promise<CaseWithHistory | undefined>;
  getByNumber(caseNumber: string): Promise<CaseRecord | undefined>;
  /**
   * Replaces the case if its stored version is still `expectedVersion` (throws ConflictError
   * otherwise) and appends events, in one transaction. Returns the case with its new version.
   */
  update(next: CaseRecord, expectedVersion: number, events: CaseEvent[], decisions?: StoredDecision[]): Promise<CaseRecord>;
  list(query: CaseQuery): Promise<Page<CaseRecord>>;
  /** A queue's waiting cases in dispatch order: priority, then age. */
  listQueued(queueId: string, limit: number): Promise<CaseRecord[]>;
  /** The owners of the most recently resolved cases of a contact and of an account (customer history). */
  findLastResolvers(input: { contactEmail?: string; accountId?: string; excludeCaseId?: string }): Promise<{ contactResolver?: string; accountResolver?: string }>;
}

export interface AgentStateRepository {
  get(agentId: string): Promise<AgentState | undefined>;
  getMany(agentIds: readonly string[]): Promise<Map<string, AgentState>>;
  /** Sets presence (creating the state when absent); returns the new state. */
  setPresence(agentId: string, presence: Presence, at: string): Promise<AgentState>;
}

export type ClaimResult =
  | { claimed: true; case: CaseRecord }
  | { claimed: false; reason: 'case_changed' | 'agent_unavailable' };

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
  /** Gives an agent's reserved capacity back while updating the case (close, reassign). */
  release(input: {
    next: CaseRecord;
    expectedVersion: number;
    agentId: string;
    channel: Channel;
    events: CaseEvent[];
  }): Promise<CaseRecord>;
}

export interface StoredConfig {
  version: number;
  config: RoutingConfig;
  appliedAt: string;
  appliedBy: string;
}

export interface ConfigRepository {
  getCurrent(): Promise<StoredConfig | undefined>;
  /** Stores a new version if the current one is still `expectedVersion` (0 when none). */
  put(config: RoutingConfig, expectedVersion: number, appliedBy: string, at: string): Promise<StoredConfig>;
}

export interface RateLimiter {
  /** Counts one hit for `key` in the current window; says whether it is within `limit`. */
  hit(scope: string, key: string, limit: number, windowSeconds: number, now: Date): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
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

export interface WorkflowStarter {
  /** Starts the case's lifecycle execution, named after the case so a duplicate start is harmless. */
  startCase(caseId: string): Promise<void>;
}
