import type { CandidateFilter, CandidateInput, RoutingContext } from './filters.js';
import { DEFAULT_FILTERS, firstRejection } from './filters.js';
import type { RankingMethod, RankingStrategy } from './scoring.js';
import { byQueueMethod, inNamedOrder, lastAssignedMs } from './scoring.js';

/** One ranking step: the candidates of one queue (or of a rule's named agents), filtered and ranked. */

export interface CandidateRecord {
  agentId: string;
  /** The filter that removed this candidate, and why. */
  removedBy?: { filter: string; reason: string };
  /** Lower is better; present on candidates that passed every filter. */
  score?: number;
  /** Position in the ranking, 1-based, for candidates that passed. */
  rank?: number;
  /** Why this candidate was moved to the front (customer history). */
  preferredBecause?: string;
}

export interface RoutingDecision {
  queue: string;
  method: RankingMethod;
  /** Candidates that passed every filter, best first. The caller claims in this order. */
  ranking: string[];
  candidates: CandidateRecord[];
  reasons: string[];
}

/** Ranks a queue's candidates by the queue's method (least busy, most available, round robin). */
export function decideAssignment(ctx: RoutingContext, filters: readonly CandidateFilter[] = DEFAULT_FILTERS): RoutingDecision {
  return rank(ctx, filters, byQueueMethod);
}

/** Ranks the agents a rule names in the rule's order: the first named who can take the case comes first. */
export function decideNamedAssignment(ctx: RoutingContext, filters: readonly CandidateFilter[] = DEFAULT_FILTERS): RoutingDecision {
  return rank(ctx, filters, inNamedOrder);
}

function rank(ctx: RoutingContext, filters: readonly CandidateFilter[], strategy: RankingStrategy): RoutingDecision {
  const records: CandidateRecord[] = [];
  const passed: { input: CandidateInput; score: number; lastMs: number; record: CandidateRecord }[] = [];

  // A plain loop: this runs for every member of the queue on every decision.
  const candidates = ctx.candidates;
  for (let index = 0; index < candidates.length; index++) {
    const input = candidates[index]!;
    const record: CandidateRecord = { agentId: input.agent.id };
    records.push(record);
    const removedBy = firstRejection(input, ctx, filters);
    if (removedBy) {
      record.removedBy = removedBy;
      continue;
    }
    record.score = strategy.score(input, index, ctx);
    passed.push({ input, score: record.score, lastMs: lastAssignedMs(input.state), record });
  }

  // Deterministic tie-breaks: score, then longest since last assignment, then id.
  passed.sort((a, b) => a.score - b.score || a.lastMs - b.lastMs || (a.input.agent.id < b.input.agent.id ? -1 : a.input.agent.id > b.input.agent.id ? 1 : 0));

  const reasons: string[] = [];
  for (const pref of [...(ctx.preferred ?? [])].reverse()) {
    const at = passed.findIndex((p) => p.input.agent.id === pref.agentId);
    if (at > 0) passed.unshift(...passed.splice(at, 1));
    if (at >= 0) passed[0]!.record.preferredBecause = pref.reason;
  }
  passed.forEach((p, i) => (p.record.rank = i + 1));

  const ranking = passed.map((p) => p.input.agent.id);
  const first = passed[0];
  if (first) {
    reasons.push(`${strategy.describe(ctx)}: ${first.input.agent.id} ranks first of ${ranking.length} eligible`);
    if (first.record.preferredBecause) reasons.push(`${first.input.agent.id} preferred: ${first.record.preferredBecause}`);
  } else {
    reasons.push(`no ${strategy.pool(ctx)} can take a ${ctx.case.channel} case now`);
  }
  return { queue: ctx.queue.id, method: strategy.method(ctx), ranking, candidates: records, reasons };
}
