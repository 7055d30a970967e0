/**
 * The agent API's use cases through the real api handler, against DynamoDB Local: replies threaded
 * the way email-to-case threads (and recorded so the customer's answer finds the case), notes,
 * priority changes with the SLA clock, reassignment with capacity moving atomically, swarms and
 * what swarm members may do, listing filters with pagination, phone cases, every status transition
 * of the status machine (docs/architecture.md#statuses), and If-Match on every write.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { staticThreadingKeys } from '../../functions/adapters/threading-keys.js';
import type { CaseRecord, CaseStatus } from '../../functions/core/case.js';
import { CASE_STATUSES, canTransition } from '../../functions/core/case.js';
import type { RoutingConfig, RoutingConfigInput } from '../../functions/core/config.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { findSubjectTokens, verifyToken } from '../../functions/core/email-threading.js';
import type { OutboundEmail } from '../../functions/core/ports/mail.js';
import type { SwarmAnnouncement } from '../../functions/core/ports/swarm.js';
import { startSla } from '../../functions/core/sla.js';
import { createHandler } from '../../functions/handlers/api.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import type { HttpResult } from '../../functions/http/api-gateway.js';
import { freshTable } from '../support/dynamo.js';
import { fixedClock, makeCase, makeMessage } from '../support/fixtures.js';
import { apiEvent, cognitoClaims, lambdaContext } from '../support/api-events.js';

const KEY = 'a-threading-key-of-32-characters!';
const db = await freshTable('agent-api');
const clock = fixedClock('2025-03-03T09:00:00.000Z');
const sent: OutboundEmail[] = [];
const announcements: SwarmAnnouncement[] = [];
const started: { caseId: string; generation?: number }[] = [];
const deps = makeAppDeps({
  table: db.table,
  clock,
  alerts: { publish: async () => undefined },
  workflow: { startCase: async (caseId, options) => void started.push({ caseId, ...(options?.generation ? { generation: options.generation } : {}) }) },
  // SES keeps our Message-ID in the MIME but puts its own on the wire: the fake does the same.
  mailer: {
    send: async (m) => {
      sent.push(m);
      return { messageId: m.messageId, providerMessageIds: [`0102019a${sent.length.toString().padStart(4, '0')}@eu-west-1.amazonses.com`] };
    },
  },
  threadingKeys: staticThreadingKeys([KEY]),
  swarmNotifier: { announce: async (a) => (announcements.push(a), { sent: true }) },
  caseLinkBase: 'https://support.example.com/cases',
});
const api = createHandler(deps);
const context = lambdaContext();

const CONFIG: RoutingConfigInput = {
  queues: [
    { id: 'support', name: 'Support', members: ['ann', 'cat', 'eve'] },
    { id: 'experts', name: 'Experts', members: ['dan'] },
  ],
  agents: [
    {
      id: 'ann',
      name: 'Ann',
      email: 'ann@example.com',
      roles: ['agent'],
      capacity: { email: 500, web: 500, phone: 500 },
      skills: { billing: 3 },
      languages: ['en'],
    },
    { id: 'bob', name: 'Bob', email: 'bob@example.com', roles: ['agent', 'manager'], capacity: { email: 500, web: 500, phone: 500 }, languages: ['en'] },
    {
      id: 'cat',
      name: 'Cat',
      email: 'cat@example.com',
      roles: ['agent'],
      capacity: { email: 1, web: 1, phone: 1 },
      skills: { lamps: 4 },
      languages: ['en', 'de'],
    },
    {
      id: 'dan',
      name: 'Dan',
      email: 'dan@example.com',
      roles: ['agent'],
      capacity: { email: 5, web: 5, phone: 1 },
      skills: { lamps: 5, hardware: 3 },
      languages: ['en'],
      tier: 3,
    },
    { id: 'eve', name: 'Eve', email: 'eve@example.com', roles: ['agent'], capacity: { email: 5, web: 5, phone: 1 }, skills: { lamps: 1 }, languages: ['en'] },
    { id: 'fay', name: 'Fay', email: 'fay@example.com', roles: ['agent'], capacity: { email: 5, web: 5, phone: 1 }, skills: { lamps: 5 }, languages: ['en'] },
  ],
  territories: [{ id: 'all', name: 'All', queue: 'support' }],
  rules: [
    {
      id: 'lamp-faults',
      when: { field: 'product', op: 'eq', value: 'lamps' },
      then: { route: { queue: 'support' }, requireSkills: [{ skill: 'hardware', minLevel: 2 }] },
    },
  ],
  slaPolicies: [{ id: 'standard', firstResponse: { critical: 'PT30M', high: 'PT1H', medium: 'PT4H', low: 'P1D' }, resolution: { medium: 'P3D', high: 'P1D' } }],
};
let config: RoutingConfig;

beforeAll(async () => {
  config = parseRoutingConfig(CONFIG);
  await deps.configs.put(config, 0, 'test', clock.iso());
  for (const id of ['ann', 'bob', 'cat', 'dan', 'eve']) await deps.agentStates.setPresence(id, 'online', clock.iso());
  await deps.agentStates.setPresence('fay', 'offline', clock.iso());
});

// ---------------------------------------------------------------------------------------------

const ROLES: Record<string, string[]> = { ann: ['agent'], bob: ['agent', 'manager'], cat: ['agent'], dan: ['agent'], eve: ['agent'], fay: ['agent'] };

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
}

async function call(
  method: string,
  path: string,
  options: { as?: string; json?: unknown; ifMatch?: number | string; query?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.ifMatch !== undefined) headers['if-match'] = typeof options.ifMatch === 'number' ? `"${options.ifMatch}"` : options.ifMatch;
  const event = apiEvent({
    method,
    path,
    headers,
    ...(options.query ? { query: options.query } : {}),
    ...(options.as ? { claims: cognitoClaims(options.as, ROLES[options.as] ?? ['agent']) } : {}),
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
  const result = (await api(event, context)) as HttpResult;
  return { status: result.statusCode ?? 200, headers: result.headers ?? {}, body: result.body ? JSON.parse(result.body) : undefined };
}

let seq = 0;
/**
 * A case as routing leaves it: in `support`, claimed by `owner` (capacity reserved) and moved to
 * `status`, with its SLA clock started and the customer's email as its first message.
 */
