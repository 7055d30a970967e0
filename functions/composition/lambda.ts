import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeDocumentClient } from '../adapters/dynamo.js';
import type { TableRef } from '../adapters/dynamo.js';
import { makeNotifier } from '../adapters/notifier.js';
import { makePowertoolsMetricsSink } from '../adapters/powertools-metrics.js';
import { ALARM_METRICS } from '../core/metrics.js';
import { makeSecretsManagerSlackSecret, staticSlackSecrets } from '../adapters/slack-secrets.js';
import { makeSlackSwarmNotifier, staticWebhookUrl } from '../adapters/slack-webhook.js';
import { derivedStatusLinkKeys, makeSecretsManagerThreadingKeys } from '../adapters/threading-keys.js';
import { makeLazyS3ModelStore } from '../adapters/triage-model-store.js';
import { ConfigurationMissingError } from '../core/errors.js';
import type { RawMailStore, ThreadingKeySource } from '../core/ports/email-intake.js';
import type { FileLinks, FileUploads, StatusLinks } from '../core/ports/links.js';
import type { Mailer } from '../core/ports/mail.js';
import type { AlertPublisher } from '../core/ports/notifications.js';
import type { WorkflowStarter } from '../core/ports/workflow.js';
import type { ReportDeps } from '../core/use-cases/reports.js';
import { metrics } from '../runtime/observability.js';
import type { AppDeps } from './deps.js';
import { makeAppDeps, makeSlackDeps } from './deps.js';
import type { Env } from './env.js';
import { env } from './env.js';
import { lazyPort } from './lazy-port.js';
import { makeReportsDeps } from './reports.js';

/**
 * The composition root for Lambda: AppDeps from the environment CDK set (functions/composition/env.ts,
 * set together with the grants in lib/grants.ts). Each function takes the flavour it needs, built on
 * its first invocation and kept for the container's life; a flavour adds only the clients its
 * function has the permissions for. The SDK clients are side-effect free, so a bundle carries only
 * the clients its flavour uses (esbuild drops the rest). DynamoDB is there from the start; S3, SES,
 * SNS and Step Functions are imported on the first call of the port over them (lazyPort,
 * functions/composition/aws/), so a function's start does not pay for the ones a request
 * may never use (docs/costs.md#cold-start).
 */

// Each AWS service other than DynamoDB sits in a module of its own (functions/composition/aws/), imported on
// the first call of the port over it; a bundle holds only the modules its function can reach.
const alertsOn = (topicArn: string): AlertPublisher =>
  lazyPort<AlertPublisher>({ publish: true }, async () => (await import('./aws/sns.js')).snsAlertPublisher(topicArn));

const starterOf = (stateMachineArn: string): WorkflowStarter =>
  lazyPort<WorkflowStarter>({ startCase: true }, async () => (await import('./aws/sfn.js')).stepFunctionsStarter(stateMachineArn));

const rawMailIn = (bucket: string): RawMailStore =>
  lazyPort<RawMailStore>({ get: true, putPart: true, mark: true }, async () => (await import('./aws/s3.js')).s3RawMailStore(bucket));

const fileUploadsIn = (bucket: string): FileUploads =>
  lazyPort<FileUploads>({ presign: true, read: true }, async () => (await import('./aws/s3.js')).s3FileUploads(bucket));

const fileLinksIn = (bucket: string): FileLinks => lazyPort<FileLinks>({ link: true }, async () => (await import('./aws/s3.js')).s3FileLinks(bucket));

const unconfigured = (what: string) => () => {
  throw new Error(`${what} is not configured for this function`);
};

/** The one way outbound mail is sent from Lambda: SES v2, with the configuration set when there is one. */
function sesMailer(e: Env & { AWS_REGION: string }): Mailer {
  const options = { region: e.AWS_REGION, ...(e.SES_CONFIGURATION_SET ? { configurationSetName: e.SES_CONFIGURATION_SET } : {}) };
  return lazyPort<Mailer>({ send: true }, async () => (await import('./aws/ses.js')).sesMailer(options));
}

