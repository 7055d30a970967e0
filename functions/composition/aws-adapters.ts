import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { makeS3FileLinks } from '../adapters/s3-file-links.js';
import { makeS3RawMailStore } from '../adapters/s3-raw-mail-store.js';
import { makeSesMailer } from '../adapters/ses-mailer.js';
import { makeSnsAlertPublisher } from '../adapters/sns-alerts.js';
import { makeStepFunctionsStarter } from '../adapters/step-functions.js';
import type { RawMailStore } from '../core/ports/email-intake.js';
import type { FileLinks } from '../core/ports/links.js';
import type { Mailer } from '../core/ports/mail.js';
import type { AlertPublisher } from '../core/ports/notifications.js';
import type { WorkflowStarter } from '../core/ports/workflow.js';

/**
 * The adapters over the AWS services other than DynamoDB (S3, SES v2, SNS, Step Functions), with their
 * SDK clients. Only functions/composition/lambda.ts imports this module, and only with `import()` on
 * a port's first call (lazyPort), so a function's start does not evaluate these clients
 * (docs/costs.md#cold-start).
 */

const clients: { s3?: S3Client; ses?: SESv2Client; sfn?: SFNClient; sns?: SNSClient } = {};

export function snsAlertPublisher(topicArn: string): AlertPublisher {
  clients.sns ??= new SNSClient({});
  return makeSnsAlertPublisher(clients.sns, topicArn);
}

export function stepFunctionsStarter(stateMachineArn: string): WorkflowStarter {
  clients.sfn ??= new SFNClient({});
  return makeStepFunctionsStarter(clients.sfn, stateMachineArn);
}

/** SES v2, with the configuration set when there is one. */
export function sesMailer(options: { region: string; configurationSetName?: string }): Mailer {
  clients.ses ??= new SESv2Client({});
  return makeSesMailer(clients.ses, options);
}

export function s3RawMailStore(bucket: string): RawMailStore {
  clients.s3 ??= new S3Client({});
  return makeS3RawMailStore(clients.s3, bucket);
}

export function s3FileLinks(bucket: string): FileLinks {
  clients.s3 ??= new S3Client({});
  return makeS3FileLinks(clients.s3, bucket);
}
