/**
 * A case carries its hold (`hold: { since, reason, until? }`) only while it is `on_hold`: every way
 * out of the hold removes it from the stored case (DynamoDB Local, read back with a fresh get): an
 * agent's change, a reassignment and a customer's reply (it resumes the case); the sweep's on-hold
 * limit leaves the case on hold and keeps it.
 * docs/architecture.md#statuses
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../functions/core/authz.js';
import type { CaseRecord, CaseStatus } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import { createHandler } from '../../functions/handlers/intake-email.js';
import { startSmtpIntake, withLocalEmail, type SmtpIntake } from '../../lib/local/smtp.js';
import { freshTable } from '../support/dynamo.js';
import { FIXED_START, fixedClock, makeCreateCommand, makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('hold-cleared');
const clock = fixedClock(FIXED_START);
const CONFIG = parseRoutingConfig(
  makeRoutingConfigInput({
    queues: [
      { id: 'support', name: 'Support', routing: 'least_busy', members: ['alice', 'bob'] },
      { id: 'billing', name: 'Billing', routing: 'least_busy', members: ['bob'] },
    ],
    agents: [
      { id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { web: 10, email: 10 }, supervisor: 'sam' },
      { id: 'bob', name: 'Bob', email: 'bob@example.com', capacity: { web: 10, email: 10 } },
      { id: 'sam', name: 'Sam', email: 'sam@example.com', roles: ['agent', 'manager'], capacity: { web: 10, email: 10 } },
    ],
    territories: [{ id: 'uk', name: 'UK', match: { countries: ['GB'] }, queue: 'support' }],
    sweeps: { acceptTimeout: 'PT5M', absentAfter: 'PT15M', onHoldMax: 'P3D', relaxSkillsAfter: 'PT30M' },
    email: { fromAddress: 'support@caseflow.test', addresses: ['help@caseflow.test'], reopenWindow: 'P7D' },
  } as never),
);

const deps: AppDeps = makeAppDeps({
  table: db.table,
  clock,
  alerts: { publish: async () => undefined },
  notifier: { notify: async () => undefined },
  workflow: { startCase: async () => undefined },
});
const uc = makeUseCases(deps);
const as = (agentId: string): Principal => ({ agentId, roles: ['agent'] });
const MANAGER: Principal = { agentId: 'sam', roles: ['agent', 'manager'] };

/** The stored case, read afresh. */
const stored = async (caseId: string): Promise<CaseRecord> => (await deps.cases.get(caseId))!;

/** A web case that alice works and has put on hold (through the status change an agent makes). */
async function heldByAlice(): Promise<CaseRecord> {
  const command = makeCreateCommand({
    status: 'queued',
    queue: 'support',
    territory: 'uk',
    channel: 'web',
    createdAt: clock.iso(),
    updatedAt: clock.iso(),
    account: undefined,
    contact: { email: `c-${Math.random().toString(36).slice(2)}@example.org` },
    routing: { excludedAgents: [], attempts: 0, queuedAt: clock.iso() },
  });
  const created = await deps.cases.create(command);
  if (!created.created) throw new Error('not created');
  return putOnHold(created.case);
}

/** Gives the case to alice (claimed, accepted) and puts it on hold; asserts the hold is stored. */
async function putOnHold(c: CaseRecord): Promise<CaseRecord> {
  const claimed = await deps.assignments.claim({
    next: { ...c, status: 'assigned', owner: 'alice', updatedAt: clock.iso() },
    expectedVersion: c.version,
    agentId: 'alice',
    channel: c.channel,
    capacity: 10,
    at: clock.iso(),
    events: [],
    decisions: [],
  });
  if (!claimed.claimed) throw new Error('not claimed');
  await uc.workCase.accept(as('alice'), c.caseId);
  await uc.workCase.changeStatus(as('alice'), c.caseId, { status: 'on_hold', reason: 'waiting for parts', until: '2025-03-10T09:00:00.000Z' });
  const held = await stored(c.caseId);
  expect(held).toMatchObject({ status: 'on_hold', hold: { since: clock.iso(), reason: 'waiting for parts', until: '2025-03-10T09:00:00.000Z' } });
  return held;
}

/** The raw stored item has no `hold` attribute at all (not an empty or null one). */
async function expectNoHoldAttribute(caseId: string, status: CaseStatus) {
  const c = await stored(caseId);
  expect(c.status).toBe(status);
  expect('hold' in c).toBe(false);
}

beforeAll(async () => {
  await deps.configs.put(CONFIG, 0, 'hold-test', clock.iso());
  for (const a of ['alice', 'bob', 'sam']) await deps.agentStates.setPresence(a, 'online', clock.iso());
});

