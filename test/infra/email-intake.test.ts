import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminAlerts } from '../../lib/alerts.js';
import { CaseTable } from '../../lib/data.js';
import { EmailIntake } from '../../lib/email-intake.js';
import { cdkJsonContext, resourcesOfType, statementsOfFunction } from '../support/synth.js';

let app: App;
let stack: Stack;
let email: EmailIntake;
let template: Template;
let resources: Record<string, { Type: string; Properties?: any }>;

beforeAll(() => {
  app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  stack = new Stack(app, 'EmailTest', { env: { account: '111111111111', region: 'eu-west-1' } });
  const data = new CaseTable(stack, 'Data');
  const alerts = new AdminAlerts(stack, 'Alerts');
  const lifecycle = StateMachine.fromStateMachineArn(stack, 'Lifecycle', 'arn:aws:states:eu-west-1:111111111111:stateMachine:case-lifecycle');
  email = new EmailIntake(stack, 'Email', { data, alerts, lifecycle, logRetention: RetentionDays.ONE_MONTH, domain: 'support.example.com' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => resourcesOfType(resources, type).map(([, r]) => r);
const fnId = () => stack.getLogicalId(email.intakeFunction.node.defaultChild as never);

function statementsOfIntakeRole(): any[] {
  return statementsOfFunction(resources, fnId());
}

describe('email intake infrastructure', () => {
  it('receives mail for the domain with SES, scanning for spam and viruses, into the raw-mail bucket under inbound/', () => {
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Enabled: true,
        Recipients: ['support.example.com'],
        ScanEnabled: true,
        Actions: [{ S3Action: { BucketName: { Ref: stack.getLogicalId(email.bucket.node.defaultChild as never) }, ObjectKeyPrefix: 'inbound/' } }],
      }),
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'support.example.com' });
  });

  it('keeps raw mail encrypted, TLS-only, private, versioned, logged, and ageing out by lifecycle', () => {
    const bucket = resources[stack.getLogicalId(email.bucket.node.defaultChild as never)]!.Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.VersioningConfiguration.Status).toBe('Enabled');
    expect(bucket.LoggingConfiguration).toBeDefined();
    const rule = bucket.LifecycleConfiguration.Rules[0];
    expect(rule.Transitions.map((t: { StorageClass: string }) => t.StorageClass)).toEqual(['STANDARD_IA', 'GLACIER_IR']);
    expect(rule.ExpirationInDays).toBe(1095);
    const policies = ofType('AWS::S3::BucketPolicy').filter((p) => p.Properties.Bucket.Ref === stack.getLogicalId(email.bucket.node.defaultChild as never));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
    // SES may put objects, for this account only.
    expect(statements.some((s) => s.Principal?.Service === 'ses.amazonaws.com' && s.Action === 's3:PutObject')).toBe(true);
  });

  it('invokes the intake function on new objects under inbound/ only (parts are written elsewhere)', () => {
    const [notifications] = ofType('Custom::S3BucketNotifications');
    const config = notifications!.Properties.NotificationConfiguration.LambdaFunctionConfigurations[0];
    expect(config.Events).toEqual(['s3:ObjectCreated:*']);
    expect(config.Filter.Key.FilterRules).toEqual([{ Name: 'prefix', Value: 'inbound/' }]);
    expect(config.LambdaFunctionArn['Fn::GetAtt'][0]).toBe(fnId());
  });

  it('retries a failed invocation, then sends it to an encrypted DLQ whose depth raises an alarm to the admins', () => {
    const dlq = stack.getLogicalId(email.deadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    expect(resources[dlq]!.Properties.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsTopic') }],
    });
  });

  it('lets the function send only from the verified identity, read only inbound mail, and never delete', () => {
    const statements = statementsOfIntakeRole();
    const ses = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(JSON.stringify(ses[0].Resource)).toContain(':identity/support.example.com');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('s3:DeleteObject');
    expect(actions.filter((a: string) => a.startsWith('s3:')).sort()).toEqual(['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging']);
    expect(actions).toContain('secretsmanager:GetSecretValue');
    const env = resources[fnId()]!.Properties.Environment.Variables;
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['RAW_MAIL_BUCKET', 'THREADING_SECRET_ARN', 'EMAIL_FROM_ADDRESS', 'TABLE_NAME', 'STATE_MACHINE_ARN', 'ALERT_TOPIC_ARN']),
    );
    expect(env.EMAIL_FROM_ADDRESS).toBe('support@support.example.com');
  });

  it('keeps the threading HMAC key in Secrets Manager, generated, never in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 48 }) });
  });

  it('passes the AWS Solutions checks (cdk-nag) with only the acknowledged, reasoned exceptions', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });
});
