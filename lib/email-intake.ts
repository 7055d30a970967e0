import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, HttpMethods, ObjectOwnership, StorageClass } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  EmailIdentity,
  Identity,
  type IReceiptRuleAction,
  type IReceiptRuleRef,
  type ReceiptRuleActionConfig,
  ReceiptRuleSet,
  TlsPolicy,
} from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { INBOUND_PREFIX, PARTS_PREFIX } from '../functions/adapters/s3-raw-mail-store.js';
import { UPLOAD_PREFIX } from '../functions/core/use-cases/uploads.js';
import type { Env } from '../functions/composition/env.js';
import { CaseflowFunction } from './caseflow-function.js';
import type { CaseTable } from './data.js';
import { useAlertTopic, useStateMachine, useTable, type AlertTopicRef } from './grants.js';

export interface EmailIntakeProps {
  readonly data: CaseTable;
  readonly lifecycle: IStateMachine;
  readonly alerts: AlertTopicRef;
  readonly logRetention: RetentionDays;
  /** The receiving and sending domain (`support.example.com`): its MX points at SES inbound. */
  readonly domain: string;
  /** Sender of acknowledgements unless the routing configuration names one; default `support@<domain>`. */
  readonly fromAddress?: string;
  /** Days raw mail is kept before it expires; default 3 years (a case's record). */
  readonly rawMailRetentionDays?: number;
}

type EnvName = keyof Env & string;
const setEnv = (fn: LambdaFunction, name: EnvName, value: string) => fn.addEnvironment(name, value);

/** The one receipt rule's name: fixed, so the bucket policy can name the rule before it exists. */
export const RECEIPT_RULE_NAME = 'caseflow-inbound-to-s3';

/**
 * SES's S3 action, with the bucket policy limited to our receipt rule. aws-ses-actions' S3 action
 * lets SES write for any receipt rule of the account (aws:SourceAccount only); this one also
 * requires aws:SourceArn to be this rule (in this rule set), so another rule set in the account, or
 * a rule added to ours, cannot drop objects into the raw-mail bucket that intake would take for mail.
 */
class RawMailToS3 implements IReceiptRuleAction {
  constructor(
    private readonly bucket: Bucket,
    private readonly prefix: string,
    private readonly ruleArn: () => string,
  ) {}

  bind(rule: IReceiptRuleRef): ReceiptRuleActionConfig {
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowOurSesReceiptRuleToWriteInboundMail',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this.bucket).account, 'aws:SourceArn': this.ruleArn() } },
      }),
    );
    // SES checks it may write when the rule is created: the policy must be in place first.
    if (this.bucket.policy) rule.node.addDependency(this.bucket.policy);
    return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: this.prefix } };
  }
}

/**
 * Email-to-case in AWS (docs/email.md): SES receives mail for the domain and writes each message to the
 * raw-mail bucket; the bucket's notification invokes the intake function; a failure is retried by
 * Lambda and then lands in a DLQ that raises an alarm (`npm run redrive` replays it). The function
 * sends acknowledgements through SES v2, allowed only from the domain's verified identity, and signs
 * subject tokens with an HMAC key kept in Secrets Manager.
 *
 * Not done by CloudFormation, on purpose: activating the receipt rule set (an account and region
 * have one active set; activating ours would silently deactivate another's) and the DNS records
 * (MX and DKIM CNAMEs); docs/email.md#setting-it-up-in-aws says how.
 */
export class EmailIntake extends Construct {
  readonly bucket: Bucket;
  readonly intakeFunction: LambdaFunction;
  readonly deadLetterQueue: Queue;
  readonly dlqAlarm: Alarm;
  readonly ruleSet: ReceiptRuleSet;
  readonly identity: EmailIdentity;
  readonly threadingSecret: Secret;
  readonly domain: string;
  readonly fromAddress: string;