async function openCase(options: { owner?: string; status?: CaseStatus; overrides?: Partial<CaseRecord>; email?: boolean } = {}): Promise<CaseRecord> {
  seq++;
  const base = makeCase({
    channel: 'email',
    status: 'queued',
    queue: 'support',
    territory: 'all',
    subject: `Lamp ${seq} flickers`,
    contact: { email: `customer${seq}@example.org`, name: `Customer ${seq}` },
    product: 'lamps',
    createdAt: clock.iso(),
    updatedAt: clock.iso(),
    ...options.overrides,
  });
  const sla = startSla(base, config, clock.now(), 1).sla;
  const c: CaseRecord = { ...base, ...(sla ? { sla } : {}) };
  const first = makeMessage(c.caseId, {
    channel: c.channel,
    from: c.contact.email,
    subject: c.subject,
    at: c.createdAt,
    ...(options.email === false ? {} : { emailMessageId: `cust-${seq}@mail.example.org`, references: [`earlier-${seq}@mail.example.org`] }),
  } as never);
  const created = await deps.cases.create({ case: c, messages: [first], events: [] });
  expect(created.created).toBe(true);
  if (!options.owner) return c;
  const agent = config.agents.find((a) => a.id === options.owner)!;
  const claimed = await deps.assignments.claim({
    next: { ...c, status: 'assigned', owner: agent.id },
    expectedVersion: c.version,
    agentId: agent.id,
    channel: c.channel,
    capacity: agent.capacity[c.channel],
    at: clock.iso(),
    events: [],
    decisions: [
      {
        decisionId: `dec-${seq}`,
        caseId: c.caseId,
        at: clock.iso(),
        kind: 'assignment',
        outcome: agent.id,
        details: { rule: { id: 'lamp-faults' }, reasons: ['test'] },
      },
    ],
  });
  expect(claimed.claimed).toBe(true);
  const assigned = (claimed as { case: CaseRecord }).case;
  if (!options.status || options.status === 'assigned') return assigned;
  return deps.cases.update({ ...assigned, status: options.status }, assigned.version, []);
}

const load = async (agentId: string, channel: 'email' | 'web' = 'email') => (await deps.agentStates.get(agentId))?.load[channel] ?? 0;

// ---------------------------------------------------------------------------------------------

