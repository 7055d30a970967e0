import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Env } from '../functions/shared/env.js';
import { TABLE } from '../functions/adapters/table-definition.js';
import type { CaseTable } from './data.js';

/**
 * Rule of the house 7: the helper that hands a function a resource (an environment variable parsed by
 * functions/shared/env.ts) also grants the IAM permission to use it, so configuration and permissions
 * cannot drift. Variable names are typed against `Env`: renaming one there breaks the build here.
 */
type EnvName = keyof Env & string;

function setEnv(fn: LambdaFunction, name: EnvName, value: string): void {
  fn.addEnvironment(name, value);
}

/**
 * - `read`: GetItem (also what TransactGetItems needs), BatchGetItem, Query on the table and each GSI.
 * - `readWrite`: read, plus PutItem / UpdateItem / ConditionCheckItem, which is what TransactWriteItems
 *   needs for puts, updates and conditions.
 * Nobody gets Scan (every access pattern is a Get or a Query, DESIGN.md §3), and nobody gets DeleteItem or
 * BatchWriteItem (which can delete): temporary records expire through the TTL attribute.
 */
export type TableAccess = 'read' | 'readWrite';

const ITEM_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'];
const ITEM_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];

export function useTable(fn: LambdaFunction, data: CaseTable, access: TableAccess): void {
  setEnv(fn, 'TABLE_NAME', data.table.tableName);

  const tableArn = data.table.tableArn;
  // Each index of TABLE by name rather than `<table>/index/*`: exactly the indexes that exist, no wildcard.
  const indexArns = TABLE.indexes.map((index) => `${tableArn}/index/${index.name}`);

  fn.addToRolePolicy(
    new PolicyStatement({
      actions: access === 'readWrite' ? [...ITEM_READ_ACTIONS, ...ITEM_WRITE_ACTIONS] : ITEM_READ_ACTIONS,
      resources: [tableArn],
    }),
  );
  fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [tableArn, ...indexArns] }));
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
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [alerts.key.keyArn] }),
  );
}

/** Plain configuration, no permission attached: kept here so every variable a function gets is set in one file. */
export function useWebFormReturnUrl(fn: LambdaFunction, url: string | undefined): void {
  if (url !== undefined) setEnv(fn, 'WEB_FORM_RETURN_URL', url);
}
