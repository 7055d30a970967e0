/**
 * The execution registry: every execution the local workflow has started, by name, with what it did.
 * Its path (states entered, retries, catches), output and error are recorded from the library's own
 * event log, so a test can assert the path taken; `waitFor` lets it wait for an execution to reach a
 * state or to end. An execution parked in a timestamp wait is known as such, which is what the
 * virtual clock's idea of "settled" reads.
 */
import type { StateMachine } from 'aws-local-stepfunctions';
import { logger } from '../../../functions/runtime/observability.js';

type Run = ReturnType<StateMachine['run']>;
/** One entry of the library's execution event log (the type is not exported by name). */
export type ExecutionEvent = Run['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface StateError {
  state: string;
  error: string;
  cause: string;
}

/** What an execution starts with: the case, and for a later generation of its SLA loop, which one. */
export interface ExecutionInput {
  caseId: string;
  generation?: number;
}

export interface ExecutionRecord {
  /** The execution name: the case id, or `<caseId>-g<n>` for generation n ≥ 2. */
  name: string;
  input: ExecutionInput;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  /**
   * Every state entered, in order (the library's StateEntered events). A retried state appears
   * once; its retries are in `retries`.
   */
  states: string[];
  /** Each retry: the state, the error that triggered it, and the retrier's attempt number (1-based). */
  retries: { state: string; error: string; attempt: number }[];
  /** Each error a state raised, whether it was then retried, caught or fatal. */
  failures: StateError[];
  /** Each error a Catch handled, and the state it went on to. */
  caught: { state: string; error: string; next: string }[];
  /** The execution's output (SUCCEEDED). */
  output?: unknown;
  /** The execution's error (FAILED). */
  error?: { error: string; cause: string };
  /** The raw event log, for anything the summary above leaves out. */
  history: ExecutionEvent[];
}

/** One execution as the registry holds it. */
export interface Execution {
  readonly record: ExecutionRecord;
  /** Resolves with the record once the execution has ended. */
  readonly done: Promise<ExecutionRecord>;
  /** Stops it (set once it runs). */
  abort?: () => void;
  /** While parked in a timestamp wait: the state and the instant (ms) it waits for. */
  parked?: { state: string; at: number };
}

export interface ExecutionRegistry {
  /** Registers a new execution, RUNNING from now (StartExecution returns before its first state runs). */
  add(name: string, input: ExecutionInput): Execution;
  get(name: string): Execution | undefined;
  /** Records one event of the execution's log. */
  record(execution: Execution, event: ExecutionEvent): void;
  /** Ends the execution (once; later calls are ignored). `expected`: an abort nobody needs to hear of (the stack stopping). */
  finish(
    execution: Execution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    outcome?: { output?: unknown; error?: { error: string; cause: string } },
    expected?: boolean,
  ): void;
  park(execution: Execution, state: string, at: number): void;
  unpark(execution: Execution): void;
  /** Every running execution is parked in a timestamp wait: nothing runs until a wait ends. */
  allParked(): boolean;
  /** The running executions that are not parked, and where they are, for an error message. */
  describeBusy(): string;
  /** Called after every change: a start, an event, a park or release, an end. Returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** See LocalWorkflow.waitFor. */
  waitFor(name: string, options: { timeoutMs: number; until?: string }): Promise<ExecutionRecord>;
  /** Resolves once no execution is running. */
  idle(): Promise<void>;
  running(): Execution[];
  executions(): ExecutionRecord[];
  statusOf(name: string): ExecutionStatus | undefined;
}

