import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CHANNELS } from '../functions/core/config.js';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../functions/core/metrics.js';
import { MILESTONES } from '../functions/core/case.js';

export interface DeadLetterQueueRef {
  readonly queue: IQueue;
  /** The alarm its owner already raises on it, if any: shown on the dashboard instead of a second alarm. */
  readonly alarm?: IAlarm;
}

export interface MonitoringProps {
  /** Keyed by a short name used in alarm ids and descriptions (e.g. `api`, `workflow-route`). */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  readonly lifecycle: StateMachine;
  readonly httpApi: HttpApi;
  readonly alertTopic: ITopic;
  readonly dashboardName: string;
  /** Where failed asynchronous work waits (email intake's DLQ), keyed like `functions`. */
  readonly deadLetterQueues?: Readonly<Record<string, DeadLetterQueueRef>>;
  /** Alarm when more than this percentage of the SLA milestones completed in an hour were late. @default 20 */
  readonly slaBreachRatePercent?: number;
  /** …but only once at least this many completed in the hour (one late case of two is not a trend). @default 5 */
  readonly slaBreachRateMinimum?: number;
}

const PERIOD = Duration.minutes(5);
const HOUR = Duration.hours(1);

/** The intake channels that can fail: the web form and email (phone cases are typed in by agents). */
const INTAKE_CHANNELS = ['web', 'email'] as const;

/** One of our EMF metrics (functions/core/metrics.ts), with the `service` dimension Powertools adds to every one. */
export function caseflowMetric(
  name: MetricName,
  dimensions: Record<string, string>,
  options: { statistic?: string; period?: Duration; label?: string } = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE, ...dimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? PERIOD,
    ...(options.label ? { label: options.label } : {}),
  });
}

/** `FILL(a,0)+FILL(b,0)+…` over metrics: a sum that is 0, not missing, where one series has no data. */
function sumOf(metrics: Record<string, IMetric>, label: string, period: Duration): MathExpression {
  return new MathExpression({
    expression: Object.keys(metrics)
      .map((id) => `FILL(${id},0)`)
      .join('+'),
    usingMetrics: metrics,
    label,
    period,
  });
}

