import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertPublisher } from '../core/ports/notifications.js';

/** Admin alerts on the SNS topic (email, chat and pager subscriptions hang off it). */
export function makeSnsAlertPublisher(client: SNSClient, topicArn: string): AlertPublisher {
  return {
    async publish(alert) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          // SNS email subjects are limited to 100 characters.
          Subject: alert.subject.slice(0, 100),
          Message: `${alert.message}\n\nalert ${alert.alertId} at ${alert.at}${alert.caseId ? `, case ${alert.caseId}` : ''}`,
          MessageAttributes: alert.caseId ? { caseId: { DataType: 'String', StringValue: alert.caseId } } : undefined,
        }),
      );
    },
  };
}
