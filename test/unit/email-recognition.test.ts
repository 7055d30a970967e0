/**
 * Recognition of bounces, delays, out-of-office replies and challenge-response messages over a
 * fixture set written here in the shapes real mail servers and providers use (Exim, Postfix,
 * Sendmail, qmail, Exchange/Office 365, Domino, Gmail, Yahoo, Mail.ru, Japanese carriers and ISPs,
 * Chinese and Korean providers; out-of-office replies in 20+ languages), next to ordinary customer
 * mail that uses the same words ("delivery failed", "out of the office", 退货, 届きませんでした).
 * Each file is decoded by the production MIME adapter and classified by the production rules.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeMimeParser } from '../../functions/adapters/mime-parser.js';
import type { ParsedEmail } from '../../functions/core/email.js';
import { automatedReasons, classifyInbound, type InboundClassification } from '../../functions/core/email-classify.js';

const DIR = new URL('../fixtures/email-recognition/', import.meta.url);
const ACK_ID = 'ack.01jcase0000000000000000.01jmsg0000000000000000@caseflow.test';
const CATEGORIES = ['bounce', 'delay', 'auto-reply', 'challenge', 'ordinary'] as const;
type Category = (typeof CATEGORIES)[number];

interface Fixture {
  category: Category;
  name: string;
  raw: Buffer;
  email: ParsedEmail;
  c: InboundClassification;
}

const parser = makeMimeParser();
const fixtures: Fixture[] = [];
for (const category of CATEGORIES) {
  for (const name of readdirSync(new URL(`${category}/`, DIR)).filter((f) => f.endsWith('.eml'))) {
    const raw = readFileSync(new URL(`${category}/${name}`, DIR));
    const email = await parser.parse(raw);
    fixtures.push({ category, name, raw, email, c: classifyInbound(email, ['support@caseflow.test']) });
  }
}
const of = (category: Category) => fixtures.filter((f) => f.category === category);

/** What the rules make of a fixture, in the fixture's own terms. */
function verdict(f: Fixture): string {
  if (f.c.report) return f.c.report.permanent ? 'bounce' : 'delay';
  if (f.c.autoReply.kind === 'challenge') return 'challenge';
  if (f.c.autoReply.is) return 'auto-reply';
  return 'ordinary';
}

describe('recognition over the fixture set', () => {
  it('has a broad set: dozens of notices across mail servers, providers and languages', () => {
    expect(of('bounce').length).toBeGreaterThanOrEqual(30);
    expect(of('delay').length).toBeGreaterThanOrEqual(6);
    expect(of('auto-reply').length).toBeGreaterThanOrEqual(30);
    expect(of('challenge').length).toBeGreaterThanOrEqual(5);
    expect(of('ordinary').length).toBeGreaterThanOrEqual(20);
  });

  it('classifies every fixture as what it is', () => {
    const lines = CATEGORIES.map((category) => {
      const all = of(category);
      const right = all.filter((f) => verdict(f) === category || (category === 'challenge' && verdict(f) === 'challenge'));
      return `  ${category}: ${right.length}/${all.length}`;
    });
    console.log(`[email recognition, fixtures] ${fixtures.length} messages\n${lines.join('\n')}`);
    const wrong = fixtures.filter((f) => verdict(f) !== f.category).map((f) => `${f.category}/${f.name} → ${verdict(f)}`);
    expect(wrong).toEqual([]);
  });

  it('reads the failed recipients and the original message of a bounce', () => {
    for (const f of [...of('bounce'), ...of('delay')]) {
      expect(f.c.report!.recipients.length, `${f.name} names the address that failed`).toBeGreaterThan(0);
      for (const r of f.c.report!.recipients) expect(r.address, f.name).not.toBe('support@caseflow.test');
      if (f.raw.includes(ACK_ID)) expect(f.c.report!.originalMessageIds, `${f.name} names our message`).toContain(ACK_ID);
    }
    for (const f of of('delay')) for (const r of f.c.report!.recipients) expect(r.action, f.name).toBe('delayed');
  });

  it('says why, and never answers or reopens for any of them', () => {
    for (const f of fixtures.filter((x) => x.category !== 'ordinary')) {
      const reasons = automatedReasons(f.c);
      expect(reasons.length, f.name).toBeGreaterThan(0);
      expect(reasons.join(' ').length, f.name).toBeLessThan(2_000);
    }
    for (const f of of('ordinary')) expect(automatedReasons(f.c), f.name).toEqual([]);
  });
});
