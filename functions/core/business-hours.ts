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

/**
 * The last answer per calendar, with the stretch of time it holds for: the filter asks about the
 * same calendar for every candidate of every decision, at instants that are mostly close together.
 */
const lastAnswer = new WeakMap<BusinessHours, { from: number; to: number; open: boolean }>();

/** Is the calendar open at this instant? A holiday closes the whole local day. */
export function isOpenAt(calendar: BusinessHours, instant: Date): boolean {
  const ms = instant.getTime();
  const last = lastAnswer.get(calendar);
  if (last && ms >= last.from && ms < last.to) return last.open;

  const dt = DateTime.fromJSDate(instant, { zone: calendar.timezone });
  const date = dt.toISODate()!;
  const minutes = dt.hour * 60 + dt.minute;
  const intervals = calendar.holidays.includes(date) ? [] : (calendar.weekly[WEEKDAY_BY_LUXON[dt.weekday]!] ?? []);
  const open = intervals.some((i) => minutes >= parseHhmm(i.start) && minutes < parseHhmm(i.end));

  // The answer holds from the last interval boundary (or midnight) up to the next one, within this
  // local day; kept only where the zone's offset does not change in between (not across a DST jump).
  let from = 0;
  let to = 1440;
  for (const i of intervals) {
    for (const b of [parseHhmm(i.start), parseHhmm(i.end)]) {
      if (b <= minutes && b > from) from = b;
      if (b > minutes && b < to) to = b;
    }
  }
  const intoMinute = dt.second * 1000 + dt.millisecond;
  const fromMs = ms - (minutes - from) * 60_000 - intoMinute;
  const toMs = ms + (to - minutes) * 60_000 - intoMinute;
  const offset = dt.offset;
  if (
    DateTime.fromMillis(fromMs, { zone: calendar.timezone }).offset === offset &&
    DateTime.fromMillis(toMs - 1, { zone: calendar.timezone }).offset === offset
  ) {
    lastAnswer.set(calendar, { from: fromMs, to: toMs, open });
  }
  return open;
}
