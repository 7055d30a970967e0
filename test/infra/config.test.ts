import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCaseflowConfig } from '../../lib/config.js';
import { logicalId, synthCaseflow, type Resources } from '../support/synth.js';

const fromContext = (context: Record<string, unknown>) => readCaseflowConfig({ tryGetContext: (key) => context[key] });

describe('context parameters', () => {
  it('default to a dev stage with moderate throttling and 90-day logs', () => {
    expect(fromContext({})).toEqual({
      stage: 'dev',
      alertEmail: undefined,
      webFormReturnUrl: undefined,
      apiThrottleRate: 50,
      apiThrottleBurst: 100,
      publicThrottleRate: 10,
      publicThrottleBurst: 20,
      logRetentionDays: RetentionDays.THREE_MONTHS,
      sesDomain: undefined,
      sweepScheduleMinutes: 1,
      dashboard: false,
      indexesProjectingAll: [],
    });
  });

  it('name the indexes kept projecting ALL and the one left out while projections are trimmed, and only indexes the table has', () => {
    expect(fromContext({ indexesProjectingAll: 'gsi4, gsi5,gsi6', withoutIndex: 'gsi3' })).toMatchObject({
      indexesProjectingAll: ['gsi4', 'gsi5', 'gsi6'],
      withoutIndex: 'gsi3',
    });
    expect(() => fromContext({ indexesProjectingAll: 'gsi3,gsi9' })).toThrow(/indexesProjectingAll.*gsi9/);
    expect(() => fromContext({ withoutIndex: 'byContact' })).toThrow(/withoutIndex/);
  });

  it('accept the dashboard switch as a boolean or as the strings -c passes', () => {
    expect(fromContext({ dashboard: 'true' }).dashboard).toBe(true);
    expect(fromContext({ dashboard: true }).dashboard).toBe(true);
    expect(fromContext({ dashboard: 'false' }).dashboard).toBe(false);
  });

  it('accept numbers given as strings, as `-c key=value` passes them', () => {
    const config = fromContext({ apiThrottleRate: '12.5', apiThrottleBurst: '40', logRetentionDays: '30' });
    expect(config.apiThrottleRate).toBe(12.5);
    expect(config.apiThrottleBurst).toBe(40);
    expect(config.logRetentionDays).toBe(30);
  });

  it.each([
    [{ stage: 'Prod' }, /stage/],
    [{ stage: 'a-very-long-stage-name-indeed' }, /stage/],
    [{ alertEmail: 'ops-at-example.com' }, /alertEmail/],
    [{ webFormReturnUrl: 'example.com/thanks' }, /webFormReturnUrl/],
    [{ apiThrottleRate: '0' }, /apiThrottleRate/],
    [{ apiThrottleBurst: '10.5' }, /apiThrottleBurst/],
    [{ logRetentionDays: 31 }, /logRetentionDays/],
    [{ sweepScheduleMinutes: '0' }, /sweepScheduleMinutes/],
    [{ sweepScheduleMinutes: 90 }, /sweepScheduleMinutes/],
    [{ sweepScheduleMinutes: '2.5' }, /sweepScheduleMinutes/],
    [{ publicThrottleRate: '-1' }, /publicThrottleRate/],
    [{ publicThrottleBurst: '2.5' }, /publicThrottleBurst/],
    [{ dashboard: 'yes' }, /dashboard/],
    [{ dashboard: 1 }, /dashboard/],
  ])('reject %j', (context, message) => {
    expect(() => fromContext(context)).toThrow(message);
  });
});

describe('context parameters reach the stack', () => {
  let synth: ReturnType<typeof synthCaseflow>;
  let resources: Resources;

  beforeAll(() => {
    synth = synthCaseflow({
      context: {
        alertEmail: 'ops@example.com',
        webFormReturnUrl: 'https://example.com/thanks',
        apiThrottleRate: '7',
        apiThrottleBurst: '9',
        publicThrottleRate: '3',
        publicThrottleBurst: '4',
        logRetentionDays: '30',
      },
    });
    resources = synth.template.toJSON().Resources as Resources;
  });

  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

  it('alertEmail subscribes that address to the alerts topic', () => {
    const subscriptions = ofType('AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]!.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(synth.stack.alerts.topic, synth.stack) },
    });
  });

  it('webFormReturnUrl is set on the web-to-case function only', () => {
    const webToCase = logicalId(synth.stack.intake.webToCaseFunction, synth.stack);
    for (const [id, fn] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      expect(fn.Properties.Environment.Variables.WEB_FORM_RETURN_URL).toBe(id === webToCase ? 'https://example.com/thanks' : undefined);
    }
  });

  it('apiThrottleRate and apiThrottleBurst set the stage throttle', () => {
    expect(ofType('AWS::ApiGatewayV2::Stage')[0]!.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 7,
      ThrottlingBurstLimit: 9,
    });
  });

  it("publicThrottleRate and publicThrottleBurst set each public route's own throttle", () => {
    const settings = ofType('AWS::ApiGatewayV2::Stage')[0]!.Properties.RouteSettings;
    expect(Object.keys(settings).length).toBeGreaterThan(0);
    for (const route of Object.values(settings)) expect(route).toEqual({ ThrottlingRateLimit: 3, ThrottlingBurstLimit: 4 });
  });

  it('logRetentionDays applies to every log group', () => {
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(13); // 11 functions, API access logs, workflow
    for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(30);
  });
});

describe('trimming index projections on a deployed table', () => {
  it('keeps the indexes named projecting ALL, and leaves the one named out', () => {
    const synth = synthCaseflow({ context: { indexesProjectingAll: 'gsi4,gsi5,gsi6', withoutIndex: 'gsi3' } });
    const [table] = Object.values(synth.template.toJSON().Resources as Resources).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    const projections = Object.fromEntries(
      (table!.Properties.GlobalSecondaryIndexes as { IndexName: string; Projection: { ProjectionType: string } }[]).map((i) => [
        i.IndexName,
        i.Projection.ProjectionType,
      ]),
    );
    expect(projections).toEqual({ gsi1: 'ALL', gsi2: 'ALL', gsi4: 'ALL', gsi5: 'ALL', gsi6: 'ALL' });
  });
});
