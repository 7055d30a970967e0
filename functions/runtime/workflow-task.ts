import { z } from 'zod';
import { parseOrThrow } from '../core/field-issues.js';
import { logger } from './observability.js';

/**
 * What the case-lifecycle task handlers share: their input contract, parsing it, and logging each
 * step with the case it worked on. A thrown error keeps its `name` (ConflictError,
 * ProvisionedThroughputExceededException, ...): the Lambda runtime reports it as the errorType,
 * which Step Functions uses as the Error its Retry and Catch match on.
 */

/** Every task state passes `{ caseId }` (ASL `Parameters`). */
export const CaseTaskInputSchema = z.object({ caseId: z.string().min(1).max(128) });
export type CaseTaskInput = z.infer<typeof CaseTaskInputSchema>;

/**
 * The SLA loop's tasks also pass the execution's generation and, for EvaluateSla, its loop count and
 * the loop limit after which it continues as a new execution (a literal in the ASL).
 */
export const SlaTaskInputSchema = CaseTaskInputSchema.extend({
  generation: z.number().int().min(1),
  loops: z.number().int().min(0).optional(),
  maxLoops: z.number().int().min(1).optional(),
});
export type SlaTaskInputParsed = z.infer<typeof SlaTaskInputSchema>;

/** Parses a task's input; a bad one is a ValidationError, which the workflow never retries. */
export function parseTaskInput<S extends z.ZodType>(schema: S, event: unknown): z.infer<S> {
  return parseOrThrow(schema, event, { root: '(input)' });
}

/**
 * Runs one workflow step for a case and logs how it went. Log lines carry the case id rather than
 * using appendKeys: the local stack runs many executions at once on one process-wide logger.
 */
export async function runCaseTask<R>(step: string, caseId: string, work: () => Promise<R>): Promise<R> {
  try {
    const result = await work();
    logger.info('workflow step done', { step, caseId, result: result as Record<string, unknown> });
    return result;
  } catch (error) {
    // Step Functions decides what happens next (retry, or the Catch that sends the case to review).
    logger.warn('workflow step failed', { step, caseId, error: error as Error });
    throw error;
  }
}
