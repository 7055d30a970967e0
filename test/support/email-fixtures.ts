/**
 * The hand-written messages of test/fixtures/emails: charsets, threading, auto-replies, bounces and
 * other reports, malformed mail and MIME structure, written for caseflow (nothing copied from the
 * real-world corpora). They are laid out like the corpus folder's emails/ (category folders and an
 * emails_index.json with the same fields), so tools that take a corpus folder also take
 * test/fixtures (`npm run bench -- email --data-dir test/fixtures`). What each message must become
 * is written beside it in the index, in fields the corpus index does not have.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder to give tools that take a corpus folder (it holds emails/ and eventlogs/). */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const EMAIL_FIXTURES_DIR = join(FIXTURES_DIR, 'emails');

export type FixtureCategory = 'auto_replies' | 'bounces_dsn' | 'charsets' | 'malformed' | 'mime_structure' | 'threading';

export interface ExpectedReport {
  kind: 'bounce' | 'disposition' | 'feedback';
  format: 'dsn' | 'mdn' | 'arf' | 'non-standard';
  permanent: boolean;
  recipients: string[];
  statuses: string[];
  originalMessageId?: string;
}

export interface EmailFixture {
  /** `emails/<category>/<file>`, as in the corpus index. */
  local: string;
  category: FixtureCategory;
  expected_subject?: string;
  expected_from?: string;
  expected_attachments?: string[];
  /** The language of the customer's text, when it is written in one. */
  expected_language?: string;
  /** What intake makes of it: a new case, a reply joined to one, a bounce or another report (no case). */
  expected_outcome?: 'created' | 'joined' | 'bounce' | 'report';
  /** Whether intake acknowledges it. */
  expected_ack?: boolean;
  /** What detectReport must read from it. */
  expected_report?: ExpectedReport;
  /** The inline image stored beside the message. */
  expected_inline?: { name: string; contentType: string; size: number; contentId: string };
  /** Decoded sizes of named attachments. */
  expected_sizes?: Record<string, number>;
  /** A phrase the derived text must hold. */
  expected_text_contains?: string;
  /** Messages with the same thread belong to one case. */
  thread?: string;
}

export function loadEmailFixtures(): EmailFixture[] {
  return JSON.parse(readFileSync(join(EMAIL_FIXTURES_DIR, 'emails_index.json'), 'utf8')) as EmailFixture[];
}

export function readEmailFixture(fixture: Pick<EmailFixture, 'local'> | string): Buffer {
  const local = typeof fixture === 'string' ? fixture : fixture.local;
  return readFileSync(join(EMAIL_FIXTURES_DIR, local.replace(/^emails\//, '')));
}

/** `display name "X"`, `"N" <a>`, `N <a>`, `<a>`, `a` ▶ the name and address to compare. */
export function expectedFrom(text: string): { name?: string; address?: string } {
  const displayOnly = text.match(/^display name "(.*)"$/);
  if (displayOnly) return { name: displayOnly[1]! };
  const angle = text.match(/^(.*?)\s*<([^>]+)>$/);
  if (angle) {
    const name = angle[1]!.replace(/^"|"$/g, '').trim();
    return { ...(name ? { name } : {}), address: angle[2]! };
  }
  return { address: text.trim() };
}

/** A message with `count` small text attachments, built here rather than stored (real mail with 300+ parts happens). */
export function manyAttachmentsMessage(count: number): Buffer {
  const boundary = 'many-parts-boundary';
  const lines = [
    'From: Archive Robot <archive@records.example>',
    'To: support@caseflow.test',
    `Subject: Export of ${count} delivery notes`,
    'Date: Wed, 26 Mar 2025 12:00:00 +0000',
    `Message-ID: <many-${count}@records.example>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `Attached are the ${count} delivery notes you asked for.`,
  ];
  for (let i = 1; i <= count; i++) {
    const name = `note-${String(i).padStart(3, '0')}.txt`;
    lines.push(`--${boundary}`, `Content-Type: text/plain; charset=us-ascii; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, '');
    lines.push(`Delivery note ${i}: ${i % 7} parcels handed over.`);
  }
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'));
}
