/**
 * Step Functions on the laptop: the real statemachines/case-lifecycle.asl.json (the file CDK
 * deploys), run by aws-local-stepfunctions, with every Task state calling the same handler code
 * Lambda runs (`createHandler(deps)` of functions/handlers/workflow-*.ts). Nothing here decides
 * anything about a case; it only plays the part of the Step Functions service:
 *
 * - `startCase(caseId, { generation })` starts an execution named after the case (`<caseId>`, or
 *   `<caseId>-g<n>` for a later generation of its SLA loop); a second start with the same name is
 *   ignored, as StartExecution's ExecutionAlreadyExists is by the AWS adapter.
 * - a Wait state with a TimestampPath waits until that instant by the deps' clock (the library would
 *   use Date.now() and a single setTimeout, which cannot wait more than 24.8 days).
 * - each execution runs in the background; its path (states entered, retries, catches), output and
 *   error are recorded from the library's own event log, so a test can assert the path taken.
 * - handler results and errors cross a JSON boundary exactly as they do through Lambda: results
 *   are serialised, and a thrown error becomes Error = its `name` and Cause = the runtime's
 *   `{ errorType, errorMessage, trace }` JSON.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Clock, WorkflowStarter } from '../../functions/core/ports.js';
import { workflowExecutionInput, workflowExecutionName } from '../../functions/core/ports.js';
import { createHandler as createFailedHandler } from '../../functions/handlers/workflow-failed.js';
import { createHandler as createRouteHandler } from '../../functions/handlers/workflow-route.js';
import { createHandler as createStampHandler } from '../../functions/handlers/workflow-stamp.js';
import { createHandler as createScheduleSlaHandler } from '../../functions/handlers/workflow-schedule-sla.js';
import { createHandler as createEvaluateSlaHandler } from '../../functions/handlers/workflow-evaluate-sla.js';
import { createHandler as createContinueSlaHandler } from '../../functions/handlers/workflow-continue-sla.js';
import type { AppDeps } from '../../functions/composition/deps.js';
import { logger } from '../../functions/runtime/observability.js';
import { CASE_LIFECYCLE_ASL_PATH } from '../paths.js';

type Run = ReturnType<StateMachine['run']>;
/** One entry of the library's execution event log (the type is not exported by name). */
export type ExecutionEvent = Run['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type JsonValue = Parameters<StateMachine['run']>[0];
type Overrides = NonNullable<RunOptions['overrides']>;
export type WaitTimeOverrides = NonNullable<Overrides['waitTimeOverrides']>;
export type RetryIntervalOverrides = NonNullable<Overrides['retryIntervalOverrides']>;

/** A task function as a handler module's `createHandler(deps)` returns it. */
export type TaskFunction = (event: unknown) => Promise<unknown>;

/**
 * The local stand-in for each `${...FunctionArn}` placeholder of the ASL file: the handler module
 * whose function CDK substitutes there (lib/workflow.ts LIFECYCLE_TASK_HANDLERS). A placeholder
 * missing here fails makeLocalWorkflow at once rather than letting a Task call real AWS Lambda.
 */
export const LOCAL_TASK_HANDLERS: Readonly<Record<string, (deps: AppDeps) => TaskFunction>> = {
  StampFunctionArn: createStampHandler,
  RouteFunctionArn: createRouteHandler,
  FailedFunctionArn: createFailedHandler,
  ScheduleSlaFunctionArn: createScheduleSlaHandler,
  EvaluateSlaFunctionArn: createEvaluateSlaHandler,
  ContinueSlaFunctionArn: createContinueSlaHandler,
};

const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT = '000000000000';
/** The local state machine, as executions' context names it and the local Step Functions endpoint accepts it. */
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:caseflow-local-lifecycle`;
const executionArn = (name: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:caseflow-local-lifecycle:${name}`;

/** The fake Lambda ARN a placeholder becomes locally (valid ARN syntax, which the validator checks). */
export function localFunctionArn(placeholder: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:caseflow-local-${placeholder}`;
}

/**
 * Reads the case-lifecycle ASL and replaces each `${Name}` as CloudFormation's
 * DefinitionSubstitutions does: with `substitutions[Name]`, or else the local fake ARN.
 */
export function loadCaseLifecycleDefinition(
  substitutions: Readonly<Record<string, string>> = {},
  path: string = CASE_LIFECYCLE_ASL_PATH,
): StateMachineDefinition {
  const text = readFileSync(path, 'utf8').replace(/\$\{([A-Za-z0-9_]+)\}/g, (_, name: string) =>
    // Substituted inside JSON strings: escape like a JSON string body.
    JSON.stringify(substitutions[name] ?? localFunctionArn(name)).slice(1, -1),
  );
  return JSON.parse(text) as StateMachineDefinition;
}

type AnyState = StateMachineDefinition['States'][string];

/** Every state of a definition, including those inside Parallel branches and Map iterators. */
function allStates(definition: Pick<StateMachineDefinition, 'States'>): [string, AnyState][] {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested: Pick<StateMachineDefinition, 'States'>[] = [];
    if (state.Type === 'Parallel') nested.push(...state.Branches);
    if (state.Type === 'Map') {
      if (state.ItemProcessor) nested.push(state.ItemProcessor);
      if (state.Iterator) nested.push(state.Iterator);
    }
    return [[name, state] as [string, AnyState], ...nested.flatMap(allStates)];
  });
}

/** Task state name ▶ the placeholder of LOCAL_TASK_HANDLERS it calls; throws for any other Resource. */
export function taskPlaceholders(definition: StateMachineDefinition): Map<string, string> {
  const byArn = new Map(Object.keys(LOCAL_TASK_HANDLERS).map((p) => [localFunctionArn(p), p]));
  const tasks = new Map<string, string>();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const placeholder = byArn.get(state.Resource);
    if (!placeholder) {
      throw new Error(`Task state ${name} calls ${state.Resource}, which has no local handler (lib/local/stepfunctions.ts LOCAL_TASK_HANDLERS)`);
    }
    tasks.set(name, placeholder);
  }
  return tasks;
}

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
  /** Milliseconds a Wait state pauses instead of its Seconds/Timestamp, per state; or chosen per execution. */
  waitTimeOverrides?: WaitTimeOverrides | ((execution: { name: string; input: ExecutionInput }) => WaitTimeOverrides | undefined);
  /**
   * The clock a Wait state's TimestampPath is measured against (default: the deps' clock). A test
   * with a fixed clock then waits exactly as long as the workflow means to, not until a stale
   * timestamp has passed in real time.
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
   * parked in WaitForSlaDeadline is running, not finished) or finished, whichever comes first.
   */
  waitFor(name: string, options?: { timeoutMs?: number; until?: string }): Promise<ExecutionRecord>;
  /** Resolves once no execution is running. */
  idle(): Promise<void>;
  /** Every execution so far, oldest first (snapshots). */
  executions(): ExecutionRecord[];
  /** The status of one execution by name, without copying anything; undefined when there is none. */
  statusOf(name: string): ExecutionStatus | undefined;
  /** Aborts running executions and refuses new ones. */
  stop(): Promise<void>;
}

/** Step Functions' rule for execution names (we use ULIDs, which always pass). */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** What the Lambda runtime turns a thrown error into: Error = errorType, Cause = this JSON. */
class LambdaFunctionError extends Error {
  constructor(errorType: string, payload: { errorType: string; errorMessage: string; trace: string[] }) {
    super(JSON.stringify(payload));
    this.name = errorType;
  }
}

function asLambdaError(error: unknown): LambdaFunctionError {
  const e = error instanceof Error ? error : new Error(String(error));
  const errorType = e.name || 'Error';
  return new LambdaFunctionError(errorType, { errorType, errorMessage: e.message, trace: (e.stack ?? '').split('\n') });
}

/** Through Lambda, input and result are JSON: undefined fields vanish, an undefined result is null. */
const jsonRoundTrip = (value: unknown): JsonValue => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue));

function causeOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.message;
  return value === undefined ? '' : JSON.stringify(value);
}

interface Entry {
  record: ExecutionRecord;
  done: Promise<ExecutionRecord>;
  abort?: () => void;
  /** Called on every recorded event (waitFor's `until`). */
  listeners: Set<() => void>;
}

/** The last value each task wrote at its ResultPath, per execution: what a Wait's TimestampPath reads. */
type Shadow = Record<string, unknown>;

/** `$.a.b` ▶ ['a', 'b']; undefined for anything fancier (the library's own timing then applies). */
function simplePath(path: string | undefined): string[] | undefined {
  if (!path || !/^\$(\.[A-Za-z0-9_]+)+$/.test(path)) return undefined;
  return path.slice(2).split('.');
}

function readPath(doc: Shadow, path: string[]): unknown {
  let value: unknown = doc;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** setTimeout's limit: a longer wait is cut here, and the workflow re-reads the case and waits again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function makeLocalWorkflow(options: LocalWorkflowOptions): LocalWorkflow {
  const definition = options.definition ?? loadCaseLifecycleDefinition();
  const machine = validatedStateMachine(definition);
  const tasks = taskPlaceholders(definition);
  const retryIntervalOverrides = expandRetryOverrides(definition, options.retryIntervalOverrides);
  // Task state ▶ its ResultPath (`$.sla` ▶ ['sla']); Wait state ▶ its TimestampPath.
  const resultPaths = new Map<string, string[]>();
  const timestampWaits = new Map<string, string[]>();
  for (const [name, state] of allStates(definition)) {
    if (state.Type === 'Task') {
      const path = simplePath((state as { ResultPath?: string }).ResultPath);
      if (path) resultPaths.set(name, path);
    }
    if (state.Type === 'Wait') {
      const path = simplePath((state as { TimestampPath?: string }).TimestampPath);
      if (path) timestampWaits.set(name, path);
    }
  }
  let clock: Clock | undefined = options.clock;

  let handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> | undefined;
  const localHandlers = () => {
    if (handlers) return handlers;
    const deps = typeof options.deps === 'function' ? options.deps() : options.deps;
    clock ??= deps.clock;
    const built: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    const functions = new Map<string, TaskFunction>();
    for (const [stateName, placeholder] of tasks) {
      // One function per placeholder, as one Lambda function serves every state that names it.
      let fn = functions.get(placeholder);
      if (!fn) functions.set(placeholder, (fn = LOCAL_TASK_HANDLERS[placeholder]!(deps)));
      const task = fn;
      built[stateName] = async (input) => {
        let result: unknown;
        try {
          result = await task(jsonRoundTrip(input));
        } catch (error) {
          throw asLambdaError(error);
        }
        return jsonRoundTrip(result);
      };
    }
    return (handlers = built);
  };

  const entries = new Map<string, Entry>();
  const startWaiters = new Map<string, (() => void)[]>();
  let stopped = false;

  function start(name: string, input: ExecutionInput): void {
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
    const entry: Entry = { record, done: undefined as unknown as Promise<ExecutionRecord>, listeners: new Set() };
    entry.done = new Promise<ExecutionRecord>((resolve) => {
      // StartExecution returns before the first state runs.
      setImmediate(() => {
        execute(entry)
          .catch((error: unknown) => finish(record, 'FAILED', { error: { error: 'LocalRuntimeError', cause: causeOf(error) } }))
          .then(() => {
            for (const listener of entry.listeners) listener();
            resolve(record);
          });
      });
    });
    entries.set(name, entry);
    for (const wake of startWaiters.get(name) ?? []) wake();
    startWaiters.delete(name);
  }

  async function execute(entry: Entry): Promise<void> {
    const { record } = entry;
    if (stopped) return finish(record, 'ABORTED', {});
    let run: Run;
    try {
      const waits =
        typeof options.waitTimeOverrides === 'function' ? options.waitTimeOverrides({ name: record.name, input: record.input }) : options.waitTimeOverrides;
      // Each task's result is kept where its ResultPath puts it, so a Wait's TimestampPath can be read
      // when the library asks for the override (a getter, read at every visit of the state).
      const shadow: Shadow = {};
      const shared = localHandlers();
      const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
      for (const [stateName, fn] of Object.entries(shared)) {
        handlers[stateName] = async (input) => {
          const result = await fn(input);
          const path = resultPaths.get(stateName);
          if (path) {
            let target = shadow;
            for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Shadow;
            target[path[path.length - 1]!] = result;
          }
          return result;
        };
      }
      const waitOverrides: WaitTimeOverrides = { ...waits };
      for (const [stateName, path] of timestampWaits) {
        if (waits && stateName in waits) continue;
        Object.defineProperty(waitOverrides, stateName, {
          enumerable: true,
          get: () => {
            const at = readPath(shadow, path);
            if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
            const now = (clock ?? { now: () => new Date() }).now().getTime();
            return Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(at) - now));
          },
        });
      }
      run = machine.run(record.input as unknown as JsonValue, {
        overrides: {
          taskResourceLocalHandlers: handlers,
          waitTimeOverrides: waitOverrides,
          ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
        },
        noThrowOnAbort: true,
        context: {
          Execution: { Id: executionArn(record.name), Name: record.name },
          StateMachine: { Id: LOCAL_STATE_MACHINE_ARN, Name: 'caseflow-local-lifecycle' },
        },
      });
    } catch (error) {
      finish(record, 'FAILED', { error: { error: (error as Error).name ?? 'Error', cause: (error as Error).message } });
      return;
    }
    entry.abort = run.abort;

    const consumed = (async () => {
      for await (const event of run.eventLogs) recordEvent(entry, event);
    })();
    try {
      const output = await run.result;
      await consumed;
      if (output === null && record.history.some((e) => e.type === 'ExecutionAborted')) finish(record, 'ABORTED', {});
      else finish(record, 'SUCCEEDED', { output });
    } catch (error) {
      await consumed.catch(() => undefined);
      if (error instanceof ExecutionTimeoutError) finish(record, 'TIMED_OUT', { error: { error: 'States.Timeout', cause: error.message } });
      else if (error instanceof ExecutionAbortedError) finish(record, 'ABORTED', {});
      else {
        const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
        finish(record, 'FAILED', { error: { error: cause?.name ?? 'Error', cause: causeOf(cause) } });
      }
    }
  }

  function finish(record: ExecutionRecord, status: ExecutionStatus, outcome: { output?: unknown; error?: { error: string; cause: string } }): void {
    record.status = status;
    record.stoppedAt = new Date().toISOString();
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
    } else if (status === 'ABORTED' && !stopped) {
      // Stopping the stack aborts every execution parked in a Wait: expected, not worth a warning.
      logger.warn('local workflow execution aborted', { execution: record.name, states: record.states });
    }
  }

  function recordEvent(entry: Entry, event: ExecutionEvent): void {
    const { record } = entry;
    record.history.push(event);
    queueMicrotask(() => {
      for (const listener of entry.listeners) listener();
    });
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
  }

  const snapshot = (r: ExecutionRecord): ExecutionRecord => ({
    ...r,
    states: [...r.states],
    retries: [...r.retries],
    failures: [...r.failures],
    caught: [...r.caught],
    history: [...r.history],
  });

  const starter: WorkflowStarter = {
    async startCase(caseId, startOptions = {}) {
      if (stopped) throw new Error('the local workflow has been stopped');
      const name = workflowExecutionName(caseId, startOptions.generation);
      if (!EXECUTION_NAME.test(name)) {
        throw Object.assign(new Error(`invalid execution name ${JSON.stringify(name)}`), { name: 'InvalidName' });
      }
      // ExecutionAlreadyExists, which the AWS starter treats as success.
      if (entries.has(name)) return;
      start(name, workflowExecutionInput(caseId, startOptions.generation));
    },
  };

  return {
    starter,

    async waitFor(caseId, { timeoutMs = options.waitForTimeoutMs ?? 30_000, until } = {}) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const r = entries.get(caseId)?.record;
          reject(
            new Error(
              r
                ? `execution ${caseId} still ${r.status} after ${timeoutMs} ms; states so far: ${r.states.join(' ▶ ') || '(none)'}`
                : `no execution named ${caseId} started within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      });
      const started = async () => {
        if (!entries.has(caseId)) {
          await new Promise<void>((wake) => startWaiters.set(caseId, [...(startWaiters.get(caseId) ?? []), wake]));
        }
        const entry = entries.get(caseId)!;
        if (!until) return entry.done;
        // Resolves at the first sign of the state (or the end), checked on every recorded event.
        return new Promise<ExecutionRecord>((resolve) => {
          const check = () => {
            if (entry.record.status !== 'RUNNING' || entry.record.states.includes(until)) {
              entry.listeners.delete(check);
              resolve(entry.record);
            }
          };
          entry.listeners.add(check);
          check();
        });
      };
      try {
        return snapshot(await Promise.race([started(), timedOut]));
      } finally {
        clearTimeout(timer);
      }
    },

    async idle() {
      for (;;) {
        const running = [...entries.values()].filter((e) => e.record.status === 'RUNNING');
        if (running.length === 0) return;
        await Promise.all(running.map((e) => e.done));
      }
    },

    executions() {
      return [...entries.values()].map((e) => snapshot(e.record));
    },

    statusOf(name) {
      return entries.get(name)?.record.status;
    },

    async stop() {
      stopped = true;
      const running = [...entries.values()].filter((e) => e.record.status === 'RUNNING');
      for (const e of running) e.abort?.();
      await Promise.all(running.map((e) => e.done));
    },
  };
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

