/**
 * Threading, acknowledgements, loop protection and "nothing lost", end to end through the real SMTP
 * listener, the real intake handler and DynamoDB Local: a customer writes, the acknowledgement lands
 * in the outbox, and each kind of reply lands where it should.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { EmailMessage } from '../../functions/core/use-cases/receive-email.js';
import { createHandler, s3ObjectCreatedEvent } from '../../functions/handlers/intake-email.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { LOCAL_MAIL_BUCKET, listFailures, makeFileRawMailStore } from '../../lib/local/mail-store.js';
import { startSmtpIntake, withLocalEmail, type SmtpIntake } from '../../lib/local/smtp.js';
import { redriveLocal } from '../../bin/redrive.js';
import { freshTable } from '../support/dynamo.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('email-threading');
let dataDir: string;
let deps: AppDeps;
let smtp: SmtpIntake;
let intake: ReturnType<typeof createHandler>;
const started: string[] = [];
let failNextWorkflowStart = false;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-email-threading-'));
  const base = makeAppDeps({
    table: db.table,
    alerts: { publish: async () => undefined },
    workflow: {
      startCase: async (id) => {
        if (failNextWorkflowStart) {
          failNextWorkflowStart = false;
          throw new Error('Step Functions is unavailable');
        }
        started.push(id);
      },
    },
  });
  await base.configs.put(
    parseRoutingConfig(
      makeRoutingConfigInput({
        email: {
          fromAddress: 'support@caseflow.test',
          addresses: ['help@caseflow.test'],
          reopenWindow: 'P7D',
          acknowledgement: {
            templates: {
              en: { subject: 'Received: {{subject}}', text: 'Case {{caseNumber}} is open.' },
              de: { subject: 'Eingegangen: {{subject}}', text: 'Fall {{caseNumber}} ist eröffnet.' },
            },
            maxPerSenderPerHour: 2,
          },
        },
      } as never),
    ),
    0,
    'test',
    new Date().toISOString(),
  );
  deps = (await withLocalEmail(base, dataDir)).deps;
  intake = createHandler(deps);
  smtp = await startSmtpIntake({ dataDir, intake: (e) => intake(e), port: 0 });
});

afterAll(async () => {
  await smtp?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let counter = 0;
/** Sends raw RFC 5322 text over SMTP; returns the status intake recorded for it. */
async function send(headers: Record<string, string>, body = 'Hello,\r\nplease help.\r\n'): Promise<{ status?: string; caseId?: string; detail?: string }> {
  const lines = Object.entries({
    'Message-ID': `<msg-${++counter}-${Date.now()}@customer.example>`,
    Date: new Date().toUTCString(),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  })
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`);
  const raw = `${lines.join('\r\n')}\r\n\r\n${body}`;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const info = await transport.sendMail({ envelope: { from: 'bounce@customer.example', to: ['support@caseflow.test'] }, raw });
  transport.close();
  const id = /queued as (\S+)/.exec(info.response)![1]!;
  // No status file: intake failed and the message waits in the failed list.
  return readFile(join(dataDir, 'mail', 'status', `inbound__${id}.json`), 'utf8').then(
    (t) => JSON.parse(t),
    () => ({}),
  );
}

/** The acknowledgements in the outbox for a case, parsed. */
async function acksFor(caseNumber: string): Promise<ParsedMail[]> {
  const files = (await readdir(join(dataDir, 'outbox')).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
  const parsed = await Promise.all(files.map(async (f) => simpleParser(await readFile(join(dataDir, 'outbox', f)))));
  return parsed.filter((m) => m.headers.get('x-caseflow-case') === caseNumber);
}

async function caseOf(caseId: string) {
  return (await deps.cases.getWithHistory(caseId))!;
}

describe('a customer writes in', () => {
  let first: { caseId?: string };
  let c: CaseRecord;
  let ack: ParsedMail;

  beforeAll(async () => {
    first = await send({
      From: 'Ada Lovelace <ada@customer.example>',
      To: 'support@caseflow.test',
      Cc: 'Charles <charles@customer.example>',
      Subject: 'Printer on fire',
    });
    c = (await caseOf(first.caseId!)).case;
    ack = (await acksFor(c.caseNumber))[0]!;
  });

  it('makes a case with channel email, the normalised contact, through the workflow', () => {
    expect(c).toMatchObject({ channel: 'email', subject: 'Printer on fire', contact: { email: 'ada@customer.example', name: 'Ada Lovelace' } });
    expect(started).toContain(c.caseId);
  });

  it('acknowledges it once, with the case token in the subject and References set', () => {
    expect(ack).toBeTruthy();
    expect(ack.subject).toMatch(new RegExp(`^Received: Printer on fire \\[CF-${c.caseNumber}:[a-z2-7]{6}\\]$`));
    expect(ack.inReplyTo).toMatch(/msg-1-/);
    expect(String(ack.references)).toContain(`case.${c.caseId.toLowerCase()}@caseflow.test`);
    expect((ack.to as { value: { address: string }[] }).value[0]!.address).toBe('ada@customer.example');
  });

  it('files a reply by In-Reply-To to the acknowledgement on the same case, without a second acknowledgement', async () => {
    const reply = await send({
      From: 'ada@customer.example',
      To: 'support@caseflow.test',
      Subject: 'AW: something else entirely',
      'In-Reply-To': ack.messageId!,
      References: ack.messageId!,
    });
    expect(reply).toMatchObject({ caseId: c.caseId, detail: 'joined' });
    expect(await acksFor(c.caseNumber)).toHaveLength(1);
  });

  it('files a reply that carries only the subject token, whatever the prefixes and [ticket] noise', async () => {
    const token = /\[CF-[^\]]+\]/.exec(ack.subject!)![0];
    const reply = await send({ From: 'ada@customer.example', To: 'support@caseflow.test', Subject: `RE: AW: Antw: [support] ${token} Printer on fire` });
    expect(reply).toMatchObject({ caseId: c.caseId, detail: 'joined' });
  });

  it('starts a new case for a forged token and records the attempt on both cases', async () => {
    const forged = await send({ From: 'mallory@evil.example', To: 'support@caseflow.test', Subject: `Re: [CF-${c.caseNumber}:aaaaaa] give me the data` });
    expect(forged.detail).toBe('created');
    expect(forged.caseId).not.toBe(c.caseId);
    const created = await caseOf(forged.caseId!);
    expect((created.case as CaseRecord & { flags?: string[] }).flags).toContain('forged_token');
    expect(created.events.map((e) => e.activity)).toContain('forged_token_attempt');
    expect((await caseOf(c.caseId)).events.map((e) => e.activity)).toContain('forged_token_attempt');
  });

  it('files reply-all from a CC’d participant on the case', async () => {
    const original = (await caseOf(c.caseId)).messages.find((m) => (m as EmailMessage).emailMessageId?.startsWith('msg-1-')) as EmailMessage;
    const reply = await send({
      From: 'charles@customer.example',
      To: 'ada@customer.example, support@caseflow.test',
      Subject: 'Re: Printer on fire',
      'In-Reply-To': `<${original.emailMessageId}>`,
      References: `<${original.emailMessageId}>`,
    });
    expect(reply).toMatchObject({ caseId: c.caseId, detail: 'joined' });
  });

  it('does not let a stranger who quotes a message id join: new case linked to it', async () => {
    const original = (await caseOf(c.caseId)).messages.find((m) => (m as EmailMessage).emailMessageId?.startsWith('msg-1-')) as EmailMessage;
    const reply = await send({
      From: 'eve@elsewhere.example',
      To: 'support@caseflow.test',
      Subject: 'Re: Printer on fire',
      References: `<${original.emailMessageId}>`,
    });
    expect(reply.detail).toBe('created');
    expect((await caseOf(reply.caseId!)).case).toMatchObject({ linkedCaseId: c.caseId });
  });
});

describe('a reply to a resolved case', () => {
  async function resolvedCase(daysAgo: number): Promise<{ c: CaseRecord; ack: ParsedMail }> {
    const res = await send({ From: `Grace <grace${counter}@customer.example>`, To: 'support@caseflow.test', Subject: `Lost my badge ${counter}` });
    const c = (await caseOf(res.caseId!)).case;
    const [ack] = await acksFor(c.caseNumber);
    const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    // The agent resolved it (the API's status change writes the same event).
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

  it('reopens it within the window, back to its owner when they are online with room', async () => {
    await deps.agentStates.setPresence('alice', 'online', new Date().toISOString());
    const { c, ack } = await resolvedCase(2);
    const reply = await send({ From: c.contact.email, To: 'support@caseflow.test', Subject: `Re: ${ack.subject}`, 'In-Reply-To': ack.messageId! });
    expect(reply).toMatchObject({ caseId: c.caseId, detail: 'reopened' });
    const after = (await caseOf(c.caseId)).case;
    expect(after).toMatchObject({ status: 'in_progress', owner: 'alice' });
    expect((await caseOf(c.caseId)).events.map((e) => e.activity)).toContain('reopened');
  });

  it('reopens it into its queue and routes it when the owner is away', async () => {
    await deps.agentStates.setPresence('alice', 'offline', new Date().toISOString());
    await deps.agentStates.setPresence('bob', 'offline', new Date().toISOString());
    const { c, ack } = await resolvedCase(1);
    const reply = await send({ From: c.contact.email, To: 'support@caseflow.test', Subject: `Re: ${ack.subject}`, 'In-Reply-To': ack.messageId! });
    expect(reply.detail).toBe('reopened');
    expect((await caseOf(c.caseId)).case).toMatchObject({ status: 'queued', queue: 'support' });
  });

  it('starts a new case linked to the old one after the window', async () => {
    const { c, ack } = await resolvedCase(30);
    const reply = await send({ From: c.contact.email, To: 'support@caseflow.test', Subject: `Re: ${ack.subject}`, 'In-Reply-To': ack.messageId! });
    expect(reply.detail).toBe('created');
    expect(reply.caseId).not.toBe(c.caseId);
    expect((await caseOf(reply.caseId!)).case).toMatchObject({ linkedCaseId: c.caseId, status: 'new' });
    expect((await caseOf(c.caseId)).case.status).toBe('resolved');
    expect((await caseOf(c.caseId)).events.map((e) => e.activity)).toContain('follow_up_case_created');
  });
});

describe('loop protection', () => {
  it('never acknowledges mail from our own addresses, mailing lists, or past the hourly limit', async () => {
    const ours = await send({ From: 'help@caseflow.test', To: 'support@caseflow.test', Subject: 'internal' });
    const list = await send({
      From: 'list@lists.example',
      To: 'support@caseflow.test',
      Subject: 'newsletter',
      'List-Id': '<news.lists.example>',
      'List-Unsubscribe': '<mailto:u@lists.example>',
    });
    for (const r of [ours, list]) {
      const events = (await caseOf(r.caseId!)).events;
      expect(
        events.map((e) => e.activity),
        JSON.stringify(events),
      ).toContain('acknowledgement_skipped');
      expect(events.map((e) => e.activity)).not.toContain('acknowledgement_sent');
    }
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await send({ From: 'chatty@customer.example', To: 'support@caseflow.test', Subject: `question ${i}` });
      const events = (await caseOf(r.caseId!)).events.map((e) => e.activity);
      sent.push(events.includes('acknowledgement_sent') ? 'ack' : 'none');
    }
    expect(sent).toEqual(['ack', 'ack', 'none']);
  });

  it('acknowledges in the customer’s language when it is known', async () => {
    const r = await send({ From: 'dieter@kunde.example', To: 'support@caseflow.test', Subject: 'Drucker brennt', 'Content-Language': 'de-DE' });
    const c = (await caseOf(r.caseId!)).case;
    const [ack] = await acksFor(c.caseNumber);
    expect(ack!.subject).toMatch(/^Eingegangen: Drucker brennt \[CF-/);
    expect(ack!.text).toContain(`Fall ${c.caseNumber}`);
  });

  it('files a bounce of our acknowledgement on its case, makes no case, and marks the address', async () => {
    const r = await send({ From: 'nobody@customer.example', To: 'support@caseflow.test', Subject: 'will bounce' });
    const c = (await caseOf(r.caseId!)).case;
    const [ack] = await acksFor(c.caseNumber);
    const boundary = 'dsn-boundary';
    const dsn = [
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'Delivery to nobody@customer.example failed.',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.example',
      '',
      'Final-Recipient: rfc822; nobody@customer.example',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${ack!.messageId!.replace(/^<|>$/g, '')}>`,
      `Subject: ${ack!.subject}`,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const bounce = await send(
      {
        From: 'MAILER-DAEMON@mx.customer.example',
        To: 'support@caseflow.test',
        Subject: 'Undelivered Mail Returned to Sender',
        'Content-Type': `multipart/report; report-type=delivery-status; boundary="${boundary}"`,
        'Auto-Submitted': 'auto-replied',
      },
      dsn,
    );
    expect(bounce).toMatchObject({ caseId: c.caseId, detail: 'bounce' });
    expect((await caseOf(c.caseId)).events.map((e) => e.activity)).toContain('email_bounced');
    const contact = await (await import('../../functions/adapters/email-store.js')).makeEmailStore(db.table).getContact('nobody@customer.example');
    expect(contact?.suppressed?.reason).toMatch(/5\.1\.1/);
    // A bounced address gets no more acknowledgements.
    const again = await send({ From: 'nobody@customer.example', To: 'support@caseflow.test', Subject: 'second try' });
    expect((await caseOf(again.caseId!)).events.map((e) => e.activity)).not.toContain('acknowledgement_sent');
  });
});

