import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WebhookUrlSource } from './slack-webhook.js';

/**
 * The one Slack secret (docs/slack.md#the-slack-secret): JSON with named fields, each filled in when
 * its mode is used,
 *
 *     {"webhookUrl": "https://hooks.slack.com/…", "botToken": "xoxb-…", "signingSecret": "…", "previousSigningSecret": "…"}
 *
 * the incoming-webhook URL for announcing swarms without an app, the Slack app's bot token (Web API
 * calls) and signing secret (to verify that requests come from Slack), and while a regenerated
 * signing secret takes over the one it replaced. In AWS it is one Secrets Manager secret, read on
 * first use and cached, each reader taking the fields it needs; locally the fields are options of
 * the local stack. A field that is missing or malformed makes what needs it "not set up", with a
 * reason that names the field; the other mode keeps working.
 */
export interface SlackAppSecrets {
  botToken: string;
  /** The current signing secret first, then one it replaced that is still accepted. */
  signingSecrets: string[];
}

type Outcome<T> = { value: T; reason?: undefined } | { value?: undefined; reason: string };

export interface SlackSecretSource {
  /** The credentials, or why there are none (not configured, not filled in yet). */
  get(): Promise<{ secrets: SlackAppSecrets; reason?: undefined } | { secrets?: undefined; reason: string }>;
}

/** What the secret holds for each mode: the app's credentials and the webhook URL, each or why not. */
export interface ParsedSlackSecret {
  app: Outcome<SlackAppSecrets>;
  webhookUrl: Outcome<string>;
}

/** How long fetched credentials are trusted before Secrets Manager is asked again (a changed secret shows within this). */
const CACHE_MS = 5 * 60 * 1000;

const BOT_TOKEN = /^xoxb-[A-Za-z0-9-]{10,}$/;

/** The fields, as the secret names them (docs/slack.md#the-slack-secret). */
export const SLACK_SECRET_FIELDS = ['webhookUrl', 'botToken', 'signingSecret', 'previousSigningSecret'] as const;
type Field = (typeof SLACK_SECRET_FIELDS)[number];

const SHAPE = '{"webhookUrl": "https://hooks.slack.com/…", "botToken": "xoxb-…", "signingSecret": "…"}';

/**
 * Reads the secret's JSON. Not JSON, or not an object: neither mode is set up, and the reason says
 * what to store. A field of the wrong type or form, or missing: the mode that needs it is not set up,
 * and the reason names the field. A placeholder (the stack's: a random signing secret, an empty bot
 * token) reads as "the app is not set up yet".
 */
export function parseSlackSecret(value: string): ParsedSlackSecret {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    const reason = `the Slack secret is not JSON: store ${SHAPE} (docs/slack.md#the-slack-secret)`;
    return { app: { reason }, webhookUrl: { reason } };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const reason = `the Slack secret is not a JSON object: store ${SHAPE} (docs/slack.md#the-slack-secret)`;
    return { app: { reason }, webhookUrl: { reason } };
  }
  const fields = parsed as Record<string, unknown>;
  /** The field's text (trimmed; '' when absent), or why it cannot be used. */
  const text = (field: Field): Outcome<string> => {
    const v = fields[field];
    if (v === undefined || v === null) return { value: '' };
    if (typeof v !== 'string') return { reason: `the Slack secret's "${field}" is not a string (docs/slack.md#the-slack-secret)` };
    return { value: v.trim() };
  };
  return { app: appOf(text), webhookUrl: webhookOf(text) };
}

function appOf(text: (field: Field) => Outcome<string>): Outcome<SlackAppSecrets> {
  const botToken = text('botToken');
  const signing = text('signingSecret');
  const previous = text('previousSigningSecret');
  for (const f of [botToken, signing, previous]) if (f.reason !== undefined) return { reason: f.reason };
  if (!botToken.value) return { reason: 'the Slack secret has no "botToken" (xoxb-…) yet: the Slack app is not set up (docs/slack.md#the-slack-secret)' };
  if (!BOT_TOKEN.test(botToken.value)) return { reason: 'the Slack secret\'s "botToken" is not a bot token (xoxb-…) (docs/slack.md#the-slack-secret)' };
  if (!signing.value) return { reason: 'the Slack secret has no "signingSecret" yet: the Slack app is not set up (docs/slack.md#the-slack-secret)' };
  return { value: { botToken: botToken.value, signingSecrets: previous.value ? [signing.value, previous.value] : [signing.value] } };
}

function webhookOf(text: (field: Field) => Outcome<string>): Outcome<string> {
  const url = text('webhookUrl');
  if (url.reason !== undefined) return url;
  if (!url.value) return { reason: 'the Slack secret has no "webhookUrl" yet: swarms are not announced by webhook (docs/slack.md#the-slack-secret)' };
  if (!isHttpsUrl(url.value)) return { reason: 'the Slack secret\'s "webhookUrl" is not an https URL (docs/slack.md#the-slack-secret)' };
  return url;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

const appSource = (read: () => Promise<ParsedSlackSecret>): SlackSecretSource => ({
  async get() {
    const { app } = await read();
    return app.reason === undefined ? { secrets: app.value } : { reason: app.reason };
  },
});

const webhookSource = (read: () => Promise<ParsedSlackSecret>): WebhookUrlSource => ({
  async url() {
    const { webhookUrl } = await read();
    return webhookUrl.reason === undefined ? { url: webhookUrl.value } : { reason: webhookUrl.reason };
  },
});

export function staticSlackSecrets(options: { botToken?: string; signingSecret?: string }): SlackSecretSource {
  const value =
    options.botToken && options.signingSecret
      ? { secrets: { botToken: options.botToken, signingSecrets: [options.signingSecret] } }
      : { reason: 'the Slack app is not configured (local stack: --slack-bot-token and --slack-signing-secret)' };
  return { get: async () => value };
}

/**
 * The secret in Secrets Manager, read once for both readers (the app's credentials, the webhook URL)
 * and cached for CACHE_MS; concurrent first reads share one call.
 */
export function makeSecretsManagerSlackSecret(
  client: SecretsManagerClient,
  secretId: string,
  now: () => number = Date.now,
): { app: SlackSecretSource; webhookUrl: WebhookUrlSource; read(): Promise<ParsedSlackSecret> } {
  let cached: { value: ParsedSlackSecret; at: number } | undefined;
  let inFlight: Promise<ParsedSlackSecret> | undefined;
  const read = async (): Promise<ParsedSlackSecret> => {
    if (cached && now() - cached.at < CACHE_MS) return cached.value;
    inFlight ??= client
      .send(new GetSecretValueCommand({ SecretId: secretId }))
      .then((res) => {
        const value = parseSlackSecret(res.SecretString ?? '');
        cached = { value, at: now() };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  return { app: appSource(read), webhookUrl: webhookSource(read), read };
}
