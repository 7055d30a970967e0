import type { AgentState } from './agent-state.js';
import { initialAgentState, isAvailable, spareCapacity, utilisation } from './agent-state.js';
import { isOpenAt } from './business-hours.js';
import type { CaseRecord } from './case.js';
import type { ConditionSubject, Predicate } from './conditions.js';
import { compileConditionNode, fieldReader } from './conditions.js';
import type { Agent, BusinessHours, Queue, Rule, RoutingConfig, SkillRequirement } from './config.js';
import { priorityRank } from './config.js';
import { durationMs } from './duration.js';
import { decideTerritory } from './territory.js';

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
 */

export interface CandidateInput {
  agent: Agent;
  state: AgentState;
}

/** What a case needs from whoever takes it, after any relaxation for time waited. */
export interface Requirements {
  skills: SkillRequirement[];
  /** Whether the case's language must be one the agent speaks. */
  language: boolean;
}

export interface RoutingContext {
  case: CaseRecord;
  queue: Queue;
  candidates: CandidateInput[];
  now: Date;
  requirements?: Requirements;
  calendars?: ReadonlyMap<string, BusinessHours>;
  /** Agents to rank first when they qualify (customer history), best first, with why. */
  preferred?: { agentId: string; reason: string }[];
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
  /** Why this candidate was moved to the front (customer history). */
  preferredBecause?: string;
}

export interface RoutingDecision {
  queue: string;
  method: Queue['routing'] | 'preference';
  /** Candidates that passed every filter, best first. The caller claims in this order. */
  ranking: string[];
  candidates: CandidateRecord[];
  reasons: string[];
}

export const excludedFilter: CandidateFilter = {
  name: 'declined',
  reject: ({ agent }, ctx) => (ctx.case.routing.excludedAgents.includes(agent.id) ? 'declined or let an earlier offer lapse' : undefined),
};

export const presenceFilter: CandidateFilter = {
  name: 'presence',
  reject: ({ state }) => (isAvailable(state) ? undefined : `presence is ${state.presence}`),
};

export const businessHoursFilter: CandidateFilter = {
  name: 'business_hours',
  reject: ({ agent }, ctx) => {
    if (!agent.businessHours || !ctx.calendars) return undefined;
    const calendar = ctx.calendars.get(agent.businessHours);
    if (!calendar) return undefined;
    return isOpenAt(calendar, ctx.now) ? undefined : `outside working hours (${calendar.id})`;
  },
};

export const capacityFilter: CandidateFilter = {
  name: 'capacity',
  reject: ({ agent, state }, ctx) => {
    const channel = ctx.case.channel;
    const spare = spareCapacity(agent, state, channel);
    return spare > 0 ? undefined : `no spare ${channel} capacity (${state.load[channel] ?? 0}/${agent.capacity[channel]})`;
  },
};

export const skillsFilter: CandidateFilter = {
  name: 'skills',
  reject: ({ agent }, ctx) => {
    for (const req of ctx.requirements?.skills ?? []) {
      const level = agent.skills[req.skill] ?? 0;
      if (level < req.minLevel) return `needs ${req.skill} ≥ ${req.minLevel}, has ${level}`;
    }
    return undefined;
  },
};

const baseLanguage = (tag: string) => tag.toLowerCase().split('-')[0]!;
const agentLanguageCache = new WeakMap<Agent, ReadonlySet<string>>();

/** An agent's languages reduced to their base (`de-AT` ▶ `de`), computed once per agent object. */
function agentLanguages(agent: Agent): ReadonlySet<string> {
  let set = agentLanguageCache.get(agent);
  if (!set) {
    set = new Set(agent.languages.map(baseLanguage));
    agentLanguageCache.set(agent, set);
  }
  return set;
}

/**
 * ISO 639 codes that name no language to match an agent on: undetermined, multiple languages, no
 * linguistic content, not coded.
 */
const NO_LANGUAGE = new Set(['und', 'mul', 'zxx', 'mis']);

/**
 * The language an agent must speak for this case, or undefined when there is none to require: the
 * language is unknown (not given, and too little text to detect it reliably) or one of the codes
 * that name no language. An unknown language never narrows the agents: a case the detector could
 * not read goes to whoever is free, rather than waiting for a guess.
 */
export function requiredLanguage(language: string | undefined): string | undefined {
  if (!language) return undefined;
  const base = baseLanguage(language.trim());
  return base && !NO_LANGUAGE.has(base) ? base : undefined;
}

export const languageFilter: CandidateFilter = {
  name: 'language',
  reject: ({ agent }, ctx) => {
    if (!ctx.requirements?.language || agent.languages.length === 0) return undefined;
    const language = requiredLanguage(ctx.case.language);
    if (!language) return undefined;
    return agentLanguages(agent).has(language) ? undefined : `does not speak ${ctx.case.language}`;
  },
};

