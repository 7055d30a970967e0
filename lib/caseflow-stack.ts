import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AdminAlerts } from './alerts.js';
import { CaseApi } from './api.js';
import { AgentAuth } from './auth.js';
import { ConsoleHosting } from './console-hosting.js';
import { useStatusPageBase } from './grants.js';
import type { CaseflowConfig } from './config.js';
import { CaseTable } from './data.js';
import { EmailIntake } from './email-intake.js';
import { WebIntake } from './intake.js';
import { Monitoring } from './monitoring.js';
import { SweepSchedule } from './sweeps.js';
import { TriageModels } from './triage-models.js';
import { CaseWorkflow } from './workflow.js';

export interface CaseflowStackProps extends StackProps {
  readonly config: CaseflowConfig;
}

/** Composes the capabilities; each construct owns its resources and the grants they need. */
export class CaseflowStack extends Stack {
  readonly data: CaseTable;
  readonly alerts: AdminAlerts;
  readonly workflow: CaseWorkflow;
  readonly intake: WebIntake;
  readonly auth: AgentAuth;
  readonly api: CaseApi;
  readonly monitoring: Monitoring;
  /** The sweeps on their EventBridge Scheduler schedule (context `sweepScheduleMinutes`, default every minute). */
  readonly sweeps: SweepSchedule;
  /** Email-to-case; present when the `sesDomain` context names the receiving domain. */
  readonly email?: EmailIntake;
  /** Trained triage model versions, read by the stamp function; the API checks the version a configuration names. */
  readonly triageModels: TriageModels;
  /** The console: bucket, CloudFront, managed login (lib/console-hosting.ts). */
  readonly console: ConsoleHosting;

