import { App, Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Pass, StateMachine, DefinitionBody } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_METRICS, METRIC, METRICS_NAMESPACE } from '../../functions/core/metrics.js';
import { Monitoring } from '../../lib/monitoring.js';
import { asArray, isCdkDeployHandler, logicalId, resourcesOfType, synthCaseflow, type Resources } from '../support/synth.js';

let synth: ReturnType<typeof synthCaseflow>;
let resources: Resources;

let withDashboard: Resources;

beforeAll(() => {
  synth = synthCaseflow();
  resources = synth.template.toJSON().Resources as Resources;
  withDashboard = synthCaseflow({ context: { dashboard: 'true' } }).template.toJSON().Resources as Resources;
});

const ofType = (type: string, from: Resources = resources) => resourcesOfType(from, type);
const alarmNamed = (fragment: string, from: Resources = resources) => {
  const found = ofType('AWS::CloudWatch::Alarm', from).filter(([id]) => id.includes(fragment));
  expect(found, fragment).toHaveLength(1);
  return found[0]![1].Properties;
};

/** The dashboard body with CloudFormation's Fn::Join flattened (tokens become `<ref>`). */
function dashboardBody(from: Resources = resources): string {
  const [, dashboard] = ofType('AWS::CloudWatch::Dashboard', from)[0]!;
  const body = dashboard.Properties.DashboardBody;
  if (typeof body === 'string') return body;
  return (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
}

describe('the reports function', () => {
  const fn = () => resources[logicalId(synth.stack.api.reportsFunction, synth.stack)]!;
  const statements = () => {
    const role = fn().Properties.Role['Fn::GetAtt'][0];
    return ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  };

  it('may only read the table: GetItem, BatchGetItem and Query, on the table and the one index it reads (gsi6)', () => {
    const table = logicalId(synth.stack.data.table, synth.stack);
    const dynamo = statements().filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap((s) => asArray<string>(s.Action)).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    const queryResources = dynamo.find((s) => asArray(s.Action).includes('dynamodb:Query'))!.Resource;
    expect(queryResources).toEqual([{ 'Fn::GetAtt': [table, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/gsi6']] }]);
  });

  it('has nothing else: its logs, X-Ray, and no state machine, topic or other service', () => {
    const actions = statements().flatMap((s) => asArray<string>(s.Action));
    const others = actions.filter((a) => !a.startsWith('dynamodb:'));
    expect(
      others.every((a) => a.startsWith('logs:') || a.startsWith('xray:')),
      others.join(', '),
    ).toBe(true);
    const variables = fn().Properties.Environment.Variables;
    expect(
      Object.keys(variables).filter(
        (k) => !k.startsWith('POWERTOOLS_') && !['NODE_OPTIONS', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'METRICS_SCOPE'].includes(k),
      ),
    ).toEqual(['TABLE_NAME']);
  });

  it("serves exactly the reports routes, with time for a heavy report inside API Gateway's 30 s", () => {
    expect(fn().Properties.Timeout).toBe(29);
    expect(fn().Properties.MemorySize).toBe(1769);
    const integrations = ofType('AWS::ApiGatewayV2::Integration').filter(
      ([, i]) =>
        JSON.stringify(i.Properties.IntegrationUri) === JSON.stringify({ 'Fn::GetAtt': [logicalId(synth.stack.api.reportsFunction, synth.stack), 'Arn'] }),
    );
    expect(integrations).toHaveLength(1);
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .filter(([, r]) => JSON.stringify(r.Properties.Target).includes(integrations[0]![0]))
      .map(([, r]) => [r.Properties.RouteKey, r.Properties.AuthorizationType]);
    expect(routes.sort()).toEqual([
      ['GET /exports/events', 'JWT'],
      ['GET /reports', 'JWT'],
      ['GET /reports/{name}', 'JWT'],
    ]);
  });
});

describe('metrics', () => {
  it('every function publishes to the caseflow namespace as the caseflow service', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function').filter(([id]) => !isCdkDeployHandler(id))) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME: 'caseflow' });
    }
  });

  it('without the dashboard, every function publishes only what the alarms read; with it, everything', () => {
    // CDK's own deploy handler (the console's BucketDeployment) publishes nothing of ours.
    const ours = (t?: Parameters<typeof ofType>[1]) => ofType('AWS::Lambda::Function', t).filter(([id]) => !isCdkDeployHandler(id));
    for (const [, fn] of ours()) expect(fn.Properties.Environment.Variables.METRICS_SCOPE).toBe('alarms');
    for (const [, fn] of ours(withDashboard)) expect(fn.Properties.Environment.Variables.METRICS_SCOPE).toBe('all');
    // Every caseflow metric an alarm reads is among those published under `alarms`.
    const alarmMetrics = ofType('AWS::CloudWatch::Alarm').flatMap(([, a]) => [
      ...(a.Properties.Namespace === METRICS_NAMESPACE ? [a.Properties.MetricName] : []),
      ...(a.Properties.Metrics ?? []).filter((m: any) => m.MetricStat?.Metric.Namespace === METRICS_NAMESPACE).map((m: any) => m.MetricStat.Metric.MetricName),
    ]);
    expect(new Set(alarmMetrics)).toEqual(new Set(ALARM_METRICS));
  });
});

describe('alarms on our own metrics', () => {
  it('alarm on any intake failure, web or email, within five minutes', () => {
    const alarm = alarmNamed('IntakeFailures');
    expect(alarm.Threshold).toBe(1);
    expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    expect(alarm.TreatMissingData).toBe('notBreaching');
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('FILL(web,0)+FILL(email,0)');
    const stats = alarm.Metrics.filter((m: any) => m.MetricStat);
    expect(stats.map((m: any) => [m.Id, m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Period, m.MetricStat.Stat])).toEqual([
      ['web', 'caseflow', METRIC.intakeFailures, 300, 'Sum'],
      ['email', 'caseflow', METRIC.intakeFailures, 300, 'Sum'],
    ]);
    // Powertools adds `service` to every metric: without it the alarm would watch a metric nobody publishes.
    expect(stats[0].MetricStat.Metric.Dimensions).toHaveLength(2);
    expect(stats[0].MetricStat.Metric.Dimensions).toContainEqual({ Name: 'service', Value: 'caseflow' });
    expect(stats[0].MetricStat.Metric.Dimensions).toContainEqual({ Name: 'channel', Value: 'web' });
  });

  it("alarm when more than 20% of an hour's completed SLA milestones were late, with at least 5 completed, from two metrics", () => {
    const alarm = alarmNamed('SlaBreachRate');
    expect(alarm.Threshold).toBe(20);
    expect(alarm.EvaluationPeriods).toBe(1);
    const byId = new Map(alarm.Metrics.map((m: any) => [m.Id, m]));
    const rate = alarm.Metrics.find((m: any) => m.ReturnData !== false);
    expect(rate.Expression).toBe('IF(FILL(met,0) + FILL(late,0) >= 5, 100 * FILL(late,0) / (FILL(met,0) + FILL(late,0)), 0)');
    // Each metric of an alarm is billed: two undimensioned series, not one per milestone.
    expect(alarm.Metrics.filter((m: any) => m.MetricStat)).toHaveLength(2);
    const late = byId.get('late') as any;
    expect([late.MetricStat.Metric.MetricName, late.MetricStat.Period, late.MetricStat.Stat]).toEqual([METRIC.slaMetLate, 3600, 'Sum']);
    expect(late.MetricStat.Metric.Dimensions).toEqual([{ Name: 'service', Value: 'caseflow' }]);
    expect((byId.get('met') as any).MetricStat.Metric.MetricName).toBe(METRIC.slaMet);
  });
});

describe('the dashboard', () => {
  it('is not deployed by default: $3 a month at list price (context dashboard=true deploys it)', () => {
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(0);
    expect(ofType('AWS::CloudWatch::Dashboard', withDashboard)).toHaveLength(1);
  });

  it('shows cases per channel, assignment latency, queue depth, SLA warnings, breaches, escalations and the breach rate, intake failures and every alarm', () => {
    const body = dashboardBody(withDashboard);
    const parsed = JSON.parse(body.replace(/<ref>/g, 'REF'));
    const titles = parsed.widgets.map((w: any) => w.properties.title).filter(Boolean);
    expect(titles).toEqual([
      'Alarms',
      'Cases created per channel',
      'Assignment latency (created ▶ assigned), p50 and p90',
      'Queue depth (published by the sweeps)',
      'SLA warnings',
      'SLA breaches and escalations',
      'SLA milestones completed late (%, hourly)',
      'Intake failures',
      'Dead-letter queues (messages)',
      'Case lifecycle executions',
      'HTTP API',
      'Function errors',
      'Function duration p99',
    ]);
    for (const name of [METRIC.casesCreated, METRIC.assignmentLatency, METRIC.slaWarnings, METRIC.slaBreaches, METRIC.slaEscalations, METRIC.intakeFailures]) {
      expect(body, name).toContain(`"${name}"`);
    }
    expect(body).toContain("SEARCH('{caseflow,queue,service} MetricName=\\\"QueueDepth\\\"', 'Maximum', 300)");
    const alarmsWidget = parsed.widgets.find((w: any) => w.properties.title === 'Alarms');
    expect(alarmsWidget.properties.alarms).toHaveLength(ofType('AWS::CloudWatch::Alarm', withDashboard).length);
    // The sweep schedule's DLQ, even without email intake.
    expect(body).toContain('Dead-letter queues (messages)');
  });

  it('with email intake, graphs its DLQ and shows its own alarm rather than adding a second one', () => {
    const withEmail = synthCaseflow({ context: { sesDomain: 'support.example.com', dashboard: true } });
    const res = withEmail.template.toJSON().Resources as Resources;
    const dlq = logicalId(withEmail.stack.email!.deadLetterQueue, withEmail.stack);
    const dlqAlarms = ofType('AWS::CloudWatch::Alarm', res).filter(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(dlq));
    expect(dlqAlarms).toHaveLength(1);
    const body = dashboardBody(res);
    expect(body).toContain('Dead-letter queues (messages)');
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
  });

  it('raise a DLQ depth alarm for a dead-letter queue that has none', () => {
    const app = new App();
    const stack = new Stack(app, 'MonitoringProbe');
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {}'),
    });
    new Monitoring(stack, 'Monitoring', {
      functions: { probe: fn },
      lifecycle: new StateMachine(stack, 'Sm', { definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'P')) }),
      httpApi: new HttpApi(stack, 'Api'),
      alertTopic: new Topic(stack, 'Topic'),
      dashboardName: 'probe',
      deadLetterQueues: { 'sweep-events': { queue: new Queue(stack, 'Dlq') } },
      slaBreachRatePercent: 10,
    });
    const res = Template.fromStack(stack).toJSON().Resources as Resources;
    const depth = alarmNamed('SweepEventsDlqDepth', res);
    expect([depth.MetricName, depth.Namespace, depth.Statistic, depth.Threshold]).toEqual(['ApproximateNumberOfMessagesVisible', 'AWS/SQS', 'Maximum', 1]);
    expect(alarmNamed('SlaBreachRate', res).Threshold).toBe(10);
  });
});