export const territoryFilter: CandidateFilter = {
  name: 'territory',
  reject: ({ agent }, ctx) => {
    const territory = ctx.case.territory;
    if (!territory || !agent.territories || agent.territories.length === 0) return undefined;
    return agent.territories.includes(territory) ? undefined : `does not cover territory ${territory}`;
  },
};

export const DEFAULT_FILTERS: readonly CandidateFilter[] = [
  excludedFilter,
  presenceFilter,
  businessHoursFilter,
  capacityFilter,
  skillsFilter,
  languageFilter,
  territoryFilter,
];

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

function firstRejection(input: CandidateInput, ctx: RoutingContext, filters: readonly CandidateFilter[]) {
  for (const filter of filters) {
    const reason = filter.reject(input, ctx);
    if (reason !== undefined) return { filter: filter.name, reason };
  }
  return undefined;
}

/**
 * Ranks one queue's candidates. With `ordered`, the candidates' own order is the preference
 * (a rule naming agents); otherwise the queue's method scores them.
 */
export function decideAssignment(ctx: RoutingContext, filters: readonly CandidateFilter[] = DEFAULT_FILTERS, ordered = false): RoutingDecision {
  const method = ctx.queue.routing;
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
    record.score = ordered ? index : scoreCandidate(method, input, ctx);
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
  const how = ordered ? "agents in the rule's order of preference" : `${method} in queue ${ctx.queue.id}`;
  const first = passed[0];
  if (first) {
    reasons.push(`${how}: ${first.input.agent.id} ranks first of ${ranking.length} eligible`);
    if (first.record.preferredBecause) reasons.push(`${first.input.agent.id} preferred: ${first.record.preferredBecause}`);
  } else {
    reasons.push(`no ${ordered ? 'named agent' : `member of queue ${ctx.queue.id}`} can take a ${ctx.case.channel} case now`);
  }
  return { queue: ctx.queue.id, method: ordered ? 'preference' : method, ranking, candidates: records, reasons };
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
function lastAssignedMs(state: AgentState): number {
  if (!state.lastAssignedAt) return NEVER_ASSIGNED_MS;
  let ms = parsedAssignedAt.get(state);
  if (ms === undefined) {
    ms = Date.parse(state.lastAssignedAt);
    if (!Number.isFinite(ms)) ms = NEVER_ASSIGNED_MS;
    parsedAssignedAt.set(state, ms);
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// The engine over a whole configuration
// ---------------------------------------------------------------------------------------------

export interface CompiledRule {
  rule: Rule;
  matches: Predicate;
}

/**
 * A discrimination index over the rules: each rule with an `eq`/`in` condition on a plain field
 * (at its top level or in its top-level `all`) is filed under that field's values, so a case only
 * evaluates the rules that could match it, still in configuration order. The index only prunes:
 * every rule it returns is evaluated in full.
 */
interface RuleIndex {
  byField: { read: (c: CaseRecord) => unknown; values: Map<string, number[]> }[];
  always: number[];
}

function discriminator(rule: Rule): { field: string; values: unknown[] } | undefined {
  const node = rule.when;
  const conditions = 'all' in node ? node.all : 'field' in node ? [node] : [];
  for (const c of conditions) {
    if (!('field' in c) || c.field === 'now' || c.timezone) continue;
    if (c.op === 'eq' && (typeof c.value === 'string' || typeof c.value === 'number')) return { field: c.field, values: [c.value] };
    if (c.op === 'in' && Array.isArray(c.value) && c.value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return { field: c.field, values: c.value };
    }
  }
  return undefined;
}

function buildRuleIndex(rules: readonly Rule[]): RuleIndex {
  const fields = new Map<string, Map<string, number[]>>();
  const always: number[] = [];
  rules.forEach((rule, i) => {
    const d = discriminator(rule);
    if (!d) return void always.push(i);
    let values = fields.get(d.field);
    if (!values) fields.set(d.field, (values = new Map()));
    for (const v of new Set(d.values.map((x) => String(x).toLowerCase()))) {
      const list = values.get(v);
      if (list) list.push(i);
      else values.set(v, [i]);
    }
  });
  return {
    always,
    byField: [...fields].map(([field, values]) => {
      const read = fieldReader(field);
      return { read: (c: CaseRecord) => read({ case: c, now: new Date(0) }), values };
    }),
  };
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
    const step = decideAssignment({ ...base, queue, candidates: candidatesOf(named) }, DEFAULT_FILTERS, true);
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