const hasRegion = (e: Env): e is Env & { AWS_REGION: string } => e.AWS_REGION !== undefined;

const tableOf = (e: Env): TableRef => ({ client: makeDocumentClient({ endpoint: e.DYNAMODB_ENDPOINT }), tableName: e.TABLE_NAME });

/** The customer's status page: where the console serves it, and keys derived from the threading secret (lib/email-intake.ts). */
function statusLinksOf(e: Env, threadingKeys: ThreadingKeySource | undefined): StatusLinks | undefined {
  if (!e.STATUS_PAGE_BASE_URL || !threadingKeys) return undefined;
  return { keys: derivedStatusLinkKeys(threadingKeys), pageBase: e.STATUS_PAGE_BASE_URL };
}

let base: AppDeps | undefined;

/** What every function that works cases has: the table, the alerts topic, the state machine, metrics. */
export function awsDeps(): AppDeps {
  if (base) return base;
  const e = env();
  base = makeAppDeps({
    table: tableOf(e),
    alerts: e.ALERT_TOPIC_ARN ? alertsOn(e.ALERT_TOPIC_ARN) : { publish: unconfigured('ALERT_TOPIC_ARN') },
    workflow: e.STATE_MACHINE_ARN ? starterOf(e.STATE_MACHINE_ARN) : { startCase: unconfigured('STATE_MACHINE_ARN') },
    webLimits: { perIp: e.WEB_RATE_LIMIT_PER_IP, perEmail: e.WEB_RATE_LIMIT_PER_EMAIL, windowSeconds: e.WEB_RATE_LIMIT_WINDOW_SECONDS },
    webFormReturnUrl: e.WEB_FORM_RETURN_URL,
    metrics: makePowertoolsMetricsSink(metrics, e.METRICS_SCOPE === 'alarms' ? ALARM_METRICS : undefined),
    ...(e.TRIAGE_MODEL_BUCKET ? { triageModels: makeLazyS3ModelStore(e.TRIAGE_MODEL_BUCKET, e.TRIAGE_MODEL_PREFIX) } : {}),
  });
  return base;
}

const emailNotSetUp = () => {
  throw new ConfigurationMissingError('email is not set up for this deployment (deploy with -c sesDomain=<domain>), so replies cannot be sent');
};

let api: AppDeps | undefined;

/**
 * The API function: the common deps, plus what agent replies and swarms need, from the environment
 * lib/api.ts sets with the grants beside it: SES v2 and the threading secret (the email construct's,
 * when the stack has email), the one Slack secret, and the link base for messages. The
 * Slack function (functions/handlers/slack.ts) uses the same: its actions are the API's. Without
 * email, a reply is a 503 that says so rather than a 500.
 */
export function awsApiDeps(): AppDeps {
  if (api) return api;
  const e = env();
  const base = awsDeps();
  const email = e.THREADING_SECRET_ARN !== undefined && hasRegion(e);
  const secrets = email || e.SLACK_SECRET_ARN ? new SecretsManagerClient({}) : undefined;
  const threadingKeys = email ? makeSecretsManagerThreadingKeys(secrets!, e.THREADING_SECRET_ARN!) : undefined;
  const statusLinks = statusLinksOf(e, threadingKeys);
  // One Slack secret: the app (when its fields are filled in) supersedes the webhook; read on first use and cached.
  const slackSecret = e.SLACK_SECRET_ARN ? makeSecretsManagerSlackSecret(secrets!, e.SLACK_SECRET_ARN) : undefined;
  const slackSecrets = slackSecret?.app ?? staticSlackSecrets({});
  const webhookNotifier = makeSlackSwarmNotifier({ webhookUrl: slackSecret?.webhookUrl ?? staticWebhookUrl(undefined) });
  const slack = makeSlackDeps({ table: base.table, slackSecrets, webhookNotifier, ...(e.SLACK_API_URL ? { slackApiUrl: e.SLACK_API_URL } : {}) });
  api = {
    ...base,
    swarmNotifier: slack.swarmNotifier,
    slack: slack.slack,
    mailer: email && hasRegion(e) ? sesMailer(e) : { send: emailNotSetUp },
    threadingKeys: threadingKeys ?? { keys: emailNotSetUp },
    // Reply files are kept beside the mail, and attachments are handed out as pre-signed links of that bucket.
    // Large reply files are uploaded with pre-signed POSTs under the same bucket's uploads/ prefix.
    ...(e.RAW_MAIL_BUCKET
      ? { rawMail: rawMailIn(e.RAW_MAIL_BUCKET), fileLinks: fileLinksIn(e.RAW_MAIL_BUCKET), fileUploads: fileUploadsIn(e.RAW_MAIL_BUCKET) }
      : {}),
    ...(statusLinks ? { statusLinks } : {}),
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
    ...(e.CASE_LINK_BASE_URL ? { caseLinkBase: e.CASE_LINK_BASE_URL } : {}),
  };
  return api;
}

