/**
 * Loop protection through the real SMTP listener, the real intake handler and DynamoDB Local: an
 * out-of-office reply, a null-sender notification or our own acknowledgement coming back is filed on
 * the case it answers without reopening it and without an acknowledgement; mail from the very
 * address it was sent to counts as ours; empty and binary-garbage messages go to review unanswered.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { EmailCaseFields, EmailMessage } from '../../functions/core/use-cases/receive-email.js';
import { createHandler } from '../../functions/handlers/intake-email.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { type SmtpIntake, startSmtpIntake, withLocalEmail } from '../../lib/local/smtp.js';
import { freshTable } from '../support/dynamo.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('email-loops');
let dataDir: string;
let deps: AppDeps;
let smtp: SmtpIntake;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-email-loops-'));
  const base = makeAppDeps({ table: db.table, alerts: { publish: async () => undefined }, workflow: { startCase: async () => undefined } });
  await base.configs.put(
    parseRoutingConfig(
      makeRoutingConfigInput({
        email: { fromAddress: 'support@caseflow.test', addresses: ['help@caseflow.test'], reopenWindow: 'P7D', acknowledgement: { maxPerSenderPerHour: 50 } },
      } as never),
    ),
    0,
    'test',
    new Date().toISOString(),
  );
  deps = (await withLocalEmail(base, dataDir)).deps;
  const intake = createHandler(deps);
  smtp = await startSmtpIntake({ dataDir, intake: (e) => intake(e), port: 0 });
});

afterAll(async () => {
  await smtp?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let counter = 0;
interface Status {
  status?: string;
  caseId?: string;
  detail?: string;
}

/** Sends raw bytes over SMTP with the given envelope; returns the status intake recorded for the message. */
async function sendRaw(raw: Buffer | string, envelope: { from: string; to: string[] }): Promise<Status> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const info = await transport.sendMail({ envelope, raw });
  transport.close();
  const id = /queued as (\S+)/.exec(info.response)![1]!;
  return readFile(join(dataDir, 'mail', 'status', `inbound__${id}.json`), 'utf8').then(
    (t) => JSON.parse(t) as Status,
    () => ({}),
  );
}

