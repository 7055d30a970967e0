import { createHash } from 'node:crypto';

/**
 * An inbound email as the core sees it, whatever MIME library decoded it (the adapter in
 * functions/adapters/mime-parser.ts fills it in). Everything here is already decoded: subjects and
 * names are Unicode, the HTML is sanitised, attachments carry their bytes until they are stored.
 */

export interface EmailAddress {
  /** As written, minus surrounding whitespace; see normaliseAddress for the comparable form. */
  address: string;
  name?: string;
}

export interface ParsedAttachment {
  /** A file name always: parts without one get a made-up name from their type (`part-3.bin`). */
  filename: string;
  contentType: string;
  size: number;
  /** Without angle brackets. */
  contentId?: string;
  disposition: 'attachment' | 'inline';
  content: Uint8Array;
}

export interface ParsedEmail {
  /** Without angle brackets; absent when the message has none (or only an empty one). */
  messageId?: string;
  inReplyTo: string[];
  references: string[];
  subject: string;
  from?: EmailAddress;
  sender?: EmailAddress;
  replyTo: EmailAddress[];
  to: EmailAddress[];
  cc: EmailAddress[];
  /** ISO date from the Date header, when it is a plausible date. */
  date?: string;
  text?: string;
  /** Sanitised HTML (safe to store and show). */
  html?: string;
  /** Header name (lower case) ▶ decoded values, in order. */
  headers: Record<string, string[]>;
  attachments: ParsedAttachment[];
  /** `report-type` of a top-level multipart/report (delivery-status, disposition-notification, feedback-report). */
  reportType?: string;
  /** What the parser had to work around, for the record (`subject decoded as windows-1252`, ...). */
  notes: string[];
}

/** A message the MIME library could not make sense of at all. */
export class UnparsableEmailError extends Error {
  override readonly name = 'UnparsableEmailError';
}

/**
 * The comparable form of an address: trimmed, lower case, angle brackets and a trailing dot
 * dropped. Local parts are case-sensitive in theory and case-insensitive at every real provider,
 * and a contact must not become two contacts because they typed their name in capitals once.
 */
export function normaliseAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, '').replace(/\.$/, '').toLowerCase();
}

/** The longest address SMTP carries (RFC 5321: a 256-octet path, minus its angle brackets). */
export const MAX_ADDRESS_LENGTH = 254;

/** Looks enough like an address to send mail to (not `.invalid`, not empty, one @, no longer than SMTP allows). */
export function isDeliverableAddress(address: string | undefined): address is string {
  if (!address) return false;
  const a = normaliseAddress(address);
  if (a.length > MAX_ADDRESS_LENGTH) return false;
  const at = a.lastIndexOf('@');
  if (at <= 0 || at > 64 || at === a.length - 1 || a.indexOf('@') !== at) return false;
  const domain = a.slice(at + 1);
  return domain.includes('.') && !domain.endsWith('.invalid') && !/\s/.test(a);
}

/** The address a case is about when the message names none we can use. */
export const UNKNOWN_SENDER = 'unknown-sender@caseflow.invalid';

/** Message-IDs are compared without brackets and surrounding space; their case is kept (RFC 5322). */
export function normaliseMessageId(id: string): string {
  return id
    .trim()
    .replace(/^<+|>+$/g, '')
    .trim();
}

/** All `<...>` ids in a References / In-Reply-To value; bare ids (no brackets) are taken when alone. */
export function messageIdsIn(values: readonly string[]): string[] {
  const ids: string[] = [];
  for (const value of values) {
    const bracketed = value.match(/<[^<>\s]+>/g);
    if (bracketed) ids.push(...bracketed.map(normaliseMessageId));
    else if (/^\s*[^\s<>]+@[^\s<>]+\s*$/.test(value)) ids.push(normaliseMessageId(value));
  }
  return [...new Set(ids.filter((id) => id.length > 0 && id.length <= 500))];
}

