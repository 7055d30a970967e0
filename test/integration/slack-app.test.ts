/**
 * The Slack app adapters (functions/adapters/slack-web-api.ts, slack-app.ts) against the Slack
 * double (test/support/slack-double.ts), which checks every call against Slack's method reference:
 * after each test the double must have seen no call Slack would refuse.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSlackApp } from '../../functions/adapters/slack-app.js';
import { SlackApiError, isSlackResponseUrl, makeSlackWebApi } from '../../functions/adapters/slack-web-api.js';
import type { SwarmAnnouncement, SwarmSummary } from '../../functions/core/ports/swarm.js';
import { BOT_USER_ID, type SlackDouble, startSlackDouble } from '../support/slack-double.js';

let slack: SlackDouble;
let users: Record<string, string>;

beforeAll(async () => {
  slack = await startSlackDouble();
  users = Object.fromEntries(
    ['ace', 'bea', 'owner', 'mgr', 'lead'].map((id) => [id, slack.addUser({ email: `${id}@support.example.com`, name: id.toUpperCase() }).id]),
  );
});
afterAll(() => slack?.close());
afterEach(() => {
  expect(slack.violations).toEqual([]);
});

const api = () => makeSlackWebApi({ baseUrl: slack.apiUrl, token: async () => slack.botToken });
let n = 1200;

function announcement(overrides: Partial<SwarmAnnouncement> = {}): SwarmAnnouncement {
  const caseNumber = String(++n).padStart(8, '0');
  return {
    caseId: `01CASE${n}`,
    caseNumber,
    subject: 'Refund <stuck> & lost',
    status: 'in_progress',
    priority: 'high',
    product: 'billing',
    customer: 'Ada',
    owner: { agentId: 'owner', name: 'Owner', email: 'owner@support.example.com' },
    startedBy: 'mgr',
    requester: { agentId: 'mgr', name: 'Manager', email: 'MGR@support.example.com' },
    question: 'Why is the refund blocked?',
    skills: [{ skill: 'billing', minLevel: 3 }],
    experts: [
      { agentId: 'ace', name: 'Ace', email: 'ace@support.example.com', score: 60, reasons: ['billing level 5: +50'] },
      { agentId: 'ghost', name: 'Ghost', email: 'ghost@support.example.com', score: 40, reasons: ['billing level 4: +40'] },
    ],
    members: [
      { agentId: 'ace', name: 'Ace' },
      { agentId: 'ghost', name: 'Ghost' },
    ],
    podLeads: [
      { agentId: 'lead', name: 'Lead', email: 'lead@support.example.com', podId: 'pay', podName: 'Payments', experts: [{ agentId: 'ace', name: 'Ace' }] },
    ],
    link: `https://caseflow.example.com/cases/01CASE${n}`,
    ...overrides,
  };
}

const buttonIds = (blocks: Record<string, any>[] | undefined) =>
  (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: { action_id: string }) => e.action_id));

describe('a swarm in a channel of its own', () => {
  it('creates a private channel named after the case, brings in the experts, the owner and the requester found by email, posts the summary and tells the pod lead', async () => {
    const app = makeSlackApp({ api: api() });
    const a = announcement();
    const result = await app.notifier.announce(a);
    const channel = slack.channelNamed(`swarm-${a.caseNumber}`)!;
    expect(channel).toBeDefined();
    expect(channel.isPrivate).toBe(true);
    expect([...channel.members].sort()).toEqual([BOT_USER_ID, users.ace, users.owner, users.mgr].sort());
    expect(result).toEqual({
      sent: true,
      conversation: { kind: 'slack', mode: 'channel', channel: channel.id, summaryTs: expect.any(String), channelName: `swarm-${a.caseNumber}` },
      inChat: ['ace'],
      notInChat: [{ agentId: 'ghost', reason: 'no Slack user with the email ghost@support.example.com' }],
      leadsTold: ['lead'],
    });
    const [summary, greeting] = slack.messagesIn(channel.id);
    expect(summary!.ts).toBe(result.conversation!.summaryTs);
    expect(buttonIds(summary!.blocks)).toEqual(['swarm_join', 'swarm_leave', 'swarm_note', 'swarm_reply', 'swarm_resolve', 'swarm_close', 'open_case']);
    expect(JSON.stringify(summary!.blocks)).toContain('Refund &lt;stuck&gt; &amp; lost');
    expect(JSON.stringify(summary!.blocks)).toContain('Why is the refund blocked?');
    expect(greeting!.text).toContain(`<@${users.ace}>, Ghost: you are asked to help on case ${a.caseNumber}.`);
    // The lead hears it in a direct message.
    const dm = slack.messages.find((m) => m.channel === `D${users.lead!.slice(1)}`);
    expect(dm?.text).toContain(`Ace of your pod Payments was asked to help on case ${a.caseNumber}`);
    // The form-only methods went as forms, the others as JSON.
    for (const call of slack.calls) {
      expect(call.contentType).toMatch(
        ['users.lookupByEmail', 'users.info'].includes(call.method) ? /^application\/x-www-form-urlencoded/ : /^application\/json; charset=utf-8/,
      );
    }
  });

  it('takes the next free name when a channel of that name exists (a case swarmed again after a reopen)', async () => {
    const app = makeSlackApp({ api: api() });
    const a = announcement();
    await app.notifier.announce(a);
    const again = await app.notifier.announce({ ...a, podLeads: [] });
    expect(again.conversation?.channelName).toBe(`swarm-${a.caseNumber}-2`);
    expect(slack.callsTo('conversations.create').filter((c) => c.answer.error === 'name_taken')).toHaveLength(1);
  });

  it('on a second request invites the new experts into the same channel and updates the summary', async () => {
    const app = makeSlackApp({ api: api() });
    const a = announcement({ podLeads: [] });
    const first = await app.notifier.announce(a);
    const more = await app.notifier.announce({
      ...a,
      experts: [{ agentId: 'bea', name: 'Bea', email: 'bea@support.example.com', score: 30, reasons: [] }],
      members: [...a.members!, { agentId: 'bea', name: 'Bea' }],
      conversation: first.conversation!,
    });
    expect(more.conversation).toEqual(first.conversation);
    expect(slack.channels.get(first.conversation!.channel)!.members.has(users.bea!)).toBe(true);
    const summary = slack.messagesIn(first.conversation!.channel).find((m) => m.ts === first.conversation!.summaryTs)!;
    expect(summary.updated).toBe(1);
    expect(JSON.stringify(summary.blocks)).toContain('Bea');
  });

  it('when the case closes: the summary loses its buttons, the channel hears who closed it and why, and is archived', async () => {
    const app = makeSlackApp({ api: api() });
    const a = announcement({ podLeads: [] });
    const { conversation } = await app.notifier.announce(a);
    const summary: SwarmSummary = {
      caseId: a.caseId,
      caseNumber: a.caseNumber,
      subject: a.subject,
      status: 'closed_unresolved',
      priority: 'high',
      skills: [],
      members: [],
      open: false,
      closedReason: 'case closed_unresolved',
      link: a.link,
    };
    await app.notifier.closed!({ conversation: conversation!, summary, by: 'owner', comment: 'provider outage' });
    const channel = slack.channels.get(conversation!.channel)!;
    expect(channel.archived).toBe(true);
    const messages = slack.messagesIn(channel.id);
    expect(buttonIds(messages[0]!.blocks)).toEqual([]);
    expect(messages.at(-1)!.text).toBe(
      `Case ${a.caseNumber} was closed unresolved by owner:\n>provider outage\nThe swarm is closed and this channel is archived. Thank you all.`,
    );
  });
});

describe('a swarm as a thread in a shared channel', () => {
  it('posts the summary in the channel, invites the experts into it and greets them in the thread', async () => {
    const shared = slack.addChannel('swarms');
    const app = makeSlackApp({ api: api() });
    const a = announcement({ podLeads: [], slack: { swarms: 'thread', channel: shared.id, channelPrefix: 'swarm-', privateChannels: true } });
    const result = await app.notifier.announce(a);
    expect(result.conversation).toEqual({
      kind: 'slack',
      mode: 'thread',
      channel: shared.id,
      threadTs: expect.any(String),
      summaryTs: result.conversation!.threadTs,
    });
    expect(shared.members.has(users.ace!)).toBe(true);
    const thread = slack.messagesIn(shared.id, result.conversation!.threadTs);
    expect(thread.map((m) => Boolean(m.threadTs))).toEqual([false, true]);
    // A line later goes to the thread; closing does not archive the shared channel.
    await app.notifier.update!({ conversation: result.conversation!, summary: { ...(await summaryOf(a)), open: true }, line: 'Bea joined the swarm.' });
    expect(slack.messagesIn(shared.id, result.conversation!.threadTs).at(-1)!.text).toBe('Bea joined the swarm.');
    await app.notifier.closed!({ conversation: result.conversation!, summary: { ...(await summaryOf(a)), status: 'resolved', open: false }, by: 'owner' });
    expect(shared.archived).toBe(false);
    expect(slack.callsTo('conversations.archive').filter((c) => c.args.channel === shared.id)).toEqual([]);
  });
});

async function summaryOf(a: SwarmAnnouncement): Promise<SwarmSummary> {
  return {
    caseId: a.caseId,
    caseNumber: a.caseNumber,
    subject: a.subject,
    status: a.status,
    priority: a.priority,
    skills: [],
    members: [],
    open: true,
    link: a.link,
  };
}

describe('the workspace', () => {
  it('knows a Slack user by their account email, asks Slack once, and never takes a bot for a person', async () => {
    const app = makeSlackApp({ api: api() });
    const before = slack.callsTo('users.info').length;
    expect(await app.workspace.emailOf(users.ace!)).toBe('ace@support.example.com');
    expect(await app.workspace.emailOf(users.ace!)).toBe('ace@support.example.com');
    expect(slack.callsTo('users.info').length).toBe(before + 1);
    expect(await app.workspace.emailOf(BOT_USER_ID)).toBeUndefined();
    expect(await app.workspace.emailOf('UNOBODY')).toBeUndefined();
  });

  it('opens a form only with a trigger Slack issued, once: a refused trigger is not opened, with Slack’s reason', async () => {
    const app = makeSlackApp({ api: api() });
    const spec = { form: 'note', caseId: 'c1', caseNumber: '00000001', subject: 's' } as const;
    expect(await app.workspace.openForm('1.2.made-up', spec)).toEqual({ opened: false, reason: 'invalid_trigger_id' });
    const { triggerId } = slack.clickButton({ user: users.ace!, channel: 'C1', messageTs: '1.1', actionId: 'swarm_note', value: 'c1' });
    expect(await app.workspace.openForm(triggerId, spec)).toEqual({ opened: true });
    expect(await app.workspace.openForm(triggerId, spec)).toEqual({ opened: false, reason: 'exchanged_trigger_id' });
  });

  it('lets any other Slack error through (a wrong token is ours to fix, not the person’s)', async () => {
    const app = makeSlackApp({ api: makeSlackWebApi({ baseUrl: slack.apiUrl, token: async () => 'xoxb-not-the-token' }) });
    await expect(app.workspace.openForm('1.2.made-up', { form: 'note', caseId: 'c1', caseNumber: '00000001', subject: 's' })).rejects.toMatchObject({
      code: 'invalid_auth',
    });
    slack.violations.length = 0;
  });
});

describe('the Web API client', () => {
  it('refuses with Slack’s error code, and the double records a wrong token as a violation', async () => {
    const bad = makeSlackWebApi({ baseUrl: slack.apiUrl, token: async () => 'xoxb-not-the-token' });
    await expect(bad.call('chat.postMessage', { channel: 'C1', text: 'x' })).rejects.toEqual(new SlackApiError('chat.postMessage', 'invalid_auth'));
    expect(slack.violations.splice(0)).toEqual(['chat.postMessage: wrong bot token']);
  });

  it('waits out a 429 once, then answers', async () => {
    let calls = 0;
    const waits: number[] = [];
    const client = makeSlackWebApi({
      token: async () => 'xoxb-test-token-123',
      sleep: async (ms) => {
        waits.push(ms);
      },
      fetch: async () => {
        calls++;
        return calls === 1
          ? new Response('', { status: 429, headers: { 'retry-after': '2' } })
          : new Response(JSON.stringify({ ok: true, ts: '1.2' }), { headers: { 'content-type': 'application/json' } });
      },
    });
    expect(await client.call('chat.postMessage', { channel: 'C1', text: 'x' })).toEqual({ ok: true, ts: '1.2' });
    expect(waits).toEqual([2000]);
  });

  it('posts to response URLs of Slack (or of the configured local Slack) only', () => {
    expect(isSlackResponseUrl('https://hooks.slack.com/actions/T1/2/abc')).toBe(true);
    expect(isSlackResponseUrl('http://hooks.slack.com/actions/T1/2/abc')).toBe(false);
    expect(isSlackResponseUrl('https://evil.example.com/actions')).toBe(false);
    expect(isSlackResponseUrl(`${slack.url}/respond/abc`, slack.apiUrl)).toBe(true);
    expect(isSlackResponseUrl('http://127.0.0.1:1/respond/abc', slack.apiUrl)).toBe(false);
  });
});
