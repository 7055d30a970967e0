import { DateTime } from 'luxon';
import { parseHhmm } from './business-hours.js';
import type { BusinessHours, Weekday } from './config.js';

/**
 * Business-time arithmetic: how much calendar-counted time lies between two instants, and which
 * instant a given amount of it ends at. Pure and ours; luxon only converts local wall-clock times
 * of the calendar's zone to instants, which is where DST lives:
 *
 * - an interval's local start and end are turned into instants on that very day, so a spring-forward
 *   day's 00:00–24:00 holds 23 hours and a fall-back day's 25; a local time that does not exist
 *   (02:30 when clocks jump from 02:00 to 03:00) moves forward to the first one that does, and a
 *   local time that happens twice (01:30 when clocks fall back) is open both times an interval holds it;
 * - a holiday closes the whole local day; several intervals a day make split shifts;
 * - an overnight shift is written as two intervals (mon 22:00–24:00, tue 00:00–06:00): the arithmetic
 *   runs straight through midnight because adjacent intervals touch;
 * - no calendar (undefined) means 24×7: plain elapsed time.
 *
 * Time is in milliseconds throughout; instants are Date objects.
 */

const WEEKDAY_BY_LUXON: Record<number, Weekday> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };

/** Calendars with no open time at all would loop forever; nothing is searched beyond this. */
const MAX_DAYS = 3 * 366;

/** An open span as instants (epoch ms), start inclusive, end exclusive. */
interface Span {
  from: number;
  to: number;
}

const spanCache = new WeakMap<BusinessHours, Map<string, Span[]>>();

/** The open spans of one local day (`yyyy-mm-dd` in the calendar's zone), merged and in order. */
function openSpans(calendar: BusinessHours, day: DateTime): Span[] {
  const key = day.toISODate()!;
  let perCalendar = spanCache.get(calendar);
  if (!perCalendar) spanCache.set(calendar, (perCalendar = new Map()));
  const cached = perCalendar.get(key);
  if (cached) return cached;

  let spans: Span[] = [];
  if (!calendar.holidays.includes(key)) {
    const intervals = calendar.weekly[WEEKDAY_BY_LUXON[day.weekday]!] ?? [];
    // An interval is the instants whose local time of day lies in [start, end), as the rest of caseflow
    // reads it (functions/core/business-hours.ts isOpenAt). Each run of one UTC offset maps local
    // minutes to instants linearly, so the interval is cut out of each run: a fall-back day's repeated
    // hour yields two spans for an interval over it (00:30–01:30 is open in both 01:00–01:30s) and an
    // interval ending in it ends at its first occurrence; a spring-forward gap holds no open time.
    const runs = offsetRuns(day, calendar.timezone);
    spans = [];
    for (const i of intervals) {
      const start = parseHhmm(i.start);
      const end = i.end === '24:00' ? 1440 : parseHhmm(i.end);
      for (const run of runs) {
        const runEnd = run.local + (run.to - run.from) / 60_000;
        const a = Math.max(start, run.local);
        const b = Math.min(end, runEnd);
        if (b > a) spans.push({ from: run.from + (a - run.local) * 60_000, to: run.from + (b - run.local) * 60_000 });
      }
    }
    spans.sort((a, b) => a.from - b.from);
    // Overlapping or touching intervals (a calendar written with overlaps) become one span.
    const merged: Span[] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
      else merged.push({ ...s });
    }
    spans = merged;
  }
  // Bounded: a long-running process sees each day of each calendar once.
  if (perCalendar.size > 4000) perCalendar.clear();
  perCalendar.set(key, spans);
  return spans;
}

/** A stretch of a local day with one UTC offset: its instants [from, to) and the local minute of day at `from`. */
interface OffsetRun {
  from: number;
  to: number;
  local: number;
}

/**
 * The local day starting at `day` (its start of day) as runs of one UTC offset: one run, or two on
 * the day the zone changes its offset (zones change at most once a day). The change is found by
 * bisection over whole minutes, where zones change.
 */
