/**
 * Slack's v0 request signature (functions/adapters/slack-signature.ts): real HMAC-SHA256 over
 * `v0:<timestamp>:<raw body>`, a five-minute window either way, constant-time comparison.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLACK_REPLAY_WINDOW_SECONDS, signSlackRequest, verifySlackSignature } from '../../functions/adapters/slack-signature.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = new Date('2026-03-02T10:00:00Z');
const ts = Math.floor(now.getTime() / 1000);
const body = 'token=x&team_id=T1&command=%2Fcase&text=00001234';

describe('signSlackRequest', () => {
  it('is HMAC-SHA256 of v0:<timestamp>:<body> keyed with the signing secret, hex, prefixed v0=', () => {
    const expected = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
    expect(signSlackRequest(secret, ts, body)).toBe(expected);
    expect(signSlackRequest(secret, String(ts), Buffer.from(body))).toBe(expected);
  });
});

describe('verifySlackSignature', () => {
  const signed = (overrides: { timestamp?: string; signature?: string; body?: string } = {}) => ({
    timestamp: overrides.timestamp ?? String(ts),
    signature: overrides.signature ?? signSlackRequest(secret, overrides.timestamp ?? ts, body),
    body: Buffer.from(overrides.body ?? body),
  });

  it('accepts a request signed with the secret within the window', () => {
    expect(verifySlackSignature(signed(), [secret], now)).toEqual({ ok: true, timestamp: ts, signature: signSlackRequest(secret, ts, body) });
  });

  it('refuses a forged signature, a tampered body and another secret', () => {
    expect(verifySlackSignature(signed({ signature: `v0=${'0'.repeat(64)}` }), [secret], now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ ...signed(), body: Buffer.from(`${body}0`) }, [secret], now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature(signed({ signature: signSlackRequest('another-secret', ts, body) }), [secret], now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses stale and far-future timestamps, accepts the window edge', () => {
    const at = (offset: number) => {
      const t = String(ts + offset);
      return verifySlackSignature(signed({ timestamp: t, signature: signSlackRequest(secret, t, body) }), [secret], now);
    };
    expect(at(-SLACK_REPLAY_WINDOW_SECONDS).ok).toBe(true);
    expect(at(SLACK_REPLAY_WINDOW_SECONDS).ok).toBe(true);
    expect(at(-SLACK_REPLAY_WINDOW_SECONDS - 1)).toEqual({ ok: false, reason: 'stale' });
    expect(at(SLACK_REPLAY_WINDOW_SECONDS + 1)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses missing and malformed headers, and an empty secret', () => {
    expect(verifySlackSignature({ ...signed(), signature: undefined }, [secret], now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackSignature({ ...signed(), timestamp: undefined }, [secret], now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackSignature(signed({ signature: 'v1=abc' }), [secret], now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySlackSignature(signed({ signature: `v0=${'A'.repeat(64)}` }), [secret], now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySlackSignature(signed({ timestamp: '1e9' }), [secret], now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySlackSignature(signed(), [''], now)).toEqual({ ok: false, reason: 'no-secret' });
    expect(verifySlackSignature(signed(), [], now)).toEqual({ ok: false, reason: 'no-secret' });
  });

  it('accepts the previous secret while a regenerated one takes over', () => {
    expect(verifySlackSignature(signed(), ['new-secret', secret], now).ok).toBe(true);
  });

  it('signs over the raw bytes: any change to the body or timestamp is refused (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat({ max: 299 }), fc.integer({ min: 0, max: 7 }), (bytes, index, bit) => {
        const raw = Buffer.from(bytes);
        const signature = signSlackRequest(secret, ts, raw);
        expect(verifySlackSignature({ timestamp: String(ts), signature, body: raw }, [secret], now).ok).toBe(true);
        const flipped = Buffer.from(raw);
        const i = index % flipped.length;
        flipped[i] = flipped[i]! ^ (1 << bit);
        expect(verifySlackSignature({ timestamp: String(ts), signature, body: flipped }, [secret], now)).toEqual({ ok: false, reason: 'mismatch' });
        expect(verifySlackSignature({ timestamp: String(ts + 1), signature, body: raw }, [secret], now)).toEqual({ ok: false, reason: 'mismatch' });
      }),
    );
  });
});