describe('replies to the customer', () => {
  it('threads the reply like email-to-case, records every id it is known by, and completes the first response', async () => {
    const c = await openCase({ owner: 'ann' });
    expect(c.sla?.milestones.first_response?.status).toBe('active');
    clock.advance(20 * 60_000);
    const before = sent.length;
    const res = await call('POST', `/cases/${c.caseId}/replies`, { as: 'ann', json: { text: 'Please try a new starter.' }, ifMatch: c.version });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(sent.length).toBe(before + 1);
    const mail = sent.at(-1)!;

    // The subject carries the signed token, verifiable with the threading key.
    expect(mail.subject).toMatch(/^Re: Lamp \d+ flickers \[CF-\d{8}:[a-z2-7]{6}\]$/);
    const [token] = findSubjectTokens(mail.subject);
    expect(token?.caseNumber).toBe(c.caseNumber);
    expect(verifyToken(token!, [KEY])).toBe(true);
    // In-Reply-To the customer's message; References keep theirs, then it, then the case's thread id.
    expect(mail.inReplyTo).toBe(`cust-${seq}@mail.example.org`);
    expect(mail.references).toEqual([`earlier-${seq}@mail.example.org`, `cust-${seq}@mail.example.org`, `case.${c.caseId.toLowerCase()}@caseflow.local`]);
    expect(mail.to).toEqual([{ address: c.contact.email, name: c.contact.name }]);
    expect(mail.from).toEqual({ address: 'support@caseflow.local', name: 'Ann (Support)' });
    expect(mail.text).toBe('Please try a new starter.');

    // Recorded: the message with both ids, and the lookups a customer's answer goes through.
    expect(res.body.message).toMatchObject({
      direction: 'outbound',
      channel: 'email',
      kind: 'reply',
      author: 'ann',
      emailMessageId: mail.messageId,
      providerMessageIds: [expect.stringMatching(/amazonses\.com$/)],
    });
    const ids = [mail.messageId, ...res.body.message.providerMessageIds, `case.${c.caseId.toLowerCase()}@caseflow.local`];
    const found = await deps.emailStore.findByMessageIds(ids);
    expect(found.filter((f) => f.direction === 'outbound').map((f) => f.caseId)).toEqual(ids.map(() => c.caseId));

    // The first reply takes the offer and meets the first-response milestone (20 min of PT4H).
    expect(res.body.case).toMatchObject({ status: 'in_progress', version: c.version + 1 });
    expect(res.headers.etag).toBe(`"${c.version + 1}"`);
    const detail = await call('GET', `/cases/${c.caseId}`, { as: 'ann' });
    expect(detail.body.sla.milestones.first_response).toMatchObject({ status: 'met', completedAt: clock.iso() });
    const activities = detail.body.events.map((e: { activity: string }) => e.activity);
    expect(activities).toEqual(expect.arrayContaining(['reply_sent', 'accepted', 'sla_milestone_met']));
    // Storage references never reach the caller.
    expect(JSON.stringify(detail.body.messages)).not.toMatch(/rawRef|htmlRef|textRef/);

    // A second reply is recorded too, moves the version, and completes nothing again.
    clock.advance(60_000);
    const again = await call('POST', `/cases/${c.caseId}/replies`, { as: 'ann', json: { text: 'Did it help?', subject: 'Your lamp [CF-00000001:abcdef]' } });
    expect(again.status).toBe(201);
    expect(sent.at(-1)!.subject).toMatch(/^Your lamp \[CF-\d{8}:[a-z2-7]{6}\]$/);
    expect(again.body.case.version).toBe(c.version + 2);
    const after = await call('GET', `/cases/${c.caseId}`, { as: 'ann' });
    expect(after.body.events.filter((e: { activity: string }) => e.activity === 'sla_milestone_met')).toHaveLength(1);
  });

  it('starts the thread on a web or phone case, and refuses what cannot or may not be sent', async () => {
    const web = await openCase({ owner: 'ann', status: 'in_progress', email: false, overrides: { channel: 'web' } });
    const ok = await call('POST', `/cases/${web.caseId}/replies`, { as: 'bob', json: { text: 'A manager answers.' } });
    expect(ok.status).toBe(201);
    expect(sent.at(-1)!.inReplyTo).toBeUndefined();
    expect(sent.at(-1)!.references).toEqual([`case.${web.caseId.toLowerCase()}@caseflow.local`]);

    const count = sent.length;
    const phone = await openCase({ owner: 'ann', status: 'in_progress', overrides: { channel: 'phone', contact: { email: '', phone: '+441234567890' } } });
    const noAddress = await call('POST', `/cases/${phone.caseId}/replies`, { as: 'ann', json: { text: 'hello' } });
    expect(noAddress).toMatchObject({ status: 409, body: { error: 'ConflictError', message: expect.stringContaining('call +441234567890 back') } });
    expect((await call('POST', `/cases/${web.caseId}/replies`, { as: 'cat', json: { text: 'not mine' } })).status).toBe(403);
    expect((await call('POST', `/cases/${web.caseId}/replies`, { as: 'ann', json: { text: 'stale' }, ifMatch: 1 })).status).toBe(412);
    expect((await call('POST', `/cases/${web.caseId}/replies`, { as: 'ann', json: {} })).body.fields).toEqual([{ field: 'text', message: 'is required' }]);
    const closed = await openCase({ owner: 'ann', status: 'resolved' });
    expect((await call('POST', `/cases/${closed.caseId}/replies`, { as: 'ann', json: { text: 'too late' } })).status).toBe(409);
    expect(sent.length).toBe(count);
  });
});

