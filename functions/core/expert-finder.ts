import type { AgentState } from './agent-state.js';
import { initialAgentState, spareCapacity } from './agent-state.js';
import type { CaseRecord, PodLeadNotice, Swarm } from './case.js';
import type { Agent, Pod, RoutingConfig, SkillRequirement } from './config.js';
import { podsOf } from './config.js';

/**
 * Swarming: when a case needs more than its owner knows, the expert finder proposes colleagues
 * who can help, and the swarm invites them to read the case and add notes while the owner stays
 * the owner. Pure: the use case loads the case, the configuration, the agents' live states and who
 * resolved similar cases lately; this decides, and says why for every agent it ranked or left out.
 * How it weighs pods and history: docs/slack.md#the-expert-finder.
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
  /** `own_pod`: shares a pod with the owner; `other_pod`: in a pod that holds a wanted skill or the product; `no_pod`: in none. */
  reach: 'own_pod' | 'other_pod' | 'no_pod';
  /** The pods they were reached through. */
  pods: string[];
  /** Similar cases (same product, type, ...) they resolved lately. */
  similarResolved: number;
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
  /** The skills matched on: the request's, else from the case's product and type and the rule that routed it. */
  skills: SkillRequirement[];
  /** Where the skills came from. */
  skillsFrom: 'request' | 'case';
  /** The owner's pods (the requester's when the case has no owner): preferred. */
  homePods: string[];
  /** The lead of each pod the experts came from, and which of its members they are: to be told. */
  podLeads: Omit<PodLeadNotice, 'toldVia'>[];
  reasons: string[];
}

/** One label "similar" is judged by: a field of the case and its value. */
export interface SimilarityLabel {
  field: string;
  value: string;
}

/** A resolved case as the history needs it (projected from the case item, never the whole case). */
export interface ResolvedCaseSummary {
  caseId: string;
  owner?: string;
  product?: string;
  type?: string;
}

/** Who resolved cases similar to this one, among the recently resolved ones read. */
export interface SimilarResolutions {
  labels: SimilarityLabel[];
  /** How many resolved cases were looked at. */
  scanned: number;
  /** Per agent: similar cases resolved, and per label (`product=billing`) how many matched it. */
  byAgent: Record<string, { total: number; byLabel: Record<string, number> }>;
}

export interface ExpertSearchInput {
  case: CaseRecord;
  config: RoutingConfig;
  states: ReadonlyMap<string, AgentState>;
  /** The skills the rule that routed the case required (from its assignment decision), if any. */
  ruleSkills?: readonly SkillRequirement[];
  /** The rule's id, for the reasons. */
  ruleId?: string;
  /** Skills the swarm request asks for (with minimum levels): when given, they replace what the case calls for. */
  requested?: readonly SkillRequirement[];
  /** Who asks (their pods count as home when the case has no owner). */
  requester?: string;
  /** Who resolved similar cases lately (similarResolutions). */
  history?: SimilarResolutions;
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
export function swarmSkills(c: CaseRecord, config: RoutingConfig, ruleSkills: readonly SkillRequirement[] = []): SkillRequirement[] {
  const known = new Map<string, string>();
  for (const a of config.agents) for (const s of Object.keys(a.skills)) if (!known.has(norm(s))) known.set(norm(s), s);
  const out = new Map<string, SkillRequirement>();
  for (const r of ruleSkills) out.set(norm(r.skill), { skill: r.skill, minLevel: r.minLevel, optional: r.optional });
  for (const field of [c.product, c.type]) {
    if (!field) continue;
    const skill = known.get(norm(field));
    if (skill && !out.has(norm(skill))) out.set(norm(skill), { skill, minLevel: 1, optional: false });
  }
  return [...out.values()];
}

/** The request's skills, named as the agents' skills name them when one matches without regard to case; duplicates merged (highest level). */
export function requestedSkills(config: RoutingConfig, requested: readonly SkillRequirement[]): SkillRequirement[] {
  const known = new Map<string, string>();
  for (const a of config.agents) for (const s of Object.keys(a.skills)) if (!known.has(norm(s))) known.set(norm(s), s);
  const out = new Map<string, SkillRequirement>();
  for (const r of requested) {
    const key = norm(r.skill);
    const prior = out.get(key);
    out.set(key, {
      skill: known.get(key) ?? r.skill.trim(),
      minLevel: Math.max(r.minLevel, prior?.minLevel ?? 1),
      optional: r.optional && (prior?.optional ?? true),
    });
  }
  return [...out.values()];
}

/**
 * What "a similar case" means: the same product or the same type. Automatic triage fills `type` and
 * `product` when it is confident (and an agent's correction replaces them), so its labels already
 * count through these two fields. A label of triage's own (say, a predicted intent kept on the case
 * after a `triaged` event) is added here and in summaryLabels, and nowhere else.
 */
export function similarityLabels(c: Pick<CaseRecord, 'product' | 'type'>): SimilarityLabel[] {
  return [...(c.product?.trim() ? [{ field: 'product', value: c.product.trim() }] : []), ...(c.type?.trim() ? [{ field: 'type', value: c.type.trim() }] : [])];
}

/** The labels of a resolved case, as similarityLabels reads them from a case. */
const summaryLabels = (s: ResolvedCaseSummary) => similarityLabels(s);

const labelKey = (l: SimilarityLabel) => `${l.field}=${norm(l.value)}`;

/**
 * Counts, per owner, the resolved cases that share at least one label with the case (a case that
 * shares two counts once). The case itself never counts.
 */
export function similarResolutions(c: Pick<CaseRecord, 'caseId' | 'product' | 'type'>, resolved: readonly ResolvedCaseSummary[]): SimilarResolutions {
  const labels = similarityLabels(c);
  const wanted = new Map(labels.map((l) => [labelKey(l), `${l.field}=${l.value}`]));
  const byAgent: SimilarResolutions['byAgent'] = {};
  for (const r of resolved) {
    if (r.caseId === c.caseId || !r.owner) continue;
    const hits = summaryLabels(r)
      .map(labelKey)
      .filter((k) => wanted.has(k));
    if (hits.length === 0) continue;
    const entry = (byAgent[r.owner] ??= { total: 0, byLabel: {} });
    entry.total++;
    for (const k of new Set(hits)) entry.byLabel[wanted.get(k)!] = (entry.byLabel[wanted.get(k)!] ?? 0) + 1;
  }
  return { labels, scanned: resolved.length, byAgent };
}

/** Points for similar cases resolved: 3 each, counted up to SIMILAR_CASES_COUNTED. */
export const SIMILAR_CASE_POINTS = 3;
export const SIMILAR_CASES_COUNTED = 4;

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
  const config = input.config;
  const limit = Math.max(1, Math.min(MAX_SWARM_SIZE, input.limit ?? DEFAULT_SWARM_SIZE));
  const fromRequest = (input.requested?.length ?? 0) > 0;
  const skills = fromRequest ? requestedSkills(config, input.requested!) : swarmSkills(c, config, input.ruleSkills);
  const reasons: string[] = [];
  const invited = new Set(input.alreadyInvited ?? []);
  const excluded: ExpertExclusion[] = [];
  const ranked: (ExpertCandidate & { preferred: boolean })[] = [];

