/**
 * Large reply files on the whole local stack over HTTP: the owner asks for an upload
 * (`POST /cases/{id}/uploads`), sends the file as a multipart/form-data POST to the URL answered
 * (the local stack's stand-in for a pre-signed S3 POST), then replies naming it by key: the mail in
 * the outbox carries the file, byte for byte. An upload key of another case, a key that holds
 * nothing, a file larger than declared or of another type, and a caller who may not reply are refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../../functions/core/case.js';
import { MAX_UPLOAD_BYTES } from '../../functions/core/use-cases/uploads.js';
import { responseSchemas } from '../../functions/handlers/api/schemas.js';
import type { LocalStack } from '../../lib/local/stack.js';
import { startLocalStack } from '../../lib/local/stack.js';
import type { LocalClient } from '../support/local-client.js';
import { localClient } from '../support/local-client.js';

let stack: LocalStack;
let dataDir: string;
let api: LocalClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'caseflow-e2e-uploads-'));
  stack = await startLocalStack({ port: 0, memory: true, dataDir, quiet: true, smtpPort: 0, webLimits: { perIp: 1000, perEmail: 1000 } });
  api = await localClient(stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let n = 0;
async function webCase(): Promise<CaseRecord> {
  n++;
  const res = await api.call('POST', '/web-to-case', {
    json: {
      name: `Customer ${n}`,
      email: `upload${n}@example.org`,
      subject: `Scan of contract ${n}`,
      description: 'Please send the signed copy.',
      country: 'DE',
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await stack.workflow.waitFor(res.body.caseId, { until: 'WaitForSlaDeadline' });
  const c = await stack.deps.cases.get(res.body.caseId);
  expect(c?.owner).toBeTruthy();
  return c!;
}

/** The upload as a browser sends it: the fields answered, then the file. */
async function upload(grant: { url: string; fields: Record<string, string> }, bytes: Uint8Array, type: string): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(grant.fields)) form.append(k, v);
  form.append('file', new Blob([bytes], { type }), 'upload.bin');
  return fetch(grant.url, { method: 'POST', body: form });
}