  constructor(scope: Construct, id: string, props: CaseflowStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays;

    this.data = new CaseTable(this, 'Data', { indexesProjectingAll: config.indexesProjectingAll, withoutIndex: config.withoutIndex });
    this.alerts = new AdminAlerts(this, 'Alerts', { alertEmail: config.alertEmail });
    this.workflow = new CaseWorkflow(this, 'Workflow', { data: this.data, alerts: this.alerts, logRetention });
    this.triageModels = new TriageModels(this, 'Triage');
    this.triageModels.grantRead(this.workflow.taskFunctions['workflow-stamp']);
    this.intake = new WebIntake(this, 'Intake', {
      data: this.data,
      lifecycle: this.workflow.stateMachine,
      webFormReturnUrl: config.webFormReturnUrl,
      logRetention,
    });
    if (config.sesDomain) {
      this.email = new EmailIntake(this, 'Email', {
        data: this.data,
        lifecycle: this.workflow.stateMachine,
        alerts: this.alerts,
        logRetention,
        domain: config.sesDomain,
      });
    }
    this.auth = new AgentAuth(this, 'Auth');
    this.console = new ConsoleHosting(this, 'Console', {
      auth: this.auth,
      loginDomainPrefix: `caseflow-${config.stage}`,
      // Large reply files go from the browser straight to the raw-mail bucket (pre-signed POSTs).
      ...(this.email ? { uploadOrigin: `https://${this.email.bucket.bucketRegionalDomainName}` } : {}),
    });
    this.api = new CaseApi(this, 'Api', {
      consoleOrigin: this.console.origin,
      extraAudiences: [this.console.client.userPoolClientId],
      auth: this.auth,
      data: this.data,
      lifecycle: this.workflow.stateMachine,
      webToCaseFunction: this.intake.webToCaseFunction,
      throttle: { rateLimit: config.apiThrottleRate, burstLimit: config.apiThrottleBurst },
      publicThrottle: { rateLimit: config.publicThrottleRate, burstLimit: config.publicThrottleBurst },
      logRetention,
    });
    this.console.deploy({ apiUrl: this.api.url });
    this.triageModels.grantList(this.api.apiFunction);
    // Agent replies go out the way acknowledgements do (SES, the same identity, the same token key),
    // and web-form cases are acknowledged the way email cases are; the API keeps and hands out files.
    this.email?.allowSending(this.api.apiFunction);
    this.email?.allowSending(this.api.slackFunction);
    this.email?.allowSending(this.intake.webToCaseFunction);
    this.email?.allowFiles(this.api.apiFunction);
    // The acknowledgement links to the customer's status page in the console; the API answers it.
    const statusPage = `${this.console.url}status`;
    for (const fn of [this.api.apiFunction, this.intake.webToCaseFunction, ...(this.email ? [this.email.intakeFunction] : [])]) {
      useStatusPageBase(fn, statusPage);
    }
    // SLA and sweep notifications to agents go out from the email domain's identity when there is one.
    const notificationSender = this.email ? { domain: this.email.domain, fromAddress: this.email.fromAddress } : undefined;
    this.workflow.allowNotificationEmail(notificationSender);
    this.sweeps = new SweepSchedule(this, 'Sweeps', {
      data: this.data,
      alerts: this.alerts,
      lifecycle: this.workflow.stateMachine,
      logRetention,
      everyMinutes: config.sweepScheduleMinutes,
      dashboard: config.dashboard,
      ...(notificationSender ? { notificationSender } : {}),
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: {
        'web-to-case': this.intake.webToCaseFunction,
        api: this.api.apiFunction,
        reports: this.api.reportsFunction,
        slack: this.api.slackFunction,
        ...this.workflow.taskFunctions,
        sweep: this.sweeps.sweepFunction,
        ...(this.email ? { 'intake-email': this.email.intakeFunction } : {}),
      },
      // Only the sweep's errors would go unseen otherwise (lib/monitoring.ts says what covers the rest).
      errorAlarms: ['sweep'],
      // The DLQs' owners raise their alarms; the dashboard shows them beside the others.
      deadLetterQueues: {
        'sweep-schedule': { queue: this.sweeps.deadLetterQueue, alarm: this.sweeps.dlqAlarm },
        ...(this.email ? { 'intake-email': { queue: this.email.deadLetterQueue, alarm: this.email.dlqAlarm } } : {}),
      },
      otherAlarms: [this.sweeps.notRunningAlarm],
      lifecycle: this.workflow.stateMachine,
      httpApi: this.api.httpApi,
      alertTopic: this.alerts.topic,
      ...(config.dashboard ? { dashboardName: `${this.stackName}-overview` } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId, description: 'Cognito user pool id' });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.auth.client.userPoolClientId,
      description: 'Cognito app client id (no secret) for the CLI',
    });
    new CfnOutput(this, 'SlackSecretArn', {
      value: this.api.slackSecret.secretArn,
      description: 'Secret to store Slack in: {"webhookUrl": "https://hooks.slack.com/…", "botToken": "xoxb-…", "signingSecret": "…"} (docs/slack.md)',
    });
    new CfnOutput(this, 'SlackRequestUrl', {
      value: `${this.api.httpApi.apiEndpoint}/slack`,
      description: "The Slack app's request URLs start here: /events, /interactions, /commands (slack/manifest.yaml)",
    });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'TriageModelBucket', {
      value: this.triageModels.bucket.bucketName,
      description: 'Triage model versions (npm run triage -- train --table <TableName> --bucket <this>)',
    });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.workflow.stateMachine.stateMachineArn,
      description: 'Case lifecycle state machine',
    });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn, description: 'Admin alerts topic' });
    new CfnOutput(this, 'SweepScheduleName', {
      value: this.sweeps.schedule.scheduleName,
      description: 'EventBridge Scheduler schedule that runs the sweeps (docs/sla.md); the SweepNotRunning alarm fires when it stops',
    });
    new CfnOutput(this, 'SweepScheduleDlqUrl', {
      value: this.sweeps.deadLetterQueue.queueUrl,
      description: 'Sweep invocations the scheduler could not deliver: read the reason, fix it, purge (the next run does the work)',
    });
    if (this.monitoring.dashboard) {
      new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard (context dashboard=true)' });
    }
    if (this.email) {
      // The names docs/email.md#setting-it-up-in-aws tells the admin to use.
      new CfnOutput(this, 'ReceiptRuleSetName', {
        value: this.email.ruleSet.receiptRuleSetName,
        description: 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
      });
      new CfnOutput(this, 'MxRecord', {
        value: `${this.email.domain}. MX 10 inbound-smtp.${this.region}.amazonaws.com`,
        description: "The MX record that sends the domain's mail to SES inbound",
      });
      this.email.identity.dkimRecords.forEach((record, i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: `DKIM record ${i + 1} of 3 for the domain's DNS`,
        });
      });
      new CfnOutput(this, 'IntakeDlqUrl', {
        value: this.email.deadLetterQueue.queueUrl,
        description: 'Failed email intake: npm run redrive -- --queue-url <this> --function <IntakeFunctionName>',
      });
      new CfnOutput(this, 'IntakeFunctionName', { value: this.email.intakeFunction.functionName, description: 'The email intake function (npm run redrive)' });
      new CfnOutput(this, 'RawMailBucketName', {
        value: this.email.bucket.bucketName,
        description: 'Raw inbound mail (inbound/) and its stored parts (parts/)',
      });
      new CfnOutput(this, 'ThreadingKeySecretArn', {
        value: this.email.threadingSecret.secretArn,
        description: 'HMAC key of subject tokens; rotate by hand with an overlap (docs/email.md)',
      });
    }
  }
}
