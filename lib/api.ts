import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, CorsHttpMethod, HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ROUTES, type RouteDefinition, type RouteTarget } from '../functions/http/routes.js';
import type { AgentAuth } from './auth.js';
import { CaseflowFunction } from './caseflow-function.js';
import type { CaseTable } from './data.js';
import { useCaseLinkBase, useSlackSecret, useStateMachine, useTable } from './grants.js';

export interface CaseApiProps {
  readonly auth: AgentAuth;
  readonly data: CaseTable;
  readonly lifecycle: IStateMachine;
  /** Serves the `web-to-case` routes. */
  readonly webToCaseFunction: LambdaFunction;
  /** The stage's default: every route without its own limit (the agents' and managers' routes). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Each public route's own limit, so a flood on the web form is refused before it reaches the agents' share. */
  readonly publicThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  /** The console's origin (`https://<distribution>`): the only origin CORS allows (lib/console-hosting.ts). */
  readonly consoleOrigin?: string;
  /** App clients besides the CLI's whose tokens the authorizer accepts (the console's). */
  readonly extraAudiences?: readonly string[];
}

/** Why each public route is public; a public route without an entry here fails synth. */
const PUBLIC_ROUTE_REASONS: Record<string, string> = {
  'GET /openapi.json': 'The OpenAPI document describes the API (routes, schemas, error codes) for clients and tools; it holds no case or agent data.',
  'GET /health': 'Liveness probe for uptime monitors and deploy checks; it returns no case or agent data.',
  'GET /web-to-case': 'Serves the customer contact form, which anyone must be able to load without an account.',
  'POST /web-to-case':
    "Customers submit the contact form without an account; abuse is bounded by the handler's per-IP and per-email rate limits and the stage throttle.",
  'GET /web-to-case/options':
    "The contact form's languages and type/product choices, for customers' own front ends; the same words the public form shows, no case or agent data.",
  'GET /status/{token}':
    "The customer's status page has no account: the signed, expiring link in the acknowledgement is the key, checked by the handler (the same 404 for any link that does not work); it shows only that case's conversation, never internal notes.",
  'POST /status/{token}/messages':
    'The customer adds a message from the status page with the same signed link; bounded per link and per IP by the handler and by the public throttle.',
  'POST /slack/events':
    "Slack's Events API cannot send a JWT: it signs each request instead. The handler refuses any request without a valid v0 signature from the app's signing secret, older than five minutes, or seen before; the route has its own throttle.",
  'POST /slack/interactions':
    "Slack's interactivity requests cannot send a JWT: they are signed, and refused unless the v0 signature, its five-minute window and its first use check out; the route has its own throttle.",
  'POST /slack/commands':
    'Slack slash commands cannot send a JWT: they are signed, and refused unless the v0 signature, its five-minute window and its first use check out; the route has its own throttle.',
};

/**
 * The one HTTP API: exactly the routes in functions/http/routes.ts, a Cognito JWT authorizer on
 * every `jwt` route, none on the public ones, and the agent/admin API function behind it.
 *
 * CORS allows the console's origin only (it is served by CloudFront, another origin); the web form
 * page and its POST are served by this same API (same origin, and a plain form post is not subject to
 * CORS anyway). No credentials: the console sends its token in a header, never a cookie.
 */
