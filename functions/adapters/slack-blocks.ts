import type { SwarmSummary } from '../core/ports/swarm.js';
import type { FormSpec, SwarmButton, SwarmForm } from '../core/use-cases/slack-interactions.js';
import { SWARM_BUTTONS, SWARM_FORMS } from '../core/use-cases/slack-interactions.js';

/**
 * What caseflow shows in Slack, in Block Kit (docs.slack.dev/block-kit): the swarm's case summary
 * with its buttons, the forms (modals) the buttons open, and the `/case` card. Pure: the Slack app
 * adapter sends them, the Slack handler reads the answers back by the ids named here.
 */

/** Slack's limits: header 150 characters, section text 3,000, a field 2,000, a button 75, a modal title 24. */
const LIMITS = { header: 150, section: 3000, field: 2000, button: 75, title: 24, input: 3000 } as const;

/** Slack mrkdwn treats &, < and > as control characters. */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** action_id of each swarm button (`value` carries the case id). */
export const BUTTON_ACTION_PREFIX = 'swarm_';
export const buttonActionId = (button: SwarmButton) => `${BUTTON_ACTION_PREFIX}${button}`;
export function buttonOf(actionId: string): SwarmButton | undefined {
  if (!actionId.startsWith(BUTTON_ACTION_PREFIX)) return undefined;
  const name = actionId.slice(BUTTON_ACTION_PREFIX.length);
  return (SWARM_BUTTONS as readonly string[]).includes(name) ? (name as SwarmButton) : undefined;
}
/** The URL button to the case: Slack reports its clicks too; they need nothing but an acknowledgement. */
export const OPEN_CASE_ACTION = 'open_case';

/** callback_id of every form; private_metadata says which form and which case. */
export const FORM_CALLBACK_ID = 'swarm_form';
/** block_id of the inputs (the action_id inside is always `value`). */
export const FORM_BLOCKS = { text: 'text', comment: 'comment' } as const;
export const INPUT_ACTION_ID = 'value';

export function formMetadata(spec: Pick<FormSpec, 'form' | 'caseId'>): string {
  return JSON.stringify({ form: spec.form, caseId: spec.caseId });
}

export function parseFormMetadata(value: unknown): { form: SwarmForm; caseId: string } | undefined {
  if (typeof value !== 'string' || value.length > 3000) return undefined;
  try {
    const parsed = JSON.parse(value) as { form?: unknown; caseId?: unknown };
    if (typeof parsed.form !== 'string' || !(SWARM_FORMS as readonly string[]).includes(parsed.form)) return undefined;
    if (typeof parsed.caseId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(parsed.caseId)) return undefined;
    return { form: parsed.form as SwarmForm, caseId: parsed.caseId };
  } catch {
    return undefined;
  }
}

const plain = (text: string, max: number = LIMITS.section) => ({ type: 'plain_text', text: cut(text, max), emoji: true });
const mrkdwn = (text: string, max: number = LIMITS.section) => ({ type: 'mrkdwn', text: cut(text, max) });

const STATUS_WORDS: Record<string, string> = {
  new: 'New',
  queued: 'Queued',
  assigned: 'Assigned',
  in_progress: 'In progress',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed_unresolved: 'Closed unresolved',
  needs_review: 'Needs review',
};
export const statusWord = (status: string) => STATUS_WORDS[status] ?? status;

function caseFields(s: SwarmSummary) {
  return [
    ['Priority', s.priority],
    ['Status', statusWord(s.status)],
    ['Owner', s.owner ? s.owner.name : 'nobody yet'],
    ...(s.product ? [['Product', s.product]] : []),
    ...(s.customer ? [['Customer', s.customer]] : []),
  ].map(([label, value]) => mrkdwn(`*${label}*\n${escapeMrkdwn(value!)}`, LIMITS.field));
}

const skillsText = (s: SwarmSummary) => s.skills.map((k) => `${escapeMrkdwn(k.skill)}${k.minLevel > 1 ? ` ≥${k.minLevel}` : ''}`).join(', ');

/** The fallback text of a summary (notifications, screen readers). */
export function summaryText(s: SwarmSummary): string {
  return cut(`Swarm on case ${s.caseNumber}: ${s.subject} (priority ${s.priority}, ${statusWord(s.status).toLowerCase()})`, LIMITS.section);
}

/**
 * The swarm's case summary: what the case is, what the experts are asked, who is in the swarm, and
 * while it is open the buttons (join, leave, note, reply, resolve, close) and a link to the case.
 */
