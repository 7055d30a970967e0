import type { Principal } from '../authz.js';
import { assertManager } from '../authz.js';
import type { CaseMessage, CaseRecord } from '../case.js';
import type { CaseEvent } from '../events.js';
import { ValidationError } from '../errors.js';
import { ACTIVITIES } from '../events.js';
import { caseEventsToCsv } from '../mining/export-csv.js';
import { caseEventsToOcelJson } from '../mining/export-ocel.js';
import { caseEventsToXes } from '../mining/export-xes.js';
import type { Clock } from '../ports/clock.js';
import type { Bucket, Report, ReportSection } from '../reports/compute.js';
import type { ExportFormat } from '../reports/exports.js';
import { REPORT_SECTIONS, computeReport } from '../reports/compute.js';
import type { ReportFilters } from '../reports/filters.js';
import { fieldValue, matchesFilters } from '../reports/filters.js';
import type { RoutingConfig } from '../config.js';
import { CHANNELS } from '../config.js';
import type { ReportPeriod } from '../reports/period.js';
import { dayOf, daysOf } from '../reports/period.js';
import type { ReportSource } from '../reports/source.js';
import { mapLimit } from '../reports/source.js';
import { loadConfig, type ConfigSource } from './load-config.js';

/**
 * Reports and the event-log export for managers and admins: load (the period's events by day, the
 * cases they touch, their histories), then compute (functions/core/reports/compute.ts, pure).
 */