  // Pods: the owner's (the requester's when nobody owns the case) are home; other pods are reached
  // only when they hold a wanted skill or the case's product. Without pods, everyone is reachable.
  const homeAgent = c.owner ?? input.requester;
  const homePods = homeAgent ? podsOf(config, homeAgent) : [];
  const homeIds = new Set(homePods.map((p) => p.id));
  const wanted = new Set(skills.map((s) => norm(s.skill)));
  const holds = (pod: Pod): boolean => {
    if (pod.skills.length === 0 && pod.products.length === 0) {
      const members = new Set([pod.lead, ...pod.members]);
      return config.agents.some((a) => members.has(a.id) && Object.keys(a.skills).some((k) => wanted.has(norm(k))));
    }
    return pod.skills.some((k) => wanted.has(norm(k))) || (c.product !== undefined && pod.products.some((p) => norm(p) === norm(c.product!)));
  };

  if (fromRequest) {
    reasons.push(`matching on ${skills.map((s) => `${s.skill}${s.minLevel > 1 ? `≥${s.minLevel}` : ''}`).join(', ')} (asked for in the swarm request)`);
  } else if (skills.length === 0) {
    reasons.push(
      `nothing to match experts on: product ${c.product ?? '(none)'} and type ${c.type ?? '(none)'} name no agent skill, and ${input.ruleId ? `rule ${input.ruleId} requires no skills` : 'no rule routed the case'}`,
    );
  } else {
    const from = [
      ...(input.ruleSkills?.length
        ? [`rule ${input.ruleId ?? '(unknown)'} requires ${input.ruleSkills.map((s) => `${s.skill}≥${s.minLevel}`).join(', ')}`]
        : []),
      ...(c.product ? [`product ${c.product}`] : []),
      ...(c.type ? [`type ${c.type}`] : []),
    ];
    reasons.push(`matching on ${skills.map((s) => `${s.skill}${s.minLevel > 1 ? `≥${s.minLevel}` : ''}`).join(', ')} (${from.join('; ')})`);
  }
  if (config.pods.length > 0) {
    reasons.push(
      homePods.length > 0
        ? `${homeAgent === c.owner ? 'the owner' : 'the requester'} ${homeAgent} is in pod ${homePods.map((p) => p.id).join(', ')}: its members who meet every requirement come first`
        : `${homeAgent ?? 'nobody'} is in no pod: experts come from the pods that hold the skills, and from no pod`,
    );
  }
  const history = input.history;
  if (history && history.labels.length > 0) {
    reasons.push(
      `looked at ${history.scanned} recently resolved case(s) for ${history.labels.map((l) => `${l.field} ${l.value}`).join(' or ')}: ${Object.keys(history.byAgent).length} agent(s) resolved similar ones`,
    );
  }

