import type { CaseRecord } from '../case.js';

/**
 * Report filters: each names one or more values of a case field; a case passes when, for every
 * filter given, its field holds one of the values. Filters match the case as it is now (its current
 * queue, priority, ...), not as it was at each event: "the billing queue's report" is about the
 * cases that ended up there.
 */
export const REPORT_FILTER_FIELDS = ['queue', 'territory', 'channel', 'priority', 'type'] as const;
export type ReportFilterField = (typeof REPORT_FILTER_FIELDS)[number];
export type ReportFilters = Partial<Record<ReportFilterField, string[]>>;

/** Cases without a value for a field are grouped, and can be filtered, under this name. */
export const UNSPECIFIED = 'unspecified';

export function fieldValue(c: CaseRecord, field: ReportFilterField): string {
  const value = c[field];
  return typeof value === 'string' && value !== '' ? value : UNSPECIFIED;
}

export function matchesFilters(c: CaseRecord, filters: ReportFilters): boolean {
  for (const field of REPORT_FILTER_FIELDS) {
    const wanted = filters[field];
    if (wanted && wanted.length > 0 && !wanted.includes(fieldValue(c, field))) return false;
  }
  return true;
}
