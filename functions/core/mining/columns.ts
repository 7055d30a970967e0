import { DateTime } from 'luxon';
import type { MiningEvent } from './event-log.js';

/**
 * From a table of strings (a CSV file, a flattened XES log) to mining events: which column is the
 * case, the activity, the timestamp, the resource and the team, and how timestamps are written.
 */

/** A parsed log file: header and rows of strings. Column names may repeat (the helpdesk CSV has two `Variant`). */
export interface EventTable {
  columns: string[];
  rows: (string | undefined)[][];
  /** The activity classifier the file itself declares (XES `<classifier>` keys), if any. */
  declaredActivityClassifier?: { name: string; keys: string[] };
}

export interface ColumnMapping {
  caseId: string;
  /** One column, or several whose values are joined with `+` (e.g. concept:name + lifecycle:transition). */
  activity: string[];
  timestamp: string;
  resource?: string;
  group?: string;
}

/** What the user asked for on the command line; anything left out is detected. */
export interface ColumnOverrides {
  caseId?: string;
  /** `a+b` joins several columns. */
  activity?: string;
  timestamp?: string;
  /** A column name, or '' to use none. */
  resource?: string;
  group?: string;
}

export class EventLogInputError extends Error {
  override name = 'EventLogInputError';
}

/** Well-known column names, best first: XES standard keys, then common CSV spellings (Disco, ProM, Celonis exports). */
const CANDIDATES: Record<keyof ColumnMapping, string[]> = {
  caseId: ['case:concept:name', 'case id', 'caseid', 'case', 'case number', 'ticket id', 'incident id', 'sr number'],
  activity: ['concept:name', 'activity', 'activity name', 'event name', 'task', 'event'],
  timestamp: ['time:timestamp', 'complete timestamp', 'timestamp', 'end timestamp', 'end time', 'completed at', 'time', 'start timestamp', 'date'],
  resource: ['org:resource', 'resource', 'user', 'performer', 'agent', 'owner'],
  group: ['org:group', 'group', 'team', 'workgroup', 'support team', 'queue'],
};

const LIFECYCLE = 'lifecycle:transition';
const ACTIVITY_SEPARATOR = '+';

function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

