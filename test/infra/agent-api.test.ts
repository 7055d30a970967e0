/**
 * What the agent API needs in AWS: Slack's one Secrets Manager secret that only the API and Slack
 * functions may read (GetSecretValue on that one secret), the link base for Slack messages, the
 * public OpenAPI route, and, when the stack has email, the right to send replies the way intake
 * sends acknowledgements (SES from the domain identity, the threading key). (cdk-nag: test/infra/cdk-nag.test.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Resources } from '../support/synth.js';
import { logicalId, synthCaseflow, statementsOfFunction } from '../support/synth.js';

type Synth = ReturnType<typeof synthCaseflow>;
let plain: Synth;
let withEmail: Synth;

beforeAll(() => {
  plain = synthCaseflow();
  withEmail = synthCaseflow({ context: { sesDomain: 'support.example.com' } });
});

function statementsOf(s: Synth, fnLogicalId: string): { Action: string | string[]; Resource: unknown }[] {
  return statementsOfFunction(s.template.toJSON().Resources as Resources, fnLogicalId);
}

const actions = (st: { Action: string | string[] }) => (Array.isArray(st.Action) ? st.Action : [st.Action]);
/** Resources of the statements that allow `action` (CDK merges statements of one action into one). */
const resourcesFor = (statements: { Action: string | string[]; Resource: unknown }[], action: string) =>
  statements.filter((st) => actions(st).includes(action)).flatMap((st) => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]));

