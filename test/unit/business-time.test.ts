import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessTimeBetween, nextOpening, subtractBusinessTime, workingDayEndedBetween } from '../../functions/core/business-time.js';
import type { BusinessHours } from '../../functions/core/config.js';
import { configSchemas } from '../../functions/core/config.js';

const H = 3600_000;
const M = 60_000;

function calendar(input: Partial<BusinessHours> & { timezone: string; weekly: BusinessHours['weekly'] }): BusinessHours {
  return configSchemas().BusinessHoursSchema.parse({ id: 'cal', ...input });
}

const weekdays = (intervals: { start: string; end: string }[]) => ({ mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals });
const everyDay = (intervals: { start: string; end: string }[]) => ({ ...weekdays(intervals), sat: intervals, sun: intervals });

/** A wall-clock time in a zone, as an instant. */
const local = (text: string, zone: string) => DateTime.fromISO(text, { zone }).toJSDate();
/** An instant shown as wall-clock time in a zone (`2026-03-09T10:00` style, with offset). */
const show = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true, suppressSeconds: true });

const berlinOffice = calendar({ timezone: 'Europe/Berlin', weekly: weekdays([{ start: '09:00', end: '17:00' }]), holidays: ['2026-12-25'] });
const newYorkOffice = calendar({ timezone: 'America/New_York', weekly: weekdays([{ start: '09:00', end: '17:00' }]) });
const berlinAllDay = calendar({ timezone: 'Europe/Berlin', weekly: everyDay([{ start: '00:00', end: '24:00' }]) });
const newYorkAllDay = calendar({ timezone: 'America/New_York', weekly: everyDay([{ start: '00:00', end: '24:00' }]) });

describe('24×7 (no calendar)', () => {
  it('is plain elapsed time, whatever the zone or DST', () => {
    const start = new Date('2026-03-29T00:30:00Z'); // the night Berlin springs forward
    expect(addBusinessTime(start, 3 * H).toISOString()).toBe('2026-03-29T03:30:00.000Z');
    expect(businessTimeBetween(start, new Date('2026-03-30T00:30:00Z'))).toBe(24 * H);
    expect(businessTimeBetween(new Date('2026-03-30T00:30:00Z'), start)).toBe(0);
    expect(addBusinessTime(start, 0)).toEqual(start);
  });
});

describe('a weekday office', () => {
  it('counts only open hours: Friday 16:00 + 2 h is Monday 10:00', () => {
    const due = addBusinessTime(local('2026-03-13T16:00', 'Europe/Berlin'), 2 * H, berlinOffice);
    expect(show(due, 'Europe/Berlin')).toBe('2026-03-16T10:00+01:00');
  });

  it('a target that runs out at the end of the day is due then, not the next morning', () => {
    const due = addBusinessTime(local('2026-03-10T09:00', 'Europe/Berlin'), 8 * H, berlinOffice);
    expect(show(due, 'Europe/Berlin')).toBe('2026-03-10T17:00+01:00');
  });

  it('starting outside business hours, the count begins at the next opening', () => {
    const due = addBusinessTime(local('2026-03-10T20:00', 'Europe/Berlin'), 30 * M, berlinOffice);
    expect(show(due, 'Europe/Berlin')).toBe('2026-03-11T09:30+01:00');
    expect(show(nextOpening(local('2026-03-14T11:00', 'Europe/Berlin'), berlinOffice), 'Europe/Berlin')).toBe('2026-03-16T09:00+01:00');
    // Zero business time is the start itself, open or not.
    expect(addBusinessTime(local('2026-03-10T20:00', 'Europe/Berlin'), 0, berlinOffice)).toEqual(local('2026-03-10T20:00', 'Europe/Berlin'));
  });

  it('skips holidays: the day before Christmas 16:00 + 2 h is the Monday after', () => {
    // 2026-12-25 is a Friday and a holiday; the weekend follows.
    const due = addBusinessTime(local('2026-12-24T16:00', 'Europe/Berlin'), 2 * H, berlinOffice);
    expect(show(due, 'Europe/Berlin')).toBe('2026-12-28T10:00+01:00');
    expect(businessTimeBetween(local('2026-12-24T00:00', 'Europe/Berlin'), local('2026-12-29T00:00', 'Europe/Berlin'), berlinOffice)).toBe(16 * H);
  });

  it('counts a week as five working days', () => {
    expect(businessTimeBetween(local('2026-03-09T00:00', 'Europe/Berlin'), local('2026-03-16T00:00', 'Europe/Berlin'), berlinOffice)).toBe(40 * H);
  });
});

