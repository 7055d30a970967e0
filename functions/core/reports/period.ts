import type { FieldIssue } from '../errors.js';
import { ValidationError } from '../errors.js';

/**
 * The period a report covers: whole UTC days, `from` and `to` inclusive. UTC because the event-log
 * index is partitioned by UTC day (`EVTDAY#<yyyy-mm-dd>`, functions/adapters/keys.ts); figures "in
 * business time" still count each case's own calendar, in its own time zone.
 */
export interface ReportPeriod {
  /** yyyy-mm-dd, inclusive */
  from: string;
  /** yyyy-mm-dd, inclusive */
  to: string;
  /** The first instant of `from` (ISO, UTC). */
  start: string;
  /** The first instant after `to` (ISO, UTC): the period is [start, end). */
  end: string;
  days: number;
}

/** A year and a day: a leap year's report fits, a two-year one does not. */
export const MAX_REPORT_DAYS = 366;

export const DAY_MS = 86_400_000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2025-02-29` is not a date; `2024-02-29` is. */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** Validates `from`/`to` and turns them into a period; every problem is reported with its field. */
export function parsePeriod(from: string | undefined, to: string | undefined, maxDays = MAX_REPORT_DAYS): ReportPeriod {
  const issues: FieldIssue[] = [];
  if (from === undefined) issues.push({ field: 'from', message: 'is required (a date as YYYY-MM-DD)' });
  else if (!isCalendarDate(from)) issues.push({ field: 'from', message: 'must be a date as YYYY-MM-DD' });
  if (to === undefined) issues.push({ field: 'to', message: 'is required (a date as YYYY-MM-DD)' });
  else if (!isCalendarDate(to)) issues.push({ field: 'to', message: 'must be a date as YYYY-MM-DD' });
  if (issues.length > 0) throw new ValidationError(issues);

  const startMs = Date.parse(`${from}T00:00:00.000Z`);
  const endMs = Date.parse(`${to}T00:00:00.000Z`) + DAY_MS;
  const days = Math.round((endMs - startMs) / DAY_MS);
  if (days < 1) throw new ValidationError([{ field: 'to', message: `must be on or after from (${from})` }]);
  if (days > maxDays) {
    throw new ValidationError([{ field: 'to', message: `the period may span at most ${maxDays} days (${from} … ${to} is ${days})` }]);
  }
  return { from: from!, to: to!, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), days };
}

/** Every day of the period, yyyy-mm-dd, in order. */
export function daysOf(period: Pick<ReportPeriod, 'start' | 'days'>): string[] {
  const start = Date.parse(period.start);
  return Array.from({ length: period.days }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/** The UTC day of an instant. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO-8601 week of a UTC instant: `2025-W10` (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeekOf(ms: number): string {
  const d = new Date(ms);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides the year
  const year = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / DAY_MS + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday 00:00 UTC that starts the ISO week holding `ms`. */
export function isoWeekStart(ms: number): number {
  const d = new Date(ms);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = new Date(midnight).getUTCDay() || 7;
  return midnight - (weekday - 1) * DAY_MS;
}
