import type { CaseMessage, CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';

/**
 * What the reports and the event-log export read (functions/adapters/report-reader.ts). Every
 * method is a Query or a GetItem/BatchGetItem on the table, never a Scan (docs/architecture.md#access-patterns).
 *
 * Kept beside the reports rather than in core/ports/: only they use it, and the reports function
 * is the only one with this (read-only) access.
 */
export interface ReportSource {
  /** Every event whose `at` falls on `day` (UTC yyyy-mm-dd): the `eventsByDay` access pattern. */
  listEventsOfDay(day: string): Promise<CaseEvent[]>;
  /** Case records by id (BatchGetItem); ids with no case are left out. */
  getCases(caseIds: readonly string[]): Promise<CaseRecord[]>;
  /** The whole event history of one case, in order (a Query on the case's partition, events only). */
  listCaseEvents(caseId: string): Promise<CaseEvent[]>;
  /** The messages of one case without their text (what OCEL's message objects carry). */
  listCaseMessages(caseId: string): Promise<CaseMessage[]>;
  /** Every open case (`casesByStatus` for each open status). */
  listOpenCases(): Promise<CaseRecord[]>;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