describe('across DST changes', () => {
  it('Europe/Berlin springs forward on 2026-03-29: that day has 23 hours', () => {
    const sat = local('2026-03-28T12:00', 'Europe/Berlin');
    const mon = local('2026-03-30T12:00', 'Europe/Berlin');
    expect(businessTimeBetween(sat, mon, berlinAllDay)).toBe(47 * H);
    expect(businessTimeBetween(local('2026-03-29T00:00', 'Europe/Berlin'), local('2026-03-30T00:00', 'Europe/Berlin'), berlinAllDay)).toBe(23 * H);
    // 24 hours of an always-open calendar from Saturday noon end on Sunday at 13:00 local: the clock jumped an hour.
    expect(show(addBusinessTime(sat, 24 * H, berlinAllDay), 'Europe/Berlin')).toBe('2026-03-29T13:00+02:00');
  });

  it('Europe/Berlin falls back on 2026-10-25: that day has 25 hours', () => {
    expect(businessTimeBetween(local('2026-10-25T00:00', 'Europe/Berlin'), local('2026-10-26T00:00', 'Europe/Berlin'), berlinAllDay)).toBe(25 * H);
  });

  it('an interval over the missing hour holds only the hours that exist; over the repeated hour, both', () => {
    const night = calendar({ timezone: 'Europe/Berlin', weekly: { sun: [{ start: '01:00', end: '04:00' }] } });
    const springDay = businessTimeBetween(local('2026-03-29T00:00', 'Europe/Berlin'), local('2026-03-30T00:00', 'Europe/Berlin'), night);
    const fallDay = businessTimeBetween(local('2026-10-25T00:00', 'Europe/Berlin'), local('2026-10-26T00:00', 'Europe/Berlin'), night);
    expect(springDay).toBe(2 * H);
    expect(fallDay).toBe(4 * H);
  });

  it('America/New_York: 2026-03-08 has 23 hours, 2026-11-01 has 25', () => {
    expect(businessTimeBetween(local('2026-03-08T00:00', 'America/New_York'), local('2026-03-09T00:00', 'America/New_York'), newYorkAllDay)).toBe(23 * H);
    expect(businessTimeBetween(local('2026-11-01T00:00', 'America/New_York'), local('2026-11-02T00:00', 'America/New_York'), newYorkAllDay)).toBe(25 * H);
  });

  it('office hours stay wall-clock hours across the change: Friday 16:00 EST + 2 h is Monday 10:00 EDT', () => {
    const due = addBusinessTime(local('2026-03-06T16:00', 'America/New_York'), 2 * H, newYorkOffice);
    expect(show(due, 'America/New_York')).toBe('2026-03-09T10:00-04:00');
    expect(due.toISOString()).toBe('2026-03-09T14:00:00.000Z');
    // And back in the autumn: Friday 16:00 EDT + 2 h is Monday 10:00 EST.
    expect(addBusinessTime(local('2026-10-30T16:00', 'America/New_York'), 2 * H, newYorkOffice).toISOString()).toBe('2026-11-02T15:00:00.000Z');
  });
});

