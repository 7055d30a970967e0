import { createHash } from 'node:crypto';
import type { Attachment, CaseMessage, CaseRecord } from '../case.js';
import { CLOSED_STATUSES } from '../case.js';
import type { RoutingConfig } from '../config.js';
import { durationMs } from '../duration.js';
import type { ParsedEmail } from '../email.js';
import { UNKNOWN_SENDER, contentProblem, isDeliverableAddress, languageOf, messageIdsIn, normaliseAddress, truncate } from '../email.js';
import type { ResolvedEmailSettings } from '../email-ack.js';
import { decideAcknowledgement, emailSettingsOf, renderAcknowledgement } from '../email-ack.js';
import type { InboundClassification, MailReport } from '../email-classify.js';
import { automatedReasons, classifyInbound, returnPathOf } from '../email-classify.js';
import type { CaseSummary, ReferenceHit, ThreadDecision } from '../email-threading.js';
import { closedAtOf, decideThread, findSubjectTokens, formatCaseToken, stripReplyPrefixes, verifyToken } from '../email-threading.js';
import { ConflictError } from '../errors.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import { newCase } from '../intake.js';
import type {
  AgentStateRepository,
  AlertPublisher,
  AssignmentStore,
  CaseRepository,
  Clock,
  EmailStore,
  IdGenerator,
  InboundKeys,
  InboundRecord,
  Mailer,
  MimeParser,
  RateLimiter,
  RawMailStore,
  ThreadingKeySource,
  WorkflowStarter,
} from '../ports.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import type { RouteCase } from './route-case.js';
import { reopenCase } from './reopen-case.js';

/**
 * Email-to-case: one raw message in the raw-mail store ▶ a new case, a message on an existing case
 * (reply, reopen), a bounce filed on the case whose mail bounced, or a rejection. Every decision is
 * a pure function (email-classify, email-threading, email-ack) whose reasons are stored on the case;
 * this use case only loads, writes and sends.
 *
 * Nothing is lost: the raw message stays where it is; the case, the message and the dedupe records
 * are written in one transaction; a crash after that is finished by the redelivery (the dedupe
 * record remembers the steps still pending); the raw message is marked only at the very end.
 */
export interface ReceiveEmailDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  agentStates: AgentStateRepository;
  assignments: AssignmentStore;
  workflow: WorkflowStarter;
  rateLimiter: RateLimiter;
  alerts: AlertPublisher;
  rawMail: RawMailStore;
  mailer: Mailer;
  threadingKeys: ThreadingKeySource;
  mime: MimeParser;
  email: EmailStore;
  clock: Clock;
  ids: IdGenerator;
  /** The existing routing use case (makeRouteCase): a reopened case whose owner cannot take it is routed anew. */
  routeCase: RouteCase;
  /** From address when the configuration names none (EMAIL_FROM_ADDRESS in AWS). */
  defaultFromAddress?: string;
}

export type ReceiveEmailOutcome = 'created' | 'joined' | 'reopened' | 'duplicate' | 'bounce' | 'report' | 'rejected' | 'missing';

export interface ReceiveEmailResult {
  outcome: ReceiveEmailOutcome;
  caseId?: string;
  caseNumber?: string;
  /** An acknowledgement went out for this message. */
  acknowledged: boolean;
  reasons: string[];
}

/** Fields an email case carries beyond the common case model (the case contract adds fields freely: docs/architecture.md#the-case-contract). */
export interface EmailCaseFields {
  /** `spam`, `dmarc_fail`, `auto_reply`, `mailing_list`, `from_ourselves`, `null_sender`, `unparsable`, `empty`, `garbage`, `forged_token`. */
  flags?: string[];
  /** The closed case this one follows up (a reply after the reopen window). */
  linkedCaseId?: string;
}

/** What an email message item carries beyond CaseMessage. */
export interface EmailMessageFields {
  /** `automated`: an auto-reply, a null-sender notification or our own mail, filed on the case for the record. */
  kind: 'email' | 'bounce' | 'report' | 'acknowledgement' | 'automated';
  fromName?: string;
  to: string[];
  cc: string[];
  emailMessageId?: string;
  inReplyTo?: string[];
  references?: string[];
  /** The raw message in the raw-mail store. */
  rawRef?: string;
  html?: string;
  htmlRef?: string;
  textRef?: string;
  providerMessageIds?: string[];
  notes?: string[];
}

