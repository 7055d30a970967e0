import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeSesMailer } from '../adapters/ses-mailer.js';
import { makeSecretsManagerWebhookUrl, makeSlackSwarmNotifier } from '../adapters/slack-webhook.js';
import { makeSecretsManagerThreadingKeys } from '../adapters/threading-keys.js';
import { ConfigurationMissingError } from '../core/errors.js';
import type { AppDeps } from './deps.js';
import { awsDeps } from './deps.js';
import { env } from './env.js';

let cached: AppDeps | undefined;

const emailNotSetUp = () => {
  throw new ConfigurationMissingError('email is not set up for this deployment (deploy with -c sesDomain=<domain>), so replies cannot be sent');
};

/**
 * AppDeps for the API function: the common ones, plus what agent replies and swarms need, from the
 * environment lib/api.ts sets with the grants beside it: SES v2 and the threading secret (the email
 * construct's, when the stack has email), the Slack webhook secret, and the link base for messages.
 * Without email, a reply is a 503 that says so rather than a 500.
 */
export function awsApiDeps(): AppDeps {
  if (cached) return cached;
  const e = env();
  const base = awsDeps();
  const email = e.THREADING_SECRET_ARN !== undefined && e.AWS_REGION !== undefined;
  const secrets = email || e.SLACK_WEBHOOK_SECRET_ARN ? new SecretsManagerClient({}) : undefined;
  cached = {
    ...base,
    mailer: email
      ? makeSesMailer(new SESv2Client({}), { region: e.AWS_REGION!, ...(e.SES_CONFIGURATION_SET ? { configurationSetName: e.SES_CONFIGURATION_SET } : {}) })
      : { send: emailNotSetUp },
    threadingKeys: email ? makeSecretsManagerThreadingKeys(secrets!, e.THREADING_SECRET_ARN!) : { keys: emailNotSetUp },
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
    ...(e.SLACK_WEBHOOK_SECRET_ARN
      ? { swarmNotifier: makeSlackSwarmNotifier({ webhookUrl: makeSecretsManagerWebhookUrl(secrets!, e.SLACK_WEBHOOK_SECRET_ARN) }) }
      : {}),
    ...(e.CASE_LINK_BASE_URL ? { caseLinkBase: e.CASE_LINK_BASE_URL } : {}),
  };
  return cached;
}
