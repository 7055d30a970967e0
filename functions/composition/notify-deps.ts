import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeNotifier } from '../adapters/notifier.js';
import { makeSesMailer } from '../adapters/ses-mailer.js';
import type { AppDeps } from './deps.js';
import { awsDeps } from './deps.js';
import { env } from './env.js';

let cached: AppDeps | undefined;

/**
 * AppDeps for the functions that notify people (EvaluateSla, the sweep): the common ones, plus SES v2
 * for agents' emails when the stack has a sending identity (lib/grants.ts useNotifications sets
 * EMAIL_FROM_ADDRESS and grants ses:SendEmail on it). Without one, agents' notifications reach the
 * admins' alerts topic instead (functions/adapters/notifier.ts).
 */
export function awsNotifyingDeps(): AppDeps {
  if (cached) return cached;
  const e = env();
  const base = awsDeps();
  const mailer =
    e.EMAIL_FROM_ADDRESS && e.AWS_REGION
      ? makeSesMailer(new SESv2Client({}), { region: e.AWS_REGION, ...(e.SES_CONFIGURATION_SET ? { configurationSetName: e.SES_CONFIGURATION_SET } : {}) })
      : undefined;
  cached = {
    ...base,
    ...(mailer ? { mailer } : {}),
    ...(e.EMAIL_FROM_ADDRESS ? { defaultFromAddress: e.EMAIL_FROM_ADDRESS } : {}),
    notifier: makeNotifier({ ...(mailer ? { mailer } : {}), alerts: base.alerts }),
  };
  return cached;
}
