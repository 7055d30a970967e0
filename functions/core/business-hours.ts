import { DateTime } from 'luxon';
import type { BusinessHours, Weekday } from './config.js';

/**
 * Business-hours calendars: an IANA time zone, weekly intervals (several per day make split
 * shifts) and holidays. Time zones and DST come from luxon (backed by Intl); the calendar logic
 * is ours.
 */

const WEEKDAY_BY_LUXON: Record<number, Weekday> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };

export interface LocalTime {
  /** yyyy-mm-dd in the calendar's zone */
  date: string;
  weekday: Weekday;
  /** minutes since local midnight */
  minutes: number;
}

/** The wall-clock date, weekday and minute of an instant in a zone. */
export function localTime(instant: Date, timezone: string): LocalTime {
  const dt = DateTime.fromJSDate(instant, { zone: timezone });
  return { date: dt.toISODate()!, weekday: WEEKDAY_BY_LUXON[dt.weekday]!, minutes: dt.hour * 60 + dt.minute };
}

export function parseHhmm(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Is the calendar open at this instant? A holiday closes the whole local day. */
export function isOpenAt(calendar: BusinessHours, instant: Date): boolean {
  const t = localTime(instant, calendar.timezone);
  if (calendar.holidays.includes(t.date)) return false;
  const intervals = calendar.weekly[t.weekday] ?? [];
  return intervals.some((i) => t.minutes >= parseHhmm(i.start) && t.minutes < parseHhmm(i.end));
}
