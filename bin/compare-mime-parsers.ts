/**
 * `npx tsx bin/compare-mime-parsers.ts --data-dir DIR [--verbose]`: runs mailparser 3.9.31 and
 * postal-mime 4.0.0 over a folder of real-world mail and scores each against the expectations in its
 * emails_index.json (decoded subject, from, attachment names and counts, and the machine-checkable
 * parts of `expected_other`), plus caseflow's own adapter (mailparser with the fixes in
 * functions/adapters/mime-parser.ts). The library with the higher score is the one caseflow uses.
 *
 * DIR (or CASEFLOW_DATA_DIR) is the folder holding emails/emails_index.json and the messages it lists:
 * the real-world corpus is not part of this repository. test/fixtures has the same layout with
 * hand-written messages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type AddressObject, type MailParserOptions, simpleParser } from 'mailparser';
import PostalMime from 'postal-mime';
import { makeMimeParser } from '../functions/adapters/mime-parser.js';

export interface IndexEntry {
  local: string;
  /** Python 3.11's decoding, a weak cross-check only (known wrong on several hard messages). */
  pyref_subject?: string | null;
  pyref_from?: string | null;
  category: string;
  expected_subject?: string;
  expected_from?: string;
  expected_attachments?: string[];
  expected_other?: string;
}

/** What every parser is reduced to for scoring. */
export interface Normalised {
  subject: string;
  from?: { address: string; name: string };
  to: { address: string; name: string }[];
  messageId?: string;
  inReplyTo: string[];
  references: string[];
  text: string;
  hasHtml: boolean;
  attachments: { name: string; contentType: string; size: number }[];
}

export type ParserName = 'mailparser' | 'postal-mime' | 'caseflow';

/** `dir` is the emails/ folder: it holds emails_index.json, whose `local` paths start with `emails/`. */
export function loadIndex(dir: string): IndexEntry[] {
  return JSON.parse(readFileSync(join(dir, 'emails_index.json'), 'utf8')) as IndexEntry[];
}