function findColumn(columns: readonly string[], candidates: readonly string[]): string | undefined {
  const byName = new Map<string, string>();
  for (const c of columns) if (!byName.has(normalise(c))) byName.set(normalise(c), c);
  for (const candidate of candidates) {
    const hit = byName.get(normalise(candidate));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function requireColumn(columns: readonly string[], name: string, role: string): string {
  if (columns.includes(name)) return name;
  const hit = findColumn(columns, [name]);
  if (hit !== undefined) return hit;
  throw new EventLogInputError(`no column "${name}" for the ${role}; the columns are: ${columns.join(', ')}`);
}

/** True when a lifecycle column says more than "complete": then it distinguishes activities (BPIC 2013 sub-statuses). */
function lifecycleCarriesMeaning(table: EventTable, column: string): boolean {
  const index = table.columns.indexOf(column);
  for (const row of table.rows) {
    const v = row[index];
    if (v && v.toLowerCase() !== 'complete') return true;
  }
  return false;
}

/**
 * Decides the column mapping: explicit overrides first, then well-known names. Returns notes that
 * explain every guess, so the CLI can print what it mapped.
 */
export function detectColumns(table: EventTable, overrides: ColumnOverrides = {}): { mapping: ColumnMapping; notes: string[] } {
  const { columns } = table;
  const notes: string[] = [];
  const pick = (role: keyof ColumnMapping, label: string): string | undefined => {
    const hit = findColumn(columns, CANDIDATES[role]);
    if (hit !== undefined) notes.push(`${label} = "${hit}" (detected)`);
    return hit;
  };

  const caseId = overrides.caseId !== undefined ? requireColumn(columns, overrides.caseId, 'case id') : pick('caseId', 'case');
  if (caseId === undefined) throw new EventLogInputError(`cannot tell which column is the case id (use --case-column); the columns are: ${columns.join(', ')}`);

  let activity: string[];
  if (overrides.activity !== undefined) {
    activity = splitActivityColumns(overrides.activity).map((c) => requireColumn(columns, c, 'activity'));
  } else {
    const classifier = table.declaredActivityClassifier;
    if (classifier && classifier.keys.length > 0 && classifier.keys.every((k) => columns.includes(k))) {
      activity = classifier.keys;
      notes.push(`activity = "${activity.join(ACTIVITY_SEPARATOR)}" (the log's declared classifier "${classifier.name}")`);
    } else {
      const base = findColumn(columns, CANDIDATES.activity);
      if (base === undefined)
        throw new EventLogInputError(`cannot tell which column is the activity (use --activity-column); the columns are: ${columns.join(', ')}`);
      const lifecycle = findColumn(columns, [LIFECYCLE]);
      if (lifecycle !== undefined && lifecycle !== base && lifecycleCarriesMeaning(table, lifecycle)) {
        activity = [base, lifecycle];
        notes.push(
          `activity = "${base}${ACTIVITY_SEPARATOR}${lifecycle}" (detected; the lifecycle column carries sub-statuses; --activity-column "${base}" for the coarser view)`,
        );
      } else {
        activity = [base];
        notes.push(`activity = "${base}" (detected)`);
      }
    }
  }

  const timestamp = overrides.timestamp !== undefined ? requireColumn(columns, overrides.timestamp, 'timestamp') : pick('timestamp', 'timestamp');
  if (timestamp === undefined)
    throw new EventLogInputError(`cannot tell which column is the timestamp (use --timestamp-column); the columns are: ${columns.join(', ')}`);

  const optional = (role: 'resource' | 'group', label: string): string | undefined => {
    const given = overrides[role];
    if (given === '') return undefined;
    if (given !== undefined) return requireColumn(columns, given, label);
    return pick(role, label);
  };
  const resource = optional('resource', 'resource');
  const group = optional('group', 'team');
  if (resource === undefined) notes.push('resource: none (handovers between resources are not counted)');
  if (group === undefined) notes.push('team: none (use --team-column to count handovers between teams)');

  const mapping: ColumnMapping = { caseId, activity, timestamp };
  if (resource !== undefined) mapping.resource = resource;
  if (group !== undefined) mapping.group = group;
  return { mapping, notes };
}

export function splitActivityColumns(spec: string): string[] {
  return spec
    .split(ACTIVITY_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function describeMapping(m: ColumnMapping): Record<string, string> {
  const out: Record<string, string> = { case: m.caseId, activity: m.activity.join(ACTIVITY_SEPARATOR), timestamp: m.timestamp };
  if (m.resource) out.resource = m.resource;
  if (m.group) out.team = m.group;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timestamps

export type TimestampParser = (text: string) => number | undefined;

export interface TimestampOptions {
  /**
   * `auto` (ISO 8601 and its common variants: `2012/10/09 14:50:17.000`, `2010-03-31T16:59:42+02:00`,
   * or epoch seconds/milliseconds), `iso`, `epoch-ms`, `epoch-s`, or a Luxon format such as
   * `dd-MM-yyyy HH:mm` or `yyyy/MM/dd HH:mm:ss.SSS`.
   */
  format?: string;
  /** The IANA zone of timestamps that carry no offset. Default UTC: durations then never cross a DST jump. */
  zone?: string;
}

// Year, month, day, then optional time, fraction and offset; `/` or `-` between date parts, `T` or space before the time.
const ISO_LIKE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseIsoLike(text: string, zone: string): number | undefined {
  const m = ISO_LIKE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  const millis = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  if (offset === undefined && zone !== 'UTC') {
    const dt = DateTime.fromObject({ year: Number(y), month, day, hour, minute, second, millisecond: millis }, { zone });
    return dt.isValid ? dt.toMillis() : undefined;
  }
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, millis);
  if (!offset || offset.toUpperCase() === 'Z') return utc;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
  return utc - sign * offsetMinutes * 60_000;
}

function parseEpoch(text: string, unitMs: number): number | undefined {
  const t = text.trim();
  if (!/^-?\d+(\.\d+)?$/.test(t)) return undefined;
  return Math.round(Number(t) * unitMs);
}

/** A parser for one log's timestamps; returns undefined for text it cannot read. */
export function makeTimestampParser(options: TimestampOptions = {}): TimestampParser {
  const zone = options.zone ?? 'UTC';
  const format = options.format ?? 'auto';
  switch (format) {
    case 'auto':
      return (text) => {
        const iso = parseIsoLike(text, zone);
        if (iso !== undefined) return iso;
        const t = text.trim();
        // 10 digits ≈ epoch seconds (2001–2286), 13 ≈ epoch milliseconds.
        if (/^\d{13}$/.test(t)) return Number(t);
        if (/^\d{10}(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
        return undefined;
      };
    case 'iso':
      return (text) => parseIsoLike(text, zone);
    case 'epoch-ms':
      return (text) => parseEpoch(text, 1);
    case 'epoch-s':
      return (text) => parseEpoch(text, 1000);
    default: {
      return (text) => {
        const dt = DateTime.fromFormat(text.trim(), format, { zone, setZone: true });
        return dt.isValid ? dt.toMillis() : undefined;
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Table ▶ events

export interface SkippedRows {
  missingCase: number;
  missingActivity: number;
  badTimestamp: number;
  /** The first unreadable timestamp, to show the user what went wrong. */
  firstBadTimestamp?: string;
}

export interface TableConversion {
  events: MiningEvent[];
  skipped: SkippedRows;
}

/**
 * Turns rows into mining events. Rows without a case, an activity or a readable timestamp are
 * skipped and counted rather than fatal: real exports carry a few broken lines, and the report
 * says how many were left out.
 */
export function eventsFromTable(table: EventTable, mapping: ColumnMapping, parseTimestamp: TimestampParser): TableConversion {
  const index = (name: string) => table.columns.indexOf(name);
  const caseIdx = index(mapping.caseId);
  const activityIdx = mapping.activity.map(index);
  const tsIdx = index(mapping.timestamp);
  const resourceIdx = mapping.resource !== undefined ? index(mapping.resource) : -1;
  const groupIdx = mapping.group !== undefined ? index(mapping.group) : -1;
  const used = new Set([caseIdx, ...activityIdx, tsIdx, resourceIdx, groupIdx]);

  // Remaining columns become attributes; a repeated column name gets a " (2)" suffix so nothing is lost.
  const attributeColumns: { idx: number; name: string }[] = [];
  const seen = new Map<string, number>();
  table.columns.forEach((name, idx) => {
    if (used.has(idx)) return;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    attributeColumns.push({ idx, name: n === 1 ? name : `${name} (${n})` });
  });

  const skipped: SkippedRows = { missingCase: 0, missingActivity: 0, badTimestamp: 0 };
  const events: MiningEvent[] = [];
  for (const row of table.rows) {
    const caseId = row[caseIdx];
    if (!caseId) {
      skipped.missingCase++;
      continue;
    }
    const parts: string[] = [];
    for (const i of activityIdx) {
      const v = row[i];
      if (v) parts.push(v);
    }
    if (parts.length === 0) {
      skipped.missingActivity++;
      continue;
    }
    const rawTs = row[tsIdx] ?? '';
    const timestamp = rawTs ? parseTimestamp(rawTs) : undefined;
    if (timestamp === undefined || Number.isNaN(timestamp)) {
      skipped.badTimestamp++;
      skipped.firstBadTimestamp ??= rawTs;
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const { idx, name } of attributeColumns) {
      const v = row[idx];
      if (v !== undefined && v !== '') attributes[name] = v;
    }
    const event: MiningEvent = { caseId, activity: parts.join(ACTIVITY_SEPARATOR), timestamp, attributes };
    const resource = resourceIdx >= 0 ? row[resourceIdx] : undefined;
    if (resource) event.resource = resource;
    const group = groupIdx >= 0 ? row[groupIdx] : undefined;
    if (group) event.group = group;
    events.push(event);
  }
  return { events, skipped };
}
