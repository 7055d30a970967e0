import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '../core/ports/workflow.js';
import { workflowExecutionInput, workflowExecutionName } from '../core/workflow-execution.js';

/**
 * Starts a case lifecycle execution, named after the case (`<caseId>`, or `<caseId>-g<n>` for a
 * later generation of its SLA loop): Step Functions refuses a second execution with the same name
 * (ExecutionAlreadyExists), which makes a duplicate start harmless.
 */
export function makeStepFunctionsStarter(client: SFNClient, stateMachineArn: string): WorkflowStarter {
  return {
    async startCase(caseId, options = {}) {
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: workflowExecutionName(caseId, options.generation),
            input: JSON.stringify(workflowExecutionInput(caseId, options.generation)),
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return;
        throw error;
      }
    },
  };
}
