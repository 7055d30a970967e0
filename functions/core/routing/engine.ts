import type { AgentState } from '../agent-state.js';
import { initialAgentState } from '../agent-state.js';
import type { CaseRecord } from '../case.js';
import type { ConditionSubject, Predicate } from '../conditions.js';
import { compileConditionNode } from '../conditions.js';
import type { Agent, BusinessHours, Queue, Rule, RoutingConfig, SkillRequirement } from '../config.js';
import { priorityRank } from '../config.js';
import { durationMs } from '../duration.js';
import { decideTerritory } from '../territory.js';
import type { RoutingDecision } from './assignment.js';
import { decideAssignment, decideNamedAssignment } from './assignment.js';
import type { CandidateInput, Requirements } from './filters.js';
import type { RuleIndex } from './rule-index.js';
import { buildRuleIndex } from './rule-index.js';

/**
 * Who gets this case? Pure decisions: the caller loads the configuration, the agents' live states
 * and the customer's history; these functions pick and explain; the caller claims the winner
 * atomically, trying the ranking in order, and moves on when it loses a race.
 *
 * The engine: ordered rules (first match wins) may route to agents or a queue, require skills and
 * set priority ▶ candidates pass filters (declined, presence, business hours, capacity, skills,
 * language, territory) ▶ the queue's method ranks them ▶ customer history moves a qualified
 * previous resolver to the front ▶ nobody can take it: the overflow queue is tried, else the case
 * waits in its queue. Every step leaves a record of why.
 *
 * This module is the decision over a whole configuration. Its parts, each readable on its own:
 * `filters.ts` (who may take the case now), `scoring.ts` (how those who may are ordered),
 * `assignment.ts` (one ranking step: filter, then rank), `rule-index.ts` (which rules a case can
 * match). docs/architecture.md#routing
 */

export interface CompiledRule {
  rule: Rule;
  matches: Predicate;
}

/** A configuration prepared for fast repeated decisions; build once per configuration version. */
export interface CompiledRouting {
  config: RoutingConfig;
  agents: ReadonlyMap<string, Agent>;
  queues: ReadonlyMap<string, Queue>;
  calendars: ReadonlyMap<string, BusinessHours>;
  rules: CompiledRule[];
  ruleIndex: RuleIndex;
  relaxAfterMs: number;
}

const compiledCache = new WeakMap<RoutingConfig, CompiledRouting>();

export function compileRouting(config: RoutingConfig): CompiledRouting {
  const cached = compiledCache.get(config);
  if (cached) return cached;
  const compiled: CompiledRouting = {
    config,
    agents: new Map(config.agents.map((a) => [a.id, a])),
    queues: new Map(config.queues.map((q) => [q.id, q])),
    calendars: new Map(config.businessHours.map((b) => [b.id, b])),
    rules: config.rules.map((rule) => ({ rule, matches: compileConditionNode(rule.when) })),
    ruleIndex: buildRuleIndex(config.rules),
    relaxAfterMs: durationMs(config.sweeps.relaxSkillsAfter),
  };
  compiledCache.set(config, compiled);
  return compiled;
}

/** First rule whose conditions hold, or undefined. */
export function matchRule(compiled: CompiledRouting, c: CaseRecord, now: Date): CompiledRule | undefined {
  const subject: ConditionSubject = { case: c, now };
  const { byField, always } = compiled.ruleIndex;
  let candidates = always;
  for (const f of byField) {
    const value = f.read(c);
    if (value === undefined || value === null) continue;
    const hits = f.values.get(String(value).toLowerCase());
    if (hits) candidates = candidates === always ? [...always, ...hits] : candidates.concat(hits);
  }
  if (candidates !== always) candidates.sort((a, b) => a - b);
  for (const i of candidates) {
    const r = compiled.rules[i]!;
    if (r.matches(subject)) return r;
  }
  return undefined;
}

/**
 * Relaxation stages by time waited in the queue: 0 as required; 1 optional skills dropped; 2 skill
 * levels dropped (any level of each remaining skill will do); 3 the language requirement dropped.
 */
