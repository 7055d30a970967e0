import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
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
}

/**
 * The sweeps (functions/handlers/sweep.ts): offers not accepted in time, absent agents, end of shift,
 * on-hold limits, the dispatch backstop and the queue depth gauge, run by an EventBridge Scheduler
 * schedule. The function reads through indexes only; its role may read and write the table, publish
 * alerts (and send notification email when a sender is configured), and start case executions.
 *
 * A failed run is not retried (neither by the scheduler nor by Lambda's asynchronous retries): the
 * next run is a minute away and does the same work, and its errors raise the function's error alarm
 * (lib/monitoring.ts). Two runs may overlap if one is slow; the sweep is built for that (conditional
 * writes on each case's version), so no concurrency limit is set.
 */
export class SweepSchedule extends Construct {
  readonly sweepFunction: LambdaFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);

    const fn = new CaseflowFunction(this, 'SweepFunction', {
      handler: 'sweep',
      description: 'Sweeps: unaccepted offers, absent agents, end of shift, on-hold limits, dispatch backstop',
      logRetention: props.logRetention,
      // Well inside the schedule's minute; a run with a backlog stops at its per-part limit and leaves the rest.
      timeout: Duration.seconds(50),
    }).function;
    useTable(fn, props.data, 'readWrite');
    useNotifications(fn, props.alerts, props.notificationSender);
    useStateMachine(fn, props.lifecycle);
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(2) });
    this.sweepFunction = fn;

    // The role EventBridge Scheduler assumes, ours so its trust is limited to schedules of this account.
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'caseflow: EventBridge Scheduler invokes the sweep function',
    });
    const target = new LambdaInvoke(fn, {
      role: schedulerRole,
      input: ScheduleTargetInput.fromObject({ source: 'caseflow.sweep-schedule' }),
      retryAttempts: 0,
      maxEventAge: Duration.minutes(2),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(Duration.minutes(props.everyMinutes)),
      target,
      description: `caseflow sweeps, every ${props.everyMinutes} minute(s)`,
    });
    const fnId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnFunction);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason:
        'The Scheduler target grants lambda:InvokeFunction on the sweep function and on its qualified ARNs (`<arn>:*`: versions and aliases of that one function); no other function, and no other action.',
    });
  }
}
