import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeSesMailer } from '../adapters/ses-mailer.js';
import { makeSecretsManagerWebhookUrl, makeSlackSwarmNotifier, staticWebhookUrl } from '../adapters/slack-webhook.js';
import { makeSecretsManagerSlackSecrets, staticSlackSecrets } from '../adapters/slack-secrets.js';
import { makeSecretsManagerThreadingKeys } from '../adapters/threading-keys.js';
import { ConfigurationMissingError } from '../core/errors.js';
import type { AppDeps } from './deps.js';
import { awsDeps, makeSlackDeps } from './deps.js';
import { env } from './env.js';

let cached: AppDeps | undefined;

const emailNotSetUp = () => {
  throw new ConfigurationMissingError('email is not set up for this deployment (deploy with -c sesDomain=<domain>), so replies cannot be sent');
};

/**
 * AppDeps for the API function: the common ones, plus what agent replies and swarms need, from the
 * environment lib/api.ts sets with the grants beside it: SES v2 and the threading secret (the email
 * construct's, when the stack has email), the Slack app and webhook secrets, and the link base for
 * messages. The Slack function (functions/handlers/slack.ts) uses the same: its actions are the API's.
 * Without email, a reply is a 503 that says so rather than a 500.
 */
export function awsApiDeps(): AppDeps {
  if (cached) return cached;
  const e = env();
  const base = awsDeps();
  const email = e.THREADING_SECRET_ARN !== undefined && e.AWS_REGION !== undefined;
  const secrets = email || e.SLACK_WEBHOOK_SECRET_ARN || e.SLACK_APP_SECRET_ARN ? new SecretsManagerClient({}) : undefined;
  // The Slack app (when its secret is filled in) supersedes the webhook; its credentials are read on first use and cached.
  const slackSecrets = e.SLACK_APP_SECRET_ARN ? makeSecretsManagerSlackSecrets(secrets!, e.SLACK_APP_SECRET_ARN) : staticSlackSecrets({});
  const webhookNotifier = e.SLACK_WEBHOOK_SECRET_ARN
    ? makeSlackSwarmNotifier({ webhookUrl: makeSecretsManagerWebhookUrl(secrets!, e.SLACK_WEBHOOK_SECRET_ARN) })
    : makeSlackSwarmNotifier({ webhookUrl: staticWebhookUrl(undefined) });
  const slack = makeSlackDeps({
    table: base.table,
    slackSecrets,
    webhookNotifier,
    ...(e.SLACK_API_URL ? { slackApiUrl: e.SLACK_API_URL } : {}),
  });
  cached = {
    ...base,
    swarmNotifier: slack.swarmNotifier,
    slack: slack.slack,
    mailer: email
      ? makeSesMailer(new SESv2Client({}), { region: e.AWS_REGION!, ...(e.SES_CONFIGURATION_SET ? { configurationSetName: e.SES_CONFIGURATION_SET } : {}) })
      : { send: emailNotSetUp },
    threadingKeys: email ? makeSecretsManagerThreadingKeys(secrets!, e.THREADING_SECRET_ARN!) : { keys: emailNotSetUp },
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
    ...(e.CASE_LINK_BASE_URL ? { caseLinkBase: e.CASE_LINK_BASE_URL } : {}),
  };
  return cached;
}
