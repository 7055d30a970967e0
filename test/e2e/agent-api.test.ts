/**
 * Done-when of the agent API, on the whole local stack over HTTP (and SMTP for the customer):
 * an agent takes a case from assignment to resolution (list, get, accept, reply, note, hold,
 * resume, resolve) and the customer's answer to the reply lands in the case; a manager reassigns
 * and swarms, and Slack (a node:http server on 127.0.0.1 standing in for the incoming webhook)
 * receives the announcement; the swarm's expert reads and notes until the case closes.
 *
 * The demo configuration applies: luke, leia, han and anakin are online.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseSchemas } from '../../functions/handlers/api/schemas.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';

let stack: LocalStack;
let dataDir: string;
let api: LocalClient;
let slack: Server;
const slackPosts: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  slack = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      slackPosts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      // What Slack answers a good incoming-webhook post.
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  slack.listen(0, '127.0.0.1');
  await once(slack, 'listening');
  const slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T000/B000/secret`;

  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-agent-'));
  stack = await startLocalStack({
    port: 0,
    memory: true,
    dataDir,
    quiet: true,
    smtpPort: 0,
    slackWebhookUrl: slackUrl,
    webLimits: { perIp: 1000, perEmail: 1000 },
  });
  api = await localClient(stack);
});

afterAll(async () => {
  await stack?.stop();
  slack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let n = 0;
/** A customer submits the web form; resolves once the workflow has stamped and routed the case. */
async function webCase(fields: Record<string, string> = {}) {
  n++;
  const res = await api.call('POST', '/web-to-case', {
    json: {
      name: `Customer ${n}`,
      email: `customer${n}@example.org`,
      subject: `Invoice ${n} is wrong`,
      description: `Case body ${n}`,
      country: 'DE',
      product: 'billing',
      ...fields,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await stack.workflow.waitFor(res.body.caseId, { until: 'WaitForSlaDeadline' });
  const c = await stack.deps.cases.get(res.body.caseId);
  expect(c?.status).toBe('assigned');
  return c!;
}

const outboxMail = async () =>
  (await readdir(join(dataDir, 'outbox')).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error))))
    .filter((f) => f.includes('-mail-'))
    .sort();
const activities = (detail: { events: { activity: string }[] }) => detail.events.map((e) => e.activity);

