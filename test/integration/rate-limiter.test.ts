/**
 * The rate limiter (a token bucket kept as GCRA, functions/adapters/rate-limiter.ts) against DynamoDB
 * Local. Property: for any limit, window and sequence of hits, its verdicts are those of a plain
 * token bucket written independently here (a level in milliseconds of budget, refilled by elapsed
 * time, capped at the window), and no stretch of time lets through more than `limit` plus what was
 * refilled in it. Concurrent hits never overspend.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRateLimiter } from '../../functions/adapters/rate-limiter.js';
import { freshTable } from '../support/dynamo.js';

const db = await freshTable('rate-limiter');
const limiter = makeRateLimiter(db.table);
const T0 = Date.parse('2026-03-02T10:59:00.000Z');

/** The reference: a bucket holding up to `window` ms of budget; a hit costs `interval` ms of it. */
function referenceBucket(limit: number, windowSeconds: number) {
  const windowMs = windowSeconds * 1000;
  const interval = Math.max(1, Math.floor(windowMs / limit));
  let level = windowMs;
  let last: number | undefined;
  return {
    interval,
    hit(at: number): boolean {
      if (last !== undefined) level = Math.min(windowMs, level + (at - last));
      last = at;
      if (level < interval) return false;
      level -= interval;
      return true;
    },
  };
}

let keyCounter = 0;

describe('rate limiter', () => {
  it('property: agrees with a token bucket on every hit, and never lets a stretch of time overspend', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(1, 10, 60, 3600),
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 4_000_000 })), { minLength: 1, maxLength: 30 }),
        async (limit, windowSeconds, gaps) => {
          const key = `prop-${++keyCounter}`;
          const model = referenceBucket(limit, windowSeconds);
          let at = T0;
          const allowedAt: number[] = [];
          for (const gap of gaps) {
            at += gap;
            const verdict = await limiter.hit('test', key, limit, windowSeconds, new Date(at));
            expect(verdict.allowed, `hit at +${at - T0} ms`).toBe(model.hit(at));
            if (verdict.allowed) allowedAt.push(at);
            else expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
          }
          // Any run of allowed hits fits in `limit` plus the budget refilled between its ends.
          for (let i = 0; i < allowedAt.length; i++) {
            for (let j = i; j < allowedAt.length; j++) {
              expect(j - i + 1).toBeLessThanOrEqual(limit + Math.floor((allowedAt[j]! - allowedAt[i]!) / model.interval));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('says when to come back: the next unit of budget is there after retryAfterSeconds', async () => {
    const key = `retry-${++keyCounter}`;
    for (let i = 0; i < 4; i++) expect((await limiter.hit('test', key, 4, 3600, new Date(T0))).allowed).toBe(true);
    const refused = await limiter.hit('test', key, 4, 3600, new Date(T0 + 1000));
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 899 });
    expect((await limiter.hit('test', key, 4, 3600, new Date(T0 + 1000 + 898_000))).allowed).toBe(false);
    expect((await limiter.hit('test', key, 4, 3600, new Date(T0 + 1000 + 899_000))).allowed).toBe(true);
  });

  it('a schedule more than a window ahead (a clock that ran ahead, or went back) counts as idle', async () => {
    const key = `skew-${++keyCounter}`;
    const ahead = new Date(T0 + 12 * 3600_000);
    for (let i = 0; i < 3; i++) expect((await limiter.hit('test', key, 3, 3600, ahead)).allowed).toBe(true);
    expect((await limiter.hit('test', key, 3, 3600, ahead)).allowed).toBe(false);
    // Twelve hours earlier by another clock: not locked out for twelve hours.
    expect((await limiter.hit('test', key, 3, 3600, new Date(T0))).allowed).toBe(true);
    // Within a window's reach the schedule counts as usual.
    expect((await limiter.hit('test', key, 3, 3600, new Date(T0 - 1000))).allowed).toBe(true);
  });

  it('a limit of 0 refuses everything', async () => {
    expect(await limiter.hit('test', `zero-${++keyCounter}`, 0, 3600, new Date(T0))).toEqual({ allowed: false, retryAfterSeconds: 3600 });
  });

  it('concurrent hits at one instant never overspend', async () => {
    for (const [limit, concurrent] of [
      [5, 40],
      [20, 20],
      [30, 10],
    ] as const) {
      const key = `burst-${++keyCounter}`;
      const verdicts = await Promise.all(Array.from({ length: concurrent }, () => limiter.hit('test', key, limit, 3600, new Date(T0))));
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(Math.min(limit, concurrent));
    }
  });
});
