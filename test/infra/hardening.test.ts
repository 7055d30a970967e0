/**
 * What a deploy needs beyond working (docs/deploying.md#hardening), proved on the synthesized
 * template: least privilege on the table (each function's indexes; the public web form's function
 * kept to its own partitions, inside transactions too), public routes throttled on their own, alarms
 * for executions that time out or are aborted and for a sweep that stopped, the schedule's DLQ, the
 * KMS and SES resource policies limited to our account and receipt rule, and an output for every name
 * the setup steps use. test/integration/table-access.test.ts proves the table grants against real calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/table-definition.js';
import { ROUTES } from '../../functions/http/routes.js';
import { RECEIPT_RULE_NAME } from '../../lib/email-intake.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { allows, iamRequestsOf, roleStatements, TABLE_ARN, type IamRequest, type Statement } from '../support/iam-policy.js';
import { logicalId, synthCaseflow, type Resources, resourcesOfType, asArray } from '../support/synth.js';
import { PUBLIC_ROUTES } from '../support/routes.js';

let synth: ReturnType<typeof synthCaseflow>;
let resources: Resources;
let full: ReturnType<typeof synthCaseflow>;
let fullResources: Resources;

beforeAll(() => {
  synth = synthCaseflow();
  resources = synth.template.toJSON().Resources as Resources;
  full = synthCaseflow({ context: { sesDomain: 'support.example.com', dashboard: true } });
  fullResources = full.template.toJSON().Resources as Resources;
});

const ofType = (type: string, from: Resources = resources) => resourcesOfType(from, type);
const roleOf = (fn: { node: { defaultChild?: unknown } }, s = synth, from = resources) =>
  from[logicalId(fn, s.stack)]!.Properties.Role['Fn::GetAtt'][0] as string;

describe('least privilege on the table', () => {
  /** Written out here, from the access patterns each handler's use cases run (lib/table-access.ts says which and why). */
  const QUERIES: Record<string, string[]> = {
    'web-to-case': [],
    api: ['table', 'gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi6'],
    reports: ['table', 'gsi6'],
    'workflow-stamp': [],
    'workflow-route': ['gsi3', 'gsi4'],
    'workflow-failed': [],
    'workflow-schedule-sla': [],
    'workflow-evaluate-sla': ['gsi3', 'gsi4'],
    sweep: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'],
    'intake-email': ['table'],
    slack: ['table', 'gsi2'],
  };

  it('lets each function Query only the indexes it uses, each by its own ARN (and the table only where it reads a case partition)', () => {
    const fns: Record<string, { node: { defaultChild?: unknown } }> = {
      'web-to-case': full.stack.intake.webToCaseFunction,
      api: full.stack.api.apiFunction,
      reports: full.stack.api.reportsFunction,
      ...full.stack.workflow.taskFunctions,
      sweep: full.stack.sweeps.sweepFunction,
      'intake-email': full.stack.email!.intakeFunction,
      slack: full.stack.api.slackFunction,
    };
    const table = logicalId(full.stack.data.table, full.stack);
    for (const [name, fn] of Object.entries(fns)) {
      if (name === 'workflow-continue-sla') continue;
      const statements = roleStatements(fullResources, roleOf(fn, full, fullResources));
      const queried = statements
        .filter((s) => asArray(s.Action).includes('dynamodb:Query'))
        .flatMap((s) => asArray(s.Resource))
        .map((r) => {
          if (JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [table, 'Arn'] })) return 'table';
          const join = (r as any)['Fn::Join'][1];
          expect(join[0]).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });
          return String(join[1]).replace('/index/', '');
        });
      expect(queried.sort(), name).toEqual([...QUERIES[name]!].sort());
      // No wildcard index ARN anywhere.
      expect(JSON.stringify(statements), name).not.toContain('/index/*');
    }
  });

  describe('the public web form function', () => {
    let statements: Statement[];
    beforeAll(() => {
      statements = roleStatements(resources, roleOf(synth.stack.intake.webToCaseFunction)).filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
      );
    });
    const names = () => ({ table: logicalId(synth.stack.data.table, synth.stack) });
    const item = (action: string, pk: string, extra: Record<string, string[]> = {}): IamRequest => ({
      action: `dynamodb:${action}`,
      resource: TABLE_ARN,
      context: { 'dynamodb:LeadingKeys': [pk], ...extra },
    });
    const allowed = (request: IamRequest) => allows(statements, request, names());
    const transaction = (items: Record<string, unknown>[]) =>
      iamRequestsOf('TransactWriteCommand', { TransactItems: items }, TABLE).every((request) => allowed(request));

    it('has Get, Put and Update only, each statement bound to partition-key patterns that must be present', () => {
      expect(statements.flatMap((s) => asArray(s.Action)).sort()).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:UpdateItem',
      ]);
      for (const statement of statements) {
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [names().table, 'Arn'] });
        expect(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toBeDefined();
        expect(statement.Condition?.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
      }
      const on = (action: string) => statements.filter((s) => s.Action === action).map((s) => s.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys']);
      expect(on('dynamodb:GetItem')).toEqual([['CONFIG', 'IDEMP#web#*', 'IDEMP#web-content#*', 'CASE#*', 'EMAILCONTACT#*']]);
      // The subject-word index with the case; the acknowledgement's ids (OUTMSG) so a reply to it threads.
      expect(on('dynamodb:PutItem')).toEqual([['CASE#*', 'CASENO#*', 'IDEMP#web#*', 'IDEMP#web-content#*', 'WORD#*', 'OUTMSG#*']]);
      // The case item counts the acknowledgement and its events (the case's ETag: historyTouch); the rate limits.
      expect(on('dynamodb:UpdateItem')).toEqual([['CASE#*', 'RATE#web-ip#*', 'RATE#web-email#*', 'RATE#email-ack#*'], ['COUNTER#caseNumber']]);
      const counter = statements.find((s) => JSON.stringify(s.Condition).includes('COUNTER#caseNumber'))!;
      expect(counter.Condition!['ForAllValues:StringEquals']).toEqual({ 'dynamodb:Attributes': ['pk', 'sk', 'value'] });
      expect(counter.Condition!.StringEquals).toEqual({ 'dynamodb:ReturnValues': 'UPDATED_NEW' });
    });

    it('may create a case with its number, message, event and idempotency record, in one transaction', () => {
      expect(
        transaction([
          { Put: { Item: { pk: 'CASE#01J', sk: 'CASE' } } },
          { Put: { Item: { pk: 'CASENO#00001000', sk: 'CASENO', caseId: '01J' } } },
          { Put: { Item: { pk: 'CASE#01J', sk: 'MSG#01K' } } },
          { Put: { Item: { pk: 'CASE#01J', sk: 'EVT#01L' } } },
          { Put: { Item: { pk: 'IDEMP#web#ann@example.com#k1', sk: 'IDEMP' } } },
        ]),
      ).toBe(true);
      expect(allowed(item('UpdateItem', 'RATE#web-ip#198.51.100.7#1741000000', { 'dynamodb:Attributes': ['pk', 'sk', 'hits', 'expiresAt'] }))).toBe(true);
      expect(
        allowed(item('UpdateItem', 'COUNTER#caseNumber', { 'dynamodb:Attributes': ['pk', 'sk', 'value'], 'dynamodb:ReturnValues': ['UPDATED_NEW'] })),
      ).toBe(true);
      expect(allowed(item('GetItem', 'CONFIG'))).toBe(true);
    });

    it('cannot write configuration, agent items or any other counter, nor the case-number counter beyond its value', () => {
      for (const pk of ['CONFIG', 'AGENT#alice', 'COUNTER#other', 'EMAILCONTACT#ann@example.com', 'INMSG#x', 'ALERT#2026-01-01', 'MAILLOG#2026-01-01']) {
        expect(allowed(item('PutItem', pk)), `PutItem ${pk}`).toBe(false);
        expect(allowed(item('UpdateItem', pk, { 'dynamodb:Attributes': ['pk', 'sk', 'x'] })), `UpdateItem ${pk}`).toBe(false);
        expect(allowed(item('ConditionCheckItem', pk)), `ConditionCheckItem ${pk}`).toBe(false);
      }
      expect(allowed(item('PutItem', 'COUNTER#caseNumber'))).toBe(false);
      expect(
        allowed(item('UpdateItem', 'COUNTER#caseNumber', { 'dynamodb:Attributes': ['pk', 'sk', 'value', 'other'], 'dynamodb:ReturnValues': ['UPDATED_NEW'] })),
      ).toBe(false);
      expect(allowed(item('UpdateItem', 'COUNTER#caseNumber', { 'dynamodb:Attributes': ['pk', 'sk', 'value'], 'dynamodb:ReturnValues': ['ALL_OLD'] }))).toBe(
        false,
      );
      expect(allowed(item('UpdateItem', 'COUNTER#caseNumber', { 'dynamodb:Attributes': ['pk', 'sk', 'value'] }))).toBe(false);
      // Idempotency records of other scopes (the agent API's, email's) are not the form's.
      expect(allowed(item('PutItem', 'IDEMP#agent#alice#k1'))).toBe(false);
      // A case write smuggled into a transaction with a configuration write fails as a whole.
      expect(transaction([{ Put: { Item: { pk: 'CASE#01J', sk: 'CASE' } } }, { Put: { Item: { pk: 'CONFIG', sk: 'CURRENT' } } }])).toBe(false);
      // Without a partition key in the request context nothing passes (ForAllValues alone would).
      expect(allowed({ action: 'dynamodb:PutItem', resource: TABLE_ARN, context: {} })).toBe(false);
    });

    it('cannot read agents or query anything, nor batch-read', () => {
      expect(allowed(item('GetItem', 'AGENT#alice'))).toBe(false);
      expect(allowed(item('BatchGetItem', 'CASE#01J'))).toBe(false);
      expect(allowed({ action: 'dynamodb:Query', resource: TABLE_ARN, context: {} })).toBe(false);
      for (const index of TABLE.indexes) expect(allowed({ action: 'dynamodb:Query', resource: `${TABLE_ARN}/index/${index.name}`, context: {} })).toBe(false);
    });

    it('cannot write any partition outside its own, whatever the key (property)', () => {
      const own = /^(CASE#|CASENO#|IDEMP#web#|IDEMP#web-content#|RATE#web-ip#|RATE#web-email#|RATE#email-ack#|WORD#|OUTMSG#|COUNTER#caseNumber$)/;
      const prefix = fc.constantFrom(
        'CONFIG',
        'AGENT#',
        'COUNTER#',
        'EMAILCONTACT#',
        'INHASH#',
        'INMSG#',
        'OUTMSG#',
        'ALERT#',
        'MAILLOG#',
        'IDEMP#',
        'RATE#',
        'CASE',
        '',
      );
      fc.assert(
        fc.property(prefix, fc.string({ maxLength: 40 }), fc.constantFrom('PutItem', 'UpdateItem', 'ConditionCheckItem'), (start, rest, action) => {
          const pk = `${start}${rest}`;
          fc.pre(!own.test(pk));
          return !allowed(item(action, pk, { 'dynamodb:Attributes': ['pk', 'sk', 'value'], 'dynamodb:ReturnValues': ['UPDATED_NEW'] }));
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('public routes throttled on their own', () => {
  it('gives each public route its own token bucket, below the stage default the agents share', () => {
    const [stageId, stage] = ofType('AWS::ApiGatewayV2::Stage')[0]!;
    const publicRoutes = ROUTES.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.path}`);
    expect(publicRoutes.sort()).toEqual(PUBLIC_ROUTES);
    expect(Object.keys(stage.Properties.RouteSettings).sort()).toEqual(publicRoutes);
    for (const settings of Object.values(stage.Properties.RouteSettings)) {
      expect(settings).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    }
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    // Route settings name routes by key: the stage is deployed after them.
    const routeIds = ofType('AWS::ApiGatewayV2::Route')
      .filter(([, r]) => publicRoutes.includes(r.Properties.RouteKey))
      .map(([id]) => id);
    expect(routeIds).toHaveLength(publicRoutes.length);
    for (const id of routeIds) expect(asArray(resources[stageId]!.DependsOn ?? [])).toContain(id);
  });
});

describe('alarms a deploy needs', () => {
  const alarm = (fragment: string, from = resources) => {
    const found = ofType('AWS::CloudWatch::Alarm', from).filter(([id]) => id.includes(fragment));
    expect(found, fragment).toHaveLength(1);
    return found[0]![1].Properties;
  };

  it('fires when the sweep has not run for three intervals (at least 5 minutes): no invocation is the breach', () => {
    const notRunning = alarm('SweepNotRunning');
    expect([notRunning.Namespace, notRunning.MetricName, notRunning.Statistic, notRunning.Period]).toEqual(['AWS/Lambda', 'Invocations', 'Sum', 300]);
    expect(notRunning.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: logicalId(synth.stack.sweeps.sweepFunction, synth.stack) } }]);
    expect([notRunning.ComparisonOperator, notRunning.Threshold, notRunning.TreatMissingData]).toEqual(['LessThanThreshold', 1, 'breaching']);
    const hourly = synthCaseflow({ context: { sweepScheduleMinutes: '60' } }).template.toJSON().Resources as Resources;
    expect(alarm('SweepNotRunning', hourly).Period).toBe(3 * 3600);
  });

  it('gives the schedule target an encrypted dead-letter queue with an alarm of its own', () => {
    const dlq = logicalId(synth.stack.sweeps.deadLetterQueue, synth.stack);
    const [, schedule] = ofType('AWS::Scheduler::Schedule')[0]!;
    expect(schedule.Properties.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } });
    expect(resources[dlq]!.Properties.SqsManagedSseEnabled).toBe(true);
    const dlqAlarm = alarm('ScheduleDlqNotEmpty');
    expect(dlqAlarm.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }]);
    expect([dlqAlarm.MetricName, dlqAlarm.Threshold, dlqAlarm.TreatMissingData]).toEqual(['ApproximateNumberOfMessagesVisible', 1, 'notBreaching']);
  });
});

describe('resource policies limited to us', () => {
  it('lets SES write raw mail only for our receipt rule, in our rule set, of our account', () => {
    const bucket = logicalId(full.stack.email!.bucket, full.stack);
    const ruleSet = logicalId(full.stack.email!.ruleSet, full.stack);
    const statements = ofType('AWS::S3::BucketPolicy', fullResources)
      .filter(([, p]) => p.Properties.Bucket.Ref === bucket)
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const ses = statements.filter((s: any) => JSON.stringify(s.Principal ?? {}).includes('ses.amazonaws.com'));
    expect(ses).toHaveLength(1);
    expect(ses[0]).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' });
    expect(ses[0].Condition).toEqual({
      StringEquals: {
        'aws:SourceAccount': { Ref: 'AWS::AccountId' },
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ses:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':receipt-rule-set/',
              { Ref: ruleSet },
              `:receipt-rule/${RECEIPT_RULE_NAME}`,
            ],
          ],
        },
      },
    });
    // The rule is that one, and it is created after the policy (SES checks it may write).
    const [ruleId, rule] = ofType('AWS::SES::ReceiptRule', fullResources)[0]!;
    expect(rule.Properties.Rule.Name).toBe(RECEIPT_RULE_NAME);
    expect(rule.Properties.RuleSetName).toEqual({ Ref: ruleSet });
    const policyId = ofType('AWS::S3::BucketPolicy', fullResources).find(([, p]) => p.Properties.Bucket.Ref === bucket)![0];
    expect(asArray(fullResources[ruleId]!.DependsOn ?? [])).toContain(policyId);
  });
});

/** A page's section under `heading`, up to the next heading of the same level. */
function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const next = markdown.indexOf('\n## ', start + heading.length + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

describe('outputs', () => {
  it('name everything the setup steps use, and docs/deploying.md lists exactly these outputs', () => {
    const outputs = Object.keys(full.template.toJSON().Outputs).sort();
    expect(outputs).toEqual(
      [
        'AlertTopicArn',
        'ApiUrl',
        'ConsoleClientId',
        'ConsoleLoginDomain',
        'ConsoleUrl',
        'DashboardName',
        'DkimRecord1',
        'DkimRecord2',
        'DkimRecord3',
        'IntakeDlqUrl',
        'IntakeFunctionName',
        'MxRecord',
        'RawMailBucketName',
        'ReceiptRuleSetName',
        'SlackRequestUrl',
        'SlackSecretArn',
        'StateMachineArn',
        'SweepScheduleDlqUrl',
        'SweepScheduleName',
        'TableName',
        'ThreadingKeySecretArn',
        'TriageModelBucket',
        'UserPoolClientId',
        'UserPoolId',
      ].sort(),
    );
    const deploying = readFileSync(join(REPO_ROOT, 'docs', 'deploying.md'), 'utf8');
    const documented = [...sectionOf(deploying, '## Outputs').matchAll(/^\| `([A-Za-z0-9]+)`(?:…`(\d)`)?/gm)].flatMap((m) =>
      m[2] ? Array.from({ length: Number(m[2]) }, (_, i) => m[1]!.replace(/\d$/, String(i + 1))) : [m[1]!],
    );
    expect(documented.sort()).toEqual(outputs);
    // The setup steps name outputs: each `<Name>` placeholder they use is one.
    const email = readFileSync(join(REPO_ROOT, 'docs', 'email.md'), 'utf8');
    const steps = [sectionOf(deploying, '## After the first deploy'), sectionOf(email, '## Setting it up in AWS')];
    const placeholders = steps.flatMap((text) => [...text.matchAll(/<([A-Z][A-Za-z0-9]+)>/g)].map((m) => m[1]!));
    expect(new Set(placeholders)).toEqual(
      new Set([
        'UserPoolId',
        'UserPoolClientId',
        'ApiUrl',
        'DkimRecord1',
        'DkimRecord2',
        'DkimRecord3',
        'MxRecord',
        'ReceiptRuleSetName',
        'IntakeDlqUrl',
        'IntakeFunctionName',
      ]),
    );
    for (const name of placeholders) expect(outputs, name).toContain(name);
  });
});
