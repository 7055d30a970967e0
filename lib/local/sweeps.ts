/**
 * The sweeps on the laptop: where AWS runs the sweep function on an EventBridge Scheduler schedule,
 * the local stack runs the same handler (functions/handlers/sweep.ts) on a timer. A run never
 * overlaps the previous one here (the next is scheduled when the last has finished); in AWS two runs
 * may overlap, which the sweep tolerates by design (conditional writes). On a virtual clock
 * (lib/local/virtual-clock.ts) the timer is a timer on that clock: a sweep runs each time the clock is
 * advanced past the next run's instant, and the clock waits for it to finish before it settles.
 *
 * At start it also restarts the SLA clocks of open cases: executions live in this process, so those
 * of a previous run are gone. Each open case with a clock gets a new generation of its workflow,
 * which takes the clock over where the stored state says it is.
 */
import { createHandler, type SweepSummary } from '../../functions/handlers/sweep.js';
import type { CaseRecord } from '../../functions/core/case.js';
import { OPEN_STATUSES } from '../../functions/core/case.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { isVirtualClock } from './virtual-clock.js';
import type { LocalService } from './service.js';

export const DEFAULT_SWEEP_EVERY_SECONDS = 60;

export interface SweepServiceOptions {
  /** Seconds between the end of one run and the start of the next (default 60). */
  everySeconds?: number;
  /** Restart the SLA clocks of open cases at start (default true). */
  resumeClocks?: boolean;
}

export interface SweepTimer {
  /** Runs a sweep now (waiting for a run in progress first); resolves with its summary. */
  runNow(): Promise<SweepSummary>;
  /** Runs completed so far. */
  runs(): number;
  stop(): Promise<void>;
}

export function startSweepTimer(
  deps: AppDeps,
  options: { everySeconds: number; log?: (line: string) => void; onError?: (error: unknown) => void },
): SweepTimer {
  const sweep = createHandler(deps);
  let running: Promise<SweepSummary> | undefined;
  let stopped = false;
  let count = 0;

  const runOnce = async (): Promise<SweepSummary> => {
    while (running) await running.catch(() => undefined);
    running = sweep({});
    try {
      const summary = await running;
      count++;
      const moved = summary.offersExpired + summary.movedFromAbsentAgents + summary.movedAtEndOfShift + summary.onHoldEscalated + summary.dispatched;
      if (moved > 0) {
        options.log?.(
          `sweep: ${summary.offersExpired} offer(s) expired, ${summary.movedFromAbsentAgents} case(s) of absent agents and ${summary.movedAtEndOfShift} at end of shift reassigned, ${summary.onHoldEscalated} on-hold limit(s), ${summary.dispatched} dispatched`,
        );
      }
      return summary;
    } finally {
      running = undefined;
    }
  };

  let cancel: (() => void) | undefined;
  const schedule = () => {
    if (stopped) return;
    const runAndReschedule = () =>
      runOnce()
        .catch((error: unknown) => options.onError?.(error))
        .finally(schedule);
    const clock = deps.clock;
    if (isVirtualClock(clock)) {
      // The next run is rescheduled before this one's promise settles, so the clock never sees a gap.
      const timer = clock.schedule(clock.now().getTime() + options.everySeconds * 1000, runAndReschedule, 'sweep');
      cancel = () => timer.cancel();
      return;
    }
    const timer = setTimeout(runAndReschedule, options.everySeconds * 1000);
    timer.unref?.();
    cancel = () => clearTimeout(timer);
  };
  schedule();

  return {
    runNow: runOnce,
    runs: () => count,
    async stop() {
      stopped = true;
      cancel?.();
      await running?.catch(() => undefined);
    },
  };
}

/** Open cases with an SLA clock still running: each gets a new generation of its workflow. */
export async function resumeSlaClocks(deps: AppDeps): Promise<number> {
  let resumed = 0;
  let cursor: string | undefined;
  do {
    // Every open status but `new` (those are restarted from the top by the stack itself).
    const page = await deps.cases.list({ statuses: OPEN_STATUSES.filter((s) => s !== 'new'), limit: 100, ...(cursor ? { cursor } : {}) });
    for (const c of page.items as CaseRecord[]) {
      if (!c.sla?.next) continue;
      await deps.workflow.startCase(c.caseId, { generation: c.sla.generation + 1 });
      resumed++;
    }
    cursor = page.cursor;
  } while (cursor);
  return resumed;
}

/** The local stack's pluggable sweep service (`npm start -- --sweep-every SECONDS`). */
export function sweepService(options: SweepServiceOptions = {}): LocalService {
  const everySeconds = options.everySeconds ?? DEFAULT_SWEEP_EVERY_SECONDS;
  return {
    name: 'sweeps',
    async start(context) {
      if (options.resumeClocks ?? true) {
        const resumed = await resumeSlaClocks(context.deps);
        if (resumed > 0) context.log(`SLA clocks: restarted the workflow of ${resumed} open case(s) from their stored state`);
      }
      const timer = startSweepTimer(context.deps, {
        everySeconds,
        log: context.log,
        onError: (error) => console.error('[caseflow] sweep failed:', error),
      });
      context.log(`sweeps: every ${everySeconds} s (offers not accepted, absent agents, end of shift, on-hold limits, dispatch backstop)`);
      return {
        info: { everySeconds },
        stop: () => timer.stop(),
        // For tests and tools in the same process: run a sweep now.
        runNow: () => timer.runNow(),
      } as { info: Record<string, unknown>; stop(): Promise<void>; runNow(): Promise<SweepSummary> };
    },
  };
}