export class CaseApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly apiFunction: LambdaFunction;
  /** Serves the `reports` routes (reports and the event-log export) with read-only table access. */
  readonly reportsFunction: LambdaFunction;
  /** Serves Slack's three routes (events, interactions, commands): the agent API's use cases, as the Slack user's agent. */
  readonly slackFunction: LambdaFunction;
  /** The one Slack secret: the webhook URL, the Slack app's bot token and signing secret, as JSON (docs/slack.md#the-slack-secret). */
  readonly slackSecret: Secret;

  constructor(scope: Construct, id: string, props: CaseApiProps) {
    super(scope, id);

    this.apiFunction = new CaseflowFunction(this, 'ApiFunction', {
      handler: 'api',
      description: 'Agent and admin HTTP API',
      logRetention: props.logRetention,
      memorySize: 1024,
    }).function;
    useTable(this.apiFunction, props.data, 'api');
    useStateMachine(this.apiFunction, props.lifecycle);

    // Slack: one secret, JSON with named fields (docs/slack.md#the-slack-secret): the incoming-webhook URL
    // (whoever holds it posts to the channel) and the Slack app's bot token and signing secret. Until an
    // admin stores them, the placeholder (a random signing secret, no bot token, no webhook URL) refuses
    // every Slack request and skips announcements (docs/slack.md#two-modes).
    // Keep the id `SlackApp` and the GenerateSecretString below exactly as they are: a new logical id
    // is a new, empty secret, and CloudFormation generates a new value (overwriting what the admin
    // stored) whenever GenerateSecretString changes; a description change leaves the value alone.
    this.slackSecret = new Secret(this, 'SlackApp', {
      description: 'caseflow: Slack, as JSON {"webhookUrl": "https://hooks.slack.com/…", "botToken": "xoxb-…", "signingSecret": "…"} (docs/slack.md)',
      generateSecretString: { secretStringTemplate: JSON.stringify({ botToken: '' }), generateStringKey: 'signingSecret', excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.slackSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A Slack webhook URL, bot token and signing secret cannot be rotated by Secrets Manager: Slack issues them; an admin regenerates them in the app settings and stores them (previousSigningSecret keeps the old signing secret valid meanwhile).',
    });
    useSlackSecret(this.apiFunction, this.slackSecret);

    // Slack's requests: their own function, the API function's dependencies (a note, a reply, a status
    // change from Slack is the same use case), answering within Slack's three seconds.
    this.slackFunction = new CaseflowFunction(this, 'SlackFunction', {
      handler: 'slack',
      description: "Slack's events, interactions and /case, verified and acted on as the Slack user's agent",
      logRetention: props.logRetention,
      memorySize: 1024,
      timeout: Duration.seconds(10),
    }).function;
    useTable(this.slackFunction, props.data, 'slack');
    useStateMachine(this.slackFunction, props.lifecycle);
    useSlackSecret(this.slackFunction, this.slackSecret);

    // Reports read many cases at once: their own function, so a heavy report neither slows agents'
    // requests nor holds more than read access to the table. 29 s: just inside API Gateway's 30 s.
    this.reportsFunction = new CaseflowFunction(this, 'ReportsFunction', {
      handler: 'reports',
      description: 'Reports and event-log export for managers (read-only)',
      logRetention: props.logRetention,
      memorySize: 1769,
      timeout: Duration.seconds(29),
    }).function;
    useTable(this.reportsFunction, props.data, 'reports');

    // The default stage is created below, with throttling and access logs, which HttpApi's own cannot take.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'caseflow agent/admin API and web-to-case form',
      createDefaultStage: false,
      ...(props.consoleOrigin
        ? {
            corsPreflight: {
              allowOrigins: [props.consoleOrigin],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.PATCH],
              allowHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match'],
              exposeHeaders: ['etag', 'location', 'retry-after'],
              allowCredentials: false,
              maxAge: Duration.minutes(10),
            },
          }
        : {}),
    });

    // Links in swarm announcements open the case through this API (GET /cases/{id}).
    useCaseLinkBase(this.apiFunction, `${this.httpApi.apiEndpoint}/cases`);
    useCaseLinkBase(this.slackFunction, `${this.httpApi.apiEndpoint}/cases`);

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            // Cognito `sub` of the caller on JWT routes: ties a request to an agent without logging tokens.
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    const authorizer = new HttpJwtAuthorizer('CognitoJwt', props.auth.issuerUrl, {
      // Cognito access tokens carry client_id instead of aud; API Gateway checks either against this list.
      jwtAudience: [props.auth.client.userPoolClientId, ...(props.extraAudiences ?? [])],
    });

    const integrations: Record<RouteTarget, HttpLambdaIntegration> = {
      api: new HttpLambdaIntegration('ApiIntegration', this.apiFunction),
      'web-to-case': new HttpLambdaIntegration('WebToCaseIntegration', props.webToCaseFunction),
      reports: new HttpLambdaIntegration('ReportsIntegration', this.reportsFunction),
      slack: new HttpLambdaIntegration('SlackIntegration', this.slackFunction),
    };

    // RouteSettings is a map CloudFormation takes as written: its keys are route keys, its values in
    // CloudFormation's own casing (CDK converts the casing of typed properties only).
    const publicRouteSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of ROUTES as readonly RouteDefinition[]) {
      const routeKey = `${route.method} ${route.path}`;
      const httpRoute = new HttpRoute(this, routeConstructId(route), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrations[route.target],
        authorizer: route.auth === 'jwt' ? authorizer : undefined,
      });
      if (route.auth === 'public') {
        const reason = PUBLIC_ROUTE_REASONS[routeKey];
        if (!reason) throw new Error(`Public route "${routeKey}" has no reason in PUBLIC_ROUTE_REASONS (lib/api.ts)`);
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        publicRouteSettings[routeKey] = {
          ThrottlingRateLimit: props.publicThrottle.rateLimit,
          ThrottlingBurstLimit: props.publicThrottle.burstLimit,
        };
        // Route settings name routes by key: the stage can only be updated once the route exists.
        this.stage.node.addDependency(httpRoute);
      }
    }
    // HttpStage has no route-level settings; the CloudFormation stage does (RouteSettings).
    (this.stage.node.defaultChild as CfnStage).routeSettings = publicRouteSettings;
  }

  /** https://<api-id>.execute-api.<region>.amazonaws.com/ */
  get url(): string {
    return this.stage.url;
  }
}

/** `PUT /agents/{id}/presence` ▶ `PutAgentsIdPresenceRoute`: readable, unique and stable. */
function routeConstructId(route: RouteDefinition): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[^A-Za-z0-9]+/).filter(Boolean)];
  return `${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}Route`;
}
