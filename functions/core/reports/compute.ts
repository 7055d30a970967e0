import { businessTimeBetween } from '../business-time.js';
import type { CaseRecord, CaseStatus } from '../case.js';
import type { CaseEvent } from '../events.js';
import { CASE_STATUSES, OPEN_STATUSES } from '../case.js';
import type { Agent, BusinessHours, RoutingConfig } from '../config.js';
import { findCalendar, priorityRank } from '../config.js';
import { ACTIVITIES } from '../events.js';
import { median } from '../mining/stats.js';
import { MILESTONES } from '../case.js';
import { formatMs } from '../sla.js';
import type { ReportFilters } from './filters.js';
import { UNSPECIFIED, fieldValue, matchesFilters } from './filters.js';
import type { CaseTimeline, Span } from './history.js';
import { caseTimeline, overlap } from './history.js';
import type { ReportPeriod } from './period.js';
import { DAY_MS, dayOf, daysOf, isoWeekOf, isoWeekStart } from './period.js';

/**
 * The reports, as one pure function over a period's case histories (load, then decide:
 * docs/architecture.md#load-then-decide). Every figure is defined once, here; docs/reports-and-mining.md
 * says the same in prose, and the unit test
 * checks each against a hand-computed event log (test/unit/reports.test.ts).
 *
 * Conventions:
 * - "in the period" means at an instant in [period.start, min(period.end, asOf)); events after that
 *   are ignored, so a report over a past period does not change when later events arrive. The one
 *   exception is first-contact resolution, which by its nature judges a resolution by what came
 *   after it (a reopening), up to `asOf`.
 * - every figure is either a period figure (counted within the period) or a point-in-time figure,
 *   and a point-in-time figure says its instant beside it: `backlog.openNow` with `backlog.asOf`,
 *   `onHold.ongoingAtEnd.count` with `onHold.ongoingAtEnd.at`.
 * - durations are milliseconds; averages and medians are rounded to the millisecond, ratios to 4
 *   decimals; a figure with nothing to average is null (0 would be a lie).
 * - "business time" counts the case's SLA calendar (the policy's business hours; 24×7 when the case
 *   has no SLA clock or its calendar no longer exists), with functions/core/business-time.ts.
 */

