import type { SlackSettings } from '../core/config.js';
import type { SwarmConversation } from '../core/case.js';
import type { SwarmAnnounced, SwarmNotifier, SwarmPerson, SwarmSummary } from '../core/ports/swarm.js';
import type { FormOpened, FormSpec, SlackWorkspace } from '../core/use-cases/slack-interactions.js';
import { cut, escapeMrkdwn, formView, summaryBlocks, summaryText } from './slack-blocks.js';
import type { SlackWebApi } from './slack-web-api.js';
import { SlackApiError } from './slack-web-api.js';

/** views.open's errors about the trigger itself (docs.slack.dev/reference/methods/views.open). */
const TRIGGER_REFUSALS = new Set(['expired_trigger_id', 'exchanged_trigger_id', 'invalid_trigger_id']);

/**
 * The Slack app's side of swarming (docs/slack.md): a conversation per swarm (a channel of its own,
 * or a thread in a configured channel), the experts, the owner and whoever asked brought into it
 * (Slack users found by their agent's email with users.lookupByEmail), the case summary posted with
 * its buttons and kept up to date (chat.update), the pod leads told in a direct message
 * (conversations.open + chat.postMessage), and, when the case closes, the conversation told and a
 * swarm channel archived. Also what the interaction use cases need of the workspace: who a Slack
 * user is (users.info) and the forms (views.open).
 *
 * Every call goes through the Web API client (functions/adapters/slack-web-api.ts) with the bot
 * token; the tests run it against a Slack double that checks each call against Slack's reference.
 */

const DEFAULT_SETTINGS: SlackSettings = { swarms: 'channel', channelPrefix: 'swarm-', privateChannels: true };

/** How long who-is-who answers are kept: a Slack user's email rarely changes, and each lookup is a call. */
const DIRECTORY_TTL_MS = 10 * 60 * 1000;
const DIRECTORY_MAX_ENTRIES = 2_000;

export interface SlackApp {
  notifier: SwarmNotifier;
  workspace: SlackWorkspace;
  /** A message only `user` sees, in `channel` (and the thread, when given): chat.postEphemeral. */
  whisper(target: { channel: string; user: string; threadTs?: string }, text: string): Promise<void>;
  /** An answer to an interaction through its response_url, only the user sees it. */
  respond(responseUrl: string, text: string): Promise<void>;
}

interface Cached<T> {
  value: T;
  at: number;
}

/** A small time-bounded cache: the oldest entries go first when it is full. */
function ttlCache<T>(now: () => number) {
  const entries = new Map<string, Cached<T>>();
  return {
    get(key: string): T | undefined {
      const hit = entries.get(key);
      if (!hit) return undefined;
      if (now() - hit.at > DIRECTORY_TTL_MS) {
        entries.delete(key);
        return undefined;
      }
      return hit.value;
    },
    set(key: string, value: T) {
      if (entries.size >= DIRECTORY_MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, at: now() });
    },
  };
}

