import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CaseflowFunction, type HandlerName } from './caseflow-function.js';
import type { CaseTable } from './data.js';
import { useAlertTopic, useTable, type AlertTopicRef } from './grants.js';
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
} as const satisfies Record<string, HandlerName>;

export type LifecyclePlaceholder = keyof typeof LIFECYCLE_TASK_HANDLERS;
type LifecycleHandler = (typeof LIFECYCLE_TASK_HANDLERS)[LifecyclePlaceholder];

const TASK_DESCRIPTIONS: Record<LifecycleHandler, string> = {
  'workflow-stamp': 'Case lifecycle: stamp territory, queue and priority',
  'workflow-route': 'Case lifecycle: route the case to an agent or queue',
  'workflow-failed': 'Case lifecycle catch: move the case to needs_review and alert admins',
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
      useTable(fn, props.data, 'readWrite');
      useAlertTopic(fn, props.alerts);
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

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" appears only in the statements Step Functions requires for X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and for CloudWatch Logs delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups); none of these actions supports resource-level permissions. Lambda invocation is limited to the three task functions.',
    });
  }
}

/** `workflow-stamp` ▶ `StampFunction`: stable construct ids (renaming one replaces the function). */
function functionId(handler: LifecycleHandler): string {
  const name = handler.replace(/^workflow-/, '');
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}Function`;
}
