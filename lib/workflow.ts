import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CaseflowFunction, type HandlerName } from './caseflow-function.js';
import type { CaseTable } from './data.js';
import { useAlertTopic, useNotificationEmail, useTable, type AlertTopicRef, type NotificationSenderRef } from './grants.js';
import { CASE_LIFECYCLE_ASL_PATH } from './paths.js';

/**
 * Every `${Placeholder}` in statemachines/case-lifecycle.asl.json and the handler whose function ARN
 * replaces it. The single source for definitionSubstitutions and for the state machine's invoke
 * permission; test/infra checks it against the placeholders actually present in the ASL file.
 */
export const LIFECYCLE_TASK_HANDLERS = {
  StampFunctionArn: 'workflow-stamp',
  RouteFunctionArn: 'workflow-route',
  FailedFunctionArn: 'workflow-failed',
  ScheduleSlaFunctionArn: 'workflow-schedule-sla',
  EvaluateSlaFunctionArn: 'workflow-evaluate-sla',
  ContinueSlaFunctionArn: 'workflow-continue-sla',
} as const satisfies Record<string, HandlerName>;

export type LifecyclePlaceholder = keyof typeof LIFECYCLE_TASK_HANDLERS;
type LifecycleHandler = (typeof LIFECYCLE_TASK_HANDLERS)[LifecyclePlaceholder];

const TASK_DESCRIPTIONS: Record<LifecycleHandler, string> = {
  'workflow-stamp': 'Case lifecycle: stamp territory, queue and priority',
  'workflow-route': 'Case lifecycle: route the case to an agent or queue',
  'workflow-failed': 'Case lifecycle catch: move the case to needs_review and alert admins',
  'workflow-schedule-sla': 'Case lifecycle SLA loop: start or take over the SLA clock, say when to wake',
  'workflow-evaluate-sla': 'Case lifecycle SLA loop: act on what is due (warn, breach, escalate), say when to wake next',
  'workflow-continue-sla': 'Case lifecycle SLA loop: continue as a new execution before the history limit',
};

/**
 * Which task functions publish to the alerts topic. The table access of each is in
 * lib/table-access.ts; the evaluator also notifies by SES once a sender is given with
 * allowNotificationEmail; the continuation only starts the next execution of this state machine
 * (granted after the state machine exists, see below), so it gets neither table nor topic.
 */
const TASK_ALERTS: Record<LifecycleHandler, boolean> = {
  'workflow-stamp': true,
  'workflow-route': true,
  'workflow-failed': true,
  'workflow-schedule-sla': false,
  'workflow-evaluate-sla': true,
  'workflow-continue-sla': false,
};

export interface CaseWorkflowProps {
  readonly data: CaseTable;
  readonly alerts: AlertTopicRef;
  readonly logRetention: RetentionDays;
}

/**
 * The case lifecycle: one Standard execution per case, defined by the shared ASL file, plus the task
 * functions it invokes.
 */
export class CaseWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly taskFunctions: Record<LifecycleHandler, LambdaFunction>;

  constructor(scope: Construct, id: string, props: CaseWorkflowProps) {
    super(scope, id);

    const tasks = {} as Record<LifecycleHandler, LambdaFunction>;
    for (const handler of Object.values(LIFECYCLE_TASK_HANDLERS)) {
      const fn = new CaseflowFunction(this, functionId(handler), {
        handler,
        description: TASK_DESCRIPTIONS[handler],
        logRetention: props.logRetention,
        timeout: Duration.seconds(30),
      }).function;
      if (handler !== 'workflow-continue-sla') useTable(fn, props.data, handler);
      if (TASK_ALERTS[handler]) useAlertTopic(fn, props.alerts);
      tasks[handler] = fn;
    }
    this.taskFunctions = tasks;

    const definitionSubstitutions = Object.fromEntries(
      Object.entries(LIFECYCLE_TASK_HANDLERS).map(([placeholder, handler]) => [placeholder, tasks[handler].functionArn]),
    );

    const logGroup = new LogGroup(this, 'LogGroup', {
      // The /aws/vendedlogs/ prefix lets Step Functions use one short CloudWatch Logs resource policy for all
      // its log groups instead of growing it per group (the account's policy size is limited).
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}/case-lifecycle`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new StateMachine(this, 'CaseLifecycle', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(CASE_LIFECYCLE_ASL_PATH),
      definitionSubstitutions,
      tracingEnabled: true,
      // ALL records every transition, retry and catch, which is what you need to see where a case got stuck.
      // Execution data stays out: inputs and outputs carry customer names, emails and message text, and the
      // case's own event log in DynamoDB already records what happened to it.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    // The ASL calls the functions by plain (unqualified) ARN, so that is all the role may invoke;
    // grantInvoke() would add `<arn>:*` for every version and alias.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(tasks).map((fn) => fn.functionArn),
      }),
    );

    // The continuation starts this very state machine. Its ARN comes in the task's input
    // ($$.StateMachine.Id) rather than an environment variable, and the permission is a policy of its
    // own attached to the function's role: the state machine refers to the function (substitution),
    // so the function itself must not refer to the state machine, or CloudFormation sees a cycle.
    const continueFn = tasks['workflow-continue-sla'];
    new Policy(this, 'ContinueSlaStartExecution', {
      roles: [continueFn.role!],
      statements: [new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] })],
    });

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" appears only in the statements Step Functions requires for X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and for CloudWatch Logs delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups); none of these actions supports resource-level permissions. Lambda invocation is limited to the task functions.',
    });
  }

  /** The SLA evaluator's notifications to agents go out by SES from this sender (the email domain). */
  allowNotificationEmail(sender: NotificationSenderRef | undefined): void {
    if (sender) useNotificationEmail(this.taskFunctions['workflow-evaluate-sla'], sender);
  }
}

/** `workflow-stamp` ▶ `StampFunction`, `workflow-schedule-sla` ▶ `ScheduleSlaFunction`: stable construct ids (renaming one replaces the function). */
function functionId(handler: LifecycleHandler): string {
  const words = handler.replace(/^workflow-/, '').split('-');
  return `${words.map((w) => `${w.charAt(0).toUpperCase()}${w.slice(1)}`).join('')}Function`;
}