describe('an agent works a case from assignment to resolution', () => {
  it('lists, gets, accepts, replies, notes, holds, resumes and resolves; the customer answers by email into the case', async () => {
    const c = await webCase();
    const agent = c.owner!;
    const loadBefore = (await stack.deps.agentStates.get(agent))!.load.web;

    // List: my cases (the case is there), then get it with its ETag.
    const mine = await api.call('GET', '/cases?owner=me&status=assigned', { as: agent });
    expect(mine.status).toBe(200);
    responseSchemas().CaseListSchema.parse(mine.body);
    expect(mine.body.items.map((i: { caseId: string }) => i.caseId)).toContain(c.caseId);
    const got = await api.call('GET', `/cases/${c.caseId}`, { as: agent });
    expect(got.status).toBe(200);
    responseSchemas().CaseDetailSchema.parse(got.body);
    let etag = got.headers.get('etag')!;
    // The version, and the history written since the case item was (docs/console.md#polling-and-etags).
    expect(etag).toMatch(new RegExp(`^"${got.body.version}(\\.[1-9][0-9]*)?"$`));

    // Accept with If-Match; the same ETag again is stale.
    const accepted = await api.call('POST', `/cases/${c.caseId}/accept`, { as: agent, ifMatch: etag });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.status).toBe('in_progress');
    expect((await api.call('POST', `/cases/${c.caseId}/notes`, { as: agent, ifMatch: etag, json: { text: 'stale' } })).status).toBe(412);
    etag = accepted.headers.get('etag')!;

    // Reply: a real email in the outbox, with the signed token, threaded on the case.
    const before = await outboxMail();
    const reply = await api.call('POST', `/cases/${c.caseId}/replies`, {
      as: agent,
      ifMatch: etag,
      json: { text: 'We have corrected the invoice; a new one is on its way.' },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    responseSchemas().ReplyResultSchema.parse(reply.body);
    etag = reply.headers.get('etag')!;
    const [file] = (await outboxMail()).filter((f) => !before.includes(f));
    const eml = await simpleParser(await readFile(join(dataDir, 'outbox', file!)));
    expect(eml.subject).toMatch(new RegExp(`^Re: Invoice \\d+ is wrong \\[CF-${c.caseNumber}:[a-z2-7]{6}\\]$`));
    expect(eml.to).toMatchObject({ value: [{ address: c.contact.email }] });
    expect(eml.text?.trim()).toBe('We have corrected the invoice; a new one is on its way.');
    expect(eml.messageId).toBe(`<${reply.body.message.emailMessageId}>`);
    expect(String(eml.headers.get('references'))).toContain(`case.${c.caseId.toLowerCase()}@`);

    // The customer answers the reply from their mail client: In-Reply-To our Message-ID.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: Number(stack.services.smtp!.info!.port), secure: false, ignoreTLS: true });
    await smtp.sendMail({
      from: c.contact.email,
      to: 'support@caseflow.local',
      subject: `AW: ${eml.subject}`,
      text: 'Thanks, received it.',
      inReplyTo: eml.messageId!,
      references: [eml.messageId!],
    });
    smtp.close();
    const afterAnswer = await api.call('GET', `/cases/${c.caseId}`, { as: agent });
    // The web-form case was acknowledged first (docs/web-form.md#acknowledgements), then the agent's reply.
    const conversation = afterAnswer.body.messages as { direction: string; text: string; kind?: string }[];
    expect(conversation.map((m) => m.kind ?? '')).toContain('acknowledgement');
    expect(conversation.filter((m) => m.kind !== 'acknowledgement').map((m) => [m.direction, m.text.trim()])).toEqual([
      ['inbound', `Case body ${n}`],
      ['outbound', 'We have corrected the invoice; a new one is on its way.'],
      ['inbound', 'Thanks, received it.'],
    ]);
    etag = afterAnswer.headers.get('etag')!;

    // A note, then on hold (a reason is required), resume, resolve.
    const note = await api.call('POST', `/cases/${c.caseId}/notes`, { as: agent, ifMatch: etag, json: { text: 'Customer confirmed receipt.' } });
    expect(note.status).toBe(201);
    responseSchemas().NoteResultSchema.parse(note.body);
    etag = note.headers.get('etag')!;
    const noReason = await api.call('POST', `/cases/${c.caseId}/status`, { as: agent, ifMatch: etag, json: { status: 'on_hold' } });
    expect(noReason).toMatchObject({ status: 400, body: { fields: [{ field: 'reason' }] } });
    const hold = await api.call('POST', `/cases/${c.caseId}/status`, {
      as: agent,
      ifMatch: etag,
      json: { status: 'on_hold', reason: 'waiting for the accounting run', until: '2030-01-01T09:00:00Z' },
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(200);
    const resume = await api.call('POST', `/cases/${c.caseId}/status`, { as: agent, ifMatch: hold.headers.get('etag')!, json: { status: 'in_progress' } });
    expect(resume.status).toBe(200);
    const resolved = await api.call('POST', `/cases/${c.caseId}/status`, {
      as: agent,
      ifMatch: resume.headers.get('etag')!,
      json: { status: 'resolved', comment: 'new invoice sent' },
    });
    expect(resolved.status).toBe(200);
    responseSchemas().CaseSchema.parse(resolved.body);
    expect(resolved.body.status).toBe('resolved');
    // A resolved case cannot go on hold (docs/architecture.md#statuses); its owner's capacity is back.
    expect((await api.call('POST', `/cases/${c.caseId}/status`, { as: agent, json: { status: 'on_hold', reason: 'x' } })).status).toBe(409);
    expect((await stack.deps.agentStates.get(agent))!.load.web).toBe(loadBefore - 1);

    const history = await api.call('GET', `/cases/${c.caseId}`, { as: agent });
    const log = activities(history.body);
    for (const activity of ['accepted', 'reply_sent', 'message_received', 'note_added', 'put_on_hold', 'resumed', 'resolved', 'capacity_released'])
      expect(log).toContain(activity);
    expect(log.indexOf('reply_sent')).toBeLessThan(log.indexOf('resolved'));
    expect(history.body.sla?.milestones?.first_response?.status).toMatch(/^met/);
  });
});

describe('a manager reassigns and swarms', () => {
  it('moves a case to another agent with its capacity, then to a queue', async () => {
    const c = await webCase();
    const from = c.owner!;
    const to = ['luke', 'leia', 'anakin', 'han'].find((a) => a !== from)!;
    const [fromLoad, toLoad] = [(await stack.deps.agentStates.get(from))!.load.web, (await stack.deps.agentStates.get(to))!.load.web];
    const moved = await api.call('POST', `/cases/${c.caseId}/reassign`, {
      as: 'mace',
      ifMatch: c.version,
      json: { agent: to, reason: `${to} handles this account` },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ owner: to, status: 'assigned' });
    expect((await stack.deps.agentStates.get(from))!.load.web).toBe(fromLoad - 1);
    expect((await stack.deps.agentStates.get(to))!.load.web).toBe(toLoad + 1);
    // The previous owner can no longer change it; the new one can accept it.
    expect((await api.call('POST', `/cases/${c.caseId}/accept`, { as: from })).status).toBe(403);
    expect((await api.call('POST', `/cases/${c.caseId}/accept`, { as: to })).status).toBe(200);

    const queued = await api.call('POST', `/cases/${c.caseId}/reassign`, { as: 'mace', json: { queue: 'general', reason: 'back to the pool' } });
    expect(queued.status, JSON.stringify(queued.body)).toBe(200);
    expect(queued.body.queue).toBe('general');
    expect(queued.body.owner).not.toBe(to);
  });

  it('swarms: ranked experts with reasons, the Slack webhook gets the announcement, experts read and note until the case closes', async () => {
    const c = await webCase({ subject: 'Refund stuck', product: 'billing' });
    // Anakin works apac and general, not emea (this case's queue): he cannot read it before the swarm.
    expect((await api.call('GET', `/cases/${c.caseId}`, { as: 'anakin' })).status).toBe(403);
    const posts = slackPosts.length;
    const res = await api.call('POST', `/cases/${c.caseId}/swarm`, {
      as: 'mace',
      ifMatch: c.version,
      json: { limit: 2, note: 'Refund blocked by the payment provider?' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    responseSchemas().SwarmResultSchema.parse(res.body);
    const invited: string[] = res.body.invited.map((m: { agentId: string }) => m.agentId);
    expect(invited.length).toBeGreaterThan(0);
    expect(invited).not.toContain(c.owner);
    for (const expert of res.body.experts) expect(expert.reasons.join(' ')).toMatch(/billing level \d/);
    expect(res.body.case.owner).toBe(c.owner);
    expect(res.body.notification).toEqual({ sent: true });

    // What the incoming webhook received: one JSON post with the blocks.
    expect(slackPosts.length).toBe(posts + 1);
    const post = slackPosts.at(-1)!;
    expect(post.path).toBe('/services/T000/B000/secret');
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(post.body);
    expect(payload.text).toContain(`Swarm on case ${c.caseNumber}: Refund stuck`);
    expect(payload.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'divider', 'section', 'actions', 'context']);
    expect(payload.blocks[0].text.text).toBe(`Swarm: case ${c.caseNumber}`);
    expect(JSON.stringify(payload.blocks[1])).toContain('Refund blocked by the payment provider?');
    const names = (await stack.deps.configs.getCurrent())!.config.agents;
    for (const id of invited) expect(payload.blocks[3].text.text).toContain(names.find((a) => a.id === id)!.name);
    expect(payload.blocks[4].elements[0].url).toBe(`${stack.url}/cases/${c.caseId}`);

    // An expert from outside the case's queue reads and notes thanks to the swarm; they may not work the case.
    const config = (await stack.deps.configs.getCurrent())!.config;
    const queueMembers = config.queues.find((q) => q.id === c.queue)!.members;
    const expert = invited.find((id) => !queueMembers.includes(id))!;
    expect(expert, `invited ${invited.join(', ')}; ${c.queue} has ${queueMembers.join(', ')}`).toBeDefined();
    expect((await api.call('GET', `/cases/${c.caseId}`, { as: expert })).status).toBe(200);
    expect((await api.call('POST', `/cases/${c.caseId}/notes`, { as: expert, json: { text: 'Seen it: resend the refund file.' } })).status).toBe(201);
    expect((await api.call('POST', `/cases/${c.caseId}/priority`, { as: expert, json: { priority: 'low', reason: 'x' } })).status).toBe(403);

    // The owner closes it unresolved (a comment is mandatory): the swarm closes, the expert is out.
    expect((await api.call('POST', `/cases/${c.caseId}/status`, { as: c.owner!, json: { status: 'closed_unresolved' } })).body.fields).toEqual([
      { field: 'comment', message: 'is required to close a case unresolved' },
    ]);
    const closed = await api.call('POST', `/cases/${c.caseId}/status`, {
      as: c.owner!,
      json: { status: 'closed_unresolved', comment: 'provider outage, refunded by hand' },
    });
    expect(closed.status).toBe(200);
    expect(closed.body.swarm).toMatchObject({ status: 'closed' });
    expect((await api.call('GET', `/cases/${c.caseId}`, { as: expert })).status).toBe(403);
    const log = activities((await api.call('GET', `/cases/${c.caseId}`, { as: 'mace' })).body);
    expect(log).toEqual(expect.arrayContaining(['swarm_started', 'swarm_notified', 'note_added', 'closed_unresolved', 'swarm_closed']));
  });

  it('opens a phone case that goes through the same workflow', async () => {
    const res = await api.call('POST', '/cases', {
      as: 'luke',
      json: {
        subject: 'Caller cannot log in',
        description: 'Locked out since this morning.',
        contact: { name: 'Caller', email: 'caller@example.org', phone: '+49 30 1234567' },
        location: { country: 'DE' },
        product: 'billing',
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get('location')).toBe(`/cases/${res.body.caseId}`);
    await stack.workflow.waitFor(res.body.caseId, { until: 'WaitForSlaDeadline' });
    const routed = await api.call('GET', `/cases/${res.body.caseId}`, { as: 'mace' });
    expect(routed.body).toMatchObject({ channel: 'phone', territory: 'dach', queue: 'emea', contact: { phone: '+49301234567' } });
    expect(['assigned', 'queued']).toContain(routed.body.status);
  });
});

describe('the OpenAPI document', () => {
  it('is served publicly at /openapi.json with this server as its base URL', async () => {
    const res = await api.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.servers).toEqual([{ url: stack.url }]);
    expect(Object.keys(res.body.paths)).toContain('/cases/{id}/swarm');
  });
});
