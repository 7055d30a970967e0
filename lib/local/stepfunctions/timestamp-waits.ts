/**
 * The timestamp-wait mechanism: how the local runner waits in a Wait state with a TimestampPath
 * (the SLA loop's WaitForSlaDeadline), measured against the stack's clock rather than Date.now().
 *
 * aws-local-stepfunctions sleeps in a Wait state with one setTimeout against Date.now(): it cannot
 * wait more than 24.8 days, knows nothing of an injected clock, and nothing outside it can tell that
 * an execution is waiting or release it. So the local runner plays each such Wait state itself: in
 * the definition it runs, the state becomes a Task of the same name, in the same place of the graph,
 * with the same InputPath, OutputPath and Next/End, whose result is discarded (ResultPath null: the
 * output is the input, as a Wait's is), calling a local function that returns once the clock reaches
 * the timestamp. The execution's record still says Wait for it (executions.ts).
 *
 * - With a virtual clock (lib/local/virtual-clock.ts) the wait is a timer on that clock: it ends when
 *   the clock is advanced to the timestamp, and the execution counts as parked until then.
 * - With any other clock it is a real timer for (timestamp − clock.now()), at most 24.8 days: a
 *   longer wait ends early, and the SLA loop re-reads the case and waits again (a deadline that is
 *   not due yet is simply waited for once more).
 * - A timestamp already past ends the wait at once; stopping the execution ends it too.
 */
import type { Clock } from '../../../functions/core/ports/clock.js';
import { isVirtualClock } from '../virtual-clock.js';
import type { StateMachineDefinition } from './definition.js';
import { readPath, simplePath } from './definition.js';
import type { LocalTaskHandler } from './tasks.js';

/** The Resource of a played Wait state: never called through Lambda, always by the local runner. */
export const TIMESTAMP_WAIT_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:caseflow-local-timestamp-wait';

/**
 * The played state's TimeoutSeconds: the longest a real timer can run (a Task without one would time
 * out after 60 s). A real wait is cut a little before it, so the task itself never times out.
 */
const PLAYED_WAIT_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const MAX_REAL_WAIT_MS = (PLAYED_WAIT_TIMEOUT_SECONDS - 60) * 1000;

/** RFC 3339 as Step Functions takes it in a TimestampPath (the runtime's own check). */
const RFC3339 =
  /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.\d+)?(Z|(\+|-)([01][0-9]|2[0-3]):([0-5][0-9]))$/;

export interface PlayedDefinition {
  /** What the runner runs: the definition with each timestamp Wait played by a Task of the same name. */
  definition: StateMachineDefinition;
  /** The played states: state name ▶ its TimestampPath (simplePath parts). */
  waits: Map<string, string[]>;
}

/**
 * The definition with each Wait state whose TimestampPath is a plain `$.a.b` path played by the local
 * runner (see above). Other Wait states (Seconds, Timestamp, SecondsPath) are left to the library.
 * The definition given is not changed.
 */
export function playTimestampWaits(definition: StateMachineDefinition): PlayedDefinition {
  const played = structuredClone(definition);
  const waits = new Map<string, string[]>();
  const visit = (machine: Pick<StateMachineDefinition, 'States'>) => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (state.Type === 'Parallel') state.Branches.forEach(visit);
      if (state.Type === 'Map') {
        if (state.ItemProcessor) visit(state.ItemProcessor);
        if (state.Iterator) visit(state.Iterator);
      }
      if (state.Type !== 'Wait') continue;
      const path = simplePath((state as { TimestampPath?: string }).TimestampPath);
      if (!path) continue;
      const wait = state as unknown as Record<string, unknown>;
      const task: Record<string, unknown> = {
        Type: 'Task',
        Comment: `Played by the local runner: waits until ${wait.TimestampPath} by the stack's clock (lib/local/stepfunctions/timestamp-waits.ts).`,
        Resource: TIMESTAMP_WAIT_RESOURCE,
        ResultPath: null,
        TimeoutSeconds: PLAYED_WAIT_TIMEOUT_SECONDS,
      };
      for (const key of ['InputPath', 'OutputPath', 'Next', 'End'] as const) if (key in wait) task[key] = wait[key];
      (machine.States as Record<string, unknown>)[name] = task;
      waits.set(name, path);
    }
  };
  visit(played);
  return { definition: played, waits };
}

/** What the runner learns of an execution's waits. */
export interface WaitHooks {
  /** The execution waits until `at` (ms since the epoch) and cannot run before. */
  parked(state: string, at: number): void;
  /** The wait is over (the instant came, or the execution was stopped). */
  released(): void;
}

/**
 * The local functions that play one execution's timestamp waits, by state name: each reads its
 * TimestampPath from the state's input and returns (with null, discarded) once `clock` reaches it.
 */
export function timestampWaitHandlers(
  waits: ReadonlyMap<string, readonly string[]>,
  options: { clock: Clock; hooks: WaitHooks; signal: AbortSignal; label: string },
): Record<string, LocalTaskHandler> {
  const handlers: Record<string, LocalTaskHandler> = {};
  for (const [state, path] of waits) {
    handlers[state] = async (input) => {
      const timestamp = readPath(input, path);
      if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
        throw statesRuntimeError(
          `Path expression '$.${path.join('.')}' evaluated to ${JSON.stringify(timestamp) ?? 'nothing'}, but expected a timestamp conforming to the RFC3339 profile`,
        );
      }
      await waitUntil(Date.parse(timestamp), state, options);
      return null;
    };
  }
  return handlers;
}

function waitUntil(at: number, state: string, options: { clock: Clock; hooks: WaitHooks; signal: AbortSignal; label: string }): Promise<void> {
  const { clock, hooks, signal } = options;
  const remaining = at - clock.now().getTime();
  if (remaining <= 0 || signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let over = false;
    let cancel = () => {};
    const release = () => {
      if (over) return;
      over = true;
      signal.removeEventListener('abort', release);
      cancel();
      hooks.released();
      resolve();
    };
    if (isVirtualClock(clock)) {
      const timer = clock.schedule(at, release, `${options.label}: ${state}`);
      cancel = () => timer.cancel();
    } else {
      const timer = setTimeout(release, Math.min(remaining, MAX_REAL_WAIT_MS));
      cancel = () => clearTimeout(timer);
    }
    signal.addEventListener('abort', release, { once: true });
    hooks.parked(state, at);
  });
}

/** The error Step Functions fails an execution with when a path does not hold what the state needs. */
function statesRuntimeError(message: string): Error {
  // Neither retried nor caught, as the service treats States.Runtime.
  return Object.assign(new Error(message), { name: 'States.Runtime', retryable: false, catchable: false });
}
