import type { Principal } from '../authz.js';
import { assertCanAddNote, assertCanReadCase, assertCanWorkCase, canReadCase } from '../authz.js';
import type { CaseMessage, CaseRecord, CaseStatus } from '../case.js';
import { formatCaseNumber } from '../case.js';
import type { RoutingConfig } from '../config.js';
import {
  ConfigurationMissingError,
  ConflictError,
  ForbiddenError,
  InvalidTransitionError,
  NotFoundError,
  PreconditionFailedError,
  StoreUnavailableError,
  ValidationError,
} from '../errors.js';
import type { CaseRepository } from '../ports/repositories.js';
import type { SwarmConversations, SwarmNotifier, SwarmSummary } from '../ports/swarm.js';
import { swarmSummary } from '../swarm-summary.js';
import type { NewNote } from './case-updates.js';
import { assertOpen, loadCase } from './load-case.js';
import { loadConfig, type ConfigSource } from './load-config.js';
import type { StatusChange } from './work-case.js';

/**
 * Slack, both ways: what a person does in Slack becomes the same use case the agent API calls,
 * as that person's agent (docs/slack.md#from-slack). The Slack handler verifies and parses the
 * request; this decides what it means and answers with an outcome the handler turns into Slack's
 * answer. A Slack user is an agent when the email of their Slack account is an agent's email in
 * the configuration; their roles are the configuration's. Nobody else changes anything: they get a
 * polite refusal.
 */

/** The buttons on a swarm's summary message (their `value` is the case id). */
export const SWARM_BUTTONS = ['join', 'leave', 'note', 'reply', 'resolve', 'close'] as const;
export type SwarmButton = (typeof SWARM_BUTTONS)[number];

/** The forms (Slack modals) the buttons open. */
export const SWARM_FORMS = ['note', 'reply', 'resolve', 'close'] as const;
export type SwarmForm = (typeof SWARM_FORMS)[number];

/** What the Slack handler hands over: a verified request, parsed. */
export type SlackInbound =
  /** A message in a channel or thread the app is in (Events API `message`). */
  | { kind: 'message'; user: string; channel: string; ts: string; threadTs?: string; text: string }
  /** A click on a swarm button (`block_actions`). */
  | { kind: 'button'; button: SwarmButton; caseId: string; user: string; triggerId: string }
  /** A form sent (`view_submission`). */
  | { kind: 'form'; form: SwarmForm; caseId: string; user: string; text?: string; comment?: string }
  /** `/case <number>`. */
  | { kind: 'command'; user: string; text: string };

/** What the handler answers (or whispers to the user). */
export type SlackOutcome =
  /** Done; nothing to show beyond what the conversation now shows. */
  | { kind: 'done'; what: string }
  /** Not for us (a message outside any swarm, from a bot, an edit): acknowledged, nothing changes. */
  | { kind: 'ignored'; why: string }
  /** Shown only to the user who acted: why nothing changed. */
  | { kind: 'refused'; text: string }
  /** A form stays open with these messages under its fields. */
  | { kind: 'form-errors'; errors: Partial<Record<'text' | 'comment', string>> }
  /** A form was opened. */
  | { kind: 'form-opened'; form: SwarmForm }
  /** `/case`: the summary, shown only to the user. */
  | { kind: 'case'; summary: SwarmSummary };

/** What a form shows about its case. */
export interface FormSpec {
  form: SwarmForm;
  caseId: string;
  caseNumber: string;
  subject: string;
  customer?: string;
}

/** What the core needs of the Slack workspace beyond the swarm's conversation. */
export interface SlackWorkspace {
  /** The email of a Slack user's account (users.info), undefined for bots, deleted users and unknown ids. */
  emailOf(userId: string): Promise<string | undefined>;
  /**
   * Opens a form for the user whose click gave `triggerId` (views.open, within Slack's three
   * seconds). Slack refuses a trigger that has expired or was used (`expired_trigger_id`,
   * `exchanged_trigger_id`): that is `{ opened: false }` with Slack's reason, not an error.
   */
  openForm(triggerId: string, form: FormSpec): Promise<FormOpened>;
}

export type FormOpened = { opened: true } | { opened: false; reason: string };

