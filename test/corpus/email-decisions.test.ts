/**
 * The pure email decisions over real mail: the auto-replies and bounces of the corpus folder's
 * emails/ (CASEFLOW_DATA_DIR), decoded by the production MIME adapter. The same decisions over
 * hand-written messages are in test/unit/email-decisions.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeMimeParser } from '../../functions/adapters/mime-parser.js';
import { detectAutoReply, detectReport } from '../../functions/core/email-classify.js';
import { corpusPath } from '../support/corpus.js';

const CORPUS = corpusPath('emails');
const index = JSON.parse(readFileSync(join(CORPUS, 'emails_index.json'), 'utf8')) as { local: string; category: string }[];
const parser = makeMimeParser();
const parse = (local: string) => parser.parse(readFileSync(join(CORPUS, local.replace(/^emails\//, ''))));

describe('auto-replies (RFC 3834 and the vendors’ own ways)', () => {
  it('recognises every auto-reply of the corpus, with a reason', async () => {
    for (const entry of index.filter((e) => e.category === 'auto_replies')) {
      const verdict = detectAutoReply(await parse(entry.local));
      expect(verdict.is, entry.local).toBe(true);
      expect(verdict.reasons.length, entry.local).toBeGreaterThan(0);
    }
  });

  it('takes ordinary mail of the corpus for what it is: no subject reason', async () => {
    for (const entry of index.filter((e) => e.category === 'charsets' || e.category === 'threading').slice(0, 20)) {
      const parsed = await parse(entry.local);
      expect(
        detectAutoReply(parsed).reasons.filter((r) => r.startsWith('subject')),
        entry.local,
      ).toEqual([]);
    }
  });
});

describe('bounces and reports', () => {
  it('recognises every bounce and report of the corpus, standard or not', async () => {
    for (const entry of index.filter((e) => e.category === 'bounces_dsn')) {
      const report = detectReport(await parse(entry.local));
      expect(report, entry.local).toBeDefined();
    }
  });

  it('reads the failed recipient and status of a DSN, and the recipients of non-standard bounces', async () => {
    const postfix = detectReport(await parse('emails/bounces_dsn/sisimai__lhost-postfix-02.eml'))!;
    expect(postfix).toMatchObject({ kind: 'bounce', format: 'dsn', permanent: true });
    expect(postfix.recipients.map((r) => r.status)).toEqual(['5.2.1', '5.1.1']);
    const exim = detectReport(await parse('emails/bounces_dsn/sisimai__lhost-exim-01.eml'))!;
    expect(exim).toMatchObject({ kind: 'bounce', format: 'non-standard' });
    expect(exim.recipients.map((r) => r.address)).toEqual(['kijitora@example.ed.jp']);
    expect(exim.originalMessageIds).toContain('hogeuoiuadogalhg.dg9i09@example.jp');
    const delay = detectReport(await parse('emails/bounces_dsn/mikel__report_422.eml'))!;
    expect(delay.permanent).toBe(false);
    expect(detectReport(await parse('emails/bounces_dsn/mimekit__disposition-notification.txt'))!.kind).toBe('disposition');
    expect(detectReport(await parse('emails/bounces_dsn/sisimai__arf-01.eml'))!.kind).toBe('feedback');
  });

  it('takes no ordinary message for a bounce', async () => {
    for (const entry of index.filter((e) => ['charsets', 'mime_structure', 'threading', 'auto_replies'].includes(e.category))) {
      expect(detectReport(await parse(entry.local)), entry.local).toBeUndefined();
    }
  });
});