export function relaxRequirements(required: SkillRequirement[], waitedMs: number, relaxAfterMs: number): { requirements: Requirements; stage: number } {
  // Written so that a NaN on either side gives stage 0 rather than a NaN stage.
  const stage = relaxAfterMs > 0 && waitedMs > 0 ? Math.min(3, Math.floor(waitedMs / relaxAfterMs)) : 0;
  let skills = required;
  if (stage >= 1) skills = skills.filter((s) => !s.optional);
  if (stage >= 2) skills = skills.map((s) => ({ ...s, minLevel: 1 }));
  return { requirements: { skills, language: stage < 3 }, stage };
}

export interface CustomerHistory {
  /** Owner of the contact's most recently resolved case. */
  contactResolver?: string;
  /** Owner of the account's most recently resolved case. */
  accountResolver?: string;
}

export interface EngineInput {
  case: CaseRecord;
  compiled: CompiledRouting;
  /** Live state per agent id; an agent without one is offline. */
  states: ReadonlyMap<string, AgentState>;
  history?: CustomerHistory;
  now: Date;
}

export interface EngineDecision {
  /** The rule that matched, if any. */
  rule?: { id: string; description?: string };
  /** A priority the matched rule sets, with its rank. */
  setPriority?: { priority: string; rank: number };
  requirements: Requirements;
  relaxationStage: number;
  /** Where the case belongs (and waits when nobody can take it now). */
  queue: string;
  /** The ranking to claim in, best first; may span the rule's agents, the queue and its overflow. */
  ranking: { agentId: string; queue: string }[];
  /** Each ranking step considered, in order. */
  steps: RoutingDecision[];
  reasons: string[];
}

/** Every agent a decision for this case may consider: the matched rule's, its queue's and the overflow's. */
export function agentsInvolved(compiled: CompiledRouting, c: CaseRecord, now: Date): string[] {
  const route = pinnedRoute(compiled, c) ?? matchRule(compiled, c, now)?.rule.then.route;
  const ids = new Set<string>();
  if (route && 'agent' in route) ids.add(route.agent);
  if (route && 'agents' in route) route.agents.forEach((a) => ids.add(a));
  const queue = compiled.queues.get(route && 'queue' in route ? route.queue : homeQueue(compiled, c));
  queue?.members.forEach((m) => ids.add(m));
  const overflow = queue?.overflowQueue ? compiled.queues.get(queue.overflowQueue) : undefined;
  overflow?.members.forEach((m) => ids.add(m));
  return [...ids];
}

/** A case an SLA escalation moved to a queue stays there, whatever the rules say (routing.pinnedQueue). */
function pinnedRoute(compiled: CompiledRouting, c: CaseRecord): { queue: string } | undefined {
  const pinned = c.routing.pinnedQueue;
  return pinned && compiled.queues.has(pinned) ? { queue: pinned } : undefined;
}

function offlineState(agentId: string, now: Date): AgentState {
  return initialAgentState(agentId, now.toISOString());
}

/**
 * The queue a case belongs to: its own while that queue exists; after a configuration change
 * removed it, its territory's queue (matched afresh if the territory went too); else review.
 */
export function homeQueue(compiled: CompiledRouting, c: CaseRecord): string {
  if (c.queue && compiled.queues.has(c.queue)) return c.queue;
  const queue = compiled.config.territories.find((t) => t.id === c.territory)?.queue ?? decideTerritory(compiled.config.territories, c).winner?.queue;
  return queue && compiled.queues.has(queue) ? queue : compiled.config.reviewQueue;
}

