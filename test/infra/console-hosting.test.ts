import { beforeAll, describe, expect, it } from 'vitest';
import { isCdkDeployHandler, logicalId, synthCaseflow, type Resources } from '../support/synth.js';

let synth: ReturnType<typeof synthCaseflow>;
let resources: Resources;

beforeAll(() => {
  synth = synthCaseflow();
  resources = synth.template.toJSON().Resources as Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(construct, synth.stack);
const consoleUrl = () => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(synth.stack.console.distribution), 'DomainName'] }, '/app/']] });

describe("the console's bucket", () => {
  it('is private, encrypted, TLS-only and logged', () => {
    const bucket = resources[id(synth.stack.console.bucket)]!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: id(synth.stack.console.logBucket) });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
  });

  it('is read by this distribution alone, through origin access control', () => {
    const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id(synth.stack.console.bucket))![1];
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(synth.stack.console.bucket), 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: id(synth.stack.console.distribution) },
                ],
              ],
            },
          },
        },
      },
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const [oacId, oac] = ofType('AWS::CloudFront::OriginAccessControl')[0]!;
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const origins = resources[id(synth.stack.console.distribution)]!.Properties.DistributionConfig.Origins;
    expect(origins).toEqual([
      expect.objectContaining({
        DomainName: { 'Fn::GetAtt': [id(synth.stack.console.bucket), 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
  });
});

describe("the console's distribution", () => {
  const config = () => resources[id(synth.stack.console.distribution)]!.Properties.DistributionConfig;

  it('serves HTTPS only, GET and HEAD, with the security-headers policy', () => {
    expect(config().DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      Compress: true,
      ResponseHeadersPolicyId: { Ref: id(synth.stack.console.headers) },
    });
    expect(config().Logging.Bucket).toEqual({ 'Fn::GetAtt': [id(synth.stack.console.logBucket), 'RegionalDomainName'] });
  });

  it('falls back to the app for any path the bucket does not have (single-page app)', () => {
    expect(config().DefaultRootObject).toBe('app/index.html');
    expect(config().CustomErrorResponses).toEqual([
      { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/app/index.html', ErrorCachingMinTTL: 0 },
      { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/app/index.html', ErrorCachingMinTTL: 0 },
    ]);
  });

  it('sends a CSP without unsafe-inline or unsafe-eval, HSTS, nosniff, no framing and no referrer', () => {
    const policy = resources[id(synth.stack.console.headers)]!.Properties.ResponseHeadersPolicyConfig;
    const csp = policy.SecurityHeadersConfig.ContentSecurityPolicy;
    expect(csp.Override).toBe(true);
    const text = JSON.stringify(csp.ContentSecurityPolicy);
    expect(text).not.toMatch(/unsafe-inline|unsafe-eval|\*\s*;|https:\s*;/);
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'"]) {
      expect(text).toContain(directive);
    }
    // The API and Cognito's token endpoint are the only other origins the app may call.
    const parts = csp.ContentSecurityPolicy['Fn::Join'][1] as unknown[];
    expect(parts).toContainEqual({ Ref: id(synth.stack.console.loginDomain) });
    expect(text).toContain('.amazoncognito.com https://*.execute-api.');
    expect(policy.SecurityHeadersConfig.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true });
    expect(policy.SecurityHeadersConfig.ContentTypeOptions).toEqual({ Override: true });
    expect(policy.SecurityHeadersConfig.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(policy.SecurityHeadersConfig.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });
});

describe("the console's sign-in", () => {
  it('is Cognito managed login on a domain of this user pool', () => {
    const domain = resources[id(synth.stack.console.loginDomain)]!;
    expect(domain.Type).toBe('AWS::Cognito::UserPoolDomain');
    expect(domain.Properties.ManagedLoginVersion).toBe(2);
    expect(domain.Properties.UserPoolId).toEqual({ Ref: id(synth.stack.auth.userPool) });
    const [, branding] = ofType('AWS::Cognito::ManagedLoginBranding')[0]!;
    expect(branding.Properties).toMatchObject({ ClientId: { Ref: id(synth.stack.console.client) }, UseCognitoProvidedValues: true });
  });

  it("has an app client with the code flow (PKCE, no secret) whose callback and logout URL is the console's own", () => {
    const client = resources[id(synth.stack.console.client)]!.Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    expect(client.CallbackURLs).toEqual([consoleUrl()]);
    expect(client.LogoutURLs).toEqual([consoleUrl()]);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    // No password or SRP flow from the browser: sign-in happens on Cognito's pages only.
    expect(client.ExplicitAuthFlows ?? ['ALLOW_REFRESH_TOKEN_AUTH']).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.EnableTokenRevocation).toBe(true);
  });

  it('is named in the stack outputs: the URL, the client and the login domain', () => {
    const outputs = synth.template.toJSON().Outputs;
    expect(outputs.ConsoleUrl.Value).toEqual(consoleUrl());
    expect(outputs.ConsoleClientId.Value).toEqual({ Ref: id(synth.stack.console.client) });
    expect(JSON.stringify(outputs.ConsoleLoginDomain.Value)).toContain(JSON.stringify({ Ref: id(synth.stack.console.loginDomain) }));
  });
});

describe("the console's deployment", () => {
  const deployments = () => ofType('Custom::CDKBucketDeployment');

  it('copies the build into the bucket under app/: hashed assets cached for a year and kept, then the pages uncached', () => {
    const sorted = [...deployments()].sort(([, a]) => (a.Properties.Include ? -1 : 1));
    const [assetsId, assets] = sorted[0]!;
    const [pagesId, pages] = sorted[1]!;
    expect(deployments()).toHaveLength(2);
    for (const d of [assets, pages]) {
      expect(d.Properties.DestinationBucketName).toEqual({ Ref: id(synth.stack.console.bucket) });
      expect(d.Properties.DestinationBucketKeyPrefix).toBe('app/');
    }
    expect(assets.Properties).toMatchObject({ Include: ['assets/*'], Exclude: ['*'], Prune: false });
    expect(assets.Properties.SystemMetadata['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(pages.Properties).toMatchObject({ Exclude: ['assets/*'], Prune: true, DistributionId: { Ref: id(synth.stack.console.distribution) } });
    expect(pages.Properties.DistributionPaths).toEqual(['/app/index.html', '/app/config.json']);
    expect(pages.Properties.SystemMetadata['cache-control']).toBe('no-cache');
    // The pages go up after the assets they name.
    expect(JSON.stringify(pages.DependsOn ?? [])).toContain(assetsId.replace(/CustomResource.*$/, ''));
    expect(pagesId).not.toBe(assetsId);
  });

  it("writes config.json from the stack: the API's URL, the login domain and the console's client", () => {
    const pages = deployments().find(([, d]) => d.Properties.DistributionId)![1];
    const markers = JSON.stringify(pages.Properties.SourceMarkers);
    expect(markers).toContain(JSON.stringify({ Ref: id(synth.stack.api.httpApi) }));
    expect(markers).toContain(JSON.stringify({ Ref: id(synth.stack.console.loginDomain) }));
    expect(markers).toContain(JSON.stringify({ Ref: id(synth.stack.console.client) }));
  });

  it("uses CDK's deploy-time handler, which caseflow's function tests leave aside", () => {
    const handlers = ofType('AWS::Lambda::Function').filter(([fnId]) => isCdkDeployHandler(fnId));
    expect(handlers).toHaveLength(1);
    for (const [, d] of deployments()) expect(d.Properties.ServiceToken['Fn::GetAtt'][0]).toBe(handlers[0]![0]);
  });
});