export function readMessage(entry: IndexEntry, dir: string): Buffer {
  return readFileSync(join(dir, entry.local.replace(/^emails\//, '')));
}

const bare = (id: string | undefined) => (id ?? '').trim().replace(/^<|>$/g, '');
const ids = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? v.split(/\s+/) : []).map(bare).filter(Boolean);

// keepDeliveryStatus (keep a DSN's delivery-status part as a part) is missing from @types/mailparser.
const MAILPARSER_OPTIONS: MailParserOptions & { keepDeliveryStatus: boolean } = { skipImageLinks: true, skipTextToHtml: true, keepDeliveryStatus: true };

async function viaMailparser(raw: Buffer): Promise<Normalised> {
  const p = await simpleParser(raw, MAILPARSER_OPTIONS);
  const first = (o: AddressObject | AddressObject[] | undefined) => (Array.isArray(o) ? o[0] : o)?.value ?? [];
  const from = first(p.from)[0];
  return {
    subject: p.subject ?? '',
    ...(from ? { from: { address: from.address ?? '', name: from.name ?? '' } } : {}),
    to: first(p.to).map((a) => ({ address: a.address ?? '', name: a.name ?? '' })),
    messageId: bare(p.messageId),
    inReplyTo: ids(p.inReplyTo),
    references: ids(p.references),
    text: p.text ?? '',
    hasHtml: typeof p.html === 'string',
    attachments: p.attachments.map((a) => ({ name: a.filename ?? '', contentType: a.contentType, size: a.size })),
  };
}

async function viaPostalMime(raw: Buffer): Promise<Normalised> {
  const p = await PostalMime.parse(raw);
  return {
    subject: p.subject ?? '',
    ...(p.from ? { from: { address: p.from.address ?? '', name: p.from.name ?? '' } } : {}),
    to: (p.to ?? []).map((a) => ({ address: 'address' in a ? (a.address ?? '') : '', name: a.name ?? '' })),
    messageId: bare(p.messageId),
    inReplyTo: ids(p.inReplyTo),
    references: ids(p.references),
    text: p.text ?? '',
    hasHtml: typeof p.html === 'string',
    attachments: p.attachments.map((a) => ({
      name: a.filename ?? '',
      contentType: a.mimeType,
      size: typeof a.content === 'string' ? a.content.length : a.content.byteLength,
    })),
  };
}

const adapter = makeMimeParser();
async function viaCaseflow(raw: Buffer): Promise<Normalised> {
  const p = await adapter.parse(raw);
  return {
    subject: p.subject,
    ...(p.from ? { from: { address: p.from.address, name: p.from.name ?? '' } } : {}),
    to: p.to.map((a) => ({ address: a.address, name: a.name ?? '' })),
    messageId: p.messageId ?? '',
    inReplyTo: ids(p.inReplyTo),
    references: ids(p.references),
    text: p.text ?? '',
    hasHtml: p.html !== undefined,
    // Parts without a name are named by the adapter (`part-2.eml`); upstream suites count them unnamed.
    attachments: p.attachments.map((a) => ({ name: /^part-\d+\./.test(a.filename) ? '' : a.filename, contentType: a.contentType, size: a.size })),
  };
}

export const PARSERS: Record<ParserName, (raw: Buffer) => Promise<Normalised>> = {
  mailparser: viaMailparser,
  'postal-mime': viaPostalMime,
  caseflow: viaCaseflow,
};

/** `display name "X"`, `"N" <a>`, `N <a>`, `<a>`, `a` ▶ what to compare. */
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

export interface Check {
  field: string;
  expected: unknown;
  got: unknown;
  ok: boolean;
}

const sortNames = (names: string[]) => [...names].sort();

/** The machine-checkable parts of `expected_other`, written out per message (the index states them in prose). */
const OTHER: Record<string, (n: Normalised) => Check[]> = {
  'mikel__attachment_nonascii_filename.eml': (n) => [
    {
      field: 'attachments',
      expected: ['ciële.txt'],
      got: n.attachments.map((a) => a.name),
      ok: n.attachments.length === 1 && n.attachments[0]!.name === 'ciële.txt',
    },
  ],
  'mikel__attachment_with_encoded_name.eml': (n) => {
    const want = '01 Quien Te Dij\uFFFDat. Pitbull.mp3';
    return [
      { field: 'attachments', expected: [want], got: n.attachments.map((a) => a.name), ok: n.attachments.length === 1 && n.attachments[0]!.name === want },
    ];
  },
  'mikel__attachment_pdf.eml': (n) => [{ field: 'attachment[0].size', expected: 1026, got: n.attachments[0]?.size, ok: n.attachments[0]?.size === 1026 }],
  'mikel__attachment_message_rfc822.eml': (n) => [{ field: 'attachment count', expected: 2, got: n.attachments.length, ok: n.attachments.length === 2 }],
  'mikel__ks_c_5601-1987.eml': (n) => [{ field: 'text', expected: '스티해', got: n.text.trim(), ok: n.text.trim() === '스티해' }],
  'mikel__utf8_headers.eml': (n) => [
    { field: 'to', expected: 'Märy Smith <märy@exämple.net>', got: n.to[0], ok: n.to[0]?.name === 'Märy Smith' && n.to[0]?.address === 'märy@exämple.net' },
  ],
  'zbateson__m0001.txt': (n) => [
    {
      field: 'to',
      expected: 'Jürgen Schmürgen <schmuergen@example.com>',
      got: n.to[0],
      ok: n.to[0]?.name === 'Jürgen Schmürgen' && n.to[0]?.address === 'schmuergen@example.com',
    },
    {
      field: 'messageId',
      expected: 'NDBBIAKOPKHFGPLCODIGIEKBCHAA.doug@example.com',
      got: n.messageId,
      ok: n.messageId === 'NDBBIAKOPKHFGPLCODIGIEKBCHAA.doug@example.com',
    },
    { field: 'text', expected: 'starts "Die Hasen und die Frösche"', got: n.text.slice(0, 30), ok: n.text.trim().startsWith('Die Hasen und die Frösche') },
  ],
  'mimekit__issue358.txt': (n) => [
    { field: 'text+html (multipart/alternative)', expected: true, got: n.hasHtml && n.text.length > 0, ok: n.hasHtml && n.text.length > 0 },
  ],
  'mikel__example06.eml': (n) => [
    { field: 'inReplyTo', expected: ['1234@local.machine.example'], got: n.inReplyTo, ok: n.inReplyTo.join() === '1234@local.machine.example' },
    { field: 'messageId', expected: '3456@example.net', got: n.messageId, ok: n.messageId === '3456@example.net' },
  ],
  'mikel__example07.eml': (n) => [
    {
      field: 'references',
      expected: ['1234@local.machine.example', '3456@example.net'],
      got: n.references,
      ok: n.references.join() === '1234@local.machine.example,3456@example.net',
    },
    { field: 'inReplyTo', expected: ['3456@example.net'], got: n.inReplyTo, ok: n.inReplyTo.join() === '3456@example.net' },
  ],
  'mikel__example05.eml': (n) => [
    { field: 'messageId', expected: '1234@local.machine.example', got: n.messageId, ok: n.messageId === '1234@local.machine.example' },
  ],
  'mikel__example14.eml': (n) => [
    { field: 'messageId', expected: '0CC5E11ED2C1D@example.com', got: n.messageId, ok: n.messageId === '0CC5E11ED2C1D@example.com' },
  ],
  'mikel__raw_email_reply.eml': (n) => [
    { field: 'messageId', expected: '473FFE27.20003@xxx.org', got: n.messageId, ok: n.messageId === '473FFE27.20003@xxx.org' },
  ],
  'mikel__report_422.eml': (n) => [
    {
      field: 'delivery-status part',
      expected: true,
      got: n.attachments.map((a) => a.contentType),
      ok: n.attachments.some((a) => a.contentType === 'message/delivery-status'),
    },
  ],
  'mimekit__disposition-notification.txt': (n) => [
    {
      field: 'disposition-notification part',
      expected: true,
      got: n.attachments.map((a) => a.contentType),
      ok: n.attachments.some((a) => a.contentType === 'message/disposition-notification'),
    },
  ],
};

export function checksFor(entry: IndexEntry, n: Normalised): Check[] {
  const checks: Check[] = [];
  if (entry.expected_subject !== undefined)
    checks.push({ field: 'subject', expected: entry.expected_subject, got: n.subject, ok: n.subject === entry.expected_subject });
  if (entry.expected_from !== undefined) {
    const want = expectedFrom(entry.expected_from);
    const ok = (want.address === undefined || n.from?.address === want.address) && (want.name === undefined || n.from?.name === want.name);
    checks.push({ field: 'from', expected: want, got: n.from, ok });
  }
  if (entry.expected_attachments !== undefined) {
    const got = n.attachments.map((a) => a.name);
    checks.push({
      field: 'attachments',
      expected: entry.expected_attachments,
      got,
      ok: JSON.stringify(sortNames(got)) === JSON.stringify(sortNames(entry.expected_attachments)),
    });
  }
  const file = entry.local.split('/').pop()!;
  checks.push(...(OTHER[file]?.(n) ?? []));
  return checks;
}

export interface ParserScore {
  parser: ParserName;
  passed: number;
  total: number;
  /** Messages whose subject or sender name still holds U+FFFD (undecodable bytes) — lower is better. */
  replacementChars: number;
  /** Messages the parser threw on. */
  errors: number;
  /** Weak cross-check: subjects equal to Python's decoding, over the messages Python decoded without U+FFFD. */
  pyrefSubjects: { agree: number; total: number };
  failures: { file: string; check: Check }[];
}

export async function compareMimeParsers(dir: string): Promise<ParserScore[]> {
  const index = loadIndex(dir);
  const scores: ParserScore[] = [];
  for (const parser of Object.keys(PARSERS) as ParserName[]) {
    const score: ParserScore = { parser, passed: 0, total: 0, replacementChars: 0, errors: 0, pyrefSubjects: { agree: 0, total: 0 }, failures: [] };
    for (const entry of index) {
      const raw = readMessage(entry, dir);
      let n: Normalised;
      try {
        n = await PARSERS[parser](raw);
      } catch {
        score.errors++;
        n = { subject: '', to: [], inReplyTo: [], references: [], text: '', hasHtml: false, attachments: [] };
      }
      for (const check of checksFor(entry, n)) {
        score.total++;
        if (check.ok) score.passed++;
        else score.failures.push({ file: entry.local, check });
      }
      if (`${n.subject}${n.from?.name ?? ''}`.includes('\uFFFD')) score.replacementChars++;
      if (typeof entry.pyref_subject === 'string' && !entry.pyref_subject.includes('\uFFFD')) {
        const fold = (s: string) => s.replace(/\s+/g, ' ').trim();
        score.pyrefSubjects.total++;
        if (fold(n.subject) === fold(entry.pyref_subject)) score.pyrefSubjects.agree++;
      }
    }
    scores.push(score);
  }
  return scores;
}

const USAGE = `Usage: npx tsx bin/compare-mime-parsers.ts --data-dir DIR [--verbose]

Scores mailparser, postal-mime and caseflow's adapter against the expectations of a mail corpus.
  --data-dir DIR   the folder holding emails/emails_index.json and the messages it lists
                   (default: $CASEFLOW_DATA_DIR). The real-world corpus is not part of this
                   repository; test/fixtures has the same layout with hand-written messages.
  --verbose        also list the checks caseflow's own adapter fails`;

/** The emails/ folder to score, or a message saying what is missing. */
export function emailsDirOf(dataDir: string | undefined): { dir: string } | { problem: string } {
  if (!dataDir) return { problem: 'no corpus folder given: pass --data-dir DIR or set CASEFLOW_DATA_DIR' };
  const dir = resolve(dataDir, 'emails');
  if (!existsSync(join(dir, 'emails_index.json')))
    return { problem: `${join(dir, 'emails_index.json')} does not exist (--data-dir / CASEFLOW_DATA_DIR is ${dataDir})` };
  return { dir };
}

async function main(): Promise<number> {
  let values: { 'data-dir'?: string; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { 'data-dir': { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`compare-mime-parsers: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const found = emailsDirOf(values['data-dir'] ?? (process.env.CASEFLOW_DATA_DIR || undefined));
  if ('problem' in found) {
    console.error(`compare-mime-parsers: ${found.problem}\n\n${USAGE}`);
    return 2;
  }
  const verbose = values.verbose ?? false;
  const scores = await compareMimeParsers(found.dir);
  console.log('parser        upstream expectations  subjects = Python (weak)  U+FFFD in subject/from  errors');
  for (const s of scores) {
    console.log(
      `${s.parser.padEnd(13)} ${`${s.passed}/${s.total}`.padEnd(22)} ${`${s.pyrefSubjects.agree}/${s.pyrefSubjects.total}`.padEnd(25)} ${String(s.replacementChars).padEnd(23)} ${s.errors}`,
    );
  }
  for (const s of scores) {
    if (!verbose && s.parser === 'caseflow') continue;
    console.log(`\n${s.parser}: ${s.failures.length} failed check(s)`);
    for (const f of s.failures) console.log(`  ${f.file} ${f.check.field}: expected ${JSON.stringify(f.check.expected)}, got ${JSON.stringify(f.check.got)}`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