export function makeSlackApp(options: { api: SlackWebApi; now?: () => number }): SlackApp {
  const { api } = options;
  const now = options.now ?? Date.now;
  const idByEmail = ttlCache<string | null>(now);
  const emailById = ttlCache<string | null>(now);

  /** The Slack user id of an email, or null when the workspace has nobody with it. */
  async function lookup(email: string): Promise<string | null> {
    const key = email.trim().toLowerCase();
    const hit = idByEmail.get(key);
    if (hit !== undefined) return hit;
    try {
      const res = await api.call<{ user?: { id?: string; deleted?: boolean } }>('users.lookupByEmail', { email: key });
      const id = res.user?.id && !res.user.deleted ? res.user.id : null;
      idByEmail.set(key, id);
      return id;
    } catch (error) {
      if (error instanceof SlackApiError && error.code === 'users_not_found') {
        idByEmail.set(key, null);
        return null;
      }
      throw error;
    }
  }

  /** Slack ids of people, by agent id; who could not be found, with why. */
  async function find(people: readonly SwarmPerson[]) {
    const found = new Map<string, string>();
    const missing: { agentId: string; reason: string }[] = [];
    await Promise.all(
      people.map(async (p) => {
        const id = await lookup(p.email);
        if (id) found.set(p.agentId, id);
        else missing.push({ agentId: p.agentId, reason: `no Slack user with the email ${p.email}` });
      }),
    );
    return { found, missing };
  }

  /** Invites one by one, so one person already there (or one who cannot be invited) stops nobody else. */
  async function invite(channel: string, userIds: Iterable<string>): Promise<void> {
    for (const user of new Set(userIds)) {
      try {
        await api.call('conversations.invite', { channel, users: user });
      } catch (error) {
        if (error instanceof SlackApiError && ['already_in_channel', 'cant_invite_self'].includes(error.code)) continue;
        throw error;
      }
    }
  }

  async function post(conversation: SwarmConversation, text: string): Promise<void> {
    await api.call('chat.postMessage', {
      channel: conversation.channel,
      text: cut(text, 3000),
      ...(conversation.mode === 'thread' ? { thread_ts: conversation.threadTs } : {}),
    });
  }

  async function refresh(conversation: SwarmConversation, summary: SwarmSummary): Promise<void> {
    await api.call('chat.update', { channel: conversation.channel, ts: conversation.summaryTs, text: summaryText(summary), blocks: summaryBlocks(summary) });
  }

  /** A channel named after the case; a name already taken (a case swarmed before) gets a number. */
  async function createChannel(settings: SlackSettings, caseNumber: string): Promise<{ id: string; name: string }> {
    const base = `${settings.channelPrefix}${caseNumber}`.toLowerCase().slice(0, 76);
    for (let n = 1; n <= 5; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      try {
        const res = await api.call<{ channel?: { id?: string; name?: string } }>('conversations.create', { name, is_private: settings.privateChannels });
        if (!res.channel?.id) throw new SlackApiError('conversations.create', 'no_channel_in_answer');
        return { id: res.channel.id, name: res.channel.name ?? name };
      } catch (error) {
        if (error instanceof SlackApiError && error.code === 'name_taken' && n < 5) continue;
        throw error;
      }
    }
    throw new SlackApiError('conversations.create', 'name_taken');
  }

  const mention = (ids: Map<string, string>, agentId: string, name: string) => (ids.has(agentId) ? `<@${ids.get(agentId)}>` : escapeMrkdwn(name));

  const notifier: SwarmNotifier = {
    async announce(a): Promise<SwarmAnnounced> {
      const settings = { ...DEFAULT_SETTINGS, ...a.slack };
      const experts: SwarmPerson[] = a.experts.flatMap((e) => (e.email ? [{ agentId: e.agentId, name: e.name, email: e.email }] : []));
      const others: SwarmPerson[] = [
        ...(a.owner?.email ? [{ agentId: a.owner.agentId, name: a.owner.name, email: a.owner.email }] : []),
        ...(a.requester ? [a.requester] : []),
      ];
      const [expertIds, otherIds, leadIds] = await Promise.all([find(experts), find(others), find(a.podLeads ?? [])]);
      const noEmail = a.experts.filter((e) => !e.email).map((e) => ({ agentId: e.agentId, reason: 'no email in the configuration' }));
      const summary: SwarmSummary = {
        caseId: a.caseId,
        caseNumber: a.caseNumber,
        subject: a.subject,
        status: a.status,
        priority: a.priority,
        ...(a.product ? { product: a.product } : {}),
        ...(a.customer ? { customer: a.customer } : {}),
        ...(a.owner ? { owner: { agentId: a.owner.agentId, name: a.owner.name } } : {}),
        ...((a.question ?? a.note) ? { question: (a.question ?? a.note)! } : {}),
        skills: a.skills ?? [],
        members: a.members ?? a.experts.map((e) => ({ agentId: e.agentId, name: e.name })),
        open: true,
        link: a.link,
      };
      const expertLines = a.experts
        .map((e, i) => `${i + 1}. ${mention(expertIds.found, e.agentId, e.name)}, score ${e.score}: ${escapeMrkdwn(e.reasons.slice(0, 4).join('; '))}`)
        .join('\n');
      const toInvite = [...expertIds.found.values(), ...otherIds.found.values()];

      let conversation = a.conversation;
      if (!conversation) {
        if (settings.swarms === 'thread') {
          const channel = settings.channel!;
          const root = await api.call<{ ts?: string }>('chat.postMessage', {
            channel,
            text: summaryText(summary),
            blocks: summaryBlocks(summary, { experts: expertLines }),
          });
          if (!root.ts) throw new SlackApiError('chat.postMessage', 'no_ts_in_answer');
          conversation = { kind: 'slack', mode: 'thread', channel, threadTs: root.ts, summaryTs: root.ts };
          await invite(channel, toInvite);
        } else {
          const created = await createChannel(settings, a.caseNumber);
          await invite(created.id, toInvite);
          const message = await api.call<{ ts?: string }>('chat.postMessage', {
            channel: created.id,
            text: summaryText(summary),
            blocks: summaryBlocks(summary, { experts: expertLines }),
          });
          if (!message.ts) throw new SlackApiError('chat.postMessage', 'no_ts_in_answer');
          conversation = { kind: 'slack', mode: 'channel', channel: created.id, summaryTs: message.ts, channelName: created.name };
        }
      } else {
        // More experts on an open swarm: into the conversation they go, and the summary lists them.
        await invite(conversation.channel, toInvite);
        await refresh(conversation, summary);
      }
      const asked = a.question ?? a.note;
      const greeting = [
        `${a.experts.map((e) => mention(expertIds.found, e.agentId, e.name)).join(', ')}: ${a.conversation ? 'you are asked to join' : 'you are asked to help'} on case ${a.caseNumber}.`,
        ...(asked ? [`>${escapeMrkdwn(asked).replace(/\n/g, '\n>')}`] : []),
        'Write here and it becomes an internal note on the case.',
      ].join('\n');
      await post(conversation, greeting);

      const leadsTold: string[] = [];
      for (const lead of a.podLeads ?? []) {
        const user = leadIds.found.get(lead.agentId);
        if (!user) continue;
        const dm = await api.call<{ channel?: { id?: string } }>('conversations.open', { users: user });
        if (!dm.channel?.id) continue;
        await api.call('chat.postMessage', {
          channel: dm.channel.id,
          text: cut(
            `${lead.experts.map((e) => e.name).join(', ')} of your pod ${lead.podName} ${lead.experts.length === 1 ? 'was' : 'were'} asked to help on case ${a.caseNumber} (${a.subject}). The case: ${a.link}`,
            3000,
          ),
        });
        leadsTold.push(lead.agentId);
      }
      return {
        sent: true,
        conversation,
        inChat: [...expertIds.found.keys()],
        notInChat: [...noEmail, ...expertIds.missing],
        leadsTold,
      };
    },

    async update({ conversation, summary, line, invite: people }) {
      if (people && people.length > 0) {
        const { found } = await find(people);
        await invite(conversation.channel, found.values());
      }
      if (line) await post(conversation, line);
      await refresh(conversation, summary);
    },

    async closed({ conversation, summary, by, comment }) {
      await refresh(conversation, summary);
      const what = summary.status === 'resolved' ? 'resolved' : 'closed unresolved';
      await post(
        conversation,
        [
          `Case ${summary.caseNumber} was ${what} by ${by}${comment ? ':' : '.'}`,
          ...(comment ? [`>${escapeMrkdwn(comment).replace(/\n/g, '\n>')}`] : []),
          conversation.mode === 'channel' ? 'The swarm is closed and this channel is archived. Thank you all.' : 'The swarm is closed. Thank you all.',
        ].join('\n'),
      );
      if (conversation.mode === 'channel') {
        try {
          await api.call('conversations.archive', { channel: conversation.channel });
        } catch (error) {
          if (!(error instanceof SlackApiError && error.code === 'already_archived')) throw error;
        }
      }
    },
  };

  const workspace: SlackWorkspace = {
    async emailOf(userId) {
      const hit = emailById.get(userId);
      if (hit !== undefined) return hit ?? undefined;
      try {
        const res = await api.call<{ user?: { deleted?: boolean; is_bot?: boolean; profile?: { email?: string } } }>('users.info', { user: userId });
        const u = res.user;
        const email = u && !u.deleted && !u.is_bot && typeof u.profile?.email === 'string' ? u.profile.email : null;
        emailById.set(userId, email);
        return email ?? undefined;
      } catch (error) {
        if (error instanceof SlackApiError && ['user_not_found', 'user_not_visible'].includes(error.code)) {
          emailById.set(userId, null);
          return undefined;
        }
        throw error;
      }
    },

    async openForm(triggerId: string, form: FormSpec): Promise<FormOpened> {
      try {
        await api.call('views.open', { trigger_id: triggerId, view: formView(form) });
        return { opened: true };
      } catch (error) {
        // Slack's refusal of this trigger (expired, used, unknown) is an answer for the person; anything else is ours.
        if (error instanceof SlackApiError && TRIGGER_REFUSALS.has(error.code)) return { opened: false, reason: error.code };
        throw error;
      }
    },
  };

  return {
    notifier,
    workspace,
    async whisper(target, text) {
      await api.call('chat.postEphemeral', {
        channel: target.channel,
        user: target.user,
        text: cut(text, 3000),
        ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      });
    },
    async respond(responseUrl, text) {
      await api.respond(responseUrl, { response_type: 'ephemeral', replace_original: false, text: cut(text, 3000) });
    },
  };
}