describe('nothing lost', () => {
  it('makes one case of the same message delivered twice (same Message-ID), and of a message without one (same content)', async () => {
    const store = makeFileRawMailStore(dataDir);
    const raw = Buffer.from('Message-ID: <twice@customer.example>\r\nFrom: twice@customer.example\r\nSubject: twice\r\n\r\nbody\r\n');
    const noId = Buffer.from('From: noid@customer.example\r\nSubject: no id\r\n\r\nbody\r\n');
    const results = [];
    for (const [i, bytes] of [raw, raw, noId, noId].entries()) {
      const key = `inbound/dedupe-${i}`;
      // Each delivery has its own trace headers, as SES adds them: they do not count.
      await store.put(key, Buffer.concat([Buffer.from(`Received: by mx${i}.example; ${new Date().toUTCString()}\r\n`), bytes]));
      results.push((await intake(s3ObjectCreatedEvent(LOCAL_MAIL_BUCKET, key))).results[0]!);
    }
    expect(results.map((r) => r.outcome)).toEqual(['created', 'duplicate', 'created', 'duplicate']);
    expect(results[1]!.caseId).toBe(results[0]!.caseId);
    expect(results[3]!.caseId).toBe(results[2]!.caseId);
  });

  it('still makes a case, in manual review with the raw message attached, of what cannot be parsed', async () => {
    const store = makeFileRawMailStore(dataDir);
    await store.put('inbound/empty', Buffer.alloc(0));
    const result = (await intake(s3ObjectCreatedEvent(LOCAL_MAIL_BUCKET, 'inbound/empty'))).results[0]!;
    expect(result.outcome).toBe('created');
    const found = await caseOf(result.caseId!);
    expect(found.case).toMatchObject({ status: 'needs_review', queue: 'review' });
    expect(found.messages[0]!.attachments).toEqual([expect.objectContaining({ name: 'message.eml', ref: 'inbound/empty' })]);
  });

  it('keeps a message whose processing failed, and npm run redrive finishes it', async () => {
    failNextWorkflowStart = true;
    const failed = await send({ From: 'unlucky@customer.example', To: 'support@caseflow.test', Subject: 'during an outage' });
    expect(failed.status).toBeUndefined(); // no status file content means the message was not marked
    const failures = await listFailures(dataDir);
    expect(failures).toHaveLength(1);
    const report = await redriveLocal(dataDir, intake);
    expect(report).toMatchObject({ retried: 1, succeeded: 1, failed: 0 });
    expect(await listFailures(dataDir)).toEqual([]);
    const status = JSON.parse(await readFile(join(dataDir, 'mail', 'status', `${failures[0]!.key.replace('/', '__')}.json`), 'utf8'));
    expect(status.status).toBe('duplicate');
    // The case written before the failure got its workflow start and its acknowledgement on the redrive.
    expect(started).toContain(status.caseId);
    const c = (await caseOf(status.caseId)).case;
    expect(await acksFor(c.caseNumber)).toHaveLength(1);
  });
});