export const REPORT_SECTIONS = ['volume', 'responseTimes', 'sla', 'firstContactResolution', 'reassignments', 'onHold', 'agents', 'backlog'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

export type Bucket = 'day' | 'week';

export interface ReportInput {
  period: ReportPeriod;
  /** When the report is made (the clock): the end of anything still going on. */
  asOf: string;
  filters: ReportFilters;
  config: RoutingConfig;
  /** The cases whose histories are given (any superset: filters are applied here). */
  cases: readonly CaseRecord[];
  /** Their events (any superset: events of other cases, and after the period, are ignored). */
  events: readonly CaseEvent[];
  /** Open cases as of `asOf`, for the backlog. */
  openCases?: readonly CaseRecord[];
  /** Agents who gave back more than this many distinct cases in one ISO week are listed. */
  reassignThreshold: number;
  /** Time buckets of the agent load series. */
  bucket: Bucket;
  /** Which sections to compute; default all. */
  sections?: readonly ReportSection[];
}

export interface DurationStats {
  count: number;
  averageMs: number | null;
  medianMs: number | null;
  /** The same, for people: `1h 30m`. */
  average: string | null;
  median: string | null;
}

export interface VolumeReport {
  /** Cases created in the period. */
  created: number;
  /** Distinct cases with at least one resolution in the period. */
  resolved: number;
  /** Distinct cases closed unresolved in the period. */
  closedUnresolved: number;
  /** Reopenings in the period. */
  reopened: number;
  daily: { date: string; created: number; resolved: number; closedUnresolved: number }[];
}

export interface ResponseTimesReport {
  calendar: 'sla';
  /** Creation ▶ first agent reply, for cases whose first reply falls in the period. */
  firstResponse: DurationStats;
  /** Creation ▶ resolution, for cases resolved in the period (their last resolution in it). */
  resolution: DurationStats;
}

export interface SlaMilestoneReport {
  /** Completed in time. */
  met: number;
  /** Completed after the target. */
  metLate: number;
  completed: number;
  /** met ÷ completed; null when nothing completed. */
  compliance: number | null;
  /** Targets passed in the period (`sla_milestone_violated`). */
  breaches: number;
  warnings: number;
  escalations: number;
}

export interface SlaReport {
  byMilestone: Record<string, SlaMilestoneReport>;
  total: SlaMilestoneReport;
}

export interface FirstContactResolutionReport {
  /** Distinct cases with a resolution in the period. */
  resolved: number;
  /** Of those, the cases resolved at first contact (isFirstContactResolution), judged as of `asOf`. */
  firstContact: number;
  /** firstContact ÷ resolved; null when nothing was resolved. */
  rate: number | null;
}

export interface ReassignmentRow {
  type: string;
  /** Cases with an assignment in the period. */
  cases: number;
  assignments: number;
  /** Assignments that were not the case's first. */
  reassignments: number;
  /** Reassignments to a different agent than the previous assignment's. */
  handovers: number;
  reassignmentsPerCase: number | null;
  handoversPerCase: number | null;
}

export interface ReassignmentsReport {
  byType: ReassignmentRow[];
  total: ReassignmentRow;
  frequentReassigners: {
    threshold: number;
    /** Agents who gave back (declined, requeued, reassigned) more than `threshold` distinct cases in one ISO week. */
    agents: { agentId: string; week: string; cases: number; caseIds: string[] }[];
  };
}

export interface OnHoldReport {
  /** Holds that ended in the period (wall-clock time on hold). */
  completed: DurationStats & { totalMs: number; maxMs: number | null };
  /** Holds still running at `at` (the end of the period, or `asOf` if sooner), and the longest of them by then. */
  ongoingAtEnd: { at: string; count: number; longestMs: number | null };
}

export interface AgentLoadPoint {
  /** yyyy-mm-dd (day buckets) or yyyy-Www (week buckets). */
  bucket: string;
  /** Average number of cases held during the agent's working time; null without working time. */
  averageLoad: number | null;
  /** Most cases held at once, at any time of the bucket. */
  peakLoad: number;
  /** averageLoad ÷ capacity (all channels); null without capacity or working time. */
  utilisation: number | null;
}

export interface AgentLoadRow {
  agentId: string;
  name?: string;
  capacity: number | null;
  calendar: string;
  /** Distinct cases the agent held at some time in the period. */
  casesHeldInPeriod: number;
  period: Omit<AgentLoadPoint, 'bucket'>;
  series: AgentLoadPoint[];
}

export interface AgentsReport {
  bucket: Bucket;
  agents: AgentLoadRow[];
}

export interface BacklogQueueRow {
  queue: string;
  /** Open cases of this queue as of the backlog's `asOf`. */
  openNow: number;
  byStatus: Partial<Record<CaseStatus, number>>;
  byPriority: Record<string, number>;
  oldestCreatedAt: string;
  oldestAgeMs: number;
}

/** A snapshot, not a period figure: the open cases as of `asOf` (when the report was made). */
export interface BacklogReport {
  asOf: string;
  openNow: number;
  byQueue: BacklogQueueRow[];
}

export interface Report {
  /** The UTC days from…to, and the instants they span: [start, end). */
  period: { from: string; to: string; days: number; timezone: 'UTC'; start: string; end: string };
  /** When the report was made: the period's figures stop here if it is sooner than `period.end`. */
  asOf: string;
  filters: ReportFilters;
  /** Distinct cases (after filters) with at least one event in the period. */
  casesWithActivity: number;
  volume?: VolumeReport;
  responseTimes?: ResponseTimesReport;
  sla?: SlaReport;
  firstContactResolution?: FirstContactResolutionReport;
  reassignments?: ReassignmentsReport;
  onHold?: OnHoldReport;
  agents?: AgentsReport;
  backlog?: BacklogReport;
}

// ---------------------------------------------------------------------------------------------

const ratio = (n: number, d: number): number | null => (d > 0 ? round4(n / d) : null);
export const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function durationStats(values: readonly number[]): DurationStats {
  if (values.length === 0) return { count: 0, averageMs: null, medianMs: null, average: null, median: null };
  const averageMs = Math.round(values.reduce((a, b) => a + b, 0) / values.length);
  const medianMs = Math.round(median(values));
  return { count: values.length, averageMs, medianMs, average: formatMs(averageMs), median: formatMs(medianMs) };
}

interface Window {
  start: number;
  /** min(period end, asOf) */
  end: number;
}

const inWindow = (t: number, w: Window) => t >= w.start && t < w.end;

function capacityOf(agent: Agent | undefined): number | null {
  if (!agent) return null;
  const total = agent.capacity.email + agent.capacity.web + agent.capacity.phone + agent.capacity.chat;
  return total > 0 ? total : null;
}

export function computeReport(input: ReportInput): Report {
  const sections = new Set<ReportSection>(input.sections ?? REPORT_SECTIONS);
  const window: Window = { start: Date.parse(input.period.start), end: Math.min(Date.parse(input.period.end), Date.parse(input.asOf)) };

  const eventsByCase = new Map<string, CaseEvent[]>();
  for (const e of input.events) {
    const list = eventsByCase.get(e.caseId);
    if (list) list.push(e);
    else eventsByCase.set(e.caseId, [e]);
  }
  const seen = new Set<string>();
  const timelines: CaseTimeline[] = [];
  for (const c of input.cases) {
    if (seen.has(c.caseId) || !matchesFilters(c, input.filters)) continue;
    seen.add(c.caseId);
    timelines.push(caseTimeline(c, eventsByCase.get(c.caseId) ?? [], window.end));
  }

  const report: Report = {
    period: { from: input.period.from, to: input.period.to, days: input.period.days, timezone: 'UTC', start: input.period.start, end: input.period.end },
    asOf: input.asOf,
    filters: input.filters,
    // Open cases held by agents are among the timelines (for their load) without anything happening
    // to them in the period: they are not activity.
    casesWithActivity: timelines.filter((tl) => tl.events.some((e) => inWindow(Date.parse(e.at), window))).length,
  };
  if (sections.has('volume')) report.volume = volume(timelines, input.period, window);
  if (sections.has('responseTimes')) report.responseTimes = responseTimes(timelines, input.config, window);
  if (sections.has('sla')) report.sla = sla(timelines, window);
  if (sections.has('firstContactResolution')) report.firstContactResolution = firstContactResolution(timelines, eventsByCase, Date.parse(input.asOf), window);
  if (sections.has('reassignments')) report.reassignments = reassignments(timelines, window, input.reassignThreshold);
  if (sections.has('onHold')) report.onHold = onHold(timelines, window);
  if (sections.has('agents')) report.agents = agents(timelines, input, window);
  if (sections.has('backlog')) report.backlog = backlog(input);
  return report;
}

/** The last instant of `list` in the window, if any. */
function lastIn(list: readonly number[], w: Window): number | undefined {
  let found: number | undefined;
  for (const t of list) if (inWindow(t, w)) found = t;
  return found;
}

function volume(timelines: readonly CaseTimeline[], period: ReportPeriod, w: Window): VolumeReport {
  const daily = new Map(daysOf(period).map((date) => [date, { date, created: 0, resolved: 0, closedUnresolved: 0 }]));
  let created = 0;
  let resolved = 0;
  let closedUnresolved = 0;
  let reopened = 0;
  for (const tl of timelines) {
    if (inWindow(tl.createdAt, w)) {
      created++;
      daily.get(dayOf(tl.createdAt))!.created++;
    }
    const resolvedIn = tl.resolutions.filter((t) => inWindow(t, w));
    if (resolvedIn.length > 0) resolved++;
    for (const date of new Set(resolvedIn.map(dayOf))) daily.get(date)!.resolved++;
    const closedIn = tl.closedUnresolved.filter((t) => inWindow(t, w));
    if (closedIn.length > 0) closedUnresolved++;
    for (const date of new Set(closedIn.map(dayOf))) daily.get(date)!.closedUnresolved++;
    reopened += tl.reopenings.filter((t) => inWindow(t, w)).length;
  }
  return { created, resolved, closedUnresolved, reopened, daily: [...daily.values()] };
}

function responseTimes(timelines: readonly CaseTimeline[], config: RoutingConfig, w: Window): ResponseTimesReport {
  const first: number[] = [];
  const resolution: number[] = [];
  for (const tl of timelines) {
    const calendar = findCalendar(config, tl.case.sla?.calendar);
    const reply = tl.agentReplies[0];
    if (reply !== undefined && inWindow(reply, w)) first.push(businessTimeBetween(new Date(tl.createdAt), new Date(reply), calendar));
    const resolvedAt = lastIn(tl.resolutions, w);
    if (resolvedAt !== undefined) resolution.push(businessTimeBetween(new Date(tl.createdAt), new Date(resolvedAt), calendar));
  }
  return { calendar: 'sla', firstResponse: durationStats(first), resolution: durationStats(resolution) };
}

const SLA_COUNTED: Record<string, keyof Omit<SlaMilestoneReport, 'completed' | 'compliance'>> = {
  [ACTIVITIES.slaMet]: 'met',
  [ACTIVITIES.slaMetLate]: 'metLate',
  [ACTIVITIES.slaViolated]: 'breaches',
  [ACTIVITIES.slaWarning]: 'warnings',
  [ACTIVITIES.slaEscalated]: 'escalations',
};

function sla(timelines: readonly CaseTimeline[], w: Window): SlaReport {
  const empty = (): SlaMilestoneReport => ({ met: 0, metLate: 0, completed: 0, compliance: null, breaches: 0, warnings: 0, escalations: 0 });
  const byMilestone: Record<string, SlaMilestoneReport> = Object.fromEntries(MILESTONES.map((m) => [m, empty()]));
  const total = empty();
  for (const tl of timelines) {
    for (const e of tl.sla) {
      const field = SLA_COUNTED[e.activity];
      if (!field || !inWindow(e.at, w)) continue;
      total[field]++;
      if (e.milestone) (byMilestone[e.milestone] ??= empty())[field]++;
    }
  }
  for (const r of [...Object.values(byMilestone), total]) {
    r.completed = r.met + r.metLate;
    r.compliance = ratio(r.met, r.completed);
  }
  return { byMilestone, total };
}

/**
 * Resolved at first contact, judged on the case's history up to the report's `asOf` (its timeline
 * cut there, not at the period's end): the case's first resolution falls in the period; exactly one
 * agent reply was sent before it; no customer message arrived between that reply and the
 * resolution; and the case has never been reopened (the customer writing back, or an agent). A case
 * resolved once, then reopened because the customer wrote back, was not resolved at first contact,
 * however it ends; so it also counts for no period, not even the one of its first resolution.
 */
export function isFirstContactResolution(tl: CaseTimeline, period: { start: number; end: number }): boolean {
  const first = tl.resolutions[0];
  if (first === undefined || first < period.start || first >= period.end) return false;
  if (tl.reopenings.length > 0) return false;
  const replies = tl.agentReplies.filter((t) => t <= first);
  if (replies.length !== 1) return false;
  return !tl.customerMessages.some((t) => t > replies[0]! && t <= first);
}

function firstContactResolution(
  timelines: readonly CaseTimeline[],
  eventsByCase: ReadonlyMap<string, CaseEvent[]>,
  asOf: number,
  w: Window,
): FirstContactResolutionReport {
  let resolved = 0;
  let firstContact = 0;
  for (const tl of timelines) {
    if (lastIn(tl.resolutions, w) === undefined) continue;
    resolved++;
    // What happened after the period counts here: a reopening a week later undoes a first-contact resolution.
    const judged = caseTimeline(tl.case, eventsByCase.get(tl.case.caseId) ?? [], asOf + 1);
    if (isFirstContactResolution(judged, w)) firstContact++;
  }
  return { resolved, firstContact, rate: ratio(firstContact, resolved) };
}

function reassignments(timelines: readonly CaseTimeline[], w: Window, threshold: number): ReassignmentsReport {
  const emptyRow = (type: string): ReassignmentRow => ({
    type,
    cases: 0,
    assignments: 0,
    reassignments: 0,
    handovers: 0,
    reassignmentsPerCase: null,
    handoversPerCase: null,
  });
  const rows = new Map<string, ReassignmentRow>();
  const row = (type: string): ReassignmentRow => {
    let r = rows.get(type);
    if (!r) rows.set(type, (r = emptyRow(type)));
    return r;
  };
  const total = emptyRow('all');
  const weekly = new Map<string, { agentId: string; week: string; caseIds: Set<string> }>();

  for (const tl of timelines) {
    const inPeriod = tl.assignments.filter((a) => inWindow(a.at, w));
    if (inPeriod.length > 0) {
      const r = row(fieldValue(tl.case, 'type'));
      for (const target of [r, total]) {
        target.cases++;
        target.assignments += inPeriod.length;
        for (const a of inPeriod) {
          if (a.index > 1) target.reassignments++;
          if (a.index > 1 && a.previousOwner !== a.owner) target.handovers++;
        }
      }
    }
    for (const h of tl.handbacks) {
      if (!inWindow(h.at, w)) continue;
      const week = isoWeekOf(h.at);
      const key = `${h.agentId}\u0000${week}`;
      let entry = weekly.get(key);
      if (!entry) weekly.set(key, (entry = { agentId: h.agentId, week, caseIds: new Set() }));
      entry.caseIds.add(tl.case.caseId);
    }
  }
  const finish = (r: ReassignmentRow): ReassignmentRow => ({
    ...r,
    reassignmentsPerCase: ratio(r.reassignments, r.cases),
    handoversPerCase: ratio(r.handovers, r.cases),
  });
  const agents = [...weekly.values()]
    .filter((e) => e.caseIds.size > threshold)
    .map((e) => ({ agentId: e.agentId, week: e.week, cases: e.caseIds.size, caseIds: [...e.caseIds].sort() }))
    .sort((a, b) => b.cases - a.cases || a.week.localeCompare(b.week) || a.agentId.localeCompare(b.agentId));
  return {
    byType: [...rows.values()].map(finish).sort((a, b) => a.type.localeCompare(b.type)),
    total: finish(total),
    frequentReassigners: { threshold, agents },
  };
}

function onHold(timelines: readonly CaseTimeline[], w: Window): OnHoldReport {
  const completed: number[] = [];
  const ongoing: number[] = [];
  for (const tl of timelines) {
    for (const hold of tl.holds) {
      if (hold.end !== undefined) {
        if (inWindow(hold.end, w)) completed.push(hold.end - hold.start);
      } else if (hold.start < w.end) {
        ongoing.push(w.end - hold.start);
      }
    }
  }
  return {
    completed: {
      ...durationStats(completed),
      totalMs: completed.reduce((a, b) => a + b, 0),
      maxMs: completed.length ? Math.max(...completed) : null,
    },
    ongoingAtEnd: { at: new Date(w.end).toISOString(), count: ongoing.length, longestMs: ongoing.length ? Math.max(...ongoing) : null },
  };
}

/** The buckets of the agent series: each day, or each ISO week clipped to the period. */
function buckets(period: ReportPeriod, bucket: Bucket): { label: string; start: number; end: number }[] {
  const start = Date.parse(period.start);
  const end = Date.parse(period.end);
  if (bucket === 'day') return daysOf(period).map((label, i) => ({ label, start: start + i * DAY_MS, end: start + (i + 1) * DAY_MS }));
  const out: { label: string; start: number; end: number }[] = [];
  for (let weekStart = isoWeekStart(start); weekStart < end; weekStart += 7 * DAY_MS) {
    out.push({ label: isoWeekOf(weekStart), start: Math.max(weekStart, start), end: Math.min(weekStart + 7 * DAY_MS, end) });
  }
  return out;
}

/** Most spans open at once within [from, to). */
function peakOf(spans: readonly Span[], from: number, to: number, openUntil: number): number {
  const points: [number, number][] = [];
  for (const s of spans) {
    const o = overlap(s, from, to, openUntil);
    if (o) points.push([o.start, 1], [o.end, -1]);
  }
  // Ends before starts at the same instant: a case handed over at 10:00 is not held twice at 10:00.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, delta] of points) {
    current += delta;
    peak = Math.max(peak, current);
  }
  return peak;
}

