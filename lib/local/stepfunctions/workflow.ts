/**
 * Step Functions on the laptop (docs/architecture.md#the-local-stack): the real
 * statemachines/case-lifecycle.asl.json, run by aws-local-stepfunctions. Nothing here decides anything
 * about a case; it only plays the part of the Step Functions service, from three parts:
 *
 * - task wiring (tasks.ts): each Task state calls the same handler code Lambda runs, across the same
 *   JSON boundary;
 * - the timestamp-wait mechanism (timestamp-waits.ts): a Wait state with a TimestampPath waits until
 *   that instant by the stack's clock, and on a virtual clock until the clock is moved there;
 * - the execution registry (executions.ts): what each execution did, for tests and tools.
 *
 * `starter.startCase(caseId, { generation })` starts an execution named after the case (`<caseId>`, or
 * `<caseId>-g<n>` for a later generation of its SLA loop); a second start with the same name is
 * ignored, as StartExecution's ExecutionAlreadyExists is by the AWS adapter. Each execution runs in
 * the background. Other processes start executions through the loopback endpoint (endpoint.ts).
 */
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { Clock } from '../../../functions/core/ports/clock.js';
import type { WorkflowStarter } from '../../../functions/core/ports/workflow.js';
import { workflowExecutionInput, workflowExecutionName } from '../../../functions/core/workflow-execution.js';
import type { AppDeps } from '../../../functions/composition/deps.js';
import { isVirtualClock } from '../virtual-clock.js';
import type { StateMachineDefinition } from './definition.js';
import { executionContext, loadCaseLifecycleDefinition } from './definition.js';
import type { Execution, ExecutionEvent, ExecutionInput, ExecutionRecord, ExecutionStatus } from './executions.js';
import { causeOf, makeExecutionRegistry } from './executions.js';
import type { LocalTaskHandler, RetryIntervalOverrides } from './tasks.js';
import { expandRetryOverrides, localTaskHandlers, taskPlaceholders } from './tasks.js';
import { playTimestampWaits, timestampWaitHandlers } from './timestamp-waits.js';

export interface LocalWorkflowOptions {
  /**
   * What the task handlers are built from, on the first start (a Lambda cold start). A function
   * breaks the cycle when `deps.workflow` is this workflow's own starter.
   */
  deps: AppDeps | (() => AppDeps);
  /** Defaults to loadCaseLifecycleDefinition(): the real ASL file. */
  definition?: StateMachineDefinition;
  /**
   * Milliseconds before each retry instead of the ASL's backoff: per state name (a number, or one
   * per retrier), or one number for every state that has a Retry. Tests use this to keep retries fast.
   */
  retryIntervalOverrides?: RetryIntervalOverrides | number;
  /**
   * The clock a Wait state's TimestampPath is measured against (default: the deps' clock). With a
   * virtual clock (lib/local/virtual-clock.ts) waits end when the clock is advanced past them, and the
   * clock, when it settles, waits until every running execution is parked in a wait.
   */
  clock?: Clock;
  /** How long waitFor() waits for an execution before giving up (default 30 s). */
  waitForTimeoutMs?: number;
}

export interface LocalWorkflow {
  /** Give this to AppDeps as `workflow`: StartExecution, named after the case. */
  starter: WorkflowStarter;
  /**
   * Resolves with the execution (by name: the case id, or `<caseId>-g<n>`) once it has finished,
   * waiting for it to start, too; with `until`, as soon as it has entered that state (an execution
   * that ends without entering it resolves too: check its states). Rejects after the timeout.
   */
  waitFor(name: string, options?: { timeoutMs?: number; until?: string }): Promise<ExecutionRecord>;
  /** Resolves once no execution is running. */
  idle(): Promise<void>;
  /** Every execution started so far, in start order. */
  executions(): ExecutionRecord[];
  /** The status of the execution of that name, or undefined if there is none. */
  statusOf(name: string): ExecutionStatus | undefined;
  /** Aborts the running executions and refuses new ones. */
  stop(): Promise<void>;
}

