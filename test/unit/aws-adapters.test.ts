/**
 * Unit tests of the adapters over SES v2, SNS and S3, with aws-sdk-client-mock standing in for the
 * AWS clients: what each adapter asks AWS for, and how it reads AWS's answers and errors. The
 * behaviour around them (intake, notifications) runs on the local stack in the integration and
 * end-to-end tests.
 */
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { GetObjectCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeS3RawMailStore } from '../../functions/adapters/s3-raw-mail-store.js';
import { makeSesMailer } from '../../functions/adapters/ses-mailer.js';
import { makeSnsAlertPublisher } from '../../functions/adapters/sns-alerts.js';
import type { OutboundEmail } from '../../functions/core/ports/mail.js';

const reply: OutboundEmail = {
  kind: 'reply',
  from: { address: 'support@caseflow.test', name: 'Support' },
  to: [{ address: 'ada@example.com', name: 'Ada' }, { address: 'bob@example.com' }],
  subject: 'Re: Printer on fire [#00000042]',
  text: 'We are on it.',
  messageId: 'reply-1@caseflow.test',
  inReplyTo: 'customer-1@example.com',
  references: ['customer-0@example.com', 'customer-1@example.com'],
  headers: { 'Auto-Submitted': 'auto-replied' },
  date: new Date('2025-03-03T09:00:00.000Z'),
};

describe('the SES mailer', () => {
  const ses = mockClient(SESv2Client);
  beforeEach(() => ses.reset());

  it('sends raw MIME with our threading headers and records both spellings of the id SES gives it', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0102abc' });
    const mailer = makeSesMailer(new SESv2Client({ region: 'eu-west-1' }), { region: 'eu-west-1', configurationSetName: 'caseflow' });

    const sent = await mailer.send(reply);

    expect(sent).toEqual({ messageId: 'reply-1@caseflow.test', providerMessageIds: ['0102abc@eu-west-1.amazonses.com', '0102abc@email.amazonses.com'] });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.FromEmailAddress).toBe('support@caseflow.test');
    expect(input.Destination).toEqual({ ToAddresses: ['ada@example.com', 'bob@example.com'] });
    expect(input.ConfigurationSetName).toBe('caseflow');
    const raw = Buffer.from(input.Content!.Raw!.Data!).toString('utf8');
    expect(raw).toMatch(/^Message-ID: <reply-1@caseflow\.test>$/m);
    expect(raw).toMatch(/^In-Reply-To: <customer-1@example\.com>$/m);
    expect(raw).toMatch(/^References: <customer-0@example\.com> <customer-1@example\.com>$/m);
    expect(raw).toMatch(/^Auto-Submitted: auto-replied$/m);
  });

  it('sends without a configuration set when none is configured, and records no provider id when SES gives none', async () => {
    ses.on(SendEmailCommand).resolves({});
    const sent = await makeSesMailer(new SESv2Client({ region: 'us-east-1' }), { region: 'us-east-1' }).send(reply);
    expect(sent.providerMessageIds).toEqual([]);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input).not.toHaveProperty('ConfigurationSetName');
  });

  it('lets a refusal by SES reach the caller', async () => {
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified'), { name: 'MessageRejected' }));
    const mailer = makeSesMailer(new SESv2Client({ region: 'eu-west-1' }), { region: 'eu-west-1' });
    await expect(mailer.send(reply)).rejects.toMatchObject({ name: 'MessageRejected' });
  });
});

describe('the SNS alert publisher', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());
  const topic = 'arn:aws:sns:eu-west-1:123456789012:caseflow-alerts';

  it('publishes to the topic with the subject cut to the 100 characters SNS email allows, and the case as an attribute', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    await makeSnsAlertPublisher(new SNSClient({ region: 'eu-west-1' }), topic).publish({
      alertId: 'a1',
      at: '2025-03-03T09:00:00.000Z',
      subject: `Case sent to review: ${'x'.repeat(120)}`,
      message: 'Route failed after its retries.',
      caseId: 'c1',
    });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(topic);
    expect(input.Subject).toHaveLength(100);
    expect(input.Message).toBe('Route failed after its retries.\n\nalert a1 at 2025-03-03T09:00:00.000Z, case c1');
    expect(input.MessageAttributes).toEqual({ caseId: { DataType: 'String', StringValue: 'c1' } });
  });

  it('publishes an alert about no case without a case attribute', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm2' });
    await makeSnsAlertPublisher(new SNSClient({ region: 'eu-west-1' }), topic).publish({
      alertId: 'a2',
      at: '2025-03-03T09:00:00.000Z',
      subject: 'Sweep',
      message: 'Queue backlog',
    });
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Message).toBe('Queue backlog\n\nalert a2 at 2025-03-03T09:00:00.000Z');
    expect(input.MessageAttributes).toBeUndefined();
  });
});

describe('the S3 raw-mail store', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  const store = () => makeS3RawMailStore(new S3Client({ region: 'eu-west-1' }), 'raw-mail');

  it('reads a message, and answers undefined for one that is not there', async () => {
    const bytes = new TextEncoder().encode('From: ada@example.com\r\n\r\nhello');
    s3.on(GetObjectCommand, { Bucket: 'raw-mail', Key: 'inbound/m1' }).resolves({
      Body: { transformToByteArray: async () => bytes },
    } as unknown as GetObjectCommandOutput);
    s3.on(GetObjectCommand, { Bucket: 'raw-mail', Key: 'inbound/gone' }).rejects(
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
    );
    expect(await store().get('inbound/m1')).toEqual(bytes);
    expect(await store().get('inbound/gone')).toBeUndefined();
  });

  it('does not mistake an access error for a missing message', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(store().get('inbound/m1')).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('writes a part beside its message under a safe name, with its content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    const content = new Uint8Array([1, 2, 3]);
    const key = await store().putPart('inbound/m1', '../invoice.pdf', content, 'application/pdf');
    expect(key).not.toContain('../');
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Bucket: 'raw-mail', Key: key, ContentType: 'application/pdf' });
    expect(input.Body).toBe(content);
  });

  it('tags what became of a message, with tag values S3 accepts', async () => {
    s3.on(PutObjectTaggingCommand).resolves({});
    await store().mark('inbound/m1', { status: 'rejected', detail: 'virus: Eicar-Test-Signature (FAIL!)' });
    await store().mark('inbound/m2', { status: 'processed', caseId: '01JCASE' });
    const [rejected, processed] = s3.commandCalls(PutObjectTaggingCommand).map((c) => c.args[0].input);
    expect(rejected).toEqual({
      Bucket: 'raw-mail',
      Key: 'inbound/m1',
      Tagging: {
        TagSet: [
          { Key: 'caseflow-status', Value: 'rejected' },
          { Key: 'caseflow-detail', Value: 'virus: Eicar-Test-Signature _FAIL__' },
        ],
      },
    });
    expect(processed?.Tagging?.TagSet).toEqual([
      { Key: 'caseflow-status', Value: 'processed' },
      { Key: 'caseflow-case', Value: '01JCASE' },
    ]);
  });
});