async function send(
  headers: Record<string, string>,
  body = 'Hello,\r\nplease help.\r\n',
  envelope = { from: 'bounces@customer.example', to: ['support@caseflow.test'] },
): Promise<Status> {
  const lines = Object.entries({
    'Message-ID': `<loop-${++counter}-${Date.now()}@customer.example>`,
    Date: new Date().toUTCString(),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return sendRaw(`${lines.join('\r\n')}\r\n\r\n${body}`, envelope);
}

async function outbox(): Promise<{ file: string; mail: ParsedMail }[]> {
  const files = (await readdir(join(dataDir, 'outbox')).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
  return Promise.all(
    files.map(async (file) => ({ file: join(dataDir, 'outbox', file), mail: await simpleParser(await readFile(join(dataDir, 'outbox', file))) })),
  );
}

async function acksFor(caseNumber: string) {
  return (await outbox()).filter((m) => m.mail.headers.get('x-caseflow-case') === caseNumber);
}

async function history(caseId: string) {
  const found = (await deps.cases.getWithHistory(caseId))!;
  return { case: found.case as CaseRecord & EmailCaseFields, messages: found.messages as EmailMessage[], activities: found.events.map((e) => e.activity) };
}

/** A customer's case, acknowledged, then resolved by an agent two days ago. */
async function resolvedCase(): Promise<{ c: CaseRecord; ack: { file: string; mail: ParsedMail } }> {
  const res = await send({ From: `Grace <grace${counter}@customer.example>`, To: 'support@caseflow.test', Subject: `Lost my badge ${counter}` });
  const c = (await history(res.caseId!)).case;
  const [ack] = await acksFor(c.caseNumber);
  expect(ack, 'the first message was acknowledged').toBeTruthy();
  const at = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const resolved = await deps.cases.update({ ...c, status: 'resolved', owner: 'alice', queue: 'support', updatedAt: at }, c.version, [
    {
      eventId: deps.ids.next(),
      caseId: c.caseId,
      activity: 'resolved',
      at,
      actor: { kind: 'agent', id: 'alice' },
      details: { from: 'in_progress', to: 'resolved' },
    },
  ]);
  return { c: resolved, ack: ack! };
}

async function expectFiledWithoutReopening(status: Status, c: CaseRecord, outboxBefore: number) {
  expect(status).toMatchObject({ caseId: c.caseId, detail: 'joined' });
  const after = await history(c.caseId);
  expect(after.case.status).toBe('resolved');
  expect(after.activities).toContain('automated_mail_received');
  expect(after.activities).not.toContain('reopened');
  expect(after.messages.filter((m) => m.kind === 'automated')).toHaveLength(1);
  expect((await outbox()).length, 'nothing was sent in answer').toBe(outboxBefore);
}

describe('machine-generated mail on a resolved case', () => {
  it('files an out-of-office reply (Auto-Submitted: auto-replied) to the acknowledgement without reopening the case', async () => {
    const { c, ack } = await resolvedCase();
    const before = (await outbox()).length;
    const reply = await send({
      From: c.contact.email,
      To: 'support@caseflow.test',
      Subject: `Out of Office: ${ack.mail.subject}`,
      'Auto-Submitted': 'auto-replied',
      'In-Reply-To': ack.mail.messageId!,
      References: ack.mail.messageId!,
    });
    await expectFiledWithoutReopening(reply, c, before);
  });

  it('files a reply that only carries X-Autoreply without reopening the case', async () => {
    const { c, ack } = await resolvedCase();
    const before = (await outbox()).length;
    const reply = await send(
      { From: c.contact.email, To: 'support@caseflow.test', Subject: `Re: ${ack.mail.subject}`, 'X-Autoreply': 'yes', 'In-Reply-To': ack.mail.messageId! },
      'I am away until Monday.\r\n',
    );
    await expectFiledWithoutReopening(reply, c, before);
  });

  it('files a reply sent with an empty envelope sender (MAIL FROM:<>) without reopening the case', async () => {
    const { c, ack } = await resolvedCase();
    const before = (await outbox()).length;
    const reply = await send(
      { From: c.contact.email, To: 'support@caseflow.test', Subject: `Re: ${ack.mail.subject}`, 'In-Reply-To': ack.mail.messageId! },
      'Thank you for your message.\r\n',
      { from: '', to: ['support@caseflow.test'] },
    );
    await expectFiledWithoutReopening(reply, c, before);
    expect((await history(c.caseId)).activities.filter((a) => a === 'automated_mail_received')).toHaveLength(1);
  });

  it('files our own acknowledgement mailed back to us from our own address without reopening the case', async () => {
    const { c, ack } = await resolvedCase();
    const before = (await outbox()).length;
    // The acknowledgement exactly as we sent it, delivered back to the support address (a forwarder, a misrouted alias).
    const back = await sendRaw(await readFile(ack.file), { from: 'support@caseflow.test', to: ['support@caseflow.test'] });
    await expectFiledWithoutReopening(back, c, before);
  });

  it('still reopens the case when the customer writes back themselves', async () => {
    const { c, ack } = await resolvedCase();
    const reply = await send({ From: c.contact.email, To: 'support@caseflow.test', Subject: `Re: ${ack.mail.subject}`, 'In-Reply-To': ack.mail.messageId! });
    expect(reply).toMatchObject({ caseId: c.caseId, detail: 'reopened' });
    expect((await history(c.caseId)).activities).toContain('reopened');
  });
});

describe('the addresses mail arrives at count as ours', () => {
  it('does not acknowledge mail whose From is the address it was sent to, though the configuration does not list it', async () => {
    const before = (await outbox()).length;
    const r = await send({ From: 'orders@caseflow.test', To: 'orders@caseflow.test', Subject: 'Automatic notice' }, 'An order notice.\r\n', {
      from: 'orders@caseflow.test',
      to: ['orders@caseflow.test'],
    });
    expect(r.detail).toBe('created');
    const h = await history(r.caseId!);
    expect(h.case.flags).toContain('from_ourselves');
    expect(h.activities).toContain('acknowledgement_skipped');
    expect((await outbox()).length).toBe(before);
  });

  it('counts every envelope recipient as ours: mail from one of them, sent to several of our addresses', async () => {
    const before = (await outbox()).length;
    const r = await send({ From: 'billing@caseflow.test', To: 'support@caseflow.test', Subject: 'Forwarded by a rule' }, 'Rule output.\r\n', {
      from: 'billing@caseflow.test',
      to: ['support@caseflow.test', 'billing@caseflow.test'],
    });
    expect((await history(r.caseId!)).case.flags).toContain('from_ourselves');
    expect((await outbox()).length).toBe(before);
  });

  it('still acknowledges a customer who writes to us, or to themselves with us in Bcc', async () => {
    for (const to of ['support@caseflow.test', 'pat@customer.example']) {
      const r = await send({ From: 'pat@customer.example', To: to, Subject: `A real question to ${to}` });
      expect((await history(r.caseId!)).activities, to).toContain('acknowledgement_sent');
    }
  });
});

describe('messages with nothing to read', () => {
  async function expectReviewedUnacknowledged(r: Status, flag: string) {
    expect(r.detail).toBe('created');
    const h = await history(r.caseId!);
    expect(h.case).toMatchObject({ status: 'needs_review', queue: 'review' });
    expect(h.case.flags).toContain(flag);
    expect(h.activities).toContain('sent_to_review');
    expect(h.activities).not.toContain('acknowledgement_sent');
    expect(await acksFor(h.case.caseNumber)).toHaveLength(0);
  }

  it('sends an empty message (headers, no subject, no text) to review, unacknowledged', async () => {
    const r = await sendRaw(`From: empty@customer.example\r\nTo: support@caseflow.test\r\nMessage-ID: <empty-${Date.now()}@customer.example>\r\n\r\n`, {
      from: 'empty@customer.example',
      to: ['support@caseflow.test'],
    });
    await expectReviewedUnacknowledged(r, 'empty');
  });

  it('sends a message that is nothing but an envelope to review, unacknowledged', async () => {
    const r = await sendRaw('\r\n', { from: 'probe@customer.example', to: ['support@caseflow.test'] });
    await expectReviewedUnacknowledged(r, 'empty');
  });

  it('sends binary garbage to review, unacknowledged', async () => {
    // A fixed pseudo-random byte sequence (a corrupted upload, a misdirected binary), after a From line.
    let x = 12345;
    const garbage = Buffer.from(
      Array.from({ length: 3_000 }, () => {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        return x >> 16 === 0x0a ? 0x20 : (x >> 16) & 0xff;
      }),
    );
    const r = await sendRaw(Buffer.concat([Buffer.from('From: garbage@customer.example\r\nSubject: \r\n\r\n'), garbage]), {
      from: 'garbage@customer.example',
      to: ['support@caseflow.test'],
    });
    await expectReviewedUnacknowledged(r, 'garbage');
  });
});

describe('notices about our mail that are not RFC 3464 reports', () => {
  async function acknowledgedCase() {
    const res = await send({ From: `Kenji <kenji${counter}@customer.example>`, To: 'support@caseflow.test', Subject: `Scanner jammed ${counter}` });
    const c = (await history(res.caseId!)).case;
    const [ack] = await acksFor(c.caseNumber);
    return { c, ack: ack!.mail };
  }

  it('files an Exim delay warning without a delivery-status part on the case, as a delay: no case, no reply, the address not suppressed', async () => {
    const { c, ack } = await acknowledgedCase();
    const before = (await outbox()).length;
    const warning = await send(
      {
        From: 'Mail Delivery System <Mailer-Daemon@mx1.hostingco.example>',
        To: 'support@caseflow.test',
        Subject: 'Warning: message 1kX9aB-0004Qz-7Y delayed 24 hours',
      },
      [
        'This message was created automatically by mail delivery software.',
        'A message that you sent has not yet been delivered to one or more of its',
        'recipients after more than 24 hours on the queue on mx1.hostingco.example.',
        '',
        'The address to which the message has not yet been delivered is:',
        '',
        `  ${c.contact.email}`,
        '    Delay reason: 451 4.7.1 Greylisted, please try again later',
        '',
        'No action is required on your part. Delivery attempts will continue for',
        'some time, and this warning may be repeated at intervals.',
        '',
        "------ This is a copy of the message's headers. ------",
        '',
        `Message-ID: ${ack.messageId}`,
        `Subject: ${ack.subject}`,
        '',
      ].join('\r\n'),
      { from: '', to: ['support@caseflow.test'] },
    );
    expect(warning).toMatchObject({ caseId: c.caseId, detail: 'bounce' });
    const h = await history(c.caseId);
    expect(h.activities).toContain('email_bounced');
    expect(h.case.status).toBe(c.status);
    expect((await outbox()).length).toBe(before);
    const contact = await deps.emailStore.getContact(c.contact.email);
    expect(contact?.bounces).toBe(1);
    expect(contact?.suppressed).toBeUndefined();
  });

  it('files a Japanese provider notice that only quotes the subject of our message, by its case token, and suppresses the address', async () => {
    const { c, ack } = await acknowledgedCase();
    const body = Buffer.from(`送信されたメールは宛先に届きませんでした。\n\n  ${c.contact.email}\n\n件名: ${ack.subject}\n`, 'utf8').toString('base64');
    const notice = await sendRaw(
      [
        'From: postmaster@mail.isp-jp.example',
        'To: support@caseflow.test',
        `Subject: =?UTF-8?B?${Buffer.from('メール送信エラー').toString('base64')}?=`,
        `Message-ID: <notice-${Date.now()}@mail.isp-jp.example>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        body,
      ].join('\r\n'),
      { from: '', to: ['support@caseflow.test'] },
    );
    expect(notice).toMatchObject({ caseId: c.caseId, detail: 'bounce' });
    expect((await deps.emailStore.getContact(c.contact.email))?.suppressed).toBeTruthy();
  });

  it('files a challenge-response request on the case, unanswered', async () => {
    const { c, ack } = await acknowledgedCase();
    const before = (await outbox()).length;
    const challenge = await send(
      {
        From: 'Sender Verification <verify@inbox-guard.example>',
        To: 'support@caseflow.test',
        Subject: 'Please verify your email address',
        'In-Reply-To': ack.messageId!,
      },
      'I use a challenge-response system to protect my inbox from spam. Your message is being held until you confirm that you are a human.\r\nClick the link below to verify: https://inbox-guard.example/v/1\r\n',
    );
    expect(challenge).toMatchObject({ caseId: c.caseId, detail: 'joined' });
    expect((await history(c.caseId)).messages.filter((m) => m.kind === 'automated')).toHaveLength(1);
    expect((await outbox()).length).toBe(before);
  });

  it('does not reopen a resolved case for an out-of-office written in Polish with no auto-reply header', async () => {
    const { c, ack } = await resolvedCase();
    const before = (await outbox()).length;
    const reply = await send(
      { From: c.contact.email, To: 'support@caseflow.test', Subject: `Odp: ${ack.mail.subject}`, 'In-Reply-To': ack.mail.messageId! },
      'Dzień dobry, jestem na urlopie do 19 września.\r\nW pilnych sprawach proszę o kontakt z biurem.\r\n',
    );
    await expectFiledWithoutReopening(reply, c, before);
  });
});
