import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/http/routes.js';
import { logicalId, synthCaseflow, type Resources } from '../support/synth.js';
import { PUBLIC_ROUTES } from '../support/routes.js';

let synth: ReturnType<typeof synthCaseflow>;
let resources: Resources;
let routes: Map<string, any>;

beforeAll(() => {
  synth = synthCaseflow();
  resources = synth.template.toJSON().Resources as Resources;
  routes = new Map(
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => [r.Properties.RouteKey as string, r.Properties]),
  );
});

const only = (type: string) => {
  const found = Object.entries(resources).filter(([, r]) => r.Type === type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};

describe('the HTTP API', () => {
  it('has exactly the routes in functions/http/routes.ts', () => {
    const routeResources = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routeResources).toHaveLength(ROUTES.length);
    expect([...routes.keys()].sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("leaves only the web form, the customer's status page, GET /health, GET /openapi.json and Slack's signed routes public", () => {
    const publicRoutes = [...routes].filter(([, r]) => r.AuthorizationType === 'NONE').map(([key]) => key);
    expect(publicRoutes.sort()).toEqual(PUBLIC_ROUTES);
    for (const [, route] of routes) expect(['NONE', 'JWT']).toContain(route.AuthorizationType);
  });

  it('puts the Cognito JWT authorizer on every other route', () => {
    const [authorizerId] = only('AWS::ApiGatewayV2::Authorizer');
    for (const definition of ROUTES) {
      const route = routes.get(`${definition.method} ${definition.path}`);
      if (definition.auth === 'jwt') {
        expect(route.AuthorizationType, definition.path).toBe('JWT');
        expect(route.AuthorizerId).toEqual({ Ref: authorizerId });
      } else {
        expect(route.AuthorizerId, definition.path).toBeUndefined();
      }
    }
  });

  it("trusts tokens issued by this user pool for the CLI's and the console's app clients", () => {
    const [, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    const pool = logicalId(synth.stack.auth.userPool, synth.stack);
    const client = logicalId(synth.stack.auth.client, synth.stack);
    const consoleClient = logicalId(synth.stack.console.client, synth.stack);
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization']);
    expect(authorizer.Properties.JwtConfiguration).toEqual({
      Audience: [{ Ref: client }, { Ref: consoleClient }],
      Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]] },
    });
  });

  it('sends each route to the function its target names', () => {
    const functionFor = {
      api: logicalId(synth.stack.api.apiFunction, synth.stack),
      'web-to-case': logicalId(synth.stack.intake.webToCaseFunction, synth.stack),
      reports: logicalId(synth.stack.api.reportsFunction, synth.stack),
      slack: logicalId(synth.stack.api.slackFunction, synth.stack),
    };
    for (const definition of ROUTES) {
      const route = routes.get(`${definition.method} ${definition.path}`);
      const [prefix, integrationRef] = route.Target['Fn::Join'][1];
      expect(prefix).toBe('integrations/');
      const integration = resources[integrationRef.Ref]!;
      expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
      expect(integration.Properties.IntegrationType).toBe('AWS_PROXY');
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
      expect(integration.Properties.IntegrationUri, definition.path).toEqual({
        'Fn::GetAtt': [functionFor[definition.target], 'Arn'],
      });
    }
  });

  it('serves one auto-deployed $default stage with throttling and JSON access logs', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.AutoDeploy).toBe(true);
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });

    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroupId]!.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId]!.Properties.RetentionInDays).toBe(90);
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
  });

  it("allows exactly the console's origin by CORS, without credentials", () => {
    const [, api] = only('AWS::ApiGatewayV2::Api');
    const distribution = logicalId(synth.stack.console.distribution, synth.stack);
    expect(api.Properties.ProtocolType).toBe('HTTP');
    expect(api.Properties.CorsConfiguration).toEqual({
      AllowOrigins: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] }],
      AllowMethods: ['GET', 'POST', 'PUT', 'PATCH'],
      AllowHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match'],
      ExposeHeaders: ['etag', 'location', 'retry-after'],
      AllowCredentials: false,
      MaxAge: 600,
    });
  });
});
