import { SFNClient } from '@aws-sdk/client-sfn';
import { makeStepFunctionsStarter } from '../../adapters/step-functions.js';
import type { WorkflowStarter } from '../../core/ports/workflow.js';

/** The Step Functions starter and its client, imported on the port's first call (as ./sns.ts). */
let client: SFNClient | undefined;

export function stepFunctionsStarter(stateMachineArn: string): WorkflowStarter {
  client ??= new SFNClient({});
  return makeStepFunctionsStarter(client, stateMachineArn);
}
