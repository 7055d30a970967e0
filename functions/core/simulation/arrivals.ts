import { DateTime } from 'luxon';
import type { CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';
import { CHANNELS, type Channel } from '../config.js';
import { miningEventsFromCaseEvents } from '../mining/case-events.js';
import { groupTraces, type Trace } from '../mining/event-log.js';
import { parseNumber, SimulationOptionError } from './options.js';
import { STREAMS, uniformAt } from './random.js';

/**
 * Where the simulated cases come from: replayed from an event log (a CSV or XES file, or the local
 * stack's own history) at the instants they arrived, or generated as a Poisson process (constant, or
 * by hour of the week). Every source is opened per seed, so replications differ and two
 * configurations compared under one seed see the very same cases.
 */

/** The case attributes the engine reads (rules, territories, priority), as dotted paths. */
export interface CaseFields {
  channel?: Channel;
  product?: string;
  type?: string;
  severity?: string;
  language?: string;
  subject?: string;
  contact?: { email?: string; name?: string; phone?: string };
  account?: { id?: string; name?: string; tier?: string; segment?: string; group?: string };
  location?: { country?: string; region?: string; postalCode?: string; city?: string };
}

export interface Arrival {
  /** Epoch milliseconds. */
  at: number;
  fields: CaseFields;
  /** From a log: how long an agent held this case (assignment to resolution). */
  observedHandleMs?: number;
  /** From a log: how long it waited before its first assignment. */
  observedWaitMs?: number;
  /** The log's case id. */
  ref?: string;
}

export interface ArrivalStream {
  /** The next arrival in time order, or undefined when there are no more. */
  next(): Arrival | undefined;
}

export interface ArrivalSource {
  description: string;
  /** The window the arrivals fall in: [start, end). */
  start: number;
  end: number;
  /** Known when replaying. */
  count?: number;
  open(seed: number): ArrivalStream;
}

/** The paths a field may be set at, for `--mix` and `--map`. */
export const FIELD_PATHS = [
  'channel',
  'product',
  'type',
  'severity',
  'language',
  'subject',
  'contact.email',
  'contact.name',
  'contact.phone',
  'account.id',
  'account.name',
  'account.tier',
  'account.segment',
  'account.group',
  'location.country',
  'location.region',
  'location.postalCode',
  'location.city',
] as const;
export type FieldPath = (typeof FIELD_PATHS)[number];

export function setField(fields: CaseFields, path: FieldPath, value: string, option: string): void {
  if (path === 'channel') {
    const channel = value.toLowerCase();
    if (!(CHANNELS as readonly string[]).includes(channel)) throw new SimulationOptionError(option, `channel "${value}" is not one of ${CHANNELS.join(', ')}`);
    fields.channel = channel as Channel;
    return;
  }
  const [head, tail] = path.split('.') as [string, string?];
  const target = fields as Record<string, unknown>;
  if (tail === undefined) target[head] = value;
  else target[head] = { ...((target[head] as Record<string, unknown>) ?? {}), [tail]: value };
}

function fieldPath(text: string, option: string): FieldPath {
  const hit = FIELD_PATHS.find((p) => p.toLowerCase() === text.trim().toLowerCase());
  if (!hit) throw new SimulationOptionError(option, `"${text}" is not a case field; use one of ${FIELD_PATHS.join(', ')}`);
  return hit;
}

// ---------------------------------------------------------------------------------------------
// Generated: Poisson arrivals with an attribute mix

/** `type=billing:0.2,question:0.8`: a field and the weights of its values (weights need not add up to 1). */
export interface MixSpec {
  path: FieldPath;
  values: string[];
  /** Cumulative weights, normalised to end at 1. */
  cumulative: number[];
}

export function parseMix(text: string, option = '--mix'): MixSpec {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SimulationOptionError(option, `"${text}" is not FIELD=VALUE:WEIGHT,... (e.g. type=billing:0.2,question:0.8)`);
  const path = fieldPath(text.slice(0, eq), option);
  const values: string[] = [];
  const weights: number[] = [];
  for (const part of text
    .slice(eq + 1)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const colon = part.lastIndexOf(':');
    const value = colon > 0 ? part.slice(0, colon) : part;
    const weight = colon > 0 ? parseNumber(part.slice(colon + 1), option, 0) : 1;
    if (path === 'channel') setField({}, path, value, option);
    values.push(value);
    weights.push(weight);
  }
  const total = weights.reduce((s, w) => s + w, 0);
  if (values.length === 0 || !(total > 0)) throw new SimulationOptionError(option, `"${text}" gives no value with a weight above zero`);
  let run = 0;
  return { path, values, cumulative: weights.map((w) => (run += w / total)) };
}

/** Arrivals per hour: one rate, or 168 (Monday 00:00 to Sunday 23:00 in `timezone`). */
export interface RateProfile {
  perHour: number | number[];
  timezone: string;
}

/**
 * Parses a weekly profile: a JSON array of 168 hourly rates from Monday 00:00, or an object of
 * weekdays (`mon` ... `sun`) each with 24 rates (a day left out has none).
 */
export function parseWeeklyProfile(json: unknown, option: string): number[] {
  const check = (xs: unknown, what: string): number[] => {
    if (!Array.isArray(xs) || !xs.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
      throw new SimulationOptionError(option, `${what} must be a list of rates ≥ 0`);
    }
    return xs as number[];
  };
  if (Array.isArray(json)) {
    const rates = check(json, 'the profile');
    if (rates.length !== 168) throw new SimulationOptionError(option, `the profile has ${rates.length} hourly rates; a week has 168`);
    return rates;
  }
  if (json && typeof json === 'object') {
    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const obj = json as Record<string, unknown>;
    for (const k of Object.keys(obj)) if (!days.includes(k)) throw new SimulationOptionError(option, `"${k}" is not a weekday (mon ... sun)`);
    return days.flatMap((d) => {
      if (obj[d] === undefined) return new Array<number>(24).fill(0);
      const rates = check(obj[d], d);
      if (rates.length !== 24) throw new SimulationOptionError(option, `${d} has ${rates.length} hourly rates; a day has 24`);
      return rates;
    });
  }
  throw new SimulationOptionError(option, 'the profile must be a list of 168 hourly rates or an object of weekdays with 24 rates each');
}

/** The hour-of-week profile of a log's arrivals: mean arrivals per hour, per hour of the week, in `timezone`. */
export function weeklyProfileOf(arrivals: readonly { at: number }[], timezone: string): number[] {
  const counts = new Array<number>(168).fill(0);
  if (arrivals.length === 0) return counts;
  for (const a of arrivals) counts[hourOfWeek(a.at, timezone)]!++;
  const first = arrivals[0]!.at;
  const last = arrivals[arrivals.length - 1]!.at;
  const weeks = Math.max(1, (last - first) / 604_800_000);
  return counts.map((c) => c / weeks);
}

function hourOfWeek(at: number, timezone: string): number {
  const dt = DateTime.fromMillis(at, { zone: timezone });
  return (dt.weekday - 1) * 24 + dt.hour;
}

/**
 * A Poisson process over [start, end): with one rate, exponential gaps; with a weekly profile, the
 * unit-rate process mapped through the cumulative intensity (hour by hour), which keeps arrival i
 * tied to the same random number whatever the profile.
 *
 * Each case's attributes: `base`; or, given a `pool` (the cases of a log), those of a case of the
 * pool drawn at random, so generated cases carry the log's mix of products, types and severities
 * and its combinations of them; then each `mix` draws its field over them.
 */
export function poissonArrivals(options: {
  profile: RateProfile;
  start: number;
  end: number;
  mix?: readonly MixSpec[];
  base?: CaseFields;
  pool?: readonly CaseFields[];
}): ArrivalSource {
  const { profile, start, end } = options;
  const mix = options.mix ?? [];
  const pool = options.pool && options.pool.length > 0 ? options.pool : undefined;
  const baseOf = (seed: number, i: number): CaseFields => (pool ? pool[Math.floor(uniformAt(seed, STREAMS.resample, i) * pool.length)]! : (options.base ?? {}));
  const constant = typeof profile.perHour === 'number' ? profile.perHour : undefined;
  const weekly = typeof profile.perHour === 'number' ? undefined : profile.perHour;
  if (constant !== undefined && !(constant > 0)) throw new SimulationOptionError('--poisson', 'the rate must be more than zero per hour');
  if (weekly && !weekly.some((r) => r > 0)) throw new SimulationOptionError('--poisson', 'the weekly profile has no hour with arrivals');
  const describe =
    (constant !== undefined
      ? `Poisson arrivals, ${constant} per hour`
      : `Poisson arrivals by hour of week (${profile.timezone}), ${round2(weekly!.reduce((s, r) => s + r, 0))} per week`) +
    (pool ? `, each with the attributes of one of ${pool.length} logged cases drawn at random` : '');

  const fieldsFor = (seed: number, i: number): CaseFields => {
    const base = baseOf(seed, i);
    if (mix.length === 0) return pool ? structuredClone(base) : base;
    const fields: CaseFields = structuredClone(base);
    mix.forEach((m, j) => {
      const u = uniformAt(seed, STREAMS.attributes * 1000 + j, i);
      let k = 0;
      while (k < m.cumulative.length - 1 && u > m.cumulative[k]!) k++;
      setField(fields, m.path, m.values[k]!, '--mix');
    });
    return fields;
  };

  return {
    description: describe,
    start,
    end,
    open(seed: number): ArrivalStream {
      let i = 0;
      let t = start;
      // Weekly profile: the hour being walked through.
      let hourEnd = start;
      let rate = 0;
      const enterHour = (at: number) => {
        const dt = DateTime.fromMillis(at, { zone: profile.timezone });
        const next = dt.startOf('hour').plus({ hours: 1 }).toMillis();
        rate = weekly![(dt.weekday - 1) * 24 + dt.hour]!;
        hourEnd = next;
      };
      return {
        next(): Arrival | undefined {
          let e = -Math.log(uniformAt(seed, STREAMS.arrivals, i));
          if (constant !== undefined) {
            t += (e / constant) * 3_600_000;
          } else {
            for (;;) {
              if (t >= hourEnd) enterHour(t);
              const room = (rate * (hourEnd - t)) / 3_600_000;
              if (e <= room && rate > 0) {
                t += (e / rate) * 3_600_000;
                break;
              }
              e -= room;
              t = hourEnd;
              if (t >= end) break;
            }
          }
          if (t >= end) return undefined;
          const arrival: Arrival = { at: t, fields: fieldsFor(seed, i) };
          i++;
          return arrival;
        },
      };
    },
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

// ---------------------------------------------------------------------------------------------
// Replayed: from an event log's traces, or from the local stack's cases

export function replaySource(description: string, arrivals: Arrival[], window?: { start?: number; end?: number }): ArrivalSource {
  const sorted = [...arrivals].sort((a, b) => a.at - b.at);
  const start = window?.start ?? sorted[0]?.at ?? 0;
  const lastAt = sorted.length ? sorted[sorted.length - 1]!.at : start;
  const end = window?.end ?? lastAt + 1;
  const inWindow = sorted.filter((a) => a.at >= start && a.at < end);
  return {
    description,
    start,
    end,
    count: inWindow.length,
    open() {
      let i = 0;
      return { next: () => inWindow[i++] };
    },
  };
}

/** Activities that mean "an agent took the case" and "the case was resolved", best first. */
const ASSIGNED_CANDIDATES = ['assigned', 'accepted', 'take in charge ticket', 'take in charge', 'assign', 'in progress', 'start', 'started'];
const RESOLVED_CANDIDATES = ['resolved', 'resolve ticket', 'resolve', 'solved', 'complete', 'completed', 'closed', 'close'];

const normalise = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();

function detectActivities(
  given: readonly string[] | undefined,
  present: ReadonlyMap<string, number>,
  candidates: readonly string[],
  option: string,
  role: string,
): string[] {
  const byName = new Map<string, string[]>();
  for (const a of present.keys()) {
    const list = byName.get(normalise(a)) ?? [];
    list.push(a);
    byName.set(normalise(a), list);
  }
  const names = () => [...present.keys()].slice(0, 30).join(', ');
  if (given && given.length > 0) {
    return given.map((g) => {
      const hit = present.has(g) ? g : byName.get(normalise(g))?.[0];
      if (!hit) throw new SimulationOptionError(option, `no activity "${g}" in the log; its activities are: ${names()}`);
      return hit;
    });
  }
  // Of the well-known names present, the one most cases have (a rare status named "RESOLVED" must not beat "Resolve ticket").
  let best: { name: string; cases: number } | undefined;
  for (const c of candidates) {
    for (const hit of byName.get(c) ?? []) {
      const cases = present.get(hit)!;
      if (!best || cases > best.cases) best = { name: hit, cases };
    }
  }
  if (!best) throw new SimulationOptionError(option, `cannot tell which activity means ${role} (use ${option}); the activities are: ${names()}`);
  return [best.name];
}

/** Column names that map to a case field without being asked (compared ignoring case, spaces and underscores). */
const AUTO_FIELDS: Record<string, FieldPath> = {
  product: 'product',
  type: 'type',
  'case type': 'type',
  severity: 'severity',
  priority: 'severity',
  channel: 'channel',
  language: 'language',
  country: 'location.country',
  region: 'location.region',
  'postal code': 'location.postalCode',
  postcode: 'location.postalCode',
  customer: 'account.id',
  account: 'account.id',
  'account id': 'account.id',
  segment: 'account.segment',
  tier: 'account.tier',
  email: 'contact.email',
  'contact email': 'contact.email',
};

export interface LogReplayOptions {
  /** Activities that mean an agent took the case (detected when absent). */
  assignedActivities?: string[];
  resolvedActivities?: string[];
  /** Case field ▶ column of the log (`severity=seriousness`); columns named like a field map by themselves. */
  map?: Partial<Record<FieldPath, string>>;
  /** Only cases that arrive in [from, to). */
  from?: number;
  to?: number;
}

export interface LogReplay {
  source: ArrivalSource;
  /** Observed handle times (assignment to resolution), for the empirical distribution. */
  handleTimes: number[];
  /** Observed waits (arrival to first assignment) of the replayed cases, to compare with. */
  observedWaits: number[];
  mapping: { assigned: string[]; resolved: string[]; fields: Record<string, string> };
  notes: string[];
}

/**
 * Each trace is one case: it arrives at its first event, with the attributes of that event mapped to
 * case fields; its handle time is from its first assignment to the first resolution after it.
 */
export function replayTraces(traces: readonly Trace[], options: LogReplayOptions = {}, label = 'event log'): LogReplay {
  // Activity ▶ the number of cases it occurs in.
  const activities = new Map<string, number>();
  const columns = new Set<string>();
  for (const t of traces) {
    for (const a of new Set(t.events.map((e) => e.activity))) activities.set(a, (activities.get(a) ?? 0) + 1);
    const first = t.events[0];
    if (first) for (const k of Object.keys(first.attributes)) columns.add(k);
  }
  const assigned = new Set(detectActivities(options.assignedActivities, activities, ASSIGNED_CANDIDATES, '--assigned-activity', 'an agent took the case'));
  const resolved = new Set(detectActivities(options.resolvedActivities, activities, RESOLVED_CANDIDATES, '--resolved-activity', 'the case was resolved'));

  const fieldColumns: Partial<Record<FieldPath, string>> = {};
  for (const col of columns) {
    const path = AUTO_FIELDS[normalise(col)];
    if (path && fieldColumns[path] === undefined) fieldColumns[path] = col;
  }
  for (const [path, col] of Object.entries(options.map ?? {}) as [FieldPath, string][]) {
    if (!columns.has(col)) throw new SimulationOptionError('--map', `no column "${col}" in the log; its columns are: ${[...columns].join(', ')}`);
    fieldColumns[path] = col;
  }

  const arrivals: Arrival[] = [];
  const handleTimes: number[] = [];
  const observedWaits: number[] = [];
  let skippedChannel = 0;
  for (const trace of traces) {
    const first = trace.events[0];
    if (!first) continue;
    const at = first.timestamp;
    if (options.from !== undefined && at < options.from) continue;
    if (options.to !== undefined && at >= options.to) continue;
    const fields: CaseFields = {};
    for (const [path, col] of Object.entries(fieldColumns) as [FieldPath, string][]) {
      const v = first.attributes[col];
      if (v === undefined || v === '') continue;
      try {
        setField(fields, path, v, '--map');
      } catch {
        skippedChannel++;
      }
    }
    const take = trace.events.find((e) => assigned.has(e.activity));
    const done = take ? trace.events.find((e) => resolved.has(e.activity) && e.timestamp >= take.timestamp) : undefined;
    const arrival: Arrival = { at, fields, ref: trace.caseId };
    if (take) {
      arrival.observedWaitMs = take.timestamp - at;
      observedWaits.push(arrival.observedWaitMs);
    }
    if (take && done) {
      arrival.observedHandleMs = done.timestamp - take.timestamp;
      handleTimes.push(arrival.observedHandleMs);
    }
    arrivals.push(arrival);
  }
  const notes = [
    `${arrivals.length} cases arrive at their first event; ${handleTimes.length} have a handle time (${[...assigned].join(' | ')} ▶ ${[...resolved].join(' | ')})`,
  ];
  if (skippedChannel > 0) notes.push(`${skippedChannel} values that are not channels were left out`);
  const source = replaySource(
    `${label}: ${arrivals.length} cases`,
    arrivals,
    options.from !== undefined || options.to !== undefined ? { start: options.from, end: options.to } : undefined,
  );
  return {
    source,
    handleTimes,
    observedWaits,
    mapping: { assigned: [...assigned], resolved: [...resolved], fields: fieldColumns as Record<string, string> },
    notes,
  };
}

/** The local stack's own history: each case arrives at its creation with its own attributes; handle time is assigned ▶ resolved. */
export function replayStack(cases: readonly CaseRecord[], events: readonly CaseEvent[], options: Pick<LogReplayOptions, 'from' | 'to'> = {}): LogReplay {
  const times = new Map<string, { handle?: number; take?: number }>();
  for (const trace of groupTraces(miningEventsFromCaseEvents(events))) {
    const take = trace.events.find((e) => e.activity === 'assigned');
    const done = take ? trace.events.find((e) => e.activity === 'resolved' && e.timestamp >= take.timestamp) : undefined;
    times.set(trace.caseId, { ...(take ? { take: take.timestamp } : {}), ...(take && done ? { handle: done.timestamp - take.timestamp } : {}) });
  }
  const arrivals: Arrival[] = [];
  for (const c of cases) {
    const at = Date.parse(c.createdAt);
    if (options.from !== undefined && at < options.from) continue;
    if (options.to !== undefined && at >= options.to) continue;
    const seen = times.get(c.caseId);
    const fields: CaseFields = {
      channel: c.channel,
      ...(c.product ? { product: c.product } : {}),
      ...(c.type ? { type: c.type } : {}),
      ...(c.severity ? { severity: c.severity } : {}),
      ...(c.language ? { language: c.language } : {}),
      subject: c.subject,
      contact: { ...c.contact },
      ...(c.account ? { account: { ...c.account } } : {}),
      ...(c.location ? { location: { ...c.location } } : {}),
    };
    arrivals.push({
      at,
      fields,
      ref: c.caseId,
      ...(seen?.handle !== undefined ? { observedHandleMs: seen.handle } : {}),
      ...(seen?.take !== undefined ? { observedWaitMs: Math.max(0, seen.take - at) } : {}),
    });
  }
  const handleTimes = arrivals.flatMap((a) => (a.observedHandleMs !== undefined ? [a.observedHandleMs] : []));
  const observedWaits = arrivals.flatMap((a) => (a.observedWaitMs !== undefined ? [a.observedWaitMs] : []));
  const window = options.from !== undefined || options.to !== undefined ? { start: options.from, end: options.to } : undefined;
  return {
    source: replaySource(`local stack: ${arrivals.length} cases`, arrivals, window),
    handleTimes,
    observedWaits,
    mapping: { assigned: ['assigned'], resolved: ['resolved'], fields: {} },
    notes: [`${arrivals.length} cases arrive at their creation with their own attributes; ${handleTimes.length} have a handle time (assigned ▶ resolved)`],
  };
}
