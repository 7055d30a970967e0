import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/table-definition.js';
import { AGENT_GROUPS } from '../../lib/auth.js';
import { asArray, isCdkDeployHandler, logicalId, resourcesOfType, synthCaseflow, type Resources } from '../support/synth.js';

let synth: ReturnType<typeof synthCaseflow>;
let resources: Resources;

beforeAll(() => {
  synth = synthCaseflow();
  resources = synth.template.toJSON().Resources as Resources;
});

const ofType = (type: string) => resourcesOfType(resources, type).filter(([id]) => !(type === 'AWS::Lambda::Function' && isCdkDeployHandler(id)));

/** Every IAM statement attached to a role, by role logical id. */
function statementsByRole(): Map<string, any[]> {
  const byRole = new Map<string, any[]>();
  for (const [, policy] of ofType('AWS::IAM::Policy')) {
    for (const role of policy.Properties.Roles as { Ref: string }[]) {
      byRole.set(role.Ref, [...(byRole.get(role.Ref) ?? []), ...policy.Properties.PolicyDocument.Statement]);
    }
  }
  return byRole;
}

describe('the table', () => {
  it('is the one table, keyed and indexed exactly as functions/adapters/table-definition.ts says', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(1);
    const [, table] = ofType('AWS::DynamoDB::Table')[0]!;
    const props = table.Properties;

    expect(props.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes).toEqual(
      TABLE.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: index.projected === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projected] },
      })),
    );
    // The indexes the console polls carry whole cases; the others only what their readers use.
    expect(props.GlobalSecondaryIndexes.map((i: { Projection: { ProjectionType: string } }) => i.Projection.ProjectionType)).toEqual([
      'ALL',
      'ALL',
      'INCLUDE',
      'INCLUDE',
      'INCLUDE',
      'INCLUDE',
    ]);
    expect(props.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5', 'gsi6']);
    // Every key attribute is a string.
    for (const attribute of props.AttributeDefinitions) expect(attribute.AttributeType).toBe('S');
    expect(props.AttributeDefinitions).toHaveLength(2 + 2 * TABLE.indexes.length);
  });

  it('is on-demand, recoverable, protected from deletion, retained, encrypted with KMS, and expires by TTL', () => {
    const [, table] = ofType('AWS::DynamoDB::Table')[0]!;
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    // SSEEnabled without a key ▶ KMS with the AWS managed key (aws/dynamodb), not the DynamoDB-owned key.
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(TABLE.ttlAttribute).toBe('expiresAt');
  });
});

