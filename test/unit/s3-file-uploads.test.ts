/**
 * The S3 upload adapter (functions/adapters/s3-file-uploads.ts) with aws-sdk-client-mock standing in
 * for S3: the pre-signed POST's policy bounds the key, the size and the content type, and expires;
 * reading an upload gives its bytes and type, and a missing one is undefined (not an error).
 */
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UPLOAD_LINK_SECONDS, makeS3FileUploads } from '../../functions/adapters/s3-file-uploads.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('the S3 upload adapter', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  const client = () => new S3Client({ region: 'eu-west-1', credentials });

  it('signs a POST whose policy allows exactly the key, up to the declared size and only the declared type, for five minutes', async () => {
    const uploads = makeS3FileUploads(client(), 'caseflow-mail');
    const before = Date.now();
    const ticket = await uploads.presign('uploads/01CASE/01UPLOAD', { contentType: 'application/pdf', maxBytes: 6_000_000 }, new Date());
    expect(ticket.url).toMatch(/^https:\/\/caseflow-mail\.s3\.eu-west-1\.amazonaws\.com\/?$/);
    expect(ticket.fields).toMatchObject({ key: 'uploads/01CASE/01UPLOAD', 'Content-Type': 'application/pdf', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' });
    expect(ticket.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    const policy = JSON.parse(Buffer.from(ticket.fields.Policy!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 6_000_000],
        ['eq', '$Content-Type', 'application/pdf'],
        { bucket: 'caseflow-mail' },
        { key: 'uploads/01CASE/01UPLOAD' },
      ]),
    );
    const expires = Date.parse(policy.expiration);
    expect(expires - before).toBeGreaterThanOrEqual(UPLOAD_LINK_SECONDS * 1000 - 1000);
    expect(expires - before).toBeLessThanOrEqual(UPLOAD_LINK_SECONDS * 1000 + 5000);
    expect(Math.abs(Date.parse(ticket.expiresAt) - expires)).toBeLessThan(5000);
    // Signing sends nothing to S3.
    expect(s3.calls()).toHaveLength(0);
  });

  it('reads an upload: its bytes and its stored type', async () => {
    const body = { transformToByteArray: async () => new Uint8Array(Buffer.from('%PDF-1.7 hello')) };
    s3.on(GetObjectCommand, { Bucket: 'caseflow-mail', Key: 'uploads/01CASE/01UPLOAD' }).resolves({
      Body: body,
      ContentType: 'application/pdf',
    } as unknown as GetObjectCommandOutput);
    const read = await makeS3FileUploads(client(), 'caseflow-mail').read('uploads/01CASE/01UPLOAD');
    expect(Buffer.from(read!.content).toString('utf8')).toBe('%PDF-1.7 hello');
    expect(read!.contentType).toBe('application/pdf');
  });

  it('a key that holds nothing is undefined; any other S3 error is thrown', async () => {
    s3.on(GetObjectCommand, { Key: 'uploads/01CASE/NOTHING' }).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    s3.on(GetObjectCommand, { Key: 'uploads/01CASE/DENIED' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const uploads = makeS3FileUploads(client(), 'caseflow-mail');
    expect(await uploads.read('uploads/01CASE/NOTHING')).toBeUndefined();
    await expect(uploads.read('uploads/01CASE/DENIED')).rejects.toThrow('Access Denied');
  });
});
