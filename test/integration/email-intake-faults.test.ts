/**
 * Hostile mail through the real intake handler, the file raw-mail store of the local stack and
 * DynamoDB Local: whatever a sender puts in a header (3,000-character ids and addresses, names that
 * decode past what a file system takes, invalid encodings, control characters, thousands of
 * repetitions), intake ends in a case or a filed report, never in a thrown error that would send
 * the message to the failed list for good.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import { parseRoutingConfig } from '../../functions/core/config.js';
import type { EmailCaseFields, EmailMessage } from '../../functions/core/use-cases/receive-email.js';
import { createHandler, s3ObjectCreatedEvent } from '../../functions/handlers/intake-email.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { makeAppDeps } from '../../functions/composition/deps.js';
import { LOCAL_MAIL_BUCKET, makeFileRawMailStore } from '../../lib/local/mail-store.js';
import { withLocalEmail } from '../../lib/local/smtp.js';
import { freshTable } from '../support/dynamo.js';
import { makeRoutingConfigInput } from '../support/fixtures.js';

const db = await freshTable('email-intake-faults');
let dataDir: string;
let deps: AppDeps;
let intake: ReturnType<typeof createHandler>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-email-faults-'));
  const base = makeAppDeps({ table: db.table, alerts: { publish: async () => undefined }, workflow: { startCase: async () => undefined } });
  await base.configs.put(
    parseRoutingConfig(makeRoutingConfigInput({ email: { fromAddress: 'support@caseflow.test', addresses: ['help@caseflow.test'] } } as never)),
    0,
    'test',
    new Date().toISOString(),
  );
  deps = (await withLocalEmail(base, dataDir)).deps;
  intake = createHandler(deps);
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let counter = 0;
/** Stores the bytes as the SMTP listener would (trace headers first) and runs the intake handler on them. */
async function deliver(raw: Buffer | string) {
  const key = `inbound/faults-${++counter}-${Date.now()}`;
  const bytes = Buffer.concat([
    Buffer.from(`Return-Path: <sender@customer.example>\r\nReceived: from mx.customer.example by caseflow-local; ${new Date().toUTCString()}\r\n`),
    Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'),
  ]);
  await makeFileRawMailStore(dataDir).put(key, bytes);
  const { results } = await intake(s3ObjectCreatedEvent(LOCAL_MAIL_BUCKET, key, bytes.byteLength));
  expect(results).toHaveLength(1);
  return { key, result: results[0]! };
}

async function filedCase(caseId: string | undefined, key: string): Promise<{ case: CaseRecord & EmailCaseFields; message: EmailMessage }> {
  expect(caseId, 'a case was made or joined').toBeTruthy();
  const found = await deps.cases.getWithHistory(caseId!);
  expect(found).toBeTruthy();
  const message = (found!.messages as EmailMessage[]).find((m) => m.rawRef === key);
  expect(message, 'the message is filed on its case').toBeTruthy();
  return { case: found!.case as CaseRecord & EmailCaseFields, message: message! };
}

const mixed = (boundary: string, parts: string[]) => [...parts.map((p) => `--${boundary}\r\n${p}`), `--${boundary}--\r\n`].join('\r\n');

