import type { SlaStep } from '../core/use-cases/sla-workflow.js';
import type { AppDeps } from '../composition/deps.js';
import { awsDeps } from '../composition/lambda.js';
import { lazy, withLambdaContext } from '../runtime/lambda.js';
import { makeSlaUseCases } from '../composition/sla-use-cases.js';
import { SlaTaskInputSchema, parseTaskInput, runCaseTask } from '../runtime/workflow-task.js';

/**
 * Case lifecycle task `ScheduleSla`: start the case's SLA clock (or take it over for this execution's
 * generation) and say when to wake: `{ next: wait | done, wakeAt }`, read by the SlaOutcome choice and
 * the WaitForSlaDeadline state.
 */
export function createHandler(deps: AppDeps) {
  const { scheduleSla } = makeSlaUseCases(deps);
  return async function workflowScheduleSla(event: unknown): Promise<SlaStep> {
    const input = parseTaskInput(SlaTaskInputSchema, event);
    return runCaseTask('ScheduleSla', input.caseId, () => scheduleSla(input));
  };
}

export const handler = lazy(() => withLambdaContext(createHandler(awsDeps())));
