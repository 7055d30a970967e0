import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SWEEP_PARTS } from '../functions/core/use-cases/sweep.js';
import { CaseflowFunction } from './caseflow-function.js';
import type { CaseTable } from './data.js';
import { useNotifications, useStateMachine, useTable, type AlertTopicRef, type NotificationSenderRef } from './grants.js';

export interface SweepScheduleProps {
  readonly data: CaseTable;
  readonly alerts: AlertTopicRef;
  /** The case lifecycle: a sweep that moves an SLA deadline earlier starts a new generation of a case's execution. */
  readonly lifecycle: IStateMachine;
  readonly logRetention: RetentionDays;
  /** Minutes between runs (context `sweepScheduleMinutes`, default 1). */
  readonly everyMinutes: number;
  /** Agents' notifications by SES from this sender; absent ▶ they go to the alerts topic. */
  readonly notificationSender?: NotificationSenderRef;
  /**
   * Whether the dashboard is deployed: only then does the sweep count each queue's depth for its
   * QueueDepth gauge (a Query per queue per run, and a metric series per queue, for a graph nobody
   * would otherwise see).
   */
  readonly dashboard: boolean;
}

/**
 * The sweeps (functions/handlers/sweep.ts): offers not accepted in time, absent agents, end of shift,
 * on-hold limits, the dispatch backstop and the queue depth gauge, run by an EventBridge Scheduler
 * schedule. The function reads through indexes only; its role may read and write the table, publish
 * alerts (and send notification email when a sender is configured), and start case executions.
 *
 * A failed run is not retried (neither by the scheduler nor by Lambda's asynchronous retries): the
 * next run is a minute away and does the same work, and its errors raise the function's error alarm
 * (lib/monitoring.ts). An invocation the scheduler could not deliver lands in an encrypted
 * dead-letter queue that alarms; and a heartbeat alarm fires when the sweep has not run for three
 * intervals (at least 5 minutes), whatever the reason: a disabled or deleted schedule, a broken role.
 * Two runs may overlap if one is slow; the sweep is built for that (conditional writes on each
 * case's version), so no concurrency limit is set. No X-Ray tracing: see CaseflowFunctionProps.tracing.
 */
export class SweepSchedule extends Construct {
  readonly sweepFunction: LambdaFunction;
  readonly schedule: Schedule;
  /** Invocations the scheduler could not deliver (nothing to replay: the next run does the work). */
  readonly deadLetterQueue: Queue;
  readonly dlqAlarm: Alarm;
  /** No sweep invocation in three intervals (at least 5 minutes). */
  readonly notRunningAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);

    const fn = new CaseflowFunction(this, 'SweepFunction', {
      handler: 'sweep',
      description: 'Sweeps: unaccepted offers, absent agents, end of shift, on-hold limits, dispatch backstop',
      logRetention: props.logRetention,
      // Well inside the schedule's minute; a run with a backlog stops at its per-part limit and leaves the rest.
      timeout: Duration.seconds(50),
      tracing: false,
    }).function;
    useTable(fn, props.data, 'sweep');
    useNotifications(fn, props.alerts, props.notificationSender);
    useStateMachine(fn, props.lifecycle);
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(2) });
    this.sweepFunction = fn;

    // The role EventBridge Scheduler assumes, ours so its trust is limited to schedules of this account.
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'caseflow: EventBridge Scheduler invokes the sweep function',
    });
    this.deadLetterQueue = new Queue(this, 'ScheduleDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the sweep schedule target; nothing consumes it (a missed run is redone by the next), it is there to be seen and to raise its alarm.',
    });
    const parts = props.dashboard ? [...SWEEP_PARTS] : SWEEP_PARTS.filter((part) => part !== 'queueDepth');
    const target = new LambdaInvoke(fn, {
      role: schedulerRole,
      input: ScheduleTargetInput.fromObject({ source: 'caseflow.sweep-schedule', parts }),
      retryAttempts: 0,
      maxEventAge: Duration.minutes(2),
      deadLetterQueue: this.deadLetterQueue,
    });
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(Duration.minutes(props.everyMinutes)),
      target,
      description: `caseflow sweeps, every ${props.everyMinutes} minute(s)`,
    });

    const notify = new SnsAction(props.alerts.topic);
    this.dlqAlarm = new Alarm(this, 'ScheduleDlqNotEmpty', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'EventBridge Scheduler could not invoke the sweep function (the message in the queue says why: permissions, throttling, a deleted function). Fix the cause; the next run does the work, so the queue only needs purging.',
    });
    this.dlqAlarm.addAlarmAction(notify);
    const window = Duration.minutes(Math.max(5, 3 * props.everyMinutes));
    this.notRunningAlarm = new Alarm(this, 'SweepNotRunning', {
      metric: fn.metricInvocations({ period: window, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data is exactly what this alarm is for: no invocation at all.
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: `The sweep has not run in ${window.toMinutes()} minutes: offers do not lapse, absent agents keep their cases, queued cases wait for a dispatch. Check the schedule (enabled?), its role and the ScheduleDlq.`,
    });
    this.notRunningAlarm.addAlarmAction(notify);

    const fnId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnFunction);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason:
        'The Scheduler target grants lambda:InvokeFunction on the sweep function and on its qualified ARNs (`<arn>:*`: versions and aliases of that one function); no other function, and no other action.',
    });
  }
}
