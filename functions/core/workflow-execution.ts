/** How a case's workflow executions are named and what they start with (docs/architecture.md#the-workflow). */

/** `<caseId>` for the first execution of a case, `<caseId>-g<n>` for later generations. */
export function workflowExecutionName(caseId: string, generation = 1): string {
  return generation <= 1 ? caseId : `${caseId}-g${generation}`;
}

/** The execution input: `{ caseId }`, plus `generation` for n ≥ 2 (the workflow's Begin choice reads it). */
export function workflowExecutionInput(caseId: string, generation = 1): { caseId: string; generation?: number } {
  return generation <= 1 ? { caseId } : { caseId, generation };
}
