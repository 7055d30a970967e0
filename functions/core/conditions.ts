import { localTime, parseHhmm } from './business-hours.js';
import type { CaseRecord } from './case.js';
import type { Condition, ConditionNode } from './config.js';
import { compilePattern } from './pattern.js';

/**
 * Conditions on case fields, compiled once per configuration into plain closures, so evaluating
 * hundreds of rules per case costs a few property reads each (routing is data, evaluated
 * synchronously and deterministically: docs/architecture.md#routing-is-data). Time-of-day and date operators read `createdAt` (or any
 * timestamp field) in the condition's time zone.
 */

export interface ConditionSubject {
  case: CaseRecord;
  now: Date;
  /** Per-evaluation memo of local times, so 200 rules on one case convert each zone once. */
  localTimes?: Map<string, ReturnType<typeof localTime>>;
}

export type Predicate = (subject: ConditionSubject) => boolean;

/** Reads a dotted path from the case; `now` is the evaluation instant. */
export function fieldReader(path: string): (subject: ConditionSubject) => unknown {
  if (path === 'now') return (s) => s.now.toISOString();
  const parts = path.split('.');
  if (parts.length === 1) {
    const key = parts[0]!;
    return (s) => (s.case as unknown as Record<string, unknown>)[key];
  }
  return (s) => {
    let value: unknown = s.case;
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function compileCondition(c: Condition): Predicate {
  const read = fieldReader(c.field);
  const tz = c.timezone ?? 'UTC';
  const local = (s: ConditionSubject): ReturnType<typeof localTime> | undefined => {
    const raw = read(s);
    if (typeof raw !== 'string' && !(raw instanceof Date)) return undefined;
    const key = `${tz}|${String(raw)}`;
    s.localTimes ??= new Map();
    let t = s.localTimes.get(key);
    if (!t) {
      const instant = raw instanceof Date ? raw : new Date(raw);
      if (Number.isNaN(instant.getTime())) return undefined;
      t = localTime(instant, tz);
      s.localTimes.set(key, t);
    }
    return t;
  };

  switch (c.op) {
    case 'eq': {
      const want = lower(c.value);
      return (s) => lower(read(s)) === want || (typeof want === 'number' && Number(read(s)) === want);
    }
    case 'neq': {
      const want = lower(c.value);
      return (s) => lower(read(s)) !== want;
    }
    case 'in': {
      const set = new Set(asList(c.value).map(lower));
      return (s) => set.has(lower(read(s))) || set.has(String(read(s)).toLowerCase());
    }
    case 'not_in': {
      const set = new Set(asList(c.value).map(lower));
      return (s) => !set.has(lower(read(s)));
    }
    case 'contains': {
      const needle = String(c.value).toLowerCase();
      return (s) => {
        const v = read(s);
        if (Array.isArray(v)) return v.some((x) => String(x).toLowerCase() === needle);
        return typeof v === 'string' && v.toLowerCase().includes(needle);
      };
    }
    case 'starts_with': {
      const prefix = String(c.value).toLowerCase();
      return (s) => {
        const v = read(s);
        return typeof v === 'string' && v.toLowerCase().startsWith(prefix);
      };
    }
    case 'matches': {
      // Linear time whatever the pattern (see pattern.ts); the configuration was checked on apply.
      const pattern = compilePattern(String(c.value));
      return (s) => {
        const v = read(s);
        return typeof v === 'string' && pattern.test(v);
      };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const want = c.value as number | string;
      const cmp = (a: number | string) => (typeof want === 'number' ? Number(a) - want : String(a).localeCompare(String(want)));
      const test = { gt: (d: number) => d > 0, gte: (d: number) => d >= 0, lt: (d: number) => d < 0, lte: (d: number) => d <= 0 }[c.op];
      return (s) => {
        const v = read(s);
        if (v === undefined || v === null) return false;
        const d = cmp(v as number | string);
        return !Number.isNaN(d) && test(d);
      };
    }
    case 'exists':
      return c.value === false ? (s) => read(s) === undefined || read(s) === null : (s) => read(s) !== undefined && read(s) !== null;
    case 'time_between': {
      // [start, end) in local time; an end before the start spans midnight (22:00–06:00).
      const [start, end] = (c.value as string[]).map(parseHhmm) as [number, number];
      return (s) => {
        const t = local(s);
        if (!t) return false;
        return start <= end ? t.minutes >= start && t.minutes < end : t.minutes >= start || t.minutes < end;
      };
    }
    case 'weekday_in': {
      const days = new Set(asList(c.value).map((d) => String(d).slice(0, 3).toLowerCase()));
      return (s) => {
        const t = local(s);
        return t !== undefined && days.has(t.weekday);
      };
    }
    case 'date_eq': {
      const dates = new Set(asList(c.value).map(String));
      return (s) => {
        const t = local(s);
        return t !== undefined && dates.has(t.date);
      };
    }
    case 'date_between': {
      const [from, to] = c.value as [string, string];
      return (s) => {
        const t = local(s);
        return t !== undefined && t.date >= from && t.date <= to;
      };
    }
  }
}

export function compileConditionNode(node: ConditionNode): Predicate {
  if ('all' in node) {
    const parts = node.all.map(compileConditionNode);
    return (s) => parts.every((p) => p(s));
  }
  if ('any' in node) {
    const parts = node.any.map(compileConditionNode);
    return (s) => parts.some((p) => p(s));
  }
  if ('not' in node) {
    const parts = node.not.map(compileConditionNode);
    return (s) => !parts.some((p) => p(s));
  }
  return compileCondition(node);
}
