/**
 * The decisions email intake takes besides threading and acknowledging (functions/core/email-classify.ts,
 * email-threading.ts), each pure so the use case (receive-email.ts) only loads, writes and sends: which
 * step a message takes, whose case it is, what a new case is flagged with and whether it waits for
 * review, what a report marks on an address, and what filing a message on a case does.
 */
import { describe, expect, it } from 'vitest';
import type { ParsedEmail } from '../../functions/core/email.js';
import { UNKNOWN_SENDER, contentHash } from '../../functions/core/email.js';
import type { MailReport } from '../../functions/core/email-classify.js';
import { bounceMarks, classifyInbound, reportReasons, routeInbound, senderOf, triageNewCase } from '../../functions/core/email-classify.js';
import { caseSummaryOf, decideJoin, quotedSubjectTokens, reportedHit, reusedMessageIdDecision } from '../../functions/core/email-threading.js';

const OURS = ['support@caseflow.test'];

function email(overrides: Partial<ParsedEmail> = {}): ParsedEmail {
  return {
    subject: 'Printer on fire',
    text: 'It smokes.',
    from: { address: 'Ada@Customer.Example', name: 'Ada' },
    inReplyTo: [],
    references: [],
    replyTo: [],
    to: [{ address: 'support@caseflow.test' }],
    cc: [],
    headers: {},
    attachments: [],
    notes: [],
    ...overrides,
  };
}

function report(overrides: Partial<MailReport> = {}): MailReport {
  return { kind: 'bounce', permanent: true, recipients: [], originalMessageIds: [], format: 'dsn', reasons: ['multipart/report'], ...overrides };
}

describe('which step a message takes', () => {
  it('rejects a virus, files a report, threads everything else', () => {
    const virus = classifyInbound(email({ headers: { 'x-ses-virus-verdict': ['FAIL'] } }), OURS);
    expect(routeInbound(virus)).toEqual({ step: 'reject', reasons: [expect.stringMatching(/virus/)] });
    const dsn = classifyInbound(email({ from: { address: 'MAILER-DAEMON@mx.example' }, reportType: 'delivery-status' }), OURS);
    expect(routeInbound(dsn)).toMatchObject({ step: 'report', report: { kind: 'bounce', format: 'dsn' } });
    expect(routeInbound(classifyInbound(email(), OURS))).toEqual({ step: 'thread' });
  });
});

describe('whose case it is', () => {
  it('takes From, else Sender, Reply-To, the return path, else the unknown sender', () => {
    expect(senderOf(email())).toEqual({ address: 'ada@customer.example', name: 'Ada' });
    expect(senderOf(email({ from: { address: 'not an address' }, sender: { address: 'desk@customer.example' } })).address).toBe('desk@customer.example');
    expect(senderOf(email({ from: undefined, replyTo: [{ address: 'reply@customer.example' }] })).address).toBe('reply@customer.example');
    expect(senderOf(email({ from: { address: 'x'.repeat(300), name: 'Long' }, headers: { 'return-path': ['<bounce@customer.example>'] } }))).toEqual({
      address: 'bounce@customer.example',
      name: 'Long',
    });
    expect(senderOf(email({ from: undefined })).address).toBe(UNKNOWN_SENDER);
  });
});

describe('a new case before anyone reads it', () => {
  const plain = classifyInbound(email(), OURS);

  it('carries the classification’s flags and a forged token, and goes straight to routing', () => {
    const spam = classifyInbound(email({ headers: { 'x-ses-spam-verdict': ['FAIL'], 'auto-submitted': ['auto-replied'] } }), OURS);
    expect(triageNewCase(email(), spam, { unparsable: false, forgedToken: '00001024' })).toEqual({ flags: ['spam', 'auto_reply', 'forged_token'] });
    expect(triageNewCase(email(), plain, { unparsable: false })).toEqual({ flags: [] });
  });

  it('waits for review when it could not be parsed, or holds nothing to read', () => {
    expect(triageNewCase(email(), plain, { unparsable: true, parseError: 'bad boundary' })).toEqual({
      flags: ['unparsable'],
      reviewReason: 'the email could not be parsed (bad boundary); the raw message is attached',
    });
    const empty = email({ subject: '', text: '' });
    expect(triageNewCase(empty, plain, { unparsable: false })).toMatchObject({ flags: ['empty'], contentProblem: expect.stringMatching(/^is empty/) });
    const garbage = email({ text: '\u0001\u0002\u0003\u0004'.repeat(20) });
    expect(triageNewCase(garbage, plain, { unparsable: false })).toMatchObject({ flags: ['garbage'], reviewReason: expect.stringMatching(/binary garbage/) });
    // An unparsable message is judged by its raw bytes, not by the stand-in's empty text.
    expect(triageNewCase(empty, plain, { unparsable: true }).contentProblem).toBeUndefined();
  });
});

