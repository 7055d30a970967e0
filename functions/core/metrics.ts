import type { CaseEvent, CaseRecord } from './case.js';
import type { Channel } from './config.js';
import { ACTIVITIES } from './events.js';

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
  /** Milestones completed in time / late, by `milestone`: the SLA breach rate is late ÷ (met + late). */
  slaMet: 'SlaMet',
  slaMetLate: 'SlaMetLate',
  /** An intake that failed (and will be retried, or sits in a DLQ), by `channel`. */
  intakeFailures: 'IntakeFailures',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

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

const SLA_METRICS: Record<string, MetricName> = {
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
    if (e.activity === ACTIVITIES.created) {
      const channel = typeof e.details.channel === 'string' ? e.details.channel : own?.channel;
      points.push(count(METRIC.casesCreated, { channel: channel ?? 'unknown' }));
    } else if (e.activity === ACTIVITIES.assigned && own) {
      const latency = Date.parse(e.at) - Date.parse(own.createdAt);
      if (Number.isFinite(latency) && latency >= 0) {
        points.push({ name: METRIC.assignmentLatency, unit: 'Milliseconds', value: latency, dimensions: { channel: own.channel } });
      }
    } else {
      const sla = SLA_METRICS[e.activity];
      if (sla) points.push(count(sla, { milestone: typeof e.details.milestone === 'string' ? e.details.milestone : 'unknown' }));
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
