import type { Principal } from '../authz.js';
import { actorOf, assertCanWorkCase } from '../authz.js';
import type { CaseRecord } from '../case.js';
import type { RoutingConfig, SkillRequirement } from '../config.js';
import { findAgent } from '../config.js';
import { ConflictError } from '../errors.js';
import type { Swarm, SwarmMember } from '../case.js';
import type { ExpertSearch } from '../expert-finder.js';
import { findExperts } from '../expert-finder.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import type { AgentStateRepository, CaseRepository, Clock, EmailStore, IdGenerator, StoredDecision, SwarmNotifier } from '../ports.js';
import type { EngineDecision } from '../routing.js';
import { assertVersion } from '../versions.js';
import { assertOpen, loadCaseWithHistory } from './load-case.js';
import { loadConfig, type ConfigSource } from './load-config.js';

/**
 * Swarming (POST /cases/{id}/swarm): the expert finder (pure, functions/core/expert-finder.ts)
 * ranks who could help; the best are invited into the case's swarm, which lets them read the case
 * and add notes while the owner stays the owner; the team's chat hears about it. A second call while
 * the swarm is open invites more experts. The swarm closes when the case closes (work-case.ts).
 */

export interface SwarmDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  /** Events on the case after the swarm is written (how the notification went), without moving its version. */
  events: Pick<EmailStore, 'appendEvents'>;
  notifier: SwarmNotifier;
  clock: Clock;
  ids: IdGenerator;
  /** Where a person opens a case (the Slack message links to it). */
  caseLink: (c: CaseRecord) => string;
}

export interface SwarmRequest {
  /** How many experts to invite; default 3, at most 10. */
  limit?: number;
  /** What the experts are asked (shown in the notification). */
  note?: string;
  /** Skills the owner wants in the swarm, on top of those the case calls for (minimum level 1 unless given). */
  skills?: { skill: string; minLevel?: number }[];
  expectedVersion?: number;
}

export interface SwarmResult {
  case: CaseRecord;
  swarm?: Swarm;
  /** The experts invited by this call, best first. */
  invited: SwarmMember[];
  search: ExpertSearch;
  notification: { sent: boolean; reason?: string };
}

/** The rule that routed the case (its latest assignment decision) and the skills it requires. */
export function routingRuleOf(decisions: readonly StoredDecision[], config: RoutingConfig): { ruleId?: string; skills: SkillRequirement[] } {
  const assignment = [...decisions].filter((d) => d.kind === 'assignment').sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))[0];
  const ruleId = (assignment?.details as Partial<EngineDecision> | undefined)?.rule?.id;
  if (!ruleId) return { skills: [] };
  const rule = config.rules.find((r) => r.id === ruleId);
  return { ruleId, skills: rule?.then.requireSkills ?? [] };
}

