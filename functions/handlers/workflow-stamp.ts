import type { StampResult } from '../core/use-cases/stamp-case.js';
import { makeStampCase } from '../core/use-cases/stamp-case.js';
import type { AppDeps } from '../composition/deps.js';
import { awsDeps } from '../composition/lambda.js';
import { lazy, withLambdaContext } from '../runtime/lambda.js';
import { CaseTaskInputSchema, parseTaskInput, runCaseTask } from '../runtime/workflow-task.js';

/**
 * Case lifecycle task `Stamp`: territory and queue for a new case. Its `next` (route | review) is
 * what the workflow's StampOutcome choice reads.
 */
export function createHandler(deps: AppDeps) {
  const stampCase = makeStampCase(deps);
  return async function workflowStamp(event: unknown): Promise<StampResult> {
    const { caseId } = parseTaskInput(CaseTaskInputSchema, event);
    return runCaseTask('Stamp', caseId, () => stampCase(caseId));
  };
}

export const handler = lazy(() => withLambdaContext(createHandler(awsDeps())));
