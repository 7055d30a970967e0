/**
 * Every one of the 80 real messages of emails/ in the corpus folder (CASEFLOW_DATA_DIR), sent byte
 * for byte over SMTP (nodemailer, raw) to the real SMTP listener, stored as SES would store it, and
 * run through the real intake handler against DynamoDB Local. The expectations of emails_index.json must hold on what is stored.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { AdminAlert } from '../../functions/core/ports/notifications.js';
import { stripReplyPrefixes } from '../../functions/core/email-threading.js';
import type { EmailMessage } from '../../functions/core/use-cases/receive-email.js';
import { createHandler } from '../../functions/handlers/intake-email.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { startSmtpIntake, withLocalEmail, type SmtpIntake } from '../../lib/local/smtp.js';
import { listFailures } from '../../lib/local/mail-store.js';
import { freshTable } from '../support/dynamo.js';
import { corpusPath } from '../support/corpus.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

const CORPUS = pathToFileURL(`${corpusPath('emails')}/`);

interface Entry {
  local: string;
  category: string;
  expected_subject?: string;
  expected_from?: string;
  expected_attachments?: string[];
}

interface Delivered {
  entry: Entry;
  key: string;
  status: { status: string; caseId?: string; detail?: string };
}

const db = await freshTable('email-corpus');
let dataDir: string;
let deps: AppDeps;
let smtp: SmtpIntake;
const started: string[] = [];
const alerts: AdminAlert[] = [];
const delivered: Delivered[] = [];
let elapsedMs = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-email-corpus-'));
  const base = makeAppDeps({
    table: db.table,
    alerts: { publish: async (a) => void alerts.push(a) },
    workflow: { startCase: async (id) => void started.push(id) },
  });
  await base.configs.put(
    parseRoutingConfig(makeRoutingConfigInput({ email: { fromAddress: 'support@caseflow.test', addresses: ['help@caseflow.test'] } } as never)),
    0,
    'test',
    new Date().toISOString(),
  );
  deps = (await withLocalEmail(base, dataDir)).deps;
  const intake = createHandler(deps);
  smtp = await startSmtpIntake({ dataDir, intake: (e) => intake(e), port: 0 });

  const index = JSON.parse(await readFile(new URL('emails_index.json', CORPUS), 'utf8')) as Entry[];
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const t0 = Date.now();
  for (const entry of index) {
    const raw = await readFile(new URL(entry.local.replace(/^emails\//, ''), CORPUS));
    const info = await transport.sendMail({ envelope: { from: 'sender@example.org', to: ['support@caseflow.test'] }, raw });
    const id = /queued as (\S+)/.exec(info.response)?.[1];
    expect(id, `${entry.local}: ${info.response}`).toBeTruthy();
    const key = `inbound/${id}`;
    const status = JSON.parse(await readFile(join(dataDir, 'mail', 'status', `inbound__${id}.json`), 'utf8')) as Delivered['status'];
    delivered.push({ entry, key, status });
  }
  elapsedMs = Date.now() - t0;
  transport.close();
}, 300_000);

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

function expectedFrom(text: string): { name?: string; address?: string } {
  const displayOnly = text.match(/^display name "(.*)"$/);
  if (displayOnly) return { name: displayOnly[1]! };
  const angle = text.match(/^(.*?)\s*<([^>]+)>$/);
  if (angle) {
    const name = angle[1]!.replace(/^"|"$/g, '').trim();
    return { ...(name ? { name } : {}), address: angle[2]! };
  }
  return { address: text.trim() };
}

describe('the 80 messages of the shared corpus, through SMTP into cases', () => {
  it('delivers every message, and none is left failed', async () => {
    expect(delivered).toHaveLength(80);
    expect(await listFailures(dataDir)).toEqual([]);
    console.log(`[email corpus] 80 messages over SMTP to written case in ${elapsedMs} ms (${((80 * 1000) / elapsedMs).toFixed(1)} msg/s)`);
  });

  it('stores the decoded subject, sender and attachments the upstream suites expect', async () => {
    let checked = 0;
    const withExpectations = delivered.filter(
      (d) => d.entry.expected_subject !== undefined || d.entry.expected_from !== undefined || d.entry.expected_attachments !== undefined,
    );
    for (const d of delivered) {
      const { entry } = d;
      if (entry.expected_subject === undefined && entry.expected_from === undefined && entry.expected_attachments === undefined) continue;
      const m = await filed(d);
      if (entry.expected_subject !== undefined) {
        // Whitespace between a plain and an encoded word is folded (mailparser); the characters must match.
        expect(m.subject.replace(/\s+/g, ' '), entry.local).toBe(entry.expected_subject.replace(/\s+/g, ' '));
        const c = await deps.cases.get(d.status.caseId!);
        if (d.status.detail === 'created')
          expect(c!.subject.replace(/\s+/g, ' '), entry.local).toBe(stripReplyPrefixes(entry.expected_subject).replace(/\s+/g, ' '));
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
    expect(checked).toBe(withExpectations.length);
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('stores attachments and inline images beside the raw message, with name, type, size and content id', async () => {
    const d = delivered.find((x) => x.entry.local.endsWith('php__m0008.eml'))!;
    const m = await filed(d);
    const logo = m.attachments.find((a) => a.name === 'logo.jpg')!;
    expect(logo).toMatchObject({ contentType: 'image/gif', size: 2695, contentId: 'ae0357e57f04b8347f7621662cb63855.jpg' });
    const bytes = await deps.rawMail.get(logo.ref!);
    expect(bytes?.byteLength).toBe(2695);
    // 300+ attachments: every one stored, the item stays small.
    const many = await filed(delivered.find((x) => x.entry.local.endsWith('php__issue408.eml'))!);
    expect(many.attachments.length).toBeGreaterThanOrEqual(300);
    expect(Buffer.byteLength(JSON.stringify(many))).toBeLessThan(400 * 1024);
  });

  it('derives the text from the HTML when there is no text part, and sanitises the HTML', async () => {
    const m = await filed(delivered.find((x) => x.entry.local.endsWith('enmime__html-only-inline.raw'))!);
    expect(m.text.length).toBeGreaterThan(0);
    expect(m.html).toBeTruthy();
    expect(m.html).not.toMatch(/<script|onerror=|javascript:/i);
  });

  it('decodes raw 8-bit legacy headers with the charset the message declares', async () => {
    const m = await filed(delivered.find((x) => x.entry.local.endsWith('zbateson__m0001.txt'))!);
    expect(m.subject).toBe('Die Hasen und die Frösche (Microsoft Outlook 00)');
  });

  it('never acknowledges an auto-reply (they still make or join a case)', async () => {
    const autoReplies = delivered.filter((d) => d.entry.category === 'auto_replies');
    expect(autoReplies).toHaveLength(7);
    for (const d of autoReplies) {
      expect(d.status.caseId, d.entry.local).toBeTruthy();
      const found = await deps.cases.getWithHistory(d.status.caseId!);
      expect(
        found!.events.map((e) => e.activity),
        d.entry.local,
      ).not.toContain('acknowledgement_sent');
      expect(
        found!.events.map((e) => e.activity),
        d.entry.local,
      ).toContain('acknowledgement_skipped');
    }
  });

  it('makes no case from a bounce or a delivery report', async () => {
    const bounces = delivered.filter((d) => d.entry.category === 'bounces_dsn');
    expect(bounces).toHaveLength(12);
    for (const d of bounces) {
      expect(['bounce', 'report'], d.entry.local).toContain(d.status.detail);
      expect(d.status.caseId, `${d.entry.local} matched none of our messages`).toBeUndefined();
    }
  });

  it('still makes a case of every malformed message, nothing lost', async () => {
    const malformed = delivered.filter((d) => d.entry.category === 'malformed');
    expect(malformed).toHaveLength(12);
    for (const d of malformed) {
      expect(['created', 'joined'], d.entry.local).toContain(d.status.detail);
      await filed(d);
    }
  });

  it('threads the RFC 2822 A.2 conversation into one case, by In-Reply-To from its participants', async () => {
    const thread = ['mikel__example05.eml', 'mikel__example06.eml', 'mikel__example07.eml'].map((f) => delivered.find((d) => d.entry.local.endsWith(f))!);
    expect(thread.map((d) => d.status.detail)).toEqual(['created', 'joined', 'joined']);
    expect(new Set(thread.map((d) => d.status.caseId)).size).toBe(1);
  });

  it('acknowledges ordinary first messages, with the case number in the subject', async () => {
    const outbox = await readdir(join(dataDir, 'outbox')).catch(() => [] as string[]);
    const acks = outbox.filter((f) => f.endsWith('.eml'));
    expect(acks.length).toBeGreaterThan(5);
    for (const file of acks) {
      const ack = await simpleParser(await readFile(join(dataDir, 'outbox', file)));
      expect(ack.subject).toMatch(/\[CF-\d{8}:[a-z2-7]{6}\]$/);
      expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
      expect(ack.references).toBeTruthy();
    }
    // Every new case went through the workflow.
    expect(started.length).toBeGreaterThan(40);
  });
});
