/**
 * Every hand-written message of test/fixtures/emails, sent byte for byte over SMTP (nodemailer, raw)
 * to the real SMTP listener, stored as SES would store it, and run through the real intake handler
 * against DynamoDB Local; then one message with 320 attachments built here. What the index says each
 * message must become must hold on what is stored. test/corpus/email-corpus.test.ts does the same
 * with real-world mail.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../../functions/core/config.js';
import { stripReplyPrefixes } from '../../functions/core/email-threading.js';
import { ACTIVITIES } from '../../functions/core/events.js';
import type { EmailMessage } from '../../functions/core/use-cases/receive-email.js';
import { createHandler } from '../../functions/handlers/intake-email.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { listFailures } from '../../lib/local/mail-store.js';
import { type SmtpIntake, startSmtpIntake, withLocalEmail } from '../../lib/local/smtp.js';
import { freshTable } from '../support/dynamo.js';
import { type EmailFixture, expectedFrom, loadEmailFixtures, manyAttachmentsMessage, readEmailFixture } from '../support/email-fixtures.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

interface Delivered {
  entry: EmailFixture;
  key: string;
  status: { status: string; caseId?: string; detail?: string };
}

const MANY = 320;
const fixtures = loadEmailFixtures();
const db = await freshTable('email-fixtures');
let dataDir: string;
let deps: AppDeps;
let smtp: SmtpIntake;
const started: string[] = [];
const delivered: Delivered[] = [];
let many: Delivered;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-email-fixtures-'));
  const base = makeAppDeps({ table: db.table, alerts: { publish: async () => undefined }, workflow: { startCase: async (id) => void started.push(id) } });
  await base.configs.put(
    parseRoutingConfig(makeRoutingConfigInput({ email: { fromAddress: 'support@caseflow.test', addresses: ['help@caseflow.test'] } } as never)),
    0,
    'test',
    new Date().toISOString(),
  );
  deps = (await withLocalEmail(base, dataDir)).deps;
  const intake = createHandler(deps);
  smtp = await startSmtpIntake({ dataDir, intake: (e) => intake(e), port: 0 });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const send = async (entry: EmailFixture, raw: Buffer): Promise<Delivered> => {
    const info = await transport.sendMail({ envelope: { from: 'sender@example.org', to: ['support@caseflow.test'] }, raw });
    const id = /queued as (\S+)/.exec(info.response)?.[1];
    expect(id, `${entry.local}: ${info.response}`).toBeTruthy();
    const status = JSON.parse(await readFile(join(dataDir, 'mail', 'status', `inbound__${id}.json`), 'utf8')) as Delivered['status'];
    return { entry, key: `inbound/${id}`, status };
  };
  for (const entry of fixtures) delivered.push(await send(entry, readEmailFixture(entry)));
  many = await send({ local: 'generated/many-attachments', category: 'mime_structure' }, manyAttachmentsMessage(MANY));
  transport.close();
}, 120_000);

afterAll(async () => {
  await smtp?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The message item filed for a delivery. */
async function filed(d: Delivered): Promise<EmailMessage> {
  expect(d.status.caseId, `${d.entry.local} has a case`).toBeTruthy();
  const found = await deps.cases.getWithHistory(d.status.caseId!);
  const message = (found!.messages as EmailMessage[]).find((m) => m.rawRef === d.key);
  expect(message, `${d.entry.local} is filed on its case`).toBeTruthy();
  return message!;
}

const byFile = (file: string) => delivered.find((d) => d.entry.local.endsWith(`/${file}`))!;
const ofCategory = (category: string) => delivered.filter((d) => d.entry.category === category);

