/**
 * SLA clocks and sweeps end to end on the local stack: cases arrive over HTTP, agents work them
 * through the agent API, the case lifecycle's SLA loop waits on its Wait state, and the sweep timer
 * runs every second. The stack runs on a virtual clock (lib/local/virtual-clock.ts) that the tests
 * move: nothing sleeps, each advance returns once the waits and sweeps it released have settled, and
 * every instant is asserted exactly. Targets are seconds (PT3S) on a 24×7 policy. Each scenario has a
 * territory and a queue of its own, so they do not see each other's cases. The stack starts on a
 * whole second and every advance is by whole seconds, so the sweeps (every second from the start)
 * run on whole seconds after each event.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutingConfigInput } from '../../functions/core/config.js';
import { alertsLogPath, outboxDir } from '../../lib/local/alerts.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import { makeVirtualClock } from '../../lib/local/virtual-clock.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';

const agent = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id[0]!.toUpperCase() + id.slice(1),
  email: `${id}@support.example`,
  capacity: { web: 5, email: 5 },
  languages: ['en'],
  ...extra,
});
const FAST = ['critical', 'high', 'medium', 'low'];
const targets = (iso: string) => Object.fromEntries(FAST.map((p) => [p, iso]));

const clock = makeVirtualClock();
/**
 * Carol's working day ends at this whole minute, 1–2 minutes after the clock starts (the scenarios
 * before hers use about 30 s of it). Her calendar is in the zone where that minute is 12:MM, so her
 * day (09:00–12:MM) has begun whatever the time of day the suite runs at.
 */
const SHIFT_END = Math.ceil(clock.now().getTime() / 60_000) * 60_000 + 60_000;
const shiftZoneOffset = (((12 - new Date(SHIFT_END).getUTCHours()) % 24) + 24) % 24;
const SHIFT_ZONE_HOURS = shiftZoneOffset > 12 ? shiftZoneOffset - 24 : shiftZoneOffset;
/** Etc/GMT zones count the other way: UTC+3 is Etc/GMT-3. */
const SHIFT_ZONE = SHIFT_ZONE_HOURS === 0 ? 'Etc/GMT' : `Etc/GMT${SHIFT_ZONE_HOURS > 0 ? '-' : '+'}${Math.abs(SHIFT_ZONE_HOURS)}`;
const SHIFT_END_LOCAL = `12:${String(new Date(SHIFT_END).getUTCMinutes()).padStart(2, '0')}`;
const carolsDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '09:00', end: SHIFT_END_LOCAL }]]));

const CONFIG: RoutingConfigInput = {
  priorities: FAST,
  territories: [
    { id: 'sla', name: 'Unanswered', match: { countries: ['GB'] }, queue: 'sla' },
    { id: 'hold', name: 'On hold', match: { countries: ['FR'] }, queue: 'hold' },
    { id: 'absent', name: 'Absent', match: { countries: ['DE'] }, queue: 'absent' },
    { id: 'offers', name: 'Offers', match: { countries: ['ES'] }, queue: 'offers' },
    { id: 'limits', name: 'Hold limits', match: { countries: ['IT'] }, queue: 'limits' },
    { id: 'shift', name: 'Shifts', match: { countries: ['NL'] }, queue: 'shift' },
  ],
  queues: [
    { id: 'sla', name: 'SLA', members: ['alice'] },
    { id: 'hold', name: 'Hold', members: ['hana'] },
    { id: 'absent', name: 'Absent', members: ['bob', 'ben'] },
    { id: 'offers', name: 'Offers', members: ['olga', 'oscar'] },
    { id: 'limits', name: 'Limits', members: ['lena'] },
    { id: 'shift', name: 'Shift', members: ['carol', 'dave'], reassignAtEndOfShift: true },
  ],
  businessHours: [{ id: 'carols-day', timezone: SHIFT_ZONE, weekly: carolsDay }],
  agents: [
    agent('alice', { supervisor: 'sam' }),
    agent('hana'),
    agent('bob'),
    agent('ben'),
    agent('olga'),
    agent('oscar'),
    agent('lena', { supervisor: 'sam' }),
    agent('carol', { businessHours: 'carols-day' }),
    agent('dave'),
    agent('sam', { roles: ['agent', 'manager'] }),
    agent('ada', { roles: ['admin', 'manager'], capacity: { web: 0 } }),
  ],
  slaPolicies: [
    {
      id: 'unanswered',
      when: { field: 'territory', op: 'eq', value: 'sla' },
      firstResponse: targets('PT3S'),
      resolution: targets('PT1H'),
      warnBefore: 'PT1S',
      escalation: [
        { after: 'PT0S', raisePriority: true, notify: ['owner', 'supervisor'] },
        { after: 'PT2S', notify: ['admins'] },
      ],
    },
    { id: 'held', when: { field: 'territory', op: 'eq', value: 'hold' }, firstResponse: targets('PT3S'), resolution: targets('PT1H') },
  ],
  sweeps: { acceptTimeout: 'PT3S', absentAfter: 'PT2S', onHoldMax: 'PT10S', relaxSkillsAfter: 'PT30M' },
};