function offsetRuns(day: DateTime, zone: string): OffsetRun[] {
  const from = day.startOf('day').toMillis();
  const to = day.plus({ days: 1 }).startOf('day').toMillis();
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const localAt = (ms: number) => {
    const t = DateTime.fromMillis(ms, { zone });
    return t.hour * 60 + t.minute + (t.second * 1000 + t.millisecond) / 60_000;
  };
  const last = offsetAt(to - 1);
  if (offsetAt(from) === last) return [{ from, to, local: localAt(from) }];
  // The first whole minute after `from` with the day's last offset.
  let lo = 0;
  let hi = Math.ceil((to - from) / 60_000);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsetAt(from + mid * 60_000) === last) hi = mid;
    else lo = mid + 1;
  }
  const change = Math.min(from + lo * 60_000, to);
  return [
    { from, to: change, local: localAt(from) },
    { from: change, to, local: localAt(change) },
  ];
}

function localDay(instant: number, calendar: BusinessHours): DateTime {
  return DateTime.fromMillis(instant, { zone: calendar.timezone }).startOf('day');
}

/** One local day of a calendar: its instants [start, end), its open spans, and the day after once asked for. */
interface CalendarDay {
  start: number;
  end: number;
  spans: Span[];
  next?: CalendarDay;
}

const dayCache = new WeakMap<BusinessHours, { days: CalendarDay[]; last?: CalendarDay }>();

/**
 * The local day holding `instant`. Days are remembered per calendar (sorted, and linked to the day
 * after), so walking day by day, which every function below does, asks the time-zone rules once per
 * day rather than at every step.
 */
function dayAt(calendar: BusinessHours, instant: number): CalendarDay {
  let cache = dayCache.get(calendar);
  if (!cache) dayCache.set(calendar, (cache = { days: [] }));
  const last = cache.last;
  if (last && instant >= last.start && instant < last.end) return last;
  const days = cache.days;
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]!.end <= instant) lo = mid + 1;
    else hi = mid;
  }
  const found = days[lo];
  if (found && instant >= found.start && instant < found.end) return (cache.last = found);
  const midnight = localDay(instant, calendar);
  const day: CalendarDay = { start: midnight.toMillis(), end: midnight.plus({ days: 1 }).startOf('day').toMillis(), spans: openSpans(calendar, midnight) };
  // Bounded like the spans: a long-running process sees each day of each calendar once.
  if (days.length > 4000) {
    days.length = 0;
    lo = 0;
  }
  days.splice(lo, 0, day);
  cache.last = day;
  return day;
}

function dayAfter(calendar: BusinessHours, day: CalendarDay): CalendarDay {
  day.next ??= dayAt(calendar, day.end);
  return day.next;
}

function dayBefore(calendar: BusinessHours, day: CalendarDay): CalendarDay {
  return dayAt(calendar, day.start - 1);
}

/**
 * The instant at which `ms` of business time, counted from `start`, has passed. With `ms` = 0 it is
 * `start` itself (even outside business hours). When the amount runs out exactly at the end of an
 * open span, that end is the answer (a target of one working day from 09:00 is due at 17:00, not at
 * 09:00 the next morning).
 */
export function addBusinessTime(start: Date, ms: number, calendar?: BusinessHours): Date {
  if (ms < 0) throw new RangeError('addBusinessTime takes a non-negative amount');
  if (!calendar || ms === 0) return new Date(start.getTime() + ms);
  let remaining = ms;
  const from = start.getTime();
  let day = dayAt(calendar, from);
  for (let i = 0; i < MAX_DAYS; i++, day = dayAfter(calendar, day)) {
    for (const span of day.spans) {
      const s = Math.max(span.from, from);
      if (span.to <= s) continue;
      const available = span.to - s;
      if (remaining <= available) return new Date(s + remaining);
      remaining -= available;
    }
  }
  throw new RangeError(`calendar ${calendar.id} has no open time within ${MAX_DAYS} days of ${start.toISOString()}`);
}

/**
 * The instant from which `ms` of business time ends at `end`: the inverse of addBusinessTime (when
 * the amount runs out exactly at the start of an open span, that start is the answer).
 */
