/**
 * The virtual clock the local stack runs on in tests (lib/local/virtual-clock.ts): time stands still
 * until advanced; an advance releases the timers due by its instant, earliest first, each reading its
 * own instant, and returns only when the work they set off has settled, including the timers that
 * work schedules within reach of the same advance.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../lib/local/virtual-clock.js';
import { isVirtualClock, makeVirtualClock } from '../../lib/local/virtual-clock.js';

const T0 = Date.parse('2025-03-03T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/** An activity that is busy for a few real milliseconds after each start(), as an execution running a task is. */
function busyActivity(clock: VirtualClock) {
  let busy = 0;
  const tracked = clock.track({ settled: () => busy === 0, describe: () => `${busy} job(s) busy` });
  return {
    /** Runs `then` after `ms` real milliseconds, busy meanwhile. */
    start(ms: number, then: () => void = () => {}) {
      busy++;
      tracked.changed();
      setTimeout(() => {
        then();
        busy--;
        tracked.changed();
      }, ms);
    },
    untrack: () => tracked.untrack(),
  };
}

describe('the virtual clock', () => {
  it('stands still until advanced, and never goes back', async () => {
    const clock = makeVirtualClock(T0);
    expect(isVirtualClock(clock)).toBe(true);
    expect(isVirtualClock({ now: () => new Date() })).toBe(false);
    await tick();
    expect(clock.now().toISOString()).toBe(iso(T0));
    expect((await clock.advanceBy(1500)).toISOString()).toBe(iso(T0 + 1500));
    expect(clock.now().toISOString()).toBe(iso(T0 + 1500));
    await expect(clock.advanceTo(T0)).rejects.toThrow(/does not go back/);
    // A refused advance leaves the clock usable.
    expect((await clock.advanceTo('2025-03-03T09:00:02.000Z')).toISOString()).toBe(iso(T0 + 2000));
    await expect(clock.advanceTo('not a time')).rejects.toThrow(/instant/);
  });

  it('starts on a whole second of real time by default', () => {
    const before = Date.now();
    const now = makeVirtualClock().now().getTime();
    expect(now % 1000).toBe(0);
    expect(now).toBeLessThanOrEqual(before + 1000);
    expect(now).toBeGreaterThan(before - 1000);
  });

  it('fires the timers due by the instant earliest first (ties in scheduling order), each reading its own instant; later ones wait', async () => {
    const clock = makeVirtualClock(T0);
    const fired: string[] = [];
    const at = (label: string, ms: number) => clock.schedule(T0 + ms, () => void fired.push(`${label}@${clock.now().getTime() - T0}`), label);
    at('c', 3000);
    at('a', 1000);
    at('b1', 2000);
    at('b2', 2000);
    at('late', 10_000);
    at('cancelled', 1500).cancel();
    await clock.advanceTo(T0 + 5000);
    expect(fired).toEqual(['a@1000', 'b1@2000', 'b2@2000', 'c@3000']);
    expect(clock.now().getTime()).toBe(T0 + 5000);
    expect(clock.pending()).toEqual([{ at: iso(T0 + 10_000), label: 'late' }]);
  });

  it('settles after each timer before the next: the work it sets off, and the timers that work schedules within reach, happen in the same advance', async () => {
    const clock = makeVirtualClock(T0);
    const activity = busyActivity(clock);
    const log: string[] = [];
    // Like an execution: wake, run a task for a while (real time), then wait again 1 s later.
    const wake = (n: number) => () => {
      log.push(`wake ${n} at +${clock.now().getTime() - T0}`);
      activity.start(15, () => {
        log.push(`task ${n} done`);
        clock.schedule(clock.now().getTime() + 1000, wake(n + 1), `wake ${n + 1}`);
      });
    };
    clock.schedule(T0 + 1000, wake(1));
    // Another job whose timer falls between: it must wait until wake 2's task is over.
    clock.schedule(T0 + 2500, () => void log.push('other at +2500'));
    await clock.advanceTo(T0 + 3000);
    expect(log).toEqual(['wake 1 at +1000', 'task 1 done', 'wake 2 at +2000', 'task 2 done', 'other at +2500', 'wake 3 at +3000', 'task 3 done']);
    expect(clock.pending()).toEqual([{ at: iso(T0 + 4000), label: 'wake 4' }]);
    activity.untrack();
  });

  it('settle() moves nothing but waits for work already running and for timers already due', async () => {
    const clock = makeVirtualClock(T0);
    const activity = busyActivity(clock);
    let done = false;
    activity.start(30, () => (done = true));
    const fired: number[] = [];
    // Scheduled for an instant already past: fires on the next turn of the event loop, advance or not.
    clock.schedule(T0 - 1000, () => void fired.push(clock.now().getTime()));
    expect((await clock.settle()).getTime()).toBe(T0);
    expect(done).toBe(true);
    expect(fired).toEqual([T0]);
    const alone = makeVirtualClock(T0);
    const early: number[] = [];
    alone.schedule(T0, () => void early.push(1));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(early).toEqual([1]);
  });

  it('waits for the promise a timer returns, and fails the advance with its error', async () => {
    const clock = makeVirtualClock(T0);
    const log: string[] = [];
    clock.schedule(T0 + 1000, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push('sweep finished');
    });
    clock.schedule(T0 + 1000, () => void log.push('next timer'));
    await clock.advanceTo(T0 + 1000);
    expect(log).toEqual(['sweep finished', 'next timer']);

    clock.schedule(T0 + 2000, async () => {
      throw new Error('the sweep failed');
    });
    await expect(clock.advanceTo(T0 + 3000)).rejects.toThrow('the sweep failed');
    // Failed advances leave the clock usable.
    expect((await clock.advanceTo(T0 + 3000)).getTime()).toBe(T0 + 3000);
  });

  it('gives up on a settle that does not come, naming what is still running', async () => {
    const clock = makeVirtualClock(T0, { settleTimeoutMs: 50 });
    clock.track({ settled: () => false, describe: () => 'execution X in EvaluateSla' });
    await expect(clock.settle()).rejects.toThrow(/did not settle within 50 ms .*execution X in EvaluateSla/);
  });

  it('serves advances one at a time, in the order asked', async () => {
    const clock = makeVirtualClock(T0);
    const seen: number[] = [];
    for (const ms of [1000, 2000, 3000]) clock.schedule(T0 + ms, () => void seen.push(ms));
    const [a, b, c] = await Promise.all([clock.advanceBy(1500), clock.advanceBy(1000), clock.settle()]);
    expect([a.getTime() - T0, b.getTime() - T0, c.getTime() - T0]).toEqual([1500, 2500, 2500]);
    expect(seen).toEqual([1000, 2000]);
  });

  it('property: every timer due by the last advance fires exactly once, in (instant, scheduling) order, reading its instant; no other fires', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 10_000 }), followUp: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }) }), {
          maxLength: 12,
        }),
        fc.array(fc.integer({ min: 0, max: 4_000 }), { minLength: 1, maxLength: 4 }),
        async (timers, steps) => {
          const clock = makeVirtualClock(T0);
          const activity = busyActivity(clock);
          const fired: { id: string; at: number; read: number; seq: number }[] = [];
          let seq = 0;
          const scheduled: { id: string; at: number; seq: number }[] = [];
          const schedule = (id: string, at: number, followUp?: number) => {
            const entry = { id, at, seq: seq++ };
            scheduled.push(entry);
            clock.schedule(T0 + at, () => {
              fired.push({ id, at, read: clock.now().getTime() - T0, seq: entry.seq });
              // Some timers set off work that schedules another timer, later, from where the clock is then.
              if (followUp !== undefined) activity.start(1, () => schedule(`${id}+`, clock.now().getTime() - T0 + followUp));
            });
          };
          timers.forEach((t, i) => schedule(`t${i}`, t.at, t.followUp));
          let target = 0;
          for (const step of steps) {
            target += step;
            await clock.advanceTo(T0 + target);
          }
          expect(clock.now().getTime()).toBe(T0 + target);
          // Each fired once, when due, reading its own instant, and in (instant, scheduling) order.
          expect(new Set(fired.map((f) => f.id)).size).toBe(fired.length);
          for (const f of fired) expect(f.read).toBe(f.at);
          for (let i = 1; i < fired.length; i++) {
            const [p, q] = [fired[i - 1]!, fired[i]!];
            expect(p.at < q.at || (p.at === q.at && p.seq < q.seq)).toBe(true);
          }
          // Everything due by the end fired; nothing later did.
          expect(fired.map((f) => f.id).sort()).toEqual(
            scheduled
              .filter((s) => s.at <= target)
              .map((s) => s.id)
              .sort(),
          );
          expect(clock.pending().map((p) => Date.parse(p.at) - T0)).toEqual(
            scheduled
              .filter((s) => s.at > target)
              .map((s) => s.at)
              .sort((x, y) => x - y),
          );
          activity.untrack();
        },
      ),
      { numRuns: 60 },
    );
  });
});
