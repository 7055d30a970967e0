import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isOpenAt, localTime, parseHhmm } from '../../functions/core/business-hours.js';
import {
  addBusinessTime,
  businessTimeBetween,
  nextOpening,
  openUntil,
  subtractBusinessTime,
  workingDayEndedBetween,
} from '../../functions/core/business-time.js';
import type { BusinessHours } from '../../functions/core/config.js';
import { configSchemas, parseRoutingConfig } from '../../functions/core/config.js';
import type { MiningEvent } from '../../functions/core/mining/event-log.js';
import { groupTraces } from '../../functions/core/mining/event-log.js';
import { applyAgentChanges, parseAgentsOption } from '../../functions/core/simulation/agents.js';
import { parseMix, parseWeeklyProfile, poissonArrivals, replayTraces, weeklyProfileOf } from '../../functions/core/simulation/arrivals.js';
import { meanTimeline, renderChart } from '../../functions/core/simulation/chart.js';
import { empirical, parseDistribution } from '../../functions/core/simulation/distributions.js';
import { agentsFor, erlangC, mmc, serviceLevel } from '../../functions/core/simulation/erlang.js';
import { EventQueue } from '../../functions/core/simulation/event-queue.js';
import { replicate } from '../../functions/core/simulation/experiment.js';
import { parseDuration, parseTarget, SimulationOptionError } from '../../functions/core/simulation/options.js';
import { randomAt, uniformAt } from '../../functions/core/simulation/random.js';
import { formatRun } from '../../functions/core/simulation/report.js';
import { iso } from '../../functions/core/simulation/clock.js';
import { quantileSorted, summarise } from '../../functions/core/simulation/stats.js';
import { WaitingIndex, type WaitingEntry } from '../../functions/core/simulation/waiting-index.js';

const HOUR = 3_600_000;

/** Throws a SimulationOptionError naming `option`, with a message containing `text`. */
function rejects(fn: () => unknown, option: string, text: string) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SimulationOptionError);
    expect((error as SimulationOptionError).option).toBe(option);
    expect((error as Error).message).toContain(text);
    return;
  }
  throw new Error(`expected ${option} to be rejected`);
}

