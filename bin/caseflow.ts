#!/usr/bin/env node
/**
 * The caseflow CDK app: `npm run synth`, `npm run deploy`.
 *
 * Context parameters (`-c name=value` on the command line, or "context" in cdk.json); all optional:
 *
 * | name              | default | meaning                                                                                 |
 * |-------------------|---------|-----------------------------------------------------------------------------------------|
 * | stage             | dev     | Deployment name: the stack is `Caseflow-<stage>`; resources are tagged `stage=<stage>`.  |
 * |                   |         | Lowercase letters, digits and dashes, starting with a letter, at most 20 characters.    |
 * | alertEmail        | (none)  | Email address subscribed to the admin alerts topic (alarms, cases sent to manual        |
 * |                   |         | review, failed workflows). The recipient must confirm the subscription email from SNS.  |
 * | webFormReturnUrl  | (none)  | http(s) URL the web form redirects to (303) after a case is created; unset ▶ the        |
 * |                   |         | built-in thank-you page. Sets WEB_FORM_RETURN_URL on the web-to-case function.          |
 * | apiThrottleRate   | 50      | HTTP API stage steady-state limit, requests per second (all routes together).           |
 * | apiThrottleBurst  | 100     | HTTP API stage burst limit, requests.                                                   |
 * | publicThrottleRate | 10     | Each public route's own steady-state limit (web form, /health, /openapi.json), apart   |
 * |                   |         | from the stage default the agents' routes share.                                        |
 * | publicThrottleBurst | 20    | Each public route's own burst limit.                                                    |
 * | logRetentionDays  | 90      | Retention of every log group (functions, API access logs, workflow); must be a value    |
 * |                   |         | CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, ...   |
 * | sesDomain         | (none)  | The domain SES receives and sends mail for: turns email-to-case on (docs/email.md).    |
 * | sweepScheduleMinutes | 1 | Minutes between sweep runs (EventBridge Scheduler `rate(...)`): offers not accepted,   |
 * |                   |         | absent agents, end of shift, on-hold limits, dispatch backstop. 1 to 60 (docs/sla.md). |
 * | dashboard         | false   | Deploy the CloudWatch dashboard and publish the metrics only it shows ($3 a month and   |
 * |                   |         | more series: docs/deploying.md#what-it-costs-when-idle).                                |
 * | indexesProjectingAll | (none) | Only while trimming a deployed table's index projections: the indexes (comma-separated) |
 * |                   |         | that still project ALL in AWS (docs/deploying.md#changing-an-index-projection).         |
 * | withoutIndex      | (none)  | Only during that procedure: the index the deploy deletes, to create it anew next.       |
 *
 * Example: npm run deploy -- -c stage=prod -c alertEmail=ops@example.com -c apiThrottleRate=100
 *
 * Every resource is checked by cdk-nag (AWS Solutions rules) during synth; an unacknowledged finding,
 * error or warning, fails the synth. Acknowledgements live next to the resource they concern.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CaseflowStack } from '../lib/caseflow-stack.js';
import { readCaseflowConfig } from '../lib/config.js';

const app = new App();
const config = readCaseflowConfig(app.node);

new CaseflowStack(app, `Caseflow-${config.stage}`, {
  config,
  description: `caseflow (${config.stage}): serverless case management and routing`,
});

Tags.of(app).add('app', 'caseflow');
Tags.of(app).add('stage', config.stage);

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
