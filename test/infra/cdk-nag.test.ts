import { App, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, synthCaseflow } from '../support/synth.js';

let synth: ReturnType<typeof synthCaseflow>;

// Synthesizing with the plugin registered already fails (throws) on any unacknowledged finding.
beforeAll(() => {
  synth = synthCaseflow({ nag: true });
});

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AWS Solutions checks', () => {
  it('report no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('are acknowledged only on the resources that need it, each with a reason', () => {
    const functionPaths = [
      'Workflow/StampFunction',
      'Workflow/RouteFunction',
      'Workflow/FailedFunction',
      'Workflow/ScheduleSlaFunction',
      'Workflow/EvaluateSlaFunction',
      'Workflow/ContinueSlaFunction',
      'Sweeps/SweepFunction',
      'Intake/WebToCaseFunction',
      'Api/ApiFunction',
      'Api/ReportsFunction',
      'Api/SlackFunction',
    ];
    const expected = [
      ...functionPaths.map((p) => `Caseflow-test/${p}/Function AwsSolutions-L1`),
      // X-Ray's Resource "*": every traced function; the sweep is not traced, so its role has no wildcard to acknowledge.
      ...functionPaths.filter((p) => p !== 'Sweeps/SweepFunction').map((p) => `Caseflow-test/${p}/Role AwsSolutions-IAM5[Resource::*]`),
      // The sweep schedule's dead-letter queue has no DLQ of its own.
      'Caseflow-test/Sweeps/ScheduleDlq AwsSolutions-SQS3',
      'Caseflow-test/Workflow/CaseLifecycle/Role AwsSolutions-IAM5[Resource::*]',
      // The Scheduler target may invoke the sweep function's qualified ARNs (versions, aliases) too.
      `Caseflow-test/Sweeps/SchedulerRole AwsSolutions-IAM5[Resource::<${synth.stack.getLogicalId(synth.stack.sweeps.sweepFunction.node.defaultChild as never)}.Arn>:*]`,
      'Caseflow-test/Auth/UserPool AwsSolutions-COG2',
      'Caseflow-test/Api/GetHealthRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/GetOpenapiJsonRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/SlackApp AwsSolutions-SMG4',
      // Slack's request URLs: public, signed by Slack instead (functions/handlers/slack.ts).
      'Caseflow-test/Api/PostSlackEventsRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/PostSlackInteractionsRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/PostSlackCommandsRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/GetWebToCaseRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/PostWebToCaseRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/GetWebToCaseOptionsRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/GetStatusTokenRoute AwsSolutions-APIG4',
      'Caseflow-test/Api/PostStatusTokenMessagesRoute AwsSolutions-APIG4',
      // Triage models: the log bucket does not log itself; the stamp function reads the model prefix.
      'Caseflow-test/Triage/AccessLogs AwsSolutions-S1',
      // Added by CDK itself to a bucket that receives server access logs (its bucket policy grants the log service).
      'Caseflow-test/Triage/AccessLogs CloudFormation-Validate::W3045',
      `Caseflow-test/Workflow/StampFunction/Role AwsSolutions-IAM5[Resource::<${synth.stack.getLogicalId(synth.stack.triageModels.bucket.node.defaultChild as never)}.Arn>/triage-models/*]`,
      // The console: its log bucket, CloudFront (no geo restriction, no WAF, the default certificate), and
      // CDK's BucketDeployment handler that copies the build (its own singleton, run only while deploying).
      'Caseflow-test/Console/AccessLogs AwsSolutions-S1',
      'Caseflow-test/Console/AccessLogs CloudFormation-Validate::W3045',
      'Caseflow-test/Console/Distribution AwsSolutions-CFR1',
      'Caseflow-test/Console/Distribution AwsSolutions-CFR2',
      'Caseflow-test/Console/Distribution AwsSolutions-CFR4',
      ...[
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        `AwsSolutions-IAM5[Resource::<${synth.stack.getLogicalId(synth.stack.console.bucket.node.defaultChild as never)}.Arn>/*]`,
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        'AwsSolutions-IAM5[Action::s3:Abort*]',
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-L1',
      ].map((id) => `Caseflow-test/Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C512MiB ${id}`),
    ];
    const found = acknowledgements(synth.app);
    expect(found.map((a) => `${a.path} ${a.id}`).sort()).toEqual(expected.sort());
    for (const ack of found) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(60);
  });

  it('fail synth on an unacknowledged error (the check is live)', () => {
    const app = new App({ context: cdkJsonContext() });
    new Topic(new Stack(app, 'Probe'), 'TopicWithoutTls');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  });

  it('fail synth on an unacknowledged warning too', () => {
    const app = new App({ context: cdkJsonContext() });
    // DDB3 (no point-in-time recovery) is a warning-level rule.
    new Table(new Stack(app, 'Probe'), 'TableWithoutPitr', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => [v.ruleName, v.severity])).toEqual([['AwsSolutions-DDB3', 'warning']]);
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });
});
