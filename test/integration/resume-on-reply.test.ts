/**
 * The customer answered: a case on hold is back with its owner (docs/architecture.md#statuses).
 * Real parts throughout: mail through the SMTP listener of the local stack into the intake handler,
 * DynamoDB Local, and the real ASL file run by the local Step Functions runtime, which routed the case
 * and started its SLA clock. A reply by email and a message on the status page resume the case
 * through the status change an agent's resume makes (status in_progress, hold removed, `resumed` by
 * the customer, the SLA clock running again); an auto-reply does not, nor does any reply when the
 * configuration keeps holds; a delivery that died before the resume is finished by the redelivery,
 * once.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticThreadingKeys } from '../../functions/adapters/threading-keys.js';
import type { Principal } from '../../functions/core/authz.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { ACTIVITIES, type CaseEvent } from '../../functions/core/events.js';
import { signStatusToken } from '../../functions/core/status-link.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { makeUseCases } from '../../functions/composition/use-cases.js';
import { createHandler } from '../../functions/handlers/intake-email.js';
import { startSmtpIntake, withLocalEmail, type SmtpIntake } from '../../lib/local/smtp.js';
import type { LocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { makeLocalWorkflow } from '../../lib/local/stepfunctions/workflow.js';
import { freshTable } from '../support/dynamo.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('resume-on-reply');
const STATUS_KEY = 'a-status-link-key-of-32-characters';

const configInput = (resumeHeldCasesOnReply: boolean) =>
  makeRoutingConfigInput({
    queues: [{ id: 'support', name: 'Support', routing: 'least_busy', members: ['alice'] }],
    agents: [{ id: 'alice', name: 'Alice', email: 'alice@example.com', capacity: { email: 50, web: 50 } }],
    // Mail that says it is English belongs to the support queue, so the workflow routes it to alice.
    territories: [{ id: 'en', name: 'English', match: { languages: ['en'] }, queue: 'support' }],
    // Long targets: the clock only reacts to the changes below, never on its own during a run.
    slaPolicies: [{ id: 'standard', firstResponse: { medium: 'PT4H', high: 'PT4H', critical: 'PT4H', low: 'PT4H' }, resolution: { medium: 'P3D' } }],
    email: { fromAddress: 'support@caseflow.test', reopenWindow: 'P7D', resumeHeldCasesOnReply },
  } as never);

let configVersion = 0;
async function applyConfig(resumeHeldCasesOnReply: boolean) {
  await deps.configs.put(parseRoutingConfig(configInput(resumeHeldCasesOnReply)), configVersion++, 'resume-test', new Date().toISOString());
}

let workflow: LocalWorkflow | undefined;
const deps: AppDeps = makeAppDeps({
  table: db.table,
  alerts: { publish: async () => undefined },
  notifier: { notify: async () => undefined },
  workflow: { startCase: (caseId, o) => workflow!.starter.startCase(caseId, o) },
  statusLinks: { keys: staticThreadingKeys([STATUS_KEY]), pageBase: 'https://console.example.com/app/status' },
});
workflow = makeLocalWorkflow({ deps, retryIntervalOverrides: 5 });
const uc = makeUseCases(deps);
const alice: Principal = { agentId: 'alice', roles: ['agent'] };

let dataDir: string;
let smtp: SmtpIntake;
let intake: ReturnType<typeof createHandler>;
/** Fault injection: while set, the next case write of a resume fails as a crashed Lambda would. */
let failNextResume = false;
/** Fault injection: while set, runs just before the next case write of a resume (an agent's change racing it). */
let beforeNextResume: (() => Promise<void>) | undefined;
/** What the SMTP listener handed the intake, per raw message: a redelivery hands the same event again. */
const deliveries: unknown[] = [];