let stack: LocalStack;
let api: LocalClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-sla-e2e-'));
  const configFile = join(dataDir, 'sla.config.json');
  await writeFile(configFile, JSON.stringify(CONFIG));
  stack = await startLocalStack({
    port: 0,
    memory: true,
    dataDir,
    quiet: true,
    configFile,
    clock,
    sweepEverySeconds: 1,
    webLimits: { perIp: 1000, perEmail: 1000 },
  });
  api = await localClient(stack);
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let n = 0;
async function submit(country: string): Promise<{ caseId: string; caseNumber: string }> {
  n++;
  const res = await api.call('POST', '/web-to-case', {
    json: {
      name: 'Customer',
      email: `customer${n}@example.org`,
      subject: `Request ${n}`,
      description: `Please help with request ${n}.`,
      country,
      language: 'en',
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function online(agentId: string, status: 'online' | 'offline' = 'online') {
  const res = await api.call('PUT', '/agents/me/presence', { as: agentId, json: { status } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function getCase(caseId: string) {
  const res = await api.call('GET', `/cases/${caseId}`, { as: 'ada' });
  expect(res.status).toBe(200);
  return res.body as {
    status: string;
    owner?: string;
    priority: string;
    version: number;
    updatedAt: string;
    createdAt: string;
    sla?: any;
    events: { activity: string; at: string; details: Record<string, any> }[];
  };
}

/** A new case from `country`, with the work it sets off settled: stamped, routed, offered, its SLA clock waiting. */
async function submitted(country: string) {
  const created = await submit(country);
  await clock.settle();
  return created;
}

async function post(path: string, as: string, json?: unknown) {
  const res = await api.call('POST', path, { as, ...(json !== undefined ? { json } : {}) });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

describe('SLA clocks and sweeps on the local stack', () => {
  it('a case nobody answers gets its warning, then its escalation; accepting it is not an answer', async () => {
    await online('alice');
    const { caseId, caseNumber } = await submitted('GB');
    const offered = await getCase(caseId);
    expect(offered.owner).toBe('alice');
    await post(`/cases/${caseId}/accept`, 'alice');

    // The breach is 3 s after creation, escalation level 2 two seconds after that.
    const created = Date.parse(offered.createdAt);
    await clock.advanceTo(created + 5000);
    const escalated = await getCase(caseId);
    const seq = escalated.events.filter((e) => ['accepted', 'sla_warning', 'sla_milestone_violated', 'sla_escalated'].includes(e.activity));
    expect(seq.map((e) => [e.activity, e.details.level ?? null])).toEqual([
      ['accepted', null],
      ['sla_warning', null],
      ['sla_milestone_violated', null],
      ['sla_escalated', 1],
      ['sla_escalated', 2],
    ]);
    const at = (activity: string, level?: number) =>
      Date.parse(seq.find((e) => e.activity === activity && (level === undefined || e.details.level === level))!.at) - created;
    // Warning a second before the 3 s target; the breach recorded at the due instant; level 2 two seconds later.
    expect(at('sla_warning')).toBe(2000);
    expect(seq.find((e) => e.activity === 'sla_milestone_violated')!.details.breachedAt).toBe(new Date(created + 3000).toISOString());
    expect(at('sla_milestone_violated')).toBe(3000);
    expect(at('sla_escalated', 2)).toBe(5000);
    expect(escalated.priority).toBe('high');
    expect(escalated.sla.milestones.first_response).toMatchObject({ status: 'violated', escalations: 2 });

    // The owner was warned, owner and supervisor told of the breach (outbox), admins at level 2 (alert log).
    const files = (await readdir(outboxDir(dataDir))).filter((f) => f.includes('-notice-'));
    const mails = await Promise.all(files.map(async (f) => simpleParser(await readFile(join(outboxDir(dataDir), f)))));
    const notices = mails.filter((m) => m.headers.get('x-caseflow-case-id') === caseId);
    expect(notices.length).toBeGreaterThanOrEqual(2);
    expect(
      notices.map((m) => [String(m.headers.get('x-caseflow-notification')), (m.to as { value: { address: string }[] }).value.map((v) => v.address).sort()]),
    ).toEqual(
      expect.arrayContaining([
        ['sla_warning', ['alice@support.example']],
        ['sla_escalation', ['alice@support.example', 'sam@support.example']],
      ]),
    );
    expect(notices.find((m) => String(m.headers.get('x-caseflow-notification')) === 'sla_warning')!.subject).toMatch(
      new RegExp(`^\\[caseflow\\] Case ${caseNumber}: first response due in`),
    );
    const alerts = (await readFile(alertsLogPath(dataDir), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { caseId?: string; subject: string });
    expect(alerts.filter((a) => a.caseId === caseId).map((a) => a.subject)).toEqual([`Case ${caseNumber}: first response escalated (level 2)`]);
  });

  it('a case on hold does not breach while on hold, and breaches later by exactly the time left', async () => {
    await online('hana');
    const { caseId } = await submitted('FR');
    expect((await getCase(caseId)).owner).toBe('hana');
    await post(`/cases/${caseId}/accept`, 'hana');
    // A second after it came in, hana puts it on hold: two of its three seconds are left.
    await clock.advanceBy(1000);
    const held = await post(`/cases/${caseId}/status`, 'hana', { status: 'on_hold', reason: 'waiting for the customer' });
    const left: number = held.sla.milestones.first_response.remainingMs;
    expect(held.sla.milestones.first_response.status).toBe('paused');
    expect(left).toBe(2000);

    // Four seconds on hold, past the 3 s target: no breach.
    await clock.advanceBy(4000);
    expect((await getCase(caseId)).events.map((e) => e.activity)).not.toContain('sla_milestone_violated');

    const resumed = await post(`/cases/${caseId}/status`, 'hana', { status: 'in_progress' });
    const due = Date.parse(resumed.updatedAt) + left;
    expect(resumed.sla.milestones.first_response.dueAt).toBe(new Date(due).toISOString());
    await clock.advanceTo(due);
    const breach = (await getCase(caseId)).events.find((e) => e.activity === 'sla_milestone_violated')!;
    expect(breach.details.breachedAt).toBe(new Date(due).toISOString());
    expect(breach.at).toBe(new Date(due).toISOString());
    // The resume moved the deadline earlier than what the execution waited for: a new generation took over.
    expect(stack.workflow.executions().map((e) => e.name)).toContain(`${caseId}-g2`);
  });

  it('an agent going offline has their cases reassigned after absentAfter', async () => {
    await online('bob');
    const { caseId } = await submitted('DE');
    expect((await getCase(caseId)).owner).toBe('bob');
    await post(`/cases/${caseId}/accept`, 'bob');
    await online('ben');
    await online('bob', 'offline');
    const wentOffline = clock.now().getTime();

    // The sweep a second later finds bob offline for 1 s; the one after, for 2 s: absent.
    await clock.advanceBy(1000);
    expect((await getCase(caseId)).owner).toBe('bob');
    await clock.advanceBy(1000);
    const moved = await getCase(caseId);
    expect(moved.owner).toBe('ben');
    const event = moved.events.find((e) => e.activity === 'reassigned')!;
    expect(event.details).toMatchObject({ cause: 'owner_absent', from: 'bob', fromStatus: 'in_progress' });
    expect(event.details.reason).toMatch(/^bob has been offline since .* \(longer than absentAfter PT2S\)$/);
    expect(Date.parse(event.at) - wentOffline).toBe(2000);
    expect(moved.status).toBe('assigned');
  });

  it('an offer nobody accepts moves on to the next agent, and not back', async () => {
    await online('olga');
    const { caseId } = await submitted('ES');
    const offered = await getCase(caseId);
    expect(offered.owner).toBe('olga');
    const offeredAt = Date.parse(offered.updatedAt);
    await online('oscar');

    // acceptTimeout is 3 s: the sweep at that instant takes the offer back and offers it to oscar.
    await clock.advanceTo(offeredAt + 2000);
    expect((await getCase(caseId)).owner).toBe('olga');
    await clock.advanceTo(offeredAt + 3000);
    const moved = await getCase(caseId);
    expect(moved.owner).toBe('oscar');
    const expired = moved.events.find((e) => e.activity === 'offer_expired')!;
    expect(expired.details).toMatchObject({ cause: 'accept_timeout', from: 'olga', excluded: 'olga' });
    expect(Date.parse(expired.at) - offeredAt).toBe(3000);
    expect(moved.status).toBe('assigned');

    // Oscar lets it lapse too: with both excluded it waits in its queue rather than bouncing back.
    await clock.advanceTo(offeredAt + 6000);
    const waiting = await getCase(caseId);
    expect(waiting.status).toBe('queued');
    expect(waiting.events.filter((e) => e.activity === 'offer_expired').map((e) => e.details.from)).toEqual(['olga', 'oscar']);
  });

  it("a case on hold past onHoldMax has its priority raised and its owner's supervisor told, once", async () => {
    await online('lena');
    const { caseId } = await submitted('IT');
    expect((await getCase(caseId)).owner).toBe('lena');
    await post(`/cases/${caseId}/accept`, 'lena');
    const held = await post(`/cases/${caseId}/status`, 'lena', { status: 'on_hold', reason: 'parts on order' });
    const heldAt = Date.parse(held.updatedAt);
    expect(held.priority).toBe('medium');

    // onHoldMax is 10 s: the sweep a second before leaves it alone, the one at 10 s acts.
    await clock.advanceTo(heldAt + 9000);
    expect((await getCase(caseId)).events.map((e) => e.activity)).not.toContain('on_hold_limit_exceeded');
    await clock.advanceTo(heldAt + 10_000);
    const escalated = await getCase(caseId);
    expect(escalated).toMatchObject({ status: 'on_hold', owner: 'lena', priority: 'high' });
    const exceeded = escalated.events.filter((e) => e.activity === 'on_hold_limit_exceeded');
    expect(exceeded.map((e) => e.at)).toEqual([new Date(heldAt + 10_000).toISOString()]);

    const files = (await readdir(outboxDir(dataDir))).filter((f) => f.includes('-notice-'));
    const mails = await Promise.all(files.map(async (f) => simpleParser(await readFile(join(outboxDir(dataDir), f)))));
    const notices = mails.filter((m) => m.headers.get('x-caseflow-case-id') === caseId);
    expect(
      notices.map((m) => [String(m.headers.get('x-caseflow-notification')), (m.to as { value: { address: string }[] }).value.map((v) => v.address).sort()]),
    ).toEqual([['on_hold_limit', ['lena@support.example', 'sam@support.example']]]);

    // Once: later sweeps leave it be.
    await clock.advanceBy(3000);
    expect((await getCase(caseId)).events.filter((e) => e.activity === 'on_hold_limit_exceeded')).toHaveLength(1);
  });

  it("at the end of carol's working day her open case goes to whoever is on, as her queue asks", async () => {
    expect(clock.now().getTime(), 'the scenarios before this one used more of the clock than planned').toBeLessThan(SHIFT_END - 10_000);
    await online('carol');
    const { caseId } = await submitted('NL');
    expect((await getCase(caseId)).owner).toBe('carol');
    await post(`/cases/${caseId}/accept`, 'carol');
    await online('dave');

    await clock.advanceTo(SHIFT_END - 1000);
    expect((await getCase(caseId)).owner).toBe('carol');
    await clock.advanceTo(SHIFT_END);
    const moved = await getCase(caseId);
    expect(moved).toMatchObject({ owner: 'dave', status: 'assigned' });
    const event = moved.events.find((e) => e.activity === 'reassigned')!;
    expect(event.at).toBe(new Date(SHIFT_END).toISOString());
    expect(event.details).toMatchObject({ cause: 'end_of_shift', from: 'carol', shiftEndedAt: new Date(SHIFT_END).toISOString() });
  });
});