describe('what a report marks on an address', () => {
  it('suppresses an address on a permanent failure, only counts a delay, marks nothing for a read receipt', () => {
    const failed = report({ recipients: [{ address: 'gone@customer.example', action: 'failed', status: '5.1.1', diagnostic: 'no such user' }] });
    expect(bounceMarks(failed, 'ada@customer.example')).toEqual([{ address: 'gone@customer.example', permanent: true, reason: 'bounce 5.1.1: no such user' }]);
    const delayed = report({ permanent: false, recipients: [{ address: 'slow@customer.example', action: 'delayed', status: '4.4.7' }] });
    expect(bounceMarks(delayed, undefined)).toEqual([{ address: 'slow@customer.example', permanent: false, reason: 'bounce 4.4.7' }]);
    expect(
      bounceMarks(report({ kind: 'disposition', recipients: [{ address: 'ada@customer.example', action: 'delivered' }] }), 'ada@customer.example'),
    ).toEqual([]);
  });

  it('takes a complaint as permanent, and falls back to the case’s contact when no recipient is named', () => {
    expect(bounceMarks(report({ kind: 'feedback', format: 'arf' }), 'ada@customer.example')).toEqual([
      { address: 'ada@customer.example', permanent: true, reason: 'complaint (abuse report)' },
    ]);
    expect(bounceMarks(report(), undefined)).toEqual([]);
  });

  it('ignores recipients that were delivered, relayed or expanded, and names each address once', () => {
    const mixed = report({
      recipients: [
        { address: 'ok@customer.example', action: 'delivered' },
        { address: 'gone@customer.example', action: 'failed', status: '5.1.1' },
        { address: 'gone@customer.example', action: 'failed', status: '5.1.1' },
      ],
    });
    expect(bounceMarks(mixed, undefined).map((m) => m.address)).toEqual(['gone@customer.example']);
    expect(reportReasons(mixed)).toEqual([
      'multipart/report',
      'recipients: ok@customer.example delivered, gone@customer.example failed 5.1.1, gone@customer.example failed 5.1.1',
    ]);
    expect(reportReasons(report())).toEqual(['multipart/report', 'no recipient named']);
  });

  it('is about the mail we sent when a report names ours, else the first id it names', () => {
    const inbound = { messageId: 'm@x', caseId: 'c1', direction: 'inbound' as const };
    const outbound = { messageId: 'ack@us', caseId: 'c2', direction: 'outbound' as const };
    expect(reportedHit([inbound, outbound])).toBe(outbound);
    expect(reportedHit([inbound])).toBe(inbound);
    expect(reportedHit([])).toBeUndefined();
  });

  it('finds the case tokens a notice quotes in its text or an attached copy of our message', () => {
    const quoted = email({
      text: 'Your message could not be delivered.',
      attachments: [
        {
          filename: 'original.eml',
          contentType: 'message/rfc822',
          size: 60,
          disposition: 'attachment',
          content: Buffer.from('Subject: Received: Printer [CF-00001024:abcdef]\r\n\r\nHello'),
        },
      ],
    });
    expect(quotedSubjectTokens(quoted).map((t) => t.caseNumber)).toEqual(['00001024']);
    expect(quotedSubjectTokens(email())).toEqual([]);
  });
});

describe('filing a message on a case', () => {
  const joinClosed = { action: 'join' as const, caseId: 'c1', reopen: true, reasons: ['In-Reply-To names <ack@us>'] };

  it('reopens a closed case for a person, never for automated mail', () => {
    expect(decideJoin(joinClosed, [], { caseNumber: '00001024', status: 'resolved' })).toEqual({
      automated: false,
      reopens: true,
      reasons: ['In-Reply-To names <ack@us>'],
    });
    expect(decideJoin(joinClosed, ['it is an auto-reply (Auto-Submitted: auto-replied)'], { caseNumber: '00001024', status: 'resolved' })).toEqual({
      automated: true,
      reopens: false,
      reasons: [
        'In-Reply-To names <ack@us>',
        'it is an auto-reply (Auto-Submitted: auto-replied)',
        'case 00001024 stays resolved: automated mail and our own mail never reopen a case',
      ],
    });
    expect(decideJoin({ ...joinClosed, reopen: false }, [], { caseNumber: '00001024', status: 'in_progress' })).toMatchObject({ reopens: false });
  });

  it('files a reused Message-ID with other content beside the first, never reopening', () => {
    expect(reusedMessageIdDecision('c1', 'dup@x')).toEqual({
      action: 'join',
      caseId: 'c1',
      reopen: false,
      reasons: ['Message-ID <dup@x> is already filed on this case with other content: kept as another message'],
    });
  });

  it('summarises a case for threading: its participants without our own addresses, and when it closed', () => {
    const summary = caseSummaryOf(
      {
        case: { caseId: 'c1', caseNumber: '00001024', status: 'resolved', updatedAt: '2026-03-14T12:00:00.000Z', contact: { email: 'Ada@Customer.Example' } },
        messages: [
          { from: 'ada@customer.example', to: ['support@caseflow.test'], cc: ['Bob@Customer.Example'] },
          { from: 'support@caseflow.test', to: ['ada@customer.example'] },
        ],
        events: [{ activity: 'status_changed', at: '2026-03-14T11:00:00.000Z', details: { from: 'in_progress', to: 'resolved' } }],
      },
      OURS,
    );
    expect(summary).toEqual({
      caseId: 'c1',
      caseNumber: '00001024',
      status: 'resolved',
      participants: ['ada@customer.example', 'bob@customer.example'],
      closedAt: '2026-03-14T11:00:00.000Z',
    });
  });
});

describe('the content hash', () => {
  it('is the same for two deliveries of one message, whatever trace headers each got', () => {
    const message = 'From: ada@customer.example\r\nSubject: Hi\r\n\r\nBody';
    const first = `Received: from a by b; Sat, 14 Mar 2026 10:00:00 +0000\r\nReturn-Path: <ada@customer.example>\r\n${message}`;
    const second = `Received: from c by d; Sat, 14 Mar 2026 10:05:00 +0000\r\nX-SES-Spam-Verdict: PASS\r\n${message}`;
    expect(contentHash(Buffer.from(first))).toBe(contentHash(Buffer.from(second)));
    expect(contentHash(Buffer.from(message))).not.toBe(contentHash(Buffer.from(message.replace('Body', 'Other'))));
  });
});