export const REPORT_NAMES = [
  'summary',
  'volume',
  'response-times',
  'sla',
  'first-contact-resolution',
  'reassignments',
  'on-hold',
  'agents',
  'backlog',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_CATALOG: Record<ReportName, { sections: readonly ReportSection[]; description: string }> = {
  summary: { sections: REPORT_SECTIONS, description: 'Every report below, in one response.' },
  volume: { sections: ['volume'], description: 'Cases created, resolved, closed unresolved and reopened, in total and per day.' },
  'response-times': { sections: ['responseTimes'], description: 'Average and median first-response and resolution times, in business time.' },
  sla: { sections: ['sla'], description: 'SLA compliance per milestone: met, met late, breaches, warnings, escalations.' },
  'first-contact-resolution': {
    sections: ['firstContactResolution'],
    description: 'Cases resolved in the period with one agent reply, no customer follow-up before the resolution, and never reopened since.',
  },
  reassignments: { sections: ['reassignments'], description: 'Reassignments and handovers per case type; agents who gave back more than N cases in a week.' },
  'on-hold': { sections: ['onHold'], description: 'Time cases spent on hold.' },
  agents: { sections: ['agents'], description: 'Agent load and utilisation over time.' },
  backlog: { sections: ['backlog'], description: 'Open cases by queue, status and priority, as of now (`openNow` with `asOf`; the period is not needed).' },
};

/** The fields a report can be grouped by in one call (`groupBy`): one group per value. */
export const REPORT_GROUP_FIELDS = ['territory', 'queue', 'channel'] as const;
export type ReportGroupField = (typeof REPORT_GROUP_FIELDS)[number];

export interface ReportRequest {
  name: ReportName;
  /** One report per value of this field besides the whole, from the same data read once. */
  groupBy?: ReportGroupField;
  /** Required except for `backlog`. */
  period?: ReportPeriod;
  filters: ReportFilters;
  reassignThreshold: number;
  bucket: Bucket;
}

/** One group of a grouped report: the report of the cases whose `groupBy` field holds `value`. */
export type ReportGroup = Report & { value: string };

export type ReportResult = Report & { report: ReportName; generatedAt: string; groupBy?: ReportGroupField; groups?: ReportGroup[] };

/** A report reads the histories of at most this many cases (one Query each): beyond, narrow the period or the filters. */
export const MAX_REPORT_CASES = 20_000;
/** Queries in flight at once. */
const READ_CONCURRENCY = 16;

export interface ReportDeps {
  source: ReportSource;
  configs: ConfigSource;
  clock: Clock;
}

interface Loaded {
  cases: CaseRecord[];
  events: CaseEvent[];
  openCases: CaseRecord[];
}

/** The period's days that have begun by `now`: a day in the future has no events to read. */
function daysToRead(period: ReportPeriod, now: Date): string[] {
  const today = dayOf(now.getTime());
  return daysOf(period).filter((d) => d <= today);
}

async function eventsOfPeriod(source: ReportSource, period: ReportPeriod, now: Date): Promise<CaseEvent[]> {
  const days = await mapLimit(daysToRead(period, now), READ_CONCURRENCY, (day) => source.listEventsOfDay(day));
  return days.flat();
}

export function makeRunReport(deps: ReportDeps) {
  async function load(request: ReportRequest, sections: ReadonlySet<ReportSection>, now: Date): Promise<Loaded> {
    const needsEvents = [...sections].some((s) => s !== 'backlog');
    // Agents' load counts the open cases they hold even if nothing happened to them in the period.
    const needsOpen = sections.has('backlog') || sections.has('agents');
    const period = request.period;

    const [periodEvents, openCases] = await Promise.all([
      needsEvents && period ? eventsOfPeriod(deps.source, period, now) : Promise.resolve([]),
      needsOpen ? deps.source.listOpenCases() : Promise.resolve([]),
    ]);
    if (!needsEvents || !period) return { cases: [], events: [], openCases };

    const known = new Map(openCases.map((c) => [c.caseId, c]));
    const ids = new Set(periodEvents.map((e) => e.caseId));
    if (sections.has('agents')) for (const c of openCases) if (c.owner) ids.add(c.caseId);
    const missing = [...ids].filter((id) => !known.has(id));
    for (const c of await deps.source.getCases(missing)) known.set(c.caseId, c);

    const cases = [...ids].map((id) => known.get(id)).filter((c): c is CaseRecord => c !== undefined && matchesFilters(c, request.filters));
    if (cases.length > MAX_REPORT_CASES) {
      throw new ValidationError([
        {
          field: 'from',
          message: `the period touches ${cases.length} cases; a report reads at most ${MAX_REPORT_CASES}: choose a shorter period or narrower filters`,
        },
      ]);
    }

    // A case created in the period has its whole history in the period's days; older ones are read whole.
    const start = period.start;
    const byCase = new Map<string, CaseEvent[]>();
    for (const e of periodEvents) (byCase.get(e.caseId) ?? byCase.set(e.caseId, []).get(e.caseId)!).push(e);
    const older = cases.filter((c) => c.createdAt < start);
    // First-contact resolution judges a resolution by what came after it: when the period ended before
    // now, a case resolved in it is read whole too, so a later reopening is seen.
    const resolvedIn = new Set(periodEvents.filter((e) => e.activity === ACTIVITIES.resolved).map((e) => e.caseId));
    const judgedLater =
      sections.has('firstContactResolution') && Date.parse(period.end) < now.getTime()
        ? cases.filter((c) => c.createdAt >= start && resolvedIn.has(c.caseId))
        : [];
    const whole = [...older, ...judgedLater];
    const histories = await mapLimit(whole, READ_CONCURRENCY, (c) => deps.source.listCaseEvents(c.caseId));
    whole.forEach((c, i) => byCase.set(c.caseId, histories[i]!));
    return { cases, events: cases.flatMap((c) => byCase.get(c.caseId) ?? []), openCases };
  }

  return async function runReport(principal: Principal, request: ReportRequest): Promise<ReportResult> {
    assertManager(principal);
    const now = deps.clock.now();
    const config = await loadConfig(deps.configs);
    const sections = new Set(REPORT_CATALOG[request.name].sections);
    // The backlog is a snapshot: without a period it reports as of today.
    const period = request.period ?? (request.name === 'backlog' ? todayPeriod(now) : undefined);
    if (!period) throw new ValidationError([{ field: 'from', message: 'is required (a date as YYYY-MM-DD)' }]);

    const loaded = await load({ ...request, period }, sections, now);
    const compute = (part: Loaded, filters: ReportFilters) =>
      computeReport({
        period,
        asOf: now.toISOString(),
        filters,
        config,
        cases: part.cases,
        events: part.events,
        openCases: part.openCases,
        reassignThreshold: request.reassignThreshold,
        bucket: request.bucket,
        sections: [...sections],
      });
    const report = compute(loaded, request.filters);
    if (!request.groupBy) return { report: request.name, generatedAt: now.toISOString(), ...report };

    // Grouped: the data read once is split by the field's value in one pass, and each part is reported
    // with the group's value added to the filters: the figures a filtered call would give.
    const field = request.groupBy;
    const parts = partition(loaded, field);
    const groups = groupValues(config, field, parts, request.filters).map((value) => ({
      value,
      ...compute(parts.get(value) ?? { cases: [], events: [], openCases: [] }, { ...request.filters, [field]: [value] }),
    }));
    return { report: request.name, generatedAt: now.toISOString(), ...report, groupBy: field, groups };
  };
}

/** The loaded cases, their events and the open cases, split by the value of `field` (one pass over each). */
function partition(loaded: Loaded, field: ReportGroupField): Map<string, Loaded> {
  const parts = new Map<string, Loaded>();
  const part = (value: string) => parts.get(value) ?? parts.set(value, { cases: [], events: [], openCases: [] }).get(value)!;
  const groupOf = new Map<string, string>();
  for (const c of loaded.cases) {
    const value = fieldValue(c, field);
    groupOf.set(c.caseId, value);
    part(value).cases.push(c);
  }
  for (const e of loaded.events) {
    const value = groupOf.get(e.caseId);
    if (value !== undefined) part(value).events.push(e);
  }
  for (const c of loaded.openCases) part(fieldValue(c, field)).openCases.push(c);
  return parts;
}

/**
 * The groups of a grouped report: the configured values (territories, queues; every channel) in
 * their configured order, then any other value the data holds (a removed queue, `unspecified`),
 * sorted; only the values a filter on the same field names, when there is one.
 */
function groupValues(config: RoutingConfig, field: ReportGroupField, parts: ReadonlyMap<string, Loaded>, filters: ReportFilters): string[] {
  const configured: readonly string[] =
    field === 'territory' ? config.territories.map((t) => t.id) : field === 'queue' ? config.queues.map((q) => q.id) : CHANNELS;
  const seen = [...parts.keys()].filter((v) => !configured.includes(v)).sort();
  const values = [...configured, ...seen];
  const wanted = filters[field];
  return wanted?.length ? values.filter((v) => wanted.includes(v)).concat(wanted.filter((v) => !values.includes(v))) : values;
}

function todayPeriod(now: Date): ReportPeriod {
  const day = dayOf(now.getTime());
  const start = `${day}T00:00:00.000Z`;
  return { from: day, to: day, start, end: new Date(Date.parse(start) + 86_400_000).toISOString(), days: 1 };
}

// ---------------------------------------------------------------------------------------------
// The event-log export (the process-mining exporters in functions/core/mining/, unchanged)

export interface EventExport {
  format: ExportFormat;
  contentType: string;
  filename: string;
  body: string;
  events: number;
  cases: number;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xes: 'application/xml; charset=utf-8',
  ocel: 'application/json; charset=utf-8',
};
const EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', xes: 'xes', ocel: 'ocel.json' };

export function makeExportEvents(deps: Pick<ReportDeps, 'source' | 'clock'>) {
  return async function exportEvents(principal: Principal, request: { format: ExportFormat; period: ReportPeriod }): Promise<EventExport> {
    assertManager(principal);
    const { format, period } = request;
    const now = deps.clock.now();
    const events = await eventsOfPeriod(deps.source, period, now);
    const caseIds = [...new Set(events.map((e) => e.caseId))];
    let body: string;
    if (format === 'csv') body = caseEventsToCsv(events);
    else if (format === 'xes') body = caseEventsToXes(events, { logName: `caseflow ${period.from} … ${period.to}` });
    else {
      // OCEL objects: the cases with their attributes, and their messages (direction, channel, attachments).
      const cases = await deps.source.getCases(caseIds);
      const messages: CaseMessage[] = (await mapLimit(caseIds, READ_CONCURRENCY, (id) => deps.source.listCaseMessages(id))).flat();
      body = caseEventsToOcelJson({ events, cases, messages });
    }
    return {
      format,
      contentType: CONTENT_TYPES[format],
      filename: `caseflow-events-${period.from}_${period.to}.${EXTENSIONS[format]}`,
      body,
      events: events.length,
      cases: caseIds.length,
    };
  };
}
