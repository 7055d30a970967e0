/**
 * Test data builders shared by every test project. Each builder returns a valid object with
 * sensible defaults; a test overrides only the fields it is about, so what matters stays visible.
 */
import { ulid } from 'ulid';
import type { AgentState } from '../../functions/core/agent-state.js';
import { emptyLoad } from '../../functions/core/agent-state.js';
import type { CaseMessage, CaseRecord } from '../../functions/core/case.js';
import type { Activity, CaseEvent } from '../../functions/core/events.js';
import { formatCaseNumber } from '../../functions/core/case.js';
import type { Agent, RoutingConfigInput } from '../../functions/core/config.js';
import { configSchemas } from '../../functions/core/config.js';
import type { Clock, IdGenerator } from '../../functions/core/ports/clock.js';
import type { CreateCaseCommand, StoredDecision } from '../../functions/core/ports/repositories.js';

/** The default priority levels of a routing configuration, most urgent first. */
export const DEFAULT_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;

export const FIXED_START = '2025-03-03T09:00:00.000Z'; // a Monday, 09:00 UTC

export interface FixedClock extends Clock {
  /** The current instant as an ISO string. */
  iso(): string;
  /** Moves time forward (or back, with a negative value). */
  advance(ms: number): Date;
  set(at: string | Date): Date;
}

/** A clock that only moves when the test moves it. */
export function fixedClock(start: string | Date = FIXED_START): FixedClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    iso: () => new Date(current).toISOString(),
    advance(ms) {
      current += ms;
      return new Date(current);
    },
    set(at) {
      current = new Date(at).getTime();
      return new Date(current);
    },
  };
}

/** ULIDs, as production uses. */
export function ulidIds(): IdGenerator {
  return { next: () => ulid() };
}

/** Readable ids in a known order (`case-0001`, `case-0002`, ...), for tests that assert on ids. */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return { next: () => `${prefix}-${String(++n).padStart(4, '0')}` };
}

/** `base` plus `minutes`, as an ISO string: spreads fixtures over time without arithmetic in tests. */
export function minutesAfter(minutes: number, base: string = FIXED_START): string {
  return new Date(new Date(base).getTime() + minutes * 60_000).toISOString();
}

// Far above what allocateCaseNumber hands out in a test, so fixtures never collide with it.
let nextFixtureCaseNumber = 50_000_000;

/** A valid case; `priority` alone sets a matching `priorityRank` from the default levels. */
export function makeCase(overrides: Partial<CaseRecord> = {}): CaseRecord {
  const priority = overrides.priority ?? 'medium';
  const rank = DEFAULT_PRIORITIES.indexOf(priority as (typeof DEFAULT_PRIORITIES)[number]);
  const createdAt = overrides.createdAt ?? FIXED_START;
  return {
    caseId: ulid(),
    caseNumber: formatCaseNumber(nextFixtureCaseNumber++),
    channel: 'web',
    status: 'new',
    priority,
    priorityRank: rank === -1 ? DEFAULT_PRIORITIES.length : rank,
    subject: 'Printer on fire',
    description: 'The printer in room 4 caught fire again.',
    contact: { email: 'ada@example.com', name: 'Ada Lovelace' },
    account: { id: 'acct-1', name: 'Analytical Engines Ltd', tier: 'gold' },
    location: { country: 'GB', city: 'London', postalCode: 'SW1A 1AA' },
    product: 'printers',
    language: 'en',
    routing: { excludedAgents: [], attempts: 0 },
    createdAt,
    updatedAt: overrides.updatedAt ?? createdAt,
    version: 1,
    ...overrides,
  };
}

export function makeMessage(caseId: string, overrides: Partial<CaseMessage> = {}): CaseMessage {
  return {
    messageId: ulid(),
    caseId,
    direction: 'inbound',
    from: 'ada@example.com',
    subject: 'Printer on fire',
    text: 'The printer in room 4 caught fire again.',
    at: FIXED_START,
    attachments: [],
    channel: 'web',
    ...overrides,
  };
}

/**
 * An event as the table may hold it: history written by older versions (or a test's partial story)
 * can lack details the current writer gives, or carry ones it no longer writes. The readers take
 * such events through their partial view (detailsOf), so fixtures may build them.
 */
export interface StoredEvent {
  eventId: string;
  caseId: string;
  activity: Activity;
  at: string;
  actor: CaseEvent['actor'];
  details: Record<string, unknown>;
}

/** A stored event (see StoredEvent) typed as the event log's events. */
export function storedEvent(e: StoredEvent): CaseEvent {
  const event: unknown = e;
  return event as CaseEvent;
}

/** An event's details as a plain record, for assertions over any activity's fields. */
export function detailsRecord(e: Pick<CaseEvent, 'details'>): Record<string, unknown> {
  const details: unknown = e.details;
  return details as Record<string, unknown>;
}

export function makeEvent(caseId: string, overrides: Partial<StoredEvent> = {}): CaseEvent {
  return storedEvent({
    eventId: ulid(),
    caseId,
    activity: 'case_created',
    at: FIXED_START,
    actor: { kind: 'customer', id: 'ada@example.com' },
    details: {},
    ...overrides,
  });
}

export function makeDecision(caseId: string, overrides: Partial<StoredDecision> = {}): StoredDecision {
  return {
    decisionId: ulid(),
    caseId,
    at: FIXED_START,
    kind: 'assignment',
    outcome: 'assigned',
    details: { reasons: ['fixture'] },
    ...overrides,
  };
}

/** What a new case writes: the case, its first message and its `case_created` event. */
export function makeCreateCommand(caseOverrides: Partial<CaseRecord> = {}, extra: Partial<Omit<CreateCaseCommand, 'case'>> = {}): CreateCaseCommand {
  const c = makeCase(caseOverrides);
  return {
    case: c,
    messages: [makeMessage(c.caseId, { at: c.createdAt, channel: c.channel })],
    events: [makeEvent(c.caseId, { at: c.createdAt })],
    ...extra,
  };
}

export function makeAgentState(overrides: Partial<AgentState> = {}): AgentState {
  return {
    agentId: `agent-${ulid().toLowerCase()}`,
    presence: 'online',
    presenceSince: FIXED_START,
    load: emptyLoad(),
    version: 1,
    ...overrides,
  };
}

/** An agent online since `since`, with nothing in hand (the state a routing decision reads). */
export function onlineState(agentId: string, since: Date | string, overrides: Partial<AgentState> = {}): AgentState {
  return makeAgentState({ agentId, presenceSince: typeof since === 'string' ? since : since.toISOString(), ...overrides });
}

/** An agent of the configuration, named after its id, with the capacity per channel given. */
export function makeAgent(id: string, capacity: Partial<Agent['capacity']>, overrides: Partial<Agent> = {}): Agent {
  return configSchemas().AgentSchema.parse({ id, name: id, email: `${id}@example.com`, capacity, ...overrides });
}

/** A small valid routing configuration document (before defaults): two agents in one queue. */
export function makeRoutingConfigInput(overrides: Partial<RoutingConfigInput> = {}): RoutingConfigInput {
  return {
    queues: [{ id: 'support', name: 'Support', routing: 'least_busy', members: ['alice', 'bob'] }],
    agents: [
      { id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { email: 5, web: 5, phone: 1, chat: 3 } },
      { id: 'bob', name: 'Bob', email: 'bob@example.com', capacity: { email: 5, web: 5, phone: 1, chat: 3 } },
    ],
    territories: [{ id: 'uk', name: 'United Kingdom', match: { countries: ['GB'] }, queue: 'support' }],
    ...overrides,
  };
}
