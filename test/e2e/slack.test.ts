/**
 * Swarming in Slack, both ways, on the whole local stack (`--slack-api-url` pointed at the Slack
 * double of test/support/slack-double.ts, which checks every Web API call against Slack's reference
 * and signs its requests with real v0 HMAC over the raw body):
 *
 * - a swarm request with skills invites the right experts across pods into a channel of its own and
 *   tells the pod leads (in Slack, or by mail when Slack does not know them);
 * - a forged, stale or replayed Slack request is refused; a valid one acts, and a retried event acts once;
 * - a note, a customer reply and a resolution made from Slack appear on the case with the right actor;
 * - a Slack user who is not an agent, or an agent who may not, changes nothing and is told so;
 * - `/case` shows a case to whoever may read it; when the case closes the swarm closes and Slack hears it.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../functions/adapters/slack-signature.js';
import type { CaseRecord } from '../../functions/core/case.js';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { responseSchemas } from '../../functions/handlers/api/schemas.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';
import type { DoubleUser, SlackDouble } from '../support/slack-double.js';
import { startSlackDouble } from '../support/slack-double.js';

const agent = (id: string, skills: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  id,
  name: `${id[0]!.toUpperCase()}${id.slice(1)}`,
  email: `${id}@support.example.com`,
  capacity: { web: 5, email: 5 },
  skills,
  ...extra,
});

const CONFIG: RoutingConfigInput = {
  queues: [{ id: 'support', name: 'Support', members: ['olga'] }],
  territories: [{ id: 'everywhere', name: 'Everywhere', queue: 'support' }],
  agents: [
    agent('olga', { billing: 2 }),
    agent('pia', { billing: 4, network: 3 }),
    agent('lena', { billing: 3 }),
    agent('nico', { network: 5 }),
    agent('nils', { network: 3 }),
    agent('nora', {}),
    agent('hugo', { network: 5, hardware: 5 }),
    agent('ulf', { network: 4 }),
    agent('boss', {}, { roles: ['agent', 'manager'] }),
  ],
  pods: [
    { id: 'payments', name: 'Payments', lead: 'lena', members: ['olga', 'pia'], products: ['billing'] },
    { id: 'network', name: 'Network', lead: 'nora', members: ['nico', 'nils'], skills: ['network'] },
    { id: 'hardware', name: 'Hardware', lead: 'hugo', members: [], skills: ['hardware'] },
  ],
};

let slack: SlackDouble;
let stack: LocalStack;
let api: LocalClient;
let dataDir: string;
const u: Record<string, DoubleUser> = {};

beforeAll(async () => {
  slack = await startSlackDouble();
  // In Slack: everyone but nora (the network lead) and nils; and a guest who is no agent at all.
  for (const id of ['olga', 'pia', 'lena', 'nico', 'hugo', 'ulf', 'boss']) u[id] = slack.addUser({ email: `${id}@support.example.com`, name: id });
  u.guest = slack.addUser({ email: 'guest@partner.example.org', name: 'guest' });
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-slack-'));
  const configFile = join(dataDir, 'config.json');
  await writeFile(configFile, JSON.stringify(CONFIG));
  stack = await startLocalStack({
    port: 0,
    memory: true,
    dataDir,
    quiet: true,
    configFile,
    slack: { botToken: slack.botToken, signingSecret: slack.signingSecret, apiUrl: slack.apiUrl },
    webLimits: { perIp: 1000, perEmail: 1000 },
  });
  slack.setAppUrl(stack.url);
  const at = new Date().toISOString();
  for (const a of CONFIG.agents!) await stack.deps.agentStates.setPresence(a.id, 'online', at);
  api = await localClient(stack);
});

afterAll(async () => {
  await stack?.stop();
  await slack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  // Not one call Slack would have refused.
  expect(slack.violations).toEqual([]);
});

let n = 0;
async function webCase(): Promise<CaseRecord> {
  n++;
  const res = await api.call('POST', '/web-to-case', {
    json: {
      name: `Customer ${n}`,
      email: `customer${n}@example.org`,
      subject: `VPN drops every hour (${n})`,
      description: 'Since Monday.',
      product: 'billing',
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await stack.workflow.waitFor(res.body.caseId, { until: 'WaitForSlaDeadline' });
  const c = (await stack.deps.cases.get(res.body.caseId))!;
  expect(c.owner).toBe('olga');
  return c;
}

const detail = async (caseId: string) => (await api.call('GET', `/cases/${caseId}`, { as: 'boss' })).body;
const notes = async (caseId: string) => (await detail(caseId)).messages.filter((m: { direction: string }) => m.direction === 'internal');
/** Outbox files: `-mail-` for replies agents write, `-notice-` for notifications. */
const outboxFiles = async (kind: 'mail' | 'notice' = 'mail') =>
  (await readdir(join(dataDir, 'outbox')).catch(() => [] as string[])).filter((f) => f.includes(`-${kind}-`)).sort();

