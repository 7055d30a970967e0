import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The local stack's signed, expiring claims (download links in ./file-links.ts, upload links in
 * ./file-uploads.ts), standing in for S3's pre-signed URLs: `<base64url JSON>.<HMAC-SHA256>`. The
 * purpose is part of what is signed, so a token made for one route is refused by the other.
 */
export interface Claim {
  /** Expiry, epoch seconds. */
  exp: number;
}

const mac = (key: Buffer, purpose: string, payload: string) => createHmac('sha256', key).update(`${purpose}:${payload}`).digest('base64url');

export function signClaim<C extends Claim>(key: Buffer, purpose: string, claim: C): string {
  const payload = Buffer.from(JSON.stringify(claim), 'utf8').toString('base64url');
  return `${payload}.${mac(key, purpose, payload)}`;
}

/** The claim of a token signed for `purpose` with `key`, while it has not expired and has the shape `isClaim` checks; else undefined. */
export function verifyClaim<C extends Claim>(
  key: Buffer,
  purpose: string,
  token: string,
  now: Date,
  isClaim: (claim: Record<string, unknown>) => boolean,
): C | undefined {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0 || token.length > 4000) return undefined;
  const expected = Buffer.from(mac(key, purpose, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown> | null;
    if (typeof claim !== 'object' || claim === null || typeof claim.exp !== 'number' || !isClaim(claim)) return undefined;
    return now.getTime() < claim.exp * 1000 ? (claim as unknown as C) : undefined;
  } catch {
    return undefined;
  }
}
