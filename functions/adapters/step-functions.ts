import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '../core/ports.js';

/**
 * Starts the case lifecycle execution, named after the case: Step Functions refuses a second
 * execution with the same name (ExecutionAlreadyExists), which makes a duplicate start harmless.
 */
export function makeStepFunctionsStarter(client: SFNClient, stateMachineArn: string): WorkflowStarter {
  return {
    async startCase(caseId) {
      try {
        await client.send(new StartExecutionCommand({ stateMachineArn, name: caseId, input: JSON.stringify({ caseId }) }));
      } catch (error) {
        if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return;
        throw error;
      }
    },
  };
}
