/**
 * Admin alerts in the local stack, where AWS would publish to the SNS topic: one JSON line per
 * alert in `<dataDir>/alerts.log`, and the email an admin would get as a real MIME message in
 * `<dataDir>/outbox/` (open it in any mail client, or read it with a MIME parser in a test).
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import { composeEmail } from '../../functions/adapters/mail-compose.js';
import { buildOutboundMail } from '../../functions/core/email-outbound.js';
import type { AdminAlert, AlertPublisher } from '../../functions/core/ports/notifications.js';

export const DEFAULT_ALERTS_FROM = 'caseflow alerts <alerts@caseflow.local>';

export const alertsLogPath = (dataDir: string) => join(dataDir, 'alerts.log');
export const outboxDir = (dataDir: string) => join(dataDir, 'outbox');

export interface LocalAlertPublisherOptions {
  dataDir: string;
  /** The From address of alert emails. */
  from?: string;
  /** The admins' addresses, read when each alert is sent so a new configuration takes effect at once. */
  recipients: () => Promise<string[]>;
}

/** A file name that sorts by time and says what it is: `20260314T101500123Z-alert-<id>.eml`. */
export function outboxFileName(at: string, kind: string, id: string): string {
  const stamp = at.replace(/[-:.]/g, '');
  return `${stamp}-${kind}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.eml`;
}

export function makeLocalAlertPublisher(options: LocalAlertPublisherOptions): AlertPublisher {
  const from = options.from ?? DEFAULT_ALERTS_FROM;
  const outbox = outboxDir(options.dataDir);
  return {
    async publish(alert: AdminAlert) {
      const to = await options.recipients().catch(() => [] as string[]);
      let file: string | undefined;
      if (to.length > 0) {
        await mkdir(outbox, { recursive: true });
        file = join(outbox, outboxFileName(alert.at, 'alert', alert.alertId));
        const eml = await composeAlertEmail(alert, { from, to });
        // Written under a temporary name and renamed, so whoever watches the outbox never reads half a message.
        const tmp = `${file}.${randomUUID()}.tmp`;
        await writeFile(tmp, eml);
        await rename(tmp, file);
      }
      await mkdir(options.dataDir, { recursive: true });
      const line = { ...alert, recipients: to, ...(file ? { email: file } : { email: null, note: 'no admin in the configuration: not emailed' }) };
      await appendFile(alertsLogPath(options.dataDir), `${JSON.stringify(line)}\n`);
    },
  };
}

/** The alert as the email an admin receives (the text SNS would send, plus headers to file it by). */
export async function composeAlertEmail(alert: AdminAlert, envelope: { from: string; to: string[] }): Promise<Buffer> {
  const text = [alert.message, '', `alert ${alert.alertId} at ${alert.at}${alert.caseId ? `, case ${alert.caseId}` : ''}`].join('\n');
  const [from] = addressparser(envelope.from, { flatten: true });
  return composeEmail(
    buildOutboundMail({
      kind: 'alert',
      from: { address: from?.address || envelope.from, ...(from?.name ? { name: from.name } : {}) },
      to: envelope.to.map((address) => ({ address })),
      subject: `[caseflow] ${alert.subject}`,
      text,
      date: new Date(alert.at),
      alertId: alert.alertId,
      ...(alert.caseId ? { caseId: alert.caseId } : {}),
    }),
  );
}
