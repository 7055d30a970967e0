/** The guards of public submissions: rate limits, and idempotency and dedupe keys held as claims. */

export interface RateLimiter {
  /**
   * Spends one unit of `key`'s budget if there is one: `limit` units, refilled evenly over
   * `windowSeconds` (a token bucket: `limit` at once, then one every windowSeconds/limit). A refused
   * hit spends nothing; `retryAfterSeconds` says when the next unit is there.
   */
  hit(scope: string, key: string, limit: number, windowSeconds: number, now: Date): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

/** What holds a submission key when an attempt asks for it (SubmissionClaims.claim). */
export type SubmissionClaim =
  /** This attempt holds the key now: it alone may spend rate-limit budget and create the case. */
  | { state: 'claimed' }
  /** An earlier submission with this key was taken: answer with it (`decoy`: a honeypot answer, no case). */
  | { state: 'done'; caseId: string; caseNumber?: string; decoy: boolean }
  /** Another attempt holds the key and has not finished: wait, then ask again. */
  | { state: 'pending' }
  /** The last attempt was rate limited; until `retryAt` (epoch ms) the key answers 429 without spending budget. */
  | { state: 'refused'; retryAt: number };

/**
 * Idempotency and dedupe keys of public submissions as claims: the first attempt takes the key (a
 * conditional write), so concurrent twins wait for its outcome instead of racing it, and only it
 * touches the rate limits. Every record holds until an instant (`holdUntil`) checked by condition,
 * so a lapsed claim or dedupe window frees the key at once, whenever TTL deletes the item.
 */
export interface SubmissionClaims {
  claim(scope: string, key: string, attempt: { token: string; now: Date; leaseMs: number; expiresAt: number }): Promise<SubmissionClaim>;
  /** The attempt was rate limited: until `holdUntil` the key answers 429 with `retryAt` (both epoch ms). */
  refuse(scope: string, key: string, token: string, refusal: { retryAt: number; holdUntil: number; expiresAt: number }): Promise<void>;
  /** The attempt failed before it settled: the key is free again. */
  release(scope: string, key: string, token: string): Promise<void>;
  /** A honeypot answer, recorded like a case's so its replays answer the same way; no case is written. */
  settleDecoy(scope: string, key: string, token: string, decoy: { caseId: string; caseNumber: string; holdUntil: number; expiresAt: number }): Promise<void>;
}
