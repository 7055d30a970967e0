/**
 * The pure email decisions of the core: is this an auto-reply, a bounce, which case does a reply
 * belong to, should we acknowledge. Auto-replies and bounces are the hand-written messages of
 * test/fixtures/emails, decoded by the production MIME adapter (test/corpus/email-decisions.test.ts
 * checks the same over real-world mail).
 */
import type { CaseEvent } from '../../functions/core/events.js';
import { describe, expect, it } from 'vitest';
import { makeMimeParser } from '../../functions/adapters/mime-parser.js';
import { parseThreadingSecret } from '../../functions/adapters/threading-keys.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { ParsedEmail } from '../../functions/core/email.js';
import { contentHash, messageIdsIn, normaliseAddress } from '../../functions/core/email.js';
import { decideAcknowledgement, emailSettingsOf, renderAcknowledgement } from '../../functions/core/email-ack.js';
import { classifyInbound, detectAutoReply, detectReport, readSesVerdicts } from '../../functions/core/email-classify.js';
import {
  closedAtOf,
  decideThread,
  findSubjectTokens,
  formatCaseToken,
  stripReplyPrefixes,
  subjectKey,
  verifyToken,
} from '../../functions/core/email-threading.js';
import { loadEmailFixtures, readEmailFixture } from '../support/email-fixtures.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

const index = loadEmailFixtures();
const parser = makeMimeParser();
const parse = (local: string) => parser.parse(readEmailFixture(local));

function email(overrides: Partial<ParsedEmail> = {}): ParsedEmail {
  return {
    subject: 'Help',
    from: { address: 'ada@example.com' },
    inReplyTo: [],
    references: [],
    replyTo: [],
    to: [],
    cc: [],
    headers: {},
    attachments: [],
    notes: [],
    ...overrides,
  };
}

describe('auto-replies (RFC 3834 and the vendors’ own ways)', () => {
  it('recognises every auto-reply of the fixtures, with a reason', async () => {
    const autoReplies = index.filter((e) => e.category === 'auto_replies');
    expect(autoReplies).toHaveLength(5);
    for (const entry of autoReplies) {
      const verdict = detectAutoReply(await parse(entry.local));
      expect(verdict.is, entry.local).toBe(true);
      expect(verdict.reasons.length, entry.local).toBeGreaterThan(0);
    }
  });

  it('names the signal each fixture carries: a header, Precedence, or only the subject', async () => {
    const reasons = async (file: string) => detectAutoReply(await parse(`emails/auto_replies/${file}`)).reasons.join('; ');
    expect(await reasons('rfc3834-auto-replied.eml')).toMatch(/Auto-Submitted: auto-replied/);
    expect(await reasons('x-autoreply-german.eml')).toMatch(/x-autoreply header present/);
    expect(await reasons('precedence-auto-reply.eml')).toBe('Precedence: auto_reply');
    expect(await reasons('subject-only-out-of-office.eml')).toMatch(/^subject looks like an auto-reply/);
    expect(await reasons('exchange-suppress.eml')).toMatch(/X-Auto-Response-Suppress: all/);
  });

  it('takes Auto-Submitted: no and ordinary mail for what they are', async () => {
    expect(detectAutoReply(email({ headers: { 'auto-submitted': ['no'] } })).is).toBe(false);
    const ordinary = index.filter((e) => ['charsets', 'threading', 'mime_structure'].includes(e.category));
    expect(ordinary.length).toBeGreaterThanOrEqual(15);
    for (const entry of ordinary) {
      const parsed = await parse(entry.local);
      expect(detectAutoReply(parsed), entry.local).toEqual({ is: false, reasons: [] });
    }
  });

  it('names each header signal', () => {
    for (const [headers, reason] of [
      [{ 'auto-submitted': ['auto-generated'] }, /Auto-Submitted/],
      [{ precedence: ['bulk'] }, /Precedence: bulk/],
      [{ precedence: ['junk'] }, /Precedence: junk/],
      [{ 'x-autoreply': ['yes'] }, /x-autoreply/],
      [{ 'x-autorespond': ['yes'] }, /x-autorespond/],
      [{ 'x-auto-response-suppress': ['OOF, AutoReply'] }, /X-Auto-Response-Suppress/],
    ] as const) {
      const v = detectAutoReply(email({ headers: headers as unknown as Record<string, string[]> }));
      expect(v.is).toBe(true);
      expect(v.reasons.join()).toMatch(reason);
    }
  });
});