/** The first value of a header (names are lower case). */
export function headerValue(email: Pick<ParsedEmail, 'headers'>, name: string): string | undefined {
  return email.headers[name.toLowerCase()]?.[0];
}

export function hasHeader(email: Pick<ParsedEmail, 'headers'>, name: string): boolean {
  return (email.headers[name.toLowerCase()]?.length ?? 0) > 0;
}

/** The primary language subtag of Content-Language / Accept-Language (`de-CH, en` ▶ `de`). */
export function languageOf(email: Pick<ParsedEmail, 'headers'>): string | undefined {
  for (const name of ['content-language', 'accept-language', 'x-accept-language']) {
    const value = headerValue(email, name);
    const first = value?.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
    const primary = first?.split('-')[0];
    if (primary && /^[a-z]{2,3}$/.test(primary)) return primary;
  }
  return undefined;
}

/** Cuts text to at most `max` characters without splitting a surrogate pair, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * Why a message holds nothing a person could read, or undefined: it is empty (no subject, no text,
 * no attachment: what a broken script or a probe sends), or its text is binary garbage (mostly
 * control and undecodable characters). Such mail is kept, in manual review, and never acknowledged:
 * an acknowledgement would answer nobody's question, and often goes to a forged address.
 */
export function contentProblem(email: Pick<ParsedEmail, 'subject' | 'text' | 'html' | 'attachments'>): string | undefined {
  const subject = email.subject.trim();
  const text = (email.text ?? '').trim();
  if (!subject && !text && !email.html?.trim() && email.attachments.length === 0) return 'is empty (no subject, no text, no attachment)';
  let bad = 0;
  let total = 0;
  for (const ch of `${subject}\n${text}`.slice(0, 8_000)) {
    total++;
    const code = ch.codePointAt(0)!;
    const control = (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) || (code >= 0x7f && code < 0xa0);
    if (control || code === 0xfffd) bad++;
  }
  if (total >= 16 && bad / total > 0.15) return `is binary garbage (${Math.round((100 * bad) / total)}% of its text is control or undecodable characters)`;
  return undefined;
}

/** Which of the two problems contentProblem found, as the flag on the case. */
export function contentFlag(problem: string): 'empty' | 'garbage' {
  return problem.startsWith('is empty') ? 'empty' : 'garbage';
}

/** A stand-in when the MIME library gave up: the raw message is the whole record. */
export function unparsedEmail(raw: Uint8Array, error: string): ParsedEmail {
  const head = Buffer.from(raw.subarray(0, 64 * 1024)).toString('utf8');
  const subject = head.match(/^subject:[ \t]*(.*)$/im)?.[1]?.trim();
  return {
    subject: subject ? `(unreadable message) ${subject}` : '(unreadable message)',
    inReplyTo: [],
    references: [],
    replyTo: [],
    to: [],
    cc: [],
    headers: {},
    attachments: [],
    notes: [`could not be parsed: ${error}`],
  };
}

/** Trace headers the receiving side prepends (and that differ between two deliveries of the same message). */
const TRACE_HEADERS = /^(received|return-path|x-ses-[a-z-]+|authentication-results|received-spf|x-original-to|delivered-to|arc-[a-z-]+|x-caseflow-[a-z-]+)$/i;

/**
 * sha256 of the message as its sender sent it: the header block without the trace headers added on
 * receipt, then the body as is. Two deliveries of one message hash the same; two messages do not.
 */
export function contentHash(raw: Uint8Array): string {
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const text = buffer.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const headerText = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end);
  const kept: string[] = [];
  let skipping = false;
  for (const line of headerText.split(/\r?\n/)) {
    if (/^[ \t]/.test(line)) {
      if (!skipping) kept.push(line);
      continue;
    }
    const name = line.slice(0, line.indexOf(':')).trim();
    skipping = line.startsWith('From ') || TRACE_HEADERS.test(name);
    if (!skipping) kept.push(line);
  }
  return createHash('sha256')
    .update(Buffer.from(kept.join('\n') + body, 'latin1'))
    .digest('hex');
}