describe('the agent API in AWS', () => {
  it('keeps Slack in one secret (webhook URL, bot token, signing secret) that only the API and Slack functions read, with GetSecretValue only', () => {
    const s = plain;
    const resources = s.template.toJSON().Resources as Resources;
    const slackSecrets = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret' && /slack/i.test(JSON.stringify(r.Properties)));
    expect(slackSecrets.map(([id]) => id)).toHaveLength(1);
    const secretId = logicalId(s.stack.api.slackSecret, s.stack);
    expect(slackSecrets[0]![0]).toBe(secretId);
    // The secret the Slack app was stored in before (same logical id, and the same GenerateSecretString:
    // a change to it makes CloudFormation generate a new value over the one an admin stored).
    expect(secretId).toMatch(/^ApiSlackApp/);
    expect(resources[secretId]).toMatchObject({
      Type: 'AWS::SecretsManager::Secret',
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: { SecretStringTemplate: '{"botToken":""}', GenerateStringKey: 'signingSecret', ExcludePunctuation: true } },
    });
    expect(resources[secretId]!.Properties.Description).toContain('webhookUrl');

    const readers = [logicalId(s.stack.api.apiFunction, s.stack), logicalId(s.stack.api.slackFunction, s.stack)];
    expect(resources[readers[0]!]!.Properties.Environment.Variables.CASE_LINK_BASE_URL).toBeDefined();
    for (const fn of readers) {
      const env = resources[fn]!.Properties.Environment.Variables;
      expect(env.SLACK_SECRET_ARN, fn).toEqual({ Ref: secretId });
      expect(
        Object.keys(env).filter((k) => k.startsWith('SLACK_') && k.endsWith('_ARN')),
        fn,
      ).toEqual(['SLACK_SECRET_ARN']);
      // Every statement naming the secret allows GetSecretValue and nothing else, and one does.
      const naming = statementsOf(s, fn).filter((st) => JSON.stringify(st.Resource).includes(secretId));
      expect(naming.length, fn).toBeGreaterThan(0);
      for (const st of naming) expect(actions(st), fn).toEqual(['secretsmanager:GetSecretValue']);
      // Without email, the secret is the only one either function may read.
      expect(resourcesFor(statementsOf(s, fn), 'secretsmanager:GetSecretValue'), fn).toEqual([{ Ref: secretId }]);
      expect(
        [...new Set(statementsOf(s, fn).flatMap(actions))].filter((a) => a.startsWith('secretsmanager:')),
        fn,
      ).toEqual(['secretsmanager:GetSecretValue']);
    }
    // No other function can read it.
    const others = Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !readers.includes(id) && r.Properties?.Role);
    expect(others.length).toBeGreaterThan(5);
    for (const [id] of others) {
      expect(
        statementsOf(s, id).filter((st) => JSON.stringify(st.Resource).includes(secretId)),
        id,
      ).toEqual([]);
      expect(resources[id]!.Properties.Environment?.Variables?.SLACK_SECRET_ARN, id).toBeUndefined();
    }
    // The Slack function may not send mail without email.
    expect(
      statementsOf(s, readers[1]!)
        .flatMap(actions)
        .filter((a) => a.startsWith('ses:')),
    ).toEqual([]);
  });

  it("throttles Slack's three routes on their own, as every public route, below the stage's limits", () => {
    const [, stage] = Object.entries(plain.template.toJSON().Resources as Resources).find(([, r]) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
    const settings = stage.Properties.RouteSettings;
    for (const key of ['POST /slack/commands', 'POST /slack/events', 'POST /slack/interactions']) {
      expect(settings[key], key).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    }
    expect(stage.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ApiPostSlackEventsRoute/)]));
  });

  it('serves GET /openapi.json without the authorizer, and every other API route with it', () => {
    const routes = Object.values(plain.template.toJSON().Resources as Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    const openapi = routes.find((r) => r.Properties.RouteKey === 'GET /openapi.json');
    expect(openapi?.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    for (const key of [
      'POST /cases',
      'POST /cases/{id}/replies',
      'POST /cases/{id}/swarm',
      'POST /cases/{id}/reassign',
      'POST /cases/{id}/notes',
      'POST /cases/{id}/priority',
    ]) {
      expect(routes.find((r) => r.Properties.RouteKey === key)?.Properties.AuthorizationType, key).toBe('JWT');
    }
  });

  it('without email: the API function may not send mail', () => {
    const apiFn = logicalId(plain.stack.api.apiFunction, plain.stack);
    expect(
      statementsOf(plain, apiFn)
        .flatMap(actions)
        .filter((a) => a.startsWith('ses:')),
    ).toEqual([]);
  });

  it('with email: replies go out through SES from the domain identity only, signed with the threading key', () => {
    const s = withEmail;
    const apiFn = logicalId(s.stack.api.apiFunction, s.stack);
    const statements = statementsOf(s, apiFn);
    const send = statements.find((st) => actions(st).includes('ses:SendRawEmail'))!;
    expect(actions(send).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    expect(JSON.stringify(send.Resource)).toContain(':identity/support.example.com');
    const threadingId = logicalId(s.stack.email!.threadingSecret, s.stack);
    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual(
      expect.arrayContaining([{ Ref: threadingId }, { Ref: logicalId(s.stack.api.slackSecret, s.stack) }]),
    );
    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toHaveLength(2);
    // Slack's replies go out the same way: the Slack function may send from the identity too.
    const slackFn = logicalId(s.stack.api.slackFunction, s.stack);
    const slackSend = statementsOf(s, slackFn).find((st) => actions(st).includes('ses:SendRawEmail'))!;
    expect(JSON.stringify(slackSend.Resource)).toContain(':identity/support.example.com');
    const env = (s.template.toJSON().Resources as Resources)[apiFn]!.Properties.Environment.Variables;
    expect(env).toMatchObject({ THREADING_SECRET_ARN: { Ref: threadingId }, EMAIL_FROM_ADDRESS: 'support@support.example.com' });
  });
});

describe('large reply files (uploads)', () => {
  it('the API function may write and read uploads/ of the raw-mail bucket only; uploads expire after a day; the console may POST there', () => {
    const s = withEmail;
    const apiFn = logicalId(s.stack.api.apiFunction, s.stack);
    const bucketId = logicalId(s.stack.email!.bucket, s.stack);
    const statements = statementsOf(s, apiFn);
    const uploadResources = (action: string) => resourcesFor(statements, action).filter((r) => JSON.stringify(r).includes('/uploads/*'));
    expect(uploadResources('s3:PutObject')).toHaveLength(1);
    expect(uploadResources('s3:GetObject')).toHaveLength(1);
    expect(JSON.stringify(uploadResources('s3:PutObject'))).toContain(bucketId);
    // No S3 action of the API's on the raw-mail bucket reaches the whole bucket, lists it or deletes.
    const s3Statements = statements.filter((st) => actions(st).some((a) => a.startsWith('s3:')) && JSON.stringify(st.Resource).includes(bucketId));
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const st of s3Statements) {
      expect(actions(st).filter((a) => /Delete|List|\*/.test(a))).toEqual([]);
      for (const r of Array.isArray(st.Resource) ? st.Resource : [st.Resource]) expect(JSON.stringify(r)).toMatch(/\/(parts|uploads)\/\*/);
    }
    const bucket = (s.template.toJSON().Resources as Resources)[bucketId]!.Properties;
    expect(bucket.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Id: 'expire-reply-uploads', Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' })]),
    );
    // POST only (pre-signed policies): nothing to read or change through CORS.
    expect(bucket.CorsConfiguration.CorsRules).toEqual([expect.objectContaining({ AllowedMethods: ['POST'] })]);
    // The console's CSP lets it connect to that bucket's endpoint, and without email there is none of it.
    const policies = (t: Synth) => Object.values(t.template.toJSON().Resources as Resources).filter((r) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(JSON.stringify(policies(s))).toContain(`"${bucketId}","RegionalDomainName"`);
    expect(JSON.stringify(policies(plain))).not.toContain('RegionalDomainName');
  });
});
