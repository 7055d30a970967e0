import type { CaseMessage, CaseRecord, CaseStatus } from '../case.js';
import { CLOSED_STATUSES } from '../case.js';
import { durationMs } from '../duration.js';
import { emailSettingsOf } from '../email-ack.js';
import { ConflictError, NotFoundError, RateLimitedError } from '../errors.js';
import { ACTIVITIES, makeEvent } from '../events.js';
import { decideResumeOnCustomerWord } from '../hold.js';
import type { StatusLinks } from '../ports/links.js';
import type { RateLimiter } from '../ports/submissions.js';
import { verifyStatusToken } from '../status-link.js';
import { loadConfig } from './load-config.js';
import type { ReopenDeps } from './reopen-case.js';
import { reopenCase } from './reopen-case.js';
import { resumeHeldCase } from './work-case.js';

/**
 * The customer's status page (docs/console.md#the-customers-status-page): the signed, expiring link
 * from the acknowledgement is the only key. It shows the case's number, subject and status and the
 * conversation (what the customer wrote and what we sent them; never internal notes, events,
 * decisions, owner or queue), and takes a message that joins the case as the customer's, the way an
 * emailed reply does: a closed case reopens within the reopen window, a case on hold resumes (unless
 * the configuration keeps holds: email.resumeHeldCasesOnReply).
 *
 * Whatever is wrong with a link (altered, expired, signed with a dropped key, its case gone), the
 * answer is the same 404, so a link tells nothing but that it does not work.
 */
export interface CustomerStatusDeps extends ReopenDeps {
  rateLimiter: RateLimiter;
  statusLinks: StatusLinks;
  /** Sender name shown for our messages when the configuration names none. */
  defaultFromAddress?: string;
  limits?: { perLink: number; perIp: number; windowSeconds: number };
}

/** How a customer sees where their case is: words without our internals (queues, review, offers). */
export type CustomerCaseStatus = 'received' | 'in_progress' | 'waiting' | 'resolved' | 'closed';

const CUSTOMER_STATUS: Record<CaseStatus, CustomerCaseStatus> = {
  new: 'received',
  queued: 'received',
  needs_review: 'received',
  assigned: 'in_progress',
  in_progress: 'in_progress',
  on_hold: 'waiting',
  resolved: 'resolved',
  closed_unresolved: 'closed',
};

export function customerStatusOf(status: CaseStatus): CustomerCaseStatus {
  return CUSTOMER_STATUS[status];
}

export interface StatusMessage {
  direction: 'inbound' | 'outbound';
  from: string;
  text: string;
  at: string;
  attachments: { name: string; size: number }[];
}

export interface StatusView {
  caseNumber: string;
  subject: string;
  status: CustomerCaseStatus;
  createdAt: string;
  updatedAt: string;
  /** When the link stops working. */
  linkExpiresAt: string;
  messages: StatusMessage[];
}

/** Mail filed on a case that no person wrote (bounces, reports, auto-replies): not the conversation. */
const MACHINE_KINDS = new Set(['bounce', 'report', 'automated']);

export const DEFAULT_STATUS_LIMITS = { perLink: 10, perIp: 30, windowSeconds: 3600 };

const notFound = () => new NotFoundError('this link is not valid or has expired');

