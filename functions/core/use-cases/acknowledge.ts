import type { CaseMessage, CaseRecord } from '../case.js';
import type { ResolvedEmailSettings } from '../email-ack.js';
import { renderAcknowledgement } from '../email-ack.js';
import type { AnsweredMessage } from '../email-outbound.js';
import { buildOutboundMail, sentMessageIds } from '../email-outbound.js';
import { formatCaseToken } from '../email-threading.js';
import { normaliseAddress } from '../email.js';
import { ACTIVITIES, SYSTEM, makeEvent } from '../events.js';
import type { Clock, IdGenerator } from '../ports/clock.js';
import type { EmailStore, ThreadingKeySource } from '../ports/email-intake.js';
import type { StatusLinks } from '../ports/links.js';
import type { Mailer } from '../ports/mail.js';
import type { RateLimiter } from '../ports/submissions.js';
import { signStatusToken, statusLinkExpiry, statusPageUrl } from '../status-link.js';

/** The acknowledgement as filed on the case (the email fields threading reads, as on an inbound email message). */
interface AckMessage extends CaseMessage {
  kind: 'acknowledgement';
  to: string[];
  cc: string[];
  emailMessageId: string;
  inReplyTo?: string[];
  references: string[];
  providerMessageIds?: string[];
  rawRef?: string;
}

export interface AcknowledgeDeps {
  email: Pick<EmailStore, 'recordOutbound' | 'appendEvents'>;
  mailer: Mailer;
  threadingKeys: ThreadingKeySource;
  rateLimiter: RateLimiter;
  clock: Clock;
  ids: IdGenerator;
  /** The customer's status page; without it the acknowledgement carries no link. */
  statusLinks?: StatusLinks;
}

/** A status-page link for a case, good for STATUS_LINK_TTL_DAYS from now; undefined without a status page. */
export async function statusLinkFor(statusLinks: StatusLinks | undefined, caseId: string, now: Date): Promise<string | undefined> {
  if (!statusLinks) return undefined;
  return statusPageUrl(statusLinks.pageBase, signStatusToken(caseId, statusLinkExpiry(now), await statusLinks.keys.keys()));
}

/**
 * The acknowledgement of a new case, for email and web-form cases alike (the caller has decided it
 * is due: decideAcknowledgement, decideWebAcknowledgement): the sender's hourly limit first (loop
 * protection: `maxPerSenderPerHour`), then the template in the case's language with the case token
 * and the status-page link, made by the one outbound-mail builder (threaded to the customer's
 * message when there is one, marked auto-replied), sent, and recorded with every id it is known by.
 * Returns whether it went out; a limit reached is an event on the case.
 */
export function makeAcknowledge(deps: AcknowledgeDeps) {
  return async function acknowledge(c: CaseRecord, settings: ResolvedEmailSettings, answering: AnsweredMessage = { references: [] }): Promise<boolean> {
    const at = deps.clock.now();
    const recipient = c.contact.email;
    const limit = await deps.rateLimiter.hit('email-ack', recipient, settings.acknowledgement.maxPerSenderPerHour, 3600, at);
    if (!limit.allowed) {
      await deps.email.appendEvents([
        makeEvent(deps.ids, c.caseId, ACTIVITIES.acknowledgementSkipped, at.toISOString(), SYSTEM, {
          reasons: [`${recipient} already had ${settings.acknowledgement.maxPerSenderPerHour} acknowledgement(s) this hour (loop protection)`],
        }),
      ]);
      return false;
    }
    const [key] = await deps.threadingKeys.keys();
    if (!key) throw new Error('no threading key is configured');
    const statusLink = await statusLinkFor(deps.statusLinks, c.caseId, at);
    const content = renderAcknowledgement(settings, {
      caseNumber: c.caseNumber,
      subject: c.subject,
      ...(c.contact.name ? { name: c.contact.name } : {}),
      email: recipient,
      token: formatCaseToken(c.caseNumber, key),
      ...(c.language ? { language: c.language } : {}),
      ...(statusLink ? { statusLink } : {}),
    });
    const mail = buildOutboundMail({
      kind: 'acknowledgement',
      case: c,
      id: deps.ids.next(),
      from: { address: settings.fromAddress, name: settings.fromName },
      to: [{ address: recipient, ...(c.contact.name ? { name: c.contact.name } : {}) }],
      subject: content.subject,
      text: content.text,
      answering,
      date: at,
    });
    const sent = await deps.mailer.send(mail);
    const message: AckMessage = {
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
      ...(mail.inReplyTo ? { inReplyTo: [mail.inReplyTo] } : {}),
      references: mail.references,
      ...(sent.providerMessageIds.length ? { providerMessageIds: sent.providerMessageIds } : {}),
      ...(sent.ref ? { rawRef: sent.ref } : {}),
    };
    const event = makeEvent(deps.ids, c.caseId, ACTIVITIES.acknowledgementSent, at.toISOString(), SYSTEM, {
      to: recipient,
      language: content.language,
      messageId: sent.messageId,
      providerMessageIds: sent.providerMessageIds,
      ...(statusLink ? { statusLink: true } : {}),
    });
    await deps.email.recordOutbound({ caseId: c.caseId, message, events: [event], messageIds: sentMessageIds(mail, sent, c.caseId) });
    return true;
  };
}
