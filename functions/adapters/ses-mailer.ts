import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../core/ports/mail.js';
import { composeEmail } from './mail-compose.js';

/**
 * SES replaces the Message-ID of what it sends with `<id@<region>.amazonses.com>` (us-east-1:
 * `@email.amazonses.com`). Both spellings are recorded, so a reply to either finds its case.
 */
export function sesMessageIds(sesId: string, region: string): string[] {
  return [...new Set([`${sesId}@${region}.amazonses.com`, `${sesId}@email.amazonses.com`])];
}

/** Outbound mail through SES v2, as raw MIME so our threading headers (References, In-Reply-To) go out as written. */
export function makeSesMailer(client: SESv2Client, options: { region: string; configurationSetName?: string }): Mailer {
  return {
    async send(message) {
      const raw = await composeEmail(message);
      const res = await client.send(
        new SendEmailCommand({
          FromEmailAddress: message.from.address,
          Destination: { ToAddresses: message.to.map((a) => a.address), ...(message.cc?.length ? { CcAddresses: message.cc.map((a) => a.address) } : {}) },
          Content: { Raw: { Data: raw } },
          ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
        }),
      );
      return { messageId: message.messageId, providerMessageIds: res.MessageId ? sesMessageIds(res.MessageId, options.region) : [] };
    },
  };
}
