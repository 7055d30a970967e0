/**
 * Bounce and auto-reply recognition measured on the real mail of the corpus (CASEFLOW_DATA_DIR/emails):
 * every message decoded by the production MIME adapter and classified by the production rules. The
 * corpus labels each file (bounces_dsn, auto_replies, and ordinary categories); the figures printed
 * here are the ones the documentation quotes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeMimeParser } from '../../functions/adapters/mime-parser.js';
import type { ParsedEmail } from '../../functions/core/email.js';
import { contentProblem } from '../../functions/core/email.js';
import { automatedReasons, classifyInbound, type InboundClassification } from '../../functions/core/email-classify.js';
import { corpusPath } from '../support/corpus.js';

interface Entry {
  local: string;
  category: string;
}

interface Classified {
  entry: Entry;
  email: ParsedEmail;
  c: InboundClassification;
}

const OURS = ['support@caseflow.test'];
const results: Classified[] = [];

beforeAll(async () => {
  const dir = corpusPath('emails');
  const index = JSON.parse(readFileSync(join(dir, 'emails_index.json'), 'utf8')) as Entry[];
  const parser = makeMimeParser();
  for (const entry of index) {
    const raw = readFileSync(join(dir, entry.local.replace(/^emails\//, '')));
    // Delivered as the local SMTP listener stores it: a null-sender-free envelope to our address.
    const stored = Buffer.concat([
      Buffer.from('Return-Path: <sender@example.org>\r\nReceived: from mx by caseflow-local; for <support@caseflow.test>;\r\n'),
      raw,
    ]);
    const email = await parser.parse(stored);
    results.push({ entry, email, c: classifyInbound(email, OURS) });
  }
});

const of = (category: string) => results.filter((r) => r.entry.category === category);
const names = (rs: Classified[]) => rs.map((r) => r.entry.local.split('/').pop());

describe('recognition on the real mail of the corpus', () => {
  it('recognises every bounce and machine report, and every auto-reply; flags no ordinary message', () => {
    const reports = of('bounces_dsn');
    const autoReplies = of('auto_replies');
    const ordinary = results.filter((r) => r.entry.category !== 'bounces_dsn' && r.entry.category !== 'auto_replies');
    const reportsFound = reports.filter((r) => r.c.report);
    const autoRepliesFound = autoReplies.filter((r) => r.c.autoReply.is && !r.c.report);
    const ordinaryAsReport = ordinary.filter((r) => r.c.report);
    const ordinaryAsAutoReply = ordinary.filter((r) => r.c.autoReply.is);
    const ordinaryUnreadable = ordinary.filter((r) => contentProblem(r.email));
    const ordinaryAutomated = ordinary.filter((r) => automatedReasons(r.c).length > 0);
    console.log(
      [
        `[email recognition, corpus] ${results.length} messages`,
        `  bounces and reports: ${reportsFound.length}/${reports.length} recognised (${reports.filter((r) => r.c.report?.kind === 'bounce').length} bounces, ${reports.filter((r) => r.c.report?.kind === 'feedback').length} complaint, ${reports.filter((r) => r.c.report?.kind === 'disposition').length} read receipt)`,
        `  auto-replies: ${autoRepliesFound.length}/${autoReplies.length} recognised`,
        `  ordinary messages: ${ordinaryAsReport.length}/${ordinary.length} taken for a report, ${ordinaryAsAutoReply.length}/${ordinary.length} for an auto-reply, ${ordinaryAutomated.length}/${ordinary.length} automated in all, ${ordinaryUnreadable.length}/${ordinary.length} for empty or garbage`,
        ...ordinaryAsAutoReply.map((r) => `    auto-reply? ${r.entry.local}: ${r.c.autoReply.reasons.join('; ')}`),
        ...ordinaryAsReport.map((r) => `    report? ${r.entry.local}: ${r.c.report!.reasons.join('; ')}`),
        ...ordinaryUnreadable.map((r) => `    unreadable? ${r.entry.local}: ${contentProblem(r.email)}`),
        ...ordinaryAutomated.filter((r) => !r.c.autoReply.is).map((r) => `    automated: ${r.entry.local}: ${automatedReasons(r.c).join('; ')}`),
      ].join('\n'),
    );
    expect(names(reports.filter((r) => !r.c.report))).toEqual([]);
    expect(names(autoReplies.filter((r) => !r.c.autoReply.is || r.c.report))).toEqual([]);
    expect(names(ordinaryAsReport)).toEqual([]);
    expect(names(ordinaryUnreadable)).toEqual([]);
    // Mailing-list and bulk mail (Precedence: bulk/list) counts as automated on purpose: it is never
    // acknowledged. What must not happen is a person's message taken for an out-of-office reply.
    for (const r of ordinaryAsAutoReply) expect(r.c.autoReply.reasons.join(' '), r.entry.local).toMatch(/Precedence|Feedback-ID|X-Auto-Response-Suppress/);
  });

  it('reads whether a bounce is permanent or a delay', () => {
    const delay = results.find((r) => r.entry.local.endsWith('mikel__report_422.eml'))!;
    expect(delay.c.report).toMatchObject({ kind: 'bounce', permanent: false });
    for (const name of ['sisimai__lhost-exim-01.eml', 'sisimai__lhost-qmail-01.eml', 'sisimai__lhost-gmail-01.eml', 'sisimai__lhost-postfix-02.eml']) {
      const r = results.find((x) => x.entry.local.endsWith(name))!;
      expect(r.c.report, name).toMatchObject({ kind: 'bounce', permanent: true });
      expect(r.c.report!.recipients.length, name).toBeGreaterThan(0);
    }
  });
});
