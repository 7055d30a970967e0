import type { Principal } from '../authz.js';
import { actorOf, assertCanJoinSwarm, assertCanWorkCase, canReadCase } from '../authz.js';
import type { CaseRecord, PodLeadNotice, Swarm, SwarmConversation, SwarmMember } from '../case.js';
import type { CaseEvent } from '../events.js';
import type { RoutingConfig, SkillRequirement } from '../config.js';
import { findAgent } from '../config.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import type { ExpertSearch } from '../expert-finder.js';
import { findExperts, similarResolutions, similarityLabels } from '../expert-finder.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { notificationFrom } from '../notifications.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { EmailStore } from '../ports/email-intake.js';
import type { Notifier } from '../ports/notifications.js';
import type { AgentStateRepository, CaseRepository, StoredDecision } from '../ports/repositories.js';
import type { ResolvedCases, SwarmAnnounced, SwarmConversations, SwarmNotifier, SwarmPerson } from '../ports/swarm.js';
import type { EngineDecision } from '../routing/engine.js';
import { assertVersion } from '../versions.js';
import { assertOpen, loadCase, loadCaseWithHistory } from './load-case.js';
import { swarmSummary } from '../swarm-summary.js';
import { loadConfig, type ConfigSource } from './load-config.js';

/**
 * Swarming (POST /cases/{id}/swarm): the expert finder (pure, functions/core/expert-finder.ts)
 * ranks who could help, on the skills the request names or, without them, on what the case calls
 * for; the best are invited into the case's swarm, which lets them read the case and add notes
 * while the owner stays the owner; the team's chat hears about it (the Slack app opens a
 * conversation for the swarm and brings the experts in), and the lead of every pod the experts
 * came from is told. A second call while the swarm is open invites more experts. Experts may also
 * join or leave on their own (from Slack or the API). The swarm closes when the case closes
 * (work-case.ts). docs/slack.md describes the whole loop.
 */

export interface SwarmDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  /** Events on the case after the swarm is written (how the notification went), without moving its version. */
  events: Pick<EmailStore, 'appendEvents'>;
  notifier: SwarmNotifier;
  /** Which case a chat conversation belongs to; written when the chat opens one for a swarm. */
  conversations?: SwarmConversations;
  /** Who resolved similar cases lately (the expert finder's history); absent: no history weighed. */
  resolved?: ResolvedCases;
  /** Pod leads the chat could not reach are mailed through it. */
  mail?: Notifier;
  /** Sender of those mails when the configuration names none. */
  defaultFromAddress?: string;
  clock: Clock;
  ids: IdGenerator;
  /** Where a person opens a case (the Slack message links to it). */
  caseLink: (c: CaseRecord) => string;
}

export interface SwarmRequest {
  /** How many experts to invite; default 3, at most 10. */
  limit?: number;
  /** The question for the experts (shown in the chat). */
  question?: string;
  /** The older name of `question`. */
  note?: string;
  /** The skills wanted, with minimum levels; without them, what the case calls for. */
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
  /** What the chat did beyond the message: the conversation, who it reached and who not. */
  chat?: Omit<SwarmAnnounced, 'sent' | 'reason'>;
  /** The pod leads told, and how. */
  podLeads: PodLeadNotice[];
}

/** How many recently resolved cases the history reads (one query on the cases-by-status index). */
export const SIMILAR_HISTORY_DEPTH = 200;

/** The rule that routed the case (its latest assignment decision) and the skills it requires. */
export function routingRuleOf(decisions: readonly StoredDecision[], config: RoutingConfig): { ruleId?: string; skills: SkillRequirement[] } {
  const assignment = [...decisions].filter((d) => d.kind === 'assignment').sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))[0];
  const ruleId = (assignment?.details as Partial<EngineDecision> | undefined)?.rule?.id;
  if (!ruleId) return { skills: [] };
  const rule = config.rules.find((r) => r.id === ruleId);
  return { ruleId, skills: rule?.then.requireSkills ?? [] };
}

const personOf = (config: RoutingConfig, agentId: string): SwarmPerson | undefined => {
  const a = findAgent(config, agentId);
  return a ? { agentId: a.id, name: a.name, email: a.email } : undefined;
};

/**
 * Writes what the chat and the mail achieved onto the swarm (its conversation, the leads told)
 * with the events that record it. The case may have moved meanwhile (a note from the chat itself):
 * the write is retried on the latest case, as long as it is still the same swarm.
 */
