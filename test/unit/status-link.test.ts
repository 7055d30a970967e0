/**
 * Signed, expiring status links (functions/core/status-link.ts): a link opens its own case until it
 * expires, and any change to it, or a link signed by a key not configured, opens nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_STATUS_TOKEN_LENGTH, signStatusToken, statusLinkExpiry, statusPageUrl, verifyStatusToken } from '../../functions/core/status-link.js';

const KEY = 'status-link-key-0123456789abcdef';
const OLD_KEY = 'the-previous-status-key-9876543210';
const issued = new Date('2026-05-01T09:30:12.345Z');
const caseId = '01JCASE0000000000000000000';

describe('status links', () => {
  it('open their case until they expire, STATUS_LINK_TTL_DAYS after issue', () => {
    const expiresAt = statusLinkExpiry(issued);
    expect(expiresAt.toISOString()).toBe('2026-05-31T09:30:12.000Z');
    const token = signStatusToken(caseId, expiresAt, [KEY]);
    expect(token).toMatch(/^01JCASE0000000000000000000\.\d{10}\.[A-Za-z0-9_-]{22}$/);
    expect(verifyStatusToken(token, [KEY], issued)).toEqual({ valid: true, caseId, expiresAt });
    expect(verifyStatusToken(token, [KEY], new Date(expiresAt.getTime() - 1))).toMatchObject({ valid: true });
    expect(verifyStatusToken(token, [KEY], expiresAt)).toEqual({ valid: false, reason: 'expired' });
  });

  it('are refused when signed by a key not configured, and accepted during a rotation', () => {
    const old = signStatusToken(caseId, statusLinkExpiry(issued), [OLD_KEY]);
    expect(verifyStatusToken(old, [KEY], issued)).toEqual({ valid: false, reason: 'signature' });
    // Rotation: the new key first (it signs), the old one still verifies.
    expect(verifyStatusToken(old, [KEY, OLD_KEY], issued)).toMatchObject({ valid: true, caseId });
    const fresh = signStatusToken(caseId, statusLinkExpiry(issued), [KEY, OLD_KEY]);
    expect(verifyStatusToken(fresh, [KEY], issued)).toMatchObject({ valid: true });
    expect(verifyStatusToken(fresh, [OLD_KEY], issued)).toEqual({ valid: false, reason: 'signature' });
  });

  it('cannot be moved to another case or given a later expiry (the signature covers both)', () => {
    const token = signStatusToken(caseId, statusLinkExpiry(issued), [KEY]);
    const [, expires, sig] = token.split('.');
    expect(verifyStatusToken(`01JOTHER000000000000000000.${expires}.${sig}`, [KEY], issued)).toEqual({ valid: false, reason: 'signature' });
    expect(verifyStatusToken(`${caseId}.${Number(expires) + 86_400}.${sig}`, [KEY], issued)).toEqual({ valid: false, reason: 'signature' });
  });

  it('refuse every alteration of a character, and every cut or extension (property)', () => {
    const token = signStatusToken(caseId, statusLinkExpiry(issued), [KEY]);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%';
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...alphabet), (at, ch) => {
        fc.pre(token[at] !== ch);
        const altered = token.slice(0, at) + ch + token.slice(at + 1);
        expect(verifyStatusToken(altered, [KEY], issued).valid).toBe(false);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.string({ maxLength: 5 }), (cut, extra) => {
        const changed = token.slice(0, cut) + extra;
        fc.pre(changed !== token);
        expect(verifyStatusToken(changed, [KEY], issued).valid).toBe(false);
        expect(verifyStatusToken(token + (extra || '='), [KEY], issued).valid).toBe(false);
      }),
    );
  });

  it('refuse anything that is not a token, without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        expect(verifyStatusToken(junk, [KEY], issued).valid).toBe(false);
      }),
    );
    expect(verifyStatusToken('a'.repeat(MAX_STATUS_TOKEN_LENGTH + 1), [KEY], issued)).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyStatusToken(`${caseId}.0.AAAAAAAAAAAAAAAAAAAAAA`, [KEY], issued)).toEqual({ valid: false, reason: 'malformed' });
    // base64url has one spelling per value: the last character's unused bits must be zero.
    const token = signStatusToken(caseId, statusLinkExpiry(issued), [KEY]);
    const last = token.at(-1)!;
    expect('AQgw').toContain(last);
    const sibling = String.fromCharCode(last.charCodeAt(0) + 1);
    const sig = token.split('.')[2]!;
    expect(Buffer.from(sig.slice(0, -1) + sibling, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyStatusToken(token.slice(0, -1) + sibling, [KEY], issued)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('need a real key: none, or only short ones, is a configuration error rather than an open door', () => {
    expect(() => signStatusToken(caseId, statusLinkExpiry(issued), [])).toThrow(/no status-link key/);
    expect(() => verifyStatusToken(signStatusToken(caseId, statusLinkExpiry(issued), [KEY]), ['short'], issued)).toThrow(/no status-link key/);
    expect(() => signStatusToken('has.dots', statusLinkExpiry(issued), [KEY])).toThrow(/cannot be put/);
  });

  it('are put under the status page base', () => {
    expect(statusPageUrl('https://d1.cloudfront.net/app/status/', 'T')).toBe('https://d1.cloudfront.net/app/status/T');
    expect(statusPageUrl('http://127.0.0.1:3000/app/status', 'T')).toBe('http://127.0.0.1:3000/app/status/T');
  });
});
