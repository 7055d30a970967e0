import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The customer's link to the status page of their case: no account, the link is the key
 * (docs/console.md#the-customers-status-page). A token is
 *
 *     <caseId>.<expires, epoch seconds>.<signature>
 *
 * the signature being the first 128 bits of HMAC-SHA256 over `caseflow-status:v1:<caseId>:<expires>`,
 * base64url. Pure: the caller passes the keys and the time.
 *
 * Keys rotate like the subject-token keys: the first key signs, every key listed verifies, so a
 * new key can be put first while links signed with the old one keep working until they expire
 * (at most STATUS_LINK_TTL_DAYS); then the old key is dropped. A leaked key is dropped at once:
 * every link it signed stops working, and the customer's next mail from us brings a fresh one.
 */

/** How long a link works after it was issued (an acknowledgement or a reply brings a fresh one). */
export const STATUS_LINK_TTL_DAYS = 30;
const SIGNATURE_BYTES = 16;
/** Case ids are ULIDs; ids from tests and imports are other short words. No dots: they separate the parts. */
const CASE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EXPIRES = /^[1-9][0-9]{0,11}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{22}$/;
/** Anything longer than a real token is refused before it is split. */
export const MAX_STATUS_TOKEN_LENGTH = 120;
/** Keys shorter than this are refused (the same floor as the subject-token keys). */
const MIN_KEY_LENGTH = 16;

function signature(caseId: string, expires: string, key: string): Buffer {
  return createHmac('sha256', key).update(`caseflow-status:v1:${caseId}:${expires}`).digest().subarray(0, SIGNATURE_BYTES);
}

function usableKeys(keys: readonly string[]): string[] {
  const usable = keys.filter((k) => typeof k === 'string' && k.length >= MIN_KEY_LENGTH);
  if (usable.length === 0) throw new Error(`no status-link key of at least ${MIN_KEY_LENGTH} characters is configured`);
  return usable;
}

/** When a link issued at `issuedAt` stops working: whole seconds, STATUS_LINK_TTL_DAYS later. */
export function statusLinkExpiry(issuedAt: Date, days = STATUS_LINK_TTL_DAYS): Date {
  return new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + days * 86_400_000);
}

/** A token for `caseId` that works until `expiresAt`, signed with the first of `keys`. */
export function signStatusToken(caseId: string, expiresAt: Date, keys: readonly string[]): string {
  if (!CASE_ID.test(caseId)) throw new Error(`case id ${JSON.stringify(caseId)} cannot be put in a status link`);
  const expires = String(Math.floor(expiresAt.getTime() / 1000));
  if (!EXPIRES.test(expires)) throw new Error('a status link must expire after 1970');
  return `${caseId}.${expires}.${signature(caseId, expires, usableKeys(keys)[0]!).toString('base64url')}`;
}

export type StatusTokenCheck =
  | { valid: true; caseId: string; expiresAt: Date }
  /** Why, for the log only: the customer is told the same thing whatever the reason. */
  | { valid: false; reason: 'malformed' | 'signature' | 'expired' };

/**
 * The case a token opens, if it is well formed, signed by one of `keys` and not expired at `now`.
 * The signature is checked before the expiry, in constant time against each key.
 */
export function verifyStatusToken(token: string, keys: readonly string[], now: Date): StatusTokenCheck {
  if (typeof token !== 'string' || token.length > MAX_STATUS_TOKEN_LENGTH) return { valid: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { valid: false, reason: 'malformed' };
  const [caseId, expires, signed] = parts as [string, string, string];
  if (!CASE_ID.test(caseId) || !EXPIRES.test(expires) || !SIGNATURE.test(signed)) return { valid: false, reason: 'malformed' };
  const given = Buffer.from(signed, 'base64url');
  // Canonical base64url only: a second spelling of the same bytes is an altered token.
  if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signed) return { valid: false, reason: 'malformed' };
  let matched = false;
  for (const key of usableKeys(keys)) matched = timingSafeEqual(signature(caseId, expires, key), given) || matched;
  if (!matched) return { valid: false, reason: 'signature' };
  const expiresAt = new Date(Number(expires) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { valid: false, reason: 'expired' };
  return { valid: true, caseId, expiresAt };
}

/** `<base>/<token>`: the status page of the console (`https://<console>/app/status/<token>`). */
export function statusPageUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/${token}`;
}
