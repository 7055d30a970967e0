import { z } from 'zod';
import { makeFailCase } from '../core/use-cases/fail-case.js';
import type { AppDeps } from '../composition/deps.js';
import { awsDeps } from '../composition/lambda.js';
import { lazy, withLambdaContext } from '../runtime/lambda.js';
import { CaseTaskInputSchema, parseTaskInput, runCaseTask } from '../runtime/workflow-task.js';

/**
 * Case lifecycle task `SendToReview`, reached through a Catch: a step failed after its retries.
 * Input (ASL Parameters): `{ caseId, failedState, error: { Error, Cause } }`, where `error` is
 * what the Catch put at `$.error` and `failedState` what the `<State>Failed` pass state named.
 */
export const FailedTaskInputSchema = CaseTaskInputSchema.extend({
  failedState: z.string().min(1).max(80).optional(),
  error: z
    .object({
      Error: z.string().nullish(),
      Cause: z.unknown().optional(),
    })
    .nullish(),
});
export type FailedTaskInput = z.infer<typeof FailedTaskInputSchema>;

/**
 * Step Functions' Cause for a Lambda error is the runtime's JSON (`{ errorType, errorMessage,
 * trace }`); the message is what a person needs, the stack trace is in the function's log.
 */
export function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null || cause === '') return undefined;
  const text = typeof cause === 'string' ? cause : JSON.stringify(cause);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // Not JSON: a plain message (States.Timeout, a Fail state's Cause).
  }
  return text;
}

export function createHandler(deps: AppDeps) {
  const failCase = makeFailCase(deps);
  return async function workflowFailed(event: unknown): Promise<{ caseId: string; status: string }> {
    const input = parseTaskInput(FailedTaskInputSchema, event);
    const cause = causeText(input.error?.Cause);
    const failure = {
      ...(input.failedState ? { state: input.failedState } : {}),
      ...(input.error?.Error ? { error: input.error.Error } : {}),
      ...(cause !== undefined ? { cause } : {}),
    };
    return runCaseTask('SendToReview', input.caseId, () => failCase(input.caseId, failure));
  };
}

export const handler = lazy(() => withLambdaContext(createHandler(awsDeps())));
