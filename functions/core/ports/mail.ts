/** Sending mail: what the outbound-mail builder makes and the Mailer that sends it. */

export interface OutboundAddress {
  address: string;
  name?: string;
}

/** A file sent with a mail (an agent's reply). */
export interface OutboundAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/** What a mail is, as the outbound-mail builder made it (functions/core/email-outbound.ts). */
export type OutboundKind = 'acknowledgement' | 'reply' | 'notification' | 'alert';

/** A mail ready to send: functions/core/email-outbound.ts makes every one. */
export interface OutboundEmail {
  kind: OutboundKind;
  from: OutboundAddress;
  to: OutboundAddress[];
  /** Copies (an agent's reply may name up to ten). */
  cc?: OutboundAddress[];
  replyTo?: OutboundAddress;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with it, as MIME parts. */
  attachments?: OutboundAttachment[];
  /** Our Message-ID, without brackets. SES replaces it on the wire; both are recorded. */
  messageId: string;
  inReplyTo?: string;
  /** Message-IDs without brackets, oldest first. */
  references: string[];
  /** Extra headers (Auto-Submitted, X-Auto-Response-Suppress, ...). */
  headers: Record<string, string>;
  date: Date;
}

export interface SentEmail {
  /** Our Message-ID (without brackets). */
  messageId: string;
  /** The ids the provider put on the wire (`<id>@<region>.amazonses.com`, without brackets); empty when ours was kept. */
  providerMessageIds: string[];
  /** Where a copy lives, when the adapter keeps one (the local outbox file). */
  ref?: string;
}

/** Sends mail: SES v2 in AWS; the outbox directory (optionally relayed over SMTP) locally. */
export interface Mailer {
  send(message: OutboundEmail): Promise<SentEmail>;
}
