import type { RouteResult } from '../core/use-cases/route-case.js';
import type { AppDeps } from '../composition/deps.js';
import { awsDeps } from '../composition/lambda.js';
import { makeRoutingUseCases } from '../composition/routing-use-cases.js';
import { lazy, withLambdaContext } from '../runtime/lambda.js';
import { CaseTaskInputSchema, parseTaskInput, runCaseTask } from '../runtime/workflow-task.js';

/**
 * Case lifecycle task `Route`: assign the stamped case to the best eligible agent, or leave it
 * waiting in its queue until capacity frees.
 */
export function createHandler(deps: AppDeps) {
  const { routeCase } = makeRoutingUseCases(deps);
  return async function workflowRoute(event: unknown): Promise<RouteResult> {
    const { caseId } = parseTaskInput(CaseTaskInputSchema, event);
    return runCaseTask('Route', caseId, () => routeCase(caseId));
  };
}

export const handler = lazy(() => withLambdaContext(createHandler(awsDeps())));