describe('names and keys derived from mail are bounded', () => {
  it('stores an attachment whose raw 8-bit name decodes to far more than 255 bytes, and the case is made', async () => {
    // 120 Japanese characters, sent as raw UTF-8 bytes with one byte cut off the end (a mailer that cut the name short).
    const nameBytes = Buffer.from(`${'請求書の詳細な明細'.repeat(14)}.pdf`, 'utf8');
    const head = `From: Kenji <kenji@customer.example>\r\nTo: support@caseflow.test\r\nSubject: invoice\r\nMessage-ID: <long-name-${Date.now()}@customer.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n`;
    const raw = Buffer.concat([
      Buffer.from(
        `${head}--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="`,
      ),
      nameBytes.subarray(0, nameBytes.length - 6), // cut inside the last character, before ".pdf"
      Buffer.from('"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n'),
    ]);
    const { key, result } = await deliver(raw);
    expect(result.outcome).toBe('created');
    const { message } = await filedCase(result.caseId, key);
    const [attachment] = message.attachments;
    // Decoded as the UTF-8 it is, the one broken character replaced, not as 300 Latin-1 characters.
    expect(attachment!.name.startsWith('請求書の詳細な明細請求書')).toBe(true);
    expect(attachment!.name).toContain('\uFFFD');
    expect(Buffer.byteLength(attachment!.ref!.split('/').pop()!, 'utf8')).toBeLessThanOrEqual(255);
    expect((await deps.rawMail.get(attachment!.ref!))?.byteLength).toBeGreaterThan(0);
  });

  it('decodes a name with one bad trailing byte instead of giving up on all of it', async () => {
    const raw = Buffer.concat([
      Buffer.from(
        `From: hana@customer.example\r\nTo: support@caseflow.test\r\nSubject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="`,
      ),
      Buffer.from('報告書', 'utf8'),
      Buffer.from([0xe6]),
      Buffer.from('"\r\n\r\nAAAA\r\n--B--\r\n'),
    ]);
    const { key, result } = await deliver(raw);
    const { message } = await filedCase(result.caseId, key);
    expect(message.attachments[0]!.name).toBe('報告書\uFFFD');
  });

  it('makes a case of a message whose Message-ID is 3,000 characters, and files its second delivery as a duplicate', async () => {
    const id = `${'x'.repeat(3_000)}-${Date.now()}@customer.example`;
    const raw = `From: long-id@customer.example\r\nTo: support@caseflow.test\r\nSubject: long id\r\nMessage-ID: <${id}>\r\n\r\nbody\r\n`;
    const first = await deliver(raw);
    expect(first.result.outcome).toBe('created');
    const { message } = await filedCase(first.result.caseId, first.key);
    expect(message.emailMessageId?.length).toBeGreaterThan(0);
    const second = await deliver(raw.replace('body', 'body, sent again with other content'));
    // Same Message-ID, other content: filed on the same case, never a second case or a failure.
    expect(second.result.caseId).toBe(first.result.caseId);
  });

  it('makes a case of a message whose From is 3,000 characters, and acknowledges nobody at that address', async () => {
    const from = `${'y'.repeat(3_000)}@customer.example`;
    const { key, result } = await deliver(`From: ${from}\r\nTo: support@caseflow.test\r\nSubject: long from\r\n\r\nbody\r\n`);
    expect(result.outcome).toBe('created');
    const { case: c } = await filedCase(result.caseId, key);
    expect(c.contact.email.length).toBeLessThanOrEqual(254);
  });

  it('files a bounce naming a 3,000-character recipient and Message-ID', async () => {
    const long = `${'z'.repeat(3_000)}@customer.example`;
    const raw = `From: MAILER-DAEMON@mx.customer.example\r\nTo: support@caseflow.test\r\nSubject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nX-Failed-Recipients: ${long}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n${mixed(
      'B',
      [
        'Content-Type: text/plain\r\n\r\nDelivery to the following recipient failed permanently.\r\n',
        `Content-Type: text/rfc822-headers\r\n\r\nMessage-ID: <${long}>\r\nSubject: hello\r\n`,
      ],
    )}`;
    const { result } = await deliver(raw);
    expect(result.outcome).toBe('bounce');
  });
});

// --- the class: any hostile header ---------------------------------------------------------------

const HEADER_NAMES = [
  'From',
  'To',
  'Cc',
  'Reply-To',
  'Sender',
  'Subject',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Date',
  'Content-Type',
  'Content-Language',
  'Auto-Submitted',
  'X-Failed-Recipients',
  'Return-Path',
  'Content-Transfer-Encoding',
  'X-Custom',
];

/** Header values a hostile or broken mailer writes, as bytes. */
const hostileValue: fc.Arbitrary<Buffer> = fc.oneof(
  // very long plain text, address-like and id-like
  fc.integer({ min: 1_000, max: 12_000 }).map((n) => Buffer.from(`${'a'.repeat(n)}@example.com`)),
  fc.integer({ min: 1_000, max: 12_000 }).map((n) => Buffer.from(`<${'i'.repeat(n)}@example.com>`)),
  // thousands of addresses or ids
  fc.integer({ min: 100, max: 3_000 }).map((n) => Buffer.from(Array.from({ length: n }, (_, i) => `u${i}@example.com`).join(', '))),
  fc.integer({ min: 100, max: 3_000 }).map((n) => Buffer.from(Array.from({ length: n }, (_, i) => `<r${i}@example.com>`).join(' '))),
  // raw bytes, valid or not as UTF-8, including control characters (never CR/LF: they would end the header)
  fc.uint8Array({ minLength: 1, maxLength: 600 }).map((bytes) => Buffer.from(bytes.map((b) => (b === 0x0a || b === 0x0d ? 0x20 : b)))),
  fc.string({ unit: 'binary', maxLength: 400 }).map((s) => Buffer.from(s.replace(/[\r\n]/g, ' '), 'utf8')),
  // encoded words that lie: unknown charsets, broken base64, cut-off sequences, enormous ones
  fc.constantFrom(
    Buffer.from('=?x-unknown-charset?B?Zm9vYmFy?='),
    Buffer.from('=?UTF-8?B?5aCx5ZGK5pu45?='),
    Buffer.from('=?UTF-8?Q?=E5=A0=B1=E5=91?='),
    Buffer.from('=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= =?GB2312?B?1tDOxA==?='),
    Buffer.from(`=?UTF-8?B?${Buffer.from('長'.repeat(4_000)).toString('base64')}?=`),
    Buffer.from('\u0000\u0001\u0007\u001b[31m'),
    Buffer.from('<<<<<<<<<<<<<<<<<<<<>>>>>>>>@@@@@@'),
  ),
);