  constructor(scope: Construct, id: string, props: EmailIntakeProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket of the raw-mail bucket; logging its own access would only log the logging.',
    });

    // Raw customer mail: encrypted (SSE-S3, which SES can write to without a key policy), TLS only,
    // never public, versioned so an overwrite or a mistaken delete can be undone, kept as the record of
    // each case and moved to cheaper storage as it ages.
    this.bucket = new Bucket(this, 'RawMail', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'raw-mail/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'age-out-raw-mail',
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(180) },
          ],
          expiration: Duration.days(props.rawMailRetentionDays ?? 3 * 365),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          // Large reply files uploaded for a reply (docs/api.md#large-files): the reply keeps its own
          // copy under parts/, so an upload is needed for minutes; one never sent goes after a day.
          id: 'expire-reply-uploads',
          prefix: UPLOAD_PREFIX,
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
    });

    this.identity = new EmailIdentity(this, 'Identity', { identity: Identity.domain(props.domain) });

    this.threadingSecret = new Secret(this, 'ThreadingKey', {
      description: 'caseflow: HMAC key that signs case tokens in email subjects ([CF-00001024:k7f9q2])',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.threadingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key signs tokens that customers keep in the subjects of conversations lasting months. It is rotated by hand with an overlap ({"current": new, "previous": [old]}), which the intake function supports; an automatic rotation would orphan every open conversation.',
    });

    this.deadLetterQueue = new Queue(this, 'IntakeDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the intake function (on-failure destination); it is drained by npm run redrive, not by a consumer that could fail.',
    });

    const fn = new CaseflowFunction(this, 'IntakeFunction', {
      handler: 'intake-email',
      description: 'Email-to-case: raw message in S3 ▶ case, reply, bounce or rejection; acknowledgement through SES',
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      memorySize: 1024,
    }).function;
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.deadLetterQueue) });
    useTable(fn, props.data, 'intake-email');
    useStateMachine(fn, props.lifecycle);
    useAlertTopic(fn, props.alerts);

    // The bucket: read raw mail, write parts beside it, tag what was processed. No delete.
    setEnv(fn, 'RAW_MAIL_BUCKET', this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${INBOUND_PREFIX}*`)] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObjectTagging'], resources: [this.bucket.arnForObjects(`${INBOUND_PREFIX}*`)] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${PARTS_PREFIX}*`)] }));
    const bucketArn = `<${stack.getLogicalId(this.bucket.node.defaultChild as never)}.Arn>`;
    for (const prefix of [INBOUND_PREFIX, PARTS_PREFIX]) {
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
        reason: `Objects are named by SES (one per message) and by intake (one per part), so access is granted per prefix: ${prefix}* of the raw-mail bucket only, never the whole bucket, and no delete.`,
      });
    }

    // Sending: only from the verified domain identity.
    const identityArn = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.domain });
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [identityArn] }));
    setEnv(fn, 'EMAIL_FROM_ADDRESS', props.fromAddress ?? `support@${props.domain}`);

    setEnv(fn, 'THREADING_SECRET_ARN', this.threadingSecret.secretArn);
    this.threadingSecret.grantRead(fn);
    this.intakeFunction = fn;
    this.domain = props.domain;
    this.fromAddress = props.fromAddress ?? `support@${props.domain}`;

    this.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), { prefix: INBOUND_PREFIX });

    // The rule set's name is CloudFormation's (renaming it would replace the set an admin activated);
    // the rule's is fixed, so the ARN can be written before the rule exists.
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet');
    const ruleArn = () =>
      stack.formatArn({
        service: 'ses',
        resource: 'receipt-rule-set',
        resourceName: `${this.ruleSet.receiptRuleSetName}:receipt-rule/${RECEIPT_RULE_NAME}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    this.ruleSet.addRule('Rule0', {
      receiptRuleName: RECEIPT_RULE_NAME,
      recipients: [props.domain],
      // Spam and virus scanning: SES adds X-SES-Spam-Verdict / X-SES-Virus-Verdict, which intake reads.
      scanEnabled: true,
      // Senders that cannot do TLS are rare but real (old appliances, some bounce MTAs): losing their
      // mail is worse than taking it in plain text over the public internet's last hop.
      tlsPolicy: TlsPolicy.OPTIONAL,
      actions: [new RawMailToS3(this.bucket, INBOUND_PREFIX, ruleArn)],
    });

    this.dlqAlarm = new Alarm(this, 'IntakeDlqNotEmpty', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'Inbound email failed intake after retries and waits in the DLQ: run npm run redrive -- --queue-url <IntakeDlqUrl> --function <IntakeFunctionName>.',
    });
    this.dlqAlarm.addAlarmAction(new SnsAction(props.alerts.topic));

    // The bucket-notification custom resource CDK adds once per stack (it sets the notification after
    // both the bucket and the function exist, which CloudFormation alone cannot order).
    const notificationsHandler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications custom resource (BucketNotificationsHandler) runs under AWSLambdaBasicExecutionRole; it is CDK's own singleton, run once per deployment to set the bucket notification, and its other permission is scoped to the bucket.",
      });
    }
  }

  /**
   * The API's files (docs/api.md#attachments): an agent's reply files are written beside the mail
   * (`parts/`), and attachments are handed out as pre-signed GETs of that prefix, which S3 answers
   * only when the signer may read the object. No list, no delete, nothing outside `parts/`.
   */
  allowFiles(fn: LambdaFunction): void {
    setEnv(fn, 'RAW_MAIL_BUCKET', this.bucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects(`${PARTS_PREFIX}*`)] }));
    // Large reply files: the API signs POSTs under uploads/ (S3 checks the signer may PutObject there)
    // and reads an upload when a reply names it. Nothing else of the bucket is reachable through them.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.bucket.arnForObjects(`${UPLOAD_PREFIX}*`)] }));
    const stack = Stack.of(this);
    const bucketArn = `<${stack.getLogicalId(this.bucket.node.defaultChild as never)}.Arn>`;
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${PARTS_PREFIX}*]`,
      reason: `Attachments are named per message when they are stored, so the API may read and write ${PARTS_PREFIX}* of the raw-mail bucket only (downloads are pre-signed GETs of it; reply files are written there): no list, no delete, never raw mail.`,
    });
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${UPLOAD_PREFIX}*]`,
      reason: `Each upload gets a key of its own (${UPLOAD_PREFIX}<case>/<id>) when it is asked for, so the API may write (sign upload POSTs) and read ${UPLOAD_PREFIX}* of the raw-mail bucket only: no list, no delete; uploads expire after a day.`,
    });
    // The console uploads from its own origin straight to S3 (a form POST of a pre-signed policy), and
    // reads the answer's status. CORS allows POST from any origin, because naming the console's origin
    // here while the console's CSP names this bucket would be a cycle in the template; it grants
    // nothing: a form POST can be sent from anywhere without CORS, S3 takes one only with a valid
    // signed policy, and no cookie or credential rides on it. Nothing else (GET, PUT, DELETE) is allowed.
    this.bucket.addCorsRule({ allowedMethods: [HttpMethods.POST], allowedOrigins: ['*'], maxAge: 3000 });
  }

  /**
   * Another function sends mail through the same path as intake (agent replies from the API): SES
   * v2 from the verified domain identity only, the same sender, and the threading key to sign
   * subject tokens with. Set here, beside intake's own grants, so the two cannot drift.
   */
  allowSending(fn: LambdaFunction): void {
    const identityArn = Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: this.domain });
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [identityArn] }));
    setEnv(fn, 'EMAIL_FROM_ADDRESS', this.fromAddress);
    setEnv(fn, 'THREADING_SECRET_ARN', this.threadingSecret.secretArn);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.threadingSecret.secretArn] }));
  }
}
