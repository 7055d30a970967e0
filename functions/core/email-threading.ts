import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CaseRecord, CaseStatus } from './case.js';
import type { CaseEvent } from './events.js';
import { ACTIVITIES, STATUS_CHANGE_ACTIVITIES, detailsOf } from './events.js';
import { CLOSED_STATUSES } from './case.js';
import type { ParsedEmail } from './email.js';
import { messageIdsIn, normaliseAddress } from './email.js';

/**
 * Which case does an inbound message belong to? The subject token (`[CF-00001024:k7f9q2]`, the
 * suffix an HMAC of the case number so a guessed number attaches nothing), the ids we sent
 * (In-Reply-To / References, ours and the ones SES assigned), and the ids of messages already in a
 * case (reply-all from a participant). Pure: the caller looks the ids up, this decides.
 */

export const TOKEN_PREFIX = 'CF';
const SIGNATURE_LENGTH = 6;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= length) break;
  }
  return out;
}

/** The 6-character signature of a case number: 30 bits of HMAC-SHA256 under the threading key. */
export function tokenSignature(caseNumber: string, key: string | Uint8Array): string {
  return base32(createHmac('sha256', key).update(`caseflow-case:${caseNumber}`).digest(), SIGNATURE_LENGTH);
}

/** `[CF-00001024:k7f9q2]` */
export function formatCaseToken(caseNumber: string, key: string | Uint8Array): string {
  return `[${TOKEN_PREFIX}-${caseNumber}:${tokenSignature(caseNumber, key)}]`;
}

export interface SubjectToken {
  caseNumber: string;
  signature: string;
  /** The token exactly as it appeared. */
  text: string;
}

// Lenient about case and spaces (some clients and gateways re-case or pad bracketed text).
const TOKEN_PATTERN = new RegExp(`\\[\\s*${TOKEN_PREFIX}-(\\d{1,12})\\s*:\\s*([A-Za-z0-9]{1,16})\\s*\\]`, 'gi');

/** Every token in a subject, in order (a reply can quote two when cases were merged by hand). */
export function findSubjectTokens(subject: string): SubjectToken[] {
  return [...subject.matchAll(TOKEN_PATTERN)].map((m) => ({ caseNumber: m[1]!, signature: m[2]!.toLowerCase(), text: m[0] }));
}

export function verifyToken(token: Pick<SubjectToken, 'caseNumber' | 'signature'>, keys: readonly (string | Uint8Array)[]): boolean {
  // Several keys: the current one and those it replaced, so a key rotation does not orphan open conversations.
  return keys.some((key) => {
    const expected = Buffer.from(tokenSignature(token.caseNumber, key));
    const got = Buffer.from(token.signature.toLowerCase());
    return expected.length === got.length && timingSafeEqual(expected, got);
  });
}

/**
 * Reply and forward prefixes as mail clients write them in many languages (Outlook's `AW:`, `R:`,
 * `Antw:`, `SV:`, `Réf.`, `回复:` ...), with the counters some add (`Re[2]:`, `RE(3):`).
 */
const PREFIX =
  /^\s*(?:re|aw|r|i|rif|antw|antwort|sv|vs|vl|ref|réf|rép|tr|fw|fwd|wg|rv|enc|odp|pd|yn|ynt|ilt|vá|továbbítás|fs|bls|trs|απ|σχετ|προθ|ответ|отв|пересл|הועבר|השב|回复|回覆|答复|转发|轉寄|件名|ｒｅ)\s*(?:\[\d+\]|\(\d+\))?\s*[.]?\s*[:：]\s*/i;

/** The subject without our tokens and without any leading reply/forward prefixes. */
export function stripReplyPrefixes(subject: string): string {
  let s = subject.replace(TOKEN_PATTERN, ' ').replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 20; i++) {
    const next = s.replace(PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s.trim();
}

/**
 * A comparison key for "the same conversation": no tokens, no reply prefixes, no leading
 * `[list]` / `[ticket 123]` tags, case and spaces folded.
 */
export function subjectKey(subject: string): string {
  let s = stripReplyPrefixes(subject);
  for (let i = 0; i < 10; i++) {
    const next = stripReplyPrefixes(s.replace(/^\s*\[[^\]]{0,60}\]\s*/, ''));
    if (next === s) break;
    s = next;
  }
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}

// --- the decision -------------------------------------------------------------------------------

export interface CaseSummary {
  caseId: string;
  caseNumber: string;
  status: CaseStatus;
  /** Everyone who wrote or was written to on the case (normalised addresses), our own excluded. */
  participants: readonly string[];
  /** When the case was last resolved or closed; undefined while it is open. */
  closedAt?: string;
}

export interface ReferenceHit {
  messageId: string;
  caseId: string;
  /** `outbound`: an id we sent (ours or SES's); `inbound`: a message already in a case. */
  direction: 'outbound' | 'inbound';
  /** `in-reply-to` is the most specific pointer a reply carries. */
  header: 'in-reply-to' | 'references';
}