describe('the functions', () => {
  const functionIds = () => ({
    'web-to-case': logicalId(synth.stack.intake.webToCaseFunction, synth.stack),
    api: logicalId(synth.stack.api.apiFunction, synth.stack),
    reports: logicalId(synth.stack.api.reportsFunction, synth.stack),
    slack: logicalId(synth.stack.api.slackFunction, synth.stack),
    'workflow-stamp': logicalId(synth.stack.workflow.taskFunctions['workflow-stamp'], synth.stack),
    'workflow-route': logicalId(synth.stack.workflow.taskFunctions['workflow-route'], synth.stack),
    'workflow-failed': logicalId(synth.stack.workflow.taskFunctions['workflow-failed'], synth.stack),
    'workflow-schedule-sla': logicalId(synth.stack.workflow.taskFunctions['workflow-schedule-sla'], synth.stack),
    'workflow-evaluate-sla': logicalId(synth.stack.workflow.taskFunctions['workflow-evaluate-sla'], synth.stack),
    'workflow-continue-sla': logicalId(synth.stack.workflow.taskFunctions['workflow-continue-sla'], synth.stack),
    sweep: logicalId(synth.stack.sweeps.sweepFunction, synth.stack),
  });

  it('are the eleven handlers, on nodejs22.x ARM64, traced by X-Ray except the sweep', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(Object.values(functionIds()).sort());
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      // The sweep runs every minute with or without work: its traces would be a fixed cost showing nothing.
      expect(fn.Properties.TracingConfig, id).toEqual(id === functionIds().sweep ? undefined : { Mode: 'Active' });
      expect(fn.Properties.Handler).toBe('index.handler');
    }
  });

  it('share the environment every handler expects', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'caseflow' });
      // --enable-source-maps costs import time on every cold start and up to 100 ms on the first error
      // (docs/costs.md#cold-start): the maps ship beside the bundle for reading traces offline.
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('each log to their own log group, with retention', () => {
    const logGroupRefs = ofType('AWS::Lambda::Function').map(([, fn]) => fn.Properties.LoggingConfig.LogGroup.Ref);
    expect(new Set(logGroupRefs).size).toBe(Object.keys(functionIds()).length);
    for (const ref of logGroupRefs) {
      expect(resources[ref]!.Type).toBe('AWS::Logs::LogGroup');
      expect(resources[ref]!.Properties.RetentionInDays).toBe(90);
    }
  });

  it('get exactly the resources their handler needs: each env var comes with its permission and nothing more', () => {
    const ids = functionIds();
    const table = logicalId(synth.stack.data.table, synth.stack);
    const stateMachine = logicalId(synth.stack.workflow.stateMachine, synth.stack);
    const topic = logicalId(synth.stack.alerts.topic, synth.stack);
    const byRole = statementsByRole();

    const expected: Record<keyof typeof ids, string[]> = {
      'web-to-case': ['TABLE_NAME', 'STATE_MACHINE_ARN'],
      api: ['TABLE_NAME', 'STATE_MACHINE_ARN'],
      reports: ['TABLE_NAME'],
      slack: ['TABLE_NAME', 'STATE_MACHINE_ARN'],
      'workflow-stamp': ['TABLE_NAME', 'ALERT_TOPIC_ARN'],
      'workflow-route': ['TABLE_NAME', 'ALERT_TOPIC_ARN'],
      'workflow-failed': ['TABLE_NAME', 'ALERT_TOPIC_ARN'],
      'workflow-schedule-sla': ['TABLE_NAME'],
      'workflow-evaluate-sla': ['TABLE_NAME', 'ALERT_TOPIC_ARN'],
      'workflow-continue-sla': [],
      sweep: ['TABLE_NAME', 'ALERT_TOPIC_ARN', 'STATE_MACHINE_ARN'],
    };

    for (const [handler, id] of Object.entries(ids) as [keyof typeof ids, string][]) {
      const fn = resources[id]!;
      const variables = fn.Properties.Environment.Variables;
      const resourceVariables = Object.keys(variables).filter((name) => ['TABLE_NAME', 'STATE_MACHINE_ARN', 'ALERT_TOPIC_ARN'].includes(name));
      expect(resourceVariables.sort(), handler).toEqual([...expected[handler]].sort());

      const statements = byRole.get(fn.Properties.Role['Fn::GetAtt'][0])!;
      const actions = statements.flatMap((s) => asArray<string>(s.Action));
      const has = (action: string) => actions.includes(action);

      if (handler === 'workflow-continue-sla') {
        // Starts the next execution of this state machine and nothing else: no table, no topic. The
        // ARN comes in the task input ($$.StateMachine.Id), so no variable (the state machine refers
        // to the function; an environment variable referring back would be a cycle).
        expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual(['states:StartExecution']);
        expect(statements.find((s) => asArray(s.Action).includes('states:StartExecution')).Resource).toEqual({ Ref: stateMachine });
        continue;
      }

      expect(variables.TABLE_NAME).toEqual({ Ref: table });
      // Which indexes each may query, and the web form's partition limits: test/infra/hardening.test.ts.
      expect(has('dynamodb:GetItem')).toBe(true);
      // The reports function only reads (test/infra/monitoring.test.ts checks its role in full).
      expect(has('dynamodb:UpdateItem'), handler).toBe(handler !== 'reports');

      expect(has('states:StartExecution'), handler).toBe('STATE_MACHINE_ARN' in variables);
      if ('STATE_MACHINE_ARN' in variables) {
        expect(variables.STATE_MACHINE_ARN).toEqual({ Ref: stateMachine });
        const start = statements.find((s) => asArray(s.Action).includes('states:StartExecution'));
        expect(start.Resource).toEqual({ Ref: stateMachine });
      }

      expect(has('sns:Publish'), handler).toBe('ALERT_TOPIC_ARN' in variables);
      if ('ALERT_TOPIC_ARN' in variables) {
        expect(variables.ALERT_TOPIC_ARN).toEqual({ Ref: topic });
        const publish = statements.find((s) => asArray(s.Action).includes('sns:Publish'));
        expect(publish.Resource).toEqual({ Ref: topic });
      }
    }
  });

  it('can never Scan, delete items or use wildcard DynamoDB actions, and reach only the table and its named indexes', () => {
    const table = logicalId(synth.stack.data.table, synth.stack);
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions = asArray<string>(statement.Action);
        for (const forbidden of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:*']) {
          expect(actions).not.toContain(forbidden);
        }
        if (actions.some((a) => a.startsWith('dynamodb:'))) {
          for (const resource of asArray(statement.Resource)) {
            const allowed = [
              { 'Fn::GetAtt': [table, 'Arn'] },
              ...TABLE.indexes.map((index) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${index.name}`]] })),
            ];
            expect(allowed).toContainEqual(resource);
          }
        }
      }
    }
  });

  it('have roles without AWS managed policies, and use Resource "*" only for X-Ray (what the IAM5 acknowledgement claims)', () => {
    const byRole = statementsByRole();
    const sweepRole = resources[functionIds().sweep]!.Properties.Role['Fn::GetAtt'][0] as string;
    const functionRoles = ofType('AWS::Lambda::Function').map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0] as string);
    for (const role of functionRoles) {
      expect(resources[role]!.Properties.ManagedPolicyArns).toBeUndefined();
      const wildcard = byRole.get(role)!.filter((s) => asArray(s.Resource).includes('*'));
      expect(wildcard.flatMap((s) => asArray<string>(s.Action)).sort()).toEqual(
        role === sweepRole ? [] : ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
      );
      // Logs go to the function's own log group only.
      const logs = byRole.get(role)!.find((s) => asArray<string>(s.Action).includes('logs:PutLogEvents'));
      expect(logs.Resource['Fn::GetAtt'][1]).toBe('Arn');
      expect(resources[logs.Resource['Fn::GetAtt'][0]]!.Type).toBe('AWS::Logs::LogGroup');
    }
  });
});

describe('the admin alerts topic', () => {
  it("is encrypted with a rotating customer managed key that only this account's CloudWatch alarms may use", () => {
    const [topicId, topic] = ofType('AWS::SNS::Topic')[0]!;
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = resources[keyId]!;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const cloudwatch = key.Properties.KeyPolicy.Statement.filter((s: any) => JSON.stringify(s.Principal ?? {}).includes('cloudwatch.amazonaws.com'));
    expect(cloudwatch).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']],
            },
          },
        },
      }),
    ]);
    expect(topicId).toBe(logicalId(synth.stack.alerts.topic, synth.stack));
  });

  it("refuses publishing without TLS and lets this account's CloudWatch alarms publish", () => {
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('has no email subscription unless alertEmail is given', () => {
    expect(ofType('AWS::SNS::Subscription')).toHaveLength(0);
  });
});

describe('monitoring', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

  it('alarms on lifecycle executions that failed, timed out or were aborted', () => {
    const stateMachine = logicalId(synth.stack.workflow.stateMachine, synth.stack);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      const matching = alarms().filter((a) => a.Namespace === 'AWS/States' && a.MetricName === metric);
      expect(matching, metric).toHaveLength(1);
      expect(matching[0].Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: stateMachine } }]);
      expect([matching[0].Statistic, matching[0].Period, matching[0].Threshold]).toEqual(['Sum', 300, 1]);
    }
  });

  it('alarms on Lambda throttles once for the account, not once per function', () => {
    const throttles = alarms().filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Throttles');
    expect(throttles).toHaveLength(1);
    expect(throttles[0].Dimensions).toBeUndefined();
  });

  it("alarms on the sweep's errors; the other functions' errors surface as API 5xx, caught workflow failures or intake failures", () => {
    const errors = alarms().filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors');
    expect(errors.map((a) => a.Dimensions)).toEqual([[{ Name: 'FunctionName', Value: { Ref: logicalId(synth.stack.sweeps.sweepFunction, synth.stack) } }]]);
  });

  it('alarms on HTTP API 5xx responses', () => {
    const api = logicalId(synth.stack.api.httpApi, synth.stack);
    const serverErrors = alarms().filter((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx');
    expect(serverErrors).toHaveLength(1);
    expect(serverErrors[0].Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: api } }]);
  });

  it('sends every alarm to the alerts topic, failures on the first occurrence', () => {
    const topic = logicalId(synth.stack.alerts.topic, synth.stack);
    // executions failed, timed out, aborted; account throttles; sweep errors; API 5xx; intake failures;
    // SLA breach rate; the sweep's heartbeat and its schedule's DLQ
    expect(alarms()).toHaveLength(3 + 1 + 1 + 1 + 1 + 1 + 2);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
    // The SLA breach rate is a percentage (test/infra/monitoring.test.ts) and the heartbeat fires on
    // silence (test/infra/hardening.test.ts); every other alarm fires on one failure.
    for (const alarm of alarms().filter((a) => !String(a.AlarmDescription).includes('SLA milestones') && !String(a.AlarmDescription).includes('has not run'))) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.Threshold).toBe(1);
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });
});

describe('Cognito', () => {
  it('is admin-managed with a strong password policy and optional TOTP MFA', () => {
    synth.template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    const [, pool] = ofType('AWS::Cognito::UserPool')[0]!;
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('has the agent, manager and admin groups', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admin', 'agent', 'manager']);
    expect([...AGENT_GROUPS].sort()).toEqual(groups.sort());
  });

  it('has one public app client for the CLI: no secret, SRP and password auth, no OAuth flows', () => {
    const clients = ofType('AWS::Cognito::UserPoolClient');
    // The CLI's, and the console's (test/infra/console-hosting.test.ts).
    expect(clients.map(([id]) => id).sort()).toEqual(
      [logicalId(synth.stack.auth.client, synth.stack), logicalId(synth.stack.console.client, synth.stack)].sort(),
    );
    const client = resources[logicalId(synth.stack.auth.client, synth.stack)]!.Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.ExplicitAuthFlows.sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client.AllowedOAuthFlows).toBeUndefined();
  });
});

describe('outputs', () => {
  it('give the CLI what it needs: API URL, user pool and client ids', () => {
    const outputs = synth.template.toJSON().Outputs;
    const api = logicalId(synth.stack.api.httpApi, synth.stack);
    expect(outputs.UserPoolId.Value).toEqual({ Ref: logicalId(synth.stack.auth.userPool, synth.stack) });
    expect(outputs.UserPoolClientId.Value).toEqual({ Ref: logicalId(synth.stack.auth.client, synth.stack) });
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain(JSON.stringify({ Ref: api }));
    expect(Object.keys(outputs).sort()).toEqual([
      'AlertTopicArn',
      'ApiUrl',
      'ConsoleClientId',
      'ConsoleLoginDomain',
      'ConsoleUrl',
      'SlackRequestUrl',
      'SlackSecretArn',
      'StateMachineArn',
      'SweepScheduleDlqUrl',
      'SweepScheduleName',
      'TableName',
      'TriageModelBucket',
      'UserPoolClientId',
      'UserPoolId',
    ]);
  });
});
