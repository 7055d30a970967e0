import type { SwarmAnnouncement, SwarmNotifier } from '../core/ports/swarm.js';

/**
 * Swarm announcements to Slack through an incoming webhook (https://api.slack.com/messaging/webhooks):
 * one POST of a JSON message with Block Kit blocks (the case, the experts and why, a link) and a
 * plain `text` fallback for notifications. The webhook URL is a credential (anyone holding it can
 * post to the channel): in AWS it is the `webhookUrl` field of the one Slack secret
 * (functions/adapters/slack-secrets.ts), read on first use and cached; locally it comes from an
 * option of the local stack.
 */

export interface WebhookUrlSource {
  /** The webhook URL, or undefined with why when none is configured. */
  url(): Promise<{ url: string; reason?: undefined } | { url?: undefined; reason: string }>;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/** Slack's limits: header 150 characters, section text 3,000, a field 2,000, ten fields. */
const LIMITS = { header: 150, section: 3000, field: 2000 } as const;

export function staticWebhookUrl(url: string | undefined): WebhookUrlSource {
  return {
    url: async () => (url ? { url } : { reason: 'no Slack webhook URL is configured (local stack: --slack-webhook-url or CASEFLOW_SLACK_WEBHOOK_URL)' }),
  };
}

/** Slack mrkdwn treats &, < and > as control characters. */
const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** The message for a swarm: summary, experts with their reasons, and a button to the case. */
export function slackSwarmMessage(a: SwarmAnnouncement): SlackMessage {
  const fields = [
    ['Priority', a.priority],
    ['Status', a.status],
    ['Owner', a.owner ? `${a.owner.name} (${a.owner.agentId})` : 'nobody yet'],
    ...(a.product ? [['Product', a.product]] : []),
    ...(a.customer ? [['Customer', a.customer]] : []),
  ].map(([label, value]) => ({ type: 'mrkdwn', text: cut(`*${label}*\n${escapeText(value!)}`, LIMITS.field) }));
  const experts = a.experts
    .map((e, i) => `${i + 1}. *${escapeText(e.name)}* (${escapeText(e.agentId)}), score ${e.score}: ${escapeText(e.reasons.slice(0, 4).join('; '))}`)
    .join('\n');
  return {
    text: cut(`Swarm on case ${a.caseNumber}: ${a.subject} (priority ${a.priority}). Experts: ${a.experts.map((e) => e.name).join(', ')}`, LIMITS.section),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(`Swarm: case ${a.caseNumber}`, LIMITS.header), emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: cut(`*<${a.link}|${escapeText(a.subject)}>*${a.note ? `\n>${escapeText(a.note)}` : ''}`, LIMITS.section) },
        fields,
      },
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: cut(`*Experts invited*\n${experts}`, LIMITS.section) } },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: cut(`Open case ${a.caseNumber}`, 75) }, url: a.link, action_id: 'open_case' }],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: cut(`Started by ${escapeText(a.startedBy)} in caseflow`, LIMITS.field) }] },
    ],
  };
}

export interface SlackNotifierOptions {
  webhookUrl: WebhookUrlSource;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function makeSlackSwarmNotifier(options: SlackNotifierOptions): SwarmNotifier {
  const send = options.fetch ?? fetch;
  return {
    async announce(announcement) {
      const target = await options.webhookUrl.url();
      if (target.url === undefined) return { sent: false, reason: target.reason };
      const res = await send(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(slackSwarmMessage(announcement)),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      if (!res.ok) {
        // Slack answers errors in plain text (`invalid_payload`, `no_service`); the URL itself is never logged.
        const body = (await res.text().catch(() => '')).slice(0, 100);
        throw new Error(`Slack answered ${res.status}${body ? ` (${body})` : ''}`);
      }
      return { sent: true };
    },
  };
}
