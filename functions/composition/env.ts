import { z } from 'zod';
import { fieldIssues } from '../core/field-issues.js';

/**
 * Environment variables, parsed once at cold start. The CDK helpers that set each variable also
 * grant the matching IAM permission (lib/grants.ts), so configuration and permissions cannot drift.
 */
const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Optional endpoint override (DynamoDB Local). Unset in AWS. */
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  ALERT_TOPIC_ARN: z.string().min(1).optional(),
  /** Where a plain form post is redirected (303) after a case is created; unset ▶ thank-you page. */
  WEB_FORM_RETURN_URL: z.string().url().optional(),
  WEB_RATE_LIMIT_PER_IP: z.coerce.number().int().positive().default(20),
  WEB_RATE_LIMIT_PER_EMAIL: z.coerce.number().int().positive().default(5),
  WEB_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(3600),
  /** Email-to-case: the raw-mail bucket SES writes to (lib/email-intake.ts). */
  RAW_MAIL_BUCKET: z.string().min(1).optional(),
  /** Secrets Manager secret holding the HMAC key(s) of subject tokens. */
  THREADING_SECRET_ARN: z.string().min(1).optional(),
  /** Sender of acknowledgements when the routing configuration's email.fromAddress is unset. */
  EMAIL_FROM_ADDRESS: z.email().optional(),
  /** An SES configuration set for outbound mail (bounce/complaint events), optional. */
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** Set by Lambda itself; names the SES Message-ID domain (`<id>@<region>.amazonses.com`). */
  AWS_REGION: z.string().min(1).optional(),
  /** The customer's status page in the console (`https://<console>/app/status`): links in acknowledgements, `<base>/<token>`. */
  STATUS_PAGE_BASE_URL: z.string().url().optional(),
  /** The one Slack secret: `{"webhookUrl", "botToken", "signingSecret"}` (functions/adapters/slack-secrets.ts, lib/api.ts). */
  SLACK_SECRET_ARN: z.string().min(1).optional(),
  /** Where Slack's Web API is; unset: https://slack.com/api. */
  SLACK_API_URL: z.string().url().optional(),
  /** Where a person opens a case (links in Slack messages): `<base>/<caseId>`. */
  CASE_LINK_BASE_URL: z.string().url().optional(),
  /** Automatic triage: the bucket and key prefix of the model versions (lib/triage-models.ts). */
  TRIAGE_MODEL_BUCKET: z.string().min(1).optional(),
  TRIAGE_MODEL_PREFIX: z.string().default('triage-models/'),
  /** `alarms`: publish only the metrics alarms read (no dashboard deployed); `all`: every metric. */
  METRICS_SCOPE: z.enum(['alarms', 'all']).default('all'),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    // The one zod-issue-to-field mapping (functions/core/field-issues.ts), read as variable: message.
    const fields = fieldIssues(result.error, { root: '(environment)' }).map((i) => `${i.field}: ${i.message}`);
    throw new Error(`Invalid environment: ${fields.join('; ')}`);
  }
  return result.data;
}

export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