  for (const agent of config.agents) {
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
    const agentPods = podsOf(config, agent.id);
    const shared = agentPods.filter((p) => homeIds.has(p.id));
    const holding = agentPods.filter(holds);
    let reach: ExpertCandidate['reach'] = 'no_pod';
    let via: Pod[] = [];
    if (shared.length > 0) {
      reach = 'own_pod';
      via = shared;
    } else if (agentPods.length > 0) {
      if (holding.length === 0) {
        excluded.push({
          agentId: agent.id,
          reason: `in pod ${agentPods.map((p) => p.id).join(', ')}, which holds none of ${skills.map((s) => s.skill).join(', ')}${c.product ? ` nor product ${c.product}` : ''}`,
        });
        continue;
      }
      reach = 'other_pod';
      via = holding;
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
    const similar = history?.byAgent[agent.id];
    if (similar && similar.total > 0) {
      const points = Math.min(similar.total, SIMILAR_CASES_COUNTED) * SIMILAR_CASE_POINTS;
      score += points;
      const detail = Object.entries(similar.byLabel)
        .map(([label, n]) => `${label.replace('=', ' ')} ×${n}`)
        .join(', ');
      why.push(`resolved ${similar.total} similar case(s) lately (${detail}): +${points}`);
    }
    const preferred = reach === 'own_pod' && meetsAll;
    if (reach === 'own_pod') why.push(`in pod ${via.map((p) => p.id).join(', ')} with ${homeAgent}${preferred ? ': first' : ''}`);
    if (reach === 'other_pod') why.push(`in pod ${via.map((p) => p.id).join(', ')}, which holds what the case needs`);
    ranked.push({
      agentId: agent.id,
      name: agent.name,
      score: Math.round(score * 10) / 10,
      reasons: why,
      presence: state.presence,
      spareCapacity: spare,
      skills: levels,
      reach,
      pods: via.map((p) => p.id),
      similarResolved: similar?.total ?? 0,
      preferred,
    });
  }

  // Members of the owner's pod who meet every requirement first; then everyone else by score.
  ranked.sort(
    (a, b) =>
      Number(b.preferred) - Number(a.preferred) ||
      b.score - a.score ||
      b.spareCapacity - a.spareCapacity ||
      (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0),
  );
  const candidates: ExpertCandidate[] = ranked.map(({ preferred: _preferred, ...candidate }) => candidate);
  const experts = candidates.slice(0, limit);
  if (skills.length > 0) {
    reasons.push(
      experts.length > 0
        ? `${experts.length} expert(s) of ${candidates.length} qualified: ${experts.map((e) => `${e.agentId} (${e.score})`).join(', ')}`
        : 'no agent who is reachable, has spare capacity and any of these skills',
    );
  }
  const podLeads = leadsToTell(config, experts, [c.owner, input.requester]);
  for (const lead of podLeads) reasons.push(`pod ${lead.podId}'s lead ${lead.leadId} is told about ${lead.experts.join(', ')}`);
  return {
    experts,
    runnersUp: candidates.slice(limit),
    excluded,
    skills,
    skillsFrom: fromRequest ? 'request' : 'case',
    homePods: homePods.map((p) => p.id),
    podLeads,
    reasons,
  };
}

/**
 * The lead of every pod experts were taken from hears which of its members went: a lead who asked
 * for the swarm, owns the case or is invited into it knows already.
 */
export function leadsToTell(
  config: RoutingConfig,
  experts: readonly Pick<ExpertCandidate, 'agentId' | 'pods'>[],
  knowing: readonly (string | undefined)[],
): Omit<PodLeadNotice, 'toldVia'>[] {
  const out = new Map<string, Omit<PodLeadNotice, 'toldVia'>>();
  const invited = new Set(experts.map((e) => e.agentId));
  for (const e of experts) {
    for (const podId of e.pods) {
      const pod = config.pods.find((p) => p.id === podId);
      if (!pod || invited.has(pod.lead) || knowing.includes(pod.lead)) continue;
      const entry = out.get(pod.id) ?? { podId: pod.id, podName: pod.name, leadId: pod.lead, experts: [] };
      if (!entry.experts.includes(e.agentId)) entry.experts.push(e.agentId);
      out.set(pod.id, entry);
    }
  }
  return [...out.values()];
}

/** The swarm as the case closes: closed, with when and why; its experts lose access to the case. */
export function closedSwarm(swarm: Swarm, at: string, reason: string): Swarm {
  return { ...swarm, status: 'closed', closedAt: at, closedReason: reason };
}
