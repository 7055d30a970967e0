import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutboundAddress, OutboundEmail } from '../core/ports/mail.js';

const addressText = (a: OutboundAddress) => (a.name ? { name: a.name, address: a.address } : a.address);

/**
 * An outbound message as raw MIME (Nodemailer's composer): the MIME half of the one outbound-mail
 * builder. Every header decision (Message-ID, In-Reply-To, References, Auto-Submitted, ...) was made
 * by functions/core/email-outbound.ts; this writes them as given. The same bytes go to SES
 * (SendEmail with raw content), locally into the outbox, and as the local admin alert email.
 */
export async function composeEmail(message: OutboundEmail): Promise<Buffer> {
  const composer = new MailComposer({
    from: addressText(message.from),
    to: message.to.map(addressText),
    ...(message.cc?.length ? { cc: message.cc.map(addressText) } : {}),
    ...(message.replyTo ? { replyTo: addressText(message.replyTo) } : {}),
    subject: message.subject,
    text: message.text,
    ...(message.html ? { html: message.html } : {}),
    ...(message.attachments?.length
      ? { attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })) }
      : {}),
    messageId: `<${message.messageId}>`,
    ...(message.inReplyTo ? { inReplyTo: `<${message.inReplyTo}>` } : {}),
    ...(message.references.length ? { references: message.references.map((id) => `<${id}>`) } : {}),
    headers: message.headers,
    date: message.date,
    newline: 'windows',
  });
  return composer.compile().build();
}
