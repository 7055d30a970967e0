import type { AgentState } from '../agent-state.js';
import { spareCapacity, utilisation } from '../agent-state.js';
import type { Queue } from '../config.js';
import type { CandidateInput, RoutingContext } from './filters.js';

/**
 * How the candidates that passed the filters are ordered: by the queue's method, or in the order a
 * rule named them. Lower scores rank first; ties go to the longest since last assignment, then the id.
 */

/** What a ranking step ranked by: a queue's method, or the order a rule named its agents in. */
export type RankingMethod = Queue['routing'] | 'preference';

/** How one ranking step orders the candidates that passed, and how its reasons name it. */
export interface RankingStrategy {
  method(ctx: RoutingContext): RankingMethod;
  /** Lower is better; `index` is the candidate's position among the step's candidates. */
  score(input: CandidateInput, index: number, ctx: RoutingContext): number;
  /** The ranking as the reasons name it ("least_busy in queue support"). */
  describe(ctx: RoutingContext): string;
  /** Who was looked for, for the reason given when nobody passed ("member of queue support"). */
  pool(ctx: RoutingContext): string;
}

/** The queue's method scores the candidates (the queue's members, or its overflow's). */
export const byQueueMethod: RankingStrategy = {
  method: (ctx) => ctx.queue.routing,
  score: (input, _index, ctx) => scoreCandidate(ctx.queue.routing, input, ctx),
  describe: (ctx) => `${ctx.queue.routing} in queue ${ctx.queue.id}`,
  pool: (ctx) => `member of queue ${ctx.queue.id}`,
};

/** The candidates' own order is the preference: the agents a rule names, first named first. */
export const inNamedOrder: RankingStrategy = {
  method: () => 'preference',
  score: (_input, index) => index,
  describe: () => "agents in the rule's order of preference",
  pool: () => 'named agent',
};

/** Scores a candidate for a queue method; lower is better. */
export function scoreCandidate(method: Queue['routing'], { agent, state }: CandidateInput, ctx: RoutingContext): number {
  switch (method) {
    case 'least_busy':
      return utilisation(agent, state);
    case 'most_available':
      return -spareCapacity(agent, state, ctx.case.channel);
    case 'round_robin':
      // Longest since last assignment first: the score is the instant of the last assignment, and
      // never assigned counts as the earliest instant a date can hold, so it sorts before everyone
      // while staying a finite number that the stored decision can hold.
      return lastAssignedMs(state);
  }
}

const parsedAssignedAt = new WeakMap<AgentState, number>();

/**
 * The earliest instant a JavaScript date can hold (-271821-04-20): "never assigned" as a time. Every
 * real assignment is later, and unlike -Infinity it is a number DynamoDB can store.
 */
export const NEVER_ASSIGNED_MS = -8.64e15;

/**
 * Milliseconds of the agent's last assignment, parsed once per state object. Never assigned, or a
 * timestamp that does not parse (NaN would make the sort arbitrary and the record unstorable),
 * counts as NEVER_ASSIGNED_MS.
 */
export function lastAssignedMs(state: AgentState): number {
  if (!state.lastAssignedAt) return NEVER_ASSIGNED_MS;
  let ms = parsedAssignedAt.get(state);
  if (ms === undefined) {
    ms = Date.parse(state.lastAssignedAt);
    if (!Number.isFinite(ms)) ms = NEVER_ASSIGNED_MS;
    parsedAssignedAt.set(state, ms);
  }
  return ms;
}
