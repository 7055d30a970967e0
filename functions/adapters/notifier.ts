import { buildOutboundMail } from '../core/email-outbound.js';
import type { Mailer, OutboundAddress } from '../core/ports/mail.js';
import type { AlertPublisher, Notification, Notifier } from '../core/ports/notifications.js';

export const DEFAULT_NOTIFICATION_FROM: OutboundAddress = { address: 'caseflow@caseflow.local', name: 'caseflow' };

export interface NotifierOptions {
  /** Agents' emails go out through it (SES v2 in AWS, the outbox locally); absent ▶ they go to the admins' alerts instead. */
  mailer?: Mailer;
  /** The admins' channel (SNS in AWS, the alert log and outbox locally). */
  alerts: AlertPublisher;
}

/**
 * The Notifier port over the two ways caseflow already talks to people: the Mailer for agents and
 * the AlertPublisher for admins. A notification for agents when no mailer is configured (an AWS
 * deployment without an SES identity) is published to the admins instead, naming who it was for,
 * rather than dropped.
 */
export function makeNotifier(options: NotifierOptions): Notifier {
  return {
    async notify(n: Notification) {
      const sends: Promise<unknown>[] = [];
      const mailed = n.agents.length > 0 && options.mailer !== undefined;
      if (mailed) {
        sends.push(
          options.mailer!.send(
            buildOutboundMail({
              kind: 'notification',
              from: n.from ?? DEFAULT_NOTIFICATION_FROM,
              to: n.agents.map((a) => ({ address: a.email, name: a.name })),
              subject: `[caseflow] ${n.subject}`,
              text: n.text,
              caseId: n.caseId,
              notificationId: n.notificationId,
              notificationKind: n.kind,
              date: new Date(n.at),
            }),
          ),
        );
      }
      const forAgentsWithoutMail = n.agents.length > 0 && !mailed;
      if (n.admins || forAgentsWithoutMail) {
        const note = forAgentsWithoutMail
          ? `\n\n(For ${n.agents.map((a) => `${a.name} <${a.email}>`).join(', ')}: no mailer is configured to reach them directly.)`
          : '';
        sends.push(options.alerts.publish({ alertId: n.notificationId, at: n.at, subject: n.subject, message: `${n.text}${note}`, caseId: n.caseId }));
      }
      await Promise.all(sends);
    },
  };
}