function lastFailureOf(record: ExecutionRecord, state: string): StateError | undefined {
  for (let i = record.failures.length - 1; i >= 0; i--) if (record.failures[i]!.state === state) return record.failures[i];
  return undefined;
}

/** One number for every state that has a Retry, or the per-state map as given. */
function expandRetryOverrides(definition: StateMachineDefinition, overrides: RetryIntervalOverrides | number | undefined): RetryIntervalOverrides | undefined {
  if (typeof overrides !== 'number') return overrides;
  const expanded: RetryIntervalOverrides = {};
  for (const [name, state] of allStates(definition)) {
    if ('Retry' in state && state.Retry && state.Retry.length > 0) expanded[name] = overrides;
  }
  return expanded;
}

// ---------------------------------------------------------------------------------------------
// StartExecution over HTTP, for processes other than the stack's own

export interface StepFunctionsEndpoint {
  /** `http://127.0.0.1:<port>`: give it to an SFNClient as `endpoint`. */
  endpoint: string;
  stateMachineArn: string;
  close(): Promise<void>;
}

/** The AWS JSON 1.0 error Step Functions answers with, which the SDK turns into an error of that name. */
class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one Step Functions action other local processes need, StartExecution, served on loopback in
 * the protocol the AWS SDK speaks (AWS JSON 1.0), so they start a case's workflow in the running
 * stack through the very adapter Lambda uses (functions/adapters/step-functions.ts) — `npm run
 * redrive` does, as its AWS counterpart starts executions by invoking the intake function. Same
 * rules as the service: the execution's name is the case's (`<caseId>`, `<caseId>-g<n>`), a second
 * start while it runs returns the running one, and a name whose execution has ended answers
 * ExecutionAlreadyExists (which the adapter takes as "already started").
 */