let web: AppDeps | undefined;

/**
 * The web-to-case function: the common deps, plus what acknowledging a web-form case needs when the
 * stack has email (lib/email-intake.ts allowSending): SES v2, the threading secret, the status page.
 */
export function awsWebDeps(): AppDeps {
  if (web) return web;
  const e = env();
  const common = awsDeps();
  if (!e.THREADING_SECRET_ARN || !hasRegion(e)) {
    web = common;
    return web;
  }
  const threadingKeys = makeSecretsManagerThreadingKeys(new SecretsManagerClient({}), e.THREADING_SECRET_ARN);
  const statusLinks = statusLinksOf(e, threadingKeys);
  web = {
    ...common,
    mailer: sesMailer(e),
    canSendMail: true,
    threadingKeys,
    ...(statusLinks ? { statusLinks } : {}),
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
  };
  return web;
}

let email: AppDeps | undefined;

/**
 * The email intake function: the common deps plus the raw-mail bucket, SES v2 and the threading
 * secret, from the environment lib/email-intake.ts sets (with the grants beside it).
 */
export function awsEmailDeps(): AppDeps {
  if (email) return email;
  const e = env();
  const threadingKeys = e.THREADING_SECRET_ARN ? makeSecretsManagerThreadingKeys(new SecretsManagerClient({}), e.THREADING_SECRET_ARN) : undefined;
  const statusLinks = statusLinksOf(e, threadingKeys);
  email = {
    ...awsDeps(),
    ...(e.RAW_MAIL_BUCKET ? { rawMail: rawMailIn(e.RAW_MAIL_BUCKET) } : {}),
    ...(hasRegion(e) ? { mailer: sesMailer(e) } : {}),
    ...(threadingKeys ? { threadingKeys } : {}),
    ...(statusLinks ? { statusLinks } : {}),
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
  };
  return email;
}

let notifying: AppDeps | undefined;

/**
 * The functions that notify people (EvaluateSla, the sweep): the common deps, plus SES v2 for agents'
 * emails when the stack has a sending identity (lib/grants.ts useNotifications sets
 * EMAIL_FROM_ADDRESS and grants ses:SendEmail on it). Without one, agents' notifications reach the
 * admins' alerts topic instead (functions/adapters/notifier.ts).
 */
export function awsNotifyingDeps(): AppDeps {
  if (notifying) return notifying;
  const e = env();
  const common = awsDeps();
  const mailer = e.EMAIL_FROM_ADDRESS && hasRegion(e) ? sesMailer(e) : undefined;
  notifying = {
    ...common,
    ...(mailer ? { mailer } : {}),
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
    notifier: makeNotifier({ ...(mailer ? { mailer } : {}), alerts: common.alerts }),
  };
  return notifying;
}

/** The reports function: a read-only view of the table (its role grants reads only). */
export function awsReportsDeps(): ReportDeps {
  return makeReportsDeps(tableOf(env()));
}

/**
 * The ContinueAsNew task: a starter for the state machine the input names (`$$.StateMachine.Id`). The
 * state machine refers to that function, so the function cannot refer back to it in its environment
 * (lib/workflow.ts); it needs no table either.
 */
export function awsStarterFor(stateMachineArn: string): WorkflowStarter {
  return starterOf(stateMachineArn);
}