/** Step Functions' rule for execution names (we use ULIDs, which always pass). */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function makeLocalWorkflow(options: LocalWorkflowOptions): LocalWorkflow {
  const source = options.definition ?? loadCaseLifecycleDefinition();
  const tasks = taskPlaceholders(source);
  const played = playTimestampWaits(source);
  const machine = validatedStateMachine(played.definition);
  const retryIntervalOverrides = expandRetryOverrides(source, options.retryIntervalOverrides);
  const registry = makeExecutionRegistry();
  let stopped = false;

  // Resolved on the first start: the deps may be a function of this very workflow.
  let deps: AppDeps | undefined;
  const depsOf = () => (deps ??= typeof options.deps === 'function' ? options.deps() : options.deps);
  let clock: Clock | undefined;
  const clockOf = (): Clock => {
    if (clock) return clock;
    clock = options.clock ?? depsOf().clock;
    if (isVirtualClock(clock)) {
      // The virtual clock settles only when every running execution waits for a later instant.
      const tracked = clock.track({ settled: () => registry.allParked(), describe: () => registry.describeBusy() });
      registry.onChange(tracked.changed);
    }
    return clock;
  };
  let handlers: Record<string, LocalTaskHandler> | undefined;
  const taskHandlers = () => (handlers ??= tasks.size > 0 ? localTaskHandlers(tasks, depsOf()) : {});

  function start(name: string, input: ExecutionInput): void {
    clockOf();
    const execution = registry.add(name, input);
    // StartExecution returns before the first state runs.
    setImmediate(() => {
      execute(execution).catch((error: unknown) => registry.finish(execution, 'FAILED', { error: { error: 'LocalRuntimeError', cause: causeOf(error) } }));
    });
  }

  async function execute(execution: Execution): Promise<void> {
    const { record } = execution;
    if (stopped) return registry.finish(execution, 'ABORTED', {}, true);
    const stopWaits = new AbortController();
    let run: ReturnType<StateMachine['run']>;
    try {
      const waits = timestampWaitHandlers(played.waits, {
        clock: clockOf(),
        signal: stopWaits.signal,
        label: `execution ${record.name}`,
        hooks: { parked: (state, at) => registry.park(execution, state, at), released: () => registry.unpark(execution) },
      });
      run = machine.run(record.input as unknown as Parameters<StateMachine['run']>[0], {
        overrides: {
          taskResourceLocalHandlers: { ...taskHandlers(), ...waits },
          ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
        },
        noThrowOnAbort: true,
        context: executionContext(record.name),
      });
    } catch (error) {
      registry.finish(execution, 'FAILED', { error: { error: (error as Error).name ?? 'Error', cause: (error as Error).message } });
      return;
    }
    execution.abort = () => {
      run.abort();
      stopWaits.abort();
    };

    const consumed = (async () => {
      for await (const event of run.eventLogs) registry.record(execution, asWritten(event, played.waits));
    })();
    try {
      const output = await run.result;
      await consumed;
      if (output === null && record.history.some((e) => e.type === 'ExecutionAborted')) registry.finish(execution, 'ABORTED', {}, stopped);
      else registry.finish(execution, 'SUCCEEDED', { output });
    } catch (error) {
      await consumed.catch(() => undefined);
      if (error instanceof ExecutionTimeoutError) registry.finish(execution, 'TIMED_OUT', { error: { error: 'States.Timeout', cause: error.message } });
      else if (error instanceof ExecutionAbortedError) registry.finish(execution, 'ABORTED', {}, stopped);
      else {
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
        registry.finish(execution, 'FAILED', { error: { error: cause?.name ?? 'Error', cause: causeOf(cause) } });
      }
    } finally {
      // However it ended, a wait it was parked in ends with it.
      stopWaits.abort();
    }
  }

  const starter: WorkflowStarter = {
    async startCase(caseId, startOptions = {}) {
      if (stopped) throw new Error('the local workflow has been stopped');
      const name = workflowExecutionName(caseId, startOptions.generation);
      if (!EXECUTION_NAME.test(name)) {
        throw Object.assign(new Error(`invalid execution name ${JSON.stringify(name)}`), { name: 'InvalidName' });
      }
      // ExecutionAlreadyExists, which the AWS starter treats as success.
      if (registry.get(name)) return;
      start(name, workflowExecutionInput(caseId, startOptions.generation));
    },
  };

  return {
    starter,
    waitFor: (name, { timeoutMs = options.waitForTimeoutMs ?? 30_000, until } = {}) => registry.waitFor(name, { timeoutMs, ...(until ? { until } : {}) }),
    idle: () => registry.idle(),
    executions: () => registry.executions(),
    statusOf: (name) => registry.statusOf(name),
    async stop() {
      stopped = true;
      const running = registry.running();
      for (const e of running) e.abort?.();
      await Promise.all(running.map((e) => e.done));
    },
  };
}

/** A played wait's events name the state's type as the definition does (Wait), not as it is played (Task). */
function asWritten(event: ExecutionEvent, waits: ReadonlyMap<string, unknown>): ExecutionEvent {
  if (!('state' in event) || !waits.has(event.state.name) || event.state.type !== 'Task') return event;
  return { ...event, state: { ...event.state, type: 'Wait' } } as ExecutionEvent;
}

/** Definitions the library's validator (asl-validator, ~1 s a time) has already accepted, by their JSON. */
const validated = new Set<string>();

/** Validates the ASL before anything runs, once per distinct definition in this process. */
function validatedStateMachine(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition);
  if (validated.has(key)) return new StateMachine(definition, { validationOptions: { noValidate: true } });
  const machine = new StateMachine(definition);
  validated.add(key);
  return machine;
}
