/**
 * Task wiring: which local function plays each Task state of the definition. Every Task state calls the
 * same handler code Lambda runs (`createHandler(deps)` of functions/handlers/workflow-*.ts), and its
 * input, result and errors cross a JSON boundary exactly as they do through Lambda: results are
 * serialised, and a thrown error becomes Error = its `name` and Cause = the runtime's
 * `{ errorType, errorMessage, trace }` JSON.
 */
import type { RunOptions } from 'aws-local-stepfunctions';
import { createHandler as createContinueSlaHandler } from '../../../functions/handlers/workflow-continue-sla.js';
import { createHandler as createEvaluateSlaHandler } from '../../../functions/handlers/workflow-evaluate-sla.js';
import { createHandler as createFailedHandler } from '../../../functions/handlers/workflow-failed.js';
import { createHandler as createRouteHandler } from '../../../functions/handlers/workflow-route.js';
import { createHandler as createScheduleSlaHandler } from '../../../functions/handlers/workflow-schedule-sla.js';
import { createHandler as createStampHandler } from '../../../functions/handlers/workflow-stamp.js';
import type { AppDeps } from '../../../functions/composition/deps.js';
import type { StateMachineDefinition } from './definition.js';
import { allStates, localFunctionArn } from './definition.js';

/** A task function as a handler module's `createHandler(deps)` returns it. */
export type TaskFunction = (event: unknown) => Promise<unknown>;

type Overrides = NonNullable<RunOptions['overrides']>;
/** A Task state's local stand-in, as aws-local-stepfunctions calls it (plain JSON in and out). */
export type LocalTaskHandler = NonNullable<Overrides['taskResourceLocalHandlers']>[string];
export type RetryIntervalOverrides = NonNullable<Overrides['retryIntervalOverrides']>;
type JsonValue = Parameters<LocalTaskHandler>[0];

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

/** Task state name ▶ the placeholder of LOCAL_TASK_HANDLERS it calls; throws for any other Resource. */
export function taskPlaceholders(definition: StateMachineDefinition): Map<string, string> {
  const byArn = new Map(Object.keys(LOCAL_TASK_HANDLERS).map((p) => [localFunctionArn(p), p]));
  const tasks = new Map<string, string>();
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const placeholder = byArn.get(state.Resource);
    if (!placeholder) {
      throw new Error(`Task state ${name} calls ${state.Resource}, which has no local handler (lib/local/stepfunctions/tasks.ts LOCAL_TASK_HANDLERS)`);
    }
    tasks.set(name, placeholder);
  }
  return tasks;
}

/**
 * The local handler of each Task state (`tasks`: taskPlaceholders), built from `deps` as Lambda's cold
 * start would: one function per placeholder, as one Lambda function serves every state that names it.
 */
export function localTaskHandlers(tasks: ReadonlyMap<string, string>, deps: AppDeps): Record<string, LocalTaskHandler> {
  const handlers: Record<string, LocalTaskHandler> = {};
  const functions = new Map<string, TaskFunction>();
  for (const [stateName, placeholder] of tasks) {
    let fn = functions.get(placeholder);
    if (!fn) functions.set(placeholder, (fn = LOCAL_TASK_HANDLERS[placeholder]!(deps)));
    const task = fn;
    handlers[stateName] = async (input) => {
      let result: unknown;
      try {
        result = await task(jsonRoundTrip(input));
      } catch (error) {
        throw asLambdaError(error);
      }
      return jsonRoundTrip(result);
    };
  }
  return handlers;
}

/** One number for every state that has a Retry, or the per-state map as given. */
export function expandRetryOverrides(
  definition: StateMachineDefinition,
  overrides: RetryIntervalOverrides | number | undefined,
): RetryIntervalOverrides | undefined {
  if (typeof overrides !== 'number') return overrides;
  const expanded: RetryIntervalOverrides = {};
  for (const [name, state] of allStates(definition)) {
    if ('Retry' in state && state.Retry && state.Retry.length > 0) expanded[name] = overrides;
  }
  return expanded;
}

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
