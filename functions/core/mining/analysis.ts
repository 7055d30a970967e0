import { countEvents, type Trace } from './event-log.js';
import { describe, median, type DistributionStats } from './stats.js';

/**
 * The standard process-mining descriptives of a log, as Disco, PM4Py and bupaR compute them:
 * activities, variants, the directly-follows graph, handovers of work, rework and throughput times.
 */

export interface ActivityCount {
  activity: string;
  /** Events with this activity. */
  count: number;
  /** Cases in which it occurs at least once. */
  cases: number;
}

export interface EndpointCount {
  activity: string;
  count: number;
}

export interface Variant {
  activities: string[];
  count: number;
  /** count / cases, 0..1. */
  share: number;
  /** The first case (in input order) that follows this variant, to look one up. */
  exampleCaseId: string;
}

export interface DirectlyFollowsEdge {
  from: string;
  to: string;
  /** How often `to` directly follows `from` within a case. */
  count: number;
  /** Median time between the two events, in milliseconds. */
  medianMs: number;
}

export interface DirectlyFollowsGraph {
  edges: DirectlyFollowsEdge[];
  /** How many cases start with each activity. */
  startActivities: EndpointCount[];
  /** How many cases end with each activity. */
  endActivities: EndpointCount[];
}

export interface HandoverPair {
  from: string;
  to: string;
  count: number;
}

export interface HandoverSummary {
  /** Consecutive events of a case performed by different resources (or teams). */
  total: number;
  pairCount: number;
  pairs: HandoverPair[];
  casesWithHandover: number;
  /** Cases that come back to a resource (team) after it handed the work over: the BPIC 2013 "ping-pong". */
  casesWithPingPong: number;
}

export interface ReworkActivity {
  activity: string;
  /** Directly repeated: `A → A` (the self-loop of the directly-follows graph). */
  selfLoops: number;
  selfLoopCases: number;
  /** Repeated after something else happened in between: `A → … → A`. */
  returns: number;
  returnCases: number;
  /** Cases in which the activity occurs more than once. */
  cases: number;
}

export interface ReworkSummary {
  /** Cases in which any activity occurs more than once. */
  casesWithRework: number;
  casesWithSelfLoop: number;
  casesWithReturn: number;
  /** Only activities that are ever repeated, most repeated first. */
  activities: ReworkActivity[];
}

export interface LogAnalysis {
  cases: number;
  events: number;
  activityCount: number;
  activities: ActivityCount[];
  timeframe?: { firstMs: number; lastMs: number };
  variantCount: number;
  /** Most frequent first; equal counts in order of first appearance. */
  variants: Variant[];
  dfg: DirectlyFollowsGraph;
  handovers: { resources?: HandoverSummary; groups?: HandoverSummary };
  rework: ReworkSummary;
  /** Last event minus first event of each case, in milliseconds. */
  caseDurationMs: DistributionStats;
  eventsPerCase: DistributionStats;
}

const byCountThenName =
  <T extends { count: number }>(name: (t: T) => string) =>
  (a: T, b: T) =>
    b.count - a.count || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

export function activityCounts(traces: readonly Trace[]): ActivityCount[] {
  const counts = new Map<string, { count: number; cases: number }>();
  for (const t of traces) {
    const seen = new Set<string>();
    for (const e of t.events) {
      let c = counts.get(e.activity);
      if (!c) {
        c = { count: 0, cases: 0 };
        counts.set(e.activity, c);
      }
      c.count++;
      if (!seen.has(e.activity)) {
        seen.add(e.activity);
        c.cases++;
      }
    }
  }
  return [...counts].map(([activity, c]) => ({ activity, ...c })).sort(byCountThenName((a) => a.activity));
}

export function variants(traces: readonly Trace[]): Variant[] {
  // \u0001 cannot occur in an activity name read from a text file, so joined keys never collide.
  const found = new Map<string, Variant>();
  for (const t of traces) {
    const activities = t.events.map((e) => e.activity);
    const key = activities.join('\u0001');
    const v = found.get(key);
    if (v) v.count++;
    else found.set(key, { activities, count: 1, share: 0, exampleCaseId: t.caseId });
  }
  const list = [...found.values()];
  for (const v of list) v.share = traces.length ? v.count / traces.length : 0;
  // Stable sort: equal counts stay in order of first appearance.
  return list.sort((a, b) => b.count - a.count);
}

export function directlyFollowsGraph(traces: readonly Trace[]): DirectlyFollowsGraph {
  const gaps = new Map<string, { from: string; to: string; gaps: number[] }>();
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  for (const t of traces) {
    const first = t.events[0];
    const last = t.events[t.events.length - 1];
    if (!first || !last) continue;
    starts.set(first.activity, (starts.get(first.activity) ?? 0) + 1);
    ends.set(last.activity, (ends.get(last.activity) ?? 0) + 1);
    for (let i = 1; i < t.events.length; i++) {
      const a = t.events[i - 1]!;
      const b = t.events[i]!;
      const key = `${a.activity}\u0001${b.activity}`;
      let edge = gaps.get(key);
      if (!edge) {
        edge = { from: a.activity, to: b.activity, gaps: [] };
        gaps.set(key, edge);
      }
      edge.gaps.push(b.timestamp - a.timestamp);
    }
  }
  const edges = [...gaps.values()]
    .map((e) => ({ from: e.from, to: e.to, count: e.gaps.length, medianMs: median(e.gaps) }))
    .sort(byCountThenName((e) => `${e.from}\u0001${e.to}`));
  const endpoints = (m: Map<string, number>) => [...m].map(([activity, count]) => ({ activity, count })).sort(byCountThenName((e) => e.activity));
  return { edges, startActivities: endpoints(starts), endActivities: endpoints(ends) };
}