/** One swarm for the whole file: started by the owner with the skills it wants. */
let kase: CaseRecord;
let channel: string;
let summaryTs: string;

describe('a swarm request with skills', () => {
  it('invites the right experts across pods into a channel of its own and tells the pod leads', async () => {
    kase = await webCase();
    const mailBefore = await outboxFiles('notice');
    const res = await api.call('POST', `/cases/${kase.caseId}/swarm`, {
      as: 'olga',
      json: { skills: [{ skill: 'network', minLevel: 3 }], question: 'Is the VPN concentrator dropping idle sessions?', limit: 3 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    responseSchemas().SwarmResultSchema.parse(res.body);
    // Pia is in the owner's pod and meets the requirement: first, though Nico and Ulf know more.
    // Nico comes from the network pod, which holds the skill; Ulf from no pod; Hugo's hardware pod
    // does not hold it; Nils (network 3) is next in line.
    expect(res.body.invited.map((m: { agentId: string }) => m.agentId)).toEqual(['pia', 'nico', 'ulf']);
    expect(res.body.experts.map((e: { agentId: string; reach: string }) => [e.agentId, e.reach])).toEqual([
      ['pia', 'own_pod'],
      ['nico', 'other_pod'],
      ['ulf', 'no_pod'],
      ['nils', 'other_pod'],
    ]);
    expect(res.body.excluded).toContainEqual({ agentId: 'hugo', reason: 'in pod hardware, which holds none of network nor product billing' });
    expect(res.body.skillsFrom).toBe('request');
    // Lena hears in Slack about Pia; Nora, whom Slack does not know, by mail about Nico.
    expect(res.body.podLeads).toEqual([
      { podId: 'payments', podName: 'Payments', leadId: 'lena', experts: ['pia'], toldVia: 'chat' },
      { podId: 'network', podName: 'Network', leadId: 'nora', experts: ['nico'], toldVia: 'email' },
    ]);
    expect(res.body.notification).toEqual({ sent: true });

    // The channel: private, named after the case, with the experts, the owner and the app in it.
    const created = slack.channelNamed(`swarm-${kase.caseNumber}`)!;
    expect(created.isPrivate).toBe(true);
    expect([...created.members].sort()).toEqual(['UBOTCASEFLOW', u.pia!.id, u.nico!.id, u.ulf!.id, u.olga!.id].sort());
    channel = created.id;
    expect(res.body.swarm.chat).toMatchObject({ kind: 'slack', mode: 'channel', channel });
    summaryTs = res.body.swarm.chat.summaryTs;
    const summary = slack.messagesIn(channel).find((m) => m.ts === summaryTs)!;
    expect(JSON.stringify(summary.blocks)).toContain('Is the VPN concentrator dropping idle sessions?');
    expect(slack.messages.find((m) => m.channel === `D${u.lena!.id.slice(1)}`)?.text).toContain('Pia of your pod Payments was asked to help');
    const mails = (await outboxFiles('notice')).filter((f) => !mailBefore.includes(f));
    const toNora = await Promise.all(mails.map(async (f) => simpleParser(await readFile(join(dataDir, 'outbox', f)))));
    expect(toNora.map((m) => [m.to && 'value' in m.to ? m.to.value[0]!.address : '', m.subject])).toContainEqual([
      'nora@support.example.com',
      `[caseflow] Case ${kase.caseNumber}: Nico of Network asked to help`,
    ]);
    // Who resolved similar cases is looked at, and the events say who was told how.
    expect(res.body.reasons.some((r: string) => r.startsWith('looked at'))).toBe(true);
    const events = (await detail(kase.caseId)).events.map((e: { activity: string }) => e.activity);
    expect(events.filter((a: string) => a === 'pod_lead_told')).toHaveLength(2);
  });
});

describe("Slack's requests", () => {
  it('answer the URL verification challenge', async () => {
    const res = await slack.urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('are refused when forged, stale or replayed, and nothing reaches the case; a valid one acts once', async () => {
    const before = (await notes(kase.caseId)).length;
    const forged = slack.postMessage({ user: u.nico!.id, channel, text: 'forged' });
    expect((await forged.send({ secret: 'not-the-signing-secret' })).status).toBe(401);
    expect((await forged.send({ omitSignature: true })).status).toBe(401);
    const stale = slack.postMessage({ user: u.nico!.id, channel, text: 'stale' });
    expect((await stale.send({ timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    // A body changed after signing.
    const ts = Math.floor(Date.now() / 1000);
    const tampered = slack.postMessage({ user: u.nico!.id, channel, text: 'original' });
    const signature = signSlackRequest(slack.signingSecret, ts, tampered.body);
    expect((await slack.deliver('/slack/events', tampered.body.replace('original', 'tampered'), 'application/json', { timestamp: ts, signature })).status).toBe(
      401,
    );
    expect((await notes(kase.caseId)).length).toBe(before);

    // A valid one acts; the very same request again is a replay.
    const valid = slack.postMessage({ user: u.nico!.id, channel, text: 'The concentrator drops sessions idle for 60 min: raise the timeout.' });
    const sentAt = Math.floor(Date.now() / 1000);
    expect((await valid.send({ timestamp: sentAt })).status).toBe(200);
    expect((await valid.send({ timestamp: sentAt })).status).toBe(401);
    // Slack's own retry, after its three seconds (so a new timestamp and signature, the same event_id),
    // is acknowledged and not acted on twice.
    const retried = await slack.deliver('/slack/events', valid.body, 'application/json', { retry: 1, timestamp: sentAt + 3 });
    expect(retried.status).toBe(200);
    const after = await notes(kase.caseId);
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ from: 'nico', text: 'The concentrator drops sessions idle for 60 min: raise the timeout.' });
    const noted = (await detail(kase.caseId)).events.filter((e: { activity: string }) => e.activity === 'note_added').at(-1);
    expect(noted).toMatchObject({ actor: { kind: 'agent', id: 'nico' }, details: { role: 'swarm', via: 'slack' } });
  });

  it('ignore caseflow’s own posts and messages outside any swarm', async () => {
    const before = (await notes(kase.caseId)).length;
    expect((await slack.postMessage({ user: 'UBOTCASEFLOW', botId: 'B1', channel, text: 'a bot' }).send()).status).toBe(200);
    const elsewhere = slack.addChannel('random', { members: [u.nico!.id] });
    expect((await slack.postMessage({ user: u.nico!.id, channel: elsewhere.id, text: 'lunch?' }).send()).status).toBe(200);
    expect((await notes(kase.caseId)).length).toBe(before);
  });
});

describe('working the case from Slack', () => {
  it('a Slack user who is not an agent changes nothing and is told so, politely', async () => {
    const c = slack.channels.get(channel)!;
    c.members.add(u.guest!.id);
    const before = await detail(kase.caseId);
    expect((await slack.postMessage({ user: u.guest!.id, channel, text: 'can I help?' }).send()).status).toBe(200);
    const whisper = slack.messages.filter((m) => m.ephemeralFor === u.guest!.id).at(-1);
    expect(whisper?.text).toMatch(/^Sorry, I can't do that for you: your Slack account's email is not an agent's in caseflow/);
    const click = slack.clickButton({ user: u.guest!.id, channel, messageTs: summaryTs, actionId: 'swarm_resolve', value: kase.caseId });
    expect((await click.send()).status).toBe(200);
    expect(slack.responses.find((r) => r.url === click.responseUrl)?.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Sorry/) });
    expect(slack.views.filter((v) => v.user === u.guest!.id)).toEqual([]);
    const command = await slack.slashCommand({ user: u.guest!.id, channel, text: kase.caseNumber });
    expect(command.json).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Sorry/) });
    const after = await detail(kase.caseId);
    expect([after.version, after.status, after.messages.length]).toEqual([before.version, before.status, before.messages.length]);
  });

  it('an expert may note but not answer the customer: the reply button tells them why', async () => {
    const click = slack.clickButton({ user: u.nico!.id, channel, messageTs: summaryTs, actionId: 'swarm_reply', value: kase.caseId });
    expect((await click.send()).status).toBe(200);
    expect(slack.responses.find((r) => r.url === click.responseUrl)?.body.text).toBe(
      'only the owner, a manager or an admin may reply to the customer on this case',
    );
    expect(slack.views.filter((v) => v.triggerId === click.triggerId)).toEqual([]);

    const note = slack.clickButton({ user: u.nico!.id, channel, messageTs: summaryTs, actionId: 'swarm_note', value: kase.caseId });
    expect((await note.send()).status).toBe(200);
    const form = slack.views.find((v) => v.triggerId === note.triggerId)!;
    expect(form.view).toMatchObject({ type: 'modal', title: { text: 'Add a note' } });
    expect((await slack.submitView({ user: u.nico!.id, view: form.view, values: { text: 'Checked the logs: idle timeout 3600 s.' } })).status).toBe(200);
    expect((await notes(kase.caseId)).at(-1)).toMatchObject({ from: 'nico', text: 'Checked the logs: idle timeout 3600 s.' });
    expect(slack.messagesIn(channel).at(-1)!.text).toBe('Nico added a note:\n> Checked the logs: idle timeout 3600 s.');
  });

  it('the owner answers the customer through the reply form: the same mail and threading as the API', async () => {
    const click = slack.clickButton({ user: u.olga!.id, channel, messageTs: summaryTs, actionId: 'swarm_reply', value: kase.caseId });
    await click.send();
    const form = slack.views.find((v) => v.triggerId === click.triggerId)!;
    expect(JSON.stringify(form.view)).toContain(kase.contact.email);
    const before = await outboxFiles();
    const res = await slack.submitView({ user: u.olga!.id, view: form.view, values: { text: 'We found it: the VPN timeout is raised, please try again.' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [file] = (await outboxFiles()).filter((f) => !before.includes(f));
    const mail = await simpleParser(await readFile(join(dataDir, 'outbox', file!)));
    expect(mail.to).toMatchObject({ value: [{ address: kase.contact.email }] });
    expect(mail.subject).toMatch(new RegExp(`^Re: VPN drops every hour \\(\\d+\\) \\[CF-${kase.caseNumber}:[a-z2-7]{6}\\]$`));
    expect(mail.text?.trim()).toBe('We found it: the VPN timeout is raised, please try again.');
    const d = await detail(kase.caseId);
    expect(d.messages.at(-1)).toMatchObject({ direction: 'outbound', author: 'olga', text: 'We found it: the VPN timeout is raised, please try again.' });
    expect(d.events.find((e: { activity: string }) => e.activity === 'reply_sent')).toMatchObject({ actor: { kind: 'agent', id: 'olga' } });
  });

  it('/case shows the case to whoever may read it, and the same “no such case” to anyone else', async () => {
    const shown = await slack.slashCommand({ user: u.ulf!.id, channel, text: kase.caseNumber });
    expect(shown.status).toBe(200);
    expect(shown.json.response_type).toBe('ephemeral');
    expect(JSON.stringify(shown.json.blocks)).toContain(`Case ${kase.caseNumber}`);
    const hidden = await slack.slashCommand({ user: u.hugo!.id, channel, text: kase.caseNumber });
    const missing = await slack.slashCommand({ user: u.hugo!.id, channel, text: '99999999' });
    expect(hidden.json).toEqual({ response_type: 'ephemeral', text: `There is no case ${kase.caseNumber} that you may read.` });
    expect(missing.json).toEqual({ response_type: 'ephemeral', text: 'There is no case 99999999 that you may read.' });
  });

  it('joining and leaving from Slack', async () => {
    // Hugo has the network skill (his pod does not hold it, but he may volunteer).
    expect((await slack.clickButton({ user: u.hugo!.id, channel, messageTs: summaryTs, actionId: 'swarm_join', value: kase.caseId }).send()).status).toBe(200);
    expect((await detail(kase.caseId)).swarm.members.map((m: { agentId: string }) => m.agentId)).toContain('hugo');
    expect((await slack.clickButton({ user: u.hugo!.id, channel, messageTs: summaryTs, actionId: 'swarm_leave', value: kase.caseId }).send()).status).toBe(200);
    expect((await detail(kase.caseId)).swarm.members.map((m: { agentId: string }) => m.agentId)).not.toContain('hugo');
    expect(slack.messagesIn(channel).map((m) => m.text)).toEqual(expect.arrayContaining(['Hugo joined the swarm.', 'Hugo left the swarm.']));
  });

  it('closing needs a comment, as the status machine says; resolving closes the swarm, and Slack hears it', async () => {
    const close = slack.clickButton({ user: u.olga!.id, channel, messageTs: summaryTs, actionId: 'swarm_close', value: kase.caseId });
    await close.send();
    const closeForm = slack.views.find((v) => v.triggerId === close.triggerId)!;
    const refused = await slack.submitView({ user: u.olga!.id, view: closeForm.view, values: {} });
    expect(refused.json).toEqual({ response_action: 'errors', errors: { comment: 'A comment is required to close a case unresolved.' } });
    expect((await detail(kase.caseId)).status).not.toBe('closed_unresolved');

    // An expert may not resolve it either.
    const notYours = slack.clickButton({ user: u.pia!.id, channel, messageTs: summaryTs, actionId: 'swarm_resolve', value: kase.caseId });
    await notYours.send();
    expect(slack.responses.find((r) => r.url === notYours.responseUrl)?.body.text).toBe('only the owner, a manager or an admin may resolve this case');

    const resolve = slack.clickButton({ user: u.olga!.id, channel, messageTs: summaryTs, actionId: 'swarm_resolve', value: kase.caseId });
    await resolve.send();
    const form = slack.views.find((v) => v.triggerId === resolve.triggerId)!;
    expect((await slack.submitView({ user: u.olga!.id, view: form.view, values: { comment: 'Timeout raised; customer confirmed.' } })).status).toBe(200);
    const d = await detail(kase.caseId);
    expect(d.status).toBe('resolved');
    expect(d.swarm).toMatchObject({ status: 'closed', closedReason: 'case resolved' });
    expect(d.events.find((e: { activity: string }) => e.activity === 'resolved')).toMatchObject({
      actor: { kind: 'agent', id: 'olga' },
      details: { comment: 'Timeout raised; customer confirmed.' },
    });
    const c = slack.channels.get(channel)!;
    expect(c.archived).toBe(true);
    const summary = slack.messagesIn(channel).find((m) => m.ts === summaryTs)!;
    expect(JSON.stringify(summary.blocks)).not.toContain('swarm_resolve');
    expect(
      slack
        .messagesIn(channel)
        .filter((m) => !m.ephemeralFor)
        .at(-1)!.text,
    ).toBe(
      `Case ${kase.caseNumber} was resolved by olga:\n>Timeout raised; customer confirmed.\nThe swarm is closed and this channel is archived. Thank you all.`,
    );
    // The swarm's experts lost their access with it.
    expect((await api.call('GET', `/cases/${kase.caseId}`, { as: 'nico' })).status).toBe(403);
  });
});
