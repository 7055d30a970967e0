import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, Aws, CfnOutput, DefaultStackSynthesizer, DockerImage, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  CfnManagedLoginBranding,
  ManagedLoginVersion,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import type { AgentAuth } from './auth.js';
import { consoleCsp } from './console-csp.js';
import { REPO_ROOT } from './paths.js';

const CONSOLE_DIR = join(REPO_ROOT, 'console');
/** The console is built with `base: '/app/'` (console/vite.config.ts): its files live under this prefix. */
export const CONSOLE_PREFIX = 'app/';

export interface ConsoleHostingProps {
  readonly auth: AgentAuth;
  /** The fixed start of the managed-login domain prefix (`caseflow-<stage>`); a suffix from the stack id makes it unique. */
  readonly loginDomainPrefix: string;
  /** Where the console uploads large reply files (the raw-mail bucket's regional endpoint, pre-signed POSTs), when email is set up. */
  readonly uploadOrigin?: string;
}

export interface ConsoleDeployProps {
  /** The HTTP API's URL, written into the console's config.json. */
  readonly apiUrl: string;
  /** How often the console polls (config.json `pollMs`). */
  readonly pollMs?: number;
}

/**
 * The console in AWS (docs/console.md#running-it-in-aws):
 *
 * - a private bucket (all public access blocked, TLS only) read by CloudFront alone through origin
 *   access control, the built app under `app/`;
 * - a CloudFront distribution with a response-headers policy (the console's CSP, with no
 *   'unsafe-inline', HSTS, nosniff, frame denial, no referrer) and the single-page-app fallback
 *   (S3 answers 403 for a key it does not have: the browser gets `/app/index.html` and the app
 *   routes the path itself);
 * - Cognito managed login: a domain and an app client for the console (authorization code with
 *   PKCE, no secret) whose callback and logout URL is the console's own URL;
 * - the build (Vite, run locally during synth) and its config.json, deployed by BucketDeployment.
 *
 * The API's CORS allows exactly `origin` (lib/api.ts). The CSP's connect-src names the Cognito
 * domain exactly, and the API as `https://*.execute-api.<region>.amazonaws.com`: naming the API's
 * own id would make the distribution depend on the API while the API's CORS depends on the
 * distribution, a cycle CloudFormation refuses.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly loginDomain: UserPoolDomain;
  readonly client: UserPoolClient;
  /** `https://<distribution domain>`: the only origin the API's CORS allows. */
  readonly origin: string;
  /** `https://<distribution domain>/app/`: where the console lives, its callback and logout URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.logBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with an ACL, which needs object-writer ownership.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This is the access-log bucket of the console's bucket and distribution; logging its own access would only log the logging.",
    });

    this.bucket = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'bucket/',
      // The files are the build's: a redeploy writes them again. Kept on stack deletion like the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The managed-login domain: unique per stack (the first group of the stack id's UUID).
    const suffix = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
    this.loginDomain = new UserPoolDomain(this, 'LoginDomain', {
      userPool: props.auth.userPool,
      cognitoDomain: { domainPrefix: Fn.join('-', [props.loginDomainPrefix, suffix]) },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const loginOrigin = this.loginDomain.baseUrl();

    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'caseflow console: CSP without unsafe-inline, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleCsp({
            connect: [loginOrigin, `https://*.execute-api.${stack.region}.amazonaws.com`, ...(props.uploadOrigin ? [props.uploadOrigin] : [])],
            upgradeInsecureRequests: true,
          }),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
        ],
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'caseflow console',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      defaultRootObject: `${CONSOLE_PREFIX}index.html`,
      // Single-page app: a path the bucket does not have (S3 says 403 without ListBucket) is the app's.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: `/${CONSOLE_PREFIX}index.html`,
        ttl: Duration.seconds(0),
      })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'The console is for the support team wherever they work; it holds no data itself (every call goes to the API, which authorises each request), so restricting countries would only lock out travelling agents.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves static files only (no forms, no dynamic origin); the API that holds the data is throttled per stage and authorises every call, so a WAF web ACL (about $5 a month plus per-request fees) would protect nothing that needs it.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        "The console uses the distribution's own cloudfront.net name, whose default certificate CloudFront serves; a minimum TLS version can only be set with a custom certificate. HSTS forces HTTPS for every visit.",
    });

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/${CONSOLE_PREFIX}`;

    // The console's app client: managed login with the authorization-code flow and PKCE, no secret
    // (a browser cannot keep one), callback and logout at the console's own URL only.
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.auth.userPool,
      userPoolClientName: 'caseflow-console',
      generateSecret: false,
      // No SRP or password flow from the browser: sign-in happens on Cognito's pages only.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // A working day: the console refreshes its ID token with it, and a new day signs in again.
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
    // Managed login (v2) shows a client's pages only once a style is assigned: Cognito's own here.
    new CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: props.auth.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    new CfnOutput(stack, 'ConsoleUrl', { value: this.url, description: "The console (Cognito's callback and logout URL)" });
    new CfnOutput(stack, 'ConsoleClientId', { value: this.client.userPoolClientId, description: "The console's Cognito app client (managed login, PKCE)" });
    new CfnOutput(stack, 'ConsoleLoginDomain', { value: loginOrigin, description: 'Cognito managed-login domain the console signs in with' });
  }

  /**
   * Deploys the build and its config.json (the API's URL, the login domain, the client id). Two
   * deployments: the hashed assets first (kept across deploys, cached for a year), then index.html
   * and config.json (never cached), so a new index.html never names an asset not yet uploaded, and a
   * tab still running the previous build keeps finding its files.
   */
  deploy(props: ConsoleDeployProps): void {
    const build = Source.asset(CONSOLE_DIR, {
      // Hash the output: the source folder holds node_modules of its own (console/codegen).
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Used only when local bundling fails; `npm run synth` builds with the project's own Vite.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
        local: { tryBundle: (outputDir) => buildConsole(outputDir) },
      },
    });
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [build],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PREFIX,
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
      memoryLimit: 512,
    });
    const config = {
      apiUrl: props.apiUrl,
      idp: { kind: 'cognito', domain: this.loginDomain.baseUrl(), clientId: this.client.userPoolClientId },
      pollMs: props.pollMs ?? 4000,
    };
    const pages = new BucketDeployment(this, 'DeployApp', {
      sources: [build, Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PREFIX,
      exclude: ['assets/*'],
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`/${CONSOLE_PREFIX}index.html`, `/${CONSOLE_PREFIX}config.json`],
      memoryLimit: 512,
    });
    pages.node.addDependency(assets);
    acknowledgeDeploymentHandler(Stack.of(this), this.bucket);
  }
}

