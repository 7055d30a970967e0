import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlertTopicRef } from './grants.js';

export interface AdminAlertsProps {
  /** Subscribed by email when set (the recipient must confirm the subscription). */
  readonly alertEmail?: string;
}

/**
 * The admin alerts topic: cases that land in manual review, failed workflows, and every CloudWatch alarm.
 *
 * Encrypted with a customer managed key, not alias/aws/sns: CloudWatch alarms cannot publish to a topic
 * under the AWS managed key, because that key's policy cannot be edited to let cloudwatch.amazonaws.com
 * use it, and the alarms would then fail silently (visible only in alarm history).
 */
export class AdminAlerts extends Construct implements AlertTopicRef {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AdminAlertsProps = {}) {
    super(scope, id);

    this.key = new Key(this, 'Key', {
      description: 'caseflow admin alerts topic encryption',
      enableKeyRotation: true,
      // Only in-flight SNS messages are encrypted with it; nothing is left to decrypt once the topic is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Only for alarms of this account and region (aws:SourceAccount, aws:SourceArn: CloudWatch passes
    // both when it publishes), so the service cannot be used as a confused deputy by another account's alarms.
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'caseflow alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy created for enforceSSL replaces SNS's default policy, so the alarm service must be
    // allowed explicitly; aws:SourceAccount keeps other accounts' alarms out.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    if (props.alertEmail) {
      this.topic.addSubscription(new EmailSubscription(props.alertEmail));
    }
  }
}