const hostileHeader = fc.record({
  name: fc.constantFrom(...HEADER_NAMES),
  value: hostileValue,
  times: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 300 })),
});

/** A part with a hostile file name (raw bytes, or RFC 2231 / RFC 2047 forms of them). */
const hostileAttachment = fc.record({
  name: fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 900 }).map((b) => Buffer.from(b.map((x) => (x === 0x22 || x === 0x0a || x === 0x0d ? 0x5f : x)))),
    fc.integer({ min: 100, max: 2_000 }).map((n) => Buffer.from(`${'名'.repeat(n)}.pdf`)),
    fc.integer({ min: 100, max: 2_000 }).map((n) => Buffer.from(`=?UTF-8?B?${Buffer.from('ф'.repeat(n)).toString('base64')}?=`)),
  ),
  star: fc.boolean(),
});

const hostileMessage = fc.record({
  headers: fc.array(hostileHeader, { minLength: 1, maxLength: 6 }),
  attachment: fc.option(hostileAttachment, { nil: undefined }),
  body: fc.oneof(
    fc.constant(Buffer.from('hello\r\n')),
    fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
  ),
});

function render(m: typeof hostileMessage extends fc.Arbitrary<infer T> ? T : never): Buffer {
  const chunks: Buffer[] = [];
  for (const h of m.headers) for (let i = 0; i < h.times; i++) chunks.push(Buffer.from(`${h.name}: `), h.value, Buffer.from('\r\n'));
  if (!m.headers.some((h) => h.name === 'From')) chunks.push(Buffer.from('From: fuzz@customer.example\r\n'));
  if (m.attachment) {
    chunks.push(Buffer.from('MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="FZ"\r\n\r\n--FZ\r\nContent-Type: text/plain\r\n\r\n'));
    chunks.push(m.body, Buffer.from('\r\n--FZ\r\nContent-Type: application/octet-stream\r\n'));
    if (m.attachment.star)
      chunks.push(
        Buffer.from(
          `Content-Disposition: attachment; filename*=UTF-8''${[...m.attachment.name].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}\r\n`,
        ),
      );
    else chunks.push(Buffer.from('Content-Disposition: attachment; filename="'), m.attachment.name, Buffer.from('"\r\n'));
    chunks.push(Buffer.from('Content-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\n--FZ--\r\n'));
  } else {
    chunks.push(Buffer.from('\r\n'), m.body);
  }
  return Buffer.concat(chunks);
}

function describeMessage(m: typeof hostileMessage extends fc.Arbitrary<infer T> ? T : never): string {
  const headers = m.headers.map((h) => `${h.name} (${h.value.length} bytes${h.times > 1 ? ` ×${h.times}` : ''})`).join(', ');
  return `[${headers}]${m.attachment ? `, attachment name of ${m.attachment.name.length} bytes${m.attachment.star ? ' (RFC 2231)' : ''}` : ''}, body of ${m.body.length} bytes`;
}

describe('hostile headers never make intake fail for good', () => {
  it('ends every generated message in a case or a filed report', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMessage, async (m) => {
        try {
          const { key, result } = await deliver(render(m));
          expect(['created', 'joined', 'reopened', 'bounce', 'report', 'duplicate']).toContain(result.outcome);
          if (result.outcome === 'created' || result.outcome === 'joined' || result.outcome === 'reopened') await filedCase(result.caseId, key);
        } catch (error) {
          // The SDK's errors carry the whole HTTP exchange: name the failure and the message's shape, not megabytes of it.
          throw new Error(`${(error as Error).name}: ${(error as Error).message.slice(0, 300)} for ${describeMessage(m)}`);
        }
      }),
      {
        numRuns: Number(process.env.CASEFLOW_FUZZ_RUNS ?? 60),
        endOnFailure: true,
        reporter(run) {
          if (run.failed)
            throw new Error(`seed ${run.seed}, path ${run.counterexamplePath}: ${String((run.errorInstance as Error)?.message ?? run.errorInstance)}`);
        },
      },
    );
  }, 600_000);
});