async function recordOnSwarm(
  deps: Pick<SwarmDeps, 'cases' | 'events'>,
  caseId: string,
  swarmId: string,
  change: { chat?: SwarmConversation; podLeads: PodLeadNotice[] },
  events: CaseEvent[],
  at: string,
): Promise<CaseRecord | undefined> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    const current = await deps.cases.get(caseId);
    if (!current?.swarm || current.swarm.swarmId !== swarmId) break;
    const swarm: Swarm = {
      ...current.swarm,
      ...(change.chat ? { chat: change.chat } : {}),
      ...(change.podLeads.length > 0 ? { podLeads: [...(current.swarm.podLeads ?? []), ...change.podLeads] } : {}),
    };
    try {
      return await deps.cases.update({ ...current, swarm, updatedAt: at }, current.version, events);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  // The swarm is gone or the case kept changing: the events still go on record.
  await deps.events.appendEvents(events);
  return undefined;
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
    const question = request.question ?? request.note;
    const open = c.swarm?.status === 'open' ? c.swarm : undefined;
    const rule = routingRuleOf(found.decisions, config);
    const requested = (request.skills ?? []).map((s) => ({ skill: s.skill, minLevel: s.minLevel ?? 1, optional: false }));
    const [states, resolved] = await Promise.all([
      deps.agentStates.getMany(config.agents.map((a) => a.id)),
      // One read of the recently resolved cases, only when there is something to compare them on.
      deps.resolved && similarityLabels(c).length > 0 ? deps.resolved.recent(SIMILAR_HISTORY_DEPTH) : Promise.resolve(undefined),
    ]);
    const search = findExperts({
      case: c,
      config,
      states,
      ruleSkills: rule.skills,
      ...(rule.ruleId ? { ruleId: rule.ruleId } : {}),
      ...(requested.length > 0 ? { requested } : {}),
      requester: p.agentId,
      ...(resolved ? { history: similarResolutions(c, resolved) } : {}),
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
        skillsFrom: search.skillsFrom,
        homePods: search.homePods,
        experts: search.experts,
        runnersUp: search.runnersUp,
        excluded: search.excluded,
        podLeads: search.podLeads,
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
      return {
        case: latest,
        ...(latest.swarm ? { swarm: latest.swarm } : {}),
        invited: [],
        search,
        notification: { sent: false, reason: 'nobody to invite' },
        podLeads: [],
      };
    }

    const invited: SwarmMember[] = search.experts.map((e) => ({
      agentId: e.agentId,
      name: e.name,
      score: e.score,
      reasons: e.reasons,
      invitedAt: at,
      invitedBy: p.agentId,
      via: 'finder',
      ...(e.pods[0] ? { pod: e.pods[0] } : {}),
    }));
    const asked = question ? { note: question, question } : {};
    const swarm: Swarm = open
      ? { ...open, members: [...open.members, ...invited], ...asked }
      : {
          swarmId: deps.ids.next(),
          status: 'open',
          startedAt: at,
          startedBy: p.agentId,
          ...asked,
          skills: search.skills,
          members: invited,
        };
    const updated = await deps.cases.update(
      { ...c, swarm, updatedAt: at },
      c.version,
      [
        makeEvent(deps.ids, c.caseId, open ? ACTIVITIES.swarmExtended : ACTIVITIES.swarmStarted, at, actorOf(p), {
          swarmId: swarm.swarmId,
          invited: invited.map((m) => ({ agentId: m.agentId, score: m.score, ...(m.pod ? { pod: m.pod } : {}) })),
          members: swarm.members.map((m) => m.agentId),
          skills: search.skills.map((s) => s.skill),
          skillsFrom: search.skillsFrom,
          note: question ?? null,
          decisionId: decision.decisionId,
        }),
      ],
      [decision],
    );

    // The chat is told after the swarm is on record: a chat that fails costs a message, not the swarm.
    const owner = updated.owner ? findAgent(config, updated.owner) : undefined;
    const requester = personOf(config, p.agentId);
    const leads = search.podLeads.flatMap((l) => {
      const lead = personOf(config, l.leadId);
      return lead
        ? [{ ...lead, podId: l.podId, podName: l.podName, experts: l.experts.map((id) => ({ agentId: id, name: findAgent(config, id)?.name ?? id })) }]
        : [];
    });
    let announced: SwarmAnnounced;
    let failed = false;
    try {
      announced = await deps.notifier.announce({
        caseId: updated.caseId,
        caseNumber: updated.caseNumber,
        subject: updated.subject,
        status: updated.status,
        priority: updated.priority,
        ...(updated.product ? { product: updated.product } : {}),
        ...(updated.account?.name || updated.contact.name ? { customer: updated.account?.name ?? updated.contact.name! } : {}),
        ...(owner ? { owner: { agentId: owner.id, name: owner.name, email: owner.email } } : {}),
        startedBy: p.agentId,
        ...(requester ? { requester } : {}),
        ...asked,
        skills: search.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel })),
        experts: invited.map((m) => ({
          agentId: m.agentId,
          name: m.name,
          ...(findAgent(config, m.agentId) ? { email: findAgent(config, m.agentId)!.email } : {}),
          score: m.score,
          reasons: m.reasons,
          ...(m.pod ? { pod: m.pod } : {}),
        })),
        members: swarm.members.map((m) => ({ agentId: m.agentId, name: m.name })),
        podLeads: leads,
        ...(open?.chat ? { conversation: open.chat } : {}),
        ...(config.slack ? { slack: config.slack } : {}),
        link: deps.caseLink(updated),
      });
    } catch (error) {
      failed = true;
      announced = { sent: false, reason: `the chat failed: ${(error as Error).message}`.slice(0, 300) };
    }

    // Leads the chat did not reach are mailed; what reached whom goes on record either way.
    const toldInChat = new Set(announced.leadsTold ?? []);
    const podLeads: PodLeadNotice[] = [];
    const leadEvents: CaseEvent[] = [];
    for (const lead of leads) {
      let via: PodLeadNotice['toldVia'] = toldInChat.has(lead.agentId) ? 'chat' : 'none';
      let reason: string | undefined;
      if (via === 'none' && deps.mail) {
        try {
          await deps.mail.notify({
            notificationId: deps.ids.next(),
            at,
            caseId: updated.caseId,
            caseNumber: updated.caseNumber,
            kind: 'swarm_pod_lead',
            subject: `Case ${updated.caseNumber}: ${lead.experts.map((e) => e.name).join(', ')} of ${lead.podName} asked to help`,
            text: [
              `${lead.experts.map((e) => e.name).join(', ')} of your pod ${lead.podName} ${lead.experts.length === 1 ? 'was' : 'were'} asked to help on case ${updated.caseNumber} (${updated.subject}) by ${requester?.name ?? p.agentId}.`,
              ...(question ? [`The question: ${question}`] : []),
              `Skills wanted: ${search.skills.map((s) => `${s.skill}${s.minLevel > 1 ? ` (level ${s.minLevel}+)` : ''}`).join(', ')}`,
              `The case: ${deps.caseLink(updated)}`,
            ].join('\n\n'),
            agents: [{ agentId: lead.agentId, name: lead.name, email: lead.email }],
            admins: false,
            ...(notificationFrom(config, deps.defaultFromAddress) ? { from: notificationFrom(config, deps.defaultFromAddress)! } : {}),
          });
          via = 'email';
        } catch (error) {
          reason = `mail failed: ${(error as Error).message}`.slice(0, 200);
        }
      } else if (via === 'none') {
        reason = 'the chat did not reach them and no mailer is configured';
      }
      podLeads.push({ podId: lead.podId, podName: lead.podName, leadId: lead.agentId, experts: lead.experts.map((e) => e.agentId), toldVia: via });
      leadEvents.push(
        makeEvent(deps.ids, c.caseId, ACTIVITIES.podLeadTold, at, SYSTEM, {
          swarmId: swarm.swarmId,
          podId: lead.podId,
          lead: lead.agentId,
          experts: lead.experts.map((e) => e.agentId),
          via,
          ...(reason ? { reason } : {}),
        }),
      );
    }

    const notified = makeEvent(deps.ids, c.caseId, failed ? ACTIVITIES.notificationFailed : ACTIVITIES.swarmNotified, deps.clock.now().toISOString(), SYSTEM, {
      channel: 'slack',
      swarmId: swarm.swarmId,
      sent: announced.sent,
      ...(announced.reason ? { reason: announced.reason } : {}),
      ...(announced.conversation ? { conversation: { mode: announced.conversation.mode, channel: announced.conversation.channel } } : {}),
      ...(announced.inChat ? { inChat: announced.inChat } : {}),
      ...(announced.notInChat?.length ? { notInChat: announced.notInChat } : {}),
    });
    const newConversation =
      announced.conversation && (open?.chat?.channel !== announced.conversation.channel || open?.chat?.threadTs !== announced.conversation.threadTs)
        ? announced.conversation
        : undefined;
    // The link first: from then on messages in the conversation find the case, even if the write below is retried.
    if (newConversation && deps.conversations) await deps.conversations.link(newConversation, c.caseId, swarm.swarmId);
    let final = updated;
    if (newConversation || podLeads.length > 0) {
      final =
        (await recordOnSwarm(
          deps,
          c.caseId,
          swarm.swarmId,
          { ...(newConversation ? { chat: newConversation } : {}), podLeads },
          [notified, ...leadEvents],
          at,
        )) ?? updated;
    } else {
      await deps.events.appendEvents([notified, ...leadEvents]);
    }
    const { sent, reason, ...chat } = announced;
    return {
      case: final,
      swarm: final.swarm ?? swarm,
      invited,
      search,
      notification: { sent, ...(reason ? { reason } : {}) },
      ...(Object.keys(chat).length > 0 ? { chat } : {}),
      podLeads,
    };
  };
}