export interface ThreadInput {
  /** Normalised sender address. */
  sender: string;
  /** The hits found for the message's In-Reply-To and References ids. */
  hits: readonly ReferenceHit[];
  /** Tokens in the subject, each with whether its signature holds and the case it names (if any). */
  tokens: readonly (SubjectToken & { valid: boolean; caseId?: string })[];
  /** The cases named by hits and valid tokens. */
  cases: Readonly<Record<string, CaseSummary>>;
  now: Date;
  /** A closed case takes replies (and reopens) within this many milliseconds of closing. */
  reopenWindowMs: number;
}

export type ThreadDecision =
  | { action: 'join'; caseId: string; reopen: boolean; reasons: string[] }
  | { action: 'new'; linkedCaseId?: string; forgedToken?: string; reasons: string[] };

/**
 * Strongest evidence first: a reply to an id we sent (In-Reply-To, then References), a valid
 * subject token, then a reply to a message already in a case from one of its participants (reply-all
 * from a CC). A forged token starts a new case whatever else the message says: someone tampered
 * with it. A match on a closed case reopens it within the window, and after it starts a new case
 * linked to the old one.
 */
export function decideThread(input: ThreadInput): ThreadDecision {
  const reasons: string[] = [];
  const forged = input.tokens.find((t) => !t.valid);
  if (forged) {
    return {
      action: 'new',
      forgedToken: forged.caseNumber,
      reasons: [`subject token ${forged.text} has an invalid signature: a new case, and the attempt is recorded`],
    };
  }

  const rank = (h: ReferenceHit) => (h.direction === 'outbound' ? 0 : 2) + (h.header === 'in-reply-to' ? 0 : 1);
  const outbound = input.hits.filter((h) => h.direction === 'outbound' && input.cases[h.caseId]).sort((a, b) => rank(a) - rank(b));
  const validToken = input.tokens.find((t) => t.valid && t.caseId && input.cases[t.caseId]);
  const inbound = input.hits.filter((h) => h.direction === 'inbound' && input.cases[h.caseId]).sort((a, b) => rank(a) - rank(b));

  let chosen: CaseSummary | undefined;
  const best = outbound[0];
  if (best) {
    chosen = input.cases[best.caseId];
    reasons.push(`${best.header === 'in-reply-to' ? 'In-Reply-To' : 'References'} names <${best.messageId}>, which we sent on case ${chosen!.caseNumber}`);
  } else if (validToken) {
    chosen = input.cases[validToken.caseId!];
    reasons.push(`subject token ${validToken.text} is valid for case ${chosen!.caseNumber}`);
  } else {
    for (const hit of inbound) {
      const c = input.cases[hit.caseId]!;
      if (c.participants.includes(input.sender)) {
        chosen = c;
        reasons.push(
          `${hit.header === 'in-reply-to' ? 'In-Reply-To' : 'References'} names <${hit.messageId}> of case ${c.caseNumber}, and ${input.sender} is a participant (reply-all)`,
        );
        break;
      }
      reasons.push(`References name <${hit.messageId}> of case ${c.caseNumber}, but ${input.sender} is not one of its participants`);
    }
    if (!chosen && inbound.length > 0) {
      const first = input.cases[inbound[0]!.caseId]!;
      return { action: 'new', linkedCaseId: first.caseId, reasons: [...reasons, `a new case, linked to case ${first.caseNumber}`] };
    }
  }
  if (validToken && chosen && validToken.caseId !== chosen.caseId) {
    reasons.push(`the subject token names case ${validToken.caseNumber}, but the reply headers are more specific`);
  }

  if (!chosen) return { action: 'new', reasons: [...reasons, 'no reference to a message of ours and no case token: a new conversation'] };

  if (!CLOSED_STATUSES.includes(chosen.status)) return { action: 'join', caseId: chosen.caseId, reopen: false, reasons };

  const closedAt = chosen.closedAt ? Date.parse(chosen.closedAt) : Number.NaN;
  const age = Number.isNaN(closedAt) ? 0 : input.now.getTime() - closedAt;
  if (age <= input.reopenWindowMs) {
    return {
      action: 'join',
      caseId: chosen.caseId,
      reopen: true,
      reasons: [
        ...reasons,
        `case ${chosen.caseNumber} is ${chosen.status} since ${chosen.closedAt ?? 'an unknown time'}, within the reopen window: it reopens`,
      ],
    };
  }
  return {
    action: 'new',
    linkedCaseId: chosen.caseId,
    reasons: [...reasons, `case ${chosen.caseNumber} closed ${chosen.closedAt}, longer ago than the reopen window: a new case linked to it`],
  };
}

