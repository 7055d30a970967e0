import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeSesMailer } from '../../adapters/ses-mailer.js';
import type { Mailer } from '../../core/ports/mail.js';

/** The SES v2 mailer (with the configuration set when there is one) and its client, imported on the port's first call (as ./sns.ts). */
let client: SESv2Client | undefined;

export function sesMailer(options: { region: string; configurationSetName?: string }): Mailer {
  client ??= new SESv2Client({});
  return makeSesMailer(client, options);
}
