import type { CaseRecord } from './case.js';
import type { Activity, CaseEvent } from './events.js';
import type { Channel } from './config.js';
import { ACTIVITIES, SLA_MILESTONE_ACTIVITIES, detailsOf } from './events.js';

/**
 * Operational metrics, derived from the facts the system records. Pure: which data points a set of
 * committed events makes; the adapters decide where they go (CloudWatch EMF through Powertools in
 * Lambda, memory locally).
 *
 * Most metrics are events already: a case created, an assignment, an SLA warning, breach or
 * escalation is written to the event log by whichever use case knows it. So the write ports are
 * metered (functions/adapters/metering.ts): after an event is committed, metricsOfEvents turns it
 * into data points. No use case had to change, none can forget to count, and nothing uncommitted is
 * ever counted. The facts that are not events (an intake that failed, a queue's depth) are recorded
 * by the handler or sweep that knows them, through the same sink.
 */

export const METRICS_NAMESPACE = 'caseflow';
/** Powertools adds `service` to every metric's dimensions; dashboards and alarms must name it too. */
export const METRICS_SERVICE = 'caseflow';

export const METRIC = {
  /** A new case, by `channel`. */
  casesCreated: 'CasesCreated',
  /** Creation ▶ this assignment, by `channel` (every assignment: a reassignment measures from creation too). */
  assignmentLatency: 'AssignmentLatency',
  /** Cases waiting in a queue, by `queue` (a gauge: published by the sweeps with queueDepthPoints). */
  queueDepth: 'QueueDepth',
  /** By `milestone`. */
  slaWarnings: 'SlaWarnings',
  slaBreaches: 'SlaBreaches',
  slaEscalations: 'SlaEscalations',
  /**
   * Milestones completed in time / late, without a dimension: the SLA breach rate alarm reads late ÷
   * (met + late) over every milestone, and each series is a metric to pay for. Per milestone: the reports.
   */
  slaMet: 'SlaMet',
  slaMetLate: 'SlaMetLate',
  /** An intake that failed (and will be retried, or sits in a DLQ), by `channel`. */
  intakeFailures: 'IntakeFailures',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The intake channels that can fail and are counted as IntakeFailures (phone cases are typed in by agents). */
export const INTAKE_CHANNELS = ['web', 'email'] as const satisfies readonly Channel[];

/**
 * The metrics the alarms read (lib/monitoring.ts). With the dashboard off, the functions publish only
 * these (`METRICS_SCOPE=alarms`, set by lib/caseflow-function.ts): every other series would be paid
 * for ($0.30 a month each) without anyone looking at it.
 */
export const ALARM_METRICS: readonly MetricName[] = [METRIC.intakeFailures, METRIC.slaMet, METRIC.slaMetLate];

/**
 * Every series the code can publish, besides `service`: a metric and the dimension that splits it
 * (a channel, an SLA milestone, a configured queue), or none. lib/fixed-costs.ts counts them;
 * test/unit/metrics.test.ts checks the data points below keep to it.
 */
export const METRIC_SERIES: Readonly<Record<MetricName, { readonly dimension?: 'channel' | 'milestone' | 'queue' }>> = {
  [METRIC.casesCreated]: { dimension: 'channel' },
  [METRIC.assignmentLatency]: { dimension: 'channel' },
  [METRIC.queueDepth]: { dimension: 'queue' },
  [METRIC.slaWarnings]: { dimension: 'milestone' },
  [METRIC.slaBreaches]: { dimension: 'milestone' },
  [METRIC.slaEscalations]: { dimension: 'milestone' },
  [METRIC.slaMet]: {},
  [METRIC.slaMetLate]: {},
  [METRIC.intakeFailures]: { dimension: 'channel' },
};

export type MetricUnitName = 'Count' | 'Milliseconds';

export interface MetricPoint {
  name: MetricName;
  unit: MetricUnitName;
  value: number;
  dimensions: Record<string, string>;
}

/** Where data points go. Never throws and never blocks: a metric is not worth a failed write. */
export interface MetricsSink {
  record(points: readonly MetricPoint[]): void;
}

export const NO_METRICS: MetricsSink = { record: () => undefined };

/** SLA events and their metric; the milestone is a dimension where METRIC_SERIES says so. */
const SLA_METRICS: Partial<Record<Activity, MetricName>> = {
  [ACTIVITIES.slaWarning]: METRIC.slaWarnings,
  [ACTIVITIES.slaViolated]: METRIC.slaBreaches,
  [ACTIVITIES.slaEscalated]: METRIC.slaEscalations,
  [ACTIVITIES.slaMet]: METRIC.slaMet,
  [ACTIVITIES.slaMetLate]: METRIC.slaMetLate,
};

const count = (name: MetricName, dimensions: Record<string, string>): MetricPoint => ({ name, unit: 'Count', value: 1, dimensions });

/**
 * The data points of events just committed for one case. `kase` is the case as written with them
 * (for its channel and creation time); events of other cases in the same write are counted
 * without it.
 */
export function metricsOfEvents(events: readonly CaseEvent[], kase?: Pick<CaseRecord, 'caseId' | 'channel' | 'createdAt'>): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const e of events) {
    const own = kase && kase.caseId === e.caseId ? kase : undefined;
    const created = detailsOf(e, ACTIVITIES.created);
    if (created) {
      const channel = typeof created.channel === 'string' ? created.channel : own?.channel;
      points.push(count(METRIC.casesCreated, { channel: channel ?? 'unknown' }));
    } else if (e.activity === ACTIVITIES.assigned && own) {
      const latency = Date.parse(e.at) - Date.parse(own.createdAt);
      if (Number.isFinite(latency) && latency >= 0) {
        points.push({ name: METRIC.assignmentLatency, unit: 'Milliseconds', value: latency, dimensions: { channel: own.channel } });
      }
    } else {
      const sla = SLA_METRICS[e.activity];
      if (sla) {
        const recorded = detailsOf(e, ...SLA_MILESTONE_ACTIVITIES)?.milestone;
        const milestone = typeof recorded === 'string' ? recorded : 'unknown';
        points.push(count(sla, METRIC_SERIES[sla].dimension === 'milestone' ? { milestone } : {}));
      }
    }
  }
  return points;
}

export function intakeFailure(channel: Channel): MetricPoint {
  return count(METRIC.intakeFailures, { channel });
}

/** Queue depth gauges, one per queue (zero included: a drained queue must show 0, not stop reporting). */
export function queueDepthPoints(depthByQueue: Readonly<Record<string, number>>): MetricPoint[] {
  return Object.entries(depthByQueue).map(([queue, depth]) => ({ name: METRIC.queueDepth, unit: 'Count', value: depth, dimensions: { queue } }));
}