describe('bounces and reports', () => {
  it('recognises every bounce and report of the fixtures, standard or not', async () => {
    const reports = index.filter((e) => e.category === 'bounces_dsn');
    expect(reports).toHaveLength(7);
    for (const entry of reports) {
      const report = detectReport(await parse(entry.local));
      expect(report, entry.local).toBeDefined();
    }
  });

  it('reads kind, format, permanence, recipients, statuses and the original message of each report', async () => {
    for (const entry of index.filter((e) => e.expected_report)) {
      const want = entry.expected_report!;
      const report = detectReport(await parse(entry.local))!;
      expect(report, entry.local).toMatchObject({ kind: want.kind, format: want.format, permanent: want.permanent });
      expect(
        report.recipients.map((r) => r.address),
        entry.local,
      ).toEqual(want.recipients);
      expect(report.recipients.flatMap((r) => (r.status ? [r.status] : [])).filter((s, i, all) => all.indexOf(s) === i)).toEqual(want.statuses);
      if (want.originalMessageId) expect(report.originalMessageIds, entry.local).toContain(want.originalMessageId);
    }
  });

  it('reads the failed recipients and status of a DSN, and the recipients of non-standard bounces', async () => {
    const dsn = detectReport(await parse('emails/bounces_dsn/dsn-two-recipients.eml'))!;
    expect(dsn).toMatchObject({ kind: 'bounce', format: 'dsn', permanent: true });
    expect(dsn.recipients.map((r) => r.status)).toEqual(['5.2.1', '5.1.1']);
    expect(dsn.recipients.map((r) => r.action)).toEqual(['failed', 'failed']);
    expect(dsn.recipients[1]!.diagnostic).toBe('smtp; 550 5.1.1 no such user');
    const indented = detectReport(await parse('emails/bounces_dsn/text-bounce-indented.eml'))!;
    expect(indented).toMatchObject({ kind: 'bounce', format: 'non-standard' });
    expect(indented.recipients.map((r) => r.address)).toEqual(['frank@closed-company.example']);
    expect(indented.originalMessageIds).toContain('ack-9002@caseflow.test');
    const angle = detectReport(await parse('emails/bounces_dsn/text-bounce-angle.eml'))!;
    expect(angle.recipients.map((r) => r.address)).toEqual(['grace.h@old-isp.example']);
    const delay = detectReport(await parse('emails/bounces_dsn/dsn-delayed.eml'))!;
    expect(delay.permanent).toBe(false);
    expect(delay.recipients[0]).toMatchObject({ action: 'delayed', status: '4.4.7' });
    expect(detectReport(await parse('emails/bounces_dsn/mdn-displayed.eml'))!.kind).toBe('disposition');
    expect(detectReport(await parse('emails/bounces_dsn/arf-complaint.eml'))!.kind).toBe('feedback');
  });

  it('takes no ordinary message for a bounce', async () => {
    const ordinary = index.filter((e) => ['charsets', 'mime_structure', 'threading', 'auto_replies', 'malformed'].includes(e.category));
    expect(ordinary.length).toBeGreaterThanOrEqual(25);
    for (const entry of ordinary) {
      expect(detectReport(await parse(entry.local)), entry.local).toBeUndefined();
    }
  });
});

describe('SES verdicts', () => {
  it('reads spam, virus, SPF, DKIM and DMARC from the headers SES adds', () => {
    const v = readSesVerdicts(
      email({
        headers: {
          'x-ses-spam-verdict': ['FAIL'],
          'x-ses-virus-verdict': ['PASS'],
          'authentication-results': [
            'amazonses.com; spf=pass (spfCheck: domain of example.com designates ...) smtp.mailfrom=a@example.com; dkim=pass header.i=@example.com; dmarc=fail header.from=example.com;',
          ],
        },
      }),
    );
    expect(v).toEqual({ spam: 'FAIL', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'FAIL' });
    expect(readSesVerdicts(email())).toEqual({ spam: 'NONE', virus: 'NONE', spf: 'NONE', dkim: 'NONE', dmarc: 'NONE' });
  });
});

