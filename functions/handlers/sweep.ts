import { z } from 'zod';
import type { SweepReport } from '../core/use-cases/sweep.js';
import { SWEEP_PARTS } from '../core/use-cases/sweep.js';
import type { AppDeps } from '../composition/deps.js';
import { lazy, withLambdaContext } from '../runtime/lambda.js';
import { awsNotifyingDeps } from '../composition/lambda.js';
import { logger } from '../runtime/observability.js';
import { makeSlaUseCases } from '../composition/sla-use-cases.js';
import { parseTaskInput } from '../runtime/workflow-task.js';

/**
 * The sweep (EventBridge Scheduler in AWS, every minute by default; a timer in the local stack):
 * offers not accepted in time, absent agents, end of shift, on-hold limits, and the dispatch
 * backstop (functions/core/use-cases/sweep.ts). The scheduler's payload may narrow it down.
 */
export const SweepInputSchema = z
  .object({
    parts: z.array(z.enum(SWEEP_PARTS)).min(1).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    endOfShiftLookbackMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
  })
  .passthrough();

/** What a run did, in numbers (the full report goes to the log). */
export interface SweepSummary {
  at: string;
  offersExpired: number;
  absentAgents: number;
  movedFromAbsentAgents: number;
  movedAtEndOfShift: number;
  onHoldEscalated: number;
  dispatched: number;
  more: string[];
}

export function summarise(report: SweepReport): SweepSummary {
  return {
    at: report.at,
    offersExpired: report.acceptTimeouts.filter((r) => r.moved).length,
    absentAgents: report.absentAgents.length,
    movedFromAbsentAgents: report.absentAgents.reduce((n, a) => n + a.cases.filter((c) => c.moved).length, 0),
    movedAtEndOfShift: report.endOfShift.reduce((n, a) => n + a.cases.filter((c) => c.moved).length, 0),
    onHoldEscalated: report.onHoldLimits.filter((h) => h.escalated).length,
    dispatched: report.dispatch.reduce((n, d) => n + d.assigned.length, 0),
    more: report.more,
  };
}

export function createHandler(deps: AppDeps) {
  const { sweep } = makeSlaUseCases(deps);
  return async function sweepHandler(event: unknown = {}): Promise<SweepSummary> {
    const input = parseTaskInput(SweepInputSchema, event ?? {});
    const report = await sweep({
      ...(input.parts ? { parts: input.parts } : {}),
      ...(input.limit ? { limit: input.limit } : {}),
      ...(input.endOfShiftLookbackMinutes ? { endOfShiftLookbackMs: input.endOfShiftLookbackMinutes * 60_000 } : {}),
    });
    const summary = summarise(report);
    const busy = summary.offersExpired + summary.movedFromAbsentAgents + summary.movedAtEndOfShift + summary.onHoldEscalated + summary.dispatched;
    if (busy > 0) logger.info('sweep moved work', { summary, report: report as unknown as Record<string, unknown> });
    else logger.debug('sweep: nothing due', { summary });
    return summary;
  };
}

export const handler = lazy(() => withLambdaContext(createHandler(awsNotifyingDeps())));