/** When the case was last closed, from its event log (the last status change into a closed status), else its updatedAt. */
export function closedAtOf(
  c: { status: CaseStatus; updatedAt: string },
  events: readonly Pick<CaseEvent, 'activity' | 'at' | 'details'>[],
): string | undefined {
  if (!CLOSED_STATUSES.includes(c.status)) return undefined;
  const closing = events
    .filter((e) => {
      if (e.activity === ACTIVITIES.resolved || e.activity === ACTIVITIES.closedUnresolved) return true;
      const to = detailsOf(e, ...STATUS_CHANGE_ACTIVITIES)?.to;
      return typeof to === 'string' && CLOSED_STATUSES.includes(to);
    })
    .map((e) => e.at)
    .sort();
  return closing[closing.length - 1] ?? c.updatedAt;
}

// --- what the caller looks up, and what it does with the decision ---------------------------------

/** The ids to look up for a message: its In-Reply-To and References (its own id excluded), the last 50. */
export function referencedIds(email: Pick<ParsedEmail, 'messageId' | 'inReplyTo' | 'references'>): string[] {
  const ids = new Set([...messageIdsIn(email.inReplyTo), ...messageIdsIn(email.references)]);
  return [...ids].filter((id) => id !== email.messageId).slice(-50);
}

/** The ids found, each with the header that named it. */
export function referenceHits(
  email: Pick<ParsedEmail, 'inReplyTo'>,
  found: readonly { messageId: string; caseId: string; direction: 'outbound' | 'inbound' }[],
): ReferenceHit[] {
  const inReplyTo = new Set(messageIdsIn(email.inReplyTo));
  return found.map((f) => ({ ...f, header: inReplyTo.has(f.messageId) ? 'in-reply-to' : 'references' }));
}

/** A case as decideThread sees it, from the case and its history; `ours` are our own addresses, never participants. */
export function caseSummaryOf(
  found: {
    case: Pick<CaseRecord, 'caseId' | 'caseNumber' | 'status' | 'updatedAt' | 'contact'>;
    messages: readonly { from?: string; to?: readonly string[]; cc?: readonly string[] }[];
    events: readonly Pick<CaseEvent, 'activity' | 'at' | 'details'>[];
  },
  ours: readonly string[],
): CaseSummary {
  const participants = new Set<string>([normaliseAddress(found.case.contact.email)]);
  for (const m of found.messages) {
    for (const a of [m.from, ...(m.to ?? []), ...(m.cc ?? [])]) if (a) participants.add(normaliseAddress(a));
  }
  for (const a of ours) participants.delete(a);
  const closedAt = closedAtOf(found.case, found.events);
  return {
    caseId: found.case.caseId,
    caseNumber: found.case.caseNumber,
    status: found.case.status,
    participants: [...participants],
    ...(closedAt ? { closedAt } : {}),
  };
}

/**
 * The case tokens a notice quotes: in its own text and in an attached copy of our message (some
 * providers copy only the subject of what they could not deliver, not its Message-ID). The first 3.
 */
export function quotedSubjectTokens(email: Pick<ParsedEmail, 'text' | 'attachments'>): SubjectToken[] {
  const quoted = [
    (email.text ?? '').slice(0, 64 * 1024),
    ...email.attachments
      .filter((a) => /^(message\/(rfc822|global)|text\/rfc822-headers)$/i.test(a.contentType))
      .map((a) => Buffer.from(a.content.subarray(0, 16 * 1024)).toString('utf8')),
  ].join('\n');
  return findSubjectTokens(quoted).slice(0, 3);
}

/** Which of the ids a report names is the mail it is about: one we sent, else one already filed. */
export function reportedHit<T extends { direction: 'outbound' | 'inbound' }>(hits: readonly T[]): T | undefined {
  return hits.find((h) => h.direction === 'outbound') ?? hits[0];
}

/**
 * Same Message-ID, different content (a mailer reusing ids, or a copy altered on the way): never
 * dropped; filed on the case that id belongs to, as another message.
 */
export function reusedMessageIdDecision(caseId: string, messageId: string | undefined): ThreadDecision {
  return {
    action: 'join',
    caseId,
    reopen: false,
    reasons: [`Message-ID <${messageId}> is already filed on this case with other content: kept as another message`],
  };
}

export interface JoinFiling {
  /** Filed as automated mail (kind `automated`, an `automated_mail_received` event by the system). */
  automated: boolean;
  /** The case reopens (and the step is remembered until done). */
  reopens: boolean;
  reasons: string[];
}

/**
 * A message joining a case: a person writing on a closed case reopens it (decideThread said so);
 * automated mail (an auto-reply, a null-sender notification, our own mail coming back:
 * `automatedReasons` of email-classify.ts) is filed for the record and leaves the case as it is.
 */
export function decideJoin(
  decision: Extract<ThreadDecision, { action: 'join' }>,
  automatedReasons: readonly string[],
  c: Pick<CaseRecord, 'caseNumber' | 'status'>,
): JoinFiling {
  const automated = automatedReasons.length > 0;
  const reopens = decision.reopen && !automated;
  return {
    automated,
    reopens,
    reasons: [
      ...decision.reasons,
      ...automatedReasons,
      ...(decision.reopen && !reopens ? [`case ${c.caseNumber} stays ${c.status}: automated mail and our own mail never reopen a case`] : []),
    ],
  };
}