describe('internal notes', () => {
  it('lets everyone who may read the case add one; the customer never gets it; the version moves', async () => {
    const c = await openCase({ owner: 'ann', status: 'in_progress' });
    const mails = sent.length;
    const res = await call('POST', `/cases/${c.caseId}/notes`, { as: 'eve', json: { text: 'Seen this before: the starter.' }, ifMatch: c.version });
    expect(res.status).toBe(201);
    expect(res.body.note).toMatchObject({ direction: 'internal', from: 'eve', text: 'Seen this before: the starter.' });
    expect(res.body.case.version).toBe(c.version + 1);
    expect(res.headers.etag).toBe(`"${c.version + 1}"`);
    expect(sent.length).toBe(mails);
    const detail = await call('GET', `/cases/${c.caseId}`, { as: 'ann' });
    expect(detail.body.messages.map((m: { direction: string }) => m.direction)).toEqual(['inbound', 'internal']);
    expect(detail.body.events.at(-1)).toMatchObject({ activity: 'note_added', actor: { kind: 'agent', id: 'eve' }, details: { role: 'colleague' } });

    expect((await call('POST', `/cases/${c.caseId}/notes`, { as: 'dan', json: { text: 'not my queue' } })).status).toBe(403);
    expect((await call('POST', `/cases/${c.caseId}/notes`, { as: 'ann', json: { text: 'stale' }, ifMatch: c.version })).status).toBe(412);
    expect((await call('POST', `/cases/${c.caseId}/notes`, { as: 'ann', json: { text: '   ' } })).body.fields).toEqual([
      { field: 'text', message: 'must not be empty' },
    ]);
  });
});

describe('priority changes', () => {
  it('re-reads the SLA targets for the new level and records why', async () => {
    const c = await openCase({ owner: 'ann', status: 'in_progress' });
    expect(c.sla?.milestones.first_response?.target).toBe('PT4H');
    const res = await call('POST', `/cases/${c.caseId}/priority`, {
      as: 'ann',
      json: { priority: 'high', reason: 'the customer cannot work' },
      ifMatch: c.version,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ priority: 'high', version: c.version + 1 });
    expect(res.body.priorityRank).toBeUndefined(); // bookkeeping, not the contract
    const detail = await call('GET', `/cases/${c.caseId}`, { as: 'bob' });
    expect(detail.body.sla.milestones.first_response).toMatchObject({ target: 'PT1H' });
    expect(detail.body.events.map((e: { activity: string }) => e.activity)).toEqual(expect.arrayContaining(['priority_changed', 'sla_targets_recomputed']));
    expect(detail.body.events.find((e: { activity: string }) => e.activity === 'priority_changed').details).toEqual({
      from: 'medium',
      to: 'high',
      direction: 'raised',
      reason: 'the customer cannot work',
    });

    const unknown = await call('POST', `/cases/${c.caseId}/priority`, { as: 'ann', json: { priority: 'urgent', reason: 'x' } });
    expect(unknown).toMatchObject({ status: 400, body: { fields: [{ field: 'priority', message: expect.stringContaining('critical, high, medium, low') }] } });
    expect((await call('POST', `/cases/${c.caseId}/priority`, { as: 'ann', json: { priority: 'low' } })).body.fields).toEqual([
      { field: 'reason', message: 'is required' },
    ]);
    expect((await call('POST', `/cases/${c.caseId}/priority`, { as: 'eve', json: { priority: 'low', reason: 'x' } })).status).toBe(403);
    const closed = await openCase({ owner: 'ann', status: 'resolved' });
    expect((await call('POST', `/cases/${closed.caseId}/priority`, { as: 'bob', json: { priority: 'low', reason: 'x' } })).status).toBe(409);
  });
});

