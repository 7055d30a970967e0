import type { OutboundAddress, OutboundAttachment, OutboundEmail, OutboundKind, SentEmail } from './ports/mail.js';

/**
 * Every mail caseflow sends is made here: acknowledgements, agents' replies, notifications to agents
 * and (locally) admin alerts. Pure: the caller passes the ids and the time; this decides the
 * Message-ID, the threading headers and the headers that keep machines from answering machines.
 * MIME assembly is an adapter's (functions/adapters/mail-compose.ts).
 *
 * | kind            | written by          | Auto-Submitted   | X-Auto-Response-Suppress | Precedence | threads to the case |
 * | --------------- | ------------------- | ---------------- | ------------------------ | ---------- | ------------------- |
 * | acknowledgement | caseflow, answering | `auto-replied`   | `All`                    | (none)     | yes                 |
 * | reply           | an agent            | (none: a person) | (none)                   | (none)     | yes                 |
 * | notification    | caseflow, unasked   | `auto-generated` | `All`                    | `bulk`     | no                  |
 * | alert           | caseflow, unasked   | `auto-generated` | `All`                    | `bulk`     | no                  |
 *
 * Why each header: docs/email.md#outbound-mail.
 */

/** The domain of our Message-IDs: the sender's. */
export function messageIdDomain(from: string): string {
  return from.split('@')[1] ?? 'caseflow.local';
}

/**
 * Our own id for a case's whole conversation with its customer. Every message we send on the case
 * references it, so a reply that keeps References finds the case even when SES replaced the
 * Message-ID it answers.
 */
export function caseThreadId(caseId: string, domain: string): string {
  return `case.${caseId}@${domain}`.toLowerCase();
}

/** How many of the answered message's References a message of ours carries on (the last ones). */
export const REFERENCES_KEPT = 8;

/** The message a mail of ours answers. */
export interface AnsweredMessage {
  /** Its Message-ID (without brackets), when it had one. */
  messageId?: string;
  /** Its References (without brackets), oldest first. */
  references: readonly string[];
}

interface Envelope {
  from: OutboundAddress;
  to: OutboundAddress[];
  subject: string;
  text: string;
  date: Date;
}

/** A case as its mail names it. */
interface CaseRef {
  caseId: string;
  caseNumber: string;
}

export type OutboundSpec =
  | (Envelope & {
      kind: 'acknowledgement';
      case: CaseRef;
      /** The customer's message that opened the case. */
      answering: AnsweredMessage;
      /** A fresh id (deps.ids.next()), the unique part of the Message-ID. */
      id: string;
    })
  | (Envelope & {
      kind: 'reply';
      case: CaseRef;
      /** The customer's latest email; absent when the case came by web or phone (the reply starts the thread). */
      answering?: AnsweredMessage;
      id: string;
      replyTo?: OutboundAddress;
      /** Copies the agent asked for. */
      cc?: OutboundAddress[];
      /** Files the agent attached. */
      attachments?: OutboundAttachment[];
    })
  | (Envelope & {
      kind: 'notification';
      caseId: string;
      notificationId: string;
      /** `sla_warning`, `sla_breach`, ... */
      notificationKind: string;
    })
  | (Envelope & {
      kind: 'alert';
      alertId: string;
      caseId?: string;
    });

/** What RFC 3834 and the vendors' equivalents ask of mail a machine sends. */
function loopHeaders(kind: OutboundKind): Record<string, string> {
  switch (kind) {
    // An automatic answer to a message: other responders must not answer it in turn (RFC 3834).
    // No Precedence: it is not standardised, and `bulk` on a one-to-one answer makes mailbox
    // providers file it as bulk mail.
    case 'acknowledgement':
      return { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
    // Written by a person: an out-of-office may answer it, as it would any mail.
    case 'reply':
      return {};
    // Machine-made and unasked for: no responder should answer. `Precedence: bulk` stops the older
    // vacation programs that read nothing else; Exchange reads X-Auto-Response-Suppress.
    case 'notification':
    case 'alert':
      return { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', Precedence: 'bulk' };
  }
}

/**
 * In-Reply-To the answered message, and References: the end of its References, its id, then the
 * case's thread id, each once.
 */
function threading(answering: AnsweredMessage | undefined, threadId: string): { inReplyTo?: string; references: string[] } {
  const references = [...new Set([...(answering?.references ?? []).slice(-REFERENCES_KEPT), ...(answering?.messageId ? [answering.messageId] : []), threadId])];
  return { ...(answering?.messageId ? { inReplyTo: answering.messageId } : {}), references };
}

export function buildOutboundMail(spec: OutboundSpec): OutboundEmail {
  const domain = messageIdDomain(spec.from.address);
  const envelope = { from: spec.from, to: spec.to, subject: spec.subject, text: spec.text, date: spec.date };
  switch (spec.kind) {
    case 'acknowledgement':
    case 'reply': {
      const prefix = spec.kind === 'acknowledgement' ? 'ack' : 'reply';
      return {
        kind: spec.kind,
        ...envelope,
        ...(spec.kind === 'reply' && spec.replyTo ? { replyTo: spec.replyTo } : {}),
        ...(spec.kind === 'reply' && spec.cc?.length ? { cc: spec.cc } : {}),
        ...(spec.kind === 'reply' && spec.attachments?.length ? { attachments: spec.attachments } : {}),
        messageId: `${prefix}.${spec.case.caseId}.${spec.id}@${domain}`.toLowerCase(),
        ...threading(spec.answering, caseThreadId(spec.case.caseId, domain)),
        headers: { ...loopHeaders(spec.kind), 'X-Caseflow-Case': spec.case.caseNumber },
      };
    }
    case 'notification':
      // Agents' mail about a case, not part of the customer's conversation: it threads to nothing,
      // so an agent answering it never lands on the case as the customer's word.
      return {
        kind: 'notification',
        ...envelope,
        messageId: `${spec.notificationId}.${spec.notificationKind.replace(/[^A-Za-z0-9_-]/g, '')}@${domain}`,
        references: [],
        headers: { ...loopHeaders('notification'), 'X-Caseflow-Case-Id': spec.caseId, 'X-Caseflow-Notification': spec.notificationKind },
      };
    case 'alert':
      return {
        kind: 'alert',
        ...envelope,
        messageId: `alert.${spec.alertId}@${domain}`,
        references: [],
        headers: { ...loopHeaders('alert'), 'X-Caseflow-Alert-Id': spec.alertId, ...(spec.caseId ? { 'X-Caseflow-Case-Id': spec.caseId } : {}) },
      };
  }
}

/**
 * Every id a sent message is known by, recorded so an answer to any of them finds the case: ours,
 * the ones the provider put on the wire, and the case's thread id it references.
 */
export function sentMessageIds(mail: Pick<OutboundEmail, 'from'>, sent: SentEmail, caseId: string): string[] {
  return [...new Set([sent.messageId, ...sent.providerMessageIds, caseThreadId(caseId, messageIdDomain(mail.from.address))])];
}
