import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /** Keyed by a short name used in alarm ids and descriptions (e.g. `api`, `workflow-route`). */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  readonly lifecycle: StateMachine;
  readonly httpApi: HttpApi;
  readonly alertTopic: ITopic;
  readonly dashboardName: string;
}

const PERIOD = Duration.minutes(5);

/**
 * The alarms an on-call admin needs on day one, all notifying the alerts topic, and a small dashboard.
 * Every alarm fires on the first occurrence in a 5-minute window: at this system's volume any failed
 * execution, function error or server error is a case that may be stuck.
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const notify = new SnsAction(props.alertTopic);
    const alarmOnAny = (alarmId: string, metric: IMetric, description: string): void => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not a failure.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(notify);
      this.alarms.push(alarm);
    };

    // A failed execution means even the Catch path (move to needs_review + alert) failed: the case is stuck.
    alarmOnAny(
      'LifecycleExecutionsFailed',
      props.lifecycle.metricFailed({ period: PERIOD, statistic: 'Sum' }),
      'Case lifecycle executions failed: a case may be stuck outside manual review.',
    );

    for (const [name, fn] of Object.entries(props.functions)) {
      const id = pascal(name);
      alarmOnAny(`${id}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), `${name} function errors.`);
      alarmOnAny(
        `${id}Throttles`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        `${name} function throttled: account or reserved concurrency exhausted.`,
      );
    }

    // Server errors seen by callers: function errors or throttles surfacing as 500/503, integration timeouts.
    alarmOnAny(
      'ApiServerErrors',
      props.httpApi.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      'HTTP API returned 5xx responses.',
    );

    const functions = Object.entries(props.functions);
    new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
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
            title: 'Function errors',
            left: functions.map(([name, fn]) => fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name })),
          }),
          new GraphWidget({
            title: 'Function duration p99',
            left: functions.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name })),
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
