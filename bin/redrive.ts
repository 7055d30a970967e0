/**
 * `npm run redrive`: reprocess inbound email whose intake failed.
 *
 * - Locally (default): replays `<dataDir>/mail/failed/*.json` through the same intake handler the
 *   SMTP listener uses, against the running local stack's DynamoDB (read from local-stack.json), and
 *   starts each case's workflow in that stack with StartExecution through the Step Functions adapter
 *   Lambda uses (the stack serves StartExecution on loopback). Options: `--data-dir DIR` (default .caseflow).
 * - In AWS: `--queue-url URL --function NAME` reads the intake DLQ (Lambda's on-failure destination)
 *   and invokes the intake function again with each original S3 event; a message is deleted from the
 *   queue only after the invocation succeeded. `--max N` bounds the run (default 100). The intake
 *   function starts the Step Functions execution of each case it makes, or of a case an earlier
 *   attempt wrote but left in `new` (the execution is named after the case: never started twice).
 *
 * Safe to run twice: intake deduplicates by Message-ID and content hash.
 */
import '../lib/local/require-node.js';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { clearFailure, listFailures, recordFailure } from '../lib/local/mail-store.js';

export interface RedriveReport {
  retried: number;
  succeeded: number;
  failed: number;
  errors: string[];
}

/** Replays the local failed list through `intake`; an entry is cleared only when it succeeds. */
export async function redriveLocal(
  dataDir: string,
  intake: (event: unknown) => Promise<unknown>,
  log: (line: string) => void = () => undefined,
): Promise<RedriveReport> {
  const report: RedriveReport = { retried: 0, succeeded: 0, failed: 0, errors: [] };
  for (const failure of await listFailures(dataDir)) {
    report.retried++;
    try {
      await intake(failure.event);
      await clearFailure(dataDir, failure.key);
      report.succeeded++;
      log(`ok      ${failure.key}`);
    } catch (error) {
      report.failed++;
      report.errors.push(`${failure.key}: ${(error as Error).message}`);
      await recordFailure(dataDir, failure.key, failure.event, error);
      log(`failed  ${failure.key}: ${(error as Error).message}`);
    }
  }
  return report;
}

/** The original S3 event in a DLQ message: Lambda's on-failure record (`requestPayload`) or the bare event (async DLQ). */
export function originalEvent(body: string): unknown {
  const parsed = JSON.parse(body) as { requestPayload?: unknown; Records?: unknown };
  return parsed.requestPayload ?? parsed;
}

export async function redriveDlq(options: { queueUrl: string; functionName: string; max: number; log: (line: string) => void }): Promise<RedriveReport> {
  const { SQSClient, ReceiveMessageCommand, DeleteMessageCommand } = await import('@aws-sdk/client-sqs');
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const sqs = new SQSClient({});
  const lambda = new LambdaClient({});
  const report: RedriveReport = { retried: 0, succeeded: 0, failed: 0, errors: [] };
  try {
    while (report.retried < options.max) {
      const res = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - report.retried),
          WaitTimeSeconds: 2,
          VisibilityTimeout: 120,
        }),
      );
      const messages = res.Messages ?? [];
      if (messages.length === 0) break;
      for (const message of messages) {
        report.retried++;
        const invoked = await lambda.send(
          new InvokeCommand({
            FunctionName: options.functionName,
            InvocationType: 'RequestResponse',
            Payload: Buffer.from(JSON.stringify(originalEvent(message.Body ?? '{}'))),
          }),
        );
        if (invoked.FunctionError) {
          report.failed++;
          const detail = invoked.Payload ? Buffer.from(invoked.Payload).toString('utf8').slice(0, 300) : invoked.FunctionError;
          report.errors.push(`${message.MessageId}: ${detail}`);
          options.log(`failed  ${message.MessageId}: ${detail} (left in the queue)`);
          continue;
        }
        await sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        report.succeeded++;
        options.log(`ok      ${message.MessageId}`);
      }
    }
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
  return report;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'queue-url': { type: 'string' },
      function: { type: 'string' },
      max: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'Usage: npm run redrive -- [--data-dir DIR]            replay the local failed list\n       npm run redrive -- --queue-url URL --function NAME [--max N]   replay the intake DLQ in AWS',
    );
    return 0;
  }
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const log = (line: string) => console.log(`[redrive] ${line}`);
  let report: RedriveReport;
  if (values['queue-url'] || values.function) {
    if (!values['queue-url'] || !values.function) {
      console.error('redrive: --queue-url and --function go together (the intake DLQ and the intake function; see the stack outputs)');
      return 2;
    }
    report = await redriveDlq({ queueUrl: values['queue-url'], functionName: values.function, max: Number(values.max ?? 100), log });
  } else {
    const dataDir = values['data-dir'] ?? '.caseflow';
    const failures = await listFailures(dataDir);
    if (failures.length === 0) {
      log(`nothing to redrive in ${dataDir}/mail/failed`);
      return 0;
    }
    const { findRunningStack } = await import('../lib/local/stack-info.js');
    const info = await findRunningStack(dataDir);
    if (!info) {
      console.error(`redrive: ${failures.length} failed message(s), but no local stack runs on ${dataDir}: start it (npm start) and run redrive again`);
      return 1;
    }
    if (!info.stepFunctionsEndpoint || !info.stateMachineArn) {
      console.error(
        'redrive: the running stack does not take StartExecution from other processes (it predates this version): restart it and run redrive again',
      );
      return 1;
    }
    const { SFNClient } = await import('@aws-sdk/client-sfn');
    const { makeDocumentClient } = await import('../functions/adapters/dynamo.js');
    const { makeStepFunctionsStarter } = await import('../functions/adapters/step-functions.js');
    const { makeAppDeps } = await import('../functions/composition/deps.js');
    const { LOCAL_CLIENT_SETTINGS } = await import('../lib/local/dynamodb-local.js');
    const { withLocalEmail } = await import('../lib/local/smtp.js');
    const { createHandler } = await import('../functions/handlers/intake-email.js');
    const table = { client: makeDocumentClient({ endpoint: info.dynamoEndpoint }), tableName: info.tableName };
    // The running stack's workflow, through the adapter Lambda uses: each recreated case is stamped and routed now.
    const sfn = new SFNClient({ ...LOCAL_CLIENT_SETTINGS, region: 'us-east-1', endpoint: info.stepFunctionsEndpoint });
    const base = makeAppDeps({
      table,
      alerts: { publish: async (a) => log(`alert: ${a.subject}`) },
      workflow: makeStepFunctionsStarter(sfn, info.stateMachineArn),
    });
    const email = await withLocalEmail(base, dataDir);
    try {
      report = await redriveLocal(dataDir, createHandler(email.deps), log);
    } finally {
      email.close();
      table.client.destroy();
      sfn.destroy();
    }
  }
  log(`${report.retried} retried, ${report.succeeded} succeeded, ${report.failed} failed`);
  return report.failed > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error('redrive failed:', error);
      process.exit(1);
    },
  );
}