export function makeExecutionRegistry(): ExecutionRegistry {
  const entries = new Map<string, Execution & { resolve: (record: ExecutionRecord) => void }>();
  const startWaiters = new Map<string, (() => void)[]>();
  const listeners = new Set<() => void>();

  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  const onChange = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  const running = () => [...entries.values()].filter((e) => e.record.status === 'RUNNING');

  return {
    add(name, input) {
      if (entries.has(name)) throw new Error(`an execution named ${name} exists`);
      const record: ExecutionRecord = {
        name,
        input,
        status: 'RUNNING',
        startedAt: new Date().toISOString(),
        states: [],
        retries: [],
        failures: [],
        caught: [],
        history: [],
      };
      let resolve!: (record: ExecutionRecord) => void;
      const done = new Promise<ExecutionRecord>((r) => (resolve = r));
      const entry = { record, done, resolve };
      entries.set(name, entry);
      for (const wake of startWaiters.get(name) ?? []) wake();
      startWaiters.delete(name);
      changed();
      return entry;
    },

    get: (name) => entries.get(name),

    record(execution, event) {
      const { record } = execution;
      record.history.push(event);
      switch (event.type) {
        case 'StateEntered':
          record.states.push(event.state.name);
          break;
        case 'StateFailed':
          record.failures.push({ state: event.state.name, error: event.Error, cause: causeOf(event.Cause) });
          break;
        case 'StateRetried': {
          const last = lastFailureOf(record, event.state.name);
          record.retries.push({ state: event.state.name, error: last?.error ?? 'unknown', attempt: event.retry.attempt });
          break;
        }
        case 'StateCaught': {
          const last = lastFailureOf(record, event.state.name);
          record.caught.push({ state: event.state.name, error: last?.error ?? 'unknown', next: event.catch.catcher.Next });
          logger.warn('local workflow step failed after its retries; caught', {
            execution: record.name,
            state: event.state.name,
            error: last?.error,
            cause: last?.cause,
            next: event.catch.catcher.Next,
          });
          break;
        }
        default:
          break;
      }
      changed();
    },

    finish(execution, status, outcome = {}, expected = false) {
      const { record } = execution;
      if (record.status !== 'RUNNING') return;
      record.status = status;
      record.stoppedAt = new Date().toISOString();
      execution.parked = undefined;
      if (outcome.output !== undefined) record.output = outcome.output;
      if (outcome.error) record.error = outcome.error;
      if (status === 'FAILED' || status === 'TIMED_OUT') {
        logger.error('local workflow execution failed', {
          execution: record.name,
          status,
          error: record.error?.error,
          cause: record.error?.cause,
          states: record.states,
        });
      } else if (status === 'ABORTED' && !expected) {
        logger.warn('local workflow execution aborted', { execution: record.name, states: record.states });
      }
      changed();
      entries.get(record.name)?.resolve(record);
    },

    park(execution, state, at) {
      execution.parked = { state, at };
      changed();
    },

    unpark(execution) {
      execution.parked = undefined;
      changed();
    },

    allParked: () => running().every((e) => e.parked !== undefined),

    describeBusy() {
      const busy = running().filter((e) => !e.parked);
      return busy.length === 0
        ? 'every execution is parked in a wait'
        : `execution(s) still running: ${busy.map((e) => `${e.record.name} in ${e.record.states.at(-1) ?? '(not started)'}`).join(', ')}`;
    },

    onChange,

    async waitFor(name, { timeoutMs, until }) {
      let timer: NodeJS.Timeout | undefined;
      const unsubscribe: (() => void)[] = [];
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const r = entries.get(name)?.record;
          reject(
            new Error(
              r
                ? `execution ${name} still ${r.status} after ${timeoutMs} ms; states so far: ${r.states.join(' ▶ ') || '(none)'}`
                : `no execution named ${name} started within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      });
      const reached = async () => {
        if (!entries.has(name)) {
          await new Promise<void>((wake) => startWaiters.set(name, [...(startWaiters.get(name) ?? []), wake]));
        }
        const entry = entries.get(name)!;
        if (!until) return entry.done;
        // Resolves at the first sign of the state (or the end), checked on every change.
        return new Promise<ExecutionRecord>((resolve) => {
          const check = () => {
            if (entry.record.status !== 'RUNNING' || entry.record.states.includes(until)) resolve(entry.record);
          };
          unsubscribe.push(onChange(check));
          check();
        });
      };
      try {
        return snapshot(await Promise.race([reached(), timedOut]));
      } finally {
        clearTimeout(timer);
        for (const u of unsubscribe) u();
      }
    },

    async idle() {
      for (let now = running(); now.length > 0; now = running()) await Promise.all(now.map((e) => e.done));
    },

    running,
    executions: () => [...entries.values()].map((e) => snapshot(e.record)),
    statusOf: (name) => entries.get(name)?.record.status,
  };
}

const snapshot = (r: ExecutionRecord): ExecutionRecord => ({
  ...r,
  states: [...r.states],
  retries: [...r.retries],
  failures: [...r.failures],
  caught: [...r.caught],
  history: [...r.history],
});

function lastFailureOf(record: ExecutionRecord, state: string): StateError | undefined {
  for (let i = record.failures.length - 1; i >= 0; i--) if (record.failures[i]!.state === state) return record.failures[i];
  return undefined;
}

export function causeOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  return value === undefined ? '' : JSON.stringify(value);
}
