import type { SlaStep } from '../core/use-cases/sla-workflow.js';
import type { AppDeps } from '../composition/deps.js';
import { lazy, withLambdaContext } from '../runtime/lambda.js';
import { awsNotifyingDeps } from '../composition/lambda.js';
import { makeSlaUseCases } from '../composition/sla-use-cases.js';
import { SlaTaskInputSchema, parseTaskInput, runCaseTask } from '../runtime/workflow-task.js';

/**
 * Case lifecycle task `EvaluateSla`, after each WaitForSlaDeadline: re-read the case, act on what is
 * due (warning, breach, escalation: events, notifications, reassignment) and say when to wake next,
 * or `done` when the case closed, or `continue` once the execution has looped maxLoops times.
 */
export function createHandler(deps: AppDeps) {
  const { evaluateSla } = makeSlaUseCases(deps);
  return async function workflowEvaluateSla(event: unknown): Promise<SlaStep> {
    const input = parseTaskInput(SlaTaskInputSchema, event);
    return runCaseTask('EvaluateSla', input.caseId, () => evaluateSla(input));
  };
}

export const handler = lazy(() => withLambdaContext(createHandler(awsNotifyingDeps())));
