import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Env } from '../functions/composition/env.js';
import { TABLE } from '../functions/adapters/table-definition.js';
import type { CaseTable } from './data.js';
import { TABLE_ACCESS, type PartitionLimits, type TableGrant, type TableUser } from './table-access.js';

/**
 * The helper that hands a function a resource (an environment variable parsed by
 * functions/composition/env.ts) also grants the IAM permission to use it, so configuration and permissions
 * cannot drift (docs/architecture.md#grants-follow-env-vars). Variable names are typed against `Env`:
 * renaming one there breaks the build here.
 */
type EnvName = keyof Env & string;

function setEnv(fn: LambdaFunction, name: EnvName, value: string): void {
  fn.addEnvironment(name, value);
}

const ITEM_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'];
const ITEM_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];

/**
 * The table, with exactly the access `TABLE_ACCESS[user]` describes (lib/table-access.ts): item
 * reads or reads and writes, Query on the table only if the function queries a case's partition,
 * and Query on each index it uses by that index's own ARN. A function with partition limits gets
 * one statement per action, each bound to its partition-key patterns by `dynamodb:LeadingKeys`;
 * TransactWriteItems is authorised item by item as these actions, so the limits hold inside
 * transactions too.
 */
export function useTable(fn: LambdaFunction, data: CaseTable, user: TableUser): void {
  setEnv(fn, 'TABLE_NAME', data.table.tableName);
  const grant: TableGrant = TABLE_ACCESS[user];
  const tableArn = data.table.tableArn;

  if (grant.partitions) {
    for (const statement of partitionStatements(tableArn, grant.partitions)) fn.addToRolePolicy(statement);
  } else {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: grant.access === 'readWrite' ? [...ITEM_READ_ACTIONS, ...ITEM_WRITE_ACTIONS] : ITEM_READ_ACTIONS,
        resources: [tableArn],
      }),
    );
  }

  const queryResources = [...(grant.queriesTable ? [tableArn] : []), ...grant.indexes.map((index) => `${tableArn}/index/${index}`)];
  if (queryResources.length > 0) fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: queryResources }));
}

/**
 * `ForAllValues:StringLike` on `dynamodb:LeadingKeys` passes vacuously when the request carries no
 * partition key, so each statement also requires the key to be present (`Null: false`).
 */
function partitionStatements(tableArn: string, limits: PartitionLimits): PolicyStatement[] {
  const onPartitions = (actions: string[], partitions: readonly string[], extra: Record<string, Record<string, unknown>> = {}) =>
    new PolicyStatement({
      actions,
      resources: [tableArn],
      conditions: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...partitions] },
        Null: { 'dynamodb:LeadingKeys': 'false' },
        ...extra,
      },
    });
  return [
    ...(limits.get.length > 0 ? [onPartitions(['dynamodb:GetItem'], limits.get)] : []),
    ...(limits.put.length > 0 ? [onPartitions(['dynamodb:PutItem'], limits.put)] : []),
    ...(limits.update.length > 0 ? [onPartitions(['dynamodb:UpdateItem'], limits.update)] : []),
    ...limits.counters.map((counter) =>
      onPartitions(['dynamodb:UpdateItem'], [counter.partition], {
        // The key attributes are part of every update's attribute set (AWS's examples list them too).
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [TABLE.partitionKey, TABLE.sortKey, ...counter.attributes] },
        StringEquals: { 'dynamodb:ReturnValues': counter.returnValues },
      }),
    ),
  ];
}

/** StartExecution only: executions are named by caseId, so a duplicate start is rejected by Step Functions. */
export function useStateMachine(fn: LambdaFunction, stateMachine: IStateMachine): void {
  setEnv(fn, 'STATE_MACHINE_ARN', stateMachine.stateMachineArn);
  stateMachine.grantStartExecution(fn);
}

export interface AlertTopicRef {
  readonly topic: ITopic;
  /** The customer managed key the topic is encrypted with. */
  readonly key: IKey;
}

/**
 * Publish to the admin alerts topic. Written out instead of `topic.grantPublish()`, which grants the
 * wildcard `kms:GenerateDataKey*`; publishing to an encrypted topic needs exactly these two KMS actions.
 */
export function useAlertTopic(fn: LambdaFunction, alerts: AlertTopicRef): void {
  setEnv(fn, 'ALERT_TOPIC_ARN', alerts.topic.topicArn);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [alerts.topic.topicArn] }));
  fn.addToRolePolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [alerts.key.keyArn] }));
}

/** Plain configuration, no permission attached: kept here with the others (lib/email-intake.ts sets the email variables beside its own grants). */
export function useWebFormReturnUrl(fn: LambdaFunction, url: string | undefined): void {
  if (url !== undefined) setEnv(fn, 'WEB_FORM_RETURN_URL', url);
}