describe('the hand-written messages of test/fixtures/emails, through SMTP into cases', () => {
  it('delivers every message, and none is left failed', async () => {
    expect(delivered).toHaveLength(fixtures.length);
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    expect(await listFailures(dataDir)).toEqual([]);
  });

  it('ends each message the way its index entry says: a new case, a joined reply, a bounce or a report', () => {
    const withOutcome = delivered.filter((d) => d.entry.expected_outcome !== undefined);
    expect(withOutcome.length).toBeGreaterThanOrEqual(20);
    for (const d of withOutcome) expect(d.status.detail, d.entry.local).toBe(d.entry.expected_outcome);
  });

  it('stores the decoded subject, sender and attachments the index expects', async () => {
    let checked = 0;
    for (const d of delivered) {
      const { entry } = d;
      if (entry.category === 'bounces_dsn') continue; // no case: see below
      if (entry.expected_subject === undefined && entry.expected_from === undefined && entry.expected_attachments === undefined) continue;
      const m = await filed(d);
      if (entry.expected_subject !== undefined) {
        expect(m.subject, entry.local).toBe(entry.expected_subject);
        const c = await deps.cases.get(d.status.caseId!);
        if (d.status.detail === 'created') expect(c!.subject, entry.local).toBe(stripReplyPrefixes(entry.expected_subject));
      }
      if (entry.expected_from !== undefined) {
        const want = expectedFrom(entry.expected_from);
        if (want.address) expect(m.from, entry.local).toBe(want.address.toLowerCase());
        if (want.name) expect(m.fromName, entry.local).toBe(want.name);
      }
      if (entry.expected_attachments !== undefined) {
        expect(m.attachments.map((a) => a.name).sort(), entry.local).toEqual([...entry.expected_attachments].sort());
        for (const a of m.attachments) expect(a.ref, `${entry.local} ${a.name} stored`).toBeTruthy();
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(25);
  });

  it('takes the case subject without the reply prefixes of any language', async () => {
    const d = byFile('prefixed-subject.eml');
    expect((await deps.cases.get(d.status.caseId!))!.subject).toBe('Contract renewal for 2026');
  });

  it('stores attachments and inline images beside the raw message, with name, type, size and content id', async () => {
    const d = byFile('attachments-and-inline-image.eml');
    const m = await filed(d);
    const inline = d.entry.expected_inline!;
    const logo = m.attachments.find((a) => a.name === inline.name)!;
    expect(logo).toMatchObject({ contentType: inline.contentType, size: inline.size, contentId: inline.contentId });
    expect((await deps.rawMail.get(logo.ref!))?.byteLength).toBe(inline.size);
    for (const [name, size] of Object.entries(d.entry.expected_sizes!)) {
      const a = m.attachments.find((x) => x.name === name)!;
      expect(a.size, name).toBe(size);
      expect((await deps.rawMail.get(a.ref!))?.byteLength, name).toBe(size);
    }
  });

  it(`stores all ${MANY} attachments of one message: the item lists the first 300, a manifest beside it lists every one`, async () => {
    expect(many.status.detail).toBe('created');
    const m = await filed(many);
    expect(m.attachments).toHaveLength(300);
    expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(400 * 1024);
    const note = m.notes?.find((n) => n.startsWith(`${MANY} attachments`));
    expect(note, JSON.stringify(m.notes)).toBeTruthy();
    const manifestRef = note!.slice(note!.lastIndexOf(' ') + 1);
    const manifest = JSON.parse(Buffer.from((await deps.rawMail.get(manifestRef))!).toString('utf8')) as { name: string; ref: string }[];
    expect(manifest).toHaveLength(MANY);
    expect(new Set(manifest.map((a) => a.name)).size).toBe(MANY);
    expect(manifest.slice(0, 300)).toEqual(m.attachments);
    const last = manifest.find((a) => a.name === `note-${MANY}.txt`)!;
    expect(Buffer.from((await deps.rawMail.get(last.ref))!).toString()).toBe(`Delivery note ${MANY}: ${MANY % 7} parcels handed over.`);
  });

  it('derives the text from the HTML when there is no text part, and sanitises the HTML', async () => {
    const d = byFile('html-only-with-script.eml');
    const m = await filed(d);
    expect(m.text).toContain(d.entry.expected_text_contains!);
    expect(m.html).toBeTruthy();
    expect(m.html).toContain('error 500');
    expect(m.html).not.toMatch(/<script|onerror=|onload=|javascript:/i);
  });

  it('decodes raw 8-bit legacy headers with the charset the message declares', async () => {
    const m = await filed(byFile('raw-8bit-latin1-headers.eml'));
    expect(m.subject).toBe('Problème de connexion à mon compte client');
    expect(m.fromName).toBe('Renée Dubois');
  });

  it('never acknowledges an auto-reply (they still make or join a case)', async () => {
    const autoReplies = ofCategory('auto_replies');
    expect(autoReplies).toHaveLength(5);
    for (const d of autoReplies) {
      expect(d.status.caseId, d.entry.local).toBeTruthy();
      const activities = (await deps.cases.getWithHistory(d.status.caseId!))!.events.map((e) => e.activity);
      expect(activities, d.entry.local).not.toContain(ACTIVITIES.acknowledgementSent);
      expect(activities, d.entry.local).toContain(ACTIVITIES.acknowledgementSkipped);
    }
  });

  it('makes no case from a bounce or a delivery report', () => {
    const bounces = ofCategory('bounces_dsn');
    expect(bounces).toHaveLength(7);
    for (const d of bounces) {
      expect(['bounce', 'report'], d.entry.local).toContain(d.status.detail);
      expect(d.status.caseId, `${d.entry.local} matched none of our messages`).toBeUndefined();
    }
  });

  it('still makes a case of every malformed message, nothing lost', async () => {
    const malformed = ofCategory('malformed');
    expect(malformed).toHaveLength(7);
    for (const d of malformed) {
      expect(['created', 'joined'], d.entry.local).toContain(d.status.detail);
      await filed(d);
    }
  });

  it('threads a conversation into one case, by In-Reply-To and References from its participants', () => {
    const thread = delivered.filter((d) => d.entry.thread === 'vat');
    expect(thread.map((d) => d.status.detail)).toEqual(['created', 'joined', 'joined']);
    expect(new Set(thread.map((d) => d.status.caseId)).size).toBe(1);
  });

  it('acknowledges exactly the ordinary first messages, with the case number in the subject', async () => {
    const expectations = delivered.filter((d) => d.entry.expected_ack !== undefined && d.status.caseId);
    expect(expectations.length).toBeGreaterThanOrEqual(20);
    // Per case: as many acknowledgements as it has messages the index says are acknowledged (a joined reply adds none).
    const wanted = new Map<string, number>();
    for (const d of expectations) wanted.set(d.status.caseId!, (wanted.get(d.status.caseId!) ?? 0) + (d.entry.expected_ack ? 1 : 0));
    for (const [caseId, count] of wanted) {
      const events = (await deps.cases.getWithHistory(caseId))!.events;
      const files = expectations.filter((d) => d.status.caseId === caseId).map((d) => d.entry.local);
      expect(events.filter((e) => e.activity === ACTIVITIES.acknowledgementSent).length, files.join(', ')).toBe(count);
    }
    const acknowledged = [...wanted.values()].reduce((a, b) => a + b, 0);
    expect(acknowledged).toBeGreaterThanOrEqual(10);
    const outbox = (await readdir(join(dataDir, 'outbox')).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
    expect(outbox.length).toBeGreaterThanOrEqual(acknowledged);
    for (const file of outbox) {
      const ack = await simpleParser(await readFile(join(dataDir, 'outbox', file)));
      expect(ack.subject).toMatch(/\[CF-\d{8}:[a-z2-7]{6}\]$/);
      expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
      expect(ack.references).toBeTruthy();
    }
  });

  it('starts the workflow of every new case, and of no other', () => {
    const created = [...delivered, many].filter((d) => d.status.detail === 'created').map((d) => d.status.caseId!);
    expect(created.length).toBeGreaterThanOrEqual(20);
    expect([...started].sort()).toEqual([...new Set(created)].sort());
  });
});