describe('split and overnight shifts', () => {
  const split = calendar({
    timezone: 'America/New_York',
    weekly: weekdays([
      { start: '09:00', end: '12:30' },
      { start: '13:30', end: '18:00' },
    ]),
  });
  const overnight = calendar({
    timezone: 'Europe/Berlin',
    weekly: {
      mon: [{ start: '22:00', end: '24:00' }],
      tue: [
        { start: '00:00', end: '06:00' },
        { start: '22:00', end: '24:00' },
      ],
      wed: [{ start: '00:00', end: '06:00' }],
    },
  });

  it('a split shift skips the lunch break', () => {
    const due = addBusinessTime(local('2026-03-10T12:00', 'America/New_York'), 1 * H, split);
    expect(show(due, 'America/New_York')).toBe('2026-03-10T14:00-04:00');
    expect(businessTimeBetween(local('2026-03-10T00:00', 'America/New_York'), local('2026-03-11T00:00', 'America/New_York'), split)).toBe(8 * H);
  });

  it('an overnight shift written as two intervals runs straight through midnight', () => {
    const due = addBusinessTime(local('2026-03-09T23:00', 'Europe/Berlin'), 3 * H, overnight);
    expect(show(due, 'Europe/Berlin')).toBe('2026-03-10T02:00+01:00');
  });

  it('a working day ends at its last span, not at a break, and an overnight shift ends in the morning', () => {
    const lunch = workingDayEndedBetween(local('2026-03-10T12:00', 'America/New_York'), local('2026-03-10T13:00', 'America/New_York'), split);
    expect(lunch).toBeUndefined();
    const evening = workingDayEndedBetween(local('2026-03-10T17:50', 'America/New_York'), local('2026-03-10T18:05', 'America/New_York'), split);
    expect(evening && show(evening, 'America/New_York')).toBe('2026-03-10T18:00-04:00');
    expect(workingDayEndedBetween(local('2026-03-09T23:50', 'Europe/Berlin'), local('2026-03-10T00:10', 'Europe/Berlin'), overnight)).toBeUndefined();
    const morning = workingDayEndedBetween(local('2026-03-10T05:55', 'Europe/Berlin'), local('2026-03-10T06:00', 'Europe/Berlin'), overnight);
    expect(morning && show(morning, 'Europe/Berlin')).toBe('2026-03-10T06:00+01:00');
    expect(workingDayEndedBetween(local('2026-03-10T06:00', 'Europe/Berlin'), local('2026-03-10T07:00', 'Europe/Berlin'), overnight)).toBeUndefined();
  });
});

describe('several time zones', () => {
  it('the same instant and amount give each office its own due instant', () => {
    const tokyo = calendar({ timezone: 'Asia/Tokyo', weekly: weekdays([{ start: '09:00', end: '17:00' }]) });
    const start = new Date('2026-03-10T07:00:00Z'); // 16:00 Tokyo, 08:00 Berlin, 03:00 New York
    expect(show(addBusinessTime(start, 2 * H, tokyo), 'Asia/Tokyo')).toBe('2026-03-11T10:00+09:00');
    expect(show(addBusinessTime(start, 2 * H, berlinOffice), 'Europe/Berlin')).toBe('2026-03-10T11:00+01:00');
    expect(show(addBusinessTime(start, 2 * H, newYorkOffice), 'America/New_York')).toBe('2026-03-10T11:00-04:00');
  });
});

describe('addBusinessTime and businessTimeBetween agree', () => {
  it('between(start, add(start, x)) = x, for many starts and amounts', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const calendars = [
      berlinOffice,
      newYorkOffice,
      berlinAllDay,
      calendar({
        timezone: 'America/New_York',
        weekly: weekdays([
          { start: '09:00', end: '12:30' },
          { start: '13:30', end: '18:00' },
        ]),
      }),
    ];
    for (let i = 0; i < 300; i++) {
      const cal = calendars[i % calendars.length]!;
      // Starts spread over 2026 (both DST changes of both zones), amounts up to two working weeks.
      const start = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 365 * 24) * H + Math.floor(random() * 60) * M);
      const amount = Math.floor(random() * 80 * 60) * M;
      const end = addBusinessTime(start, amount, cal);
      expect(businessTimeBetween(start, end, cal), `${cal.timezone} from ${start.toISOString()} + ${amount / M} min`).toBe(amount);
    }
  });

  it('refuses a calendar that is never open instead of looping', () => {
    const never = calendar({ timezone: 'UTC', weekly: {} });
    expect(() => addBusinessTime(new Date('2026-01-01T00:00:00Z'), H, never)).toThrow(RangeError);
  });
});

describe('subtractBusinessTime', () => {
  it('is the inverse of addBusinessTime', () => {
    const end = local('2026-03-16T10:00', 'Europe/Berlin'); // Monday
    expect(show(subtractBusinessTime(end, 2 * H, berlinOffice), 'Europe/Berlin')).toBe('2026-03-13T16:00+01:00');
    expect(subtractBusinessTime(end, 2 * H).toISOString()).toBe(new Date(end.getTime() - 2 * H).toISOString());
    for (const amount of [0, 30 * M, 8 * H, 41 * H]) {
      const start = subtractBusinessTime(end, amount, newYorkOffice);
      expect(businessTimeBetween(start, end, newYorkOffice)).toBe(amount);
    }
  });
});
