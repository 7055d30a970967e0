import type { Attachment, CaseMessage, CaseRecord } from '../case.js';
import { CLOSED_STATUSES } from '../case.js';
import type { RoutingConfig } from '../config.js';
import { durationMs } from '../duration.js';
import type { ParsedEmail } from '../email.js';
import { contentHash, languageOf, messageIdsIn, normaliseAddress, truncate, unparsedEmail } from '../email.js';
import type { AckDecision, ResolvedEmailSettings } from '../email-ack.js';
import { decideAcknowledgement, emailSettingsOf } from '../email-ack.js';
import type { InboundClassification, MailReport, NewCaseTriage } from '../email-classify.js';
import { automatedReasons, bounceMarks, classifyInbound, flagsOf, reportReasons, routeInbound, senderOf, triageNewCase } from '../email-classify.js';
import type { CaseSummary, ThreadDecision } from '../email-threading.js';
import {
  caseSummaryOf,
  decideJoin,
  decideThread,
  findSubjectTokens,
  quotedSubjectTokens,
  referenceHits,
  referencedIds,
  reportedHit,
  reusedMessageIdDecision,
  stripReplyPrefixes,
  verifyToken,
} from '../email-threading.js';
import { ConflictError } from '../errors.js';
import { decideResumeOnCustomerWord } from '../hold.js';
import { ACTIVITIES, SYSTEM, makeEvent, type CaseEvent, type MessageReceivedDetails } from '../events.js';
import { newCase } from '../intake.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { EmailStore, InboundKeys, InboundRecord, MimeParser, RawMailStore, ThreadingKeySource } from '../ports/email-intake.js';
import type { StatusLinks } from '../ports/links.js';
import type { Mailer } from '../ports/mail.js';
import type { AlertPublisher } from '../ports/notifications.js';
import type { AgentStateRepository, AssignmentStore, CaseRepository } from '../ports/repositories.js';
import type { RateLimiter } from '../ports/submissions.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { makeAcknowledge } from './acknowledge.js';
import type { RouteCase } from './route-case.js';
import { reopenCase } from './reopen-case.js';
import { resumeHeldCase } from './work-case.js';

/**
 * Email-to-case: one raw message in the raw-mail store ▶ a new case, a message on an existing case
 * (reply, resume of a case on hold, reopen), a bounce filed on the case whose mail bounced, or a
 * rejection. Every decision is a pure function (email-classify, email-threading, email-ack,
 * email-outbound, hold) whose reasons are stored on the case; this use case only loads, writes and
 * sends, as an orchestrator of named steps (docs/email.md#how-intake-is-built).
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
  /** The customer's status page, linked from the acknowledgement (functions/core/status-link.ts). */
  statusLinks?: StatusLinks;
}

export type ReceiveEmailOutcome = 'created' | 'joined' | 'resumed' | 'reopened' | 'duplicate' | 'bounce' | 'report' | 'rejected' | 'missing';

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

/** A raw message loaded and read: what every step works from. */
interface Received {
  rawKey: string;
  raw: Uint8Array;
  /** The parsed message, or a stand-in (unparsedEmail) when the MIME library gave up. */
  email: ParsedEmail;
  unparsable: boolean;
  /** Why the MIME library gave up. */
  parseError?: string;
  /** The dedupe keys this delivery writes. */
  inbound: InboundKeys;
  /** The record that already holds this Message-ID, with other content. */
  reusedId?: InboundRecord;
  classification: InboundClassification;
  config: RoutingConfig;
  settings: ResolvedEmailSettings;
}

/** A message already filed, delivered again: what finishing its pending steps needs. */
interface Redelivery {
  record: InboundRecord;
  /** The dedupe keys the first delivery wrote (they remember its pending steps). */
  keys: InboundKeys;
  email: ParsedEmail;
  rawKey: string;
  settings: ResolvedEmailSettings;
}

type Loaded = { kind: 'missing' } | { kind: 'redelivery'; redelivery: Redelivery } | { kind: 'received'; received: Received };