describe('subject tokens', () => {
  const key = 'k'.repeat(32);
  it('signs the case number with an HMAC and checks it, with the previous keys of a rotation', () => {
    const token = formatCaseToken('00001024', key);
    expect(token).toMatch(/^\[CF-00001024:[a-z2-7]{6}\]$/);
    const [found] = findSubjectTokens(`RE: AW: ${token.toUpperCase()} hello`);
    expect(verifyToken(found!, [key])).toBe(true);
    expect(verifyToken(found!, ['new'.repeat(10), key])).toBe(true);
    expect(verifyToken({ caseNumber: '00001025', signature: found!.signature }, [key])).toBe(false);
    expect(verifyToken(found!, ['other'.repeat(8)])).toBe(false);
  });

  it('ignores reply prefixes in many languages and [ticket] noise', () => {
    expect(stripReplyPrefixes('RE: AW: R: Antw: SV: Réf. : Fwd: WG: 回复: Printer')).toBe('Printer');
    expect(stripReplyPrefixes('Re[2]: RE(3): Printer [CF-00001024:abcdef]')).toBe('Printer');
    expect(subjectKey('Re: [skynet-help][60666] How are files handled?')).toBe('how are files handled?');
    expect(subjectKey('R: R: R: I: FR-selca LA selcaE')).toBe('fr-selca la selcae');
  });
});

describe('which case a message belongs to', () => {
  const open = { caseId: 'c1', caseNumber: '00001001', status: 'in_progress' as const, participants: ['ada@example.com', 'charles@example.com'] };
  const now = new Date('2025-03-10T09:00:00Z');
  const window = 7 * 86_400_000;
  const base = { sender: 'ada@example.com', hits: [], tokens: [], cases: { c1: open }, now, reopenWindowMs: window };

  it('joins on a reply to an id we sent, on a valid token, or on reply-all from a participant', () => {
    expect(decideThread({ ...base, hits: [{ messageId: 'ack@us', caseId: 'c1', direction: 'outbound', header: 'in-reply-to' }] })).toMatchObject({
      action: 'join',
      caseId: 'c1',
      reopen: false,
    });
    expect(decideThread({ ...base, tokens: [{ caseNumber: '00001001', signature: 'x', text: '[CF-00001001:x]', valid: true, caseId: 'c1' }] })).toMatchObject({
      action: 'join',
      caseId: 'c1',
    });
    expect(
      decideThread({ ...base, sender: 'charles@example.com', hits: [{ messageId: 'm1@ada', caseId: 'c1', direction: 'inbound', header: 'references' }] }),
    ).toMatchObject({ action: 'join', caseId: 'c1' });
  });

  it('starts a linked case for a stranger quoting a message, and a new case for a forged token', () => {
    expect(
      decideThread({ ...base, sender: 'eve@example.com', hits: [{ messageId: 'm1@ada', caseId: 'c1', direction: 'inbound', header: 'references' }] }),
    ).toMatchObject({ action: 'new', linkedCaseId: 'c1' });
    const forged = decideThread({
      ...base,
      hits: [{ messageId: 'ack@us', caseId: 'c1', direction: 'outbound', header: 'in-reply-to' }],
      tokens: [{ caseNumber: '00001001', signature: 'aaaaaa', text: '[CF-00001001:aaaaaa]', valid: false }],
    });
    expect(forged).toMatchObject({ action: 'new', forgedToken: '00001001' });
    expect(forged.reasons[0]).toMatch(/invalid signature/);
  });

  it('reopens a closed case within the window, and links a new case after it', () => {
    const hits = [{ messageId: 'ack@us', caseId: 'c1', direction: 'outbound' as const, header: 'in-reply-to' as const }];
    const recent = { ...open, status: 'resolved' as const, closedAt: '2025-03-08T09:00:00Z' };
    expect(decideThread({ ...base, hits, cases: { c1: recent } })).toMatchObject({ action: 'join', reopen: true });
    const old = { ...open, status: 'resolved' as const, closedAt: '2025-02-01T09:00:00Z' };
    expect(decideThread({ ...base, hits, cases: { c1: old } })).toMatchObject({ action: 'new', linkedCaseId: 'c1' });
  });

  it('starts a new conversation when nothing points anywhere', () => {
    expect(decideThread(base)).toMatchObject({ action: 'new' });
  });

  it('knows when a case was closed from its event log', () => {
    const events: Pick<CaseEvent, 'activity' | 'at' | 'details'>[] = [
      { activity: 'resolved', at: '2025-03-01T00:00:00Z', details: { from: 'in_progress', to: 'resolved' } },
      { activity: 'reopened', at: '2025-03-02T00:00:00Z', details: { from: 'resolved', to: 'in_progress' } },
      { activity: 'resolved', at: '2025-03-05T00:00:00Z', details: { from: 'in_progress', to: 'resolved' } },
    ];
    expect(closedAtOf({ status: 'resolved', updatedAt: '2025-03-09T00:00:00Z' }, events)).toBe('2025-03-05T00:00:00Z');
    expect(closedAtOf({ status: 'in_progress', updatedAt: '2025-03-09T00:00:00Z' }, events)).toBeUndefined();
  });
});

