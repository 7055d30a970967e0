import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { BUNDLE_ENTRY_FILE, functionBundleOptions } from './function-bundle.js';
import { HANDLERS_DIR } from './paths.js';
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

export { CREATE_REQUIRE_BANNER } from './function-bundle.js';

export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

/** `handler` exported by the bundle's entry, index.mjs (BUNDLE_ENTRY_FILE). */
export const FUNCTION_HANDLER = `${BUNDLE_ENTRY_FILE.replace(/\.mjs$/, '')}.handler`;

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
 * The asset of one handler: esbuild (the project's own, run in-process by the synth) bundles it with
 * code splitting into the asset folder, `index.mjs` and the chunks it imports lazily
 * (lib/function-bundle.ts). CDK's NodejsFunction cannot split (it passes esbuild `--outfile`).
 * The Docker image is CDK's required fallback for when local bundling declines; it never does here
 * (esbuild is a devDependency, so `npm ci` brings it), and the image says so rather than building.
 */
export function functionCode(handler: HandlerName): Code {
  const entry = join(HANDLERS_DIR, `${handler}.ts`);
  const local: ILocalBundling & { readonly entry: string } = {
    // Part of CDK's asset cache key (its own fields, not the method): without it, every function
    // would share the first one's bundle, the rest of the options being alike.
    entry,
    tryBundle(outputDir: string): boolean {
      // buildSync throws with esbuild's messages on any error, which fails the synth.
      buildSync(functionBundleOptions(entry, outputDir));
      return true;
    },
  };
  return Code.fromAsset(HANDLERS_DIR, {
    // The hash of what is deployed; the source folder is not fingerprinted (the bundle reaches beyond it).
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox'),
      command: ['sh', '-c', 'echo "caseflow functions are bundled by the local esbuild: run npm ci" >&2; exit 1'],
      local,
    },
  });
}

/**
 * A handler from functions/handlers/ packaged the way every caseflow function is: nodejs22.x on ARM64,
 * an ESM bundle with code splitting built by the local esbuild (functionCode), X-Ray tracing, and its
 * own log group and role.
 *
 * The role is ours rather than Lambda's default so the function can write only to its own log group
 * (the AWS managed AWSLambdaBasicExecutionRole allows creating and writing any log group). Everything
 * else a function may do is granted by lib/grants.ts together with the environment variable that
 * tells the handler where to find the resource.
 */
export class CaseflowFunction extends Construct {
  readonly function: LambdaFunction;
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

    this.function = new LambdaFunction(this, 'Function', {
      code: functionCode(props.handler),
      handler: FUNCTION_HANDLER,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: (props.tracing ?? true) ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        // Where the EMF metrics go (functions/core/metrics.ts); lib/monitoring.ts reads the same names.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Without the dashboard, only the metrics alarms read are published (each series has a monthly fee).
        [METRICS_SCOPE]: dashboardEnabled(this.node) ? 'all' : 'alarms',
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
