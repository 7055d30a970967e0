/**
 * A clock for the local stack whose time moves only when it is told to (docs/local-stack.md#a-clock-you-move).
 * Give it to startLocalStack (or to AppDeps and makeLocalWorkflow) as `clock`: every use case reads
 * its `now()`, the workflow's timestamp waits and the sweep timer schedule themselves on it, and
 * `advanceTo(instant)` moves time forward, releasing each timer whose instant has come, earliest first,
 * and waiting after each until the work it set off has settled.
 *
 * Settled means: no timer is due (each one still registered is for an instant later than now), no
 * timer callback is still running (a sweep), and every activity the clock tracks says it cannot run
 * before the clock moves (the local workflow: each running execution is parked in a timestamp wait
 * for a later instant). So when `advanceTo` returns, whatever was going to happen up to that instant
 * has happened, and nothing else happens until the clock is moved again. Work the clock does not know
 * of (an HTTP request nobody has awaited) is not waited for.
 *
 * With any other Clock the stack runs in real time as before: waits fire at wall-clock time.
 */
import type { Clock } from '../../functions/core/ports/clock.js';

/** A registered timer; cancel() before it fires and it never does. */
export interface ClockTimer {
  cancel(): void;
}

/** Work that runs on the clock's time and that the clock waits for when it settles. */
export interface ClockActivity {
  /** True when nothing of this activity can run before the clock moves. */
  settled(): boolean;
  /** What is still running, for the error when settling takes too long. */
  describe(): string;
}

export interface TrackedActivity {
  /** Tell the clock something changed (an execution parked or finished): it re-checks at once. */
  changed(): void;
  untrack(): void;
}

export interface VirtualClock extends Clock {
  readonly virtual: true;
  /** The clock's current instant; it stands still until advanceTo/advanceBy. */
  now(): Date;
  /**
   * Calls `fire` once the clock reaches `at` (on the next turn of the event loop if it has already). A
   * promise `fire` returns is waited for when the clock settles, and an error it ends with is thrown
   * by the advance that is running (or the next one).
   */
  schedule(at: Date | number, fire: () => unknown, label?: string): ClockTimer;
  /** Registers an activity whose work the clock waits for when it settles. */
  track(activity: ClockActivity): TrackedActivity;
  /**
   * Moves the clock forward to `instant`: each timer due by then fires in the order of its instant (ties
   * in the order they were scheduled), with the clock reading exactly that instant, and the clock
   * settles after each. Resolves, at `instant`, once everything has settled. Time never goes back:
   * an instant before now is refused. Calls are served one at a time, in order.
   */
  advanceTo(instant: Date | string | number): Promise<Date>;
  /** advanceTo(now + ms). */
  advanceBy(ms: number): Promise<Date>;
  /** advanceTo(now): waits until the work already set off has settled, without moving time. */
  settle(): Promise<Date>;
  /** The timers still waiting, earliest first: what later advances will release. */
  pending(): { at: string; label: string }[];
}

export interface VirtualClockOptions {
  /**
   * How long (real time) the clock may wait for work to settle, after the last timer it fired, before
   * the advance fails, naming what is still running (default 60 s). Something that never settles (an
   * execution in a retry backoff of minutes) then fails the test instead of hanging it.
   */
  settleTimeoutMs?: number;
}

export function isVirtualClock(clock: Clock | undefined): clock is VirtualClock {
  return (clock as Partial<VirtualClock> | undefined)?.virtual === true;
}

interface Timer {
  at: number;
  seq: number;
  label: string;
  fire: () => unknown;
}

/** How often (real time) settling re-checks on its own, besides being told of each change. */
const RECHECK_MS = 20;

/**
 * A virtual clock starting at `start` (default: now, to the whole second, so the store's TTLs and
 * the tokens' lifetimes, which are measured in real time, stay sensible).
 */