beforeAll(async () => {
  await applyConfig(true);
  await deps.agentStates.setPresence('alice', 'online', new Date().toISOString());
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-resume-'));
  const mail = (await withLocalEmail(deps, dataDir)).deps;
  const cases = new Proxy(mail.cases, {
    get(target, property, receiver) {
      if (property !== 'update') return Reflect.get(target, property, receiver);
      return async (...args: Parameters<AppDeps['cases']['update']>) => {
        const [next, , events] = args;
        if (failNextResume && events.some((e) => e.activity === ACTIVITIES.resumed) && next.status === 'in_progress') {
          failNextResume = false;
          throw new Error('injected: the Lambda died before the resume was written');
        }
        const race = beforeNextResume;
        if (race && events.some((e) => e.activity === ACTIVITIES.resumed)) {
          beforeNextResume = undefined;
          await race();
        }
        return target.update(...args);
      };
    },
  });
  intake = createHandler({ ...mail, cases });
  smtp = await startSmtpIntake({
    dataDir,
    intake: (event) => {
      deliveries.push(event);
      return intake(event);
    },
    port: 0,
  });
});

afterAll(async () => {
  await smtp?.stop();
  await workflow?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let counter = 0;
/** Sends a message through SMTP; resolves with how intake marked it (its case and outcome). */
async function send(headers: Record<string, string>): Promise<{ caseId?: string; detail?: string; messageId: string }> {
  const messageId = `<resume-${++counter}-${Date.now()}@customer.example>`;
  const lines = Object.entries({
    'Message-ID': messageId,
    Date: new Date().toUTCString(),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Language': 'en',
    From: 'ada@customer.example',
    To: 'support@caseflow.test',
    ...headers,
  });
  const raw = `${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\nHello,\r\nthe serial number is 4711.\r\n`;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from: 'ada@customer.example', to: ['support@caseflow.test'] }, raw });
    const id = /queued as (\S+)/.exec(info.response)![1]!;
    return { ...(await markOf(id)), messageId };
  } finally {
    transport.close();
  }
}

