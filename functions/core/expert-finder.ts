import type { AgentState } from './agent-state.js';
import { initialAgentState, spareCapacity } from './agent-state.js';
import type { CaseRecord, Swarm } from './case.js';
import type { Agent, RoutingConfig, SkillRequirement } from './config.js';

/**
 * Swarming: when a case needs more than its owner knows, the expert finder proposes colleagues
 * who can help, and the swarm invites them to read the case and add notes while the owner stays
 * the owner. Pure: the use case loads the case, the configuration and the agents' live states;
 * this decides, and says why for every agent it ranked or left out.
 */

export interface ExpertCandidate {
  agentId: string;
  name: string;
  score: number;
  /** Each part of the score, readable. */
  reasons: string[];
  presence: AgentState['presence'];
  spareCapacity: number;
  /** The agent's level in each skill matched on (absent = none). */
  skills: Record<string, number>;
}

export interface ExpertExclusion {
  agentId: string;
  reason: string;
}

export interface ExpertSearch {
  /** Best first, at most `limit`. */
  experts: ExpertCandidate[];
  /** Qualified but beyond `limit`, best first (for the record). */
  runnersUp: ExpertCandidate[];
  /** Every configured agent not ranked, with the filter that removed them. */
  excluded: ExpertExclusion[];
  /** The skills matched on, from the case's product and type and the rule that routed it. */
  skills: SkillRequirement[];
  reasons: string[];
}

export interface ExpertSearchInput {
  case: CaseRecord;
  config: RoutingConfig;
  states: ReadonlyMap<string, AgentState>;
  /** The skills the rule that routed the case required (from its assignment decision), if any. */
  ruleSkills?: readonly SkillRequirement[];
  /** The rule's id, for the reasons. */
  ruleId?: string;
  /** The skills the owner asks for when starting the swarm, on top of those the case calls for (they win on the same skill). */
  askedSkills?: readonly SkillRequirement[];
  /** Agents already in the swarm: not proposed again. */
  alreadyInvited?: readonly string[];
  /** Default 3. */
  limit?: number;
  now: Date;
}

export const DEFAULT_SWARM_SIZE = 3;
export const MAX_SWARM_SIZE = 10;

const norm = (s: string) => s.trim().toLowerCase();

/**
 * The skills a case calls for: its product and its type when an agent skill bears that name, and
 * the required skills of the rule that routed it (with their minimum levels). Skill names compare
 * without regard to case.
 */
export function swarmSkills(
  c: CaseRecord,
  config: RoutingConfig,
  ruleSkills: readonly SkillRequirement[] = [],
  askedSkills: readonly SkillRequirement[] = [],
): SkillRequirement[] {
  const known = new Map<string, string>();
  for (const a of config.agents) for (const s of Object.keys(a.skills)) if (!known.has(norm(s))) known.set(norm(s), s);
  const out = new Map<string, SkillRequirement>();
  for (const r of askedSkills) out.set(norm(r.skill), { skill: known.get(norm(r.skill)) ?? r.skill, minLevel: r.minLevel, optional: r.optional });
  for (const r of ruleSkills) if (!out.has(norm(r.skill))) out.set(norm(r.skill), { skill: r.skill, minLevel: r.minLevel, optional: r.optional });
  for (const field of [c.product, c.type]) {
    if (!field) continue;
    const skill = known.get(norm(field));
    if (skill && !out.has(norm(skill))) out.set(norm(skill), { skill, minLevel: 1, optional: false });
  }
  return [...out.values()];
}

function levelOf(agent: Agent, skill: string): number {
  const wanted = norm(skill);
  for (const [name, level] of Object.entries(agent.skills)) if (norm(name) === wanted) return level;
  return 0;
}

/**
 * Ranks the agents who could help on a case. Filters, in order, each with its reason:
 * the owner (never an expert on their own case), agents already invited, agents who are offline,
 * agents with no spare capacity on the case's channel (they have no time to help), and agents with
 * none of the skills the case calls for. The score: 10 per level in each matched skill (5 per level
 * below a required minimum), 5 for meeting every requirement, 4 for being online (away: 0), up to 5
 * for spare capacity, 3 for speaking the case's language, and the agent's tier. Ties go to more
 * spare capacity, then the agent id, so the same input always gives the same ranking.
 */