function loadPoint(
  spans: readonly Span[],
  from: number,
  to: number,
  openUntil: number,
  calendar: BusinessHours | undefined,
  capacity: number | null,
): Omit<AgentLoadPoint, 'bucket'> {
  const end = Math.min(to, openUntil);
  if (end <= from) return { averageLoad: null, peakLoad: 0, utilisation: null };
  const working = businessTimeBetween(new Date(from), new Date(end), calendar);
  let held = 0;
  for (const s of spans) {
    const o = overlap(s, from, end, openUntil);
    if (o) held += businessTimeBetween(new Date(o.start), new Date(o.end), calendar);
  }
  const average = working > 0 ? held / working : null;
  return {
    averageLoad: average === null ? null : round4(average),
    peakLoad: peakOf(spans, from, end, openUntil),
    utilisation: average === null || capacity === null ? null : round4(average / capacity),
  };
}

function agents(timelines: readonly CaseTimeline[], input: ReportInput, w: Window): AgentsReport {
  const spansByAgent = new Map<string, Span[]>();
  const casesByAgent = new Map<string, Set<string>>();
  for (const tl of timelines) {
    for (const h of tl.holdings) {
      if (!overlap(h, w.start, w.end, w.end)) continue;
      (spansByAgent.get(h.agentId) ?? spansByAgent.set(h.agentId, []).get(h.agentId)!).push(h);
      (casesByAgent.get(h.agentId) ?? casesByAgent.set(h.agentId, new Set()).get(h.agentId)!).add(tl.case.caseId);
    }
  }
  // Everyone who can take work (in the filtered queues, if any), and anyone who held a case.
  const queues = input.filters.queue;
  const members = queues?.length ? new Set(input.config.queues.filter((q) => queues.includes(q.id)).flatMap((q) => q.members)) : undefined;
  const ids = new Set<string>(spansByAgent.keys());
  for (const a of input.config.agents) if (capacityOf(a) !== null && (!members || members.has(a.id))) ids.add(a.id);

  const series = buckets(input.period, input.bucket);
  const rows: AgentLoadRow[] = [...ids].sort().map((agentId) => {
    const agent = input.config.agents.find((a) => a.id === agentId);
    const calendar = findCalendar(input.config, agent?.businessHours);
    const capacity = capacityOf(agent);
    const spans = spansByAgent.get(agentId) ?? [];
    return {
      agentId,
      ...(agent ? { name: agent.name } : {}),
      capacity,
      calendar: calendar?.id ?? '24x7',
      casesHeldInPeriod: casesByAgent.get(agentId)?.size ?? 0,
      period: loadPoint(spans, w.start, Date.parse(input.period.end), w.end, calendar, capacity),
      series: series.map((b) => ({ bucket: b.label, ...loadPoint(spans, b.start, b.end, w.end, calendar, capacity) })),
    };
  });
  return { bucket: input.bucket, agents: rows };
}

