import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeS3RawMailStore } from '../adapters/s3-raw-mail-store.js';
import { makeSesMailer } from '../adapters/ses-mailer.js';
import { makeSecretsManagerThreadingKeys } from '../adapters/threading-keys.js';
import type { AppDeps } from './deps.js';
import { awsDeps } from './deps.js';
import { env } from './env.js';

let cached: AppDeps | undefined;

/**
 * AppDeps for the email intake function: the common ones plus the raw-mail bucket, SES v2 and the
 * threading secret, from the environment lib/email-intake.ts sets (with the grants beside it).
 */
export function awsEmailDeps(): AppDeps {
  if (cached) return cached;
  const e = env();
  const base = awsDeps();
  cached = {
    ...base,
    ...(e.RAW_MAIL_BUCKET ? { rawMail: makeS3RawMailStore(new S3Client({}), e.RAW_MAIL_BUCKET) } : {}),
    ...(e.AWS_REGION
      ? {
          mailer: makeSesMailer(new SESv2Client({}), {
            region: e.AWS_REGION,
            ...(e.SES_CONFIGURATION_SET ? { configurationSetName: e.SES_CONFIGURATION_SET } : {}),
          }),
        }
      : {}),
    ...(e.THREADING_SECRET_ARN ? { threadingKeys: makeSecretsManagerThreadingKeys(new SecretsManagerClient({}), e.THREADING_SECRET_ARN) } : {}),
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
  };
  return cached;
}
