import type { AgentState } from '../agent-state.js';
import { isAvailable, spareCapacity } from '../agent-state.js';
import { isOpenAt } from '../business-hours.js';
import type { CaseRecord } from '../case.js';
import type { Agent, BusinessHours, Queue, SkillRequirement } from '../config.js';

/**
 * Who may take this case now: the candidates of one ranking step and the named filters they pass.
 * A filter that removes a candidate says why, and the reason is kept in the decision record
 * (docs/architecture.md#decision-records).
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

/** The first filter that removes the candidate, with its reason; undefined when every filter keeps it. */
export function firstRejection(input: CandidateInput, ctx: RoutingContext, filters: readonly CandidateFilter[]) {
  for (const filter of filters) {
    const reason = filter.reject(input, ctx);
    if (reason !== undefined) return { filter: filter.name, reason };
  }
  return undefined;
}