function backlog(input: ReportInput): BacklogReport {
  const asOf = Date.parse(input.asOf);
  const byQueue = new Map<string, BacklogQueueRow>();
  const seen = new Set<string>();
  let openNow = 0;
  for (const c of input.openCases ?? []) {
    if (seen.has(c.caseId) || !OPEN_STATUSES.includes(c.status) || !matchesFilters(c, input.filters)) continue;
    seen.add(c.caseId);
    openNow++;
    const queue = c.queue ?? UNSPECIFIED;
    let row = byQueue.get(queue);
    if (!row) byQueue.set(queue, (row = { queue, openNow: 0, byStatus: {}, byPriority: {}, oldestCreatedAt: c.createdAt, oldestAgeMs: 0 }));
    row.openNow++;
    row.byStatus[c.status] = (row.byStatus[c.status] ?? 0) + 1;
    row.byPriority[c.priority] = (row.byPriority[c.priority] ?? 0) + 1;
    if (c.createdAt < row.oldestCreatedAt) row.oldestCreatedAt = c.createdAt;
  }
  const statusOrder = (s: string) => CASE_STATUSES.indexOf(s as CaseStatus);
  const priorityOrder = (p: string) => priorityRank(input.config, p);
  const rows = [...byQueue.values()]
    .map((r) => ({
      ...r,
      byStatus: Object.fromEntries(Object.entries(r.byStatus).sort(([a], [b]) => statusOrder(a) - statusOrder(b))),
      byPriority: Object.fromEntries(Object.entries(r.byPriority).sort(([a], [b]) => priorityOrder(a) - priorityOrder(b) || a.localeCompare(b))),
      oldestAgeMs: Math.max(0, asOf - Date.parse(r.oldestCreatedAt)),
    }))
    .sort((a, b) => a.queue.localeCompare(b.queue));
  return { asOf: input.asOf, openNow, byQueue: rows };
}