/**
 * Handovers of work (van der Aalst's social-network metric, without causality beyond one step):
 * each pair of consecutive events of a case whose performers differ. Events without a performer
 * neither hand over nor receive, since we cannot say who had the work.
 */
export function handovers(traces: readonly Trace[], who: (e: Trace['events'][number]) => string | undefined): HandoverSummary | undefined {
  const pairs = new Map<string, HandoverPair>();
  let total = 0;
  let casesWithHandover = 0;
  let casesWithPingPong = 0;
  let anyPerformer = false;
  for (const t of traces) {
    let handedOver = false;
    // The performers in order with consecutive repeats collapsed: a name seen twice here came back.
    const visited = new Set<string>();
    let current: string | undefined;
    let pingPong = false;
    for (let i = 0; i < t.events.length; i++) {
      const p = who(t.events[i]!);
      if (p === undefined) continue;
      anyPerformer = true;
      if (p !== current) {
        if (visited.has(p)) pingPong = true;
        visited.add(p);
        current = p;
      }
      if (i === 0) continue;
      const q = who(t.events[i - 1]!);
      if (q === undefined || q === p) continue;
      total++;
      handedOver = true;
      const key = `${q}\u0001${p}`;
      const pair = pairs.get(key);
      if (pair) pair.count++;
      else pairs.set(key, { from: q, to: p, count: 1 });
    }
    if (handedOver) casesWithHandover++;
    if (pingPong) casesWithPingPong++;
  }
  if (!anyPerformer) return undefined;
  const list = [...pairs.values()].sort(byCountThenName((p) => `${p.from}\u0001${p.to}`));
  return { total, pairCount: list.length, pairs: list, casesWithHandover, casesWithPingPong };
}

export function rework(traces: readonly Trace[]): ReworkSummary {
  const stats = new Map<string, ReworkActivity>();
  const get = (activity: string) => {
    let s = stats.get(activity);
    if (!s) {
      s = { activity, selfLoops: 0, selfLoopCases: 0, returns: 0, returnCases: 0, cases: 0 };
      stats.set(activity, s);
    }
    return s;
  };
  let casesWithRework = 0;
  let casesWithSelfLoop = 0;
  let casesWithReturn = 0;
  for (const t of traces) {
    const seen = new Set<string>();
    const selfLooped = new Set<string>();
    const returned = new Set<string>();
    const repeated = new Set<string>();
    for (let i = 0; i < t.events.length; i++) {
      const a = t.events[i]!.activity;
      if (seen.has(a)) {
        repeated.add(a);
        const s = get(a);
        if (t.events[i - 1]!.activity === a) {
          s.selfLoops++;
          selfLooped.add(a);
        } else {
          s.returns++;
          returned.add(a);
        }
      }
      seen.add(a);
    }
    for (const a of selfLooped) get(a).selfLoopCases++;
    for (const a of returned) get(a).returnCases++;
    for (const a of repeated) get(a).cases++;
    if (repeated.size) casesWithRework++;
    if (selfLooped.size) casesWithSelfLoop++;
    if (returned.size) casesWithReturn++;
  }
  const activities = [...stats.values()].sort((a, b) => b.selfLoops + b.returns - (a.selfLoops + a.returns) || (a.activity < b.activity ? -1 : 1));
  return { casesWithRework, casesWithSelfLoop, casesWithReturn, activities };
}

export function analyseTraces(traces: readonly Trace[]): LogAnalysis {
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  const durations: number[] = [];
  const lengths: number[] = [];
  for (const t of traces) {
    const first = t.events[0];
    const last = t.events[t.events.length - 1];
    if (!first || !last) continue;
    firstMs = Math.min(firstMs, first.timestamp);
    lastMs = Math.max(lastMs, last.timestamp);
    durations.push(last.timestamp - first.timestamp);
    lengths.push(t.events.length);
  }
  const activities = activityCounts(traces);
  const allVariants = variants(traces);
  const analysis: LogAnalysis = {
    cases: traces.length,
    events: countEvents(traces),
    activityCount: activities.length,
    activities,
    variantCount: allVariants.length,
    variants: allVariants,
    dfg: directlyFollowsGraph(traces),
    handovers: {},
    rework: rework(traces),
    caseDurationMs: describe(durations),
    eventsPerCase: describe(lengths),
  };
  if (durations.length) analysis.timeframe = { firstMs, lastMs };
  const resources = handovers(traces, (e) => e.resource);
  if (resources) analysis.handovers.resources = resources;
  const groups = handovers(traces, (e) => e.group);
  if (groups) analysis.handovers.groups = groups;
  return analysis;
}