type JoinDecision = Extract<ThreadDecision, { action: 'join' }>;
type NewCaseDecision = Extract<ThreadDecision, { action: 'new' }>;

export function makeReceiveEmail(deps: ReceiveEmailDeps) {
  const now = () => deps.clock.now();
  const acknowledge = makeAcknowledge(deps);

  /**
   * The orchestrator: load the message, then one step: finish a redelivery, reject it, file a report,
   * join the case it belongs to, or create a case. Each step writes what it decided and marks the raw message.
   */
  async function receiveEmail(rawKey: string): Promise<ReceiveEmailResult> {
    const loaded = await load(rawKey);
    if (loaded.kind === 'missing') return { outcome: 'missing', acknowledged: false, reasons: [`no raw message at ${rawKey}`] };
    if (loaded.kind === 'redelivery') return resume(loaded.redelivery);
    const m = loaded.received;
    const route = routeInbound(m.classification);
    if (route.step === 'reject') return reject(m, route.reasons);
    if (route.step === 'report') return fileReport(m, route.report);
    const decision = await threadOf(m);
    if (decision.action === 'join') {
      const c = await deps.cases.get(decision.caseId);
      if (c) return joinCase(m, c, decision);
      // The case it names is gone: the message starts a new one, with the reasons it would have joined.
      return createCase(m, { action: 'new', reasons: decision.reasons });
    }
    return createCase(m, decision);
  }

  /** Reads, parses and classifies the raw message; finds the record of an earlier delivery of it. */
  async function load(rawKey: string): Promise<Loaded> {
    const raw = await deps.rawMail.get(rawKey);
    if (!raw) return { kind: 'missing' };
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
    if (found.byHash) {
      const keys = { hash, ...(found.byHash.messageId ? { messageId: found.byHash.messageId } : {}) };
      return { kind: 'redelivery', redelivery: { record: found.byHash, keys, email, rawKey, settings } };
    }
    // A Message-ID filed with other content is not written again: this message is keyed by its hash only.
    const reusedId = found.byMessageId;
    const inbound: InboundKeys = { hash, ...(email.messageId && !reusedId ? { messageId: email.messageId } : {}) };
    const classification = classifyInbound(email, settings.ourAddresses);
    return {
      kind: 'received',
      received: {
        rawKey,
        raw,
        email,
        unparsable,
        ...(parseError !== undefined ? { parseError } : {}),
        inbound,
        ...(reusedId ? { reusedId } : {}),
        classification,
        config,
        settings,
      },
    };
  }

  /** A virus: no case, a mail-log record and an admin alert; the raw message stays, marked rejected. */
  async function reject(m: Received, reasons: string[]): Promise<ReceiveEmailResult> {
    const at = now().toISOString();
    await deps.email.logMail({
      at,
      kind: 'rejected',
      rawKey: m.rawKey,
      ...(m.email.from ? { from: m.email.from.address } : {}),
      subject: truncate(m.email.subject, 300),
      reasons,
    });
    await deps.alerts.publish({
      alertId: deps.ids.next(),
      at,
      subject: 'Inbound email rejected: virus',
      message: `A message from ${m.email.from?.address ?? 'an unknown sender'} ("${truncate(m.email.subject, 120)}") carried a virus and was rejected. It is kept, marked rejected, at ${m.rawKey}.`,
    });
    await deps.rawMail.mark(m.rawKey, { status: 'rejected', detail: 'virus' });
    return { outcome: 'rejected', acknowledged: false, reasons };
  }

  /**
   * A bounce, read receipt or complaint: filed on the case of the mail it reports on (else in the
   * mail log), and the addresses it names marked on their contact records (bounceMarks).
   */
  async function fileReport(m: Received, report: MailReport): Promise<ReceiveEmailResult> {
    const at = now().toISOString();
    const reasons = reportReasons(report);
    const outcome = report.kind === 'bounce' ? 'bounce' : 'report';
    const hit = await reportedMessage(m.email, report);
    const c = hit ? await deps.cases.get(hit.caseId) : undefined;
    let caseId: string | undefined;
    if (hit && c) {
      const message = await fileMessage(m, c.caseId, outcome);
      const activity = report.kind === 'bounce' ? ACTIVITIES.emailBounced : ACTIVITIES.mailReportReceived;
      const details = {
        kind: report.kind,
        format: report.format,
        permanent: report.permanent,
        recipients: report.recipients,
        originalMessageId: hit.messageId,
        reasons,
      };
      const events = [makeEvent(deps.ids, c.caseId, activity, at, SYSTEM, details)];
      const written = await deps.email.appendMessage({ caseId: c.caseId, message, events, inbound: m.inbound, pending: [] });
      // Another delivery of this report filed it first: the addresses are marked all the same.
      caseId = written.appended ? c.caseId : written.existingCaseId;
    } else {
      await deps.email.logMail({
        at,
        kind: outcome,
        rawKey: m.rawKey,
        ...(m.email.from ? { from: m.email.from.address } : {}),
        subject: truncate(m.email.subject, 300),
        reasons: [...reasons, 'no case of ours matches the original message'],
      });
    }
    for (const mark of bounceMarks(report, c?.contact.email)) {
      await deps.email.recordBounce(mark.address, { at, permanent: mark.permanent, reason: mark.reason, ...(caseId ? { caseId } : {}) });
    }
    await deps.rawMail.mark(m.rawKey, { status: 'processed', ...(caseId ? { caseId } : {}), detail: outcome });
    return { outcome, ...(caseId ? { caseId } : {}), ...(c && caseId ? { caseNumber: c.caseNumber } : {}), acknowledged: false, reasons };
  }

  /** The mail a report is about: by the Message-IDs it quotes, else by a valid case token in a quoted subject. */
  async function reportedMessage(email: ParsedEmail, report: MailReport): Promise<{ caseId: string; messageId: string } | undefined> {
    const hits = report.originalMessageIds.length ? await deps.email.findByMessageIds(report.originalMessageIds.slice(0, 20)) : [];
    const hit = reportedHit(hits);
    if (hit) return hit;
    const tokens = quotedSubjectTokens(email);
    if (tokens.length === 0) return undefined;
    const keys = await deps.threadingKeys.keys();
    for (const t of tokens) {
      if (!verifyToken(t, keys)) continue;
      const c = await deps.cases.getByNumber(t.caseNumber);
      if (c) return { caseId: c.caseId, messageId: `subject token ${t.text}` };
    }
    return undefined;
  }

  /** Which case the message belongs to: the ids and tokens it carries are looked up, decideThread decides. */
  async function threadOf(m: Received): Promise<ThreadDecision> {
    if (m.reusedId) return reusedMessageIdDecision(m.reusedId.caseId, m.email.messageId);
    const keys = await deps.threadingKeys.keys();
    const ids = referencedIds(m.email);
    const hits = referenceHits(m.email, ids.length ? await deps.email.findByMessageIds(ids) : []);
    const tokens = await Promise.all(
      findSubjectTokens(m.email.subject)
        .slice(0, 3)
        .map(async (t) => {
          const valid = verifyToken(t, keys);
          const c = valid ? await deps.cases.getByNumber(t.caseNumber) : undefined;
          return { ...t, valid, ...(c ? { caseId: c.caseId } : {}) };
        }),
    );
    const caseIds = [...hits.map((h) => h.caseId), ...tokens.flatMap((t) => (t.caseId ? [t.caseId] : []))];
    const cases: Record<string, CaseSummary> = {};
    for (const caseId of [...new Set(caseIds)].slice(0, 5)) {
      const found = await deps.cases.getWithHistory(caseId);
      if (found) cases[caseId] = caseSummaryOf({ ...found, messages: found.messages as EmailMessage[] }, m.settings.ourAddresses);
    }
    const sender = senderOf(m.email).address;
    return decideThread({ sender, hits, tokens, cases, now: now(), reopenWindowMs: durationMs(m.settings.reopenWindow) });
  }

  /**
   * A message that belongs to an existing case is filed on it. A person writing on a closed case
   * reopens it (within the window), on a case on hold resumes it (unless the configuration keeps
   * holds: email.resumeHeldCasesOnReply); automated mail is filed for the record and leaves the case as it is.
   */
  async function joinCase(m: Received, c: CaseRecord, decision: JoinDecision): Promise<ReceiveEmailResult> {
    const at = now().toISOString();
    const sender = senderOf(m.email);
    const filing = decideJoin(decision, automatedReasons(m.classification), c);
    const hold = decideResumeOnCustomerWord({ case: c, automated: filing.automated, resumeHeldCasesOnReply: m.settings.resumeHeldCasesOnReply });
    const reasons = [...filing.reasons, ...hold.reasons];
    const message = await fileMessage(m, c.caseId, filing.automated ? 'automated' : 'email');
    const details: MessageReceivedDetails = {
      channel: 'email',
      from: sender.address,
      subject: truncate(m.email.subject, 300),
      flags: flagsOf(m.classification, m.unparsable),
      reasons,
    };
    const event = filing.automated
      ? makeEvent(deps.ids, c.caseId, ACTIVITIES.automatedMailReceived, at, SYSTEM, details)
      : makeEvent(deps.ids, c.caseId, ACTIVITIES.messageReceived, at, { kind: 'customer', id: sender.address }, details);
    const written = await deps.email.appendMessage({
      caseId: c.caseId,
      message,
      events: [event],
      inbound: m.inbound,
      pending: filing.reopens ? ['reopen'] : hold.resumes ? ['resume'] : [],
    });
    if (!written.appended) return afterLostRace(m);
    let outcome: ReceiveEmailOutcome = 'joined';
    if (filing.reopens) {
      await reopen(c.caseId, decision.reasons);
      await deps.email.completeStep(m.inbound, 'reopen');
      outcome = 'reopened';
    } else if (hold.resumes) {
      // An agent who changed the case meanwhile (resumed or resolved it) wins: only a case still on hold resumes.
      const resumed = await resumeHeld(c.caseId, sender.address, hold.reasons);
      await deps.email.completeStep(m.inbound, 'resume');
      if (resumed) outcome = 'resumed';
    }
    await deps.rawMail.mark(m.rawKey, { status: 'processed', caseId: c.caseId, detail: outcome });
    return { outcome, caseId: c.caseId, caseNumber: c.caseNumber, acknowledged: false, reasons };
  }

  /**
   * A new case, its first message and the dedupe records in one write; then the notes on the other
   * cases involved, the workflow, and the acknowledgement when one is due.
   */
  async function createCase(m: Received, decision: NewCaseDecision): Promise<ReceiveEmailResult> {
    const at = now().toISOString();
    const sender = senderOf(m.email);
    const triage = triageNewCase(m.email, m.classification, {
      unparsable: m.unparsable,
      ...(m.parseError !== undefined ? { parseError: m.parseError } : {}),
      ...(decision.forgedToken ? { forgedToken: decision.forgedToken } : {}),
    });
    const ack = await acknowledgementOf(m, sender.address, triage);
    const c = await newEmailCase(m, sender, decision, triage, at);
    const actor = { kind: 'customer' as const, id: sender.address };
    const message = await fileMessage(m, c.caseId, 'email');
    const events: CaseEvent[] = [
      makeEvent(deps.ids, c.caseId, ACTIVITIES.created, at, actor, {
        channel: 'email',
        caseNumber: c.caseNumber,
        flags: triage.flags,
        threading: decision.reasons,
        acknowledgement: ack,
        ...(decision.linkedCaseId ? { linkedCaseId: decision.linkedCaseId } : {}),
        verdicts: m.classification.verdicts,
      }),
    ];
    if (m.unparsable)
      events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.needsReview, at, SYSTEM, { reason: 'unparsable_email', error: truncate(m.parseError ?? '', 500) }));
    if (triage.contentProblem)
      events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.needsReview, at, SYSTEM, { reason: 'unreadable_email', detail: triage.contentProblem }));
    if (!ack.send) events.push(makeEvent(deps.ids, c.caseId, ACTIVITIES.acknowledgementSkipped, at, SYSTEM, { reasons: ack.reasons }));
    if (decision.forgedToken) {
      events.push(
        makeEvent(deps.ids, c.caseId, ACTIVITIES.forgedTokenAttempt, at, actor, { claimedCaseNumber: decision.forgedToken, reasons: decision.reasons }),
      );
    }

    const result = await deps.email.createCase({ case: c, messages: [message], events, inbound: m.inbound, pending: ack.send ? ['ack'] : [] });
    if (!result.created) return afterLostRace(m);

    await noteOtherCases(c, decision, actor, at);
    await deps.workflow.startCase(c.caseId);
    if (m.unparsable) {
      await deps.alerts.publish({
        alertId: deps.ids.next(),
        at,
        subject: `Case ${c.caseNumber} needs manual review: unreadable email`,
        message: `An inbound email could not be parsed (${m.parseError}). Case ${c.caseNumber} holds the raw message (${m.rawKey}).`,
        caseId: c.caseId,
      });
    }
    const acknowledged = ack.send ? await sendAcknowledgement(c, m.email, m.inbound, m.settings) : false;
    await deps.rawMail.mark(m.rawKey, { status: 'processed', caseId: c.caseId, detail: 'created' });
    return { outcome: 'created', caseId: c.caseId, caseNumber: c.caseNumber, acknowledged, reasons: [...decision.reasons, ...ack.reasons] };
  }

  /** Whether the first message of a new case is acknowledged (decideAcknowledgement), with the sender's contact record. */
  async function acknowledgementOf(m: Received, recipient: string, triage: NewCaseTriage): Promise<AckDecision> {
    const suppressed = (await deps.email.getContact(recipient))?.suppressed;
    return decideAcknowledgement({
      newCase: true,
      enabled: m.settings.acknowledgement.enabled,
      recipient,
      classification: m.classification,
      unparsable: m.unparsable,
      ...(triage.contentProblem ? { contentProblem: triage.contentProblem } : {}),
      ...(suppressed ? { suppressed: { reason: suppressed.reason } } : {}),
    });
  }

  /** The case record of a new email case: numbered, its subject without reply prefixes, in review when triage says so. */
  async function newEmailCase(
    m: Received,
    sender: { address: string; name?: string },
    decision: NewCaseDecision,
    triage: NewCaseTriage,
    at: string,
  ): Promise<CaseRecord & EmailCaseFields> {
    const { email, config } = m;
    const caseNumber = await deps.cases.allocateCaseNumber();
    const language = languageOf(email);
    const base = newCase(
      {
        channel: 'email',
        subject: truncate(stripReplyPrefixes(email.subject) || email.subject.trim() || '(no subject)', LIMITS.caseSubject),
        description: truncate((email.text ?? '').trim() || '(no text)', LIMITS.caseDescription),
        contact: { email: sender.address, ...(sender.name ? { name: truncate(sender.name, 200) } : {}) },
        ...(language ? { language } : {}),
      },
      { ids: deps.ids, caseNumber, at, config },
    );
    return {
      ...base,
      ...(triage.reviewReason ? { status: 'needs_review' as const, queue: config.reviewQueue, reviewReason: triage.reviewReason } : {}),
      ...(triage.flags.length ? { flags: triage.flags } : {}),
      ...(decision.linkedCaseId ? { linkedCaseId: decision.linkedCaseId } : {}),
    };
  }

  /** Notes on the other cases a new one involves: the one a forged token named, the one it follows up. */
  async function noteOtherCases(c: CaseRecord, decision: NewCaseDecision, actor: { kind: 'customer'; id: string }, at: string): Promise<void> {
    const side = [];
    if (decision.forgedToken) {
      const target = await deps.cases.getByNumber(decision.forgedToken);
      if (target)
        side.push(
          makeEvent(deps.ids, target.caseId, ACTIVITIES.forgedTokenAttempt, at, actor, { newCaseId: c.caseId, newCaseNumber: c.caseNumber, from: actor.id }),
        );
    }
    if (decision.linkedCaseId)
      side.push(makeEvent(deps.ids, decision.linkedCaseId, ACTIVITIES.followUpCaseCreated, at, actor, { newCaseId: c.caseId, newCaseNumber: c.caseNumber }));
    if (side.length) await deps.email.appendEvents(side);
  }

  /**
   * Another delivery of the same message won the conditional write (Lambda retries and SES
   * redeliveries run concurrently): this one finishes what that one left pending, as a redelivery does.
   */
  async function afterLostRace(m: Received): Promise<ReceiveEmailResult> {
    const again = await deps.email.findInbound(m.inbound);
    const record = again.byHash ?? again.byMessageId;
    if (!record) throw new ConflictError(`message ${m.rawKey} was filed concurrently but its record is missing`);
    return resume({ record, keys: m.inbound, email: m.email, rawKey: m.rawKey, settings: m.settings });
  }

  /** A second delivery of a message already filed: finish what the first one left pending. */
  async function resume(r: Redelivery): Promise<ReceiveEmailResult> {
    const c = await deps.cases.get(r.record.caseId);
    let acknowledged = false;
    if (c) {
      // The first delivery may have died between writing the case and starting its workflow.
      if (c.status === 'new') await deps.workflow.startCase(c.caseId);
      if (r.record.pending.includes('ack')) acknowledged = await sendAcknowledgement(c, r.email, r.keys, r.settings);
      if (r.record.pending.includes('reopen')) {
        await reopen(c.caseId, ['finishing the reopen of an earlier delivery']);
        await deps.email.completeStep(r.keys, 'reopen');
      }
      if (r.record.pending.includes('resume')) {
        await resumeHeld(c.caseId, c.contact.email, ['finishing the resume of an earlier delivery']);
        await deps.email.completeStep(r.keys, 'resume');
      }
    }
    await deps.rawMail.mark(r.rawKey, { status: 'duplicate', caseId: r.record.caseId });
    const filed = r.record.messageId ? `Message-ID <${r.record.messageId}>` : `content ${r.record.hash.slice(0, 12)}`;
    return {
      outcome: 'duplicate',
      caseId: r.record.caseId,
      ...(c ? { caseNumber: c.caseNumber } : {}),
      acknowledged,
      reasons: [`already filed on case ${c?.caseNumber ?? r.record.caseId} (${filed})`],
    };
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
   * The customer answered a case on hold: it resumes with its owner through the status change an
   * agent's resume makes (resumeHeldCase: hold dropped, SLA clock resumed), once; a case no longer
   * on hold is left as it is. Resolves to whether this call resumed it.
   */
  async function resumeHeld(caseId: string, customer: string, reasons: string[]): Promise<boolean> {
    const resumed = await resumeHeldCase(deps, caseId, { kind: 'customer', id: customer }, { cause: 'customer_reply', via: 'email', reasons });
    return resumed.outcome === 'resumed';
  }

  /**
   * The acknowledgement of a new case, made by the outbound-mail builder (threaded to the customer's
   * message and the case, marked auto-replied), once the sender's hourly limit allows it. Recorded
   * with every id it is known by; the pending `ack` step is done either way.
   */
  async function sendAcknowledgement(c: CaseRecord, email: ParsedEmail, inbound: InboundKeys, settings: ResolvedEmailSettings): Promise<boolean> {
    const sent = await acknowledge(c, settings, { ...(email.messageId ? { messageId: email.messageId } : {}), references: messageIdsIn(email.references) });
    await deps.email.completeStep(inbound, 'ack');
    return sent;
  }

  /** The message item: attachments and long bodies go beside the raw message, the item keeps previews and references. */
  async function fileMessage(m: Received, caseId: string, kind: EmailMessageFields['kind']): Promise<EmailMessage> {
    const { email, raw, rawKey, unparsable } = m;
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

  return receiveEmail;
}