/**
 * The customer's status page in the console (`<base>/<token>`, docs/console.md#the-customers-status-page):
 * plain configuration; its links are signed with keys derived from the threading secret, which the
 * functions that send acknowledgements are granted beside their email grants (lib/email-intake.ts).
 */
export function useStatusPageBase(fn: LambdaFunction, base: string): void {
  setEnv(fn, 'STATUS_PAGE_BASE_URL', base);
}

/**
 * The one Slack secret (the webhook URL, the Slack app's bot token and signing secret; docs/slack.md#the-slack-secret):
 * read (GetSecretValue, nothing else) on first use and cached. The API function (it announces and opens swarm
 * conversations) and the Slack function (it verifies Slack's requests and acts on them) read it.
 */
export function useSlackSecret(fn: LambdaFunction, secret: ISecret): void {
  setEnv(fn, 'SLACK_SECRET_ARN', secret.secretArn);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
}

/** Where notifications link a case to (`<base>/<caseId>`); plain configuration, no permission. */
export function useCaseLinkBase(fn: LambdaFunction, base: string): void {
  setEnv(fn, 'CASE_LINK_BASE_URL', base);
}

/** Where SLA and sweep notifications to agents are sent from: a verified SES identity (the email domain). */
export interface NotificationSenderRef {
  /** The SES domain identity (`support.example.com`). */
  readonly domain: string;
  /** The From address, at that domain. */
  readonly fromAddress: string;
}

/**
 * Notifications (SLA warnings, breaches, escalations, on-hold limits): agents by SES v2 email from the
 * domain identity, admins through the alerts topic. Without a sender (no `sesDomain`), agents'
 * notifications go to the alerts topic too (functions/adapters/notifier.ts), so only the topic is granted.
 */
export function useNotifications(fn: LambdaFunction, alerts: AlertTopicRef, sender: NotificationSenderRef | undefined): void {
  useAlertTopic(fn, alerts);
  if (sender) useNotificationEmail(fn, sender);
}

/** Agents' notification emails by SES v2: the From address, and sending from its domain identity only. */
export function useNotificationEmail(fn: LambdaFunction, sender: NotificationSenderRef): void {
  setEnv(fn, 'EMAIL_FROM_ADDRESS', sender.fromAddress);
  const identityArn = Stack.of(fn).formatArn({ service: 'ses', resource: 'identity', resourceName: sender.domain });
  fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [identityArn] }));
}

/**
 * The stored triage model versions, named but not read: the bucket and prefix, and s3:ListBucket on
 * the bucket for keys under that prefix only. With it a missing key is a 404 (without it S3 answers
 * 403, which cannot be told from a refusal), and the API can check the version a configuration names.
 */
export function useTriageModelCatalogue(fn: LambdaFunction, bucket: IBucket, prefix: string): void {
  setEnv(fn, 'TRIAGE_MODEL_BUCKET', bucket.bucketName);
  setEnv(fn, 'TRIAGE_MODEL_PREFIX', prefix);
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': `${prefix}*` } } }),
  );
}

/**
 * Automatic triage: the model bucket and prefix, GetObject on that prefix, and ListBucket on the
 * model bucket. No write, no delete. Versions are named when trained and the configuration may
 * choose any of them.
 *
 * ListBucket is what makes a missing version read as missing: without it S3 answers a GetObject of a
 * key that does not exist with 403 AccessDenied (it will not tell a caller without list rights whether
 * the key exists), so a configuration naming a version not yet uploaded would fail every case instead
 * of reading as "not stored" (functions/adapters/triage-model-store.ts). With it, S3 answers 404 NoSuchKey.
 * Unlike the catalogue's, this grant has no `s3:prefix` condition: the existence check S3 makes for a
 * GetObject is not a list request and carries no prefix, so a prefix-conditioned grant may not count
 * there. It reveals nothing more: the bucket holds only model versions (its access logs go to their own bucket).
 */
export function useTriageModels(fn: LambdaFunction, bucket: IBucket, prefix: string): void {
  setEnv(fn, 'TRIAGE_MODEL_BUCKET', bucket.bucketName);
  setEnv(fn, 'TRIAGE_MODEL_PREFIX', prefix);
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }));
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  const bucketArn = `<${Stack.of(fn).getLogicalId(bucket.node.defaultChild as never)}.Arn>`;
  Validations.of(fn.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
    reason: `Model versions are named when they are trained (${prefix}<version>/model.json.gz) and the configuration may choose any of them, so read access is granted on the prefix: GetObject on ${prefix}* and ListBucket on this bucket of models only, no write, no delete.`,
  });
}