describe('reassignment', () => {
  it('to an agent: the case and the capacity move in one transaction, as an offer', async () => {
    const c = await openCase({ owner: 'ann', status: 'in_progress' });
    const [annBefore, eveBefore] = [await load('ann'), await load('eve')];
    const res = await call('POST', `/cases/${c.caseId}/reassign`, { as: 'ann', json: { agent: 'eve', reason: 'Eve knows this customer' }, ifMatch: c.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'assigned', owner: 'eve', version: c.version + 1 });
    expect([await load('ann'), await load('eve')]).toEqual([annBefore - 1, eveBefore + 1]);
    const detail = await call('GET', `/cases/${c.caseId}`, { as: 'eve' });
    expect(detail.body.events.map((e: { activity: string }) => e.activity)).toEqual(expect.arrayContaining(['reassigned', 'capacity_released']));
    expect(detail.body.events.find((e: { activity: string }) => e.activity === 'reassigned').details).toMatchObject({
      cause: 'manual',
      from: 'ann',
      to: 'eve',
      reason: 'Eve knows this customer',
    });
    // Ann no longer owns it.
    expect((await call('POST', `/cases/${c.caseId}/status`, { as: 'ann', json: { status: 'resolved' } })).status).toBe(403);
  });

  it('refuses an agent who cannot take the case now, and never exceeds capacity under concurrency', async () => {
    const offline = await openCase({ owner: 'ann', status: 'in_progress' });
    const res = await call('POST', `/cases/${offline.caseId}/reassign`, { as: 'bob', json: { agent: 'fay', reason: 'x' } });
    expect(res).toMatchObject({ status: 409, body: { message: expect.stringContaining('fay is offline') } });
    expect((await call('POST', `/cases/${offline.caseId}/reassign`, { as: 'bob', json: { agent: 'nobody', reason: 'x' } })).body.fields).toEqual([
      { field: 'agent', message: 'nobody is not a configured agent' },
    ]);
    expect((await call('POST', `/cases/${offline.caseId}/reassign`, { as: 'bob', json: { agent: 'eve', queue: 'support', reason: 'x' } })).body.fields).toEqual(
      [{ field: 'agent', message: 'name either an agent or a queue' }],
    );

    // Cat has email capacity 1: of three cases pushed to her at once, exactly one lands.
    expect(await load('cat')).toBe(0);
    const cases = await Promise.all([1, 2, 3].map(() => openCase({ owner: 'bob', status: 'in_progress' })));
    const results = await Promise.all(cases.map((c) => call('POST', `/cases/${c.caseId}/reassign`, { as: 'bob', json: { agent: 'cat', reason: 'lamps' } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(await load('cat')).toBe(1);
    const full = await call('POST', `/cases/${offline.caseId}/reassign`, { as: 'bob', json: { agent: 'cat', reason: 'x' } });
    expect(full).toMatchObject({ status: 409, body: { message: expect.stringContaining('no spare email capacity (1 of 1 in use)') } });
  });

  it('to a queue: pinned there and routed anew without the previous owner', async () => {
    const c = await openCase({ owner: 'ann', status: 'in_progress' });
    const annBefore = await load('ann');
    const res = await call('POST', `/cases/${c.caseId}/reassign`, { as: 'ann', json: { queue: 'experts', reason: 'needs an expert' }, ifMatch: c.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ queue: 'experts', status: 'assigned', owner: 'dan' });
    expect(await load('ann')).toBe(annBefore - 1);
    const stored = await deps.cases.get(c.caseId);
    expect(stored?.routing).toMatchObject({ pinnedQueue: 'experts', excludedAgents: ['ann'] });
    expect((await call('POST', `/cases/${c.caseId}/reassign`, { as: 'bob', json: { queue: 'nowhere', reason: 'x' } })).body.fields).toEqual([
      { field: 'queue', message: 'nowhere is not a configured queue' },
    ]);
    expect((await call('POST', `/cases/${c.caseId}/reassign`, { as: 'eve', json: { queue: 'support', reason: 'x' } })).status).toBe(403);
  });
});

describe('swarming', () => {
  it('invites the experts the finder ranks, lets them read and note, and closes with the case', async () => {
    // A web case: Cat's one email slot went to the concurrency test above, her web slot is free.
    const c = await openCase({ owner: 'ann', status: 'in_progress', overrides: { language: 'de', channel: 'web' } });
    const res = await call('POST', `/cases/${c.caseId}/swarm`, { as: 'ann', json: { limit: 2, note: 'Starter or ballast?' }, ifMatch: c.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Matched on the rule's hardware≥2 and the product's lamps: Dan has both; Cat speaks German; Fay is offline.
    expect(res.body.invited.map((m: { agentId: string }) => m.agentId)).toEqual(['dan', 'cat']);
    expect(res.body.experts.map((e: { agentId: string }) => e.agentId)).toEqual(['dan', 'cat', 'eve']);
    expect(res.body.excluded).toEqual(
      expect.arrayContaining([
        { agentId: 'ann', reason: 'owns the case' },
        { agentId: 'fay', reason: 'offline' },
      ]),
    );
    expect(res.body.reasons[0]).toContain('rule lamp-faults requires hardware≥2');
    expect(res.body.swarm).toMatchObject({ status: 'open', startedBy: 'ann', note: 'Starter or ballast?', members: [{ agentId: 'dan' }, { agentId: 'cat' }] });
    expect(res.body.case.owner).toBe('ann');
    expect(res.body.notification).toEqual({ sent: true });
    expect(announcements.at(-1)).toMatchObject({
      caseNumber: c.caseNumber,
      owner: { agentId: 'ann', name: 'Ann' },
      experts: [{ agentId: 'dan' }, { agentId: 'cat' }],
      link: `https://support.example.com/cases/${c.caseId}`,
    });

    // Dan is in another queue: the swarm lets him read and note, nothing more.
    expect((await call('GET', `/cases/${c.caseId}`, { as: 'dan' })).status).toBe(200);
    const note = await call('POST', `/cases/${c.caseId}/notes`, { as: 'dan', json: { text: 'Check the ballast first.' } });
    expect(note.status).toBe(201);
    expect((await call('POST', `/cases/${c.caseId}/status`, { as: 'dan', json: { status: 'resolved' } })).status).toBe(403);
    expect((await call('POST', `/cases/${c.caseId}/replies`, { as: 'dan', json: { text: 'hi' } })).status).toBe(403);
    expect((await call('POST', `/cases/${c.caseId}/swarm`, { as: 'dan', json: {} })).status).toBe(403);

    // Again while open: more experts, never the ones already in.
    const more = await call('POST', `/cases/${c.caseId}/swarm`, { as: 'bob' });
    expect(more.body.invited.map((m: { agentId: string }) => m.agentId)).toEqual(['eve']);
    expect(more.body.swarm.members.map((m: { agentId: string }) => m.agentId)).toEqual(['dan', 'cat', 'eve']);

    // Resolving closes the swarm: recorded, and Dan loses access.
    const resolved = await call('POST', `/cases/${c.caseId}/status`, { as: 'ann', json: { status: 'resolved' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body.swarm).toMatchObject({ status: 'closed', closedReason: 'case resolved' });
    expect((await call('GET', `/cases/${c.caseId}`, { as: 'dan' })).status).toBe(403);
    expect((await call('POST', `/cases/${c.caseId}/notes`, { as: 'dan', json: { text: 'late' } })).status).toBe(403);
    const history = await call('GET', `/cases/${c.caseId}`, { as: 'ann' });
    expect(history.body.events.map((e: { activity: string }) => e.activity)).toEqual(
      expect.arrayContaining(['swarm_started', 'swarm_notified', 'swarm_extended', 'swarm_closed']),
    );
    expect(history.body.decisions.filter((d: { kind: string }) => d.kind === 'swarm')).toHaveLength(2);
    expect((await call('POST', `/cases/${c.caseId}/swarm`, { as: 'ann' })).status).toBe(409);
  });
});

describe('listing', () => {
  it('filters by priority and channel on the index queries, and pages through the matches exactly once', async () => {
    const queue = 'experts';
    const made: CaseRecord[] = [];
    const mix: [string, 'email' | 'web' | 'phone'][] = [
      ['high', 'email'],
      ['low', 'web'],
      ['high', 'web'],
      ['medium', 'phone'],
      ['high', 'phone'],
      ['low', 'email'],
      ['high', 'email'],
      ['critical', 'web'],
      ['high', 'web'],
    ];
    for (const [priority, channel] of mix) {
      clock.advance(1000);
      const rank = ['critical', 'high', 'medium', 'low'].indexOf(priority);
      made.push(await openCase({ overrides: { queue, priority, priorityRank: rank, channel, status: 'queued' } }));
    }
    const pages = async (query: Record<string, string>) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const res = await call('GET', '/cases', { as: 'bob', query: { queue, limit: '2', ...query, ...(cursor ? { cursor } : {}) } });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        ids.push(...res.body.items.map((c: CaseRecord) => c.caseId));
        cursor = res.body.cursor;
        if (!cursor) break;
      }
      return ids;
    };
    const high = await pages({ priority: 'high', status: 'queued' });
    expect(new Set(high).size).toBe(high.length);
    expect(high.sort()).toEqual(
      made
        .filter((c) => c.priority === 'high')
        .map((c) => c.caseId)
        .sort(),
    );
    const highOrCriticalWeb = await pages({ priority: 'high,critical', channel: 'web' });
    expect(highOrCriticalWeb.sort()).toEqual(
      made
        .filter((c) => ['high', 'critical'].includes(c.priority) && c.channel === 'web')
        .map((c) => c.caseId)
        .sort(),
    );

    expect((await call('GET', '/cases', { as: 'bob', query: { priority: 'urgent' } })).body.fields).toEqual([
      { field: 'priority', message: 'urgent is not a configured level; use critical, high, medium, low' },
    ]);
    expect((await call('GET', '/cases', { as: 'bob', query: { channel: 'fax' } })).body.fields).toEqual([
      { field: 'channel', message: 'fax is not a channel; use email, web, phone, chat' },
    ]);
    // `owner=me`: the caller's own cases.
    const mine = await call('GET', '/cases', { as: 'ann', query: { owner: 'me', limit: '100' } });
    expect(mine.status).toBe(200);
    expect(mine.body.items.every((c: CaseRecord) => c.owner === 'ann')).toBe(true);
  });
});

describe('phone and walk-in cases', () => {
  it('are created by agents, go through the workflow, and are idempotent by key', async () => {
    const before = started.length;
    const body = {
      source: 'walk_in',
      subject: 'Lamp sparks',
      description: 'Brought the lamp to the counter.',
      contact: { name: 'Walk In', phone: '+44 20 7946 0000' },
      location: { country: 'GB', city: 'London' },
      product: 'lamps',
      idempotencyKey: 'counter-1',
    };
    const res = await call('POST', '/cases', { as: 'eve', json: body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ channel: 'phone', source: 'walk_in', status: 'new', contact: { email: '', phone: '+44 20 7946 0000', name: 'Walk In' } });
    expect(res.headers.location).toBe(`/cases/${res.body.caseId}`);
    expect(res.headers.etag).toBe('"1"');
    expect(started.slice(before)).toEqual([{ caseId: res.body.caseId }]);
    const replay = await call('POST', '/cases', { as: 'eve', json: body });
    expect(replay).toMatchObject({ status: 200, body: { caseId: res.body.caseId } });

    const detail = await deps.cases.getWithHistory(res.body.caseId);
    expect(detail?.messages[0]).toMatchObject({ direction: 'inbound', channel: 'phone', text: 'Brought the lamp to the counter.' });
    expect(detail?.events[0]).toMatchObject({
      activity: 'case_created',
      actor: { kind: 'agent', id: 'eve' },
      details: { channel: 'phone', source: 'walk_in' },
    });

    const noContact = await call('POST', '/cases', { as: 'eve', json: { subject: 's', description: 'd', contact: { name: 'x' } } });
    expect(noContact.body.fields).toEqual([{ field: 'contact.email', message: 'give an email or a phone number' }]);
    const email = await call('POST', '/cases', { as: 'eve', json: { channel: 'email', subject: 's', description: 'd', contact: { email: 'a@b.example' } } });
    expect(email.body.fields).toEqual([{ field: 'channel', message: expect.stringContaining('phone cases only') }]);
    const unknownField = await call('POST', '/cases', { as: 'eve', json: { subject: 's', description: 'd', contact: { email: 'a@b.example' }, owner: 'eve' } });
    expect(unknownField.body.fields).toEqual([{ field: 'owner', message: 'is not a known field' }]);
  });
});

describe('status changes along the status machine (docs/architecture.md#statuses)', () => {
  it('allows exactly the transitions of the status machine, each with its mandatory fields', async () => {
    const outcomes: string[] = [];
    for (const from of CASE_STATUSES) {
      for (const to of CASE_STATUSES) {
        const owned = !['new', 'queued', 'needs_review'].includes(from);
        const c = await openCase(owned ? { owner: 'bob', status: from } : { overrides: { status: from, ...(from === 'new' ? { queue: undefined } : {}) } });
        const body = {
          status: to,
          ...(to === 'closed_unresolved' ? { comment: 'could not reproduce' } : {}),
          ...(to === 'on_hold' ? { reason: 'waiting for parts' } : {}),
        };
        const res = await call('POST', `/cases/${c.caseId}/status`, { as: 'bob', json: body, ifMatch: c.version });
        const allowed = canTransition(from, to);
        if (allowed !== (res.status === 200)) outcomes.push(`${from} ▶ ${to}: ${res.status} ${JSON.stringify(res.body)}`);
        if (!allowed && res.status !== 409) outcomes.push(`${from} ▶ ${to}: expected 409, got ${res.status}`);
        if (!allowed) expect(res.body.error).toBe('InvalidTransitionError');
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('requires a closing comment for closed_unresolved and a reason for on_hold', async () => {
    const c = await openCase({ owner: 'bob', status: 'in_progress' });
    expect((await call('POST', `/cases/${c.caseId}/status`, { as: 'bob', json: { status: 'closed_unresolved' } })).body.fields).toEqual([
      { field: 'comment', message: 'is required to close a case unresolved' },
    ]);
    expect((await call('POST', `/cases/${c.caseId}/status`, { as: 'bob', json: { status: 'on_hold' } })).body.fields).toEqual([
      { field: 'reason', message: 'is required to put a case on hold' },
    ]);
    expect(
      (await call('POST', `/cases/${c.caseId}/status`, { as: 'bob', json: { status: 'on_hold', reason: 'parts', until: 'tomorrow' } })).body.fields,
    ).toEqual([{ field: 'until', message: 'must be an ISO timestamp' }]);
  });
});

describe('If-Match on every write', () => {
  it('answers 412 to a stale version and writes nothing', async () => {
    const writes: [string, (id: string) => string, unknown][] = [
      ['accept', (id) => `/cases/${id}/accept`, undefined],
      ['decline', (id) => `/cases/${id}/decline`, {}],
      ['status', (id) => `/cases/${id}/status`, { status: 'on_hold', reason: 'x' }],
      ['priority', (id) => `/cases/${id}/priority`, { priority: 'high', reason: 'x' }],
      ['notes', (id) => `/cases/${id}/notes`, { text: 'x' }],
      ['reassign', (id) => `/cases/${id}/reassign`, { queue: 'experts', reason: 'x' }],
      ['replies', (id) => `/cases/${id}/replies`, { text: 'x' }],
      ['swarm', (id) => `/cases/${id}/swarm`, {}],
    ];
    for (const [name, path, json] of writes) {
      const c = await openCase({ owner: 'ann', status: name === 'accept' || name === 'decline' ? 'assigned' : 'in_progress' });
      const res = await call('POST', path(c.caseId), { as: 'ann', ...(json !== undefined ? { json } : {}), ifMatch: c.version + 5 });
      expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(412);
      expect(res.body.error).toBe('PreconditionFailedError');
      expect((await deps.cases.get(c.caseId))?.version).toBe(c.version);
      const garbage = await call('POST', path(c.caseId), { as: 'ann', ...(json !== undefined ? { json } : {}), ifMatch: 'W/"abc"' });
      // Not an ETag this API issued: it cannot match, so 412 too (RFC 9110), and nothing is written.
      expect({ status: garbage.status, error: garbage.body.error }, name).toEqual({ status: 412, error: 'PreconditionFailedError' });
      expect((await deps.cases.get(c.caseId))?.version).toBe(c.version);
    }
  });
});
