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
import { INTAKE_CHANNELS, METRIC, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../functions/core/metrics.js';
import { MILESTONES } from '../functions/core/case.js';

export interface DeadLetterQueueRef {
  readonly queue: IQueue;
  /** The alarm its owner already raises on it, if any: shown on the dashboard instead of a second alarm. */
  readonly alarm?: IAlarm;
}

export interface MonitoringProps {
  /** Keyed by a short name used in alarm ids, descriptions and dashboard labels (e.g. `api`, `workflow-route`). */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /**
   * The functions whose errors no other alarm sees, keyed like `functions`: each gets an errors alarm.
   * The others are covered without one (see the class comment).
   */
  readonly errorAlarms?: readonly string[];
  readonly lifecycle: StateMachine;
  readonly httpApi: HttpApi;
  readonly alertTopic: ITopic;
  /** The dashboard's name; none is deployed without one (context `dashboard`). */
  readonly dashboardName?: string;
  /** Where failed asynchronous work waits (email intake's DLQ), keyed like `functions`. */
  readonly deadLetterQueues?: Readonly<Record<string, DeadLetterQueueRef>>;
  /** Alarms other constructs raise (the sweep's heartbeat), shown with these on the dashboard. */
  readonly otherAlarms?: readonly IAlarm[];
  /** Alarm when more than this percentage of the SLA milestones completed in an hour were late. @default 20 */
  readonly slaBreachRatePercent?: number;
  /** …but only once at least this many completed in the hour (one late case of two is not a trend). @default 5 */
  readonly slaBreachRateMinimum?: number;
}

const PERIOD = Duration.minutes(5);
const HOUR = Duration.hours(1);

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
 * The alarms an on-call admin needs, all notifying the alerts topic, and (when asked for) a dashboard.
 *
 * Every alarm metric costs $0.10 a month, so each failure is watched once, where it surfaces
 * (docs/deploying.md#alarms):
 * - lifecycle executions that failed, timed out or were aborted: a case stuck outside manual review.
 *   A task function's error is retried, then caught (the case goes to needs_review and admins are
 *   alerted through the topic); only a failure of that path too fails the execution.
 * - HTTP API 5xx: errors and timeouts of the API, reports and web-to-case functions as callers see them.
 * - intake failures (web 5xx, email intake errors; a failed email also lands in its DLQ, whose owner alarms).
 * - Lambda throttles, account-wide: one metric instead of one per function, and a throttle anywhere
 *   in the account takes concurrency from these functions too.
 * - the functions in `errorAlarms` (the sweep): errors nothing else would see.
 * - the SLA breach rate, a trend: an hour's share of late milestones above a minimum volume.
 * Failures alarm on the first occurrence in a 5-minute window: at this system's volume each is a case
 * that may be stuck.
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard?: Dashboard;
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
    alarm(
      'LifecycleExecutionsTimedOut',
      props.lifecycle.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
      'Case lifecycle executions timed out: the case is no longer driven by its workflow (SLA clock stopped); start a new generation or move it to review.',
    );
    alarm(
      'LifecycleExecutionsAborted',
      props.lifecycle.metricAborted({ period: PERIOD, statistic: 'Sum' }),
      'Case lifecycle executions were stopped (aborted) by someone or something: the case is no longer driven by its workflow.',
    );

    alarm(
      'LambdaThrottles',
      new Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum', period: PERIOD }),
      'Lambda throttled invocations in this account and region (all functions): concurrency is exhausted; caseflow requests may be refused or delayed.',
    );

    for (const name of props.errorAlarms ?? []) {
      const fn = props.functions[name];
      if (!fn) throw new Error(`errorAlarms names ${name}, which is not in functions`);
      alarm(`${pascal(name)}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), `${name} function errors.`);
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

    // SLA breach rate: the share of milestones completed in the hour that were completed late. The two
    // series carry no milestone dimension (functions/core/metrics.ts): one metric each to pay for.
    const met = caseflowMetric(METRIC.slaMet, {}, { period: HOUR });
    const late = caseflowMetric(METRIC.slaMetLate, {}, { period: HOUR });
    const minimum = props.slaBreachRateMinimum ?? 5;
    const breachRate = new MathExpression({
      expression: `IF(FILL(met,0) + FILL(late,0) >= ${minimum}, 100 * FILL(late,0) / (FILL(met,0) + FILL(late,0)), 0)`,
      usingMetrics: { met, late },
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

    if (!props.dashboardName) return;
    const functions = Object.entries(props.functions);
    const sla = (name: MetricName) => MILESTONES.map((m) => caseflowMetric(name, { milestone: m }, { label: m }));
    const shownAlarms: IAlarm[] = [...this.alarms];
    for (const other of [...dlqAlarms, ...(props.otherAlarms ?? [])]) if (!shownAlarms.includes(other)) shownAlarms.push(other);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new AlarmStatusWidget({
            title: 'Alarms',
            alarms: shownAlarms,
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
                markdown: '**Dead-letter queues**\n\nNone was given to this dashboard.',
                width: 6,
                height: 6,
              }),
          new GraphWidget({
            title: 'Case lifecycle executions',
            left: [
              props.lifecycle.metricStarted({ period: PERIOD, statistic: 'Sum' }),
              props.lifecycle.metricSucceeded({ period: PERIOD, statistic: 'Sum' }),
              props.lifecycle.metricFailed({ period: PERIOD, statistic: 'Sum' }),
              props.lifecycle.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
              props.lifecycle.metricAborted({ period: PERIOD, statistic: 'Sum' }),
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