/** `vite build` of the console into `outputDir`, with the project's own Vite (no Docker). */
function buildConsole(outputDir: string): boolean {
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(CONSOLE_DIR, 'vite.config.ts'),
      '--outDir',
      outputDir,
      '--emptyOutDir',
    ],
    { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 2, 2] },
  );
  return true;
}

/**
 * CDK's BucketDeployment handler is a singleton at the stack's root (Python with the AWS CLI layer,
 * run only while deploying): its findings are acknowledged once, there, one by one.
 */
function acknowledgeDeploymentHandler(stack: Stack, site: Bucket): void {
  const handler = stack.node.children.find((c: IConstruct) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('the BucketDeployment handler was not found at the stack root');
  const qualifier = (stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const siteArn = `<${stack.getLogicalId(site.node.defaultChild as never)}.Arn>`;
  const acks: Record<string, string> = {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      "CDK's BucketDeployment handler runs under AWSLambdaBasicExecutionRole: CDK's own singleton, run only during deployments to copy the console's build into its bucket; its other permissions are scoped to the asset bucket and the console's bucket.",
    [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]`]:
      "CDK's BucketDeployment handler reads the build's archive from the CDK bootstrap asset bucket, whose object names are content hashes decided at synth; CDK grants read on that bucket's objects.",
    [`AwsSolutions-IAM5[Resource::${siteArn}/*]`]:
      "CDK's BucketDeployment handler writes, and prunes, the console's files under app/ of the console's own bucket: every object of that one bucket, nothing else.",
    'AwsSolutions-IAM5[Action::s3:GetBucket*]':
      "CDK's BucketDeployment handler lists and reads the source archive and the console's bucket with the action groups CDK's grantRead defines.",
    'AwsSolutions-IAM5[Action::s3:GetObject*]':
      "CDK's BucketDeployment handler lists and reads the source archive and the console's bucket with the action groups CDK's grantRead defines.",
    'AwsSolutions-IAM5[Action::s3:List*]':
      "CDK's BucketDeployment handler lists the console's bucket to prune files a new build no longer has, with the action group CDK's grantRead defines.",
    'AwsSolutions-IAM5[Action::s3:Abort*]':
      "CDK's BucketDeployment handler aborts its own multipart uploads of large files into the console's bucket (CDK's grantReadWrite action group).",
    'AwsSolutions-IAM5[Action::s3:DeleteObject*]':
      "CDK's BucketDeployment handler deletes files of a previous build that the new one no longer has (pruning), in the console's bucket only.",
    'AwsSolutions-L1':
      "CDK's BucketDeployment handler's runtime (Python, with the AWS CLI layer) is chosen by aws-cdk-lib and moves with its releases; it runs only while deploying, never on a request.",
    'AwsSolutions-IAM5[Resource::*]':
      "CDK's BucketDeployment handler invalidates index.html and config.json in CloudFront after a deploy; CloudFront's CreateInvalidation and GetInvalidation are granted on * by CDK.",
  };
  for (const [id, reason] of Object.entries(acks)) Validations.of(handler).acknowledge({ id, reason });
}
