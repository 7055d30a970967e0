import type { AgentState } from './agent-state.js';
import { spareCapacity, utilisation } from './agent-state.js';
import type { CaseRecord } from './case.js';
import type { Agent, Queue } from './config.js';

/**
 * Who gets this case? A pure decision: the caller loads the queue, its members' profiles and live
 * states, then this function filters and ranks them and returns the decision with its reasons.
 * The claim itself (an atomic write) happens in the caller, which tries candidates in ranked
 * order and moves to the next one when it loses a race.
 *
 * Built as a pipeline so the routing engine can add filters (business hours, skills, language,
 * territory) and preferences (customer history) without changing its shape.
 */

export interface CandidateInput {
  agent: Agent;
  state: AgentState;
}

export interface RoutingContext {
  case: CaseRecord;
  queue: Queue;
  candidates: CandidateInput[];
  now: Date;
}

/** A filter removes a candidate by returning the reason, or keeps it by returning undefined. */
export interface CandidateFilter {
  readonly name: string;
  reject(candidate: CandidateInput, ctx: RoutingContext): string | undefined;
}

export interface CandidateRecord {
  agentId: string;
  /** The filter that removed this candidate, and why. */
  removedBy?: { filter: string; reason: string };
  /** Lower is better; present on candidates that passed every filter. */
  score?: number;
  /** Position in the ranking, 1-based, for candidates that passed. */
  rank?: number;
}

export interface RoutingDecision {
  queue: string;
  method: Queue['routing'];
  /** Candidates that passed every filter, best first. The caller claims in this order. */
  ranking: string[];
  candidates: CandidateRecord[];
  reasons: string[];
}

export const presenceFilter: CandidateFilter = {
  name: 'presence',
  reject: ({ state }) => (state.presence === 'online' ? undefined : `presence is ${state.presence}`),
};

export const capacityFilter: CandidateFilter = {
  name: 'capacity',
  reject: ({ agent, state }, ctx) => {
    const channel = ctx.case.channel;
    const spare = spareCapacity(agent, state, channel);
    return spare > 0 ? undefined : `no spare ${channel} capacity (${state.load[channel] ?? 0}/${agent.capacity[channel]})`;
  },
};

export const excludedFilter: CandidateFilter = {
  name: 'declined',
  reject: ({ agent }, ctx) =>
    ctx.case.routing.excludedAgents.includes(agent.id) ? 'declined or let an earlier offer lapse' : undefined,
};

export const DEFAULT_FILTERS: readonly CandidateFilter[] = [excludedFilter, presenceFilter, capacityFilter];

/** Scores a candidate for a queue method; lower is better. */
export function scoreCandidate(method: Queue['routing'], { agent, state }: CandidateInput, ctx: RoutingContext): number {
  switch (method) {
    case 'least_busy':
      return utilisation(agent, state);
    case 'most_available':
      return -spareCapacity(agent, state, ctx.case.channel);
    case 'round_robin':
      // Longest since last assignment first; never assigned sorts before everyone.
      return state.lastAssignedAt ? Date.parse(state.lastAssignedAt) : Number.NEGATIVE_INFINITY;
  }
}

export function decideAssignment(ctx: RoutingContext, filters: readonly CandidateFilter[] = DEFAULT_FILTERS): RoutingDecision {
  const method = ctx.queue.routing;
  const records: CandidateRecord[] = [];
  const passed: { input: CandidateInput; score: number; record: CandidateRecord }[] = [];

  for (const input of ctx.candidates) {
    const record: CandidateRecord = { agentId: input.agent.id };
    records.push(record);
    for (const filter of filters) {
      const reason = filter.reject(input, ctx);
      if (reason !== undefined) {
        record.removedBy = { filter: filter.name, reason };
        break;
      }
    }
    if (!record.removedBy) {
      record.score = scoreCandidate(method, input, ctx);
      passed.push({ input, score: record.score, record });
    }
  }

  // Deterministic tie-breaks: score, then longest since last assignment, then id.
  passed.sort(
    (a, b) =>
      a.score - b.score ||
      lastAssignedMs(a.input.state) - lastAssignedMs(b.input.state) ||
      a.input.agent.id.localeCompare(b.input.agent.id),
  );
  passed.forEach((p, i) => (p.record.rank = i + 1));

  const ranking = passed.map((p) => p.input.agent.id);
  const reasons =
    ranking.length > 0
      ? [`${method} in queue ${ctx.queue.id}: ${ranking[0]} ranks first of ${ranking.length} eligible`]
      : [`no member of queue ${ctx.queue.id} can take a ${ctx.case.channel} case now; the case waits in the queue`];
  return { queue: ctx.queue.id, method, ranking, candidates: records, reasons };
}

function lastAssignedMs(state: AgentState): number {
  return state.lastAssignedAt ? Date.parse(state.lastAssignedAt) : 0;
}