export function makeStartSwarm(deps: SwarmDeps) {
  return async function startSwarm(p: Principal, caseId: string, request: SwarmRequest): Promise<SwarmResult> {
    const found = await loadCaseWithHistory(deps.cases, caseId);
    const c = found.case;
    assertCanWorkCase(p, c, 'start a swarm on this case');
    assertVersion(c, request.expectedVersion);
    assertOpen(c, 'start a swarm');

    const config = await loadConfig(deps.configs);
    const now = deps.clock.now();
    const at = now.toISOString();
    const open = c.swarm?.status === 'open' ? c.swarm : undefined;
    const rule = routingRuleOf(found.decisions, config);
    const states = await deps.agentStates.getMany(config.agents.map((a) => a.id));
    const search = findExperts({
      case: c,
      config,
      states,
      ruleSkills: rule.skills,
      ...(rule.ruleId ? { ruleId: rule.ruleId } : {}),
      ...(request.skills?.length ? { askedSkills: request.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel ?? 1, optional: false })) } : {}),
      alreadyInvited: open?.members.map((m) => m.agentId) ?? [],
      ...(request.limit !== undefined ? { limit: request.limit } : {}),
      now,
    });
    const decision: StoredDecision = {
      decisionId: deps.ids.next(),
      caseId: c.caseId,
      at,
      kind: 'swarm',
      outcome: search.experts.map((e) => e.agentId).join(',') || 'none',
      details: {
        skills: search.skills,
        experts: search.experts,
        runnersUp: search.runnersUp,
        excluded: search.excluded,
        reasons: search.reasons,
        rule: rule.ruleId ?? null,
      },
    };
    if (search.experts.length === 0) {
      // Nobody to invite: the search is still on record, and the case stays as it was.
      await deps.cases
        .update(
          { ...c, updatedAt: at },
          c.version,
          [makeEvent(deps.ids, c.caseId, ACTIVITIES.swarmStarted, at, actorOf(p), { invited: [], reasons: search.reasons, decisionId: decision.decisionId })],
          [decision],
        )
        .catch((error: unknown) => {
          if (error instanceof ConflictError) throw new ConflictError(`case ${c.caseNumber} changed meanwhile: read it again`);
          throw error;
        });
      const latest = (await deps.cases.get(c.caseId)) ?? c;
      return { case: latest, ...(latest.swarm ? { swarm: latest.swarm } : {}), invited: [], search, notification: { sent: false, reason: 'nobody to invite' } };
    }

    const invited: SwarmMember[] = search.experts.map((e) => ({
      agentId: e.agentId,
      name: e.name,
      score: e.score,
      reasons: e.reasons,
      invitedAt: at,
      invitedBy: p.agentId,
    }));
    const swarm: Swarm = open
      ? { ...open, members: [...open.members, ...invited], ...(request.note ? { note: request.note } : {}) }
      : {
          swarmId: deps.ids.next(),
          status: 'open',
          startedAt: at,
          startedBy: p.agentId,
          ...(request.note ? { note: request.note } : {}),
          skills: search.skills,
          members: invited,
        };
    const updated = await deps.cases.update(
      { ...c, swarm, updatedAt: at },
      c.version,
      [
        makeEvent(deps.ids, c.caseId, open ? ACTIVITIES.swarmExtended : ACTIVITIES.swarmStarted, at, actorOf(p), {
          swarmId: swarm.swarmId,
          invited: invited.map((m) => ({ agentId: m.agentId, score: m.score })),
          members: swarm.members.map((m) => m.agentId),
          skills: search.skills.map((s) => s.skill),
          note: request.note ?? null,
          decisionId: decision.decisionId,
        }),
      ],
      [decision],
    );

    // The chat is told after the swarm is on record: a webhook that fails costs a message, not the swarm.
    const owner = updated.owner ? findAgent(config, updated.owner) : undefined;
    let notification: { sent: boolean; reason?: string };
    let failed = false;
    try {
      notification = await deps.notifier.announce({
        caseId: updated.caseId,
        caseNumber: updated.caseNumber,
        subject: updated.subject,
        status: updated.status,
        priority: updated.priority,
        ...(updated.product ? { product: updated.product } : {}),
        ...(updated.account?.name || updated.contact.name ? { customer: updated.account?.name ?? updated.contact.name! } : {}),
        ...(owner ? { owner: { agentId: owner.id, name: owner.name } } : {}),
        startedBy: p.agentId,
        ...(request.note ? { note: request.note } : {}),
        experts: invited.map((m) => ({ agentId: m.agentId, name: m.name, score: m.score, reasons: m.reasons })),
        link: deps.caseLink(updated),
      });
    } catch (error) {
      failed = true;
      notification = { sent: false, reason: `the webhook failed: ${(error as Error).message}`.slice(0, 300) };
    }
    await deps.events.appendEvents([
      makeEvent(deps.ids, c.caseId, failed ? ACTIVITIES.notificationFailed : ACTIVITIES.swarmNotified, deps.clock.now().toISOString(), SYSTEM, {
        channel: 'slack',
        swarmId: swarm.swarmId,
        sent: notification.sent,
        ...(notification.reason ? { reason: notification.reason } : {}),
      }),
    ]);
    return { case: updated, swarm, invited, search, notification };
  };
}
