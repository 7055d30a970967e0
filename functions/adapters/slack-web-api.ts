/**
 * A small client of Slack's Web API (docs.slack.dev/reference/methods): an HTTPS POST to
 * `<base>/<method>` with the bot token as `Authorization: Bearer`, arguments as JSON, or as a form
 * for the methods that take no JSON (users.info and users.lookupByEmail), and Slack's answer
 * `{ ok, error, ... }` turned into a value or a SlackApiError. A 429 is waited out once (Retry-After,
 * at most a few seconds: the callers run inside Slack's or the API's time limits).
 *
 * The base URL is `https://slack.com/api` in AWS; locally `--slack-api-url` points it at any server,
 * the tests' Slack double included (test/support/slack-double.ts).
 */

export const SLACK_API_URL = 'https://slack.com/api';

/** Methods that take their arguments only as `application/x-www-form-urlencoded` (their reference pages say so). */
const FORM_ONLY = new Set(['users.info', 'users.lookupByEmail']);

export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';
  constructor(
    readonly method: string,
    /** Slack's error code (`channel_not_found`, `users_not_found`, ...), or `http_<status>`. */
    readonly code: string,
    readonly needed?: string,
  ) {
    super(`Slack ${method} failed: ${code}${needed ? ` (needs ${needed})` : ''}`);
  }
}

export interface SlackWebApi {
  /** Calls a method; resolves with Slack's answer when `ok`, else throws SlackApiError. */
  call<T extends Record<string, unknown> = Record<string, unknown>>(method: string, args: Record<string, unknown>): Promise<T & { ok: true }>;
  /** Posts a message to an interaction's `response_url` (no token: the URL is the credential). */
  respond(responseUrl: string, message: Record<string, unknown>): Promise<void>;
}

export interface SlackWebApiOptions {
  /** Default https://slack.com/api. */
  baseUrl?: string;
  /** The bot token (`xoxb-...`), read when first needed. */
  token: () => Promise<string>;
  /** Where response_url posts may go, besides Slack's own hooks: the origin of `baseUrl` (a local double). */
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Waits between a 429 and its retry; tests shorten it. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 2_500;
const MAX_RETRY_WAIT_MS = 3_000;

/** Slack's response URLs live on hooks.slack.com; anything else is not Slack's and gets nothing. */
export function isSlackResponseUrl(url: string, baseUrl: string = SLACK_API_URL): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:' && parsed.hostname === 'hooks.slack.com') return true;
  // A local Slack (--slack-api-url) serves its own response URLs, on its own origin.
  const base = new URL(baseUrl);
  return base.hostname !== 'slack.com' && parsed.origin === base.origin;
}

export function makeSlackWebApi(options: SlackWebApiOptions): SlackWebApi {
  const base = (options.baseUrl ?? SLACK_API_URL).replace(/\/+$/, '');
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  function encode(method: string, args: Record<string, unknown>): { headers: Record<string, string>; body: string } {
    if (!FORM_ONLY.has(method)) return { headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(args) };
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(args)) {
      if (v !== undefined) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    }
    return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() };
  }

  return {
    async call<T extends Record<string, unknown>>(method: string, args: Record<string, unknown>) {
      const token = await options.token();
      const { headers, body } = encode(method, args);
      for (let attempt = 1; ; attempt++) {
        const res = await send(`${base}/${method}`, {
          method: 'POST',
          headers: { ...headers, authorization: `Bearer ${token}` },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.status === 429 && attempt === 1) {
          const wait = Math.min(MAX_RETRY_WAIT_MS, Math.max(0, Number(res.headers.get('retry-after') ?? '1')) * 1000);
          await res.body?.cancel();
          await sleep(wait);
          continue;
        }
        if (!res.ok) {
          await res.body?.cancel();
          throw new SlackApiError(method, `http_${res.status}`);
        }
        const answer = (await res.json().catch(() => ({ ok: false, error: 'invalid_json' }))) as Record<string, unknown>;
        if (answer.ok !== true) {
          throw new SlackApiError(
            method,
            typeof answer.error === 'string' ? answer.error : 'unknown_error',
            typeof answer.needed === 'string' ? answer.needed : undefined,
          );
        }
        return answer as T & { ok: true };
      }
    },

    async respond(responseUrl, message) {
      if (!isSlackResponseUrl(responseUrl, base)) throw new SlackApiError('response_url', 'not_a_slack_url');
      const res = await send(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (!res.ok) throw new SlackApiError('response_url', `http_${res.status}`);
    },
  };
}