export type EmailMessage = CaseMessage & EmailMessageFields;

/** DynamoDB items stay far below 400 KB: bodies beyond these sizes live in the bucket, the item keeps a preview. */
export const LIMITS = {
  caseSubject: 300,
  caseDescription: 4_000,
  messageSubject: 1_000,
  inlineText: 16_000,
  inlineHtml: 32_000,
  addresses: 50,
  /** One address as filed (a real one is at most 254 characters; longer ones are kept cut, for the record). */
  address: 320,
  /** The Message-ID as filed on the message item (dedupe and threading use the whole id, through keys that bound it). */
  messageId: 1_000,
  attachmentName: 255,
  references: 20,
  attachmentsOnItem: 300,
  /** Parts stored at once while filing a message with many attachments. */
  uploadConcurrency: 16,
} as const;

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

/** The address a case is about: From, else Sender, Reply-To, the return path; else the unknown sender. */
function senderOf(email: ParsedEmail): { address: string; name?: string } {
  for (const candidate of [email.from, email.sender, email.replyTo[0]]) {
    if (candidate && isDeliverableAddress(candidate.address))
      return { address: normaliseAddress(candidate.address), ...(candidate.name ? { name: candidate.name } : {}) };
  }
  const returnPath = returnPathOf(email);
  if (returnPath && isDeliverableAddress(returnPath)) return { address: normaliseAddress(returnPath), ...(email.from?.name ? { name: email.from.name } : {}) };
  return { address: UNKNOWN_SENDER, ...(email.from?.name ? { name: email.from.name } : {}) };
}

function flagsOf(c: InboundClassification, unparsable: boolean): string[] {
  const flags: string[] = [];
  if (c.verdicts.spam === 'FAIL') flags.push('spam');
  if (c.verdicts.dmarc === 'FAIL') flags.push('dmarc_fail');
  if (c.autoReply.is) flags.push('auto_reply');
  if (c.mailingList.is) flags.push('mailing_list');
  if (c.fromOurselves) flags.push('from_ourselves');
  if (c.nullSender) flags.push('null_sender');
  if (unparsable) flags.push('unparsable');
  return flags;
}

