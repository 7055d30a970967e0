import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The Slack app's two credentials: the bot token (`xoxb-…`, for Web API calls) and the signing
 * secret (to verify that requests come from Slack). In AWS both live in one Secrets Manager secret,
 * as JSON `{"botToken": "xoxb-…", "signingSecret": "…"}` (and, while a regenerated signing secret
 * takes over, `"previousSigningSecret"`), read on first use and cached; locally they are options of
 * the local stack. docs/slack.md#setting-up-the-slack-app says how to fill them in.
 */
export interface SlackAppSecrets {
  botToken: string;
  /** The current signing secret first, then one it replaced that is still accepted. */
  signingSecrets: string[];
}

export interface SlackSecretSource {
  /** The credentials, or why there are none (not configured, not filled in yet). */
  get(): Promise<{ secrets: SlackAppSecrets; reason?: undefined } | { secrets?: undefined; reason: string }>;
}

/** How long fetched credentials are trusted before Secrets Manager is asked again (a changed secret shows within this). */
const CACHE_MS = 5 * 60 * 1000;

const BOT_TOKEN = /^xoxb-[A-Za-z0-9-]{10,}$/;

/** Parses the secret's JSON; a placeholder or a half-filled secret is "not set up yet", with what is missing. */
export function parseSlackSecrets(value: string): { secrets: SlackAppSecrets; reason?: undefined } | { secrets?: undefined; reason: string } {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return { reason: 'the Slack app secret is not JSON: store {"botToken": "xoxb-…", "signingSecret": "…"} (docs/slack.md)' };
  }
  const botToken = typeof parsed.botToken === 'string' ? parsed.botToken.trim() : '';
  const signing = typeof parsed.signingSecret === 'string' ? parsed.signingSecret.trim() : '';
  const previous = typeof parsed.previousSigningSecret === 'string' ? parsed.previousSigningSecret.trim() : '';
  if (!BOT_TOKEN.test(botToken)) return { reason: 'the Slack app secret holds no bot token (xoxb-…) yet (docs/slack.md)' };
  if (!signing) return { reason: 'the Slack app secret holds no signing secret yet (docs/slack.md)' };
  return { secrets: { botToken, signingSecrets: previous ? [signing, previous] : [signing] } };
}

export function staticSlackSecrets(options: { botToken?: string; signingSecret?: string }): SlackSecretSource {
  const value =
    options.botToken && options.signingSecret
      ? { secrets: { botToken: options.botToken, signingSecrets: [options.signingSecret] } }
      : { reason: 'the Slack app is not configured (local stack: --slack-bot-token and --slack-signing-secret)' };
  return { get: async () => value };
}

export function makeSecretsManagerSlackSecrets(client: SecretsManagerClient, secretId: string, now: () => number = Date.now): SlackSecretSource {
  let cached: { value: Awaited<ReturnType<SlackSecretSource['get']>>; at: number } | undefined;
  let inFlight: Promise<Awaited<ReturnType<SlackSecretSource['get']>>> | undefined;
  return {
    async get() {
      if (cached && now() - cached.at < CACHE_MS) return cached.value;
      // Concurrent first requests share one read.
      inFlight ??= client
        .send(new GetSecretValueCommand({ SecretId: secretId }))
        .then((res) => {
          const value = parseSlackSecrets(res.SecretString ?? '');
          cached = { value, at: now() };
          return value;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
}
