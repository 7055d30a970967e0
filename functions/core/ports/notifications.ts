import type { OutboundAddress } from './mail.js';

/** Telling people: the admins' alerts and the notifications of agents about their cases. */

export interface AdminAlert {
  alertId: string;
  at: string;
  subject: string;
  message: string;
  caseId?: string;
}

export interface AlertPublisher {
  publish(alert: AdminAlert): Promise<void>;
}

/** Who hears about an SLA warning, breach or escalation, resolved from the configuration. */
export interface NotificationRecipient {
  agentId: string;
  name: string;
  email: string;
}

export interface Notification {
  notificationId: string;
  at: string;
  caseId: string;
  caseNumber: string;
  /** `sla_warning`, `sla_breach`, `sla_escalation`, `on_hold_limit`, ... */
  kind: string;
  subject: string;
  text: string;
  /** Agents to tell directly (email). */
  agents: NotificationRecipient[];
  /** Also tell the admins (the alerts topic in AWS, the alert log locally). */
  admins: boolean;
  /** The sender of agent emails (the configuration's email.fromAddress, a verified SES identity in AWS). */
  from?: OutboundAddress;
}

/**
 * Tells people about their cases. The adapter (functions/adapters/notifier.ts) mails agents through
 * the Mailer port (SES v2 in AWS, the outbox locally) and tells admins through the AlertPublisher
 * port (SNS in AWS, the alert log and outbox locally): no mail system of its own.
 */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}