describe('an agent changes the status of a held case', () => {
  for (const to of ['in_progress', 'resolved', 'closed_unresolved', 'queued', 'assigned'] as const) {
    it(`on_hold ▶ ${to}: the stored case has no hold`, async () => {
      const c = await heldByAlice();
      await uc.workCase.changeStatus(as('alice'), c.caseId, { status: to, ...(to === 'closed_unresolved' ? { comment: 'no answer' } : {}) });
      const after = await stored(c.caseId);
      expect(after.status).not.toBe('on_hold');
      expect('hold' in after).toBe(false);
    });
  }
});

describe('a held case is reassigned', () => {
  it('to an agent (one transaction moves it and the capacity): assigned, no hold', async () => {
    const c = await heldByAlice();
    const returned = await uc.caseUpdates.reassign(MANAGER, c.caseId, { agent: 'bob', reason: 'alice is away next week' });
    // What the API answers with is the case as written: no hold there either.
    expect(returned).toMatchObject({ status: 'assigned', owner: 'bob' });
    expect('hold' in returned).toBe(false);
    await expectNoHoldAttribute(c.caseId, 'assigned');
    expect((await stored(c.caseId)).owner).toBe('bob');
  });

  it('to a queue (the reassignment every sweep and SLA escalation uses): routed on, no hold', async () => {
    const c = await heldByAlice();
    await uc.caseUpdates.reassign(MANAGER, c.caseId, { queue: 'billing', reason: 'a billing question after all' });
    const after = await stored(c.caseId);
    expect(after.status).not.toBe('on_hold');
    expect(after.queue).toBe('billing');
    expect('hold' in after).toBe(false);
  });
});

describe('what leaves a case on hold keeps its hold', () => {
  it("the sweep's on-hold limit raises the priority; the case stays on hold with its hold", async () => {
    const c = await heldByAlice();
    clock.set(new Date(Date.parse(clock.iso()) + 3 * 86_400_000 + 1000).toISOString());
    const report = await uc.sweep({ parts: ['onHoldLimits'] });
    expect(report.onHoldLimits.filter((h) => h.caseId === c.caseId)).toEqual([expect.objectContaining({ escalated: true })]);
    const after = await stored(c.caseId);
    expect(after).toMatchObject({ status: 'on_hold', hold: { reason: 'waiting for parts' } });
  });
});

describe('the customer replies by email to a held case', () => {
  let dataDir: string;
  let smtp: SmtpIntake;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'caseflow-hold-'));
    // The intake runs on the wall clock, as it does in the local stack.
    const mail = (
      await withLocalEmail(
        makeAppDeps({ table: db.table, alerts: { publish: async () => undefined }, workflow: { startCase: async () => undefined } }),
        dataDir,
      )
    ).deps;
    const intake = createHandler(mail);
    smtp = await startSmtpIntake({ dataDir, intake: (e) => intake(e), port: 0 });
  });

  afterAll(async () => {
    await smtp?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  let counter = 0;
  async function send(headers: Record<string, string>): Promise<{ caseId?: string; detail?: string; messageId: string }> {
    const messageId = `<hold-${++counter}-${Date.now()}@customer.example>`;
    const lines = Object.entries({
      'Message-ID': messageId,
      Date: new Date().toUTCString(),
      'MIME-Version': '1.0',
      'Content-Type': 'text/plain; charset=utf-8',
      ...headers,
    });
    const raw = `${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\nHello,\r\nany news?\r\n`;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({ envelope: { from: 'ada@customer.example', to: ['support@caseflow.test'] }, raw });
    transport.close();
    const id = /queued as (\S+)/.exec(info.response)![1]!;
    const status = JSON.parse(await readFile(join(dataDir, 'mail', 'status', `inbound__${id}.json`), 'utf8')) as { caseId?: string; detail?: string };
    return { ...status, messageId };
  }

  it('files the reply and resumes the case: in_progress with its owner, no hold', async () => {
    const first = await send({ From: 'ada@customer.example', To: 'support@caseflow.test', Subject: 'The printer again' });
    expect(first.detail).toBe('created');
    const created = await stored(first.caseId!);
    await putOnHold({ ...created, queue: 'support', territory: 'uk' });

    const reply = await send({
      From: 'ada@customer.example',
      To: 'support@caseflow.test',
      Subject: 'Re: The printer again',
      'In-Reply-To': first.messageId,
      References: first.messageId,
    });
    expect(reply).toMatchObject({ caseId: first.caseId, detail: 'resumed' });
    const history = await deps.cases.getWithHistory(first.caseId!);
    expect(history!.events.map((e) => e.activity)).toEqual(expect.arrayContaining(['message_received', 'resumed']));
    expect(history!.case).toMatchObject({ status: 'in_progress', owner: 'alice' });
    await expectNoHoldAttribute(first.caseId!, 'in_progress');
  });
});