export function findExperts(input: ExpertSearchInput): ExpertSearch {
  const c = input.case;
  const limit = Math.max(1, Math.min(MAX_SWARM_SIZE, input.limit ?? DEFAULT_SWARM_SIZE));
  const skills = swarmSkills(c, input.config, input.ruleSkills, input.askedSkills);
  const reasons: string[] = [];
  const invited = new Set(input.alreadyInvited ?? []);
  const excluded: ExpertExclusion[] = [];
  const ranked: ExpertCandidate[] = [];

  if (skills.length === 0) {
    reasons.push(
      `nothing to match experts on: product ${c.product ?? '(none)'} and type ${c.type ?? '(none)'} name no agent skill, and ${input.ruleId ? `rule ${input.ruleId} requires no skills` : 'no rule routed the case'}`,
    );
  } else {
    const from = [
      ...(input.askedSkills?.length ? [`asked for ${input.askedSkills.map((s) => `${s.skill}≥${s.minLevel}`).join(', ')}`] : []),
      ...(input.ruleSkills?.length
        ? [`rule ${input.ruleId ?? '(unknown)'} requires ${input.ruleSkills.map((s) => `${s.skill}≥${s.minLevel}`).join(', ')}`]
        : []),
      ...(c.product ? [`product ${c.product}`] : []),
      ...(c.type ? [`type ${c.type}`] : []),
    ];
    reasons.push(`matching on ${skills.map((s) => `${s.skill}${s.minLevel > 1 ? `≥${s.minLevel}` : ''}`).join(', ')} (${from.join('; ')})`);
  }

  for (const agent of input.config.agents) {
    if (agent.id === c.owner) {
      excluded.push({ agentId: agent.id, reason: 'owns the case' });
      continue;
    }
    if (invited.has(agent.id)) {
      excluded.push({ agentId: agent.id, reason: 'already in the swarm' });
      continue;
    }
    const state = input.states.get(agent.id) ?? initialAgentState(agent.id, input.now.toISOString());
    if (state.presence === 'offline') {
      excluded.push({ agentId: agent.id, reason: 'offline' });
      continue;
    }
    const spare = spareCapacity(agent, state, c.channel);
    if (spare <= 0) {
      excluded.push({ agentId: agent.id, reason: `no spare ${c.channel} capacity (${state.load[c.channel] ?? 0}/${agent.capacity[c.channel]})` });
      continue;
    }
    const levels: Record<string, number> = {};
    for (const s of skills) {
      const level = levelOf(agent, s.skill);
      if (level > 0) levels[s.skill] = level;
    }
    if (Object.keys(levels).length === 0) {
      excluded.push({ agentId: agent.id, reason: skills.length === 0 ? 'no skill to match' : `none of ${skills.map((s) => s.skill).join(', ')}` });
      continue;
    }

    const why: string[] = [];
    let score = 0;
    let meetsAll = true;
    for (const s of skills) {
      const level = levels[s.skill] ?? 0;
      if (level === 0) {
        if (!s.optional) meetsAll = false;
        continue;
      }
      const enough = level >= s.minLevel;
      if (!enough && !s.optional) meetsAll = false;
      const points = level * (enough ? 10 : 5);
      score += points;
      why.push(`${s.skill} level ${level}${enough ? '' : ` (below the required ${s.minLevel})`}: +${points}`);
    }
    if (meetsAll) {
      score += 5;
      why.push('meets every skill requirement: +5');
    }
    if (state.presence === 'online') {
      score += 4;
      why.push('online: +4');
    } else {
      why.push(`${state.presence}: +0`);
    }
    const capacity = agent.capacity[c.channel];
    const sparePoints = capacity > 0 ? Math.round((spare / capacity) * 5 * 10) / 10 : 0;
    score += sparePoints;
    why.push(`${spare} of ${capacity} ${c.channel} slots free: +${sparePoints}`);
    if (c.language && agent.languages.some((l) => norm(l) === norm(c.language!) || norm(l).split('-')[0] === norm(c.language!).split('-')[0])) {
      score += 3;
      why.push(`speaks ${c.language}: +3`);
    }
    score += agent.tier;
    why.push(`tier ${agent.tier}: +${agent.tier}`);
    ranked.push({
      agentId: agent.id,
      name: agent.name,
      score: Math.round(score * 10) / 10,
      reasons: why,
      presence: state.presence,
      spareCapacity: spare,
      skills: levels,
    });
  }

  ranked.sort((a, b) => b.score - a.score || b.spareCapacity - a.spareCapacity || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  const experts = ranked.slice(0, limit);
  if (skills.length > 0) {
    reasons.push(
      experts.length > 0
        ? `${experts.length} expert(s) of ${ranked.length} qualified: ${experts.map((e) => `${e.agentId} (${e.score})`).join(', ')}`
        : 'no agent who is reachable, has spare capacity and any of these skills',
    );
  }
  return { experts, runnersUp: ranked.slice(limit), excluded, skills, reasons };
}

/** The swarm as the case closes: closed, with when and why; its experts lose access to the case. */
export function closedSwarm(swarm: Swarm, at: string, reason: string): Swarm {
  return { ...swarm, status: 'closed', closedAt: at, closedReason: reason };
}
