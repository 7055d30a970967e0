/**
 * Global setup of the integration project: one DynamoDB Local (in memory, on a free port) for the
 * whole run. Test files reach it through `inject('dynamoEndpoint')`, and each file works on its
 * own table (test/support/dynamo.ts), so files can run in parallel without seeing each other.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the DynamoDB Local started for this run. */
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.stdout.write('[integration] starting DynamoDB Local (Java, in memory) for this run; takes a few seconds\n');
  // Java boots in ~4 s on an idle machine; a loaded CI runner can take several times that.
  const dynamo = await startDynamoDbLocal({ startTimeoutMs: 90_000 });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