export interface SlackInteractionDeps {
  cases: Pick<CaseRepository, 'get' | 'getByNumber'>;
  configs: ConfigSource;
  workspace: SlackWorkspace;
  conversations: SwarmConversations;
  notifier: SwarmNotifier;
  caseLink: (c: CaseRecord) => string;
  /** The agent API's use cases, called as the Slack user's agent. */
  addNote: (p: Principal, caseId: string, note: NewNote) => Promise<{ case: CaseRecord; message: CaseMessage }>;
  replyToCustomer: (p: Principal, caseId: string, reply: { text: string }) => Promise<{ case: CaseRecord }>;
  changeStatus: (p: Principal, caseId: string, change: StatusChange) => Promise<CaseRecord>;
  joinSwarm: (p: Principal, caseId: string, options: { via: string }) => Promise<unknown>;
  leaveSwarm: (p: Principal, caseId: string, options: { via: string }) => Promise<unknown>;
}

/** The reply every Slack user who is not an agent gets, whatever they tried. */
export const NOT_AN_AGENT =
  "Sorry, I can't do that for you: your Slack account's email is not an agent's in caseflow, so nothing was changed. An admin can add you to the configuration's agents with that email.";

/** The text of a note as Slack sends it: its control characters unescaped (docs.slack.dev formatting). */
export function slackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Errors whose message a caller may see (the 4xx and 503 of the API's error table). */
function tellable(error: unknown): error is Error {
  return [
    ValidationError,
    ForbiddenError,
    NotFoundError,
    ConflictError,
    InvalidTransitionError,
    PreconditionFailedError,
    ConfigurationMissingError,
    StoreUnavailableError,
  ].some((k) => error instanceof k);
}

/** `00001234`, `1234` or `#1234` ▶ `00001234`; undefined when it is no case number. */
export function parseCaseNumber(text: string): string | undefined {
  const m = /^#?0*(\d{1,12})$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? formatCaseNumber(n) : undefined;
}

const STATUS_OF: Record<'resolve' | 'close', CaseStatus> = { resolve: 'resolved', close: 'closed_unresolved' };

export function makeSlackInteractions(deps: SlackInteractionDeps) {
  /** The agent a Slack user is, by their account's email, with the configuration's roles. */
  async function agentOf(slackUser: string, config: RoutingConfig): Promise<Principal | undefined> {
    const email = (await deps.workspace.emailOf(slackUser))?.trim().toLowerCase();
    if (!email) return undefined;
    const agent = config.agents.find((a) => a.email.trim().toLowerCase() === email);
    return agent ? { agentId: agent.id, roles: [...agent.roles] } : undefined;
  }

  const load = (caseId: string): Promise<CaseRecord> => loadCase(deps.cases, caseId);

  /** A line in the swarm's conversation and its summary brought up to date; a chat that fails never undoes the action. */
  async function tell(c: CaseRecord, config: RoutingConfig, line: string): Promise<void> {
    if (!c.swarm?.chat || !deps.notifier.update) return;
    await deps.notifier.update({ conversation: c.swarm.chat, summary: swarmSummary(c, config, deps.caseLink(c)), line }).catch(() => undefined);
  }

  const nameOf = (config: RoutingConfig, agentId: string) => config.agents.find((a) => a.id === agentId)?.name ?? agentId;
  const quote = (text: string) =>
    text
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');

  async function onMessage(m: Extract<SlackInbound, { kind: 'message' }>, config: RoutingConfig): Promise<SlackOutcome> {
    // A message in a swarm's own channel, or in the thread of a swarm in a shared channel.
    const link = (m.threadTs ? await deps.conversations.find(m.channel, m.threadTs) : undefined) ?? (await deps.conversations.find(m.channel));
    if (!link) return { kind: 'ignored', why: 'not in a swarm conversation' };
    const text = slackText(m.text).trim();
    if (!text) return { kind: 'ignored', why: 'no text' };
    const p = await agentOf(m.user, config);
    if (!p) return { kind: 'refused', text: NOT_AN_AGENT };
    const { case: noted } = await deps.addNote(p, link.caseId, { text, source: { kind: 'slack', channel: m.channel, ts: m.ts } });
    return { kind: 'done', what: `note on case ${noted.caseNumber}` };
  }

  async function onButton(b: Extract<SlackInbound, { kind: 'button' }>, config: RoutingConfig, p: Principal): Promise<SlackOutcome> {
    if (b.button === 'join') {
      await deps.joinSwarm(p, b.caseId, { via: 'slack' });
      return { kind: 'done', what: 'joined' };
    }
    if (b.button === 'leave') {
      await deps.leaveSwarm(p, b.caseId, { via: 'slack' });
      return { kind: 'done', what: 'left' };
    }
    // Authorised now, as the use case will again when the form comes back: nobody types a reply
    // only to learn they may not send it.
    const c = await load(b.caseId);
    if (b.button === 'note') assertCanAddNote(p, c, config);
    else {
      assertCanWorkCase(p, c, b.button === 'reply' ? 'reply to the customer on this case' : `${b.button} this case`);
      assertOpen(c, b.button === 'reply' ? 'reply' : b.button);
    }
    const opened = await deps.workspace.openForm(b.triggerId, {
      form: b.button,
      caseId: c.caseId,
      caseNumber: c.caseNumber,
      subject: c.subject,
      ...(c.contact.name || c.contact.email ? { customer: c.contact.name ? `${c.contact.name} <${c.contact.email}>` : c.contact.email } : {}),
    });
    // A click answered too late (a cold start) or twice: the person clicks again and gets a fresh trigger.
    if (!opened.opened) return { kind: 'refused', text: `Slack would not open the form (${opened.reason}): please click the button again.` };
    return { kind: 'form-opened', form: b.button };
  }

  async function onForm(f: Extract<SlackInbound, { kind: 'form' }>, config: RoutingConfig, p: Principal): Promise<SlackOutcome> {
    const text = f.text?.trim() ?? '';
    const comment = f.comment?.trim() ?? '';
    if ((f.form === 'note' || f.form === 'reply') && !text) return { kind: 'form-errors', errors: { text: 'Write something first.' } };
    if (f.form === 'note') {
      const { case: c } = await deps.addNote(p, f.caseId, { text, source: { kind: 'slack' } });
      await tell(c, config, `${nameOf(config, p.agentId)} added a note:\n${quote(text)}`);
      return { kind: 'done', what: 'note' };
    }
    if (f.form === 'reply') {
      const { case: c } = await deps.replyToCustomer(p, f.caseId, { text });
      await tell(c, config, `${nameOf(config, p.agentId)} replied to the customer:\n${quote(text)}`);
      return { kind: 'done', what: 'reply' };
    }
    // Resolve or close: the status machine's rules and required comments apply; closing the case
    // closes the swarm, and its conversation hears it (work-case.ts).
    try {
      await deps.changeStatus(p, f.caseId, { status: STATUS_OF[f.form], ...(comment ? { comment } : {}) });
    } catch (error) {
      if (error instanceof ValidationError) {
        const issue = error.issues.find((i) => i.field === 'comment');
        if (issue) return { kind: 'form-errors', errors: { comment: `A comment ${issue.message}.` } };
      }
      throw error;
    }
    return { kind: 'done', what: STATUS_OF[f.form] };
  }

  async function onCommand(cmd: Extract<SlackInbound, { kind: 'command' }>, config: RoutingConfig, p: Principal): Promise<SlackOutcome> {
    const number = parseCaseNumber(cmd.text);
    if (!number) return { kind: 'refused', text: 'Usage: `/case 00001234`: the case number, and only that.' };
    const c = await deps.cases.getByNumber(number);
    // A case the agent may not read looks exactly like one that does not exist.
    if (!c || !canReadCase(p, c, config)) return { kind: 'refused', text: `There is no case ${number} that you may read.` };
    assertCanReadCase(p, c, config);
    return { kind: 'case', summary: swarmSummary(c, config, deps.caseLink(c)) };
  }

  return {
    agentOf,

    /**
     * Handles one verified, parsed Slack request. Errors the API would answer with a 4xx come back
     * as a refusal (or as form errors), with the same message; anything else is thrown.
     */
    async handle(inbound: SlackInbound): Promise<SlackOutcome> {
      const config = await loadConfig(deps.configs);
      try {
        if (inbound.kind === 'message') return await onMessage(inbound, config);
        const p = await agentOf(inbound.user, config);
        if (!p) return { kind: 'refused', text: NOT_AN_AGENT };
        if (inbound.kind === 'button') return await onButton(inbound, config, p);
        if (inbound.kind === 'form') return await onForm(inbound, config, p);
        return await onCommand(inbound, config, p);
      } catch (error) {
        if (!tellable(error)) throw error;
        const text = error instanceof ValidationError ? error.issues.map((i) => `${i.field} ${i.message}`).join('; ') : error.message || 'That did not work.';
        if (inbound.kind === 'form')
          return { kind: 'form-errors', errors: { [inbound.form === 'resolve' || inbound.form === 'close' ? 'comment' : 'text']: text } };
        return { kind: 'refused', text };
      }
    },
  };
}
