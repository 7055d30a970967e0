/**
 * Done-when of email-to-case, on the whole local stack: mail sent with an ordinary client to the
 * SMTP port becomes a case, its acknowledgement appears in the outbox with the case number, and
 * replying to the acknowledgement lands in the same case.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-email-'));
  stack = await startLocalStack({ port: 0, memory: true, dataDir, smtpPort: 0, quiet: true });
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('turns mail into a case, acknowledges it with the case number, and files the reply on the same case', async () => {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(stack.services.smtp!.info!.port), secure: false, ignoreTLS: true });
  await transport.sendMail({ from: 'Ada Lovelace <ada@customer.example>', to: 'support@caseflow.local', subject: 'Printer on fire', text: 'Room 4 again.' });

  const outbox = join(dataDir, 'outbox');
  const acks = (await readdir(outbox)).filter((f) => f.includes('-ack-'));
  expect(acks).toHaveLength(1);
  const ack = await simpleParser(await readFile(join(outbox, acks[0]!)));
  const caseNumber = String(ack.headers.get('x-caseflow-case'));
  expect(ack.subject).toContain(`[CF-${caseNumber}:`);
  const c = await stack.deps.cases.getByNumber(caseNumber);
  expect(c).toMatchObject({ channel: 'email', subject: 'Printer on fire', contact: { email: 'ada@customer.example' } });

  await transport.sendMail({
    from: 'ada@customer.example',
    to: 'support@caseflow.local',
    subject: `Re: ${ack.subject}`,
    text: 'Still burning.',
    inReplyTo: ack.messageId!,
    references: ack.messageId!,
  });
  const found = await stack.deps.cases.getWithHistory(c!.caseId);
  expect(found!.messages.filter((m) => m.direction === 'inbound').map((m) => m.text.trim())).toEqual(['Room 4 again.', 'Still burning.']);
  // The case went through the same workflow as web cases.
  // (With the demo SLA policy the execution then waits for its SLA deadline: far enough.)
  await stack.workflow.waitFor(c!.caseId, { until: 'WaitForSlaDeadline' });
  expect((await stack.deps.cases.get(c!.caseId))!.status).not.toBe('new');
  transport.close();
});