export interface SwarmMembershipDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  events: Pick<EmailStore, 'appendEvents'>;
  notifier: SwarmNotifier;
  clock: Clock;
  ids: IdGenerator;
  caseLink: (c: CaseRecord) => string;
}

/**
 * Joining and leaving a swarm of one's own accord (the Join and Leave buttons in Slack, and
 * POST /cases/{id}/swarm/join|leave): an agent who may read the case, has one of the skills the
 * swarm asks for, or manages joins; a member leaves. The conversation hears it (and a member who
 * joined through the API is brought into it); when it cannot, the event log says so.
 */
export function makeSwarmMembership(deps: SwarmMembershipDeps) {
  async function tell(c: CaseRecord, config: RoutingConfig, line: string, invite: SwarmPerson[]): Promise<void> {
    const chat = c.swarm?.chat;
    if (!chat || !deps.notifier.update) return;
    try {
      await deps.notifier.update({ conversation: chat, summary: swarmSummary(c, config, deps.caseLink(c)), line, invite });
    } catch (error) {
      await deps.events.appendEvents([
        makeEvent(deps.ids, c.caseId, ACTIVITIES.notificationFailed, deps.clock.now().toISOString(), SYSTEM, {
          channel: 'slack',
          swarmId: c.swarm!.swarmId,
          reason: `the chat failed: ${(error as Error).message}`.slice(0, 300),
        }),
      ]);
    }
  }

  const load = (caseId: string): Promise<CaseRecord> => loadCase(deps.cases, caseId);

  return {
    async join(p: Principal, caseId: string, options: { via?: string; expectedVersion?: number } = {}): Promise<{ case: CaseRecord; joined: boolean }> {
      const c = await load(caseId);
      const config = await loadConfig(deps.configs);
      assertCanJoinSwarm(p, c, config);
      assertVersion(c, options.expectedVersion);
      const swarm = c.swarm!;
      if (swarm.members.some((m) => m.agentId === p.agentId)) return { case: c, joined: false };
      const at = deps.clock.now().toISOString();
      const agent = findAgent(config, p.agentId);
      const member: SwarmMember = {
        agentId: p.agentId,
        name: agent?.name ?? p.agentId,
        score: 0,
        reasons: [`joined on their own${options.via ? ` (${options.via})` : ''}`],
        invitedAt: at,
        invitedBy: p.agentId,
        via: 'joined',
      };
      const written = await deps.cases.update({ ...c, swarm: { ...swarm, members: [...swarm.members, member] }, updatedAt: at }, c.version, [
        makeEvent(deps.ids, c.caseId, ACTIVITIES.swarmJoined, at, actorOf(p), { swarmId: swarm.swarmId, ...(options.via ? { via: options.via } : {}) }),
      ]);
      const person = personOf(config, p.agentId);
      await tell(written, config, `${member.name} joined the swarm.`, options.via === 'slack' || !person ? [] : [person]);
      return { case: written, joined: true };
    },

    async leave(p: Principal, caseId: string, options: { via?: string; expectedVersion?: number } = {}): Promise<{ case: CaseRecord; left: boolean }> {
      const c = await load(caseId);
      const swarm = c.swarm;
      const config = await loadConfig(deps.configs);
      const member = swarm?.status === 'open' ? swarm.members.find((m) => m.agentId === p.agentId) : undefined;
      if (!member) {
        if (!canReadCase(p, c, config)) throw new ForbiddenError('only members of its swarm may leave it');
        throw new ConflictError(`you are not in an open swarm on case ${c.caseNumber}`);
      }
      assertVersion(c, options.expectedVersion);
      const at = deps.clock.now().toISOString();
      const written = await deps.cases.update(
        { ...c, swarm: { ...swarm!, members: swarm!.members.filter((m) => m.agentId !== p.agentId) }, updatedAt: at },
        c.version,
        [makeEvent(deps.ids, c.caseId, ACTIVITIES.swarmLeft, at, actorOf(p), { swarmId: swarm!.swarmId, ...(options.via ? { via: options.via } : {}) })],
      );
      await tell(written, config, `${member.name} left the swarm.`, []);
      return { case: written, left: true };
    },
  };
}