export function summaryBlocks(s: SwarmSummary, extra: { experts?: string } = {}): Record<string, unknown>[] {
  const button = (b: SwarmButton, text: string, style?: 'primary' | 'danger') => ({
    type: 'button',
    action_id: buttonActionId(b),
    text: plain(text, LIMITS.button),
    value: s.caseId,
    ...(style ? { style } : {}),
  });
  return [
    { type: 'header', text: plain(`Swarm: case ${s.caseNumber}`, LIMITS.header) },
    { type: 'section', text: mrkdwn(`*<${s.link}|${escapeMrkdwn(s.subject)}>*`), fields: caseFields(s) },
    ...(s.question ? [{ type: 'section', text: mrkdwn(`*The question*\n>${escapeMrkdwn(s.question).replace(/\n/g, '\n>')}`) }] : []),
    ...(s.skills.length > 0 ? [{ type: 'section', text: mrkdwn(`*Skills wanted:* ${skillsText(s)}`) }] : []),
    ...(extra.experts ? [{ type: 'section', text: mrkdwn(`*Experts invited*\n${extra.experts}`) }] : []),
    {
      type: 'section',
      text: mrkdwn(`*In the swarm:* ${s.members.length > 0 ? s.members.map((m) => escapeMrkdwn(m.name)).join(', ') : 'nobody yet'}`),
    },
    ...(s.open
      ? [
          {
            type: 'actions',
            block_id: 'swarm_actions',
            elements: [
              button('join', 'Join'),
              button('leave', 'Leave'),
              button('note', 'Add a note'),
              button('reply', 'Reply to the customer'),
              button('resolve', 'Resolve', 'primary'),
              button('close', 'Close unresolved', 'danger'),
              { type: 'button', action_id: OPEN_CASE_ACTION, text: plain(`Open case ${s.caseNumber}`, LIMITS.button), url: s.link },
            ],
          },
        ]
      : []),
    {
      type: 'context',
      elements: [
        mrkdwn(
          s.open
            ? 'Messages in this conversation are added to the case as internal notes.'
            : `The swarm is closed${s.closedReason ? ` (${escapeMrkdwn(s.closedReason)})` : ''}: nothing here reaches the case any more.`,
          LIMITS.field,
        ),
      ],
    },
  ];
}

/** `/case 00001234`: the case, shown only to whoever asked. */
export function caseCardBlocks(s: SwarmSummary): Record<string, unknown>[] {
  return [
    { type: 'section', text: mrkdwn(`*Case ${s.caseNumber}: <${s.link}|${escapeMrkdwn(s.subject)}>*`), fields: caseFields(s) },
    ...(s.members.length > 0 || s.open
      ? [
          {
            type: 'context',
            elements: [mrkdwn(s.open ? `Swarm open: ${s.members.map((m) => escapeMrkdwn(m.name)).join(', ') || 'nobody yet'}` : 'No open swarm', LIMITS.field)],
          },
        ]
      : []),
  ];
}

const FORM_TEXT: Record<SwarmForm, { title: string; submit: string; label: string; hint: string }> = {
  note: { title: 'Add a note', submit: 'Add', label: 'Internal note', hint: 'Only agents see notes; the customer never does.' },
  reply: { title: 'Reply to the customer', submit: 'Send', label: 'Your reply', hint: 'Sent by email from the support address, in the case’s thread.' },
  resolve: { title: 'Resolve the case', submit: 'Resolve', label: 'Comment (optional)', hint: 'The swarm closes with the case.' },
  close: { title: 'Close unresolved', submit: 'Close', label: 'Why it is closed unresolved', hint: 'A comment is required; the swarm closes with the case.' },
};

/** The modal a button opens (views.open): one input, the case named, the case id in private_metadata. */
export function formView(spec: FormSpec): Record<string, unknown> {
  const t = FORM_TEXT[spec.form];
  const withText = spec.form === 'note' || spec.form === 'reply';
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    private_metadata: formMetadata(spec),
    title: plain(t.title, LIMITS.title),
    submit: plain(t.submit, LIMITS.title),
    close: plain('Cancel', LIMITS.title),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `*Case ${spec.caseNumber}:* ${escapeMrkdwn(spec.subject)}${spec.form === 'reply' && spec.customer ? `\nTo ${escapeMrkdwn(spec.customer)}` : ''}`,
        ),
      },
      {
        type: 'input',
        block_id: withText ? FORM_BLOCKS.text : FORM_BLOCKS.comment,
        optional: spec.form === 'resolve',
        label: plain(t.label, 2000),
        hint: plain(t.hint, 2000),
        element: { type: 'plain_text_input', action_id: INPUT_ACTION_ID, multiline: true, max_length: LIMITS.input },
      },
    ],
  };
}

/** The value of a form's input, from a view_submission's `view.state.values`. */
export function formValue(values: unknown, block: keyof typeof FORM_BLOCKS): string | undefined {
  const v = (values as Record<string, Record<string, { value?: unknown }>> | undefined)?.[FORM_BLOCKS[block]]?.[INPUT_ACTION_ID]?.value;
  return typeof v === 'string' ? v : undefined;
}
