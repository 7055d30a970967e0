import type { Principal } from '../authz.js';
import { actorOf, assertCanWorkCase } from '../authz.js';
import type { Attachment, CaseMessage, CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';
import { findAgent } from '../config.js';
import { emailSettingsOf } from '../email-ack.js';
import { buildOutboundMail, sentMessageIds } from '../email-outbound.js';
import { findSubjectTokens, formatCaseToken, stripReplyPrefixes } from '../email-threading.js';
import { isDeliverableAddress, normaliseAddress } from '../email.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { FieldIssue } from '../errors.js';
import { ACTIVITIES, makeEvent } from '../events.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { EmailStore, RawMailStore, ThreadingKeySource } from '../ports/email-intake.js';
import type { FileUploads } from '../ports/links.js';
import type { Mailer } from '../ports/mail.js';
import type { CaseRepository } from '../ports/repositories.js';
import type { WorkflowStarter } from '../ports/workflow.js';
import { assertVersion } from '../versions.js';
import { assertOpen, loadCaseWithHistory } from './load-case.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import { firstResponseChange, slaAfterChange, watchSla } from './sla-clock.js';
import { MAX_REPLY_TOTAL_BYTES, MAX_UPLOAD_BYTES, isUploadOf } from './uploads.js';

/**
 * An agent answers the customer by email, made by the one outbound-mail builder
 * (functions/core/email-outbound.ts) and sent through the Mailer port (SES v2 in AWS, the outbox
 * locally): the signed case token in the subject, In-Reply-To and References pointing at the
 * customer's last message and at the case's own thread id, and every id the message is known by
 * (ours, and the one SES assigns) recorded so the customer's answer finds the case
 * (functions/core/email-threading.ts).
 *
 * The first reply moves an offer the owner has not accepted yet (`assigned`) to `in_progress`, and
 * completes the SLA clock's first-response milestone.
 */

export interface ReplyDeps {
  cases: CaseRepository;
  configs: ConfigSource;
  email: Pick<EmailStore, 'recordOutbound' | 'getContact'>;
  mailer: Mailer;
  threadingKeys: ThreadingKeySource;
  clock: Clock;
  ids: IdGenerator;
  /** Sender when the configuration names none (EMAIL_FROM_ADDRESS in AWS). */
  defaultFromAddress?: string;
  /** Starts a new generation of the case's workflow when a change moves an SLA deadline earlier (sla-clock.ts). */
  workflow?: WorkflowStarter;
  /** Where a reply's files are kept, beside the mail (the raw-mail bucket's `parts/`, the data directory locally). */
  files?: Pick<RawMailStore, 'putPart'>;
  /** Files uploaded for a reply (POST /cases/{id}/uploads), read when the reply names them. */
  uploads?: Pick<FileUploads, 'read'>;
}

/** A file an agent attaches to a reply. */
export interface ReplyFile {
  name: string;
  contentType: string;
  content: Uint8Array;
}

export interface NewReply {
  text: string;
  /** Default: `Re: <the case's subject>`. The case token is always appended. */
  subject?: string;
  /** Copies, up to MAX_CC: real addresses, never ours. */
  cc?: string[];
  /** Files, sent as MIME parts and kept on the case (downloadable like inbound attachments). */
  attachments?: ReplyFile[];
  /** Files uploaded beforehand (POST /cases/{id}/uploads), by key, with the name each is sent as. */
  uploads?: { key: string; name: string }[];
  expectedVersion?: number;
}

/** The most copies a reply may name. */
export const MAX_CC = 10;
/** A reply's files: at most this many, and this many bytes together (a Lambda payload is 6 MB, base64 takes a third more). */
export const MAX_REPLY_FILES = 10;
export const MAX_REPLY_FILE_BYTES = 4 * 1024 * 1024;

/** A file name as it is kept: no path, no control characters, not hidden, at most 150 characters. */
export function safeFileName(name: string): string {
  return (
    name
      .normalize('NFC')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a file name must not carry
      .replace(/[\u0000-\u001f\u007f/\\]+/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 150) || 'file'
  );
}

/** The copies of a reply, checked: real addresses, each once, not the customer's own, never one of ours (a loop). */
export function checkCc(cc: readonly string[], recipient: string, ourAddresses: readonly string[]): string[] {
  const issues: FieldIssue[] = [];
  const kept: string[] = [];
  cc.forEach((raw, i) => {
    const address = normaliseAddress(raw);
    if (!isDeliverableAddress(address)) issues.push({ field: `cc.${i}`, message: 'must be an email address' });
    else if (ourAddresses.includes(address)) issues.push({ field: `cc.${i}`, message: 'is one of our own addresses (the mail would come back to us)' });
    else if (address !== recipient && !kept.includes(address)) kept.push(address);
  });
  if (cc.length > MAX_CC) issues.push({ field: 'cc', message: `at most ${MAX_CC} addresses` });
  if (issues.length) throw new ValidationError(issues);
  return kept;
}

/** An outbound reply as stored on the case: a CaseMessage with the email fields threading reads. */
export interface ReplyMessage extends CaseMessage {
  kind: 'reply';
  /** The agent who wrote it. */
  author: string;
  to: string[];
  cc: string[];
  emailMessageId: string;
  inReplyTo?: string[];
  references: string[];
  providerMessageIds?: string[];
  rawRef?: string;
}

/** What an inbound email message item carries that threading needs (functions/core/use-cases/receive-email.ts). */
interface ThreadedMessage extends CaseMessage {
  emailMessageId?: string;
  references?: string[];
}

const MAX_SUBJECT = 250;
const UPDATE_ATTEMPTS = 4;

/** The subject of a reply: the given one or `Re: <case subject>`, without any token, then ours. */
export function replySubject(caseSubject: string, given: string | undefined, token: string): string {
  let base = given?.trim() ? given.trim() : `Re: ${stripReplyPrefixes(caseSubject) || caseSubject || '(no subject)'}`;
  for (const t of findSubjectTokens(base)) base = base.replace(t.text, ' ');
  base = base.replace(/\s+/g, ' ').trim();
  return `${base.slice(0, MAX_SUBJECT)} ${token}`;
}

export function makeReplyToCustomer(deps: ReplyDeps) {
  /** The uploaded files a reply names: each a key of this case's uploads that holds a file within the limit. */
  async function readUploads(caseId: string, uploads: readonly { key: string; name: string }[]): Promise<ReplyFile[]> {
    if (uploads.length === 0) return [];
    const foreign: FieldIssue[] = uploads.flatMap((u, i) =>
      isUploadOf(caseId, u.key) ? [] : [{ field: `uploads.${i}.key`, message: 'is not an upload of this case' }],
    );
    if (foreign.length) throw new ValidationError(foreign);
    if (!deps.uploads) throw new Error('no file store is configured for uploads');
    const read = await Promise.all(uploads.map((u) => deps.uploads!.read(u.key)));
    const issues: FieldIssue[] = [];
    read.forEach((r, i) => {
      if (!r) issues.push({ field: `uploads.${i}.key`, message: "holds no file: upload it first (POST /cases/{id}/uploads), within the link's five minutes" });
      else if (r.content.byteLength > MAX_UPLOAD_BYTES)
        issues.push({ field: `uploads.${i}.key`, message: `is more than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` });
    });
    if (issues.length) throw new ValidationError(issues);
    return uploads.map((u, i) => ({ name: u.name, contentType: read[i]!.contentType, content: read[i]!.content }));
  }

  return async function replyToCustomer(p: Principal, caseId: string, reply: NewReply): Promise<{ case: CaseRecord; message: ReplyMessage }> {
    const found = await loadCaseWithHistory(deps.cases, caseId);
    const c = found.case;
    assertCanWorkCase(p, c, 'reply to the customer on this case');
    assertVersion(c, reply.expectedVersion);
    assertOpen(c, 'reply');
    const recipient = c.contact.email ? normaliseAddress(c.contact.email) : '';
    if (!isDeliverableAddress(recipient)) {
      throw new ConflictError(`case ${c.caseNumber} has no email address to reply to${c.contact.phone ? ` (call ${c.contact.phone} back)` : ''}`);
    }
    const contact = await deps.email.getContact(recipient);
    if (contact?.suppressed) {
      throw new ConflictError(`${recipient} no longer takes our mail (${contact.suppressed.reason}, ${contact.suppressed.at}): reach the customer another way`);
    }

    const config = await loadConfig(deps.configs);
    const settings = emailSettingsOf(config, deps.defaultFromAddress);
    const cc = checkCc(reply.cc ?? [], recipient, settings.ourAddresses);
    const inline = reply.attachments ?? [];
    const uploads = reply.uploads ?? [];
    if (inline.length + uploads.length > MAX_REPLY_FILES) {
      throw new ValidationError([
        { field: uploads.length ? 'uploads' : 'attachments', message: `at most ${MAX_REPLY_FILES} files, inline and uploaded together` },
      ]);
    }
    if (inline.reduce((sum, f) => sum + f.content.byteLength, 0) > MAX_REPLY_FILE_BYTES) {
      throw new ValidationError([
        { field: 'attachments', message: `at most ${MAX_REPLY_FILE_BYTES / 1024 / 1024} MB in total inline: upload larger files (POST /cases/{id}/uploads)` },
      ]);
    }
    const files = [...inline, ...(await readUploads(c.caseId, uploads))];
    if (files.reduce((sum, f) => sum + f.content.byteLength, 0) > MAX_REPLY_TOTAL_BYTES) {
      throw new ValidationError([{ field: 'uploads', message: `the reply's files come to more than ${MAX_REPLY_TOTAL_BYTES / 1024 / 1024} MB together` }]);
    }
    if (files.length > 0 && !deps.files) throw new Error('no file store is configured for reply attachments');
    const [key] = await deps.threadingKeys.keys();
    if (!key) throw new Error('no threading key is configured');
    const now = deps.clock.now();
    const at = now.toISOString();
    const subject = replySubject(c.subject, reply.subject, formatCaseToken(c.caseNumber, key));

    // Answer the customer's latest email when there is one; a web or phone case starts the thread.
    const parent = [...found.messages]
      .reverse()
      .find((m): m is ThreadedMessage => m.direction === 'inbound' && typeof (m as ThreadedMessage).emailMessageId === 'string');
    const agent = findAgent(config, p.agentId);
    const messageId = deps.ids.next();
    // The files are kept first, so the message recorded after sending can name them (a failed send leaves only unreferenced files).
    const attachments: Attachment[] = await Promise.all(
      files.map(async (f, i) => {
        const name = safeFileName(f.name);
        const ref = await deps.files!.putPart(`outbound/${c.caseId}/${messageId}`, `${String(i + 1).padStart(2, '0')}-${name}`, f.content, f.contentType);
        return { name, contentType: f.contentType, size: f.content.byteLength, ref };
      }),
    );
    const mail = buildOutboundMail({
      kind: 'reply',
      case: c,
      id: deps.ids.next(),
      from: { address: settings.fromAddress, name: agent ? `${agent.name} (${settings.fromName})` : settings.fromName },
      to: [{ address: recipient, ...(c.contact.name ? { name: c.contact.name } : {}) }],
      ...(cc.length ? { cc: cc.map((address) => ({ address })) } : {}),
      replyTo: { address: settings.fromAddress, name: settings.fromName },
      subject,
      text: reply.text,
      ...(files.length ? { attachments: files.map((f, i) => ({ filename: attachments[i]!.name, contentType: f.contentType, content: f.content })) } : {}),
      ...(parent?.emailMessageId ? { answering: { messageId: parent.emailMessageId, references: parent.references ?? [] } } : {}),
      date: now,
    });
    const sent = await deps.mailer.send(mail);

    // From here the mail is out: it is recorded whatever happens to the case meanwhile.
    const message: ReplyMessage = {
      messageId,
      caseId: c.caseId,
      direction: 'outbound',
      channel: 'email',
      kind: 'reply',
      author: p.agentId,
      from: normaliseAddress(settings.fromAddress),
      to: [recipient],
      cc,
      subject,
      text: reply.text,
      at,
      attachments,
      emailMessageId: sent.messageId,
      ...(mail.inReplyTo ? { inReplyTo: [mail.inReplyTo] } : {}),
      references: mail.references,
      ...(sent.providerMessageIds.length ? { providerMessageIds: sent.providerMessageIds } : {}),
      ...(sent.ref ? { rawRef: sent.ref } : {}),
    };
    await deps.email.recordOutbound({
      caseId: c.caseId,
      message,
      events: [
        makeEvent(deps.ids, c.caseId, ACTIVITIES.replySent, at, actorOf(p), {
          messageId: message.messageId,
          to: recipient,
          ...(cc.length ? { cc } : {}),
          ...(attachments.length ? { attachments: attachments.map((a) => a.name) } : {}),
          subject,
          emailMessageId: sent.messageId,
          providerMessageIds: sent.providerMessageIds,
          inReplyTo: mail.inReplyTo ?? null,
        }),
      ],
      messageIds: sentMessageIds(mail, sent, c.caseId),
    });

    // The case: an offer becomes work in progress, and the first-response milestone completes. The
    // version moves on every reply, so the case's ETag changes with its history.
    let current = c;
    for (let attempt = 1; ; attempt++) {
      const accepting = current.status === 'assigned';
      const moved: CaseRecord = { ...current, ...(accepting ? { status: 'in_progress', due: undefined } : {}), updatedAt: at };
      // The SLA engineer's hooks (sla-clock.ts), folded into this write: the clock follows the status
      // change, then the first-response milestone completes (a no-op after the first reply).
      const accepted = accepting
        ? [makeEvent(deps.ids, c.caseId, ACTIVITIES.accepted, at, actorOf(p), { from: 'assigned', to: 'in_progress', via: 'first reply' })]
        : [];
      const sla = slaAfterChange(current, moved, config, at, deps.ids, actorOf(p), accepted);
      const first = firstResponseChange(sla.case, config, at, deps.ids, actorOf(p), message.messageId);
      const events: CaseEvent[] = [...sla.events, ...(first?.events ?? [])];
      try {
        const written = await deps.cases.update(first?.case ?? sla.case, current.version, events);
        await watchSla(deps.workflow, c.caseId, sla.watch);
        return { case: written, message };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= UPDATE_ATTEMPTS) throw error;
        const fresh = await deps.cases.get(c.caseId);
        if (!fresh) throw error;
        current = fresh;
      }
    }
  };
}
