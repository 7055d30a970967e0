/**
 * Outbound mail on the laptop: every message is written as a real `.eml` file to `<dataDir>/outbox/`
 * (open it in any mail client), and, with `--smtp-relay smtp://host:port`, also handed to that SMTP
 * server (a MailHog/Mailpit on loopback, or a real relay).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { composeEmail } from '../../functions/adapters/mail-compose.js';
import type { Mailer, OutboundKind } from '../../functions/core/ports/mail.js';
import { outboxDir, outboxFileName } from './alerts.js';

export interface OutboxMailerOptions {
  dataDir: string;
  /** `smtp://host:port` (or `smtps://`), optionally with user:password. */
  relay?: string;
}

/** The word in an outbox file's name that says what it is (`…-ack-…`, `…-mail-…` for what an agent wrote). */
const FILE_KIND: Record<OutboundKind, string> = { acknowledgement: 'ack', reply: 'mail', notification: 'notice', alert: 'alert' };

export function makeOutboxMailer(options: OutboxMailerOptions): Mailer & { close(): void } {
  const transport = options.relay ? nodemailer.createTransport(options.relay) : undefined;
  return {
    async send(message) {
      const raw = await composeEmail(message);
      const dir = outboxDir(options.dataDir);
      await mkdir(dir, { recursive: true });
      const file = join(dir, outboxFileName(message.date.toISOString(), FILE_KIND[message.kind], message.messageId.split('@')[0]!));
      const tmp = `${file}.${randomUUID()}.tmp`;
      await writeFile(tmp, raw);
      await rename(tmp, file);
      if (transport) {
        await transport.sendMail({ envelope: { from: message.from.address, to: [...message.to, ...(message.cc ?? [])].map((a) => a.address) }, raw });
      }
      // Ours is what went out: the outbox and a relay keep the Message-ID as written.
      return { messageId: message.messageId, providerMessageIds: [], ref: file };
    },
    close() {
      transport?.close();
    },
  };
}
