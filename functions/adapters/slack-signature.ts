import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's request signing, version 0 (docs.slack.dev, "Verifying requests from Slack"): Slack sends
 * `X-Slack-Request-Timestamp` (Unix seconds) and `X-Slack-Signature: v0=<hex>`, the HMAC-SHA256,
 * keyed with the app's signing secret, of `v0:<timestamp>:<the raw request body>`. A request is
 * accepted only when the timestamp is within five minutes of now (either way: a clock a little
 * ahead is not an attack, a request from long ago is a replay) and the signature matches, compared
 * in constant time. The body is the bytes as they arrived: parsing first and re-serialising would
 * change them.
 *
 * A signature can only be replayed within those five minutes; the Slack handler remembers every
 * signature it accepted for longer than that and refuses a second use (functions/adapters/slack-ledger.ts).
 */

/** How far the request timestamp may be from now, either way. */
export const SLACK_REPLAY_WINDOW_SECONDS = 5 * 60;

export type SignatureCheck =
  | { ok: true; timestamp: number; signature: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' | 'no-secret' };

const SIGNATURE = /^v0=([0-9a-f]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;

/** `v0=<hex>` for a body at a timestamp: what Slack sends, and what tests and the Slack double sign with. */
export function signSlackRequest(secret: string, timestamp: number | string, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`, 'utf8');
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `v0=${mac.digest('hex')}`;
}

export interface SignedRequest {
  timestamp: string | undefined;
  signature: string | undefined;
  /** The raw body, exactly as received. */
  body: Uint8Array;
}

/**
 * Checks a request against the signing secrets: the current one first, then any it replaced and
 * that are still accepted while Slack's side switches over.
 */
export function verifySlackSignature(request: SignedRequest, secrets: readonly string[], now: Date): SignatureCheck {
  if (secrets.length === 0 || secrets.some((s) => s.length === 0)) return { ok: false, reason: 'no-secret' };
  const { timestamp, signature } = request;
  if (!timestamp || !signature) return { ok: false, reason: 'missing' };
  const trimmedTs = timestamp.trim();
  const given = SIGNATURE.exec(signature.trim());
  if (!TIMESTAMP.test(trimmedTs) || !given) return { ok: false, reason: 'malformed' };
  const seconds = Number(trimmedTs);
  if (Math.abs(now.getTime() / 1000 - seconds) > SLACK_REPLAY_WINDOW_SECONDS) return { ok: false, reason: 'stale' };
  const provided = Buffer.from(given[1]!, 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signSlackRequest(secret, trimmedTs, request.body).slice(3), 'hex');
    // Both are 32 bytes; every secret is tried, so the time taken says nothing about which matched.
    if (timingSafeEqual(expected, provided)) matched = true;
  }
  return matched ? { ok: true, timestamp: seconds, signature: given[0] } : { ok: false, reason: 'mismatch' };
}
