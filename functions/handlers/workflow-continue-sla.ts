import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { WorkflowStarter } from '../core/ports/workflow.js';
import { makeContinueSla } from '../core/use-cases/sla-workflow.js';
import type { AppDeps } from '../composition/deps.js';
import { awsStarterFor } from '../composition/lambda.js';
import { lazy, withLambdaContext } from '../runtime/lambda.js';
import { SlaTaskInputSchema, parseTaskInput, runCaseTask } from '../runtime/workflow-task.js';

/**
 * Case lifecycle task `ContinueAsNew`: before the execution's history grows near Step Functions'
 * 25,000-event limit, start the next generation (`<caseId>-g<n+1>`, StartExecution of this same
 * state machine); it takes the SLA clock over and this execution ends.
 *
 * The state machine's ARN arrives in the input (`$$.StateMachine.Id`), not in an environment
 * variable: the state machine refers to this function, so the function cannot refer back to it
 * (lib/workflow.ts). It needs no table either: in AWS it is built from the input alone.
 */
export const ContinueTaskInputSchema = SlaTaskInputSchema.extend({ stateMachineArn: z.string().min(1).max(2048).optional() });

export function createHandler(
  deps: Pick<AppDeps, 'workflow'>,
  starterFor: (input: z.infer<typeof ContinueTaskInputSchema>) => WorkflowStarter = () => deps.workflow,
) {
  return async function workflowContinueSla(event: unknown) {
    const input = parseTaskInput(ContinueTaskInputSchema, event);
    const continueSla = makeContinueSla({ workflow: starterFor(input) });
    return runCaseTask('ContinueAsNew', input.caseId, () => continueSla(input));
  };
}

export const handler = lazy(() =>
  withLambdaContext(
    createHandler({ workflow: { startCase: async () => undefined } }, (input) => {
      if (!input.stateMachineArn) throw new ValidationError([{ field: 'stateMachineArn', message: 'is required (the ASL passes $$.StateMachine.Id)' }]);
      return awsStarterFor(input.stateMachineArn);
    }),
  ),
);