export function decideRouting(input: EngineInput): EngineDecision {
  const { compiled, now } = input;
  const reasons: string[] = [];
  let c = input.case;

  const matched = matchRule(compiled, c, now);
  const then = matched?.rule.then;
  let setPriority: EngineDecision['setPriority'];
  if (matched) reasons.push(`rule ${matched.rule.id} matched${matched.rule.description ? ` (${matched.rule.description})` : ''}`);
  else reasons.push('no rule matched');
  if (then?.setPriority && then.setPriority !== c.priority) {
    setPriority = { priority: then.setPriority, rank: priorityRank(compiled.config, then.setPriority) };
    c = { ...c, priority: setPriority.priority, priorityRank: setPriority.rank };
    reasons.push(`priority set to ${then.setPriority} by rule ${matched!.rule.id}`);
  }

  // A queuedAt that does not parse counts as no wait: NaN would make the stage NaN, which neither
  // relaxes anything nor can be stored with the decision.
  const queuedMs = c.routing.queuedAt ? Date.parse(c.routing.queuedAt) : Number.NaN;
  const waitedMs = Number.isFinite(queuedMs) ? Math.max(0, now.getTime() - queuedMs) : 0;
  const { requirements, stage } = relaxRequirements(then?.requireSkills ?? [], waitedMs, compiled.relaxAfterMs);
  if (stage > 0) reasons.push(`requirements relaxed to stage ${stage} after waiting ${Math.round(waitedMs / 60000)} min`);

  const pinned = pinnedRoute(compiled, c);
  if (pinned) reasons.push(`pinned to queue ${pinned.queue} by an SLA escalation`);
  const route = pinned ?? then?.route;
  const queueId = route && 'queue' in route ? route.queue : homeQueue(compiled, c);
  const queue = compiled.queues.get(queueId) ?? compiled.queues.get(compiled.config.reviewQueue)!;

  const preferred: { agentId: string; reason: string }[] = [];
  if (input.history?.contactResolver) preferred.push({ agentId: input.history.contactResolver, reason: "resolved this contact's last case" });
  if (input.history?.accountResolver && input.history.accountResolver !== input.history.contactResolver) {
    preferred.push({ agentId: input.history.accountResolver, reason: "resolved this account's last case" });
  }

  const candidatesOf = (ids: readonly string[]): CandidateInput[] => {
    const out: CandidateInput[] = [];
    for (const id of ids) {
      const agent = compiled.agents.get(id);
      if (agent) out.push({ agent, state: input.states.get(id) ?? offlineState(id, now) });
    }
    return out;
  };

  const steps: RoutingDecision[] = [];
  const ranking: EngineDecision['ranking'] = [];
  const base = { case: c, now, requirements, calendars: compiled.calendars };

  if (route && ('agent' in route || 'agents' in route)) {
    const named = 'agent' in route ? [route.agent] : route.agents;
    const step = decideNamedAssignment({ ...base, queue, candidates: candidatesOf(named) });
    steps.push(step);
    ranking.push(...step.ranking.map((agentId) => ({ agentId, queue: queue.id })));
    if (step.ranking.length === 0) reasons.push(`no named agent can take it now; falling back to queue ${queue.id}`);
  }
  if (ranking.length === 0) {
    const step = decideAssignment({ ...base, queue, candidates: candidatesOf(queue.members), preferred });
    steps.push(step);
    ranking.push(...step.ranking.map((agentId) => ({ agentId, queue: queue.id })));
  }
  if (ranking.length === 0 && queue.overflowQueue) {
    const overflow = compiled.queues.get(queue.overflowQueue);
    if (overflow) {
      const step = decideAssignment({ ...base, queue: overflow, candidates: candidatesOf(overflow.members), preferred });
      steps.push(step);
      ranking.push(...step.ranking.map((agentId) => ({ agentId, queue: overflow.id })));
      if (step.ranking.length > 0) reasons.push(`nobody in ${queue.id} can take it now; overflow to ${overflow.id}`);
    }
  }
  for (const step of steps) reasons.push(...step.reasons);
  if (ranking.length === 0) reasons.push(`the case waits in queue ${queue.id} until someone can take it`);

  return {
    ...(matched ? { rule: { id: matched.rule.id, ...(matched.rule.description ? { description: matched.rule.description } : {}) } } : {}),
    ...(setPriority ? { setPriority } : {}),
    requirements,
    relaxationStage: stage,
    queue: queue.id,
    ranking,
    steps,
    reasons,
  };
}