export async function startStepFunctionsEndpoint(
  workflow: Pick<LocalWorkflow, 'starter' | 'statusOf'>,
  options: { port?: number } = {},
): Promise<StepFunctionsEndpoint> {
  async function startExecution(request: { stateMachineArn?: unknown; name?: unknown; input?: unknown }): Promise<unknown> {
    if (request.stateMachineArn !== LOCAL_STATE_MACHINE_ARN) {
      throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(request.stateMachineArn)}'`);
    }
    let input: ExecutionInput;
    try {
      input = JSON.parse(typeof request.input === 'string' ? request.input : '{}') as ExecutionInput;
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    if (typeof input?.caseId !== 'string' || (input.generation !== undefined && (!Number.isInteger(input.generation) || input.generation < 1))) {
      throw new SfnError('InvalidExecutionInput', 'the input must be { caseId } or { caseId, generation }');
    }
    const name = workflowExecutionName(input.caseId, input.generation);
    if (request.name !== name) throw new SfnError('InvalidName', `an execution of case ${input.caseId} is named ${name}`);
    const before = workflow.statusOf(name);
    if (before !== undefined && before !== 'RUNNING') throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn(name)}'`);
    await workflow.starter.startCase(input.caseId, input.generation === undefined ? {} : { generation: input.generation });
    return { executionArn: executionArn(name), startDate: Date.now() / 1000 };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 256 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      (async () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (req.method !== 'POST' || target !== 'AWSStepFunctions.StartExecution') {
          throw new SfnError('UnknownOperationException', `only StartExecution is served here, not ${target || req.method}`);
        }
        if (size > 256 * 1024) throw new SfnError('ValidationException', 'the request is larger than 256 KB');
        let request: Record<string, unknown>;
        try {
          request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new SfnError('SerializationException', 'the body is not JSON');
        }
        return startExecution(request);
      })().then(
        (body) => answer(200, body),
        (error: unknown) =>
          error instanceof SfnError
            ? answer(400, { __type: error.type, message: error.message })
            : answer(500, { __type: 'InternalFailure', message: (error as Error).message }),
      );
    });
  });
  // Loopback only, whatever host the gateway uses: this starts workflows without a token.
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      done();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
