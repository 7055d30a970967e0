import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLERS_DIR, REPO_ROOT } from './paths.js';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../functions/core/metrics.js';
import type { Env } from '../functions/composition/env.js';
import { dashboardEnabled } from './config.js';

const METRICS_SCOPE: keyof Env = 'METRICS_SCOPE';

/** One Lambda entry point per file in functions/handlers/, each exporting `handler`. */
export const HANDLER_NAMES = [
  'web-to-case',
  'api',
  'workflow-stamp',
  'workflow-route',
  'workflow-failed',
  'workflow-schedule-sla',
  'workflow-evaluate-sla',
  'workflow-continue-sla',
  'sweep',
  'intake-email',
  'reports',
  'slack',
] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** CommonJS dependencies inside an ESM bundle still call require(); this banner gives them one. */
export const CREATE_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

export interface CaseflowFunctionProps {
  readonly handler: HandlerName;
  readonly description: string;
  readonly logRetention: RetentionDays;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 512 MB */
  readonly memorySize?: number;
  /**
   * X-Ray active tracing. @default true. Off for the sweep: it runs every minute whether or not there
   * is work, so its traces would be a fixed monthly cost that shows nothing a log line does not.
   */
  readonly tracing?: boolean;
}

/**
 * A handler from functions/handlers/ packaged the way every caseflow function is: nodejs22.x on ARM64,
 * an ESM bundle built by the local esbuild, X-Ray tracing, and its own log group and role.
 *
 * The role is ours rather than Lambda's default so the function can write only to its own log group
 * (the AWS managed AWSLambdaBasicExecutionRole allows creating and writing any log group). Everything
 * else a function may do is granted by lib/grants.ts together with the environment variable that
 * tells the handler where to find the resource.
 */
export class CaseflowFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CaseflowFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      // Operational telemetry with a retention window follows the stack; the table is what is retained.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `caseflow ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(HANDLERS_DIR, `${props.handler}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: (props.tracing ?? true) ? Tracing.ACTIVE : Tracing.DISABLED,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        // Where the EMF metrics go (functions/core/metrics.ts); lib/monitoring.ts reads the same names.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Without the dashboard, only the metrics alarms read are published (each series has a monthly fee).
        [METRICS_SCOPE]: dashboardEnabled(this.node) ? 'all' : 'alarms',
      },
      bundling: {
        format: OutputFormat.ESM,
        // Prefer ESM entry points so esbuild can tree-shake the SDK and middy.
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        target: 'node22',
        minify: true,
        // The map ships beside the bundle for reading a stack trace offline; it costs nothing at start
        // because Node does not read it without --enable-source-maps, which is left off: that option
        // costs import time on every cold start and up to 100 ms on the first error (docs/costs.md#cold-start).
        sourceMap: true,
        sourcesContent: false,
        // Ship the SDK version we test against (package-lock.json) instead of whatever the runtime carries.
        bundleAwsSDK: true,
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the deliberate Lambda target (a supported LTS runtime): local development and CI run the same Node 22 (package.json engines). Moving to a newer runtime is its own change, tested first, not a side effect of cdk-nag learning about a newer one.',
    });
    if (props.tracing ?? true) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the X-Ray statement added by active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource "*": X-Ray has no resource-level permissions. Every other statement on this role names its resource.',
      });
    }
  }
}