export function makeCustomerStatus(deps: CustomerStatusDeps) {
  const limits = deps.limits ?? DEFAULT_STATUS_LIMITS;

  async function open(token: string) {
    const check = verifyStatusToken(token, await deps.statusLinks.keys.keys(), deps.clock.now());
    if (!check.valid) throw notFound();
    const found = await deps.cases.getWithHistory(check.caseId);
    if (!found) throw notFound();
    return { found, expiresAt: check.expiresAt };
  }

  function view(found: { case: CaseRecord; messages: CaseMessage[] }, expiresAt: Date, fromName: string): StatusView {
    const c = found.case;
    const messages = found.messages
      .filter((m) => (m.direction === 'inbound' || m.direction === 'outbound') && !MACHINE_KINDS.has(String((m as { kind?: string }).kind)))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .map((m) => ({
        direction: m.direction as 'inbound' | 'outbound',
        from: m.direction === 'inbound' ? m.from : fromName,
        text: m.text,
        at: m.at,
        attachments: m.attachments.map((a) => ({ name: a.name, size: a.size })),
      }));
    return {
      caseNumber: c.caseNumber,
      subject: c.subject,
      status: customerStatusOf(c.status),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      linkExpiresAt: expiresAt.toISOString(),
      messages,
    };
  }

  async function read(token: string): Promise<StatusView> {
    const { found, expiresAt } = await open(token);
    const settings = emailSettingsOf(await loadConfig(deps.configs), deps.defaultFromAddress);
    return view(found, expiresAt, settings.fromName);
  }

  async function spend(scope: string, key: string, limit: number): Promise<void> {
    const verdict = await deps.rateLimiter.hit(scope, key, limit, limits.windowSeconds, deps.clock.now());
    if (!verdict.allowed) throw new RateLimitedError('too many messages; try again later', verdict.retryAfterSeconds);
  }

  /** The customer's message on the case: a message like an emailed reply's, then a reopen when the case was closed, a resume when it was on hold. */
  async function addMessage(token: string, text: string, meta: { clientIp: string }): Promise<StatusView> {
    let { found, expiresAt } = await open(token);
    await spend('status-link', found.case.caseId, limits.perLink);
    await spend('status-ip', meta.clientIp, limits.perIp);
    const config = await loadConfig(deps.configs);
    const settings = emailSettingsOf(config, deps.defaultFromAddress);
    const closed = CLOSED_STATUSES.includes(found.case.status);
    if (closed) {
      const closedAt =
        [...found.events].reverse().find((e) => e.activity === ACTIVITIES.resolved || e.activity === ACTIVITIES.closedUnresolved)?.at ?? found.case.updatedAt;
      if (deps.clock.now().getTime() - Date.parse(closedAt) > durationMs(settings.reopenWindow)) {
        throw new ConflictError(`case ${found.case.caseNumber} was closed on ${closedAt.slice(0, 10)}: please send us a new request`);
      }
    }
    const at = deps.clock.now().toISOString();
    const actor = { kind: 'customer' as const, id: found.case.contact.email };
    const message: CaseMessage = {
      messageId: deps.ids.next(),
      caseId: found.case.caseId,
      direction: 'inbound',
      channel: 'web',
      from: found.case.contact.email,
      subject: `Re: ${found.case.subject}`,
      text,
      at,
      attachments: [],
    };
    const event = makeEvent(deps.ids, found.case.caseId, ACTIVITIES.messageReceived, at, actor, {
      channel: 'web',
      via: 'status_page',
      messageId: message.messageId,
    });
    // The case's version moves with its history (an agent's open form sees the new message on its next write).
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.cases.addMessage({ ...found.case, updatedAt: at }, found.case.version, message, [event]);
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 4) throw error;
        ({ found, expiresAt } = await open(token));
      }
    }
    if (closed) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const c = await deps.cases.get(found.case.caseId);
        if (!c || !CLOSED_STATUSES.includes(c.status)) break;
        const reopened = await reopenCase(deps, c, { to: 'in_progress', actor, details: { cause: 'customer_message', via: 'status_page' } });
        if (reopened.outcome !== 'changed') break;
      }
    } else {
      const hold = decideResumeOnCustomerWord({ case: found.case, automated: false, resumeHeldCasesOnReply: settings.resumeHeldCasesOnReply });
      if (hold.resumes) await resumeHeldCase(deps, found.case.caseId, actor, { cause: 'customer_message', via: 'status_page', reasons: hold.reasons });
    }
    const fresh = await deps.cases.getWithHistory(found.case.caseId);
    return view(fresh ?? found, expiresAt, settings.fromName);
  }

  return { read, addMessage };
}