/** A stand-in when the MIME library gave up: the raw message is the whole record. */
function unparsedEmail(raw: Uint8Array, error: string): ParsedEmail {
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

const safeName = (name: string) =>
  name
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a file name must not carry
    .replace(/[\u0000-\u001f\u007f/\\]+/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 150) || 'part';

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

export function makeReceiveEmail(deps: ReceiveEmailDeps) {
  const now = () => deps.clock.now();

  /** The message item: attachments and long bodies go beside the raw message, the item keeps previews and references. */
  async function fileMessage(
    email: ParsedEmail,
    raw: Uint8Array,
    rawKey: string,
    caseId: string,
    kind: EmailMessageFields['kind'],
    unparsable: boolean,
  ): Promise<EmailMessage> {
    const sender = senderOf(email);
    const stored: (Attachment & { inline?: boolean })[] = await inBatches(email.attachments, LIMITS.uploadConcurrency, async (a, i) => {
      const name = safeName(a.filename);
      const ref = await deps.rawMail.putPart(rawKey, `${String(i + 1).padStart(3, '0')}-${name}`, a.content, a.contentType);
      return {
        name: truncate(a.filename, LIMITS.attachmentName),
        contentType: truncate(a.contentType, 200),
        size: a.size,
        ...(a.contentId ? { contentId: a.contentId } : {}),
        ref,
        ...(a.disposition === 'inline' ? { inline: true } : {}),
      };
    });
    if (unparsable) stored.push({ name: 'message.eml', contentType: 'message/rfc822', size: raw.byteLength, ref: rawKey });

    const text = email.text ?? '';
    const textRef =
      text.length > LIMITS.inlineText ? await deps.rawMail.putPart(rawKey, 'body.txt', Buffer.from(text, 'utf8'), 'text/plain; charset=utf-8') : undefined;
    const html = email.html;
    const htmlRef =
      html && html.length > LIMITS.inlineHtml
        ? await deps.rawMail.putPart(rawKey, 'body.html', Buffer.from(html, 'utf8'), 'text/html; charset=utf-8')
        : undefined;
    let attachments = stored;
    const notes = [...email.notes];
    if (stored.length > LIMITS.attachmentsOnItem) {
      const manifest = await deps.rawMail.putPart(rawKey, 'attachments.json', Buffer.from(JSON.stringify(stored), 'utf8'), 'application/json');
      attachments = stored.slice(0, LIMITS.attachmentsOnItem);
      notes.push(`${stored.length} attachments: the first ${LIMITS.attachmentsOnItem} are listed here, all of them in ${manifest}`);
    }
    const list = (addresses: ParsedEmail['to']) =>
      addresses
        .slice(0, LIMITS.addresses)
        .map((a) => truncate(normaliseAddress(a.address), LIMITS.address))
        .filter(Boolean);
    return {
      messageId: deps.ids.next(),
      caseId,
      direction: 'inbound',
      channel: 'email',
      kind,
      from: sender.address,
      ...(sender.name ? { fromName: truncate(sender.name, 200) } : {}),
      to: list(email.to),
      cc: list(email.cc),
      subject: truncate(email.subject, LIMITS.messageSubject),
      text: truncate(text, LIMITS.inlineText),
      ...(textRef ? { textRef } : {}),
      ...(html && !htmlRef ? { html } : {}),
      ...(htmlRef ? { htmlRef, html: truncate(html!, 2_000) } : {}),
      at: now().toISOString(),
      attachments,
      ...(email.messageId ? { emailMessageId: truncate(email.messageId, LIMITS.messageId) } : {}),
      ...(email.inReplyTo.length ? { inReplyTo: messageIdsIn(email.inReplyTo).slice(0, LIMITS.references) } : {}),
      ...(email.references.length ? { references: messageIdsIn(email.references).slice(-LIMITS.references) } : {}),
      rawRef: rawKey,
      ...(notes.length ? { notes: notes.slice(0, 20) } : {}),
    };
  }

  async function summaries(caseIds: readonly string[], ours: readonly string[]): Promise<Record<string, CaseSummary>> {
    const out: Record<string, CaseSummary> = {};
    const own = new Set(ours);
    for (const caseId of [...new Set(caseIds)].slice(0, 5)) {
      const found = await deps.cases.getWithHistory(caseId);
      if (!found) continue;
      const participants = new Set<string>([normaliseAddress(found.case.contact.email)]);
      for (const m of found.messages as EmailMessage[]) {
        for (const a of [m.from, ...(m.to ?? []), ...(m.cc ?? [])]) if (a) participants.add(normaliseAddress(a));
      }
      for (const a of own) participants.delete(a);
      const closedAt = closedAtOf(found.case, found.events);
      out[caseId] = {
        caseId,
        caseNumber: found.case.caseNumber,
        status: found.case.status,
        participants: [...participants],
        ...(closedAt ? { closedAt } : {}),
      };
    }
    return out;
  }

  async function decideThreadFor(email: ParsedEmail, settings: ResolvedEmailSettings, sender: string): Promise<ThreadDecision> {
    const keys = await deps.threadingKeys.keys();
    const inReplyTo = new Set(messageIdsIn(email.inReplyTo));
    const ids = [...new Set([...inReplyTo, ...messageIdsIn(email.references)])].filter((id) => id !== email.messageId).slice(-50);
    const found = ids.length ? await deps.email.findByMessageIds(ids) : [];
    const hits: ReferenceHit[] = found.map((f) => ({ ...f, header: inReplyTo.has(f.messageId) ? 'in-reply-to' : 'references' }));
    const tokens = await Promise.all(
      findSubjectTokens(email.subject)
        .slice(0, 3)
        .map(async (t) => {
          const valid = verifyToken(t, keys);
          const c = valid ? await deps.cases.getByNumber(t.caseNumber) : undefined;
          return { ...t, valid, ...(c ? { caseId: c.caseId } : {}) };
        }),
    );
    const caseIds = [...hits.map((h) => h.caseId), ...tokens.flatMap((t) => (t.caseId ? [t.caseId] : []))];
    const cases = await summaries(caseIds, settings.ourAddresses);
    return decideThread({ sender, hits, tokens, cases, now: now(), reopenWindowMs: durationMs(settings.reopenWindow) });
  }

  async function sendAcknowledgement(c: CaseRecord, email: ParsedEmail, inbound: InboundKeys, settings: ResolvedEmailSettings): Promise<boolean> {
    const at = now();
    const recipient = c.contact.email;
    const limit = await deps.rateLimiter.hit('email-ack', recipient, settings.acknowledgement.maxPerSenderPerHour, 3600, at);
    if (!limit.allowed) {
      await deps.email.appendEvents([
        makeEvent(deps.ids, c.caseId, ACTIVITIES.acknowledgementSkipped, at.toISOString(), SYSTEM, {
          reasons: [`${recipient} already had ${settings.acknowledgement.maxPerSenderPerHour} acknowledgement(s) this hour (loop protection)`],
        }),
      ]);
      await deps.email.completeStep(inbound, 'ack');
      return false;
    }
    const [key] = await deps.threadingKeys.keys();
    if (!key) throw new Error('no threading key is configured');
    const token = formatCaseToken(c.caseNumber, key);
    const content = renderAcknowledgement(settings, {
      caseNumber: c.caseNumber,
      subject: c.subject,
      ...(c.contact.name ? { name: c.contact.name } : {}),
      email: recipient,
      token,
      ...(c.language ? { language: c.language } : {}),
    });
    const domain = settings.fromAddress.split('@')[1] ?? 'caseflow.local';
    const ourId = `ack.${c.caseId}.${deps.ids.next()}@${domain}`.toLowerCase();
    // Our own id for the whole conversation: every message we send references it, so any reply
    // that keeps References finds the case even when SES replaced the Message-ID it answers.
    const threadId = `case.${c.caseId}@${domain}`.toLowerCase();
    const references = [...messageIdsIn(email.references).slice(-8), ...(email.messageId ? [email.messageId] : []), threadId];
    const sent = await deps.mailer.send({
      from: { address: settings.fromAddress, name: settings.fromName },
      to: [{ address: recipient, ...(c.contact.name ? { name: c.contact.name } : {}) }],
      subject: content.subject,
      text: content.text,
      messageId: ourId,
      ...(email.messageId ? { inReplyTo: email.messageId } : {}),
      references: [...new Set(references)],
      headers: {
        // RFC 3834: an automatic response, which other responders must not answer.
        'Auto-Submitted': 'auto-replied',
        'X-Auto-Response-Suppress': 'All',
        'X-Caseflow-Case': c.caseNumber,
      },
      date: at,
    });
    const message: EmailMessage = {
      messageId: deps.ids.next(),
      caseId: c.caseId,
      direction: 'outbound',
      channel: 'email',
      kind: 'acknowledgement',
      from: normaliseAddress(settings.fromAddress),
      to: [recipient],
      cc: [],
      subject: content.subject,
      text: content.text,
      at: at.toISOString(),
      attachments: [],
      emailMessageId: sent.messageId,
      ...(email.messageId ? { inReplyTo: [email.messageId] } : {}),
      references: [...new Set(references)],
      ...(sent.providerMessageIds.length ? { providerMessageIds: sent.providerMessageIds } : {}),
      ...(sent.ref ? { rawRef: sent.ref } : {}),
    };
    await deps.email.recordOutbound({
      caseId: c.caseId,
      message,
      events: [
        makeEvent(deps.ids, c.caseId, ACTIVITIES.acknowledgementSent, at.toISOString(), SYSTEM, {
          to: recipient,
          language: content.language,
          messageId: sent.messageId,
          providerMessageIds: sent.providerMessageIds,
        }),
      ],
      messageIds: [...new Set([sent.messageId, ...sent.providerMessageIds, threadId])],
    });
    await deps.email.completeStep(inbound, 'ack');
    return true;
  }

  /**
   * A customer wrote again on a closed case: back to its owner when they are online with room,
   * else into its queue and through the routing use case (as an agent's reopen does).
   */
  async function reopen(caseId: string, reasons: string[]): Promise<CaseRecord | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const c = await deps.cases.get(caseId);
      if (!c || !CLOSED_STATUSES.includes(c.status)) return c;
      const reopened = await reopenCase(deps, c, {
        to: 'in_progress',
        actor: { kind: 'customer', id: c.contact.email },
        details: { cause: 'customer_reply', reasons },
      });
      if (reopened.outcome !== 'changed') return reopened.case;
    }
    throw new ConflictError(`case ${caseId} kept changing while reopening it`);
  }

  /**
   * A message that belongs to an existing case is filed on it. A person writing on a closed case
   * reopens it (within the window); an auto-reply, a null-sender notification or our own mail
   * coming back is filed as automated mail and leaves the case as it is.
   */
  async function joinCase(
    c: CaseRecord,
    decision: Extract<ThreadDecision, { action: 'join' }>,
    email: ParsedEmail,
    raw: Uint8Array,
    rawKey: string,
    inbound: InboundKeys,
    classification: InboundClassification,
    unparsable: boolean,
    config: RoutingConfig,
  ): Promise<ReceiveEmailResult> {
    const at = now().toISOString();
    const sender = senderOf(email);
    const automated = automatedReasons(classification);
    const reopens = decision.reopen && automated.length === 0;
    const reasons = [
      ...decision.reasons,
      ...automated,
      ...(decision.reopen && !reopens ? [`case ${c.caseNumber} stays ${c.status}: automated mail and our own mail never reopen a case`] : []),
    ];
    const message = await fileMessage(email, raw, rawKey, c.caseId, automated.length ? 'automated' : 'email', unparsable);
    const details = { channel: 'email', from: sender.address, subject: truncate(email.subject, 300), flags: flagsOf(classification, unparsable), reasons };
    const event = automated.length
      ? makeEvent(deps.ids, c.caseId, ACTIVITIES.automatedMailReceived, at, SYSTEM, details)
      : makeEvent(deps.ids, c.caseId, ACTIVITIES.messageReceived, at, { kind: 'customer', id: sender.address }, details);
    const written = await deps.email.appendMessage({ caseId: c.caseId, message, events: [event], inbound, pending: reopens ? ['reopen'] : [] });
    if (!written.appended) {
      const again = await deps.email.findInbound(inbound);
      const record = again.byHash ?? again.byMessageId;
      if (record) return resumeDuplicate(record, email, inbound, rawKey, config);
      throw new ConflictError(`message ${rawKey} was filed concurrently but its record is missing`);
    }
    let outcome: ReceiveEmailOutcome = 'joined';
    if (reopens) {
      await reopen(c.caseId, decision.reasons);
      await deps.email.completeStep(inbound, 'reopen');
      outcome = 'reopened';
    }
    await deps.rawMail.mark(rawKey, { status: 'processed', caseId: c.caseId, detail: outcome });
    return { outcome, caseId: c.caseId, caseNumber: c.caseNumber, acknowledged: false, reasons };
  }

  /** A second delivery of a message already filed: finish what the first one left pending. */
  async function resumeDuplicate(
    record: InboundRecord,
    email: ParsedEmail,
    inbound: InboundKeys,
    rawKey: string,
    config: RoutingConfig,
  ): Promise<ReceiveEmailResult> {
    const c = await deps.cases.get(record.caseId);
    let acknowledged = false;
    if (c) {
      // The first delivery may have died between writing the case and starting its workflow.
      if (c.status === 'new') await deps.workflow.startCase(c.caseId);
      if (record.pending.includes('ack')) acknowledged = await sendAcknowledgement(c, email, inbound, emailSettingsOf(config, deps.defaultFromAddress));
      if (record.pending.includes('reopen')) {
        await reopen(c.caseId, ['finishing the reopen of an earlier delivery']);
        await deps.email.completeStep(inbound, 'reopen');
      }
    }
    await deps.rawMail.mark(rawKey, { status: 'duplicate', caseId: record.caseId });
    return {
      outcome: 'duplicate',
      caseId: record.caseId,
      ...(c ? { caseNumber: c.caseNumber } : {}),
      acknowledged,
      reasons: [
        `already filed on case ${c?.caseNumber ?? record.caseId} (${record.messageId ? `Message-ID <${record.messageId}>` : `content ${record.hash.slice(0, 12)}`})`,
      ],
    };
  }

  /**
   * A notice that quotes our message without its Message-ID (some providers copy only its subject
   * into their own text): the case token of the quoted subject, when its signature holds, names the case.
   */
  async function quotedCaseToken(email: ParsedEmail): Promise<{ caseId: string; messageId: string } | undefined> {
    const quoted = [
      (email.text ?? '').slice(0, 64 * 1024),
      ...email.attachments
        .filter((a) => /^(message\/(rfc822|global)|text\/rfc822-headers)$/i.test(a.contentType))
        .map((a) => Buffer.from(a.content.subarray(0, 16 * 1024)).toString('utf8')),
    ].join('\n');
    const tokens = findSubjectTokens(quoted).slice(0, 3);
    if (tokens.length === 0) return undefined;
    const keys = await deps.threadingKeys.keys();
    for (const t of tokens) {
      if (!verifyToken(t, keys)) continue;
      const c = await deps.cases.getByNumber(t.caseNumber);
      if (c) return { caseId: c.caseId, messageId: `subject token ${t.text}` };
    }
    return undefined;
  }

  async function fileReport(report: MailReport, email: ParsedEmail, raw: Uint8Array, rawKey: string, inbound: InboundKeys): Promise<ReceiveEmailResult> {
    const at = now().toISOString();
    const hits = report.originalMessageIds.length ? await deps.email.findByMessageIds(report.originalMessageIds.slice(0, 20)) : [];
    const hit = hits.find((h) => h.direction === 'outbound') ?? hits[0] ?? (await quotedCaseToken(email));
    const outcome = report.kind === 'bounce' ? 'bounce' : 'report';
    const describe = [
      ...report.reasons,
      report.recipients.length
        ? `recipients: ${report.recipients.map((r) => `${r.address} ${r.action}${r.status ? ` ${r.status}` : ''}`).join(', ')}`
        : 'no recipient named',
    ];
    let caseId: string | undefined;
    let caseNumber: string | undefined;
    let contactEmail: string | undefined;
    if (hit) {
      const c = await deps.cases.get(hit.caseId);
      if (c) {
        caseId = c.caseId;
        caseNumber = c.caseNumber;
        contactEmail = c.contact.email;
        const message = await fileMessage(email, raw, rawKey, c.caseId, outcome, false);
        const activity = report.kind === 'bounce' ? ACTIVITIES.emailBounced : ACTIVITIES.mailReportReceived;
        const written = await deps.email.appendMessage({
          caseId: c.caseId,
          message,
          events: [
            makeEvent(deps.ids, c.caseId, activity, at, SYSTEM, {
              kind: report.kind,
              format: report.format,
              permanent: report.permanent,
              recipients: report.recipients,
              originalMessageId: hit.messageId,
              reasons: describe,
            }),
          ],
          inbound,
          pending: [],
        });
        if (!written.appended) caseId = written.existingCaseId;
      }
    }
    if (!caseId) {
      await deps.email.logMail({
        at,
        kind: outcome,
        rawKey,
        ...(email.from ? { from: email.from.address } : {}),
        subject: truncate(email.subject, 300),
        reasons: [...describe, 'no case of ours matches the original message'],
      });
    }

    // The address that bounced is marked on the contact (a delay only counts, a failure or complaint suppresses).
    if (report.kind !== 'disposition') {
      const recipients = report.recipients.filter((r) => r.action !== 'delivered' && r.action !== 'relayed' && r.action !== 'expanded');
      const addresses = recipients.length ? recipients.map((r) => r.address) : contactEmail ? [contactEmail] : [];
      for (const address of new Set(addresses)) {
        const r = recipients.find((x) => x.address === address);
        const permanent = report.kind === 'feedback' || (report.permanent && (!r || r.action === 'failed' || !!r.status?.startsWith('5')));
        const reason =
          report.kind === 'feedback'
            ? 'complaint (abuse report)'
            : `bounce${r?.status ? ` ${r.status}` : ''}${r?.diagnostic ? `: ${r.diagnostic.slice(0, 200)}` : ''}`;
        await deps.email.recordBounce(address, { at, permanent, reason, ...(caseId ? { caseId } : {}) });
      }
    }
    await deps.rawMail.mark(rawKey, { status: 'processed', ...(caseId ? { caseId } : {}), detail: outcome });
    return { outcome, ...(caseId ? { caseId } : {}), ...(caseNumber ? { caseNumber } : {}), acknowledged: false, reasons: describe };
  }

  return async function receiveEmail(rawKey: string): Promise<ReceiveEmailResult> {
    const raw = await deps.rawMail.get(rawKey);
    if (!raw) return { outcome: 'missing', acknowledged: false, reasons: [`no raw message at ${rawKey}`] };
    const hash = contentHash(raw);
    let parsed: ParsedEmail | undefined;
    let parseError: string | undefined;
    try {
      parsed = await deps.mime.parse(raw);
    } catch (error) {
      parseError = (error as Error).message || String(error);
    }
    const unparsable = parsed === undefined;
    const email = parsed ?? unparsedEmail(raw, parseError ?? 'unknown error');
    const config = await loadConfig(deps.configs);
    const settings = emailSettingsOf(config, deps.defaultFromAddress);

    const found = await deps.email.findInbound({ hash, ...(email.messageId ? { messageId: email.messageId } : {}) });
    if (found.byHash)
      return resumeDuplicate(found.byHash, email, { hash, ...(found.byHash.messageId ? { messageId: found.byHash.messageId } : {}) }, rawKey, config);
    // Same Message-ID, different content (a mailer reusing ids, or a copy altered on the way): never
    // dropped; filed on the case that id belongs to, under its content hash only.
    const reusedId = found.byMessageId;
    const inbound: InboundKeys = { hash, ...(email.messageId && !reusedId ? { messageId: email.messageId } : {}) };

    const classification = classifyInbound(email, settings.ourAddresses);
    const at = now().toISOString();

    if (classification.verdicts.virus === 'FAIL') {
      const reasons = ['SES found a virus (X-SES-Virus-Verdict: FAIL): rejected, no case'];
      await deps.email.logMail({
        at,
        kind: 'rejected',
        rawKey,
        ...(email.from ? { from: email.from.address } : {}),
        subject: truncate(email.subject, 300),
        reasons,
      });
      await deps.alerts.publish({
        alertId: deps.ids.next(),
        at,
        subject: 'Inbound email rejected: virus',
        message: `A message from ${email.from?.address ?? 'an unknown sender'} ("${truncate(email.subject, 120)}") carried a virus and was rejected. It is kept, marked rejected, at ${rawKey}.`,
      });
      await deps.rawMail.mark(rawKey, { status: 'rejected', detail: 'virus' });
      return { outcome: 'rejected', acknowledged: false, reasons };
    }

    if (classification.report) return fileReport(classification.report, email, raw, rawKey, inbound);

    const sender = senderOf(email);
    const decision: ThreadDecision = reusedId
      ? {
          action: 'join',
          caseId: reusedId.caseId,
          reopen: false,
          reasons: [`Message-ID <${email.messageId}> is already filed on this case with other content: kept as another message`],
        }
      : await decideThreadFor(email, settings, sender.address);

    if (decision.action === 'join') {
      const c = await deps.cases.get(decision.caseId);
      if (c) return joinCase(c, decision, email, raw, rawKey, inbound, classification, unparsable, config);
    }

    // A new case.
    const reasons = decision.reasons;
    const flags = flagsOf(classification, unparsable);
    if (decision.action === 'new' && decision.forgedToken) flags.push('forged_token');
    // Nothing to read (empty, binary garbage): kept for a person to look at, never acknowledged.
    const problem = unparsable ? undefined : contentProblem(email);
    if (problem) flags.push(problem.startsWith('is empty') ? 'empty' : 'garbage');
    const suppressed = (await deps.email.getContact(sender.address))?.suppressed;
    const ack = decideAcknowledgement({
      newCase: true,
      enabled: settings.acknowledgement.enabled,
      recipient: sender.address,
      classification,
      unparsable,
      ...(problem ? { contentProblem: problem } : {}),
      ...(suppressed ? { suppressed: { reason: suppressed.reason } } : {}),
    });

    const caseNumber = await deps.cases.allocateCaseNumber();
    const language = languageOf(email);
    const subject = truncate(stripReplyPrefixes(email.subject) || email.subject.trim() || '(no subject)', LIMITS.caseSubject);
    const base = newCase(
      {
        channel: 'email',
        subject,
        description: truncate((email.text ?? '').trim() || '(no text)', LIMITS.caseDescription),
        contact: { email: sender.address, ...(sender.name ? { name: truncate(sender.name, 200) } : {}) },
        ...(language ? { language } : {}),
      },
      { ids: deps.ids, caseNumber, at, config },
    );
    const linkedCaseId = decision.action === 'new' ? decision.linkedCaseId : undefined;
    const c: CaseRecord & EmailCaseFields = {
      ...base,
      ...(unparsable
        ? {
            status: 'needs_review' as const,
            queue: config.reviewQueue,
            reviewReason: `the email could not be parsed (${truncate(parseError ?? '', 200)}); the raw message is attached`,
          }
        : problem
          ? { status: 'needs_review' as const, queue: config.reviewQueue, reviewReason: `the email ${problem}; the raw message is kept` }
          : {}),
      ...(flags.length ? { flags } : {}),
      ...(linkedCaseId ? { linkedCaseId } : {}),
    };
    const actor = { kind: 'customer' as const, id: sender.address };
    const message = await fileMessage(email, raw, rawKey, c.caseId, 'email', unparsable);
    const events = [
      makeEvent(deps.ids, c.caseId, ACTIVITIES.created, at, actor, {
        channel: 'email',
        caseNumber,
        flags,
        threading: reasons,
        acknowledgement: ack,
        ...(linkedCaseId ? { linkedCaseId } : {}),
        verdicts: classification.verdicts,
      }),
    ];
    if (unparsable)
      events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.needsReview, at, SYSTEM, { reason: 'unparsable_email', error: truncate(parseError ?? '', 500) }));
    if (problem) events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.needsReview, at, SYSTEM, { reason: 'unreadable_email', detail: problem }));
    if (!ack.send) events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.acknowledgementSkipped, at, SYSTEM, { reasons: ack.reasons }));
    if (decision.action === 'new' && decision.forgedToken) {
      events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.forgedTokenAttempt, at, actor, { claimedCaseNumber: decision.forgedToken, reasons }));
    }

    const result = await deps.email.createCase({ case: c, messages: [message], events, inbound, pending: ack.send ? ['ack'] : [] });
    if (!result.created) {
      const again = await deps.email.findInbound(inbound);
      const record = again.byHash ?? again.byMessageId;
      if (record) return resumeDuplicate(record, email, inbound, rawKey, config);
      throw new ConflictError(`message ${rawKey} was filed concurrently but its record is missing`);
    }

    // Notes on the other cases involved: the one a forged token named, the one this follows up.
    const side = [];
    if (decision.action === 'new' && decision.forgedToken) {
      const target = await deps.cases.getByNumber(decision.forgedToken);
      if (target)
        side.push(
          makeEvent(deps.ids, target.caseId, ACTIVITIES.forgedTokenAttempt, at, actor, {
            newCaseId: c.caseId,
            newCaseNumber: caseNumber,
            from: sender.address,
          }),
        );
    }
    if (linkedCaseId)
      side.push(makeEvent(deps.ids, linkedCaseId, ACTIVITIES.followUpCaseCreated, at, actor, { newCaseId: c.caseId, newCaseNumber: caseNumber }));
    if (side.length) await deps.email.appendEvents(side);

    await deps.workflow.startCase(c.caseId);
    if (unparsable) {
      await deps.alerts.publish({
        alertId: deps.ids.next(),
        at,
        subject: `Case ${caseNumber} needs manual review: unreadable email`,
        message: `An inbound email could not be parsed (${parseError}). Case ${caseNumber} holds the raw message (${rawKey}).`,
        caseId: c.caseId,
      });
    }
    const acknowledged = ack.send ? await sendAcknowledgement(c, email, inbound, settings) : false;
    await deps.rawMail.mark(rawKey, { status: 'processed', caseId: c.caseId, detail: 'created' });
    return { outcome: 'created', caseId: c.caseId, caseNumber, acknowledged, reasons: [...reasons, ...ack.reasons] };
  };
}