/**
 * The alarms an on-call admin needs on day one, all notifying the alerts topic, and a dashboard.
 *
 * Failures (a failed execution, a function error or throttle, a 5xx, an intake failure, a message in
 * a DLQ) alarm on the first occurrence in a 5-minute window: at this system's volume each is a case
 * that may be stuck. The SLA breach rate is a trend, so it alarms on an hour's share of late
 * milestones, above a minimum volume.
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  readonly intakeFailuresAlarm: Alarm;
  readonly slaBreachRateAlarm: Alarm;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const notify = new SnsAction(props.alertTopic);
    const alarm = (alarmId: string, metric: IMetric, description: string, threshold = 1): Alarm => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not a failure.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(notify);
      this.alarms.push(created);
      return created;
    };

    // A failed execution means even the Catch path (move to needs_review + alert) failed: the case is stuck.
    alarm(
      'LifecycleExecutionsFailed',
      props.lifecycle.metricFailed({ period: PERIOD, statistic: 'Sum' }),
      'Case lifecycle executions failed: a case may be stuck outside manual review.',
    );

    for (const [name, fn] of Object.entries(props.functions)) {
      const id = pascal(name);
      alarm(`${id}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), `${name} function errors.`);
      alarm(
        `${id}Throttles`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        `${name} function throttled: account or reserved concurrency exhausted.`,
      );
    }

    // Server errors seen by callers: function errors or throttles surfacing as 500/503, integration timeouts.
    alarm('ApiServerErrors', props.httpApi.metricServerError({ period: PERIOD, statistic: 'Sum' }), 'HTTP API returned 5xx responses.');

    // Intake errors: a web form submission answered 5xx, or an email whose intake threw (Lambda retries
    // it, then it lands in the DLQ). Counted by the handlers (IntakeFailures), since the web handler
    // answers errors itself and Lambda's own Errors metric never sees them.
    const intakeFailures = sumOf(
      Object.fromEntries(INTAKE_CHANNELS.map((channel) => [channel, caseflowMetric(METRIC.intakeFailures, { channel })])),
      'Intake failures',
      PERIOD,
    );
    this.intakeFailuresAlarm = alarm(
      'IntakeFailures',
      intakeFailures,
      'Case intake failed (web form 5xx or email intake error): a customer message may be waiting for a retry or in the DLQ.',
    );

    // SLA breach rate: the share of milestones completed in the hour that were completed late.
    const met = Object.fromEntries(MILESTONES.map((m) => [`met_${m}`, caseflowMetric(METRIC.slaMet, { milestone: m }, { period: HOUR })]));
    const late = Object.fromEntries(MILESTONES.map((m) => [`late_${m}`, caseflowMetric(METRIC.slaMetLate, { milestone: m }, { period: HOUR })]));
    const lateSum = sumOf(late, 'Late', HOUR);
    const completedSum = sumOf({ ...met, ...late }, 'Completed', HOUR);
    const minimum = props.slaBreachRateMinimum ?? 5;
    const breachRate = new MathExpression({
      expression: `IF(completed >= ${minimum}, 100 * late / completed, 0)`,
      usingMetrics: { completed: completedSum, late: lateSum },
      label: 'SLA milestones completed late (%)',
      period: HOUR,
    });
    const percent = props.slaBreachRatePercent ?? 20;
    this.slaBreachRateAlarm = alarm(
      'SlaBreachRate',
      breachRate,
      `More than ${percent}% of the SLA milestones completed in the last hour were late (at least ${minimum} completed): look at queue depth and staffing.`,
      percent,
    );

    // Dead-letter queues: any message is work that failed after its retries (`npm run redrive` replays it).
    const dlqWidgets: IMetric[] = [];
    const dlqAlarms: IAlarm[] = [];
    for (const [name, dlq] of Object.entries(props.deadLetterQueues ?? {})) {
      const depth = dlq.queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' });
      dlqWidgets.push(depth.with({ label: name }));
      dlqAlarms.push(
        dlq.alarm ??
          alarm(`${pascal(name)}DlqDepth`, depth, `${name}: messages in the dead-letter queue, failed after retries (npm run redrive replays them).`),
      );
    }

    const functions = Object.entries(props.functions);
    const sla = (name: MetricName) => MILESTONES.map((m) => caseflowMetric(name, { milestone: m }, { label: m }));
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...this.alarms, ...dlqAlarms.filter((a) => !this.alarms.includes(a as Alarm))],
            width: 24,
            height: 4,
          }),
        ],
        [
          new GraphWidget({
            title: 'Cases created per channel',
            left: CHANNELS.map((channel) => caseflowMetric(METRIC.casesCreated, { channel }, { label: channel })),
            stacked: true,
          }),
          new GraphWidget({
            title: 'Assignment latency (created ▶ assigned), p50 and p90',
            left: CHANNELS.map((channel) => caseflowMetric(METRIC.assignmentLatency, { channel }, { statistic: 'p50', label: `${channel} p50` })),
            right: CHANNELS.map((channel) => caseflowMetric(METRIC.assignmentLatency, { channel }, { statistic: 'p90', label: `${channel} p90` })),
          }),
          new GraphWidget({
            title: 'Queue depth (published by the sweeps)',
            left: [
              new MathExpression({
                expression: `SEARCH('{${METRICS_NAMESPACE},queue,service} MetricName="${METRIC.queueDepth}"', 'Maximum', 300)`,
                usingMetrics: {},
                label: 'queue',
                period: PERIOD,
              }),
            ],
          }),
        ],
        [
          new GraphWidget({ title: 'SLA warnings', left: sla(METRIC.slaWarnings) }),
          new GraphWidget({ title: 'SLA breaches and escalations', left: sla(METRIC.slaBreaches), right: sla(METRIC.slaEscalations) }),
          new GraphWidget({ title: 'SLA milestones completed late (%, hourly)', left: [breachRate], leftYAxis: { min: 0, max: 100 } }),
        ],
        [
          new GraphWidget({
            title: 'Intake failures',
            left: INTAKE_CHANNELS.map((channel) => caseflowMetric(METRIC.intakeFailures, { channel }, { label: channel })),
          }),
          dlqWidgets.length > 0
            ? new GraphWidget({ title: 'Dead-letter queues (messages)', left: dlqWidgets })
            : new TextWidget({
                markdown: '**Dead-letter queues**\n\nNone in this deployment (email intake is off: deploy with `-c sesDomain=…`).',
                width: 6,
                height: 6,
              }),
          new GraphWidget({
            title: 'Case lifecycle executions',
            left: [
              props.lifecycle.metricStarted({ period: PERIOD, statistic: 'Sum' }),
              props.lifecycle.metricSucceeded({ period: PERIOD, statistic: 'Sum' }),
              props.lifecycle.metricFailed({ period: PERIOD, statistic: 'Sum' }),
            ],
          }),
        ],
        [
          new GraphWidget({
            title: 'HTTP API',
            left: [props.httpApi.metricCount({ period: PERIOD, statistic: 'Sum' })],
            right: [
              props.httpApi.metricClientError({ period: PERIOD, statistic: 'Sum' }),
              props.httpApi.metricServerError({ period: PERIOD, statistic: 'Sum' }),
            ],
          }),
          new GraphWidget({
            title: 'Function errors',
            left: functions.map(([name, fn]) => fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name })),
          }),
          new GraphWidget({
            title: 'Function duration p99',
            left: functions.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name })),
          }),
        ],
        [
          new TextWidget({
            markdown:
              'Metrics: namespace `caseflow`, from the event log as it is written (functions/core/metrics.ts). Reports over any period: `GET /reports/summary?from=…&to=…` (see docs/reports-and-mining.md).',
            width: 24,
            height: 2,
          }),
        ],
      ],
    });
  }
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