describe('acknowledgements', () => {
  const settings = emailSettingsOf(
    parseRoutingConfig(makeRoutingConfigInput({ email: { fromAddress: 'support@us.example', addresses: ['sales@us.example'] } } as never)),
  );
  const classification = (e: ParsedEmail) => classifyInbound(e, settings.ourAddresses);
  const decide = (e: ParsedEmail, extra: Partial<Parameters<typeof decideAcknowledgement>[0]> = {}) =>
    decideAcknowledgement({
      newCase: true,
      enabled: true,
      recipient: normaliseAddress(e.from?.address ?? ''),
      classification: classification(e),
      unparsable: false,
      ...extra,
    });

  it('acknowledges the first message of a new case', () => {
    expect(decide(email())).toEqual({ send: true, reasons: ['first message of a new case from ada@example.com'] });
  });

  it('never acknowledges a reply, an auto-reply, a list, our own mail, a null sender, spam, a DMARC failure, a daemon or a suppressed address', () => {
    const no = (e: ParsedEmail, extra = {}) => {
      const d = decide(e, extra);
      expect(d.send).toBe(false);
      return d.reasons.join('; ');
    };
    expect(no(email(), { newCase: false })).toMatch(/joined an existing case/);
    expect(no(email({ headers: { 'auto-submitted': ['auto-replied'] } }))).toMatch(/auto-reply/);
    expect(no(email({ headers: { 'list-id': ['<x.lists.example>'] } }))).toMatch(/mailing-list/);
    expect(no(email({ from: { address: 'Sales@US.example' } }))).toMatch(/our own addresses/);
    expect(no(email({ headers: { 'return-path': ['<>'] } }))).toMatch(/null/);
    expect(no(email({ headers: { 'x-ses-spam-verdict': ['FAIL'] } }))).toMatch(/spam/);
    expect(no(email({ headers: { 'authentication-results': ['amazonses.com; dmarc=fail'] } }))).toMatch(/DMARC/);
    expect(no(email({ from: { address: 'MAILER-DAEMON@mx.example.com' } }))).toMatch(/daemon/);
    expect(no(email({ from: { address: 'noreply@shop.example' } }))).toMatch(/does not take replies/);
    expect(no(email(), { suppressed: { reason: 'bounce 5.1.1' } })).toMatch(/suppressed/);
  });

  it('renders the template of the customer’s language, else the default, always with the token last', () => {
    const templates = {
      en: { subject: 'Got it: {{subject}}', text: 'Case {{caseNumber}}, {{name}}' },
      de: { subject: 'Erhalten: {{subject}}', text: 'Fall {{caseNumber}}' },
    };
    const s = { acknowledgement: { ...settings.acknowledgement, templates } };
    const values = { caseNumber: '00001024', subject: 'Printer', email: 'ada@example.com', token: '[CF-00001024:abcdef]' };
    expect(renderAcknowledgement(s, { ...values, language: 'de' })).toMatchObject({
      subject: 'Erhalten: Printer [CF-00001024:abcdef]',
      text: 'Fall 00001024',
      language: 'de',
    });
    expect(renderAcknowledgement(s, { ...values, language: 'fr', name: 'Ada' })).toMatchObject({
      subject: 'Got it: Printer [CF-00001024:abcdef]',
      text: 'Case 00001024, Ada',
      language: 'en',
    });
  });
});

describe('nothing lost: the content hash', () => {
  it('ignores the trace headers each delivery adds, and nothing else', () => {
    const message = 'From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n';
    const a = contentHash(Buffer.from(`Return-Path: <a@example.com>\r\nReceived: from x by y; Mon, 1 Jan 2024\r\nX-SES-Spam-Verdict: PASS\r\n${message}`));
    const b = contentHash(Buffer.from(`Received: from z\r\n by w; Tue, 2 Jan 2024\r\n${message}`));
    expect(a).toBe(b);
    expect(contentHash(Buffer.from(message.replace('body', 'other')))).not.toBe(a);
  });

  it('reads Message-IDs out of References however they are written', () => {
    expect(messageIdsIn(['<a@x> <b@y>\r\n <c@z>', 'bare@id'])).toEqual(['a@x', 'b@y', 'c@z', 'bare@id']);
  });

  it('takes the threading secret as one key or a rotation', () => {
    expect(parseThreadingSecret('x'.repeat(20))).toEqual(['x'.repeat(20)]);
    expect(parseThreadingSecret(JSON.stringify({ current: 'n'.repeat(20), previous: ['o'.repeat(20)] }))).toEqual(['n'.repeat(20), 'o'.repeat(20)]);
    expect(() => parseThreadingSecret('short')).toThrow();
  });
});