/** How intake marked the raw message; nothing when it failed before marking it (the message waits for its retry). */
async function markOf(id: string): Promise<{ caseId?: string; detail?: string; status?: string }> {
  try {
    return JSON.parse(await readFile(join(dataDir, 'mail', 'status', `inbound__${id}.json`), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

const stored = async (caseId: string): Promise<CaseRecord> => (await deps.cases.get(caseId))!;
const eventsOf = async (caseId: string): Promise<CaseEvent[]> => (await deps.cases.getWithHistory(caseId))!.events;

/** A case from an email, routed to alice by the real workflow (its SLA clock started), accepted and put on hold. */
async function heldCase(subject: string): Promise<{ caseId: string; messageId: string; held: CaseRecord }> {
  const first = await send({ Subject: subject });
  expect(first.detail).toBe('created');
  const caseId = first.caseId!;
  await workflow!.waitFor(caseId, { until: 'WaitForSlaDeadline' });
  expect(await stored(caseId)).toMatchObject({ status: 'assigned', owner: 'alice' });
  await uc.workCase.accept(alice, caseId);
  await uc.workCase.changeStatus(alice, caseId, { status: 'on_hold', reason: 'waiting for the customer', until: '2099-01-01T00:00:00.000Z' });
  const held = await stored(caseId);
  expect(held).toMatchObject({ status: 'on_hold', hold: { reason: 'waiting for the customer' } });
  expect(held.sla!.milestones.first_response).toMatchObject({ status: 'paused' });
  return { caseId, messageId: first.messageId, held };
}

const replyTo = (messageId: string, subject: string, extra: Record<string, string> = {}) =>
  send({ Subject: `Re: ${subject}`, 'In-Reply-To': messageId, References: messageId, ...extra });

/** The case is back with alice, in progress, without its hold, and its clock runs again from where it stopped. */
async function expectResumedByCustomer(caseId: string, held: CaseRecord, cause: string) {
  const after = await stored(caseId);
  expect(after).toMatchObject({ status: 'in_progress', owner: 'alice' });
  expect('hold' in after).toBe(false);
  const events = await eventsOf(caseId);
  const resumed = events.filter((e) => e.activity === ACTIVITIES.resumed);
  expect(resumed).toHaveLength(1);
  expect(resumed[0]).toMatchObject({
    actor: { kind: 'customer', id: 'ada@customer.example' },
    details: { from: 'on_hold', to: 'in_progress', cause },
  });
  // The clock: each milestone resumed in the same write, right after the status change that caused it,
  // with the time left at the pause; first response runs again, due that time after the resume.
  const clockResumed = events.filter((e) => e.activity === ACTIVITIES.slaResumed);
  expect(clockResumed.map((e) => e.details.milestone).sort()).toEqual(['first_response', 'resolution']);
  const at = events.indexOf(resumed[0]!);
  expect(events.slice(at + 1, at + 3)).toEqual(clockResumed);
  for (const e of clockResumed) expect(e.at).toBe(resumed[0]!.at);
  const left = held.sla!.milestones.first_response!.remainingMs!;
  expect(clockResumed.find((e) => e.details.milestone === 'first_response')!.details).toMatchObject({ status: 'in_progress', remainingMs: left });
  const clock = after.sla!.milestones.first_response!;
  expect(clock.status).not.toBe('paused');
  expect(clock.pausedAt).toBeUndefined();
  expect(clock.dueAt).toBe(new Date(Date.parse(resumed[0]!.at) + left).toISOString());
  expect(after.due).toBeUndefined();
}

describe('a reply by email to a case on hold', () => {
  it('resumes it: in_progress with its owner, the hold removed, `resumed` by the customer, the SLA clock running again', async () => {
    const { caseId, messageId, held } = await heldCase('The printer again');
    const reply = await replyTo(messageId, 'The printer again');
    expect(reply).toMatchObject({ caseId, detail: 'resumed' });
    await expectResumedByCustomer(caseId, held, 'customer_reply');
    // The reply is filed as the customer's message, and says why the case resumed.
    const received = (await eventsOf(caseId)).filter((e) => e.activity === ACTIVITIES.messageReceived).at(-1)!;
    expect(received.details).toMatchObject({ channel: 'email', reasons: expect.arrayContaining([expect.stringMatching(/resumes with its owner/)]) });
  });

  it('an auto-reply is filed for the record and leaves the case on hold', async () => {
    const { caseId, messageId } = await heldCase('Invoice copy');
    const reply = await replyTo(messageId, 'Invoice copy', { 'Auto-Submitted': 'auto-replied', Subject: 'Out of office: Re: Invoice copy' });
    expect(reply).toMatchObject({ caseId, detail: 'joined' });
    const after = await stored(caseId);
    expect(after).toMatchObject({ status: 'on_hold', hold: { reason: 'waiting for the customer' } });
    expect(after.sla!.milestones.first_response).toMatchObject({ status: 'paused' });
    const activities = (await eventsOf(caseId)).map((e) => e.activity);
    expect(activities).toContain(ACTIVITIES.automatedMailReceived);
    expect(activities).not.toContain(ACTIVITIES.resumed);
  });

  it('with email.resumeHeldCasesOnReply false, the reply is filed and the case keeps its hold', async () => {
    const { caseId, messageId } = await heldCase('Parts from the vendor');
    await applyConfig(false);
    try {
      const reply = await replyTo(messageId, 'Parts from the vendor');
      expect(reply).toMatchObject({ caseId, detail: 'joined' });
      const after = await stored(caseId);
      expect(after).toMatchObject({ status: 'on_hold', hold: { reason: 'waiting for the customer' } });
      expect(after.sla!.milestones.first_response).toMatchObject({ status: 'paused' });
      const events = await eventsOf(caseId);
      expect(events.map((e) => e.activity)).not.toContain(ACTIVITIES.resumed);
      const received = events.filter((e) => e.activity === ACTIVITIES.messageReceived).at(-1)!;
      expect(received.details).toMatchObject({ reasons: expect.arrayContaining([expect.stringMatching(/resumeHeldCasesOnReply is off/)]) });
    } finally {
      await applyConfig(true);
    }
  });

  it('a delivery that died before the resume is finished by the redelivery, once; a further redelivery changes nothing', async () => {
    const { caseId, messageId, held } = await heldCase('Scanner offline');
    failNextResume = true;
    // The first delivery files the reply (with its pending `resume` step) and dies before marking the
    // raw message: the listener keeps it for the retry.
    const crashed = await replyTo(messageId, 'Scanner offline');
    expect(crashed.detail).toBeUndefined();
    expect(failNextResume).toBe(false);
    const event = deliveries.at(-1)!;
    const afterCrash = await stored(caseId);
    expect(afterCrash.status).toBe('on_hold');
    expect((await eventsOf(caseId)).filter((e) => e.activity === ACTIVITIES.messageReceived)).toHaveLength(1);

    // Lambda's retry: the same object event again.
    const again = await intake(event);
    expect(again.results).toEqual([expect.objectContaining({ outcome: 'duplicate', caseId })]);
    await expectResumedByCustomer(caseId, held, 'customer_reply');
    expect((await eventsOf(caseId)).find((e) => e.activity === ACTIVITIES.resumed)!.details).toMatchObject({
      reasons: ['finishing the resume of an earlier delivery'],
    });

    // alice puts it on hold again; one more redelivery of that reply must not resume it a second time.
    await uc.workCase.changeStatus(alice, caseId, { status: 'on_hold', reason: 'waiting for the customer again' });
    const third = await intake(event);
    expect(third.results).toEqual([expect.objectContaining({ outcome: 'duplicate', caseId })]);
    expect(await stored(caseId)).toMatchObject({ status: 'on_hold', hold: { reason: 'waiting for the customer again' } });
    expect((await eventsOf(caseId)).filter((e) => e.activity === ACTIVITIES.resumed)).toHaveLength(1);
    // The reply was filed once.
    expect((await eventsOf(caseId)).filter((e) => e.activity === ACTIVITIES.messageReceived)).toHaveLength(1);
  });
});

describe('the case changes while the reply resumes it (a lost race)', () => {
  it('an agent changed something else meanwhile: the resume reads the case again and resumes it, once', async () => {
    const { caseId, messageId, held } = await heldCase('Toner order');
    // Another write moves the case's version between the resume's read and its write.
    beforeNextResume = async () => {
      const c = await stored(caseId);
      await deps.cases.update({ ...c, updatedAt: new Date().toISOString() }, c.version, []);
    };
    const reply = await replyTo(messageId, 'Toner order');
    expect(beforeNextResume).toBeUndefined();
    expect(reply).toMatchObject({ caseId, detail: 'resumed' });
    await expectResumedByCustomer(caseId, held, 'customer_reply');
  });

  it('an agent resolved it meanwhile: the reply is filed and the case stays resolved', async () => {
    const { caseId, messageId } = await heldCase('Cable length');
    beforeNextResume = async () => {
      await uc.workCase.changeStatus(alice, caseId, { status: 'resolved' });
    };
    const reply = await replyTo(messageId, 'Cable length');
    expect(beforeNextResume).toBeUndefined();
    expect(reply).toMatchObject({ caseId, detail: 'joined' });
    expect((await stored(caseId)).status).toBe('resolved');
    expect((await eventsOf(caseId)).map((e) => e.activity)).not.toContain(ACTIVITIES.resumed);
  });
});

describe("a message on the customer's status page to a case on hold", () => {
  it('resumes it as a reply by email does', async () => {
    const { caseId, held } = await heldCase('Login fails');
    const token = signStatusToken(caseId, new Date(Date.now() + 86_400_000), [STATUS_KEY]);
    const view = await uc.customerStatus.addMessage(token, 'I reset the password, still failing.', { clientIp: '198.51.100.7' });
    expect(view.status).toBe('in_progress');
    await expectResumedByCustomer(caseId, held, 'customer_message');
    expect((await eventsOf(caseId)).find((e) => e.activity === ACTIVITIES.resumed)!.details).toMatchObject({ via: 'status_page' });
  });

  it('leaves the hold when the configuration keeps holds', async () => {
    const { caseId } = await heldCase('Refund status');
    await applyConfig(false);
    try {
      const token = signStatusToken(caseId, new Date(Date.now() + 86_400_000), [STATUS_KEY]);
      const view = await uc.customerStatus.addMessage(token, 'Any news?', { clientIp: '198.51.100.8' });
      expect(view.status).toBe('waiting');
      expect(await stored(caseId)).toMatchObject({ status: 'on_hold', hold: { reason: 'waiting for the customer' } });
    } finally {
      await applyConfig(true);
    }
  });
});
