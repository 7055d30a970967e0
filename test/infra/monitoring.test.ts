import { App, Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Pass, StateMachine, DefinitionBody } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../functions/core/metrics.js';
import { TABLE } from '../../functions/adapters/table-definition.js';
import { Monitoring } from '../../lib/monitoring.js';
import { isCdkDeployHandler, logicalId, synthCaseflow, type Resources } from './synth.js';

let synth: ReturnType<typeof synthCaseflow>;
let resources: Resources;

beforeAll(() => {
  synth = synthCaseflow();
  resources = synth.template.toJSON().Resources as Resources;
});

const ofType = (type: string, from: Resources = resources) => Object.entries(from).filter(([, r]) => r.Type === type);
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
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

  it('may only read the table: GetItem, BatchGetItem and Query, on the table and its named indexes', () => {
    const table = logicalId(synth.stack.data.table, synth.stack);
    const dynamo = statements().filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap((s) => asArray<string>(s.Action)).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    const queryResources = dynamo.find((s) => asArray(s.Action).includes('dynamodb:Query'))!.Resource;
    expect(queryResources).toEqual([
      { 'Fn::GetAtt': [table, 'Arn'] },
      ...TABLE.indexes.map((index) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${index.name}`]] })),
    ]);
  });

  it('has nothing else: its logs, X-Ray, and no state machine, topic or other service', () => {
    const actions = statements().flatMap((s) => asArray<string>(s.Action));
    const others = actions.filter((a) => !a.startsWith('dynamodb:'));
    expect(
      others.every((a) => a.startsWith('logs:') || a.startsWith('xray:')),
      others.join(', '),
    ).toBe(true);
    const variables = fn().Properties.Environment.Variables;
    expect(Object.keys(variables).filter((k) => !k.startsWith('POWERTOOLS_') && k !== 'NODE_OPTIONS')).toEqual(['TABLE_NAME']);
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

  it("alarm when more than 20% of an hour's completed SLA milestones were late, with at least 5 completed", () => {
    const alarm = alarmNamed('SlaBreachRate');
    expect(alarm.Threshold).toBe(20);
    expect(alarm.EvaluationPeriods).toBe(1);
    const byId = new Map(alarm.Metrics.map((m: any) => [m.Id, m]));
    const rate = alarm.Metrics.find((m: any) => m.ReturnData !== false);
    expect(rate.Expression).toBe('IF(completed >= 5, 100 * late / completed, 0)');
    expect((byId.get('late') as any).Expression).toBe('FILL(late_first_response,0)+FILL(late_resolution,0)');
    expect((byId.get('completed') as any).Expression).toBe(
      'FILL(met_first_response,0)+FILL(met_resolution,0)+FILL(late_first_response,0)+FILL(late_resolution,0)',
    );
    const late = byId.get('late_resolution') as any;
    expect([late.MetricStat.Metric.MetricName, late.MetricStat.Period]).toEqual([METRIC.slaMetLate, 3600]);
    expect(late.MetricStat.Metric.Dimensions).toContainEqual({ Name: 'milestone', Value: 'resolution' });
  });
});

describe('the dashboard', () => {
  it('shows cases per channel, assignment latency, queue depth, SLA warnings, breaches, escalations and the breach rate, intake failures and every alarm', () => {
    const body = dashboardBody();
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
    expect(alarmsWidget.properties.alarms).toHaveLength(ofType('AWS::CloudWatch::Alarm').length);
    // No email intake in this deployment: the DLQ panel says so instead of graphing nothing.
    expect(body).toContain('Dead-letter queues');
  });

  it('with email intake, graphs its DLQ and shows its own alarm rather than adding a second one', () => {
    const withEmail = synthCaseflow({ context: { sesDomain: 'support.example.com' } });
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