export function subtractBusinessTime(end: Date, ms: number, calendar?: BusinessHours): Date {
  if (ms < 0) throw new RangeError('subtractBusinessTime takes a non-negative amount');
  if (!calendar || ms === 0) return new Date(end.getTime() - ms);
  let remaining = ms;
  const to = end.getTime();
  let day = dayAt(calendar, to);
  for (let i = 0; i < MAX_DAYS; i++, day = dayBefore(calendar, day)) {
    const spans = day.spans;
    for (let j = spans.length - 1; j >= 0; j--) {
      const span = spans[j]!;
      const e = Math.min(span.to, to);
      if (e <= span.from) continue;
      const available = e - span.from;
      if (remaining <= available) return new Date(e - remaining);
      remaining -= available;
    }
  }
  throw new RangeError(`calendar ${calendar.id} has no open time within ${MAX_DAYS} days before ${end.toISOString()}`);
}

/** Business time in [a, b): zero when b is not after a. */
export function businessTimeBetween(a: Date, b: Date, calendar?: BusinessHours): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  if (!calendar) return to - from;
  let total = 0;
  let day = dayAt(calendar, from);
  const lastDay = dayAt(calendar, to).start;
  for (let i = 0; day.start <= lastDay && i <= MAX_DAYS * 10; i++, day = dayAfter(calendar, day)) {
    for (const span of day.spans) {
      const s = Math.max(span.from, from);
      const e = Math.min(span.to, to);
      if (e > s) total += e - s;
    }
  }
  return total;
}

/** The next instant at or after `instant` when the calendar is open (itself when open now). */
export function nextOpening(instant: Date, calendar?: BusinessHours): Date {
  if (!calendar) return instant;
  const t = instant.getTime();
  let day = dayAt(calendar, t);
  for (let i = 0; i < MAX_DAYS; i++, day = dayAfter(calendar, day)) {
    for (const span of day.spans) {
      if (span.to > t) return new Date(Math.max(span.from, t));
    }
  }
  throw new RangeError(`calendar ${calendar.id} has no open time within ${MAX_DAYS} days of ${instant.toISOString()}`);
}

/** A closed stretch at least this long after a span ends makes that end the end of a working day. */
export const END_OF_DAY_GAP_MS = 4 * 60 * 60 * 1000;

/**
 * Did a working day end in (from, to]? A working day ends where an open span is followed by at least
 * END_OF_DAY_GAP_MS closed: a lunch break between the spans of a split shift is not an end, an
 * overnight shift split at midnight runs on, and the end of the night shift in the morning is one.
 * Returns the end instant, or undefined. The end-of-shift sweep asks this for each agent of a queue
 * that reassigns at the end of the working day.
 */
export function workingDayEndedBetween(from: Date, to: Date, calendar?: BusinessHours): Date | undefined {
  if (!calendar || to.getTime() <= from.getTime()) return undefined;
  const f = from.getTime();
  const t = to.getTime();
  // The day before `from` too: its last span may end after local midnight (a 24:00 end, DST).
  let day = dayBefore(calendar, dayAt(calendar, f));
  const lastDay = dayAt(calendar, t).start;
  for (let i = 0; day.start <= lastDay && i <= MAX_DAYS; i++, day = dayAfter(calendar, day)) {
    for (const span of day.spans) {
      if (span.to <= f || span.to > t) continue;
      let reopens: number;
      try {
        reopens = nextOpening(new Date(span.to), calendar).getTime();
      } catch {
        reopens = Number.POSITIVE_INFINITY;
      }
      if (reopens - span.to >= END_OF_DAY_GAP_MS) return new Date(span.to);
    }
  }
  return undefined;
}

/**
 * The instant the calendar next closes: the end of the open stretch that holds `instant` (spans that
 * touch, such as 22:00–24:00 and 00:00–06:00, run on as one), or `instant` itself when it is closed.
 * No calendar (24×7) never closes: the answer is undefined, as it is for a calendar that stays open
 * beyond MAX_DAYS.
 */
export function openUntil(instant: Date, calendar?: BusinessHours): Date | undefined {
  if (!calendar) return undefined;
  const t = instant.getTime();
  let end = t;
  let day = dayAt(calendar, t);
  for (let i = 0; i < MAX_DAYS; i++, day = dayAfter(calendar, day)) {
    for (const span of day.spans) {
      if (span.to <= end) continue;
      if (span.from > end) return new Date(end);
      end = span.to;
    }
  }
  // Closed with no opening ahead: closed now. Open all the way: it does not close within reach.
  return end === t ? new Date(t) : undefined;
}
