import type { CaseMessage } from '../case.js';
import type { CaseEvent } from '../events.js';
import type { ParsedEmail } from '../email.js';
import type { CreateCaseCommand, CreateCaseResult } from './repositories.js';

/** Email-to-case (functions/core/use-cases/receive-email.ts): raw mail, its parsing, and intake's records. */

/**
 * Where raw inbound mail lives: the raw-mail S3 bucket in AWS (SES writes each message there), the
 * data directory locally (`<dataDir>/mail/`, written by the SMTP listener the way SES writes the
 * bucket). Keys are the bucket's object keys (`inbound/<id>`).
 */
export interface RawMailStore {
  /** The raw message, or undefined when there is no such object. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores a part (attachment, full body) beside the raw message; returns its reference (an object key). */
  putPart(rawKey: string, name: string, content: Uint8Array, contentType: string): Promise<string>;
  /**
   * Records what became of the message, only once its case is written: `processed` (with the case),
   * `rejected` (a virus), `ignored` (a duplicate). The raw message itself is never deleted by intake.
   */
  mark(key: string, state: { status: 'processed' | 'rejected' | 'duplicate'; caseId?: string; detail?: string }): Promise<void>;
}

/** The HMAC keys that sign subject tokens: the current one first, then those it replaced (still accepted). */
export interface ThreadingKeySource {
  keys(): Promise<string[]>;
}

/** Decodes a raw RFC 5322 / MIME message (functions/adapters/mime-parser.ts). Throws UnparsableEmailError. */
export interface MimeParser {
  parse(raw: Uint8Array): Promise<ParsedEmail>;
}

/** What intake recorded about an inbound message, found again by its Message-ID or content hash. */
export interface InboundRecord {
  caseId: string;
  hash: string;
  messageId?: string;
  /** Steps still to do after the case was written (a retried delivery finishes them): `ack`, `reopen`. */
  pending: string[];
}

export interface InboundKeys {
  messageId?: string;
  hash: string;
}

export interface ContactRecord {
  email: string;
  /** Set by a permanent bounce or a complaint: no more acknowledgements to this address. */
  suppressed?: { reason: string; at: string; caseId?: string };
  bounces: number;
  lastBounceAt?: string;
  language?: string;
}

export interface MailLogEntry {
  at: string;
  kind: 'rejected' | 'bounce' | 'report' | 'duplicate';
  rawKey: string;
  from?: string;
  subject?: string;
  caseId?: string;
  reasons: string[];
}

/** DynamoDB records of email intake beside the cases (dedupe, sent ids, contacts), keys in adapters/keys.ts. */
export interface EmailStore {
  findInbound(keys: InboundKeys): Promise<{ byMessageId?: InboundRecord; byHash?: InboundRecord }>;
  /** Which of these Message-IDs we sent (outbound) or already filed in a case (inbound). */
  findByMessageIds(ids: readonly string[]): Promise<{ messageId: string; caseId: string; direction: 'outbound' | 'inbound' }[]>;
  /**
   * Writes a new case with its first message and events, and the dedupe records, in one
   * transaction: a second delivery of the same message finds the records and creates nothing.
   */
  createCase(command: CreateCaseCommand & { inbound: InboundKeys; pending: string[] }): Promise<CreateCaseResult>;
  /** Appends a message (and events) to an existing case with the dedupe records, in one transaction. */
  appendMessage(command: {
    caseId: string;
    message: CaseMessage;
    events: CaseEvent[];
    inbound: InboundKeys;
    pending: string[];
  }): Promise<{ appended: true } | { appended: false; existingCaseId: string }>;
  /** Records a message we sent: its item on the case, its events, and every id it is known by. */
  recordOutbound(command: { caseId: string; message: CaseMessage; events: CaseEvent[]; messageIds: string[] }): Promise<void>;
  /** Events on a case without changing the case item (a forged-token attempt, a follow-up case, a skipped acknowledgement). */
  appendEvents(events: CaseEvent[]): Promise<void>;
  /** A pending step is done. */
  completeStep(keys: InboundKeys, step: string): Promise<void>;
  getContact(email: string): Promise<ContactRecord | undefined>;
  recordBounce(email: string, bounce: { at: string; permanent: boolean; reason: string; caseId?: string }): Promise<void>;
  logMail(entry: MailLogEntry): Promise<void>;
}