const outboxMail = async () =>
  (await readdir(join(dataDir, 'outbox')).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error))))
    .filter((f) => f.includes('-mail-'))
    .sort();

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('a reply with a file uploaded beforehand', () => {
  it('uploads 6 MB (more than a reply body takes inline), replies naming the key, and the mail in the outbox carries the file', async () => {
    const c = await webCase();
    const bytes = new Uint8Array(randomBytes(6 * 1024 * 1024));
    const asked = await api.call('POST', `/cases/${c.caseId}/uploads`, { as: c.owner!, json: { contentType: 'application/pdf', size: bytes.byteLength } });
    expect(asked.status, asked.text).toBe(201);
    const grant = responseSchemas().UploadGrantSchema.parse(asked.body);
    expect(grant.key.startsWith(`uploads/${c.caseId}/`)).toBe(true);
    expect(grant.maxBytes).toBe(bytes.byteLength);
    expect((await upload(grant, bytes, 'application/pdf')).status).toBe(204);

    const before = await outboxMail();
    const reply = await api.call('POST', `/cases/${c.caseId}/replies`, {
      as: c.owner!,
      json: { text: 'The signed contract is attached.', uploads: [{ key: grant.key, name: 'contract-signed.pdf' }] },
    });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body.message.attachments).toEqual([{ name: 'contract-signed.pdf', contentType: 'application/pdf', size: bytes.byteLength }]);
    const [file] = (await outboxMail()).filter((f) => !before.includes(f));
    const mail = await simpleParser(await readFile(join(dataDir, 'outbox', file!)));
    expect(mail.text?.trim()).toBe('The signed contract is attached.');
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([['contract-signed.pdf', 'application/pdf', bytes.byteLength]]);
    expect(sha(mail.attachments[0]!.content)).toBe(sha(bytes));

    // Kept on the case and downloadable like any attachment.
    const link = await api.call('GET', `/cases/${c.caseId}/messages/${reply.body.message.messageId}/attachments/0`, { as: c.owner! });
    expect(link.status).toBe(200);
    const downloaded = new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
    expect(sha(downloaded)).toBe(sha(bytes));
  });

  it("refuses another case's upload key, a key that holds nothing and a key outside the uploads, naming the field", async () => {
    const mine = await webCase();
    const other = await webCase();
    const theirs = await api.call('POST', `/cases/${other.caseId}/uploads`, { as: other.owner!, json: { contentType: 'text/plain', size: 5 } });
    expect(theirs.status).toBe(201);
    expect((await upload(theirs.body, new TextEncoder().encode('hello'), 'text/plain')).status).toBe(204);

    for (const [key, message] of [
      [theirs.body.key, 'is not an upload of this case'],
      [`uploads/${mine.caseId}/01JZZZZZZZZZZZZZZZZZZZZZZZ`, 'holds no file'],
      [`parts/outbound/${mine.caseId}/x`, 'is not an upload of this case'],
      [`uploads/${mine.caseId}/../${other.caseId}/x`, 'is not an upload of this case'],
    ]) {
      const res = await api.call('POST', `/cases/${mine.caseId}/replies`, { as: mine.owner!, json: { text: 'Attached.', uploads: [{ key, name: 'a.txt' }] } });
      expect(res.status, key).toBe(400);
      expect(res.body.fields, key).toEqual([{ field: 'uploads.0.key', message: expect.stringContaining(message) }]);
    }
    // Nothing went out for them.
    const detail = await api.call('GET', `/cases/${mine.caseId}`, { as: mine.owner! });
    expect(detail.body.messages.filter((m: { kind?: string }) => m.kind === 'reply')).toEqual([]);
  });

  it('the upload takes only what was declared: no larger file, no other type, no altered link', async () => {
    const c = await webCase();
    const grant = (await api.call('POST', `/cases/${c.caseId}/uploads`, { as: c.owner!, json: { contentType: 'image/png', size: 1000 } })).body;
    const tooBig = await upload(grant, new Uint8Array(1001), 'image/png');
    expect(tooBig.status).toBe(400);
    expect(((await tooBig.json()) as { error: string }).error).toBe('EntityTooLarge');
    const otherType = await upload({ ...grant, fields: { ...grant.fields, 'Content-Type': 'text/html' } }, new Uint8Array(10), 'text/html');
    expect(otherType.status).toBe(403);
    const altered = await upload({ ...grant, url: grant.url.replace(/.$/, (ch: string) => (ch === 'A' ? 'B' : 'A')) }, new Uint8Array(10), 'image/png');
    expect(altered.status).toBe(403);
    // Nothing was stored: a reply naming the key is refused.
    const res = await api.call('POST', `/cases/${c.caseId}/replies`, { as: c.owner!, json: { text: 'x', uploads: [{ key: grant.key, name: 'a.png' }] } });
    expect(res.body.fields).toEqual([{ field: 'uploads.0.key', message: expect.stringContaining('holds no file') }]);
  });

  it('is authorised like a reply and bounded: another agent 403, a size over 25 MB or a bad type 400 naming the field', async () => {
    const c = await webCase();
    const config = (await stack.deps.configs.getCurrent())!.config;
    const stranger = config.agents.find((a) => a.id !== c.owner && a.roles.length === 1 && a.roles[0] === 'agent')!;
    expect((await api.call('POST', `/cases/${c.caseId}/uploads`, { as: stranger.id, json: { contentType: 'text/plain', size: 5 } })).status).toBe(403);
    const big = await api.call('POST', `/cases/${c.caseId}/uploads`, { as: c.owner!, json: { contentType: 'text/plain', size: MAX_UPLOAD_BYTES + 1 } });
    expect(big.status).toBe(400);
    expect(big.body.fields.map((f: { field: string }) => f.field)).toEqual(['size']);
    const badType = await api.call('POST', `/cases/${c.caseId}/uploads`, { as: c.owner!, json: { contentType: 'not a type', size: 5 } });
    expect(badType.status).toBe(400);
    expect(badType.body.fields.map((f: { field: string }) => f.field)).toEqual(['contentType']);
  });
});