describe('isOpenAt, which now remembers its last answer per calendar', () => {
  /** isOpenAt as it was: the local time looked up afresh every call. */
  const reference = (calendar: BusinessHours, instant: Date) => {
    const t = localTime(instant, calendar.timezone);
    if (calendar.holidays.includes(t.date)) return false;
    return (calendar.weekly[t.weekday] ?? []).some((i) => t.minutes >= parseHhmm(i.start) && t.minutes < parseHhmm(i.end));
  };
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'America/Santiago'];
  const hhmm = fc
    .integer({ min: 0, max: 96 })
    .map((q) => (q === 96 ? '24:00' : `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`));
  const interval = fc
    .tuple(hhmm, hhmm)
    .filter(([a, b]) => a < b)
    .map(([start, end]) => ({ start, end }));
  const calendarArb = fc
    .record({
      timezone: fc.constantFrom(...zones),
      weekly: fc.record(
        {
          mon: fc.array(interval, { maxLength: 3 }),
          wed: fc.array(interval, { maxLength: 3 }),
          sat: fc.array(interval, { maxLength: 2 }),
          // DST changes fall on Sundays in these zones.
          sun: fc.array(interval, { minLength: 1, maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
      holidays: fc.subarray(['2026-03-29', '2026-03-30', '2026-10-25', '2026-04-05', '2026-11-01']),
    })
    .map((c) => configSchemas().BusinessHoursSchema.parse({ id: 'cal', ...c }));
  // Instants around the DST changes of 2026 in the zones above, and close to each other (so the memory is used).
  const base = fc.constantFrom(
    ...[
      '2026-03-07T12:00:00Z',
      '2026-03-28T12:00:00Z',
      '2026-04-04T12:00:00Z',
      '2026-09-05T12:00:00Z',
      '2026-10-24T12:00:00Z',
      '2026-10-31T12:00:00Z',
      '2026-06-01T00:00:00Z',
    ].map(Date.parse),
  );
  const walk = fc.array(fc.integer({ min: -6 * HOUR, max: 30 * HOUR }), { minLength: 1, maxLength: 60 });

  it('answers exactly as a fresh look-up does, for any calendar and any sequence of instants (DST changes and holidays included)', () => {
    fc.assert(
      fc.property(calendarArb, base, walk, (calendar, start, steps) => {
        let t = start;
        for (const step of steps) {
          t += step;
          const instant = new Date(t);
          if (isOpenAt(calendar, instant) !== reference(calendar, instant)) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('answers right across the DST changes of 2026, walking in 10-minute steps forwards and backwards', () => {
    const changes: [string, string][] = [
      ['Europe/Berlin', '2026-03-29'],
      ['Europe/Berlin', '2026-10-25'],
      ['America/New_York', '2026-03-08'],
      ['America/New_York', '2026-11-01'],
      ['Australia/Lord_Howe', '2026-04-05'],
      ['Australia/Lord_Howe', '2026-10-04'],
      ['America/Santiago', '2026-04-05'],
      ['America/Santiago', '2026-09-06'],
    ];
    const shapes = [
      [{ start: '00:00', end: '24:00' }],
      [{ start: '01:00', end: '05:00' }],
      [
        { start: '00:30', end: '02:30' },
        { start: '03:00', end: '24:00' },
      ],
    ];
    const wrong: string[] = [];
    for (const [timezone, day] of changes) {
      for (const sun of shapes) {
        const calendar = configSchemas().BusinessHoursSchema.parse({ id: 'cal', timezone, weekly: { sat: [{ start: '09:00', end: '17:00' }], sun } });
        const from = Date.parse(`${day}T00:00:00Z`) - 18 * HOUR;
        const to = from + 48 * HOUR;
        const check = (t: number) => {
          if (isOpenAt(calendar, new Date(t)) !== reference(calendar, new Date(t))) wrong.push(`${timezone} ${new Date(t).toISOString()}`);
        };
        for (let t = from; t < to; t += 10 * 60_000) check(t);
        for (let t = to; t > from; t -= 10 * 60_000) check(t);
      }
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it("openUntil ends an interval at the first of a fall-back night's two 01:00s (New York, 2026-11-01)", () => {
    // Found by the property below: Sunday 00:00–01:00 was taken to close at the second 01:00 (EST, 06:00Z),
    // an hour after the local time of day had left the interval at the first one (EDT, 05:00Z).
    const calendar = configSchemas().BusinessHoursSchema.parse({
      id: 'cal',
      timezone: 'America/New_York',
      weekly: { sun: [{ start: '00:00', end: '01:00' }] },
    });
    expect(openUntil(new Date('2026-11-01T04:00:00Z'), calendar)?.toISOString()).toBe('2026-11-01T05:00:00.000Z');
    // An interval over the repeated hour is open in both of its occurrences, as isOpenAt reads it.
    const overRepeat = configSchemas().BusinessHoursSchema.parse({
      id: 'cal',
      timezone: 'America/New_York',
      weekly: { sun: [{ start: '00:30', end: '01:30' }] },
    });
    expect(openUntil(new Date('2026-11-01T04:30:00Z'), overRepeat)?.toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(nextOpening(new Date('2026-11-01T05:30:00Z'), overRepeat).toISOString()).toBe('2026-11-01T06:00:00.000Z');
    expect(businessTimeBetween(new Date('2026-11-01T04:00:00Z'), new Date('2026-11-01T08:00:00Z'), overRepeat)).toBe(90 * 60_000);
  });

  it('openUntil: open throughout [t, openUntil), closed at it; itself when closed', () => {
    fc.assert(
      fc.property(calendarArb, base, fc.integer({ min: 0, max: 7 * 24 * HOUR }), (calendar, start, offset) => {
        const t = new Date(start + offset);
        const until = openUntil(t, calendar);
        if (!reference(calendar, t)) return until !== undefined && until.getTime() === t.getTime();
        if (until === undefined) return true; // open for years on end
        if (until.getTime() <= t.getTime() || reference(calendar, until)) return false;
        for (let x = t.getTime(); x < until.getTime(); x += 7 * 60_000) if (!reference(calendar, new Date(x))) return false;
        return nextOpening(t, calendar).getTime() === t.getTime();
      }),
      { numRuns: 200 },
    );
  });
});

describe('business-time arithmetic, which now walks days it remembers', () => {
  // The arithmetic done plainly: every step asks luxon for the next local day (its start of day), and the day's
  // open spans are found by asking, every 15 minutes (the grid every interval and every zone's offset change
  // here lies on), whether the local time of day lies in an interval, as isOpenAt reads a calendar.
  const WEEKDAY: Record<number, string> = { 1: 'mon', 2: 'tue', 3: 'wed', 4: 'thu', 5: 'fri', 6: 'sat', 7: 'sun' };
  const QUARTER = 15 * 60_000;
  const spansOf = (calendar: BusinessHours, day: DateTime) => {
    const spans: { from: number; to: number }[] = [];
    const end = day.plus({ days: 1 }).startOf('day').toMillis();
    for (let t = day.startOf('day').toMillis(); t < end; t += QUARTER) {
      const local = DateTime.fromMillis(t, { zone: calendar.timezone });
      if (calendar.holidays.includes(local.toISODate()!)) continue;
      const minutes = local.hour * 60 + local.minute;
      const intervals = (calendar.weekly as Record<string, { start: string; end: string }[]>)[WEEKDAY[local.weekday]!] ?? [];
      if (!intervals.some((i) => minutes >= parseHhmm(i.start) && minutes < parseHhmm(i.end))) continue;
      const last = spans[spans.length - 1];
      if (last && last.to === t) last.to = t + QUARTER;
      else spans.push({ from: t, to: t + QUARTER });
    }
    return spans;
  };
  const day0 = (t: number, c: BusinessHours) => DateTime.fromMillis(t, { zone: c.timezone }).startOf('day');
  const between = (a: number, b: number, c: BusinessHours) => {
    let total = 0;
    for (let d = day0(a, c); d <= day0(b, c); d = d.plus({ days: 1 }).startOf('day'))
      for (const x of spansOf(c, d)) total += Math.max(0, Math.min(x.to, b) - Math.max(x.from, a));
    return b > a ? total : 0;
  };
  const add = (a: number, ms: number, c: BusinessHours) => {
    if (ms === 0) return a;
    let left = ms;
    for (let d = day0(a, c), i = 0; i < 400; i++, d = d.plus({ days: 1 }).startOf('day')) {
      for (const x of spansOf(c, d)) {
        const from = Math.max(x.from, a);
        if (x.to <= from) continue;
        if (left <= x.to - from) return from + left;
        left -= x.to - from;
      }
    }
    return Number.NaN;
  };
  const opening = (a: number, c: BusinessHours) => {
    for (let d = day0(a, c), i = 0; i < 400; i++, d = d.plus({ days: 1 }).startOf('day'))
      for (const x of spansOf(c, d)) if (x.to > a) return Math.max(x.from, a);
    return Number.NaN;
  };
  const calendar = fc
    .record({
      timezone: fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata'),
      weekly: fc.record(
        {
          mon: fc.constant([{ start: '09:00', end: '17:00' }]),
          fri: fc.constantFrom(
            [
              { start: '08:00', end: '12:00' },
              { start: '13:00', end: '16:00' },
            ],
            [{ start: '22:00', end: '24:00' }],
          ),
          sat: fc.constantFrom([{ start: '00:00', end: '06:00' }], [{ start: '00:00', end: '24:00' }]),
          sun: fc.constantFrom([{ start: '01:00', end: '04:00' }], [{ start: '00:00', end: '24:00' }], [{ start: '02:30', end: '03:30' }]),
        },
        { requiredKeys: ['mon'] },
      ),
      holidays: fc.subarray(['2026-03-30', '2026-10-26', '2026-04-06']),
    })
    .map((c) => configSchemas().BusinessHoursSchema.parse({ id: 'cal', ...c }));
  const around = fc.constantFrom(
    ...['2026-03-06', '2026-03-27', '2026-04-03', '2026-09-04', '2026-10-02', '2026-10-23', '2026-10-30'].map((d) => Date.parse(`${d}T00:00:00Z`)),
  );

  it('counts the last day after a DST change that skips midnight (Chile): Thursday evening to Monday 09:01 in Santiago is one business minute', () => {
    // On 2026-09-06 Santiago's clocks go from 23:59:59 to 01:00: that day has no midnight. Walking
    // days by adding one day to a midnight then landed on 01:00 and stopped a day short.
    const monday = configSchemas().BusinessHoursSchema.parse({ id: 'cal', timezone: 'America/Santiago', weekly: { mon: [{ start: '09:00', end: '17:00' }] } });
    const thursday = new Date('2026-09-04T00:59:00Z'); // Thursday 20:59 in Santiago (UTC−4)
    const mondayMorning = new Date('2026-09-07T12:01:00Z'); // 09:01 in Santiago (UTC−3)
    expect(businessTimeBetween(thursday, mondayMorning, monday)).toBe(60_000);
    expect(workingDayEndedBetween(new Date('2026-09-07T19:30:00Z'), new Date('2026-09-07T21:00:00Z'), monday)?.toISOString()).toBe('2026-09-07T20:00:00.000Z');
  });

  it('gives what walking the days afresh gives, across DST changes, forwards and backwards in any order', () => {
    fc.assert(
      fc.property(
        calendar,
        around,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 * 24 * 60 }), fc.integer({ min: 0, max: 60 * 60 })), { minLength: 1, maxLength: 12 }),
        (cal, base, steps) => {
          for (const [minute, amountMinutes] of steps) {
            const a = base + minute * 60_000;
            const b = a + amountMinutes * 60_000 * 2;
            const ms = amountMinutes * 60_000;
            if (businessTimeBetween(new Date(a), new Date(b), cal) !== between(a, b, cal)) return false;
            if (addBusinessTime(new Date(a), ms, cal).getTime() !== add(a, ms, cal)) return false;
            if (nextOpening(new Date(a), cal).getTime() !== opening(a, cal)) return false;
            // subtract is add's inverse on the business clock.
            const later = addBusinessTime(new Date(a), ms, cal);
            if (businessTimeBetween(subtractBusinessTime(later, ms, cal), later, cal) !== ms) return false;
            const ended = workingDayEndedBetween(new Date(a), new Date(b), cal);
            if (ended && (ended.getTime() <= a || ended.getTime() > b || opening(ended.getTime(), cal) - ended.getTime() < 4 * HOUR)) return false;
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('the event queue and the waiting index', () => {
  it('events come out in time order, ties in the order they were scheduled', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const q = new EventQueue();
        times.forEach((t, i) => q.push(t, 0, i));
        const out: [number, number][] = [];
        for (let e = q.pop(); e; e = q.pop()) out.push([e.t, e.ref]);
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        return JSON.stringify(out) === JSON.stringify(expected);
      }),
    );
  });

  it('the head of a queue is its waiting cases in dispatch order (priority, then age, then id), whatever came and went', () => {
    type Op = { kind: 'place'; c: number; q: string; rank: number } | { kind: 'remove'; c: number } | { kind: 'head'; q: string; n: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('place' as const),
        c: fc.integer({ min: 0, max: 40 }),
        q: fc.constantFrom('a', 'b'),
        rank: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({ kind: fc.constant('remove' as const), c: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('head' as const), q: fc.constantFrom('a', 'b'), n: fc.integer({ min: 1, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 41, maxLength: 41 }), fc.array(op, { maxLength: 400 }), (created, ops) => {
        const index = new WaitingIndex();
        const entries: WaitingEntry[] = created.map((c, i) => ({ createdMs: c, index: i, entry: 0 }));
        const model = new Map<number, { q: string; rank: number }>();
        for (const o of ops) {
          if (o.kind === 'place') {
            index.place(entries[o.c]!, o.q, o.rank);
            model.set(o.c, { q: o.q, rank: o.rank });
          } else if (o.kind === 'remove') {
            index.remove(entries[o.c]!);
            model.delete(o.c);
          } else {
            const expected = [...model]
              .filter(([, w]) => w.q === o.q)
              .sort(([a, wa], [b, wb]) => wa.rank - wb.rank || created[a]! - created[b]! || a - b)
              .slice(0, o.n)
              .map(([c]) => c);
            if (JSON.stringify(index.head(o.q, o.n).map((e) => e.index)) !== JSON.stringify(expected)) return false;
            if (index.count(o.q) !== [...model.values()].filter((w) => w.q === o.q).length) return false;
          }
        }
        return index.size === model.size;
      }),
      { numRuns: 300 },
    );
  });

  it('iso() writes instants exactly as Date.prototype.toISOString does', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 253402300799999, noNaN: true }), (ms) => iso(ms) === new Date(Math.floor(ms)).toISOString()),
      { numRuns: 2000 },
    );
  });
});

describe('randomness and distributions', () => {
  it('uniforms are addressed by (seed, stream, index), in (0, 1), and look uniform', () => {
    expect(uniformAt(1, 2, 3)).toBe(uniformAt(1, 2, 3));
    expect(uniformAt(1, 2, 3)).not.toBe(uniformAt(1, 2, 4));
    expect(uniformAt(1, 2, 3)).not.toBe(uniformAt(2, 2, 3));
    const n = 50_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = uniformAt(7, 1, i);
      expect(u > 0 && u < 1).toBe(true);
      bins[Math.floor(u * 10)]!++;
      sum += u;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    // Chi-square with 9 degrees of freedom: 27.9 is its 99.9 % point.
    const chi = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.9);
  });

  it('each named distribution has the mean it was given, sampled', () => {
    for (const [spec, mean] of [
      ['exponential:mean=PT30M', 30],
      ['lognormal:mean=PT30M,sd=PT20M', 30],
      ['gamma:shape=0.5,mean=1h', 60],
      ['gamma:shape=3,mean=PT20M', 20],
      ['erlang:k=4,mean=40m', 40],
      ['uniform:min=PT5M,max=PT15M', 10],
      ['fixed:PT10M', 10],
    ] as const) {
      const d = parseDistribution(spec);
      expect(d.mean).toBe(mean * 60_000);
      let sum = 0;
      const n = 40_000;
      for (let i = 0; i < n; i++) sum += d.sample(randomAt(3, 2, i));
      expect(Math.abs(sum / n / d.mean - 1), spec).toBeLessThan(0.03);
    }
    const e = empirical([1, 2, 3, 4]);
    expect(e.mean).toBe(2.5);
    expect(new Set(Array.from({ length: 200 }, (_, i) => e.sample(randomAt(1, 1, i))))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('a bad distribution is rejected naming the option and showing how to write it', () => {
    rejects(() => parseDistribution('normal:mean=PT1H'), '--handle', 'unknown distribution "normal"');
    rejects(() => parseDistribution('exponential'), '--handle', 'exponential needs mean= (e.g. exponential:mean=PT30M)');
    rejects(() => parseDistribution('exponential:mean=soon'), '--handle', '"soon" is not a duration');
    rejects(() => parseDistribution('lognormal:mean=PT1H,sigma=2'), '--handle', 'lognormal takes mean, sd, not sigma');
    rejects(() => parseDistribution('erlang:k=1.5,mean=PT1H'), '--handle', 'erlang needs a whole k');
    rejects(() => parseDistribution('uniform:min=PT2H,max=PT1H'), '--handle', 'max must be above min');
    rejects(() => empirical([]), '--handle', 'no case with both an assignment and a resolution');
  });
});

describe('Erlang C', () => {
  it('gives the textbook figures', () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12); // M/M/1: P(wait) = ρ
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(erlangC(10, 8)).toBeCloseTo(0.409, 3);
    expect(mmc(1, 0.9, 1).meanWait).toBeCloseTo(9, 9); // ρ/(μ−λ)
    expect(mmc(3, 3, 1).meanWait).toBe(Number.POSITIVE_INFINITY);
    expect(serviceLevel(2, 1, 1, 0)).toBeCloseTo(2 / 3, 12);
    // 100 calls an hour of 3 minutes, 80 % within 20 s: the classic call-centre example needs 8 agents.
    expect(agentsFor(100, 3 / 60, 1, 0.8, 20 / 3600)).toBe(8);
    expect(agentsFor(100, 3 / 60, 2, 0.8, 20 / 3600)).toBe(4);
  });
});

describe('options', () => {
  it('durations, targets and their errors', () => {
    expect(parseDuration('PT1H30M', '--x')).toBe(1.5 * HOUR);
    expect(parseDuration('90m', '--x')).toBe(1.5 * HOUR);
    expect(parseDuration('1.5h', '--x')).toBe(1.5 * HOUR);
    expect(parseDuration('P2D', '--x')).toBe(48 * HOUR);
    rejects(() => parseDuration('an hour', '--warmup'), '--warmup', '"an hour" is not a duration');
    expect(parseTarget('80% within PT1H')).toEqual({ share: 0.8, withinMs: HOUR, text: '80% within PT1H' });
    expect(parseTarget('0.9 in 30m').share).toBe(0.9);
    rejects(() => parseTarget('most within an hour'), '--target', 'write it like "80% within PT1H"');
    rejects(() => parseTarget('100% within PT1H'), '--target', 'below 100 %');
  });

  it('--agents sets a queue’s membership: copies of its members to grow, the last ones left out to shrink', () => {
    const config = parseRoutingConfig({
      queues: [
        { id: 'support', name: 'S', members: ['ada', 'bo'] },
        { id: 'vip', name: 'V', members: ['bo'] },
      ],
      agents: [
        { id: 'ada', name: 'Ada', email: 'ada@x.example.com', capacity: { email: 2 }, skills: { lamps: 3 } },
        { id: 'bo', name: 'Bo', email: 'bo@x.example.com', capacity: { email: 1 } },
      ],
    });
    expect(parseAgentsOption('support=5', config)).toEqual({ queue: 'support', count: 5 });
    expect(parseAgentsOption('vip=-1', config)).toEqual({ queue: 'vip', delta: -1 });
    rejects(() => parseAgentsOption('5', config), '--agents', 'name the queue (QUEUE=N): the configuration has 2 staffed queues');
    rejects(() => parseAgentsOption('sales=3', config), '--agents', 'no queue "sales"');
    rejects(() => parseAgentsOption('support=many', config), '--agents', 'is not QUEUE=N');
    const grown = applyAgentChanges(config, [{ queue: 'support', count: 5 }]);
    expect(grown.config.queues[0]!.members).toEqual(['ada', 'bo', 'ada.2', 'bo.2', 'ada.3']);
    expect(grown.config.queues[1]!.members).toEqual(['bo']);
    const copy = grown.config.agents.find((a) => a.id === 'ada.3')!;
    expect(copy).toMatchObject({ capacity: { email: 2 }, skills: { lamps: 3 }, email: 'ada+3@x.example.com' });
    const shrunk = applyAgentChanges(config, [{ queue: 'support', delta: -1 }]);
    expect(shrunk.config.queues[0]!.members).toEqual(['ada']);
    expect(shrunk.config.agents.map((a) => a.id)).toEqual(['ada', 'bo']);
    expect(shrunk.notes).toEqual(['queue support: 2 ▶ 1 members (without bo)']);
    rejects(() => applyAgentChanges(config, [{ queue: 'vip', delta: -2 }]), '--agents', 'it cannot have -1');
  });
});

describe('arrivals', () => {
  const monday = Date.parse('2026-01-05T00:00:00Z');

  it('Poisson arrivals at a constant rate: the count and the attribute mix are as asked, the same for the same seed', () => {
    const source = poissonArrivals({ profile: { perHour: 50, timezone: 'UTC' }, start: monday, end: monday + 200 * HOUR, mix: [parseMix('type=a:1,b:3')] });
    const all = (seed: number) => {
      const s = source.open(seed);
      const out = [];
      for (let a = s.next(); a; a = s.next()) out.push(a);
      return out;
    };
    const a = all(1);
    expect(Math.abs(a.length - 10_000)).toBeLessThan(400); // 4 standard deviations
    expect(Math.abs(a.filter((x) => x.fields.type === 'a').length / a.length - 0.25)).toBeLessThan(0.02);
    expect(a.every((x, i) => i === 0 || x.at >= a[i - 1]!.at)).toBe(true);
    expect(all(1)).toEqual(a);
    expect(all(2).length).not.toBe(a.length);
  });

  it("Poisson arrivals drawing their attributes from a log's cases: the log's mix and combinations, a --mix over them, the same for the same seed", () => {
    const pool = [
      { product: 'p1', severity: 'high', channel: 'email' as const },
      { product: 'p2', severity: 'low', channel: 'email' as const },
      { product: 'p2', severity: 'low', channel: 'email' as const },
      { product: 'p3', severity: 'medium', channel: 'email' as const },
    ];
    const source = poissonArrivals({
      profile: { perHour: 50, timezone: 'UTC' },
      start: monday,
      end: monday + 200 * HOUR,
      pool,
      mix: [parseMix('channel=phone:1')],
    });
    expect(source.description).toBe('Poisson arrivals, 50 per hour, each with the attributes of one of 4 logged cases drawn at random');
    const all = (seed: number) => {
      const s = source.open(seed);
      const out = [];
      for (let a = s.next(); a; a = s.next()) out.push(a);
      return out;
    };
    const a = all(1);
    const share = (p: string) => a.filter((x) => x.fields.product === p).length / a.length;
    expect(Math.abs(share('p1') - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(share('p2') - 0.5)).toBeLessThan(0.02);
    // Drawn whole: a p2 case is always low, never a combination the log does not have.
    expect(new Set(a.map((x) => `${x.fields.product}/${x.fields.severity}`))).toEqual(new Set(['p1/high', 'p2/low', 'p3/medium']));
    expect(a.every((x) => x.fields.channel === 'phone')).toBe(true);
    // The mix changed the drawn copies, not the log's cases.
    expect(pool.every((p) => p.channel === 'email')).toBe(true);
    expect(all(1)).toEqual(a);
    // The arrival instants do not depend on the pool: the same seed without it gives the same times.
    const bare = poissonArrivals({ profile: { perHour: 50, timezone: 'UTC' }, start: monday, end: monday + 200 * HOUR }).open(1);
    const times: number[] = [];
    for (let x = bare.next(); x; x = bare.next()) times.push(x.at);
    expect(times).toEqual(a.map((x) => x.at));
  });

  it('Poisson arrivals by hour of the week arrive only in the hours that have a rate, as many as the rates say', () => {
    const rates = parseWeeklyProfile({ mon: [...new Array(9).fill(0), ...new Array(8).fill(30), ...new Array(7).fill(0)] }, '--poisson');
    const source = poissonArrivals({ profile: { perHour: rates, timezone: 'Europe/Rome' }, start: monday, end: monday + 4 * 7 * 24 * HOUR });
    const s = source.open(5);
    const hours = new Map<number, number>();
    let n = 0;
    for (let a = s.next(); a; a = s.next()) {
      const dt = DateTime.fromMillis(a.at, { zone: 'Europe/Rome' });
      expect(dt.weekday).toBe(1);
      hours.set(dt.hour, (hours.get(dt.hour) ?? 0) + 1);
      n++;
    }
    expect([...hours.keys()].sort((a, b) => a - b)).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Math.abs(n - 4 * 8 * 30)).toBeLessThan(4 * Math.sqrt(960));
    const profile = weeklyProfileOf(
      Array.from({ length: 100 }, (_, i) => ({ at: monday + 10 * HOUR + i * 7 * 24 * HOUR })),
      'UTC',
    );
    expect(profile[10]).toBeCloseTo(100 / 99, 6);
    rejects(() => parseWeeklyProfile([1, 2, 3], '--poisson'), '--poisson', '3 hourly rates; a week has 168');
    rejects(() => parseWeeklyProfile({ monday: [] }, '--poisson'), '--poisson', '"monday" is not a weekday');
    rejects(() => parseMix('colour=red:1'), '--mix', '"colour" is not a case field');
    rejects(() => parseMix('channel=fax:1'), '--mix', 'channel "fax" is not one of email, web, phone, chat');
  });

  it('replaying a log: each case arrives at its first event, with its attributes; handle times from assignment to resolution', () => {
    const ev = (caseId: string, activity: string, t: number, attributes: Record<string, string> = {}): MiningEvent => ({
      caseId,
      activity,
      timestamp: monday + t,
      attributes,
    });
    const traces = groupTraces([
      ev('1', 'Open', 0, { Product: 'lamp', Customer: 'acme', Seriousness: 'high' }),
      ev('1', 'Take in charge', HOUR),
      ev('1', 'Resolve', 3 * HOUR),
      ev('2', 'Open', 2 * HOUR, { Product: 'router' }),
      ev('2', 'Take in charge', 2 * HOUR),
      ev('2', 'RESOLVED', 4 * HOUR),
      ev('3', 'Open', 5 * HOUR, { Product: 'router' }),
      ev('3', 'Take in charge', 9 * HOUR),
      ev('3', 'Resolve', 10 * HOUR),
    ]);
    // "Resolve" is what most cases have: the one "RESOLVED" does not win because it spells the candidate exactly.
    const replay = replayTraces(traces, { assignedActivities: ['take in charge'], map: { severity: 'Seriousness' } });
    expect(replay.mapping).toEqual({
      assigned: ['Take in charge'],
      resolved: ['Resolve'],
      fields: { product: 'Product', 'account.id': 'Customer', severity: 'Seriousness' },
    });
    expect(replay.handleTimes).toEqual([2 * HOUR, HOUR]);
    expect(replay.observedWaits).toEqual([HOUR, 0, 4 * HOUR]);
    const s = replay.source.open(0);
    expect(s.next()).toEqual({
      at: monday,
      fields: { product: 'lamp', account: { id: 'acme' }, severity: 'high' },
      ref: '1',
      observedWaitMs: HOUR,
      observedHandleMs: 2 * HOUR,
    });
    rejects(() => replayTraces(traces, { resolvedActivities: ['Closed'] }), '--resolved-activity', 'no activity "Closed" in the log');
    rejects(() => replayTraces(traces, { map: { type: 'Kind' } }), '--map', 'no column "Kind" in the log');
    rejects(() => replayTraces(groupTraces([ev('9', 'Something', 0)])), '--assigned-activity', 'cannot tell which activity means an agent took the case');
  });
});

describe('figures, report and chart', () => {
  it('quantiles interpolate between the sorted values', () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileSorted([0, 10], 0.9)).toBe(9);
    expect(summarise([3, 1, 2])).toEqual({ count: 3, mean: 2, p50: 2, p90: 2.8, p99: 2.98, max: 3 });
  });

  it('the text report and the SVG chart show what the run found', () => {
    const config = parseRoutingConfig({
      territories: [{ id: 'all', name: 'All', match: {}, queue: 'q' }],
      queues: [{ id: 'q', name: 'Q', members: ['ada'] }],
      agents: [{ id: 'ada', name: 'Ada', email: 'ada@x.example.com', capacity: { email: 1 } }],
    });
    const monday = Date.parse('2026-01-05T00:00:00Z');
    const run = replicate(
      {
        config,
        seed: 1,
        arrivals: poissonArrivals({ profile: { perHour: 1.5, timezone: 'UTC' }, start: monday, end: monday + 48 * HOUR }),
        handle: { distribution: parseDistribution('exponential:mean=PT30M') },
        timezone: 'Europe/Rome',
      },
      2,
    );
    const text = formatRun(run, ['heading']);
    expect(text).toContain('Wait until assignment');
    expect(text).toMatch(/all\s+\S+ (ms|s|min|h) ± /);
    expect(text).toContain('ada');
    const timeline = meanTimeline(run.results.map((r) => r.timeline));
    expect(timeline.bins).toHaveLength(48);
    expect(timeline.timezone).toBe('Europe/Rome');
    const mean = run.results.reduce((s, r) => s + r.timeline.bins.reduce((t, b) => t + b.arrivalsPerDay, 0), 0) / 2;
    expect(timeline.bins.reduce((s, b) => s + b.arrivalsPerDay, 0)).toBeCloseTo(mean, 6);
    const svg = renderChart({ title: 'A <title> & more', series: [{ name: 'x', timeline }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<title>A &lt;title&gt; &amp; more</title>');
    expect(svg).toContain('Cases waiting');
    expect(svg).toContain('queue q');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
