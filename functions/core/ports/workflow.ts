/** Starting a case's lifecycle workflow (Step Functions in AWS, aws-local-stepfunctions locally). */

export interface WorkflowStartOptions {
  /**
   * Which execution of the case this is. 1 (the default) is the case's first, named after the case;
   * n ≥ 2 is named `<caseId>-g<n>` and enters the workflow at its SLA loop: a long-running clock
   * continuing as a new execution before the history limit, or a clock restarted because its
   * deadlines moved earlier (resume, priority raised, reopen).
   */
  generation?: number;
}

export interface WorkflowStarter {
  /** Starts a lifecycle execution of the case, named by workflowExecutionName, so a duplicate start is harmless. */
  startCase(caseId: string, options?: WorkflowStartOptions): Promise<void>;
}
