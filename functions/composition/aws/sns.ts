import { SNSClient } from '@aws-sdk/client-sns';
import { makeSnsAlertPublisher } from '../../adapters/sns-alerts.js';
import type { AlertPublisher } from '../../core/ports/notifications.js';

/**
 * The SNS alert publisher and its client. Only functions/composition/lambda.ts imports this module,
 * with `import()` on the port's first call (lazyPort), one module per AWS service so a bundle holds
 * only the services its function can reach (docs/costs.md#cold-start).
 */
let client: SNSClient | undefined;

export function snsAlertPublisher(topicArn: string): AlertPublisher {
  client ??= new SNSClient({});
  return makeSnsAlertPublisher(client, topicArn);
}