export function makeVirtualClock(start: Date | string | number = Math.floor(Date.now() / 1000) * 1000, options: VirtualClockOptions = {}): VirtualClock {
  const settleTimeoutMs = options.settleTimeoutMs ?? 60_000;
  let current = instantOf(start, 'start');
  let seq = 0;
  /** Sorted by (at, seq). */
  const timers: Timer[] = [];
  const activities = new Set<ClockActivity>();
  const running = new Set<Promise<unknown>>();
  const failures: unknown[] = [];
  let wake: (() => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const changed = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  function remove(timer: Timer): boolean {
    const i = timers.indexOf(timer);
    if (i < 0) return false;
    timers.splice(i, 1);
    return true;
  }

  function fire(timer: Timer): void {
    if (!remove(timer)) return;
    let result: unknown;
    try {
      result = timer.fire();
    } catch (error) {
      failures.push(error);
      return;
    }
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      const done: Promise<unknown> = Promise.resolve(result)
        .catch((error: unknown) => void failures.push(error))
        .finally(() => {
          running.delete(done);
          changed();
        });
      running.add(done);
    }
  }

  const quiet = () => running.size === 0 && [...activities].every((a) => a.settled());

  function unsettled(): string {
    const parts = [...activities].filter((a) => !a.settled()).map((a) => a.describe());
    if (running.size > 0) parts.push(`${running.size} timer callback(s) still running`);
    return parts.join('; ');
  }

  /** Until quiet with no timer due; fires due timers one at a time, settling after each. */
  async function settleHere(): Promise<void> {
    // Measured from the last timer fired: a long chain of due timers is progress, not a hang.
    let deadline = Date.now() + settleTimeoutMs;
    for (;;) {
      if (quiet()) {
        // Work queued for the next turn of the event loop (a new execution's first state) shows by then.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (quiet()) {
          const due = timers[0] && timers[0].at <= current ? timers[0] : undefined;
          if (!due) break;
          fire(due);
          deadline = Date.now() + settleTimeoutMs;
          continue;
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`the virtual clock did not settle within ${settleTimeoutMs} ms at ${new Date(current).toISOString()}: ${unsettled()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RECHECK_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (failures.length > 0) {
      const errors = failures.splice(0);
      throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'timers fired by the virtual clock failed');
    }
  }

  /** One advance at a time, in the order asked; `targetOf` is read when its turn comes. */
  function advance(targetOf: () => number): Promise<Date> {
    const step = queue.then(async () => {
      const target = targetOf();
      if (target < current) {
        throw new RangeError(`the virtual clock reads ${new Date(current).toISOString()} and does not go back to ${new Date(target).toISOString()}`);
      }
      await settleHere();
      for (let next = timers[0]; next && next.at <= target; next = timers[0]) {
        current = Math.max(current, next.at);
        fire(next);
        await settleHere();
      }
      current = target;
      await settleHere();
      return new Date(current);
    });
    queue = step.catch(() => undefined);
    return step;
  }

  return {
    virtual: true,
    now: () => new Date(current),
    schedule(at, callback, label = 'timer') {
      const timer: Timer = { at: instantOf(at, 'at'), seq: seq++, label, fire: callback };
      let i = timers.length;
      while (i > 0 && timers[i - 1]!.at > timer.at) i--;
      timers.splice(i, 0, timer);
      if (timer.at <= current) setImmediate(() => fire(timer));
      changed();
      return {
        cancel: () => {
          if (remove(timer)) changed();
        },
      };
    },
    track(activity) {
      activities.add(activity);
      return {
        changed,
        untrack: () => {
          activities.delete(activity);
          changed();
        },
      };
    },
    advanceTo(instant) {
      let target: number;
      try {
        target = instantOf(instant, 'instant');
      } catch (error) {
        return Promise.reject(error);
      }
      return advance(() => target);
    },
    advanceBy(ms) {
      if (!Number.isFinite(ms)) return Promise.reject(new RangeError(`advanceBy needs a number of milliseconds, not ${ms}`));
      return advance(() => current + ms);
    },
    settle: () => advance(() => current),
    pending: () => timers.map((t) => ({ at: new Date(t.at).toISOString(), label: t.label })),
  };
}

function instantOf(value: Date | string | number, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be an instant, not ${JSON.stringify(String(value))}`);
  return ms;
}
